import type * as tfjs from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';
import { asm, relaxedSimdSupported } from './simd';
import { DEFAULT_TILE, packB, type GemmTile } from './gemm';
import { windowedInput } from './conv';

/**
 * The forward convolution as an implicit GEMM: the register tile of ./gemm.ts (MR pixels × 4·NV output channels in
 * MR·NV accumulators, the packed filter as B) reading its A rows straight out of the (zero-padded) input instead of an
 * im2col copy. A's row for output pixel (oh, ow) is, for each kernel row kh, the KW·CI consecutive floats of input row
 * oh·SH + kh starting at column ow·SW; a tile's MR rows are MR consecutive pixels of one output row, so they sit at a
 * constant stride (SW·CI floats, compiled into the splat loads' offsets) and the k loop walks KH runs of KW·CI floats.
 * Writing and re-reading the columns (KH·KW times the input) was a third of the im2col path's time on ResNet-20's
 * layers, whose products are short (K = 9·CI, N = CO ≤ 64). The bias initialises the accumulators.
 */

/**
 * conv(x, b, c, bias, rows, blocks, nPanels, kin, kh, khStep, xRow, cRow, panelBytes, bLast, cLast): for each of `rows`
 * output rows (x advancing by xRow bytes, c by cRow), each of `blocks` blocks of mr pixels, each panel p < nPanels
 * (B at min(p · panelBytes, bLast), C and bias at min(p · 16·NV, cLast)): the tile, its k loop `kh` runs of `kin`
 * floats, khStep bytes apart in x.
 */
export type ImplicitConvFn = (x: number, b: number, c: number, bias: number, rows: number, blocks: number, nPanels: number, kin: number,
  kh: number, khStep: number, xRow: number, cRow: number, panelBytes: number, bLast: number, cLast: number) => void;

interface Layout {
  /** Bytes between consecutive output pixels' windows in x (SW · CI · 4). */
  colStep: number;
  /** Bytes between consecutive output pixels in the output (CO · 4). */
  ldc: number;
}

const { I32, V128, uleb, get, set, i32, add, sub, i32Mul, block, loop, end, br, brIf, simd, forUp, mulAdd, i32s, fnCode, moduleBytes } = asm;
const i32LtS = [0x48];
const select = [0x1b];
const v128Load = (offset: number) => simd(0x00, 0x00, ...uleb(offset));
const v128Store = (offset: number) => simd(0x0b, 0x00, ...uleb(offset));
const load32Splat = (offset: number) => simd(0x09, 0x02, ...uleb(offset));
const eqz = [0x45];

/**
 * `count` (≥ 1) steps, U per loop iteration, with an exit test after each: step(u) addresses its operands at constant
 * offsets u steps on, `advance` moves the pointers U steps at the end of the iteration. TurboFan schedules pure
 * instructions (the multiply-adds) as late as their block allows; the exit branch between steps keeps each step's
 * multiply-adds before the next step's loads, so unrolling does not keep U steps of loaded values live at once (which
 * spills the accumulators).
 */
function unrolledCountdown(counter: number, U: number, step: (u: number) => number[], advance: number[]): number[] {
  const body: number[] = [];
  for (let u = 0; u < U; u++) body.push(...step(u), ...get(counter), ...i32(1), ...sub, ...set(counter), ...get(counter), ...eqz, ...brIf(1));
  return [...block, ...loop, ...body, ...advance, ...br(0), ...end, ...end];
}

function convFunction(mr: number, NV: number, U: number, l: Layout, fused: boolean): number[] {
  const [X, B, C, BIAS, ROWS, BLOCKS, NP, KIN, KH, KHSTEP, XROW, CROW, PSTR, BLAST, CLAST] = Array.from({ length: 15 }, (_, i) => i);
  const [ROW, BLK, P, KHI, KI, PA, PB, XK, XA, CA, XR, CR, BOFF, COFF, PBK, KINB] = Array.from({ length: 16 }, (_, i) => 15 + i);
  const W = 31;
  const S = W + NV;
  const ACC = S + 1;
  const NR = 4 * NV;
  const step = (u: number) => {
    const code: number[] = [];
    for (let v = 0; v < NV; v++) code.push(...get(PB), ...v128Load(u * NR * 4 + 16 * v), ...set(W + v));
    for (let r = 0; r < mr; r++) {
      code.push(...get(PA), ...load32Splat(r * l.colStep + 4 * u), ...set(S));
      for (let v = 0; v < NV; v++) code.push(...mulAdd(fused, get(ACC + r * NV + v), get(S), get(W + v)), ...set(ACC + r * NV + v));
    }
    return code;
  };
  const advance = [...get(PA), ...i32(4 * U), ...add, ...set(PA), ...get(PB), ...i32(U * NR * 4), ...add, ...set(PB)];
  const minOf = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, ...i32LtS, ...select];
  const tile: number[] = [
    ...minOf([...get(P), ...get(PSTR), ...i32Mul], get(BLAST)), ...set(BOFF),
    ...minOf([...get(P), ...i32(16 * NV), ...i32Mul], get(CLAST)), ...set(COFF),
  ];
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < NV; v++) tile.push(...get(BIAS), ...get(COFF), ...add, ...v128Load(16 * v), ...set(ACC + r * NV + v));
  }
  // The k loop leaves PB short of its last iteration's advance: each kernel row starts its panel rows afresh (PBK).
  tile.push(...get(B), ...get(BOFF), ...add, ...set(PBK), ...get(XA), ...set(XK));
  tile.push(...forUp(KHI, get(KH), [
    ...get(XK), ...set(PA), ...get(PBK), ...set(PB), ...get(KIN), ...set(KI),
    ...unrolledCountdown(KI, U, step, advance),
    ...get(XK), ...get(KHSTEP), ...add, ...set(XK), ...get(PBK), ...get(KINB), ...add, ...set(PBK),
  ]));
  tile.push(...get(CA), ...get(COFF), ...add, ...set(BOFF)); // BOFF reused as the tile's output address
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < NV; v++) tile.push(...get(BOFF), ...get(ACC + r * NV + v), ...v128Store(r * l.ldc + 16 * v));
  }
  const blockOfPixels = [
    ...forUp(P, get(NP), tile),
    ...get(XA), ...i32(mr * l.colStep), ...add, ...set(XA), ...get(CA), ...i32(mr * l.ldc), ...add, ...set(CA),
  ];
  const row = [
    ...get(XR), ...set(XA), ...get(CR), ...set(CA),
    ...forUp(BLK, get(BLOCKS), blockOfPixels),
    ...get(XR), ...get(XROW), ...add, ...set(XR), ...get(CR), ...get(CROW), ...add, ...set(CR),
  ];
  const body = [...get(KIN), ...i32(NR * 4), ...i32Mul, ...set(KINB), ...get(X), ...set(XR), ...get(C), ...set(CR), ...forUp(ROW, get(ROWS), row), ...end];
  return fnCode([[16, I32], [NV + 1 + mr * NV, V128]], body);
}

/** The module's bytes: conv1 … convMR (tiles of 1 … MR pixels). */
export function implicitConvModuleBytes(t: GemmTile, l: Layout, fused: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(Array.from({ length: t.MR }, (_, i) => ({ name: `conv${i + 1}`, params: i32s(15), code: convFunction(i + 1, t.NV, t.U, l, fused), exported: true })));
}

const cache = new WeakMap<WebAssembly.Memory, Map<string, ImplicitConvFn[] | null>>();

/** fns[mr − 1] for this layout bound to the heap, compiled on first use; null when the heap is shared or SIMD is refused. */
export function implicitConvFor(memory: WebAssembly.Memory | undefined, l: Layout, t: GemmTile = DEFAULT_TILE,
  fused = relaxedSimdSupported()): ImplicitConvFn[] | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let byKey = cache.get(memory);
  if (!byKey) cache.set(memory, (byKey = new Map()));
  const key = `${t.MR},${t.NV},${t.U},${l.colStep},${l.ldc},${fused}`;
  let fns = byKey.get(key);
  if (fns === undefined) {
    try {
      const e = new WebAssembly.Instance(new WebAssembly.Module(implicitConvModuleBytes(t, l, fused)), { env: { memory } }).exports as Record<string, ImplicitConvFn>;
      fns = Array.from({ length: t.MR }, (_, i) => e[`conv${i + 1}`]);
    } catch {
      fns = null;
    }
    byKey.set(key, fns);
  }
  return fns;
}

/**
 * The forward convolution (plus `bias`, when given) by the implicit GEMM; null when the kernel is unavailable or the
 * layer does not fit it (dilation, negative padding, fewer output channels than a tile's 4·NV).
 */
export function implicitConv(be: WasmBackend, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, c: tfjs.backend_util.Conv2DInfo,
  tile: GemmTile = DEFAULT_TILE): TensorInfo | null {
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  const NR = 4 * tile.NV;
  if (CO < NR || c.dilationHeight !== 1 || c.dilationWidth !== 1 || c.padInfo.top < 0 || c.padInfo.left < 0 || OH <= 0 || OW <= 0) return null;
  const fns = implicitConvFor(heapOf(be), { colStep: SW * CI * 4, ldc: CO * 4 }, tile);
  if (!fns) return null;
  const KK = KH * KW * CI;
  const nPanels = Math.ceil(CO / NR);
  const out = be.makeOutput([N, OH, OW, CO], 'float32');
  const wp = be.makeOutput([nPanels * KK * NR], 'float32');
  packB(be.typedArrayFromHeap(filter) as Float32Array, 0, CO, KK, CO, NR, be.typedArrayFromHeap(wp) as Float32Array, 0);
  let zeros: TensorInfo | null = null;
  if (!bias) {
    zeros = be.makeOutput([CO], 'float32');
    be.typedArrayFromHeap(zeros).fill(0);
  }
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  const xOff = offsetOf(be, xs);
  const wOff = offsetOf(be, wp);
  const oOff = offsetOf(be, out);
  const bOff = offsetOf(be, bias ?? zeros!);
  const panelBytes = KK * NR * 4;
  const bLast = (nPanels - 1) * panelBytes;
  const cLast = (CO - NR) * 4;
  const blocks = Math.floor(OW / tile.MR);
  const rem = OW - blocks * tile.MR;
  const imgIn = Hx * Wx * CI * 4;
  const imgOut = OH * OW * CO * 4;
  const khStep = Wx * CI * 4;
  const xRow = SH * Wx * CI * 4;
  const cRow = OW * CO * 4;
  for (let n = 0; n < N; n++) {
    const xi = xOff + n * imgIn;
    const oi = oOff + n * imgOut;
    if (blocks > 0) fns[tile.MR - 1](xi, wOff, oi, bOff, OH, blocks, nPanels, KW * CI, KH, khStep, xRow, cRow, panelBytes, bLast, cLast);
    if (rem > 0) {
      fns[rem - 1](xi + blocks * tile.MR * SW * CI * 4, wOff, oi + blocks * tile.MR * CO * 4, bOff, OH, 1, nPanels, KW * CI, KH, khStep, xRow, cRow,
        panelBytes, bLast, cLast);
    }
  }
  be.disposeData(wp.dataId);
  if (zeros) be.disposeData(zeros.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
  return out;
}

/**
 * filterGrad(x, dy, c, rows, ow, kh, jBlocks, nPanels, khStep, xRow, dyRow, cKh): dW[kk, co] += Σ x[window(p) + kk] ·
 * dy[p, co] over `rows` output rows of `ow` pixels, for kernel rows 0 … kh − 1 (x advancing by khStep bytes, dW's rows
 * by cKh) and, in each, `jBlocks` blocks of mr consecutive taps (kw, ci) × nPanels panels of 4·NV channels. The tile's
 * k loop walks the pixels: per pixel NV vectors of dy and mr splatted input values, so dy and x are read in place.
 */
export type ImplicitFilterGradFn = (x: number, dy: number, c: number, rows: number, ow: number, kh: number, jBlocks: number, nPanels: number,
  khStep: number, xRow: number, dyRow: number, cKh: number) => void;

interface FilterLayout {
  /** Bytes between consecutive output pixels' windows in x (SW · CI · 4). */
  colStep: number;
  /** Bytes per row of dy and of dW's accumulator (COp · 4, COp a multiple of 4·NV). */
  ldc: number;
}

function filterGradFunction(mr: number, NV: number, U: number, l: FilterLayout, fused: boolean): number[] {
  const [X, DY, C, ROWS, OW, KH, JB, NP, KHSTEP, XROW, DYROW, CKH] = Array.from({ length: 12 }, (_, i) => i);
  const [KHI, JBI, P, ROW, OI, PA, PB, XKH, CKHA, XJ, CJ, XR, DR, CT] = Array.from({ length: 14 }, (_, i) => 12 + i);
  const W = 26;
  const S = W + NV;
  const ACC = S + 1;
  const step = (u: number) => {
    const code: number[] = [];
    for (let v = 0; v < NV; v++) code.push(...get(PB), ...v128Load(u * l.ldc + 16 * v), ...set(W + v));
    for (let r = 0; r < mr; r++) {
      code.push(...get(PA), ...load32Splat(u * l.colStep + 4 * r), ...set(S));
      for (let v = 0; v < NV; v++) code.push(...mulAdd(fused, get(ACC + r * NV + v), get(S), get(W + v)), ...set(ACC + r * NV + v));
    }
    return code;
  };
  const advance = [...get(PA), ...i32(U * l.colStep), ...add, ...set(PA), ...get(PB), ...i32(U * l.ldc), ...add, ...set(PB)];
  const tile: number[] = [...get(CJ), ...get(P), ...i32(16 * NV), ...i32Mul, ...add, ...set(CT)];
  for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) tile.push(...get(CT), ...v128Load(r * l.ldc + 16 * v), ...set(ACC + r * NV + v));
  tile.push(
    ...get(XJ), ...set(XR), ...get(DY), ...get(P), ...i32(16 * NV), ...i32Mul, ...add, ...set(DR),
    ...forUp(ROW, get(ROWS), [
      ...get(XR), ...set(PA), ...get(DR), ...set(PB),
      ...get(OW), ...set(OI), ...unrolledCountdown(OI, U, step, advance),
      ...get(XR), ...get(XROW), ...add, ...set(XR), ...get(DR), ...get(DYROW), ...add, ...set(DR),
    ]),
  );
  for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) tile.push(...get(CT), ...get(ACC + r * NV + v), ...v128Store(r * l.ldc + 16 * v));
  const jBlock = [
    ...forUp(P, get(NP), tile),
    ...get(XJ), ...i32(4 * mr), ...add, ...set(XJ), ...get(CJ), ...i32(mr * l.ldc), ...add, ...set(CJ),
  ];
  const kernelRow = [
    ...get(XKH), ...set(XJ), ...get(CKHA), ...set(CJ),
    ...forUp(JBI, get(JB), jBlock),
    ...get(XKH), ...get(KHSTEP), ...add, ...set(XKH), ...get(CKHA), ...get(CKH), ...add, ...set(CKHA),
  ];
  const body = [...get(X), ...set(XKH), ...get(C), ...set(CKHA), ...forUp(KHI, get(KH), kernelRow), ...end];
  return fnCode([[14, I32], [NV + 1 + mr * NV, V128]], body);
}

const filterCache = new WeakMap<WebAssembly.Memory, Map<string, ImplicitFilterGradFn[] | null>>();

/** fns[mr − 1] (blocks of mr taps) for this layout bound to the heap; null when the heap is shared or SIMD is refused. */
export function implicitFilterGradFor(memory: WebAssembly.Memory | undefined, l: FilterLayout, t: GemmTile = DEFAULT_TILE,
  fused = relaxedSimdSupported()): ImplicitFilterGradFn[] | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let byKey = filterCache.get(memory);
  if (!byKey) filterCache.set(memory, (byKey = new Map()));
  const key = `${t.MR},${t.NV},${t.U},${l.colStep},${l.ldc},${fused}`;
  let fns = byKey.get(key);
  if (fns === undefined) {
    try {
      const bytes = moduleBytes(Array.from({ length: t.MR }, (_, i) => ({ name: `fg${i + 1}`, params: i32s(12), code: filterGradFunction(i + 1, t.NV, t.U, l, fused), exported: true })));
      const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, ImplicitFilterGradFn>;
      fns = Array.from({ length: t.MR }, (_, i) => e[`fg${i + 1}`]);
    } catch {
      fns = null;
    }
    byKey.set(key, fns);
  }
  return fns;
}

/** Tuning of {@link implicitFilterGrad}. */
export interface ImplicitFilterGradOptions {
  /** Most bytes of dy per call (a few output rows, so that they and their input rows stay in L1 across the tiles). */
  dyBytes: number;
  tile: GemmTile;
}

export const defaultImplicitFilterGradOptions: ImplicitFilterGradOptions = { dyBytes: 1 << 14, tile: DEFAULT_TILE };

/**
 * The filter gradient as an implicit GEMM, dW [KH·KW·CI, CO] = Σ over pixels of x's window values × dy's rows, x and
 * dy read in place (dy copied with zero columns up to whole panels when CO is not a multiple of 4·NV). Null when the
 * kernel is unavailable or the layer does not fit it (dilation, negative padding).
 */
export function implicitFilterGrad(be: WasmBackend, x: TensorInfo, dy: TensorInfo, c: tfjs.backend_util.Conv2DInfo,
  options: Partial<ImplicitFilterGradOptions> = {}): TensorInfo | null {
  const o = { ...defaultImplicitFilterGradOptions, ...options };
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  if (c.dilationHeight !== 1 || c.dilationWidth !== 1 || c.padInfo.top < 0 || c.padInfo.left < 0 || OH <= 0 || OW <= 0) return null;
  const NR = 4 * o.tile.NV;
  const COp = Math.ceil(CO / NR) * NR;
  const fns = implicitFilterGradFor(heapOf(be), { colStep: SW * CI * 4, ldc: COp * 4 }, o.tile);
  if (!fns) return null;
  const KK = KH * KW * CI;
  const taps = KW * CI;
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  let dyp: TensorInfo | null = null;
  if (COp !== CO) {
    dyp = be.makeOutput([N * OH * OW, COp], 'float32');
    const D = be.typedArrayFromHeap(dy) as Float32Array;
    const DP = be.typedArrayFromHeap(dyp) as Float32Array;
    DP.fill(0);
    for (let m = 0; m < N * OH * OW; m++) DP.set(D.subarray(m * CO, (m + 1) * CO), m * COp);
  }
  const acc = be.makeOutput(COp === CO ? [KH, KW, CI, CO] : [KK, COp], 'float32');
  be.typedArrayFromHeap(acc).fill(0);
  const xOff = offsetOf(be, xs);
  const dOff = offsetOf(be, dyp ?? dy);
  const aOff = offsetOf(be, acc);
  const imgIn = Hx * Wx * CI * 4;
  const dyRow = OW * COp * 4;
  const khStep = Wx * CI * 4;
  const xRow = SH * Wx * CI * 4;
  const cKh = taps * COp * 4;
  const nPanels = COp / NR;
  const MR = o.tile.MR;
  const jBlocks = Math.floor(taps / MR);
  const rem = taps - jBlocks * MR;
  const R = Math.max(1, Math.min(OH, Math.floor(o.dyBytes / dyRow)));
  for (let n = 0; n < N; n++) {
    for (let oh0 = 0; oh0 < OH; oh0 += R) {
      const rows = Math.min(R, OH - oh0);
      const xa = xOff + n * imgIn + oh0 * xRow;
      const da = dOff + (n * OH + oh0) * dyRow;
      if (jBlocks > 0) fns[MR - 1](xa, da, aOff, rows, OW, KH, jBlocks, nPanels, khStep, xRow, dyRow, cKh);
      if (rem > 0) fns[rem - 1](xa + jBlocks * MR * 4, da, aOff + jBlocks * MR * COp * 4, rows, OW, KH, 1, nPanels, khStep, xRow, dyRow, cKh);
    }
  }
  if (dyp) be.disposeData(dyp.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
  if (COp === CO) return acc;
  const out = be.makeOutput([KH, KW, CI, CO], 'float32');
  const A = be.typedArrayFromHeap(acc) as Float32Array;
  const O = be.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0; r < KK; r++) O.set(A.subarray(r * COp, r * COp + CO), r * CO);
  be.disposeData(acc.dataId);
  return out;
}

/**
 * copyRows(src, dst, count, bytes, srcStride, dstStride, before, after): `count` runs of `bytes` bytes, src and dst
 * advancing by their strides, each run in dst preceded by `before` and followed by `after` zero bytes (bulk memory's
 * memory.copy and memory.fill). The zero-padded copies of ./conv.ts' windowedInput, one call per image instead of a
 * typed-array copy per row and a fill of the whole buffer.
 */
export type CopyRows = (src: number, dst: number, count: number, bytes: number, srcStride: number, dstStride: number, before: number,
  after: number) => void;

function copyRowsFunction(): number[] {
  const [SRC, DST, COUNT, BYTES, SS, DS, BEFORE, AFTER, I] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const memoryCopy = [0xfc, 0x0a, 0x00, 0x00];
  const memoryFill = [0xfc, 0x0b, 0x00];
  const row = [
    ...get(DST), ...get(BEFORE), ...sub, ...i32(0), ...get(BEFORE), ...memoryFill,
    ...get(DST), ...get(SRC), ...get(BYTES), ...memoryCopy,
    ...get(DST), ...get(BYTES), ...add, ...i32(0), ...get(AFTER), ...memoryFill,
    ...get(SRC), ...get(SS), ...add, ...set(SRC), ...get(DST), ...get(DS), ...add, ...set(DST),
  ];
  return fnCode([[1, I32]], [...forUp(I, get(COUNT), row), ...end]);
}

const copyCache = new WeakMap<WebAssembly.Memory, CopyRows | null>();

/** copyRows bound to this heap; null when the heap is shared or the engine refuses bulk memory (callers copy in JS). */
export function copyRowsFor(memory: WebAssembly.Memory | undefined): CopyRows | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let fn = copyCache.get(memory);
  if (fn === undefined) {
    try {
      const bytes = moduleBytes([{ name: 'copyRows', params: i32s(8), code: copyRowsFunction(), exported: true }]);
      fn = (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { copyRows: CopyRows }).copyRows;
    } catch {
      fn = null;
    }
    copyCache.set(memory, fn);
  }
  return fn;
}

/**
 * The input gradient of a strided convolution as SH·SW stride-1 implicit GEMMs over dy, one per phase (ih mod SH,
 * iw mod SW) of dx: the input pixels of one phase are reached by the same taps kh ≡ (ph + top) mod SH (and likewise
 * kw), so that phase of dx is a stride-1 correlation of dy with those taps (flipped, in/out channels swapped), written
 * at dx's stride (the tile's output pixel stride SW·CI, its row stride SH·W·CI). Only the products that reach dx are
 * computed — the GEMM + col2im path writes every column and scatters it back, the dilated rewrite multiplies the
 * zeros between dy's pixels. dy is read from one zero-padded copy covering every phase's windows. Null when the
 * kernel is unavailable or the layer does not fit it (dilation, negative padding, fewer input channels than a tile).
 */
export function implicitInputGrad(be: WasmBackend, dy: TensorInfo, filter: TensorInfo, c: tfjs.backend_util.Conv2DInfo,
  tile: GemmTile = DEFAULT_TILE): TensorInfo | null {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH,
    filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const NR = 4 * tile.NV;
  if (CI < NR || c.dilationHeight !== 1 || c.dilationWidth !== 1 || top < 0 || left < 0 || OH <= 0 || OW <= 0) return null;
  const fns = implicitConvFor(heapOf(be), { colStep: CO * 4, ldc: SW * CI * 4 }, tile);
  const copyRows = copyRowsFor(heapOf(be));
  if (!fns || !copyRows) return null;
  /** One phase along an axis: its first tap, tap count, output count and the dy offset of its first window. */
  const phaseOf = (p: number, pad: number, S: number, K: number, size: number) => {
    const k0 = (p + pad) % S;
    const T = k0 < K ? Math.ceil((K - k0) / S) : 0;
    const A = Math.ceil((size - p) / S);
    const o = (p + pad - k0) / S - T + 1;
    return { k0, T, A, o };
  };
  const rows = Array.from({ length: SH }, (_, p) => phaseOf(p, top, SH, KH, H));
  const cols = Array.from({ length: SW }, (_, p) => phaseOf(p, left, SW, KW, W));
  // dy padded so that every phase's windows lie inside it: rows −PT … OH − 1 + PB.
  const live = (ps: typeof rows) => ps.filter((q) => q.T > 0 && q.A > 0);
  const PT = Math.max(0, ...live(rows).map((q) => -q.o));
  const PB = Math.max(0, ...live(rows).map((q) => q.o + q.A + q.T - 2 - (OH - 1)));
  const PL = Math.max(0, ...live(cols).map((q) => -q.o));
  const PR = Math.max(0, ...live(cols).map((q) => q.o + q.A + q.T - 2 - (OW - 1)));
  const Hp = OH + PT + PB;
  const Wp = OW + PL + PR;
  let dyp = dy;
  if (PT || PB || PL || PR) {
    dyp = be.makeOutput([N, Hp, Wp, CO], 'float32');
    const D = be.typedArrayFromHeap(dyp);
    const sOff = offsetOf(be, dy);
    const dOff = offsetOf(be, dyp);
    for (let n = 0; n < N; n++) {
      D.fill(0, n * Hp * Wp * CO, (n * Hp + PT) * Wp * CO);
      copyRows(sOff + n * OH * OW * CO * 4, dOff + ((n * Hp + PT) * Wp + PL) * CO * 4, OH, OW * CO * 4, OW * CO * 4, Wp * CO * 4, PL * CO * 4, PR * CO * 4);
      D.fill(0, (n * Hp + PT + OH) * Wp * CO, (n + 1) * Hp * Wp * CO);
    }
  }
  const out = be.makeOutput([N, H, W, CI], 'float32');
  be.typedArrayFromHeap(out).fill(0);
  const zeros = be.makeOutput([CI], 'float32');
  be.typedArrayFromHeap(zeros).fill(0);
  const xOff = offsetOf(be, dyp);
  const oOff = offsetOf(be, out);
  const bOff = offsetOf(be, zeros);
  const nPanels = Math.ceil(CI / NR);
  for (const r of rows) {
    for (const q of cols) {
      if (r.T === 0 || q.T === 0 || r.A <= 0 || q.A <= 0) continue;
      // The phase's filter [Th, Tw, CO, CI]: tap (t, s) is W[k0 + S·(T − 1 − t)], transposed.
      const K = r.T * q.T * CO;
      const sub = new Float32Array(K * CI);
      // A fresh view each phase: the previous phase's allocation may have grown the heap (detaching older views).
      const F = be.typedArrayFromHeap(filter) as Float32Array;
      for (let t = 0; t < r.T; t++) {
        for (let s = 0; s < q.T; s++) {
          const kh = r.k0 + SH * (r.T - 1 - t);
          const kw = q.k0 + SW * (q.T - 1 - s);
          for (let ci = 0; ci < CI; ci++) {
            const src = ((kh * KW + kw) * CI + ci) * CO;
            for (let co = 0; co < CO; co++) sub[((t * q.T + s) * CO + co) * CI + ci] = F[src + co];
          }
        }
      }
      const wp = be.makeOutput([nPanels * K * NR], 'float32');
      packB(sub, 0, CI, K, CI, NR, be.typedArrayFromHeap(wp) as Float32Array, 0);
      const wOff = offsetOf(be, wp);
      const panelBytes = K * NR * 4;
      const bLast = (nPanels - 1) * panelBytes;
      const cLast = (CI - NR) * 4;
      const blocks = Math.floor(q.A / tile.MR);
      const rem = q.A - blocks * tile.MR;
      const khStep = Wp * CO * 4;
      const cRow = SH * W * CI * 4;
      const ph = rows.indexOf(r);
      const pw = cols.indexOf(q);
      for (let n = 0; n < N; n++) {
        const xi = xOff + ((n * Hp + r.o + PT) * Wp + q.o + PL) * CO * 4;
        const oi = oOff + ((n * H + ph) * W + pw) * CI * 4;
        if (blocks > 0) fns[tile.MR - 1](xi, wOff, oi, bOff, r.A, blocks, nPanels, q.T * CO, r.T, khStep, khStep, cRow, panelBytes, bLast, cLast);
        if (rem > 0) {
          fns[rem - 1](xi + blocks * tile.MR * CO * 4, wOff, oi + blocks * tile.MR * SW * CI * 4, bOff, r.A, 1, nPanels, q.T * CO, r.T, khStep, khStep,
            cRow, panelBytes, bLast, cLast);
        }
      }
      be.disposeData(wp.dataId);
    }
  }
  be.disposeData(zeros.dataId);
  if (dyp !== dy) be.disposeData(dyp.dataId);
  return out;
}
