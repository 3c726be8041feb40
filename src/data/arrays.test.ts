import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { decodePng, files, npy, opts } from './testing/fixtures';

const deps = { decodeImage: decodePng };
const range = (n: number, f: (i: number) => number = i => i) => Array.from({ length: n }, (_, i) => f(i));

describe('NumPy arrays', () => {
  it('keeps uint8 (N, H, W) images as uint8 [H, W, 1]', async () => {
    const x = npy('u1', [10, 3, 3], range(90, i => i % 256));
    const y = npy('i8', [10], range(10, i => i % 2));
    const ds = await importDataset(files({ 'x.npy': x, 'y.npy': y }), opts({ testFraction: 0.2 }), deps);
    expect(ds.meta.format).toBe('npy');
    expect(ds.meta.inputShape).toEqual([3, 3, 1]);
    expect(ds.meta.kind).toBe('image');
    expect(ds.meta.dtype).toBe('uint8');
    expect(ds.meta.classNames).toEqual(['class 0', 'class 1']);
    expect([ds.train.n, ds.test.n]).toEqual([8, 2]);
    expect(ds.train.x).toBeInstanceOf(Uint8Array);
  });

  it('reads an .npz with x/y, float64 series as float32 [L, 1]', async () => {
    const npz = zipSync({ 'x.npy': npy('f8', [6, 5], range(30, i => i / 10)), 'y.npy': npy('f4', [6], [0, 1, 2, 0, 1, 2]) });
    const ds = await importDataset(files({ 'waves.npz': npz }), opts({ testFraction: 0 }), deps);
    expect(ds.meta.format).toBe('npz');
    expect(ds.meta.inputShape).toEqual([5, 1]);
    expect(ds.meta.kind).toBe('series');
    expect(ds.train.x).toBeInstanceOf(Float32Array);
    expect(ds.train.x[7]).toBeCloseTo(0.7);
    expect(ds.meta.stats.mean[0]).toBeCloseTo(1.45);
  });

  it('reads x_train/y_train/x_test/y_test as the split, one-hot y, (N, L, C) series and (N, H, W, C) images', async () => {
    const oneHot = (labels: number[]) => labels.flatMap(l => [0, 1, 2].map(k => (k === l ? 1 : 0)));
    const npz = zipSync({
      'x_train.npy': npy('f4', [4, 2, 2, 3], range(48)),
      'y_train.npy': npy('f4', [4, 3], oneHot([0, 1, 2, 1])),
      'x_test.npy': npy('f4', [2, 2, 2, 3], range(24)),
      'y_test.npy': npy('u1', [2, 3], oneHot([2, 0])),
    });
    const ds = await importDataset(files({ 'd.npz': npz }), opts(), deps);
    expect(ds.meta.split).toEqual({ from: 'files' });
    expect(ds.meta.inputShape).toEqual([2, 2, 3]);
    expect(Array.from(ds.train.y)).toEqual([0, 1, 2, 1]);
    expect(Array.from(ds.test.y)).toEqual([2, 0]);
    expect(ds.meta.stats.mean).toHaveLength(3);
    const series = await importDataset(files({ 'x.npy': npy('i4', [4, 16, 2], range(128)), 'y.npy': npy('i4', [4], [0, 1, 0, 1]) }), opts(), deps);
    expect(series.meta.inputShape).toEqual([16, 2]);
    expect(series.meta.kind).toBe('series');
  });

  it('refuses NaN in x naming the array and index', async () => {
    const v = range(12);
    v[7] = NaN;
    await expect(importDataset(files({ 'x.npy': npy('f4', [3, 4], v), 'y.npy': npy('u1', [3], [0, 1, 0]) }), opts(), deps)).rejects.toThrow(
      /x\.npy: contains NaN at flat index 7 \(sample 1\)/,
    );
  });

  it('refuses x and y of different lengths, with both', async () => {
    await expect(importDataset(files({ 'x.npy': npy('f4', [3, 4], range(12)), 'y.npy': npy('u1', [2], [0, 1]) }), opts(), deps)).rejects.toThrow(
      /x has 3 samples but y has 2 labels/,
    );
  });

  it('refuses labels out of range, negative or fractional, and bad one-hot rows', async () => {
    const x = npy('f4', [3, 2], range(6));
    const run = (y: Uint8Array) => importDataset(files({ 'x.npy': x, 'y.npy': y }), opts(), deps);
    await expect(run(npy('i8', [3], [0, 1, 300]))).rejects.toThrow(/y\.npy: label 300 at index 2 is out of range \(0–255\)/);
    await expect(run(npy('i4', [3], [0, -1, 1]))).rejects.toThrow(/label -1 at index 1 is out of range/);
    await expect(run(npy('f4', [3], [0, 1.5, 1]))).rejects.toThrow(/label 1.5 at index 1 is not an integer/);
    await expect(run(npy('f4', [3, 2], [1, 0, 1, 1, 0, 1]))).rejects.toThrow(/row 1 is not one-hot/);
    await expect(run(npy('u1', [3], [1, 1, 1]))).rejects.toThrow(/only one class, 'class 1', was found/);
  });

  it('says which arrays it found when x and y are missing', async () => {
    await expect(importDataset(files({ 'd.npz': zipSync({ 'images.npy': npy('u1', [1], [0]) }) }), opts(), deps)).rejects.toThrow(
      /found arrays images: expected x and y/,
    );
  });
});
