import type * as tfjs from '@tensorflow/tfjs';
import { product } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { transpose2D } from './heap';

/**
 * `BatchMatMul` that keeps the XNNPACK path. tfjs-backend-wasm 4.22 runs a matrix product through XNNPACK only when
 * neither operand is transposed and both have batch 1; everything else (every Dense layer's two gradients:
 * dy·Wᵀ and xᵀ·dy) goes to a scalar blocked loop, many times slower. This kernel writes the transposed operand
 * out once (a tiled copy, cheap next to the product), or for A·Bᵀ with a large B computes (B·Aᵀ)ᵀ, and hands a plain
 * product to the stock kernel.
 * Batched products (rank > 2 with a batch above 1) go to the stock kernel unchanged.
 */
export function batchMatMulKernel(stock: tfjs.KernelConfig): tfjs.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const batchA = product(a.shape.slice(0, -2));
    const batchB = product(b.shape.slice(0, -2));
    if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock.kernelFunc(args);
    }
    const be = backend as unknown as WasmBackend;
    const flip = (t: TensorInfo): TensorInfo => {
      const rows = t.shape[t.shape.length - 2];
      const cols = t.shape[t.shape.length - 1];
      const out = be.makeOutput([cols, rows], 'float32');
      transpose2D(be.typedArrayFromHeap(t), 0, be.typedArrayFromHeap(out), 0, rows, cols);
      return out;
    };
    const size = (t: TensorInfo) => t.shape[t.shape.length - 2] * t.shape[t.shape.length - 1];
    const M = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const N = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    let out: TensorInfo;
    // A·Bᵀ = (B·Aᵀ)ᵀ and Aᵀ·Bᵀ = (B·A)ᵀ: XNNPACK repacks its second operand on every call (a Dense weight changes
    // every step), so when Bᵀ is the big one (dy·Wᵀ, a Dense layer's input gradient) it is cheaper to transpose the
    // small operands and the result than to write out and repack Wᵀ.
    if (transposeB && (transposeA || 2 * size(a) + M * N < 2 * size(b))) {
      const a2 = transposeA ? a : flip(a);
      const t = stock.kernelFunc({ inputs: { a: b, b: a2 }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
      if (a2 !== a) be.disposeData(a2.dataId);
      out = flip({ ...t, shape: [N, M] });
      be.disposeData(t.dataId);
    } else {
      const a2 = transposeA ? flip(a) : a;
      const b2 = transposeB ? flip(b) : b;
      out = stock.kernelFunc({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
      if (a2 !== a) be.disposeData(a2.dataId);
      if (b2 !== b) be.disposeData(b2.dataId);
    }
    // Same output shape as the stock kernel: the operands' (size-1) batch dims, then [rows, cols].
    const lead = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    out.shape = [...lead, M, N];
    return out;
  };
}
