import type * as tfjs from '@tensorflow/tfjs';
import { product } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';
import { simdKernels } from './simd';

/** Below this many elements the stock kernel's fixed cost is no worse. */
const MIN_SIZE = 4096;

/**
 * `Add` of a per-channel bias ([..., C] + [C], either order): the unfused Conv2D/Dense bias of every training step.
 * XNNPACK's broadcasting add runs its micro-kernel once per C-float row, slow for LeNet's 6 or 16 channels; here the
 * bias is laid out once as lcm(C, 4) floats and added in whole vectors by the wasm module of ./simd.ts. Every other
 * Add goes to the stock kernel.
 */
export function biasAddKernel(stock: tfjs.KernelConfig): tfjs.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const isBias = (big: TensorInfo, bias: TensorInfo) =>
      big.dtype === 'float32' && bias.dtype === 'float32' && bias.shape.length === 1 && big.shape.length >= 2 &&
      big.shape[big.shape.length - 1] === bias.shape[0] && product(big.shape) >= MIN_SIZE;
    const [x, bias] = isBias(a, b) ? [a, b] : isBias(b, a) ? [b, a] : [null, null];
    const be = backend as unknown as WasmBackend;
    const simd = x ? simdKernels(heapOf(be)) : null;
    if (!x || !bias || !simd) return stock.kernelFunc(args);
    const C = bias.shape[0];
    const L = C % 4 === 0 ? C : C % 2 === 0 ? 2 * C : 4 * C; // lcm(C, 4)
    const out = be.makeOutput(x.shape, 'float32');
    const pattern = be.makeOutput([L], 'float32');
    const bs = be.typedArrayFromHeap(bias);
    const ps = be.typedArrayFromHeap(pattern);
    for (let i = 0; i < L; i++) ps[i] = bs[i % C];
    const total = product(x.shape);
    const chunks = Math.floor(total / L);
    simd.addPattern(offsetOf(be, x), offsetOf(be, pattern), offsetOf(be, out), chunks, L / 4);
    const xs = be.typedArrayFromHeap(x);
    const os = be.typedArrayFromHeap(out);
    for (let i = chunks * L; i < total; i++) os[i] = xs[i] + bs[i % C];
    be.disposeData(pattern.dataId);
    return out;
  };
}
