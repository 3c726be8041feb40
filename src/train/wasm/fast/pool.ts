import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';
import { simdKernels } from './simd';

/** The pooling geometry of a pooling gradient kernel's attributes. */
function poolInfo(tf: Tf, input: TensorInfo, attrs: tfjs.NamedAttrMap | undefined) {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  return tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
}

/**
 * `MaxPoolGrad` as one pass over the pooling windows: each window's arg-max (the first strict maximum in row-major
 * window order, as the cpu backend picks it) receives that window's dy. Every window is scanned per channel straight from the heap (no temporaries), so x and dy
 * are read from a few cache lines. With the hand-assembled wasm module of ./simd.ts the scan runs there, branch-free
 * (`select`); when the windows do not overlap and there are at least four channels, a vector loop handles four channels
 * at once and stores (rather than adds) each window's gradient, faster again. The JS loop is the fallback.
 * The stock wasm kernel loops over every input pixel and every window covering it.
 */
export function maxPoolGradKernel(tf: Tf, options: { vectors?: boolean } = {}): tfjs.KernelFunc {
  const useVectors = options.vectors ?? true;
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const c = poolInfo(tf, input, attrs);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
      strideHeight: SH, strideWidth: SW, effectiveFilterHeight: KH, effectiveFilterWidth: KW } = c;
    const top = c.padInfo.top;
    const left = c.padInfo.left;
    const out = be.makeOutput(input.shape, 'float32');
    const simd = simdKernels(heapOf(be));
    // Non-overlapping windows (LeNet's 2×2, stride 2) with at least four channels: four channels per vector.
    const vectorised = useVectors && SH >= KH && SW >= KW && C >= 4;
    const wasmLoop = vectorised ? simd?.maxPoolGradRowSimd : simd?.maxPoolGradRow;
    if (wasmLoop) {
      // Same scan in the hand-assembled wasm loop, one call per image and output row.
      be.typedArrayFromHeap(out).fill(0);
      const xOff = offsetOf(be, input);
      const d = offsetOf(be, out) - xOff;
      const dyOff = offsetOf(be, dy);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          const h0 = oh * SH - top;
          const hMin = Math.max(0, h0);
          const rows = Math.min(H, h0 + KH) - hMin;
          if (rows <= 0) continue;
          wasmLoop(xOff + (n * H + hMin) * W * C * 4, d, dyOff + (n * OH + oh) * OW * C * 4, rows, OW, C, W, KW, SW, left, W * C * 4);
        }
      }
      return out;
    }
    const xs = be.typedArrayFromHeap(input);
    const ds = be.typedArrayFromHeap(dy);
    const dx = be.typedArrayFromHeap(out);
    dx.fill(0);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * SH - top;
        const hMin = Math.max(0, h0);
        const hMax = Math.min(H, h0 + KH);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = ow * SW - left;
          const wMin = Math.max(0, w0);
          const wMax = Math.min(W, w0 + KW);
          const d = ((n * OH + oh) * OW + ow) * C;
          for (let k = 0; k < C; k++) {
            let bestAt = -1;
            let best = -Infinity;
            for (let h = hMin; h < hMax; h++) {
              const row = ((n * H + h) * W) * C + k;
              for (let w = wMin; w < wMax; w++) {
                const v = xs[row + w * C];
                if (v > best) {
                  best = v;
                  bestAt = row + w * C;
                }
              }
            }
            if (bestAt >= 0) dx[bestAt] += ds[d + k];
          }
        }
      }
    }
    return out;
  };
}

/**
 * `AvgPoolGrad` as a scatter over the pooling windows: each window's dy, times 1 / (window height · width) as the cpu
 * backend scales it (the full window, padding included), is added to every in-bounds input position of the window,
 * a channel row at a time. The stock wasm kernel gathers per input pixel and channel over every window; on ResNet's
 * global 8×8 average pool its gradient took longer than a convolution.
 */
export function avgPoolGradKernel(tf: Tf): tfjs.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const c = poolInfo(tf, input, attrs);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
      strideHeight: SH, strideWidth: SW, filterHeight: FH, filterWidth: FW } = c;
    const top = c.padInfo.top;
    const left = c.padInfo.left;
    const out = be.makeOutput(input.shape, 'float32');
    const dx = be.typedArrayFromHeap(out);
    const g = be.typedArrayFromHeap(dy);
    dx.fill(0);
    const scale = 1 / (FH * FW);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        const h0 = Math.max(0, oh * SH - top);
        const h1 = Math.min(H, oh * SH - top + FH);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = Math.max(0, ow * SW - left);
          const w1 = Math.min(W, ow * SW - left + FW);
          const d = ((n * OH + oh) * OW + ow) * C;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const o = ((n * H + h) * W + w) * C;
              for (let k = 0; k < C; k++) dx[o + k] += g[d + k] * scale;
            }
          }
        }
      }
    }
    return out;
  };
}
