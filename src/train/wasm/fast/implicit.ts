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
const i32GtS = [0x4a];
const select = [0x1b];
const v128Load = (offset: number) => simd(0x00, 0x00, ...uleb(offset));
const v128Store = (offset: number) => simd(0x0b, 0x00, ...uleb(offset));
const load32Splat = (offset: number) => simd(0x09, 0x02, ...uleb(offset));
const whileDo = (cond: number[], body: number[]) => [...block, ...loop, ...cond, ...[0x45], ...brIf(1), ...body, ...br(0), ...end, ...end];

function convFunction(mr: number, NV: number, l: Layout, fused: boolean): number[] {
  const [X, B, C, BIAS, ROWS, BLOCKS, NP, KIN, KH, KHSTEP, XROW, CROW, PSTR, BLAST, CLAST] = Array.from({ length: 15 }, (_, i) => i);
  const [ROW, BLK, P, KHI, KI, PA, PB, XK, XA, CA, XR, CR, BOFF, COFF] = Array.from({ length: 14 }, (_, i) => 15 + i);
  const W = 29;
  const S = W + NV;
  const ACC = S + 1;
  const NR = 4 * NV;
  const step: number[] = [];
  for (let v = 0; v < NV; v++) step.push(...get(PB), ...v128Load(16 * v), ...set(W + v));
  for (let r = 0; r < mr; r++) {
    step.push(...get(PA), ...load32Splat(r * l.colStep), ...set(S));
    for (let v = 0; v < NV; v++) step.push(...mulAdd(fused, get(ACC + r * NV + v), get(S), get(W + v)), ...set(ACC + r * NV + v));
  }
  step.push(...get(PA), ...i32(4), ...add, ...set(PA), ...get(PB), ...i32(NR * 4), ...add, ...set(PB), ...get(KI), ...i32(1), ...sub, ...set(KI));
  const minOf = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, ...i32LtS, ...select];
  const tile: number[] = [
    ...minOf([...get(P), ...get(PSTR), ...i32Mul], get(BLAST)), ...set(BOFF),
    ...minOf([...get(P), ...i32(16 * NV), ...i32Mul], get(CLAST)), ...set(COFF),
  ];
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < NV; v++) tile.push(...get(BIAS), ...get(COFF), ...add, ...v128Load(16 * v), ...set(ACC + r * NV + v));
  }
  tile.push(...get(B), ...get(BOFF), ...add, ...set(PB), ...get(XA), ...set(XK));
  tile.push(...forUp(KHI, get(KH), [
    ...get(XK), ...set(PA), ...get(KIN), ...set(KI),
    ...whileDo([...get(KI), ...i32(0), ...i32GtS], step),
    ...get(XK), ...get(KHSTEP), ...add, ...set(XK),
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
  const body = [...get(X), ...set(XR), ...get(C), ...set(CR), ...forUp(ROW, get(ROWS), row), ...end];
  return fnCode([[14, I32], [NV + 1 + mr * NV, V128]], body);
}

/** The module's bytes: conv1 … convMR (tiles of 1 … MR pixels). */
export function implicitConvModuleBytes(t: GemmTile, l: Layout, fused: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(Array.from({ length: t.MR }, (_, i) => ({ name: `conv${i + 1}`, params: i32s(15), code: convFunction(i + 1, t.NV, l, fused), exported: true })));
}

const cache = new WeakMap<WebAssembly.Memory, Map<string, ImplicitConvFn[] | null>>();

/** fns[mr − 1] for this layout bound to the heap, compiled on first use; null when the heap is shared or SIMD is refused. */
export function implicitConvFor(memory: WebAssembly.Memory | undefined, l: Layout, t: GemmTile = DEFAULT_TILE,
  fused = relaxedSimdSupported()): ImplicitConvFn[] | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let byKey = cache.get(memory);
  if (!byKey) cache.set(memory, (byKey = new Map()));
  const key = `${t.MR},${t.NV},${l.colStep},${l.ldc},${fused}`;
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
