import { asm, onHeap } from './simd';

/**
 * gather4(src, dst, n3, s3, n2, s2, n1, s1, n0, s0): copies a 4-deep strided view of the heap into a contiguous run,
 * dst[((i3·n2 + i2)·n1 + i1)·n0 + i0] = src[i3·s3 + i2·s2 + i1·s1 + i0·s0] (strides in bytes, 4-byte elements, copied
 * as bits). One call rearranges a whole chunk (a transpose, or the transposed im2col of a kernel tap) that JS would copy
 * one element or one short row at a time.
 */
export type Gather4 = (src: number, dst: number, n3: number, s3: number, n2: number, s2: number, n1: number, s1: number, n0: number, s0: number) => void;

/**
 * fmaRows(a, b, acc, vectors): acc[i] += a[i] · b[i] for the first 4 · vectors floats (unfused multiply and add, as
 * the cpu backend rounds). The per-tap step of the depthwise gradients: one call per (pixel, tap) covers every channel.
 */
export type FmaRows = (a: number, b: number, acc: number, vectors: number) => void;

export interface RowKernels { gather4: Gather4; fmaRows: FmaRows }

const { I32, get, set, add, i32, forUp, i32s, fnCode, moduleBytes, end, simd, f32x4Add, f32x4Mul } = asm;
const i32Load = [0x28, 0x02, 0x00];
const i32Store = [0x36, 0x02, 0x00];

function gather4Function(): number[] {
  const [SRC, DST, N3, S3, N2, S2, N1, S1, N0, S0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [I3, I2, I1, I0, P3, P2, P1, P0] = [10, 11, 12, 13, 14, 15, 16, 17];
  const inner = [
    ...get(DST), ...get(P0), ...i32Load, ...i32Store,
    ...get(DST), ...i32(4), ...add, ...set(DST), ...get(P0), ...get(S0), ...add, ...set(P0),
  ];
  const l1 = [...get(P1), ...set(P0), ...forUp(I0, get(N0), inner), ...get(P1), ...get(S1), ...add, ...set(P1)];
  const l2 = [...get(P2), ...set(P1), ...forUp(I1, get(N1), l1), ...get(P2), ...get(S2), ...add, ...set(P2)];
  const l3 = [...get(P3), ...set(P2), ...forUp(I2, get(N2), l2), ...get(P3), ...get(S3), ...add, ...set(P3)];
  return fnCode([[8, I32]], [...get(SRC), ...set(P3), ...forUp(I3, get(N3), l3), ...end]);
}

function fmaRowsFunction(): number[] {
  const [A, B, ACC, VECS, J] = [0, 1, 2, 3, 4];
  const load = simd(0x00, 0x00, 0x00);
  const vector = [
    ...get(ACC), ...get(ACC), ...load, ...get(A), ...load, ...get(B), ...load, ...f32x4Mul, ...f32x4Add, ...simd(0x0b, 0x00, 0x00),
    ...get(A), ...i32(16), ...add, ...set(A), ...get(B), ...i32(16), ...add, ...set(B), ...get(ACC), ...i32(16), ...add, ...set(ACC),
  ];
  return fnCode([[1, I32]], [...forUp(J, get(VECS), vector), ...end]);
}

const cache = new WeakMap<WebAssembly.Memory, RowKernels | null>();

/** gather4 bound to this heap; null when the heap is shared or cannot be imported (callers copy in JS). */
export function gather4(memory: WebAssembly.Memory | undefined): Gather4 | null {
  return rowKernels(memory)?.gather4 ?? null;
}

/** Both loops of this module bound to this heap; null when the heap is shared or SIMD is unavailable. */
export function rowKernels(memory: WebAssembly.Memory | undefined): RowKernels | null {
  return onHeap(cache, memory, () => moduleBytes([
    { name: 'gather4', params: i32s(10), code: gather4Function(), exported: true },
    { name: 'fmaRows', params: i32s(4), code: fmaRowsFunction(), exported: true },
  ]), (exports) => exports as unknown as RowKernels);
}
