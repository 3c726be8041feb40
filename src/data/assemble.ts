import {
  DatasetImportError,
  type DatasetFormat,
  type DatasetMeta,
  type ImportedDataset,
  type ImportOptions,
  type SampleSplit,
} from './types';

/** A well-mixed 32-bit hash of (seed, index) (Wellons' lowbias32 finaliser): the seeded split ranks samples by it. */
function rank(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ i;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Where each sample goes: `dest[i] >= 0` is its index in the training split, `dest[i] < 0` is test index `-dest[i] - 1`. */
export interface SplitPlan {
  dest: Int32Array;
  nTrain: number;
  nTest: number;
  split: DatasetMeta['split'];
}

/**
 * Splits samples labelled `y`: by the files' own split when `isTest` marks some samples and not all, otherwise a
 * draw seeded by `opts.seed` that holds out `round(count × testFraction)` samples of each class (stratified): those
 * ranked first by a hash of (seed, index), so the draw does not depend on the order classes are met.
 * Samples keep their order within each split.
 */
export function planSplit(y: ArrayLike<number>, isTest: Uint8Array | null, opts: ImportOptions): SplitPlan {
  const n = y.length;
  let test = isTest;
  let split: DatasetMeta['split'] = { from: 'files' };
  const marked = test ? test.reduce((a, v) => a + (v ? 1 : 0), 0) : 0;
  if (!test || marked === 0 || marked === n) {
    split = { from: 'seeded', testFraction: opts.testFraction, seed: opts.seed };
    test = new Uint8Array(n);
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byClass.get(y[i]);
      if (list) list.push(i);
      else byClass.set(y[i], [i]);
    }
    const fraction = Math.min(1, Math.max(0, opts.testFraction));
    for (const list of byClass.values()) {
      const take = Math.round(list.length * fraction);
      const ranked = list.map(i => [rank(opts.seed, i), i]).sort((a, b) => a[0] - b[0]);
      for (let j = 0; j < take; j++) test[ranked[j][1]] = 1;
    }
  }
  const dest = new Int32Array(n);
  let nTrain = 0;
  let nTest = 0;
  for (let i = 0; i < n; i++) dest[i] = test[i] ? -++nTest : nTrain++;
  return { dest, nTrain, nTest, split };
}

/** The two splits, allocated once at their final size; samples are written in place and may be dropped (corrupt files). */
export class SplitWriter {
  readonly train: SampleSplit;
  readonly test: SampleSplit;
  private dropped: Uint8Array | null = null;
  constructor(
    readonly plan: SplitPlan,
    y: ArrayLike<number>,
    readonly sampleSize: number,
    readonly dtype: 'uint8' | 'float32',
  ) {
    const make = (n: number) => (dtype === 'uint8' ? new Uint8Array(n * sampleSize) : new Float32Array(n * sampleSize));
    this.train = { x: make(plan.nTrain), y: new Uint8Array(plan.nTrain), n: plan.nTrain };
    this.test = { x: make(plan.nTest), y: new Uint8Array(plan.nTest), n: plan.nTest };
    for (let i = 0; i < y.length; i++) {
      const d = plan.dest[i];
      if (d >= 0) this.train.y[d] = y[i];
      else this.test.y[-d - 1] = y[i];
    }
  }
  /** The array sample `i` goes to; its offset is `offset(i)`. */
  xOf(i: number): Uint8Array | Float32Array {
    return this.plan.dest[i] >= 0 ? this.train.x : this.test.x;
  }
  offset(i: number): number {
    const d = this.plan.dest[i];
    return (d >= 0 ? d : -d - 1) * this.sampleSize;
  }
  drop(i: number): void {
    (this.dropped ??= new Uint8Array(this.plan.dest.length))[i] = 1;
  }
  /** The splits without the dropped samples. */
  compact(): { train: SampleSplit; test: SampleSplit } {
    if (!this.dropped) return { train: this.train, test: this.test };
    const keepTrain = new Uint8Array(this.train.n).fill(1);
    const keepTest = new Uint8Array(this.test.n).fill(1);
    this.dropped.forEach((v, i) => {
      if (!v) return;
      const d = this.plan.dest[i];
      if (d >= 0) keepTrain[d] = 0;
      else keepTest[-d - 1] = 0;
    });
    return { train: compactSplit(this.train, keepTrain, this.sampleSize), test: compactSplit(this.test, keepTest, this.sampleSize) };
  }
}

function compactSplit(s: SampleSplit, keep: Uint8Array, size: number): SampleSplit {
  let n = 0;
  for (let i = 0; i < s.n; i++) {
    if (!keep[i]) continue;
    if (n !== i) {
      s.x.copyWithin(n * size, i * size, (i + 1) * size);
      s.y[n] = s.y[i];
    }
    n++;
  }
  return { x: s.x.slice(0, n * size), y: s.y.slice(0, n), n };
}

export function kindOf(shape: number[]): DatasetMeta['kind'] {
  if (shape.length === 3 && [1, 3, 4].includes(shape[2])) return 'image';
  if (shape.length === 2) return 'series';
  return 'array';
}

/** Per-channel mean and standard deviation over channels-last samples (`channels` = the last axis), uint8 scaled to [0, 1]. */
export function channelStats(x: Uint8Array | Float32Array, channels: number): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  const values = x.length / channels;
  if (x instanceof Uint8Array) {
    const hist = new Float64Array(256 * channels);
    for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) hist[c * 256 + x[i + c]]++;
    for (let c = 0; c < channels; c++) {
      let s = 0;
      let ss = 0;
      for (let v = 0; v < 256; v++) {
        const k = hist[c * 256 + v];
        s += k * v;
        ss += k * v * v;
      }
      const m = values ? s / values : 0;
      mean.push(m / 255);
      std.push(values ? Math.sqrt(Math.max(0, ss / values - m * m)) / 255 : 0);
    }
    return { mean, std };
  }
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = c; i < x.length; i += channels) s += x[i];
    const m = values ? s / values : 0;
    let ss = 0;
    for (let i = c; i < x.length; i += channels) ss += (x[i] - m) * (x[i] - m);
    mean.push(m);
    std.push(values ? Math.sqrt(ss / values) : 0);
  }
  return { mean, std };
}

export function perClass(y: Uint8Array, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) out[y[i]]++;
  return out;
}

/** Refuses a set of fewer than two classes. */
export function checkClasses(classNames: string[], counts?: number[]): void {
  const present = counts ? classNames.filter((_, k) => counts[k] > 0) : classNames;
  if (present.length === 0) throw new DatasetImportError('no samples were found');
  if (present.length === 1)
    throw new DatasetImportError(`only one class, '${present[0]}', was found: a classifier needs at least two`);
}

export function newDatasetId(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return `user-${Array.from(b, v => v.toString(16).padStart(2, '0')).join('')}`;
}

export interface Finish {
  train: SampleSplit;
  test: SampleSplit;
  split: DatasetMeta['split'];
  format: DatasetFormat;
  inputShape: number[];
  classNames: string[];
  sources: string[];
  name: string;
  opts: ImportOptions;
  notes: string[];
  conversion?: string;
}

/** Counts, statistics and the meta of a finished import; refuses a set left with fewer than two classes. */
export function finishDataset(f: Finish): ImportedDataset {
  const k = f.classNames.length;
  const trainCounts = perClass(f.train.y, k);
  const testCounts = perClass(f.test.y, k);
  checkClasses(
    f.classNames,
    trainCounts.map((c, i) => c + testCounts[i]),
  );
  const kind = kindOf(f.inputShape);
  const channels = kind === 'array' ? 1 : f.inputShape[f.inputShape.length - 1];
  const dtype = f.train.x instanceof Uint8Array ? 'uint8' : 'float32';
  const meta: DatasetMeta = {
    version: 1,
    id: newDatasetId(),
    name: f.name,
    format: f.format,
    sources: f.sources,
    kind,
    inputShape: f.inputShape,
    dtype,
    classNames: f.classNames,
    train: { n: f.train.n, perClass: trainCounts },
    test: { n: f.test.n, perClass: testCounts },
    split: f.split,
    stats: channelStats(f.train.x, channels),
    standardize: f.opts.standardize,
    ...(f.conversion ? { conversion: f.conversion } : {}),
    notes: f.notes,
    bytes: f.train.x.byteLength + f.test.x.byteLength + f.train.y.byteLength + f.test.y.byteLength,
    createdAt: Date.now(),
  };
  return { meta, train: f.train, test: f.test };
}
