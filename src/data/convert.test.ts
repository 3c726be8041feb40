import { describe, expect, it } from 'vitest';
import { axisTaps, ImageConverter } from './convert';

const rgba = (w: number, h: number, f: (x: number, y: number) => [number, number, number]) => {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      data.set([...f(x, y), 255], (y * w + x) * 4);
    }
  return { width: w, height: h, data };
};

describe('ImageConverter', () => {
  it('copies RGB at the same size and reports colour', () => {
    const out = new Uint8Array(2 * 2 * 3 + 1);
    const gray = new ImageConverter(2, 2, 3).convert(rgba(2, 2, (x, y) => [x * 10, y * 20, 7]), out, 1);
    expect(gray).toBe(false);
    expect(Array.from(out.subarray(1))).toEqual([0, 0, 7, 10, 0, 7, 0, 20, 7, 10, 20, 7]);
  });

  it('converts RGB to grey by BT.601 luma and grey to RGB by replication', () => {
    const out = new Uint8Array(1);
    new ImageConverter(1, 1, 1).convert(rgba(1, 1, () => [200, 100, 50]), out, 0);
    expect(out[0]).toBe(Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
    const rgb = new Uint8Array(3);
    expect(new ImageConverter(1, 1, 3).convert(rgba(1, 1, () => [90, 90, 90]), rgb, 0)).toBe(true);
    expect(Array.from(rgb)).toEqual([90, 90, 90]);
  });

  it('resizes bilinearly with half-pixel centres', () => {
    const out = new Uint8Array(4);
    new ImageConverter(1, 4, 1).convert(rgba(2, 1, x => (x ? [200, 200, 200] : [0, 0, 0])), out, 0);
    expect(Array.from(out)).toEqual([0, 50, 150, 200]);
  });

  it('averages areas when shrinking more than 2×', () => {
    const out = new Uint8Array(2);
    new ImageConverter(1, 2, 1).convert(rgba(6, 1, x => [x * 10, x * 10, x * 10]), out, 0);
    expect(Array.from(out)).toEqual([10, 40]);
    const t = axisTaps(7, 2);
    expect(Array.from(t.wt).reduce((a, b) => a + b, 0)).toBeCloseTo(2);
  });
});
