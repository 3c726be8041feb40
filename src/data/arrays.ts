import { finishDataset, planSplit, SplitWriter } from './assemble';
import { readZip } from './archives';
import { parseNpy, toFloat32, valueAt, type NpyArray } from './npy';
import { DatasetImportError, type ImportedDataset, type InputFile } from './types';
import { baseName, checkLimits, count, extension, type ImportContext } from './util';

/** The sample shape of x's trailing axes: (L) → [L, 1]; (H, W) → [H, W, 1] unless it looks like a series (L, C ≤ 4, L ≥ 8C); others as they are. */
export function sampleShape(rest: number[]): number[] {
  if (rest.length === 1) return [rest[0], 1];
  if (rest.length === 2) return rest[1] <= 4 && rest[0] >= 8 * rest[1] ? rest : [rest[0], rest[1], 1];
  return rest;
}

/** Class indices of y: (N,) or (N, 1) integers (or floats with integer values), or one-hot (N, K). */
export function readLabels(y: NpyArray, name: string, maxClasses: number): { labels: Uint8Array; classes: number } {
  const n = y.shape[0] ?? 0;
  const fail = (m: string) => new DatasetImportError(m, name);
  if (y.shape.length === 0 || y.shape.length > 2) throw fail(`has shape (${y.shape.join(', ')}): labels must be (N,) class indices or (N, K) one-hot`);
  const labels = new Uint8Array(n);
  const k = y.shape.length === 2 ? y.shape[1] : 1;
  if (k > 1) {
    if (k > maxClasses) throw fail(`one-hot labels of ${k} classes are over the limit of ${maxClasses}`);
    for (let i = 0; i < n; i++) {
      let hot = -1;
      for (let j = 0; j < k; j++) {
        const v = valueAt(y, i * k + j);
        if (v === 1 && hot < 0) hot = j;
        else if (v !== 0) throw fail(`row ${i} is not one-hot (a single 1, the rest 0)`);
      }
      if (hot < 0) throw fail(`row ${i} is not one-hot (a single 1, the rest 0)`);
      labels[i] = hot;
    }
    return { labels, classes: k };
  }
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = valueAt(y, i);
    if (!Number.isInteger(v)) throw fail(`label ${v} at index ${i} is not an integer class index`);
    if (v < 0 || v >= maxClasses) throw fail(`label ${v} at index ${i} is out of range (0–${maxClasses - 1})`);
    labels[i] = v;
    if (v > max) max = v;
  }
  return { labels, classes: max + 1 };
}

/** The index of the first NaN or ±Inf, or -1. */
function firstNonFinite(a: NpyArray): number {
  if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) return -1;
  const d = a.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

interface Part {
  x: NpyArray;
  xName: string;
  labels: Uint8Array;
}

/**
 * NumPy data: `.npz` archives or `.npy` files holding `x` and `y`, or `x_train`, `y_train` (and `x_test`, `y_test`,
 * which give the split). uint8 x stays uint8 (images); other types become float32.
 */
export async function importArrays(ctx: ImportContext): Promise<ImportedDataset> {
  const { opts, limits } = ctx;
  const arrays = new Map<string, InputFile>();
  const npz = ctx.files.filter(f => extension(f.path) === 'npz');
  for (const f of npz)
    for (const e of readZip(await f.bytes(), f.path, limits))
      if (extension(e.path) === 'npy') arrays.set(baseName(e.path).slice(0, -4).toLowerCase(), { ...e, path: `${f.path}: ${e.path}` });
  for (const f of ctx.files) if (extension(f.path) === 'npy') arrays.set(baseName(f.path).slice(0, -4).toLowerCase(), f);
  const pick = arrays.has('x_train') && arrays.has('y_train') ? ['x_train', 'y_train'] : arrays.has('x') && arrays.has('y') ? ['x', 'y'] : null;
  if (!pick)
    throw new DatasetImportError(
      `found arrays ${[...arrays.keys()].join(', ') || '(none)'}: expected x and y, or x_train and y_train (and x_test, y_test)`,
    );
  const pairs = [pick];
  if (pick[0] === 'x_train' && arrays.has('x_test') && arrays.has('y_test')) pairs.push(['x_test', 'y_test']);
  const parts: Part[] = [];
  let classes = 0;
  for (const [xk, yk] of pairs) {
    const xf = arrays.get(xk)!;
    const yf = arrays.get(yk)!;
    const x = parseNpy(await xf.bytes(), xf.path);
    const y = parseNpy(await yf.bytes(), yf.path);
    if (x.shape.length < 2) throw new DatasetImportError(`has shape (${x.shape.join(', ')}): samples must be (N, …) with at least one axis each`, xf.path);
    if (x.shape[0] !== y.shape[0])
      throw new DatasetImportError(`${xk} has ${count(x.shape[0], 'sample')} but ${yk} has ${count(y.shape[0] ?? 0, 'label')}`, xf.path);
    const { labels, classes: k } = readLabels(y, yf.path, limits.maxClasses);
    classes = Math.max(classes, k);
    parts.push({ x, xName: xf.path, labels });
  }
  const rest = parts[0].x.shape.slice(1);
  for (const p of parts.slice(1))
    if (p.x.shape.slice(1).join() !== rest.join())
      throw new DatasetImportError(`samples of shape (${p.x.shape.slice(1).join(', ')}) differ from the training samples' (${rest.join(', ')})`, p.xName);
  const size = rest.reduce((a, b) => a * b, 1);
  const n = parts.reduce((a, p) => a + p.x.shape[0], 0);
  const dtype = parts.every(p => p.x.type === 'u1') ? 'uint8' : 'float32';
  checkLimits(limits, n, size * (dtype === 'uint8' ? 1 : 4), classes);
  for (const p of parts) {
    const bad = firstNonFinite(p.x);
    if (bad >= 0)
      throw new DatasetImportError(`contains ${Number.isNaN(Number(p.x.data[bad])) ? 'NaN' : 'an infinite value'} at flat index ${bad} (sample ${Math.floor(bad / size)})`, p.xName);
  }
  const y = new Uint8Array(n);
  const isTest = new Uint8Array(n);
  let i = 0;
  parts.forEach((p, j) => {
    y.set(p.labels, i);
    isTest.fill(j, i, i + p.labels.length);
    i += p.labels.length;
  });
  const plan = planSplit(y, parts.length > 1 ? isTest : null, opts);
  const writer = new SplitWriter(plan, y, size, dtype);
  i = 0;
  for (const p of parts) {
    const src = dtype === 'uint8' ? (p.x.data as Uint8Array) : toFloat32(p.x);
    for (let s = 0; s < p.x.shape[0]; s++, i++) writer.xOf(i).set(src.subarray(s * size, (s + 1) * size), writer.offset(i));
  }
  const notes: string[] = [];
  if (dtype === 'float32' && parts.some(p => p.x.type === 'u1')) notes.push('x_train and x_test differ in type: both were kept as float32 values.');
  return finishDataset({
    ...writer.compact(),
    split: plan.split,
    format: npz.length ? 'npz' : 'npy',
    inputShape: sampleShape(rest),
    classNames: Array.from({ length: classes }, (_, k) => `class ${k}`),
    sources: ctx.sources,
    name: ctx.name,
    opts,
    notes,
  });
}
