/**
 * On-the-fly augmentation of training images (channels-last h×w×c): random horizontal flip, shift with zero padding
 * and small rotation, drawn from a seeded source so a seeded run is reproducible. The trainer applies it to training
 * batches only, where the leader fills them (followers of a data-parallel run receive the augmented rows).
 */
import type { Augmentation } from '../data/types';

/** One drawn transform: flip, then rotate by `angle` degrees about the centre, then shift by (dx, dy) pixels. */
export interface ImageTransform {
  flip: boolean;
  dx: number;
  dy: number;
  angle: number;
}

/** Whether any part of `aug` is on. */
export function isAugmenting(aug: Augmentation | undefined): aug is Augmentation {
  return !!aug && (aug.flip || aug.shift > 0 || aug.rotate > 0);
}

/** Why `aug` cannot apply to samples of `inputShape` (only images, h×w×c, can be augmented), or null. */
export function augmentationProblem(aug: Augmentation | undefined, inputShape: readonly number[], datasetName: string): string | null {
  if (!isAugmenting(aug) || inputShape.length === 3) return null;
  return `Augmentation (flip, shift, rotate) works on images (height×width×channels), but ${datasetName} samples are ${inputShape.join('×')}. Turn augmentation off to train on it.`;
}

/** Draws a transform for one sample into `into` (reused: nothing is allocated per sample). */
export function drawTransform(aug: Augmentation, rnd: () => number, into: ImageTransform): ImageTransform {
  into.flip = aug.flip && rnd() < 0.5;
  into.dx = aug.shift > 0 ? Math.floor(rnd() * (2 * aug.shift + 1)) - aug.shift : 0;
  into.dy = aug.shift > 0 ? Math.floor(rnd() * (2 * aug.shift + 1)) - aug.shift : 0;
  into.angle = aug.rotate > 0 ? (2 * rnd() - 1) * aug.rotate : 0;
  return into;
}

/**
 * Writes the transformed image of `src` (at `srcOffset`) into `dst` (at `dstOffset`); pixels that come from outside
 * the image are 0. Without rotation pixels are copied exactly; with it, sampled bilinearly. A positive angle turns
 * the picture clockwise as displayed (y down). `src` and `dst` must not overlap.
 */
export function transformImage(src: ArrayLike<number>, dst: Float32Array, shape: readonly number[], t: ImageTransform, srcOffset = 0, dstOffset = 0): void {
  const [h, w, c] = shape;
  const row = w * c;
  if (t.angle === 0) {
    for (let y = 0; y < h; y++) {
      const sy = y - t.dy;
      const out = dstOffset + y * row;
      if (sy < 0 || sy >= h) {
        dst.fill(0, out, out + row);
        continue;
      }
      for (let x = 0; x < w; x++) {
        let sx = x - t.dx;
        const o = out + x * c;
        if (sx < 0 || sx >= w) {
          for (let k = 0; k < c; k++) dst[o + k] = 0;
          continue;
        }
        if (t.flip) sx = w - 1 - sx;
        const i = srcOffset + sy * row + sx * c;
        for (let k = 0; k < c; k++) dst[o + k] = src[i + k];
      }
    }
    return;
  }
  const rad = (t.angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: undo the shift, then the rotation, then the flip.
      const u = x - t.dx - cx;
      const v = y - t.dy - cy;
      let xs = cx + cos * u + sin * v;
      const ys = cy - sin * u + cos * v;
      if (t.flip) xs = w - 1 - xs;
      const x0 = Math.floor(xs);
      const y0 = Math.floor(ys);
      const fx = xs - x0;
      const fy = ys - y0;
      const o = dstOffset + (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let j = 0; j < 4; j++) {
          const px = x0 + (j & 1);
          const py = y0 + (j >> 1);
          if (px < 0 || px >= w || py < 0 || py >= h) continue;
          const wgt = (j & 1 ? fx : 1 - fx) * (j >> 1 ? fy : 1 - fy);
          if (wgt !== 0) acc += wgt * src[srcOffset + py * row + px * c + k];
        }
        dst[o + k] = acc;
      }
    }
  }
}
