import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type * as tfjs from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { sequentialGraph } from '../graph/build';
import { modelInput } from './datasets/input';
import type { Dataset } from './datasets/types';
import { defaultTrainSettings, type TrainSettings } from './protocol';
import { mulberry32 } from './random';
import { batchFiller, trainModel, type TrainControl } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const control: TrainControl = { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} };

/** `n` random h×w×1 float images of two classes, each distinct and not mirror-symmetric. */
function floatImages(n: number, nTest: number, h = 4, w = 4): Dataset {
  const rnd = mulberry32(11);
  const split = (m: number) => ({ x: Float32Array.from({ length: m * h * w }, () => rnd()), y: Uint8Array.from({ length: m }, (_, i) => i % 2), n: m });
  return { id: 'user-float', inputShape: [h, w, 1], numClasses: 2, classNames: ['a', 'b'], train: split(n), test: split(nTest) };
}

describe('batchFiller', () => {
  it('copies float samples as they are, in index order, with one-hot labels', () => {
    const ds = floatImages(6, 0);
    const fill = batchFiller(ds, 'train', 'categoricalCrossentropy');
    const x = new Float32Array(3 * 16);
    const y = new Float32Array(3 * 2);
    const { xs, ys, b } = fill(Uint32Array.of(0, 4, 5, 2), 1, 4, x, y);
    expect(b).toBe(3);
    expect(xs).toEqual(Float32Array.from([...ds.train.x.subarray(64, 96), ...ds.train.x.subarray(32, 48)]));
    expect([...ys]).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('scales uint8 by 1/255 and standardises each channel: (v/255 − mean[c]) / std[c]', () => {
    const x = Uint8Array.from([0, 255, 51, 102, 204, 153, 255, 0]); // two 2×1×2 samples
    const ds: Dataset = { id: 'user-u8', inputShape: [2, 1, 2], numClasses: 3, classNames: ['a', 'b', 'c'], train: { x, y: Uint8Array.of(2, 0), n: 2 }, test: { x: new Uint8Array(0), y: new Uint8Array(0), n: 0 } };
    const fill = batchFiller(ds, 'train', 'categoricalCrossentropy');
    const plain = fill(null, 0, 2, new Float32Array(8), new Float32Array(6));
    [...plain.xs].forEach((v, i) => expect(v).toBeCloseTo(x[i] / 255, 6));
    expect([...plain.ys]).toEqual([0, 0, 1, 1, 0, 0]);
    const std = { ...ds, standardize: { mean: [0.5, 0.25], std: [0.5, 2] } };
    const { xs } = batchFiller(std, 'train', 'binaryCrossentropy')(null, 0, 2, new Float32Array(8), new Float32Array(2));
    [...xs].forEach((v, i) => expect(v).toBeCloseTo((x[i] / 255 - std.standardize.mean[i % 2]) / std.standardize.std[i % 2], 5));
    // What Inspect feeds the model is what training batches hold.
    expect(modelInput(std, 'train', 1, 2)).toEqual(xs.subarray(4, 8));
  });

  it('augments before scaling: a flipped uint8 sample is the mirror of the scaled one, padding is black', () => {
    const x = Uint8Array.from([10, 20, 30, 40]); // one 1×4×1 sample
    const ds: Dataset = { id: 'user-u8', inputShape: [1, 4, 1], numClasses: 2, classNames: ['a', 'b'], train: { x, y: Uint8Array.of(1), n: 1 }, test: { x, y: Uint8Array.of(1), n: 1 }, standardize: { mean: [0.1], std: [0.5] } };
    const flip = batchFiller(ds, 'train', 'categoricalCrossentropy', { aug: { flip: true, shift: 0, rotate: 0 }, rnd: () => 0 });
    const { xs } = flip(null, 0, 1, new Float32Array(4), new Float32Array(2));
    [40, 30, 20, 10].forEach((v, i) => expect(xs[i]).toBeCloseTo((v / 255 - 0.1) / 0.5, 5));
    const draws = [0.999, 0.5]; // dx = +1, dy = 0
    let d = 0;
    const shift = batchFiller(ds, 'train', 'categoricalCrossentropy', { aug: { flip: false, shift: 1, rotate: 0 }, rnd: () => draws[d++ % 2] });
    const s = shift(null, 0, 1, new Float32Array(4), new Float32Array(2)).xs;
    [0, 10, 20, 30].forEach((v, i) => expect(s[i]).toBeCloseTo((v / 255 - 0.1) / 0.5, 5));
  });
});

describe('trainModel with augmentation', () => {
  const graph = sequentialGraph([{ kind: 'Input', params: { shape: [4, 4, 1] } }, { kind: 'Flatten' }, { kind: 'Dense', params: { units: 2, activation: 'softmax' } }]);
  const settings = (patch: Partial<TrainSettings>): TrainSettings => ({ ...defaultTrainSettings, batchSize: 8, epochs: 2, validationSplit: 0.25, ...patch });
  const key = (a: ArrayLike<number>) => Array.from(a, (v) => v.toFixed(5)).join(',');
  const mirror = (a: Float32Array | Uint8Array) => Float32Array.from(a, (_, i) => a[Math.floor(i / 4) * 4 + 3 - (i % 4)]);

  /** Trains and records every row the model saw, split into training rows (apply) and evaluation rows (predictOnBatch). */
  async function seen(ds: Dataset, s: TrainSettings) {
    const model = compileGraph(tf, graph);
    const rows = { train: [] as string[], evaluated: [] as string[] };
    const record = (into: string[], x: tfjs.Tensor) => {
      const v = x.dataSync() as Float32Array;
      for (let i = 0; i < x.shape[0]!; i++) into.push(key(v.subarray(i * 16, i * 16 + 16)));
    };
    const apply = model.apply.bind(model);
    model.apply = ((x: tfjs.Tensor, kw?: tfjs.serialization.ConfigDict) => (record(rows.train, x), apply(x, kw))) as typeof model.apply;
    const predict = model.predictOnBatch.bind(model);
    model.predictOnBatch = ((x: tfjs.Tensor) => (record(rows.evaluated, x), predict(x))) as typeof model.predictOnBatch;
    try {
      await trainModel({ tf, model, ds, settings: s, control });
    } finally {
      model.dispose();
    }
    return rows;
  }

  it('flips training rows only: validation and test rows are the samples as stored; the same seed sees the same rows', async () => {
    const ds = floatImages(32, 8);
    const sample = (split: 'train' | 'test', i: number) => ds[split].x.subarray(i * 16, i * 16 + 16);
    const originals = new Set(Array.from({ length: 32 }, (_, i) => key(sample('train', i))));
    const mirrored = new Set(Array.from({ length: 32 }, (_, i) => key(mirror(sample('train', i)))));
    const testRows = new Set(Array.from({ length: 8 }, (_, i) => key(sample('test', i))));
    const s = settings({ augment: { flip: true, shift: 0, rotate: 0 } });
    const rows = await seen(ds, s);
    expect(rows.train).toHaveLength(24 * 2);
    expect(rows.train.every((r) => originals.has(r) || mirrored.has(r))).toBe(true);
    const flipped = rows.train.filter((r) => mirrored.has(r)).length;
    expect(flipped).toBeGreaterThan(10);
    expect(flipped).toBeLessThan(38);
    expect(rows.evaluated).toHaveLength(8 * 2 + 8);
    expect(rows.evaluated.every((r) => originals.has(r) || testRows.has(r))).toBe(true);
    expect(rows.evaluated.slice(-8).every((r) => testRows.has(r))).toBe(true);
    expect((await seen(ds, s)).train).toEqual(rows.train);
    const plain = await seen(ds, settings({}));
    expect(plain.train.every((r) => originals.has(r))).toBe(true);
  });

  it('refuses augmentation of non-image samples with a clear message', async () => {
    const ds: Dataset = { ...floatImages(8, 0), id: 'timeseries', inputShape: [16, 1] };
    const model = compileGraph(tf, sequentialGraph([{ kind: 'Input', params: { shape: [16, 1] } }, { kind: 'Flatten' }, { kind: 'Dense', params: { units: 2, activation: 'softmax' } }]));
    await expect(trainModel({ tf, model, ds, settings: settings({ augment: { flip: false, shift: 2, rotate: 0 } }), control })).rejects.toThrow('but "timeseries" samples are 16×1');
    model.dispose();
  });
});
