import type * as tfjs from '@tensorflow/tfjs';

/**
 * Types the hand-written gradient and training kernels share (./missing-gradients.ts, ./fast/, ../cpu/). The tfjs
 * namespace itself is `Tf` from nodes/lib/define.ts.
 */

export type TensorInfo = tfjs.TensorInfo;

/** A padding per dimension of an NHWC tensor, [before, after] each (what tfjs's conv kernels accept besides 'same'/'valid'). */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** The attributes of tfjs's Conv2D, depthwise and conv gradient kernels, as the kernels here read them. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  /** The gradients of a filter: its shape. */
  filterShape?: [number, number, number, number];
  /** The gradients of an input: its shape. */
  inputShape?: [number, number, number, number];
}

/**
 * The parts of tfjs-backend-wasm's BackendWasm the wasm kernels use. The class is not exported from the package root,
 * and `dataIdMap` and `wasm.asm` are private internals: ./fast/heap.ts reads them, and ./fast/heap.test.ts checks
 * that the installed version still has them.
 */
export interface WasmBackend {
  /** A new tensor on the heap (uninitialised); the kernel returns it or disposes it. */
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  /** The tensor's buffer as a typed array view of the heap (detached when the heap grows). */
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: unknown): boolean;
  /** One more reference to a buffer (a zero-copy output shares its input's). */
  incRef(dataId: unknown): void;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } | undefined };
  /** The emscripten module; `asm.memory` is the heap the kernels' buffers live in. */
  wasm: { asm?: { memory?: WebAssembly.Memory } };
}
