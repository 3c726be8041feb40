import { checkClasses, finishDataset, planSplit, SplitWriter } from './assemble';
import { ImageConverter, RESIZE_METHOD, rgbToSingle } from './convert';
import { HEADER_BYTES, IMAGE_EXTENSIONS, readImageHeader } from './image-header';
import { DatasetImportError, type ImportedDataset, type InputFile } from './types';
import { byCodepoint, checkLimits, count, extension, nameFew, readHead, Ticker, type ImportContext } from './util';

const TRAIN = new Set(['train', 'training']);
const TEST = new Set(['test', 'testing']);
const VAL = new Set(['val', 'valid', 'validation']);
/** Images decoded at once (the browser decodes off the main thread, so a few in flight keep it busy). */
const CONCURRENCY = 4;
/** Bytes of whole small files kept from the header pass so the decoding pass does not read (or inflate) them again. */
const KEEP_BYTES = 256 * 2 ** 20;

interface Sample {
  file: InputFile;
  label: number;
  test: boolean;
  /** The whole file, when the header pass read all of it. */
  bytes?: Uint8Array;
}

/** Splits paths into segments after removing the folders every file shares (`dataset/cats/1.png` → `cats/1.png`). */
export function stripCommonRoot(paths: string[]): string[][] {
  let parts = paths.map(p => p.split('/'));
  while (parts.length > 0 && parts.every(s => s.length >= 2 && s[0] === parts[0][0]) && parts.some(s => s.length >= 3))
    parts = parts.map(s => s.slice(1));
  return parts;
}

function isSplitFolder(s: string): boolean {
  const l = s.toLowerCase();
  return TRAIN.has(l) || TEST.has(l) || VAL.has(l);
}

/**
 * Image folders as torchvision's ImageFolder and Keras' image_dataset_from_directory read them: `class/…/img.png`
 * (class = top folder, sorted by codepoint), optionally under `train/` and `test/` (or `val/`) folders, which then
 * give the split. Other files are skipped and named in the notes.
 */
export async function importImageFolder(ctx: ImportContext): Promise<ImportedDataset> {
  const { opts, deps, limits } = ctx;
  const notes: string[] = [];
  const parts = stripCommonRoot(ctx.files.map(f => f.path));
  const tops = new Set(parts.filter(s => s.length >= 3).map(s => s[0].toLowerCase()));
  const hasTrain = [...tops].some(t => TRAIN.has(t));
  const hasTest = [...tops].some(t => TEST.has(t));
  const hasVal = [...tops].some(t => VAL.has(t));
  const splitFolders = hasTrain && (hasTest || hasVal) && parts.every(s => s.length < 2 || isSplitFolder(s[0]));
  const outside: string[] = [];
  const ignoredVal: string[] = [];
  const notImages: string[] = [];
  const found: { file: InputFile; cls: string; test: boolean }[] = [];
  ctx.files.forEach((file, i) => {
    const s = parts[i];
    let cls: string;
    let test = false;
    if (splitFolders) {
      if (s.length < 3) return void outside.push(file.path);
      const top = s[0].toLowerCase();
      if (VAL.has(top) && hasTest) return void ignoredVal.push(file.path);
      test = !TRAIN.has(top);
      cls = s[1];
    } else {
      if (s.length < 2) return void outside.push(file.path);
      cls = s[0];
    }
    if (!IMAGE_EXTENSIONS.has(extension(file.path))) return void notImages.push(file.path);
    found.push({ file, cls, test });
  });
  if (outside.length) notes.push(`Skipped ${count(outside.length, 'file')} outside any class folder: ${nameFew(outside)}.`);
  if (ignoredVal.length)
    notes.push(`Ignored ${count(ignoredVal.length, 'file')} in the validation folder (the test folder gives the test split).`);
  if (found.length === 0)
    throw new DatasetImportError(
      `no images were found in class folders (class/image.png) among ${count(ctx.files.length, 'file')}${notImages.length ? `; not images: ${nameFew(notImages)}` : ''}`,
    );
  const classNames = [...new Set(found.map(f => f.cls))].sort(byCodepoint);
  checkClasses(classNames);
  checkLimits(limits, found.length, 1, classNames.length);

  let shape = opts.imageShape;
  let autoChannels = false;
  let samples: Sample[] = found.map(f => ({ file: f.file, label: classNames.indexOf(f.cls), test: f.test }));
  if (!shape) {
    const sizes = new Map<string, number>();
    let allGray = true;
    const kept: Sample[] = [];
    let keptBytes = 0;
    const ticker = new Ticker(deps.onProgress, 'reading', samples.length);
    for (let i = 0; i < samples.length; i++) {
      const head = await readHead(samples[i].file, HEADER_BYTES).catch(() => null);
      const info = head && readImageHeader(head);
      if (!info) notImages.push(samples[i].file.path);
      else {
        kept.push(samples[i]);
        if (head.length >= samples[i].file.size && keptBytes + head.length <= KEEP_BYTES) {
          samples[i].bytes = head;
          keptBytes += head.length;
        }
        if (info.width > 0 && info.height > 0) {
          const key = `${info.height}×${info.width}`;
          sizes.set(key, (sizes.get(key) ?? 0) + 1);
        }
        allGray &&= info.gray;
      }
      await ticker.tick(i + 1);
    }
    samples = kept;
    let best = '';
    for (const [k, n] of sizes) if (!best || n > sizes.get(best)!) best = k;
    if (!best) throw new DatasetImportError('could not read the size of any image: set the image shape to import them');
    const [h, w] = best.split('×').map(Number);
    shape = [h, w, allGray ? 1 : 3];
    autoChannels = !allGray;
  }
  const [h, w, c] = shape as [number, number, 1 | 3];
  const y = Uint8Array.from(samples, s => s.label);
  const isTest = Uint8Array.from(samples, s => (s.test ? 1 : 0));
  const plan = planSplit(y, splitFolders ? isTest : null, opts);
  checkLimits(limits, samples.length, h * w * c, classNames.length);
  const writer = new SplitWriter(plan, y, h * w * c, 'uint8');
  const converter = new ImageConverter(h, w, c);
  const decodedSizes = new Map<string, number>();
  const corrupt: string[] = [];
  let grayCount = 0;
  let done = 0;
  const ticker = new Ticker(deps.onProgress, 'decoding', samples.length);
  let next = 0;
  const work = async () => {
    for (let i = next++; i < samples.length; i = next++) {
      const { file } = samples[i];
      try {
        const bytes = samples[i].bytes ?? (await file.bytes());
        samples[i].bytes = undefined;
        if (!readImageHeader(bytes.subarray(0, HEADER_BYTES))) {
          notImages.push(file.path);
          writer.drop(i);
        } else {
          const img = await deps.decodeImage(bytes, file.path);
          const key = `${img.height}×${img.width}`;
          decodedSizes.set(key, (decodedSizes.get(key) ?? 0) + 1);
          if (converter.convert(img, writer.xOf(i) as Uint8Array, writer.offset(i))) grayCount++;
        }
      } catch {
        corrupt.push(file.path);
        writer.drop(i);
      }
      await ticker.tick(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, samples.length) }, work));
  let { train, test } = writer.compact();
  const decoded = train.n + test.n;
  let channels: number = c;
  if (autoChannels && decoded > 0 && grayCount === decoded) {
    train = { ...train, x: rgbToSingle(train.x as Uint8Array) };
    test = { ...test, x: rgbToSingle(test.x as Uint8Array) };
    channels = 1;
  }
  if (notImages.length) notes.push(`Skipped ${count(notImages.length, 'file')} that ${notImages.length === 1 ? 'is' : 'are'} not images: ${nameFew(notImages)}.`);
  if (corrupt.length) notes.push(`Skipped ${count(corrupt.length, 'image')} that could not be decoded: ${nameFew(corrupt)}.`);
  const target = `${h}×${w}`;
  const others = [...decodedSizes].filter(([k]) => k !== target).sort((a, b) => b[1] - a[1]);
  const conversion: string[] = [`${h}×${w}×${channels} uint8`];
  if (others.length) {
    const resized = others.reduce((a, [, n]) => a + n, 0);
    const sizeList = others.map(([k, n]) => `${k}: ${n}`);
    notes.push(`Resized ${count(resized, 'image')} of ${count(others.length, 'other size')} (${nameFew(sizeList, 4)}) to ${target}.`);
    conversion.push(`${RESIZE_METHOD} of ${count(others.length, 'size')} to ${target}`);
  }
  if (channels === 1 && grayCount < decoded) conversion.push('RGB → grayscale (BT.601 luma 0.299 R + 0.587 G + 0.114 B)');
  if (channels === 3 && grayCount > 0) conversion.push('grayscale → RGB (replicated)');
  conversion.push('alpha ignored');
  return finishDataset({
    train,
    test,
    split: plan.split,
    format: ctx.fromZip ? 'zip' : 'image-folder',
    inputShape: [h, w, channels],
    classNames,
    sources: ctx.sources,
    name: ctx.name,
    opts,
    notes,
    conversion: conversion.join('; '),
  });
}
