import { describe, expect, it } from 'vitest';
import { CALORIMETER_CLASSES, JET_CLASSES, generateCalorimeter, generateJetImages } from './physics';
import { datasetList, loadDataset } from './index';
import type { DatasetSplit } from './types';

/** Bytewise equality (vitest's deep equality walks a million floats slowly). */
const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function counts(y: Uint8Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const v of y) c[v]++;
  return c;
}

/**
 * Per-class recall of a nearest-centroid classifier on a few hand-made features (standardised), fitted on one split
 * and scored on another: a crude separability measure that needs no training library.
 */
function nearestCentroidRecall(fit: DatasetSplit<Float32Array>, score: DatasetSplit<Float32Array>, k: number, features: (x: Float32Array, i: number) => number[]): number[] {
  const F = (s: DatasetSplit<Float32Array>) => Array.from({ length: s.n }, (_, i) => features(s.x, i));
  const a = F(fit);
  const d = a[0].length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const f of a) f.forEach((v, j) => (mean[j] += v / a.length));
  for (const f of a) f.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / a.length));
  const z = (f: number[]) => f.map((v, j) => (v - mean[j]) / Math.sqrt(sd[j] + 1e-12));
  const centroids = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const n = counts(fit.y, k);
  a.forEach((f, i) => z(f).forEach((v, j) => (centroids[fit.y[i]][j] += v / n[fit.y[i]])));
  const hit = new Array<number>(k).fill(0);
  F(score).forEach((f, i) => {
    const zf = z(f);
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((c, m) => {
      const dist = c.reduce((s, v, j) => s + (v - zf[j]) ** 2, 0);
      if (dist < bestD) [best, bestD] = [m, dist];
    });
    if (best === score.y[i]) hit[best]++;
  });
  const total = counts(score.y, k);
  return hit.map((h, m) => h / total[m]);
}

/** Calorimeter features: energy share of layer 0 and of layer 2, and the cells of layer 1 above 0.3 (spread). */
function caloFeatures(x: Float32Array, i: number): number[] {
  const e = [0, 0, 0];
  let wide = 0;
  for (let p = 0; p < 1024; p++) {
    for (let l = 0; l < 3; l++) e[l] += x[(i * 1024 + p) * 3 + l];
    if (x[(i * 1024 + p) * 3 + 1] > 0.3) wide++;
  }
  const sum = e[0] + e[1] + e[2];
  return [e[0] / sum, e[2] / sum, wide];
}

/**
 * Jet features: pixels above 0.1 (prongs, hard emissions), pT-weighted distance from the hottest pixel, total pT, and
 * the hottest pixel more than 1 px away from it (a second core: its value and distance).
 */
function jetFeatures(x: Float32Array, i: number): number[] {
  const img = x.subarray(i * 1600, (i + 1) * 1600);
  const dist = (p: number, q: number) => Math.hypot(Math.floor(p / 40) - Math.floor(q / 40), (p % 40) - (q % 40));
  let hot = 0;
  for (let p = 1; p < 1600; p++) if (img[p] > img[hot]) hot = p;
  let n = 0;
  let sum = 0;
  let spread = 0;
  let second = -1;
  for (let p = 0; p < 1600; p++) {
    if (img[p] > 0.1) n++;
    sum += img[p];
    spread += img[p] * dist(p, hot);
    if (dist(p, hot) > 1.5 && (second < 0 || img[p] > img[second])) second = p;
  }
  return [n, spread / sum, sum, img[second], dist(second, hot)];
}

describe('toy physics datasets (synthetic, not simulation)', () => {
  it('are in the menu with their shapes and an honest description', () => {
    for (const [id, shape, k] of [['calorimeter', [32, 32, 3], 4], ['jet-images', [40, 40, 1], 5]] as const) {
      const info = datasetList.find((d) => d.id === id)!;
      expect(info.inputShape).toEqual(shape);
      expect(info.numClasses).toBe(k);
      expect(info.description).toMatch(/SYNTHETIC TOY PHYSICS, not simulation/);
    }
  });

  it('calorimeter: shape, balance, range, same seed → same data, limits generate a prefix', async () => {
    const a = generateCalorimeter(200, 5);
    expect(a.x.length).toBe(200 * 32 * 32 * 3);
    expect(same(generateCalorimeter(200, 5).x, a.x)).toBe(true);
    expect(same(generateCalorimeter(200, 6).x, a.x)).toBe(false);
    expect(same(generateCalorimeter(40, 5).x, a.x.subarray(0, 40 * 3072))).toBe(true);
    expect(counts(a.y, 4)).toEqual([50, 50, 50, 50]);
    let [min, max] = [Infinity, -Infinity];
    for (const v of a.x) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect([min, max]).toEqual([0, 1]);
    const ds = await loadDataset('calorimeter', { seed: 3, trainLimit: 8, testLimit: 4 });
    expect([ds.train.n, ds.test.n, ds.numClasses]).toEqual([8, 4, 4]);
    expect(ds.classNames).toEqual(CALORIMETER_CLASSES);
    expect(same(ds.train.x, generateCalorimeter(8, 6).x)).toBe(true);
  });

  it('jet images: shape, balance, range, same seed → same data', async () => {
    const a = generateJetImages(250, 5);
    expect(a.x.length).toBe(250 * 1600);
    expect(same(generateJetImages(250, 5).x, a.x)).toBe(true);
    expect(same(generateJetImages(250, 6).x, a.x)).toBe(false);
    expect(counts(a.y, 5)).toEqual([50, 50, 50, 50, 50]);
    let [min, max] = [Infinity, -Infinity];
    for (const v of a.x) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect([min, max]).toEqual([0, 1]);
    const ds = await loadDataset('jet-images', { trainLimit: 10, testLimit: 5 });
    expect([ds.train.n, ds.test.n, ds.inputShape]).toEqual([10, 5, [40, 40, 1]]);
    expect(ds.classNames).toEqual(JET_CLASSES);
  });

  it('calorimeter classes are separable but overlap: nearest-centroid recall per class above chance, not perfect', () => {
    const recall = nearestCentroidRecall(generateCalorimeter(800, 11), generateCalorimeter(800, 12), 4, caloFeatures);
    for (const r of recall) expect(r).toBeGreaterThan(0.4); // chance: 0.25
    expect(recall.reduce((s, r) => s + r, 0) / 4).toBeLessThan(0.97);
  });

  it('jet classes are separable but overlap: nearest-centroid recall per class above chance, not perfect', () => {
    const recall = nearestCentroidRecall(generateJetImages(1000, 11), generateJetImages(1000, 12), 5, jetFeatures);
    for (const r of recall) expect(r).toBeGreaterThan(0.3); // chance: 0.2
    expect(recall.reduce((s, r) => s + r, 0) / 5).toBeLessThan(0.95);
  });
});
