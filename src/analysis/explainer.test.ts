import { describe, expect, it } from 'vitest';
import { featureMap, maxPool, relu, windowProducts, XO_FILTERS, XO_O, XO_X } from './explainer';

describe('convolution explainer', () => {
  it('the diagonal filter matches the X exactly on its diagonal (all nine products +1)', () => {
    expect(windowProducts(XO_X, XO_FILTERS.diagonal, 1, 1).flat()).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const map = featureMap(XO_X, XO_FILTERS.diagonal);
    expect(map.length).toBe(7);
    expect(map[0].length).toBe(7);
    // Along the stroke: a perfect match, except at the centre (the other stroke adds two −1 products) and at the
    // ends (the frame's corner pixel is background: one −1 product).
    expect(map.map((row, i) => row[i] * 9)).toEqual([7, 9, 9, 5, 9, 9, 7]);
    // Hand-computed: the window at (0, 6) sees the rising stroke, which the falling filter opposes.
    expect(map[0][6]).toBeCloseTo(windowProducts(XO_X, XO_FILTERS.diagonal, 0, 6).flat().reduce((a, b) => a + b) / 9, 12);
  });

  it('ReLU zeroes negatives; 2×2 max-pool turns 7×7 into 4×4 with edge windows', () => {
    const map = featureMap(XO_X, XO_FILTERS.diagonal);
    const r = relu(map);
    expect(r.flat().every((v) => v >= 0)).toBe(true);
    expect(r.flat().filter((v) => v > 0).length).toBe(map.flat().filter((v) => v > 0).length);
    const p = maxPool(r);
    expect(p.length).toBe(4);
    expect(p[0][0]).toBe(Math.max(r[0][0], r[0][1], r[1][0], r[1][1]));
    expect(p[3][3]).toBe(r[6][6]);
    expect(maxPool([[1, 2, 3]], 2, 2)).toEqual([[2, 3]]);
  });

  it('the X responds more strongly to its own strokes than the O does', () => {
    const score = (img: number[][]) => Object.values(XO_FILTERS).reduce((s, k) => s + Math.max(...relu(featureMap(img, k)).flat()), 0);
    expect(score(XO_X)).toBeGreaterThan(score(XO_O));
  });

  it('refuses a window outside the image', () => {
    expect(() => windowProducts(XO_X, XO_FILTERS.cross, 7, 0)).toThrow(/window at \(7, 0\) leaves the 9×9 image/);
  });
});
