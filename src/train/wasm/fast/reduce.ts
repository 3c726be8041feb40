import type * as tfjs from '@tensorflow/tfjs';
import type { Tf, TensorInfo, WasmBackend } from './heap';

/**
 * `Sum` over every axis but the last, the bias gradient of each Conv2D and Dense layer (dy summed over batch and
 * positions). The stock wasm kernel first transposes the reduced axes innermost (a full copy of dy); this reads dy
 * in place, one strided pass per channel (about 1.4× faster here). Any other reduction goes to the stock kernel.
 */
export function sumKernel(tf: Tf, stock: tfjs.KernelConfig): tfjs.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const leading = r >= 2 && axes.length === r - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock.kernelFunc(args);
    const be = backend as unknown as WasmBackend;
    const C = x.shape[r - 1];
    const out = be.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C], 'float32');
    const xs = be.typedArrayFromHeap(x);
    const os = be.typedArrayFromHeap(out);
    // Per channel, a strided pass with four independent running sums (the add latency, not the loads, bounds a
    // single chain).
    const n = xs.length;
    const step = 4 * C;
    for (let c = 0; c < C; c++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = c;
      for (; i + 3 * C < n; i += step) {
        s0 += xs[i];
        s1 += xs[i + C];
        s2 += xs[i + 2 * C];
        s3 += xs[i + 3 * C];
      }
      for (; i < n; i += C) s0 += xs[i];
      os[c] = s0 + s1 + (s2 + s3);
    }
    return out;
  };
}
