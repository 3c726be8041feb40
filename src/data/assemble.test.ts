import { describe, expect, it } from 'vitest';
import { channelStats, kindOf, planSplit } from './assemble';
import { opts } from './testing/fixtures';

describe('planSplit', () => {
  const y = Uint8Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));

  it('holds out round(count × fraction) of each class, deterministically in the seed', () => {
    const a = planSplit(y, null, opts({ testFraction: 0.2, seed: 5 }));
    expect([a.nTrain, a.nTest]).toEqual([80, 20]);
    const testOf = (p: typeof a) => [...p.dest].flatMap((d, i) => (d < 0 ? [i] : []));
    expect(testOf(a).filter(i => i < 70)).toHaveLength(14);
    expect(testOf(planSplit(y, null, opts({ testFraction: 0.2, seed: 5 })))).toEqual(testOf(a));
    expect(testOf(planSplit(y, null, opts({ testFraction: 0.2, seed: 6 })))).not.toEqual(testOf(a));
    expect(a.split).toEqual({ from: 'seeded', testFraction: 0.2, seed: 5 });
  });

  it('follows the files when they mark some samples as test, and draws when they mark none or all', () => {
    const marks = Uint8Array.from(y, (_, i) => (i % 10 === 0 ? 1 : 0));
    const p = planSplit(y, marks, opts());
    expect([p.nTrain, p.nTest, p.split.from]).toEqual([90, 10, 'files']);
    expect(p.dest[10]).toBe(-2);
    expect(planSplit(y, new Uint8Array(100).fill(1), opts()).split.from).toBe('seeded');
  });
});

describe('channelStats and kindOf', () => {
  it('gives per-channel mean and std, uint8 scaled to [0, 1]', () => {
    const s = channelStats(Uint8Array.from([0, 255, 255, 255]), 2);
    expect(s.mean).toEqual([0.5, 1]);
    expect(s.std).toEqual([0.5, 0]);
    expect(channelStats(Float32Array.from([1, 3]), 1)).toEqual({ mean: [2], std: [1] });
  });

  it('names image, series and array shapes', () => {
    expect([kindOf([28, 28, 1]), kindOf([32, 32, 3]), kindOf([8, 8, 5]), kindOf([128, 2]), kindOf([4, 4, 4, 4])]).toEqual(['image', 'image', 'array', 'series', 'array']);
  });
});
