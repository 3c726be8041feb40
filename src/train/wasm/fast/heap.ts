import type * as tfjs from '@tensorflow/tfjs';

/** The tfjs module, passed in so only the worker, tests and benches load it. */
export type Tf = typeof tfjs;
export type TensorInfo = tfjs.TensorInfo;

/** The parts of tfjs-backend-wasm's BackendWasm the fast kernels use (the class is not exported as a type). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: unknown): boolean;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } | undefined };
  /** The emscripten module; `asm.memory` is the heap the kernels' buffers live in. */
  wasm: { asm?: { memory?: WebAssembly.Memory } };
}

/** Byte offset of a tensor's buffer on the wasm heap. */
export function offsetOf(be: WasmBackend, t: TensorInfo): number {
  const d = be.dataIdMap.get(t.dataId);
  if (!d) throw new Error('fast wasm kernels: a tensor is not on the wasm backend');
  return d.memoryOffset;
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

/** A float32 tensor on the wasm heap, viewed as a typed array (valid until the next heap allocation grows memory). */
export function view(be: WasmBackend, t: TensorInfo): Float32Array {
  return be.typedArrayFromHeap(t);
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

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
