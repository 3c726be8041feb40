import { describe, expect, it } from 'vitest';
import { noAugmentation } from '../data/types';
import { augmentationProblem, drawTransform, isAugmenting, transformImage, type ImageTransform } from './augment';
import { mulberry32 } from './random';

/** An h×w×c image of distinct values (1-based, so 0 means "filled"). */
const image = (h: number, w: number, c: number) => Float32Array.from({ length: h * w * c }, (_, i) => i + 1);
const at = (img: ArrayLike<number>, w: number, c: number, y: number, x: number, k = 0) => img[(y * w + x) * c + k];
const id: ImageTransform = { flip: false, dx: 0, dy: 0, angle: 0 };

describe('transformImage', () => {
  it('a flip of a known image is its mirror', () => {
    const [h, w, c] = [3, 4, 2];
    const src = image(h, w, c);
    const dst = new Float32Array(src.length);
    transformImage(src, dst, [h, w, c], { ...id, flip: true });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) expect(at(dst, w, c, y, x, k)).toBe(at(src, w, c, y, w - 1 - x, k));
  });

  it('a shift by the maximum moves the content and fills zeros', () => {
    const [h, w, c] = [20, 20, 1];
    const src = image(h, w, c);
    const dst = new Float32Array(src.length).fill(-1);
    transformImage(src, dst, [h, w, c], { ...id, dx: 16, dy: -16 });
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= 16 && y < h - 16;
        expect(at(dst, w, c, y, x)).toBe(inside ? at(src, w, c, y + 16, x - 16) : 0);
      }
    }
  });

  it('offsets read and write inside larger buffers (a batch row)', () => {
    const src = new Float32Array(3 + 4).fill(7);
    src.set([1, 2, 3, 4], 3);
    const dst = new Float32Array(5 + 4);
    transformImage(src, dst, [2, 2, 1], { ...id, flip: true }, 3, 5);
    expect([...dst]).toEqual([0, 0, 0, 0, 0, 2, 1, 4, 3]);
  });

  it('rotation by 0 is the identity; by 90° of a square image it is a transpose then mirror (clockwise), within bilinear tolerance', () => {
    const [n, c] = [5, 3];
    const rnd = mulberry32(3);
    const src = Float32Array.from({ length: n * n * c }, () => rnd());
    const same = new Float32Array(src.length);
    transformImage(src, same, [n, n, c], id);
    expect(same).toEqual(src);
    const rot = new Float32Array(src.length);
    transformImage(src, rot, [n, n, c], { ...id, angle: 90 });
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < c; k++) expect(at(rot, n, c, i, j, k)).toBeCloseTo(at(src, n, c, n - 1 - j, i, k), 5);
    const back = new Float32Array(src.length);
    transformImage(rot, back, [n, n, c], { ...id, angle: -90 });
    for (let i = 0; i < src.length; i++) expect(back[i]).toBeCloseTo(src[i], 5);
  });

  it('a small rotation keeps the centre and blends neighbours; corners that leave the image are zero-filled', () => {
    const n = 9;
    const src = new Float32Array(n * n).fill(1);
    const dst = new Float32Array(n * n);
    transformImage(src, dst, [n, n, 1], { ...id, angle: 30 });
    expect(at(dst, n, 1, 4, 4)).toBeCloseTo(1, 6);
    expect(at(dst, n, 1, 0, 0)).toBe(0);
    expect(Math.min(...dst)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...dst)).toBeLessThanOrEqual(1 + 1e-6);
  });
});

describe('drawTransform', () => {
  const draws = (aug: Parameters<typeof drawTransform>[0], seed = 1, n = 400) => {
    const rnd = mulberry32(seed);
    return Array.from({ length: n }, () => ({ ...drawTransform(aug, rnd, { ...id }) }));
  };

  it('each part off leaves that part untouched; all off is the identity', () => {
    expect(isAugmenting(noAugmentation)).toBe(false);
    expect(draws(noAugmentation).every((t) => !t.flip && t.dx === 0 && t.dy === 0 && t.angle === 0)).toBe(true);
    const flips = draws({ flip: true, shift: 0, rotate: 0 });
    expect(flips.every((t) => t.dx === 0 && t.dy === 0 && t.angle === 0)).toBe(true);
    const share = flips.filter((t) => t.flip).length / flips.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    const shifts = draws({ flip: false, shift: 3, rotate: 0 });
    expect(shifts.every((t) => !t.flip && t.angle === 0 && Math.abs(t.dx) <= 3 && Math.abs(t.dy) <= 3 && Number.isInteger(t.dx))).toBe(true);
    expect(new Set(shifts.map((t) => t.dx))).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    const turns = draws({ flip: false, shift: 0, rotate: 15 });
    expect(turns.every((t) => !t.flip && t.dx === 0 && t.dy === 0 && Math.abs(t.angle) <= 15)).toBe(true);
    expect(Math.max(...turns.map((t) => Math.abs(t.angle)))).toBeGreaterThan(14);
  });

  it('is reproducible from the seed', () => {
    const aug = { flip: true, shift: 4, rotate: 10 };
    expect(draws(aug, 5, 50)).toEqual(draws(aug, 5, 50));
    expect(draws(aug, 5, 50)).not.toEqual(draws(aug, 6, 50));
  });
});

describe('augmentationProblem', () => {
  it('refuses anything but images, naming the shape; nothing to say when augmentation is off', () => {
    expect(augmentationProblem({ flip: true, shift: 0, rotate: 0 }, [128, 1], '"timeseries"')).toBe(
      'Augmentation (flip, shift, rotate) works on images (height×width×channels), but "timeseries" samples are 128×1. Turn augmentation off to train on it.',
    );
    expect(augmentationProblem(noAugmentation, [128, 1], 'x')).toBeNull();
    expect(augmentationProblem(undefined, [128, 1], 'x')).toBeNull();
    expect(augmentationProblem({ flip: false, shift: 2, rotate: 0 }, [28, 28, 1], 'x')).toBeNull();
  });
});
