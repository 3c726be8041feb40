import { z } from 'zod';
import type { DatasetMeta, ImportedDataset, ImportOptions } from './types';

/**
 * Messages between the main thread and the import worker (./import.worker.ts). The main thread hands over the picked
 * or dropped files (File objects are cloned by reference, their bytes are read in the worker) and draws what comes
 * back: progress, the stored dataset's meta with a few example samples, or an error naming the file at fault.
 * Both sides parse what they receive with these schemas.
 */

/** A file as the user picked or dropped it: its path under what was picked (`shapes/circle/1.png`) and the File. */
export interface PickedFile {
  path: string;
  file: File;
}

const importOptionsSchema = z.object({
  imageShape: z.tuple([z.number().int().min(1).max(1024), z.number().int().min(1).max(1024), z.union([z.literal(1), z.literal(3)])]).optional(),
  testFraction: z.number().min(0).max(0.9),
  seed: z.number().int().min(0).max(2 ** 31),
  labelColumn: z.union([z.string(), z.number().int().min(0)]).optional(),
  csvLayout: z.enum(['series', 'image']).optional(),
  standardize: z.boolean(),
}) satisfies z.ZodType<ImportOptions>;

const sampleArray = z.union([z.instanceof(Uint8Array), z.instanceof(Float32Array)]);

export const toImportWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('import'),
    files: z.array(z.object({ path: z.string().min(1), file: z.instanceof(Blob) })).min(1),
    options: importOptionsSchema,
    name: z.string().optional(),
  }),
  /** Asks for example samples of a stored dataset (answered with `examples`). */
  z.object({ type: z.literal('examples'), id: z.string() }),
]);
export type ToImportWorker = { type: 'import'; files: PickedFile[]; options: ImportOptions; name?: string } | { type: 'examples'; id: string };

/** Up to a few samples of each class of the training split (then the test split), for the Data panel's preview. */
export interface DatasetExamples {
  id: string;
  /** One entry per class, in class order: that class's samples, each prod(inputShape) values. */
  perClass: (Uint8Array | Float32Array)[][];
}

const examplesSchema = z.object({ id: z.string(), perClass: z.array(z.array(sampleArray)) });

export const fromImportWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), phase: z.string(), done: z.number(), total: z.number() }),
  z.object({ type: z.literal('imported'), meta: z.looseObject({ id: z.string(), name: z.string() }), examples: examplesSchema }),
  z.object({ type: z.literal('examples'), examples: examplesSchema }),
  z.object({ type: z.literal('error'), message: z.string(), file: z.string().optional(), id: z.string().optional() }),
]);
export type FromImportWorker =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'imported'; meta: DatasetMeta; examples: DatasetExamples }
  | { type: 'examples'; examples: DatasetExamples }
  /** `id`: the dataset whose examples could not be read (absent: the import failed). */
  | { type: 'error'; message: string; file?: string; id?: string };

/** How many examples of each class the preview shows. */
export const EXAMPLES_PER_CLASS = 8;

/** The first `perClass` samples of each class, from the training split and then the test split. */
export function pickExamples(ds: ImportedDataset, perClass = EXAMPLES_PER_CLASS): DatasetExamples {
  const size = ds.meta.inputShape.reduce((a, b) => a * b, 1);
  const out: (Uint8Array | Float32Array)[][] = ds.meta.classNames.map(() => []);
  let missing = out.length;
  for (const split of [ds.train, ds.test]) {
    for (let i = 0; i < split.n && missing > 0; i++) {
      const list = out[split.y[i]];
      if (!list || list.length >= perClass) continue;
      list.push(split.x.slice(i * size, (i + 1) * size));
      if (list.length === perClass) missing--;
    }
  }
  return { id: ds.meta.id, perClass: out };
}
