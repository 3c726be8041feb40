import { asm, onHeap } from './simd';

/**
 * The SIMD loops of the training batch norm (./batchnorm.ts), on the wasm heap. Each walks `chunks` chunks of a
 * per-channel pattern of `vecs` vectors (lcm(C, 4) floats, so every lane stays on one channel) and reads or writes
 * pattern-sized vectors (accumulators, coefficients) in step with it:
 * - sumSq(x, s1, s2, chunks, vecs): s1 += x, s2 += x²;
 * - sumDot(dy, x, s1, s2, chunks, vecs): s1 += dy, s2 += dy · x;
 * - affine(x, a, b, out, chunks, vecs): out = x · a + b;
 * - affine2(dy, x, p, q, r, out, chunks, vecs): out = dy · p + x · q + r.
 */
export interface BatchNormSimd {
  sumSq(x: number, s1: number, s2: number, chunks: number, vecs: number): void;
  sumDot(dy: number, x: number, s1: number, s2: number, chunks: number, vecs: number): void;
  affine(x: number, a: number, b: number, out: number, chunks: number, vecs: number): void;
  affine2(dy: number, x: number, p: number, q: number, r: number, out: number, chunks: number, vecs: number): void;
}

const { I32, V128, get, set, i32, add, simd, f32x4Add, f32x4Mul, forUp, i32s, fnCode, moduleBytes, end } = asm;
const load = simd(0x00, 0x00, 0x00);
const store = simd(0x0b, 0x00, 0x00);
const step = (...ptrs: number[]) => ptrs.flatMap((p) => [...get(p), ...i32(16), ...add, ...set(p)]);

/** s1 += a; s2 += a · b (b = a for sumSq): params (a, [b,] s1, s2, chunks, vecs). */
function sumsFunction(dot: boolean): number[] {
  const n = dot ? 6 : 5;
  const [A, B] = [0, dot ? 1 : 0];
  const [S1, S2, CHUNKS, VECS] = dot ? [2, 3, 4, 5] : [1, 2, 3, 4];
  const [CI, J, P1, P2, VA] = [n, n + 1, n + 2, n + 3, n + 4];
  const vector = [
    ...get(A), ...load, ...set(VA),
    ...get(P1), ...get(P1), ...load, ...get(VA), ...f32x4Add, ...store,
    ...get(P2), ...get(P2), ...load, ...get(VA), ...(dot ? [...get(B), ...load] : get(VA)), ...f32x4Mul, ...f32x4Add, ...store,
    ...step(...(dot ? [A, B] : [A]), P1, P2),
  ];
  const chunk = [...get(S1), ...set(P1), ...get(S2), ...set(P2), ...forUp(J, get(VECS), vector)];
  return fnCode([[4, I32], [1, V128]], [...forUp(CI, get(CHUNKS), chunk), ...end]);
}

/** out = x · a + b, or (affine2) out = dy · p + x · q + r. */
function affineFunction(two: boolean): number[] {
  const n = two ? 8 : 6;
  const [DY, X, P, Q, R, OUT, CHUNKS, VECS] = two ? [0, 1, 2, 3, 4, 5, 6, 7] : [-1, 0, -1, 1, 2, 3, 4, 5];
  const [CI, J, PP, PQ, PR] = [n, n + 1, n + 2, n + 3, n + 4];
  const vector = [
    ...get(OUT),
    ...(two ? [...get(DY), ...load, ...get(PP), ...load, ...f32x4Mul] : []),
    ...get(X), ...load, ...get(PQ), ...load, ...f32x4Mul,
    ...(two ? f32x4Add : []),
    ...get(PR), ...load, ...f32x4Add, ...store,
    ...step(...(two ? [DY, PP] : []), X, PQ, PR, OUT),
  ];
  const chunk = [...(two ? [...get(P), ...set(PP)] : []), ...get(Q), ...set(PQ), ...get(R), ...set(PR), ...forUp(J, get(VECS), vector)];
  return fnCode([[5, I32]], [...forUp(CI, get(CHUNKS), chunk), ...end]);
}

const cache = new WeakMap<WebAssembly.Memory, BatchNormSimd | null>();

/** The loops bound to this heap; null when the heap is shared or the engine has no SIMD (callers use JS loops). */
export function batchNormSimd(memory: WebAssembly.Memory | undefined): BatchNormSimd | null {
  return onHeap(cache, memory, () => moduleBytes([
    { name: 'sumSq', params: i32s(5), code: sumsFunction(false), exported: true },
    { name: 'sumDot', params: i32s(6), code: sumsFunction(true), exported: true },
    { name: 'affine', params: i32s(6), code: affineFunction(false), exported: true },
    { name: 'affine2', params: i32s(8), code: affineFunction(true), exported: true },
  ]), (exports) => exports as unknown as BatchNormSimd);
}
