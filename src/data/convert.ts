import type { DecodedImage } from './types';

/** ITU-R BT.601 luma weights. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** Sample positions and weights of one axis: output i reads `idx[ptr[i]..ptr[i+1]]` with weights `wt[…]`. */
interface Taps {
  ptr: Int32Array;
  idx: Int32Array;
  wt: Float32Array;
}

/** Resampling of one axis of `from` pixels to `to`: bilinear (half-pixel centres, edge clamp), or area average when shrinking more than 2×. */
export function axisTaps(from: number, to: number): Taps {
  const ptr = new Int32Array(to + 1);
  const idx: number[] = [];
  const wt: number[] = [];
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    if (from === to) {
      idx.push(i);
      wt.push(1);
    } else if (scale > 2) {
      const a = i * scale;
      const b = (i + 1) * scale;
      for (let s = Math.floor(a); s < Math.min(from, Math.ceil(b)); s++) {
        idx.push(s);
        wt.push((Math.min(b, s + 1) - Math.max(a, s)) / scale);
      }
    } else {
      const x = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const x0 = Math.floor(x);
      const f = x - x0;
      idx.push(x0);
      wt.push(1 - f);
      if (f > 0) {
        idx.push(Math.min(from - 1, x0 + 1));
        wt.push(f);
      }
    }
    ptr[i + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx), wt: Float32Array.from(wt) };
}

/** Describes the resampling used for images of other sizes than the target. */
export const RESIZE_METHOD = 'bilinear resize (half-pixel centres; area average when shrinking more than 2×)';

/**
 * Converts decoded RGBA images to [h, w, c] uint8 (c = 1: BT.601 luma; c = 3: RGB, grey replicated), alpha ignored,
 * resampling other sizes with `axisTaps`. Scratch buffers and tap tables are reused across images.
 */
export class ImageConverter {
  private taps = new Map<string, Taps>();
  private plane = new Float32Array(0);
  private rows = new Float32Array(0);
  constructor(
    readonly h: number,
    readonly w: number,
    readonly c: 1 | 3,
  ) {}

  /** Writes `img` converted into `out` at `offset`; returns whether the source is grey (R = G = B everywhere). */
  convert(img: DecodedImage, out: Uint8Array, offset: number): boolean {
    const { width: sw, height: sh, data } = img;
    const px = sw * sh;
    if (data.length < px * 4) throw new Error(`decoded ${data.length} bytes for ${sw}×${sh} RGBA`);
    let gray = true;
    for (let p = 0; p < px * 4; p += 4)
      if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) {
        gray = false;
        break;
      }
    const same = sw === this.w && sh === this.h;
    if (this.c === 3) {
      if (same) for (let p = 0, q = offset; p < px * 4; p += 4, q += 3) (out[q] = data[p]), (out[q + 1] = data[p + 1]), (out[q + 2] = data[p + 2]);
      else this.resample(data, 4, sw, sh, out, offset);
      return gray;
    }
    if (same && gray) {
      for (let p = 0, q = offset; p < px * 4; p += 4, q++) out[q] = data[p];
      return gray;
    }
    if (this.plane.length < px) this.plane = new Float32Array(px);
    const plane = this.plane;
    for (let p = 0, q = 0; q < px; p += 4, q++) plane[q] = LUMA[0] * data[p] + LUMA[1] * data[p + 1] + LUMA[2] * data[p + 2];
    if (same) for (let q = 0; q < px; q++) out[offset + q] = Math.min(255, Math.round(plane[q]));
    else this.resample(plane, 1, sw, sh, out, offset);
    return gray;
  }

  private axis(from: number, to: number): Taps {
    const key = `${from}>${to}`;
    let t = this.taps.get(key);
    if (!t) this.taps.set(key, (t = axisTaps(from, to)));
    return t;
  }

  /** Separable resampling of `src` (stride `stride` per pixel, first `this.c` channels read) into `out`. */
  private resample(src: ArrayLike<number>, stride: number, sw: number, sh: number, out: Uint8Array, offset: number): void {
    const { w: dw, h: dh, c } = this;
    const tx = this.axis(sw, dw);
    const ty = this.axis(sh, dh);
    if (this.rows.length < sh * dw * c) this.rows = new Float32Array(sh * dw * c);
    const rows = this.rows;
    for (let y = 0; y < sh; y++) {
      const rowIn = y * sw;
      const rowOut = y * dw * c;
      for (let i = 0; i < dw; i++) {
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let t = tx.ptr[i]; t < tx.ptr[i + 1]; t++) s += src[(rowIn + tx.idx[t]) * stride + k] * tx.wt[t];
          rows[rowOut + i * c + k] = s;
        }
      }
    }
    const line = dw * c;
    for (let j = 0; j < dh; j++) {
      const o = offset + j * line;
      for (let q = 0; q < line; q++) {
        let s = 0;
        for (let t = ty.ptr[j]; t < ty.ptr[j + 1]; t++) s += rows[ty.idx[t] * line + q] * ty.wt[t];
        out[o + q] = s <= 0 ? 0 : s >= 255 ? 255 : Math.round(s);
      }
    }
  }
}

/** Keeps the first of every 3 channels: RGB samples known to be grey become single-channel. */
export function rgbToSingle(x: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length / 3);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = x[j];
  return out;
}
