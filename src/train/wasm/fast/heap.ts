import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';

/** Byte offset of a tensor's buffer on the wasm heap. */
export function offsetOf(be: WasmBackend, t: TensorInfo): number {
  const d = be.dataIdMap.get(t.dataId);
  if (!d) throw new Error('fast wasm kernels: a tensor is not on the wasm backend');
  return d.memoryOffset;
}

/** The wasm heap, which the SIMD modules import (undefined if the backend does not expose it). */
export function heapOf(be: WasmBackend): WebAssembly.Memory | undefined {
  return be.wasm.asm?.memory;
}

/** Runs another registered wasm kernel from inside a kernel (no engine bookkeeping: the caller disposes the result). */
export function callKernel(
  tf: Tf,
  name: string,
  backend: unknown,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
  kernel?: tfjs.KernelConfig,
): TensorInfo {
  const k = kernel ?? tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`fast wasm kernels: the wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend: backend as tfjs.KernelBackend, attrs: attrs as tfjs.NamedAttrMap }) as TensorInfo;
}

/** Writes the 2D transpose of `src` ([rows, cols]) into `dst` ([cols, rows]), in cache-friendly tiles. */
export function transpose2D(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, rows: number, cols: number): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const s = srcOff + r * cols;
        for (let c = c0; c < c1; c++) dst[dstOff + c * rows + r] = src[s + c];
      }
    }
  }
}
