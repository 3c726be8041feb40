import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateTimeseries, generateXO, loadDataset } from './index';
import { fsReader } from './node';

const root = join(__dirname, '../../..');
const readFile = fsReader(root);

function counts(y: Uint8Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const v of y) c[v]++;
  return c;
}

describe('prepared datasets', () => {
  it('MNIST: official split, LeCun order (first labels 5 and 7), pixels in [0, 1]', async () => {
    const ds = await loadDataset('mnist', { readFile, trainLimit: 1000, testLimit: 500 });
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.train.n).toBe(1000);
    expect(ds.train.x.length).toBe(1000 * 784);
    expect(ds.train.y[0]).toBe(5);
    expect(ds.test.y[0]).toBe(7);
    let max = 0;
    let min = 1;
    for (const v of ds.train.x) { max = Math.max(max, v); min = Math.min(min, v); }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(counts(ds.train.y, 10).every((c) => c > 50)).toBe(true);
  });

  it('MNIST full sizes are 60,000 / 10,000', async () => {
    const ds = await loadDataset('mnist', { readFile, trainLimit: 0, testLimit: 0 });
    expect(ds.train.n).toBe(0);
    const meta = JSON.parse(new TextDecoder().decode(await readFile('mnist', 'meta.json')));
    expect([meta.train.n, meta.test.n]).toEqual([60000, 10000]);
  });

  it('Fashion-MNIST: 6,000 / 1,000 per class, shuffled, no test image in the training set', async () => {
    const ds = await loadDataset('fashion-mnist', { readFile });
    expect([ds.train.n, ds.test.n]).toEqual([60000, 10000]);
    expect(counts(ds.train.y, 10)).toEqual(new Array(10).fill(6000));
    expect(counts(ds.test.y, 10)).toEqual(new Array(10).fill(1000));
    // Shuffled: the first 100 training labels are not all one class.
    expect(new Set(ds.train.y.slice(0, 100)).size).toBeGreaterThan(5);
    const key = (x: Float32Array | Uint8Array, i: number) => Buffer.from(x.slice(i * 784, i * 784 + 784).buffer).toString('base64');
    const train = new Set<string>();
    for (let i = 0; i < ds.train.n; i += 1) train.add(key(ds.train.x, i));
    let shared = 0;
    for (let i = 0; i < 2000; i++) if (train.has(key(ds.test.x, i))) shared++;
    expect(shared).toBeLessThan(5); // a few exact duplicates exist in the source data itself
  });

  it('names the missing file and how to make it', async () => {
    await expect(loadDataset('mnist', { readFile: fsReader('/nonexistent') })).rejects.toThrow(/prepare\.mjs/);
    await expect(loadDataset('cifar')).rejects.toThrow(/unknown dataset "cifar"/);
  });
});

describe('generated datasets', () => {
  it('X/O: deterministic in the seed, balanced, in [0, 1], X has ink at the centre and O does not', () => {
    const a = generateXO(200, 7);
    expect(generateXO(200, 7).x).toEqual(a.x);
    expect(generateXO(200, 8).x).not.toEqual(a.x);
    expect(counts(a.y, 2)).toEqual([100, 100]);
    expect(a.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    const centre = (label: number) => {
      let s = 0;
      for (let i = 0; i < a.n; i++) if (a.y[i] === label) s += a.x[i * 81 + 40];
      return s / 100;
    };
    expect(centre(0)).toBeGreaterThan(centre(1) + 0.3);
  });

  it('X/O variants differ from each other (shift, rotation, noise)', () => {
    const a = generateXO(20, 3);
    const xs = [0, 2, 4].map((i) => a.x.slice(i * 81, i * 81 + 81));
    expect(xs[0]).not.toEqual(xs[1]);
    expect(xs[1]).not.toEqual(xs[2]);
  });

  it('waveforms: deterministic, balanced; square waves sit near ±amplitude, noise has no period', async () => {
    const s = generateTimeseries(400, 5);
    expect(generateTimeseries(400, 5).x).toEqual(s.x);
    expect(counts(s.y, 4)).toEqual([100, 100, 100, 100]);
    const ds = await loadDataset('timeseries', { seed: 2, trainLimit: 40 });
    expect(ds.inputShape).toEqual([128, 1]);
    expect(ds.train.x.length).toBe(40 * 128);
    // Lag-1 autocorrelation: high for periodic classes, near zero for noise.
    const ac = (i: number) => {
      const v = s.x.slice(i * 128, i * 128 + 128);
      const m = v.reduce((a, b) => a + b, 0) / 128;
      let num = 0;
      let den = 0;
      for (let t = 0; t < 128; t++) { den += (v[t] - m) ** 2; if (t) num += (v[t] - m) * (v[t - 1] - m); }
      return num / den;
    };
    const mean = (label: number) => [...Array(100).keys()].map((k) => ac(k * 4 + label)).reduce((a, b) => a + b, 0) / 100;
    expect(mean(0)).toBeGreaterThan(0.5);
    expect(mean(1)).toBeGreaterThan(0.5);
    expect(Math.abs(mean(3))).toBeLessThan(0.2);
  });
});
