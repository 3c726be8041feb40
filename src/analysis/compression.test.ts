import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import type { WeightSnapshot } from '../compile/weights';
import { analyseCompression, analyseKernel, duplicatePairs, filterRows, sparsity } from './compression';
import { mulberry32 } from '../train/random';
import { effectiveRank, singularValues, symmetricEigenvalues } from './linalg';

/** Seeded values in [−0.5, 0.5). */
function rng(seed: number) {
  const u = mulberry32(seed);
  return () => u() - 0.5;
}

/** A random orthogonal n×n matrix (Gram–Schmidt on random columns), row-major. */
function orthogonal(n: number, r: () => number): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    let v = Array.from({ length: n }, r);
    for (const u of q) {
      const d = v.reduce((s, x, i) => s + x * u[i], 0);
      v = v.map((x, i) => x - d * u[i]);
    }
    const len = Math.hypot(...v);
    if (len > 1e-6) q.push(v.map((x) => x / len));
  }
  return q;
}

describe('symmetricEigenvalues', () => {
  it('finds known spectra', () => {
    expect(symmetricEigenvalues([2, 1, 1, 2], 2).map((x) => +x.toFixed(12))).toEqual([3, 1]);
    expect(symmetricEigenvalues([5, 0, 0, 0, -1, 0, 0, 0, 2], 3)).toEqual([5, 2, -1]);
    // Q·diag(d)·Qᵀ has eigenvalues d for any orthogonal Q.
    const r = rng(7);
    const d = [9, 4, 4, 1.5, 0.25, 0, -3];
    const q = orthogonal(d.length, r);
    const a: number[] = [];
    for (let i = 0; i < d.length; i++) for (let j = 0; j < d.length; j++) a.push(d.reduce((s, dk, k) => s + q[k][i] * dk * q[k][j], 0));
    const ev = symmetricEigenvalues(a, d.length);
    ev.forEach((x, i) => expect(x).toBeCloseTo(d[i], 9));
  });

  it('refuses a non-symmetric or mis-sized matrix', () => {
    expect(() => symmetricEigenvalues([1, 2, 3, 4], 2)).toThrow(/not symmetric at \(0, 1\)/);
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(/2×2 = 4 entries, got 3/);
  });
});

describe('singularValues', () => {
  it('of [[3, 0], [4, 5]] are √45 and √5, either orientation', () => {
    const sv = singularValues([3, 0, 4, 5], 2, 2);
    expect(sv[0]).toBeCloseTo(Math.sqrt(45), 10);
    expect(sv[1]).toBeCloseTo(Math.sqrt(5), 10);
    const tall = singularValues([1, 0, 0, 2, 0, 0], 3, 2); // [[1,0],[0,2],[0,0]]
    expect(tall[0]).toBeCloseTo(2, 12);
    expect(tall[1]).toBeCloseTo(1, 12);
  });

  it('of an outer product u·vᵀ: one value |u|·|v|, the rest zero', () => {
    const u = [1, -2, 3];
    const v = [0.5, 1, 0, -1, 2];
    const sv = singularValues(u.flatMap((x) => v.map((y) => x * y)), 3, 5);
    expect(sv[0]).toBeCloseTo(Math.hypot(...u) * Math.hypot(...v), 10);
    expect(sv[1]).toBeLessThan(1e-6);
    expect(effectiveRank(sv)).toBe(1);
  });

  it('effectiveRank counts to 99% of Σσ²', () => {
    expect(effectiveRank([10, 1.5, 0.1])).toBe(2); // 100/102.26 = 0.978 < 0.99; 102.25/102.26 ≥ 0.99
    expect(effectiveRank([10, 0.5, 0.5])).toBe(1); // 100/100.5 = 0.995
    expect(effectiveRank([1, 1, 1, 1])).toBe(4);
    expect(effectiveRank([0, 0])).toBe(0);
  });
});

/** A [3, 3, cin, cout] kernel whose filter f is `rows[f]` laid out as tfjs stores it (cout last). */
function kernelFrom(rows: number[][], cin: number): { data: Float32Array; shape: number[] } {
  const cout = rows.length;
  const size = 9 * cin;
  const data = new Float32Array(size * cout);
  for (let f = 0; f < cout; f++) for (let i = 0; i < size; i++) data[i * cout + f] = rows[f][i];
  return { data, shape: [3, 3, cin, cout] };
}

describe('kernel analysis', () => {
  const r = rng(42);
  const cin = 4;
  const size = 9 * cin;

  it('filterRows undoes the tfjs layout', () => {
    const rows = [Array.from({ length: size }, r), Array.from({ length: size }, r)];
    const k = kernelFrom(rows, cin);
    const back = filterRows(k.data, k.shape);
    expect(back.filters).toBe(2);
    expect(back.size).toBe(size);
    expect(Array.from(back.rows.slice(size)).map((x) => +x.toFixed(5))).toEqual(rows[1].map((x) => +Math.fround(x).toFixed(5)));
  });

  it('8 filters mixed from 2 patterns have effective rank 2', () => {
    const base = [Array.from({ length: size }, r), Array.from({ length: size }, r)];
    const rows = Array.from({ length: 8 }, () => {
      const [a, b] = [r() * 4, r() * 4];
      return base[0].map((x, i) => a * x + b * base[1][i]);
    });
    const w = analyseKernel(kernelFrom(rows, cin).data, [3, 3, cin, 8]);
    expect(w.effectiveRank).toBe(2);
    expect(w.singularValues.length).toBe(8);
    expect(w.singularValues[2] / w.singularValues[0]).toBeLessThan(1e-3);
  });

  it('random filters are full rank, and a scaled negative copy is a duplicate with cosine −1', () => {
    const rows = Array.from({ length: 6 }, () => Array.from({ length: size }, r));
    rows[5] = rows[1].map((x) => -2 * x);
    rows[3] = rows[0].map((x) => x + 0.05 * r());
    const w = analyseKernel(kernelFrom(rows, cin).data, [3, 3, cin, 6]);
    // Rows 1 and 5 are parallel (algebraic rank 5); row 3 is row 0 plus a little noise, so its extra direction
    // carries far less than 1% of the energy and the 99%-energy rank drops to 4.
    expect(w.singularValues[5]).toBeLessThan(1e-5);
    expect(w.singularValues[4]).toBeGreaterThan(1e-3);
    expect(w.effectiveRank).toBe(4);
    expect(w.duplicates.map((d) => [d.a, d.b])).toEqual([
      [1, 5],
      [0, 3],
    ]);
    expect(w.duplicates[0].cosine).toBeCloseTo(-1, 6);
    expect(w.duplicates[1].cosine).toBeGreaterThan(0.9);
  });

  it('duplicatePairs honours the threshold and skips zero filters', () => {
    const rows = new Float64Array([1, 0, 0, 0.8, 0.6, 0, 0, 0, 0]);
    expect(duplicatePairs(rows, 3, 3, 0.7).map((d) => [d.a, d.b, d.cosine])).toEqual([[0, 1, 0.8]]);
    expect(duplicatePairs(rows, 3, 3, 0.9)).toEqual([]);
  });

  it('sparsity is the fraction below the threshold', () => {
    const v = new Float32Array(200).map((_x, i) => (i % 4 === 0 ? 0.0005 * (i % 8 === 0 ? 1 : -1) : 0.5));
    expect(sparsity(v)).toBe(0.25);
    expect(sparsity(v, 1e-4)).toBe(0);
    expect(sparsity(v, 1)).toBe(1);
  });
});

describe('analyseCompression', () => {
  const project = getPreset('lenet5')!;
  const inf = inferGraph(project.graph);

  it('lists every conv layer with its separable saving, and weight stats from a snapshot', () => {
    const r = rng(3);
    const kernel = new Float32Array(5 * 5 * 6 * 16).map(() => r());
    kernel.fill(0, 0, 240); // 10% zero
    const snap: WeightSnapshot = [
      { layer: 'conv2d_1', tensors: [{ name: 'kernel', shape: [5, 5, 6, 16], data: kernel }, { name: 'bias', shape: [16], data: new Float32Array(16) }] },
    ];
    const rows = analyseCompression(project.graph, inf, snap);
    expect(rows.map((x) => x.name)).toEqual(['conv2d', 'conv2d_1']);
    const [c1, c2] = rows;
    expect(c1.weights).toBeUndefined();
    expect(c1.weightsNote).toMatch(/no kernel for "conv2d"/);
    expect(c2.weights!.filters).toBe(16);
    expect(c2.weights!.filterSize).toBe(150);
    expect(c2.weights!.sparsity).toBeCloseTo(0.1, 2);
    expect(c2.weights!.effectiveRank).toBeGreaterThan(12);
    // conv2d (1→6, 5×5, same, 28×28): 156 params → 25 + 6 + 6; MACs 28²·25·6 → 28²·25 + 28²·6.
    expect(c1.separable!.plain).toMatchObject({ paramsBefore: 156, paramsAfter: 37, params: 119, macs: 784 * 150 - 784 * 31 });
    expect(c1.separable!.withBatchNorm.paramsAfter).toBe(41);
  });

  it('analyses only the requested nodes when asked', () => {
    expect(analyseCompression(project.graph, inf, null, { nodeIds: new Set(['n3']) }).map((r) => r.name)).toEqual(['conv2d_1']);
  });

  it('explains missing or stale weights', () => {
    expect(analyseCompression(project.graph, inf, null)[0].weightsNote).toMatch(/train the model/);
    const stale: WeightSnapshot = [{ layer: 'conv2d', tensors: [{ name: 'kernel', shape: [5, 5, 1, 8], data: new Float32Array(200) }] }];
    expect(analyseCompression(project.graph, inf, stale)[0].weightsNote).toMatch(/5×5×1×8 but the layer now needs …×1×6/);
  });
});
