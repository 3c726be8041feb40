import { asm, relaxedSimdSupported } from './simd';

/**
 * A register-blocked SIMD GEMM, C[M, N] (+)= A[M, K] · B[K, N], generated per operand layout (row strides are compiled
 * into the loads' constant offsets, so the inner loop advances just two pointers).
 *
 * The micro-kernel computes an MR × 4·NV tile in MR·NV accumulators: per k, NV vector loads of B (one row of the
 * panel), MR load-splats of A (one value of each row), MR·NV multiply-adds (relaxed_madd when the engine has it),
 * the k loop unrolled U times. Tiles walk the rows of A for one panel of 4·NV columns of B before the next panel,
 * so the panel (K × 4·NV floats) stays in cache while A streams.
 *
 * B is read either packed (panel p is K × 4·NV floats at p · panelBytes: `ldb` = 4·NV) or in place (`ldb` = its row
 * length; panel p at column 4·NV·p). The last panel may start before 4·NV·p (bLast/cLast clamp the offsets) so that
 * it ends at column N: it then recomputes a few columns and stores the same values again, which is wrong only when
 * accumulating (callers pad C instead).
 */

/** Compiled row strides and mode: one module per distinct layout. */
export interface GemmLayout {
  /** Row strides in floats (A's stride between rows; between consecutive k it is `ldak`, default 1). */
  lda: number;
  /** A's stride between consecutive k, in floats (1: A row-major; A = Xᵀ for a row-major X: lda 1, ldak X's row length). */
  ldak?: number;
  ldb: number;
  ldc: number;
  /** C += A · B (the accumulators start from C) instead of C = A · B. */
  accumulate: boolean;
  /**
   * Tiles walk every panel for one block of rows before the next block (the rows stay in L1 while all of B is read
   * from L2: for a B that fits there), instead of every block of rows for one panel.
   */
  rowsOuter?: boolean;
}

/** Tile geometry. */
export interface GemmTile {
  /** Rows per tile. */
  MR: number;
  /** Vectors (of four columns) per tile. */
  NV: number;
  /** k steps per loop iteration. */
  U: number;
}

/**
 * gemm(a, b, c, mBlocks, nPanels, K, panelBytes, bLast, cLast): for each panel p < nPanels (B at min(p · panelBytes,
 * bLast) bytes past b, C at min(p · 16·NV, cLast) bytes past c), for each of mBlocks blocks of `mr` rows, one tile.
 */
export type GemmFn = (a: number, b: number, c: number, mBlocks: number, nPanels: number, k: number, panelBytes: number,
  bLast: number, cLast: number) => void;

export interface Gemm {
  tile: GemmTile;
  /** fns[mr − 1]: tiles of mr rows (mr ≤ MR; the last rows of A when MR does not divide M). */
  fns: GemmFn[];
}

const { I32, V128, uleb, get, set, i32, add, sub, i32Mul, block, loop, end, br, brIf, simd, v128Zero, forUp, mulAdd, i32s, fnCode,
  moduleBytes } = asm;
const i32LtS = [0x48];
const i32GeS = [0x4e];
const i32GtS = [0x4a];
const select = [0x1b];
const v128Load = (offset: number) => simd(0x00, 0x00, ...uleb(offset));
const v128Store = (offset: number) => simd(0x0b, 0x00, ...uleb(offset));
const load32Splat = (offset: number) => simd(0x09, 0x02, ...uleb(offset));
const whileDo = (cond: number[], body: number[]) => [...block, ...loop, ...cond, ...[0x45], ...brIf(1), ...body, ...br(0), ...end, ...end];

function gemmFunction(mr: number, t: GemmTile, l: GemmLayout, fused: boolean): number[] {
  const [A, B, C, MB, NP, K, PSTR, BLAST, CLAST] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [P, RB, KI, PA, PB, BOFF, AROW, CROW, CBASE] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const NV = t.NV;
  const [lda, ldak, ldb, ldc] = [l.lda * 4, (l.ldak ?? 1) * 4, l.ldb * 4, l.ldc * 4];
  const W = 18;
  const S = W + NV;
  const ACC = S + 1;
  const step = (u: number) => {
    const code: number[] = [];
    for (let v = 0; v < NV; v++) code.push(...get(PB), ...v128Load(u * ldb + 16 * v), ...set(W + v));
    for (let r = 0; r < mr; r++) {
      code.push(...get(PA), ...load32Splat(r * lda + ldak * u), ...set(S));
      for (let v = 0; v < NV; v++) code.push(...mulAdd(fused, get(ACC + r * NV + v), get(S), get(W + v)), ...set(ACC + r * NV + v));
    }
    return code;
  };
  const advance = (u: number) => [...get(PA), ...i32(ldak * u), ...add, ...set(PA), ...get(PB), ...i32(u * ldb), ...add, ...set(PB),
    ...get(KI), ...i32(u), ...sub, ...set(KI)];
  const unrolled: number[] = [];
  for (let u = 0; u < t.U; u++) unrolled.push(...step(u));
  const tile: number[] = [];
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < NV; v++) {
      if (l.accumulate) tile.push(...get(CROW), ...v128Load(r * ldc + 16 * v), ...set(ACC + r * NV + v));
      else tile.push(...v128Zero, ...set(ACC + r * NV + v));
    }
  }
  tile.push(...get(AROW), ...set(PA), ...get(B), ...get(BOFF), ...add, ...set(PB), ...get(K), ...set(KI));
  if (t.U > 1) tile.push(...whileDo([...get(KI), ...i32(t.U), ...i32GeS], [...unrolled, ...advance(t.U)]));
  tile.push(...whileDo([...get(KI), ...i32(0), ...i32GtS], [...step(0), ...advance(1)]));
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < NV; v++) tile.push(...get(CROW), ...get(ACC + r * NV + v), ...v128Store(r * ldc + 16 * v));
  }
  const minOf = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, ...i32LtS, ...select];
  // BOFF, and CROW = CBASE + the panel's column offset.
  const panelStart = [
    ...minOf([...get(P), ...get(PSTR), ...i32Mul], get(BLAST)), ...set(BOFF),
    ...get(CBASE), ...minOf([...get(P), ...i32(16 * NV), ...i32Mul], get(CLAST)), ...add, ...set(CROW),
  ];
  const nextRows = [...get(AROW), ...i32(mr * lda), ...add, ...set(AROW), ...get(CBASE), ...i32(mr * ldc), ...add, ...set(CBASE)];
  const body = l.rowsOuter
    ? [...get(A), ...set(AROW), ...get(C), ...set(CBASE), ...forUp(RB, get(MB), [...forUp(P, get(NP), [...panelStart, ...tile]), ...nextRows]), ...end]
    : [...forUp(P, get(NP), [...get(A), ...set(AROW), ...get(C), ...set(CBASE), ...panelStart,
        ...forUp(RB, get(MB), [...tile, ...nextRows, ...get(CROW), ...i32(mr * ldc), ...add, ...set(CROW)])]), ...end];
  return fnCode([[9, I32], [NV + 1 + mr * NV, V128]], body);
}

/** The module's bytes: gemm1 … gemmMR. */
export function gemmModuleBytes(t: GemmTile, l: GemmLayout, fused: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(Array.from({ length: t.MR }, (_, i) => ({ name: `gemm${i + 1}`, params: i32s(9), code: gemmFunction(i + 1, t, l, fused), exported: true })));
}

/** The default tile (see bench/gemm-tile.micro.ts). */
export const DEFAULT_TILE: GemmTile = { MR: 4, NV: 2, U: 1 };

const cache = new WeakMap<WebAssembly.Memory, Map<string, Gemm | null>>();

/** The GEMM for this layout bound to the heap, compiled on first use; null when the heap is shared or SIMD is refused. */
export function gemmFor(memory: WebAssembly.Memory | undefined, l: GemmLayout, t: GemmTile = DEFAULT_TILE, fused = relaxedSimdSupported()): Gemm | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let byKey = cache.get(memory);
  if (!byKey) cache.set(memory, (byKey = new Map()));
  const key = `${t.MR},${t.NV},${t.U},${l.lda},${l.ldak ?? 1},${l.ldb},${l.ldc},${l.accumulate},${l.rowsOuter ?? false},${fused}`;
  let g = byKey.get(key);
  if (g === undefined) {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(gemmModuleBytes(t, l, fused)), { env: { memory } });
      const e = instance.exports as Record<string, GemmFn>;
      g = { tile: t, fns: Array.from({ length: t.MR }, (_, i) => e[`gemm${i + 1}`]) };
    } catch {
      g = null;
    }
    byKey.set(key, g);
  }
  return g;
}

/**
 * C (+)= A · B for M rows with `g` (all byte addresses). B is packed (panels of K × 4·NV floats, the last one ending
 * at column N) when `packed`, else read in place with row stride layout.ldb. N ≥ 4·NV.
 */
export function runGemm(g: Gemm, a: number, b: number, c: number, M: number, N: number, K: number, lda: number, ldc: number,
  packed: boolean): void {
  const { MR, NV } = g.tile;
  const NR = 4 * NV;
  const nPanels = Math.ceil(N / NR);
  const panelBytes = packed ? K * NR * 4 : NR * 4;
  const bLast = packed ? (nPanels - 1) * panelBytes : (N - NR) * 4;
  const cLast = (N - NR) * 4;
  const mBlocks = Math.floor(M / MR);
  if (mBlocks > 0) g.fns[MR - 1](a, b, c, mBlocks, nPanels, K, panelBytes, bLast, cLast);
  const rem = M - mBlocks * MR;
  if (rem > 0) g.fns[rem - 1](a + mBlocks * MR * lda * 4, b, c + mBlocks * MR * ldc * 4, 1, nPanels, K, panelBytes, bLast, cLast);
}

/**
 * Packs B [K, N] (row stride ldb floats, starting at float `off` of `src`) into panels of K × NR floats at `dst`
 * (float offset `dstOff`): panel p holds columns min(p · NR, N − NR) …, the last one ending at column N. N ≥ NR.
 */
export function packB(src: Float32Array, off: number, ldb: number, K: number, N: number, NR: number, dst: Float32Array, dstOff: number): void {
  const nPanels = Math.ceil(N / NR);
  for (let p = 0; p < nPanels; p++) {
    const c0 = Math.min(p * NR, N - NR);
    let d = dstOff + p * K * NR;
    for (let k = 0; k < K; k++) {
      const s = off + k * ldb + c0;
      for (let j = 0; j < NR; j++) dst[d++] = src[s + j];
    }
  }
}

/**
 * Packs Bᵀ where B = src viewed as [N, K] (row stride K): the panels of the [K, N] matrix whose column n is src's row n
 * (the input gradient's Wᵀ, straight from the filter [KK, CO] without a transpose).
 */
export function packBT(src: Float32Array, off: number, K: number, N: number, NR: number, dst: Float32Array, dstOff: number): void {
  const nPanels = Math.ceil(N / NR);
  for (let p = 0; p < nPanels; p++) {
    const c0 = Math.min(p * NR, N - NR);
    const d = dstOff + p * K * NR;
    for (let j = 0; j < NR; j++) {
      const s = off + (c0 + j) * K;
      for (let k = 0; k < K; k++) dst[d + k * NR + j] = src[s + k];
    }
  }
}

/**
 * Packs B [K, N] (row stride ldb floats) into panels of K × NR floats at `dst`, panel p holding columns p · NR … and
 * zeros past column N (for accumulating products, where the clamped last panel of {@link packB} would add twice).
 */
export function packBPadded(src: Float32Array, off: number, ldb: number, K: number, N: number, NR: number, dst: Float32Array, dstOff: number): void {
  const nPanels = Math.ceil(N / NR);
  for (let p = 0; p < nPanels; p++) {
    const c0 = p * NR;
    const w = Math.min(NR, N - c0);
    let d = dstOff + p * K * NR;
    for (let k = 0; k < K; k++) {
      const s = off + k * ldb + c0;
      for (let j = 0; j < w; j++) dst[d + j] = src[s + j];
      for (let j = w; j < NR; j++) dst[d + j] = 0;
      d += NR;
    }
  }
}
