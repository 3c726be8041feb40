/// <reference lib="webworker" />
import { createDecodePool } from './decode-pool';
import { importDataset } from './import';
import { fromImportWorkerSchema, pickExamples, toImportWorkerSchema, type FromImportWorker, type PickedFile } from './import-protocol';
import { loadDataset, saveDataset } from './store';
import { DatasetImportError, type ImportProgress, type InputFile } from './types';

/**
 * The import worker: reads the files the user picked, converts them (importDataset with the browser's image decoder),
 * stores the result in IndexedDB and answers with its meta and a few examples. Nothing of this runs on the page's
 * thread. One message at a time: the page sends the next import only after this one answered.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(m: FromImportWorker): void {
  if (import.meta.env.DEV) fromImportWorkerSchema.parse(m);
  scope.postMessage(m);
}

const asInput = ({ path, file }: PickedFile): InputFile => ({
  path,
  size: file.size,
  bytes: async () => new Uint8Array(await file.arrayBuffer()),
  head: async (n: number) => new Uint8Array(await file.slice(0, n).arrayBuffer()),
});

/** Progress to the page at most every 80 ms, and always at a phase's start and end. */
function throttled(): ImportProgress {
  let last = 0;
  let lastPhase = '';
  return (p) => {
    const now = performance.now();
    if (p.phase === lastPhase && p.done < p.total && p.done > 0 && now - last < 80) return;
    last = now;
    lastPhase = p.phase;
    post({ type: 'progress', ...p });
  };
}

function errorMessage(e: unknown): { message: string; file?: string } {
  if (e instanceof DatasetImportError) return { message: e.message, file: e.file };
  return { message: e instanceof Error ? e.message || e.name : String(e) };
}

scope.onmessage = async (e: MessageEvent<unknown>) => {
  const parsed = toImportWorkerSchema.safeParse(e.data);
  if (!parsed.success) {
    post({ type: 'error', message: `The import worker got a message it cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}.` });
    return;
  }
  const m = parsed.data;
  if (m.type === 'examples') {
    try {
      post({ type: 'examples', examples: pickExamples(await loadDataset(m.id)) });
    } catch (err) {
      post({ type: 'error', id: m.id, ...errorMessage(err) });
    }
    return;
  }
  // Decoding helpers for this import only: one per core, at most 4 (workers do not outlive an import).
  const pool = createDecodePool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)), () => new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'convas-decode' }));
  try {
    const onProgress = throttled();
    const ds = await importDataset(m.files.map((f) => asInput({ path: f.path, file: f.file as File })), m.options, {
      decodeImage: pool.decodeImage,
      onProgress,
      ...(m.name ? { name: m.name } : {}),
    });
    await saveDataset(ds, onProgress);
    post({ type: 'imported', meta: ds.meta, examples: pickExamples(ds) });
  } catch (err) {
    post({ type: 'error', ...errorMessage(err) });
  } finally {
    pool.terminate();
  }
};
