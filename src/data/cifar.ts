import { finishDataset, planSplit, SplitWriter } from './assemble';
import { ImageConverter } from './convert';
import { DatasetImportError, type ImportedDataset, type InputFile } from './types';
import { baseName, checkLimits, count, Ticker, type ImportContext } from './util';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

/** CIFAR binary batch names as distributed (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz). */
export const CIFAR10_BATCH = /^(data_batch_\d+|test_batch)\.bin$/;
export const CIFAR100_BATCH = /^(train|test)\.bin$/;

export function cifarVariant(files: InputFile[]): 10 | 100 | null {
  const names = files.map(f => baseName(f.path));
  if (names.some(n => CIFAR10_BATCH.test(n))) return 10;
  if (names.some(n => CIFAR100_BATCH.test(n))) return 100;
  return null;
}

function classNamesFrom(text: string | null, k: number): string[] {
  const lines = text ? text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '') : [];
  return lines.length >= k ? lines.slice(0, k) : Array.from({ length: k }, (_, i) => `class ${i}`);
}

/**
 * CIFAR-10 (`data_batch_1..5.bin`, `test_batch.bin`: 1 label byte + 3072 pixel bytes a record) and CIFAR-100
 * (`train.bin`, `test.bin`: coarse and fine label bytes + 3072; the fine label is used). Pixels are stored as
 * R, G, B planes of 32×32, row-major, and become channels-last. Class names come from `batches.meta.txt` /
 * `fine_label_names.txt` when present. The test batch gives the test split.
 */
export async function importCifar(ctx: ImportContext, variant: 10 | 100): Promise<ImportedDataset> {
  const { opts, deps, limits } = ctx;
  const labelBytes = variant === 10 ? 1 : 2;
  const record = labelBytes + PIXELS;
  const pattern = variant === 10 ? CIFAR10_BATCH : CIFAR100_BATCH;
  const batches = ctx.files.filter(f => pattern.test(baseName(f.path))).sort((a, b) => (a.path < b.path ? -1 : 1));
  const namesFile = ctx.files.find(f => baseName(f.path) === (variant === 10 ? 'batches.meta.txt' : 'fine_label_names.txt'));
  for (const f of batches)
    if (f.size % record !== 0)
      throw new DatasetImportError(
        `${f.size} bytes is not a whole number of CIFAR-${variant} records (${record} bytes each: ${labelBytes === 1 ? 'a label byte' : 'two label bytes'} + 3,072 pixels); is it truncated?`,
        f.path,
      );
  const n = batches.reduce((a, f) => a + f.size / record, 0);
  const [h, w, c] = opts.imageShape ?? [SIDE, SIDE, 3];
  checkLimits(limits, n, h * w * c, variant);
  const names = classNamesFrom(namesFile ? new TextDecoder().decode(await namesFile.bytes()) : null, variant);
  const ticker = new Ticker(deps.onProgress, 'reading', batches.length);
  const data: Uint8Array[] = [];
  for (const f of batches) {
    const b = await f.bytes();
    if (b.length % record !== 0) throw new DatasetImportError(`${b.length} bytes is not a whole number of ${record}-byte records`, f.path);
    data.push(b);
    await ticker.tick(data.length);
  }
  const y = new Uint8Array(n);
  const isTest = new Uint8Array(n);
  let i = 0;
  batches.forEach((f, b) => {
    const test = baseName(f.path).startsWith('test');
    for (let o = labelBytes - 1; o < data[b].length; o += record, i++) {
      const label = data[b][o];
      if (label >= variant) throw new DatasetImportError(`record ${(o - labelBytes + 1) / record} has label ${label}, beyond the ${variant} classes`, f.path);
      y[i] = label;
      isTest[i] = test ? 1 : 0;
    }
  });
  const plan = planSplit(y, isTest, opts);
  const writer = new SplitWriter(plan, y, h * w * c, 'uint8');
  const same = h === SIDE && w === SIDE && c === 3;
  const converter = same ? null : new ImageConverter(h, w, c as 1 | 3);
  const rgba = new Uint8Array(PLANE * 4);
  const progress = new Ticker(deps.onProgress, 'converting', n);
  i = 0;
  for (const bytes of data) {
    for (let o = labelBytes; o < bytes.length; o += record, i++) {
      const out = writer.xOf(i) as Uint8Array;
      const at = writer.offset(i);
      if (!converter) {
        for (let p = 0, q = at; p < PLANE; p++, q += 3) {
          out[q] = bytes[o + p];
          out[q + 1] = bytes[o + PLANE + p];
          out[q + 2] = bytes[o + 2 * PLANE + p];
        }
      } else {
        for (let p = 0, q = 0; p < PLANE; p++, q += 4) {
          rgba[q] = bytes[o + p];
          rgba[q + 1] = bytes[o + PLANE + p];
          rgba[q + 2] = bytes[o + 2 * PLANE + p];
          rgba[q + 3] = 255;
        }
        converter.convert({ width: SIDE, height: SIDE, data: rgba }, out, at);
      }
      if (i % 1000 === 999) await progress.tick(i + 1);
    }
  }
  await progress.tick(n);
  const notes: string[] = [];
  if (!namesFile) notes.push(`No ${variant === 10 ? 'batches.meta.txt' : 'fine_label_names.txt'} was found: classes are named class 0…${variant - 1}.`);
  if (plan.split.from === 'seeded')
    notes.push(`Only ${batches[0] && baseName(batches[0].path).startsWith('test') ? 'test' : 'training'} batches were given (${count(batches.length, 'file')}): the test split is drawn from them.`);
  return finishDataset({
    ...writer.compact(),
    split: plan.split,
    format: variant === 10 ? 'cifar-10' : 'cifar-100',
    inputShape: [h, w, c],
    classNames: names,
    sources: ctx.sources,
    name: ctx.name,
    opts,
    notes,
    conversion: converter ? `CIFAR 32×32×3 → ${h}×${w}×${c}: bilinear resize; ${c === 1 ? 'RGB → grayscale (BT.601 luma)' : 'RGB'}` : 'CIFAR planes (R, G, B) → channels-last 32×32×3 uint8',
  });
}
