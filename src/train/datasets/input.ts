import { product } from '../../../nodes/lib/define';
import type { Dataset } from './types';

/**
 * How stored values become model inputs, per channel c (the last axis): v · mul[c] + add[c]. That is uint8 scaled by
 * 1/255 and then, with `ds.standardize`, (v − mean[c]) / std[c] folded into one multiply-add.
 */
export interface InputScaling {
  channels: number;
  mul: Float32Array;
  add: Float32Array;
  /** v · 1 + 0: float values used as they are. */
  identity: boolean;
}

export function inputScaling(ds: Dataset, x: Float32Array | Uint8Array, withScale = true): InputScaling {
  const scale = withScale && x instanceof Uint8Array ? 1 / 255 : 1;
  const st = ds.standardize;
  const channels = st ? st.mean.length : 1;
  const mul = new Float32Array(channels);
  const add = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    mul[c] = st ? scale / st.std[c] : scale;
    add[c] = st ? -st.mean[c] / st.std[c] : 0;
  }
  return { channels, mul, add, identity: scale === 1 && !st };
}

/** Writes `len` values of `src` from `srcOff` into `dst` at `dstOff`, scaled; `len` is a whole number of samples. */
export function scaleInto(src: ArrayLike<number>, srcOff: number, dst: Float32Array, dstOff: number, len: number, sc: InputScaling): void {
  const { channels: C, mul, add } = sc;
  if (C === 1) {
    const m = mul[0];
    const a = add[0];
    for (let j = 0; j < len; j++) dst[dstOff + j] = src[srcOff + j] * m + a;
    return;
  }
  for (let j = 0; j < len; j += C) {
    for (let c = 0; c < C; c++) dst[dstOff + j + c] = src[srcOff + j + c] * mul[c] + add[c];
  }
}

/** The samples `[from, to)` of a split as the model sees them (what training batches hold, before augmentation). */
export function modelInput(ds: Dataset, split: 'train' | 'test', from: number, to: number): Float32Array {
  const size = product(ds.inputShape);
  const src = ds[split].x;
  const out = new Float32Array((to - from) * size);
  scaleInto(src, from * size, out, 0, out.length, inputScaling(ds, src));
  return out;
}
