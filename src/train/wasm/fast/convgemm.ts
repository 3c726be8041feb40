import type * as tfjs from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf, transpose2D } from './heap';
import { DEFAULT_TILE, gemmFor, packB, packBPadded, packBT, runGemm, type GemmTile } from './gemm';
import { im2colChunks, windowedInput } from './conv';
import type { SimdKernels } from './simd';

/**
 * The three convolution products on the register-blocked GEMM of ./gemm.ts (weights packed once per call into the
 * panels its micro-kernel reads):
 * - forward: out[n·oh·ow, CO] = cols[·, KH·KW·CI] · W, cols made a few images at a time by the SIMD im2col walk;
 * - input gradient: cols = dy · Wᵀ, then the SIMD col2im scatter-add (see conv.ts' inputGradGemm);
 * - filter gradient: dWᵀ[CO, KK] += dyᵀ[CO, pixels] · cols[pixels, KK] per chunk of images, transposed at the end.
 */

type Info = tfjs.backend_util.Conv2DInfo;

/** Columns of one tile (the packed panels' width). */
export const tileColumns = (t: GemmTile = DEFAULT_TILE) => 4 * t.NV;

/** Weights packed for the forward product; the caller disposes the result. W [KK, CO] in place → panels of NR columns. */
function packedWeights(be: WasmBackend, filter: TensorInfo, KK: number, CO: number, NR: number, transposed: boolean): TensorInfo {
  const N = transposed ? KK : CO;
  const K = transposed ? CO : KK;
  const wp = be.makeOutput([Math.ceil(N / NR) * K * NR], 'float32');
  const src = be.typedArrayFromHeap(filter) as Float32Array;
  const dst = be.typedArrayFromHeap(wp) as Float32Array;
  if (transposed) packBT(src, 0, K, N, NR, dst, 0);
  else packB(src, 0, CO, KK, CO, NR, dst, 0);
  return wp;
}

/**
 * Forward convolution: im2col (a chunk of at most `chunkFloats` column floats, whole images) and the GEMM with the
 * packed filter, rows outer (the packed filter is read from L2 once per block of rows). Needs CO ≥ the tile's columns
 * and no dilation; the caller checks.
 */
export function forwardGemm4(be: WasmBackend, x: TensorInfo, filter: TensorInfo, c: Info, simd: SimdKernels, chunkFloats: number,
  tile: GemmTile = DEFAULT_TILE): TensorInfo | null {
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW } = c;
  const KK = KH * KW * CI;
  const NR = tileColumns(tile);
  const g = gemmFor(heapOf(be), { lda: KK, ldb: NR, ldc: CO, accumulate: false, rowsOuter: true }, tile);
  if (!g || CO < NR) return null;
  const out = be.makeOutput([N, OH, OW, CO], 'float32');
  const wp = packedWeights(be, filter, KK, CO, NR, false);
  const wOff = offsetOf(be, wp);
  const oOff = offsetOf(be, out);
  im2colChunks(be, x, c, simd, chunkFloats, (cOff, n0, M) => runGemm(g, cOff, wOff, oOff + n0 * OH * OW * CO * 4, M, CO, KK, KK, CO, true));
  be.disposeData(wp.dataId);
  return out;
}

/**
 * The input gradient's product for one chunk: cols[M, KK] = dy[M, CO] · Wᵀ, Wᵀ packed by {@link packInputGradWeights}.
 * Returns false when the GEMM is unavailable.
 */
export function inputGradProduct(be: WasmBackend, dyOff: number, wpOff: number, colsOff: number, M: number, CO: number, KK: number,
  tile: GemmTile = DEFAULT_TILE): boolean {
  const g = gemmFor(heapOf(be), { lda: CO, ldb: tileColumns(tile), ldc: KK, accumulate: false, rowsOuter: true }, tile);
  if (!g) return false;
  runGemm(g, dyOff, wpOff, colsOff, M, KK, CO, CO, KK, true);
  return true;
}

/** Whether the tiled GEMM compiles against this backend's heap (unshared memory, SIMD). */
export function gemmAvailable(be: WasmBackend): boolean {
  return gemmFor(heapOf(be), { lda: 1, ldb: tileColumns(), ldc: tileColumns(), accumulate: false }) !== null;
}

/** Wᵀ [CO, KK] of a filter [KK, CO] packed for {@link inputGradProduct} (KK ≥ the tile's columns); the caller disposes it. */
export function packInputGradWeights(be: WasmBackend, filter: TensorInfo, KK: number, CO: number, tile: GemmTile = DEFAULT_TILE): TensorInfo {
  return packedWeights(be, filter, KK, CO, tileColumns(tile), true);
}

/** Tuning of {@link filterGradGemm4}. */
export interface FilterGemmOptions {
  /** Most bytes of dyᵀ per chunk (it is re-read once per panel of columns, so it should stay in L2). */
  dyBytes: number;
  /** Most bytes of columns per chunk. */
  colsBytes: number;
  /** Pack the columns into panels when a row of them is longer than this many floats (else read them in place). */
  packAbove: number;
  tile: GemmTile;
}

export const defaultFilterGemmOptions: FilterGemmOptions = { dyBytes: 1 << 17, colsBytes: 1 << 20, packAbove: 512, tile: DEFAULT_TILE };

/**
 * The filter gradient: per chunk of images, cols [M, KK] by the SIMD im2col walk and dyᵀ [CO, M], then
 * accᵀ[CO, KKp] += dyᵀ · cols in the accumulating GEMM (KKp: KK rounded up to whole panels; the columns past KK are
 * never read back). cols is read in place (a panel's loads run past KK into the next row, or past the end into a
 * zeroed tail: their products land in the padding) or, for long rows, packed first. dW = accᵀ transposed.
 */
export function filterGradGemm4(be: WasmBackend, x: TensorInfo, dy: TensorInfo, c: Info, simd: SimdKernels,
  options: Partial<FilterGemmOptions> = {}): TensorInfo | null {
  const o = { ...defaultFilterGemmOptions, ...options };
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  const KK = KH * KW * CI;
  const NR = tileColumns(o.tile);
  const KKp = Math.ceil(KK / NR) * NR;
  const packed = KK > o.packAbove;
  const pix = OH * OW;
  const imgs = Math.max(1, Math.min(N, Math.floor(o.dyBytes / (CO * pix * 4)), Math.floor(o.colsBytes / (KK * pix * 4))));
  const layout = (M: number) => ({ lda: M, ldb: packed ? NR : KK, ldc: KKp, accumulate: true });
  const heap = heapOf(be);
  if (!gemmFor(heap, layout(imgs * pix), o.tile)) return null;
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  const acc = be.makeOutput([CO, KKp], 'float32');
  const cols = be.makeOutput([imgs * pix * KK + NR], 'float32');
  const dyT = be.makeOutput([CO, imgs * pix], 'float32');
  const bp = packed ? be.makeOutput([(KKp / NR) * imgs * pix * NR], 'float32') : null;
  be.typedArrayFromHeap(acc).fill(0);
  be.typedArrayFromHeap(cols).fill(0);
  const imgBytes = Hx * Wx * CI * 4;
  const xOff = offsetOf(be, xs);
  const cOff = offsetOf(be, cols);
  const aOff = offsetOf(be, acc);
  const tOff = offsetOf(be, dyT);
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nb = Math.min(imgs, N - n0);
    const M = nb * pix;
    simd.im2col(cOff, xOff + n0 * imgBytes, nb, OH, OW, KH, KW * CI * 4, imgBytes, SH * Wx * CI * 4, SW * CI * 4, Wx * CI * 4);
    transpose2D(be.typedArrayFromHeap(dy) as Float32Array, n0 * pix * CO, be.typedArrayFromHeap(dyT) as Float32Array, 0, M, CO);
    if (bp) packBPadded(be.typedArrayFromHeap(cols) as Float32Array, 0, KK, M, KK, NR, be.typedArrayFromHeap(bp) as Float32Array, 0);
    const g = gemmFor(heap, layout(M), o.tile)!;
    runGemm(g, tOff, bp ? offsetOf(be, bp) : cOff, aOff, CO, KKp, M, M, KKp, bp !== null);
  }
  be.disposeData(cols.dataId);
  be.disposeData(dyT.dataId);
  if (bp) be.disposeData(bp.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
  const out = be.makeOutput([KH, KW, CI, CO], 'float32');
  const A = be.typedArrayFromHeap(acc) as Float32Array;
  const O = be.typedArrayFromHeap(out) as Float32Array;
  for (let co = 0; co < CO; co++) {
    const s = co * KKp;
    for (let k = 0; k < KK; k++) O[k * CO + co] = A[s + k];
  }
  be.disposeData(acc.dataId);
  return out;
}
