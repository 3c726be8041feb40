import type * as tfjs from '@tensorflow/tfjs';
import type { Tf, TensorInfo, WasmBackend } from './heap';

/**
 * `Sum` over every axis but the last, the bias gradient of each Conv2D and Dense layer (dy summed over batch and
 * positions). The stock wasm kernel first transposes the reduced axes innermost (a full copy of dy); this is one
 * pass with a running sum per channel. Any other reduction goes to the stock kernel.
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
    const acc = new Float64Array(C);
    for (let i = 0; i < xs.length; i += C) {
      for (let c = 0; c < C; c++) acc[c] += xs[i + c];
    }
    os.set(acc);
    return out;
  };
}
