import type * as tfjs from '@tensorflow/tfjs';
import { product, type Tf } from '../../../../nodes/lib/define';
import type { ConvAttrs, ExplicitPadding, TensorInfo, WasmBackend } from '../backend-types';
import { callKernel, heapOf, offsetOf, transpose2D } from './heap';
import { MULTI_TAPS, simdKernels, type SimdKernels } from './simd';
import { gather4, type Gather4 } from './gather';
import { filterGradGemm4, gemmAvailable, inputGradProduct, packInputGradWeights, tileColumns, type FilterGemmOptions } from './convgemm';
import { copyRowsFor, implicitFilterGrad, implicitInputGrad } from './implicit';

/**
 * Convolution gradients on wasm. When the hand-assembled SIMD module of ./simd.ts is available, the filter gradient
 * runs in its SIMD loop, and the input gradient (with a stride or a valid padding) is a GEMM on the stock BatchMatMul
 * plus its col2im scatter-add loop; otherwise both are expressed as the backend's own forward Conv2D (XNNPACK, SIMD)
 * on rearranged tensors instead of scalar loops:
 *
 * - input gradient: dx = conv(dy dilated by the stride, the filter rotated 180° with its in/out channels swapped),
 *   "full" padding (kernel − 1 − the forward pad on each side);
 * - filter gradient: dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − top, ow·s + kw − left, ci] · dy[n, oh, ow, co]
 *   is a convolution of x viewed as [ci, H, W, n] (ci as the batch, the batch as channels) with dy viewed as
 *   [OH, OW, n, co] (one huge filter), dilated by the forward stride; its [ci, KH, KW, co] result is transposed back.
 *
 * Channels-last only, like the rest of the wasm backend; the few shapes the rewrite cannot express (a padding larger
 * than the kernel) go to the fallback kernel given.
 */

function info(tf: Tf, kernel: string, xShape: number[], filterShape: number[], a: ConvAttrs) {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm: only NHWC is supported, got ${a.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad as 'valid',
    a.dimRoundingMode,
  );
}

/** Tuning of {@link conv2DBackpropInputKernel}'s GEMM path (exported for the tests and the bench). */
export interface InputGradOptions {
  /** Use the GEMM + col2im path when the SIMD module is available (default true). */
  gemm: boolean;
  /** Upper bound on the floats of one chunk of columns (whole images per chunk, at least one). */
  chunkFloats: number;
  /** Use the GEMM path even where the forward rewrite does as little work (tests). */
  forceGemm: boolean;
  /** The product in the SIMD module's gemmPairs loop rather than the stock BatchMatMul (when W has ≥ 16 columns). */
  ownGemm: boolean;
  /** The product in the register-blocked GEMM of ./gemm.ts (packed Wᵀ) rather than gemmPairs, when it applies. */
  tiled: boolean;
  /**
   * Stride-1 convolutions whose input and output have the same size (the forward rewrite does as much work) go to the
   * GEMM path too when it is tiled and CO is at least this (ignored otherwise). Off by default: the rewrite's forward
   * Conv2D is itself the tiled GEMM (./conv1.ts), and the two run at the same rate on vgg-small's and ResNet-20's layers.
   */
  tiledSameFrom: number;
  /** Strided convolutions by {@link implicitInputGrad} (one stride-1 implicit GEMM per phase of dx) where it applies. */
  implicit: boolean;
}

const defaultInputGradOptions: InputGradOptions = { gemm: true, chunkFloats: 1 << 18, forceGemm: false, ownGemm: true, tiled: true, tiledSameFrom: Infinity,
  implicit: true };

/**
 * The input gradient as a matrix product and a scatter-add: cols[n·oh·ow, kh·kw·ci] = dy[n·oh·ow, co] · Wᵀ[co, kh·kw·ci]
 * on the backend's stock BatchMatMul (XNNPACK), then each column row added into its window of a buffer spanning every
 * window ([N, (OH−1)·SH + KH, (OW−1)·SW + KW, CI], the padded input) by the SIMD col2im loop; the buffer is dx itself
 * when there is no padding and every row and column is in a window, else dx is cropped from it. Only the products
 * that reach dx are computed (the full-padding forward rewrite also multiplies the zeros around dy and, for strides,
 * those inserted between its rows). Columns are made a few images at a time so they stay in cache.
 */
function inputGradGemm(be: WasmBackend, dy: TensorInfo, filter: TensorInfo, c: ReturnType<typeof info>, matMul: tfjs.KernelConfig,
  col2im: SimdKernels['col2im'], gemmPairs: SimdKernels['gemmPairs'] | null, chunkFloats: number, tiled: boolean): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const KK = KH * KW * CI;
  const HP = (OH - 1) * SH + KH;
  const WP = (OW - 1) * SW + KW;
  const direct = top === 0 && left === 0 && HP === H && WP === W;
  const out = be.makeOutput([N, H, W, CI], 'float32');
  const buf = direct ? out : be.makeOutput([N, HP, WP, CI], 'float32');
  be.typedArrayFromHeap(buf).fill(0);
  const pix = OH * OW;
  const imgs = Math.max(1, Math.min(N, Math.floor(chunkFloats / (pix * KK))));
  const imgBytes = HP * WP * CI * 4;
  // The tiled GEMM reads Wᵀ packed into panels (made once per call) instead of wt.
  const wp = tiled && KK >= tileColumns() && gemmAvailable(be) ? packInputGradWeights(be, filter, KK, CO) : null;
  let wt: TensorInfo | null = null;
  if (!wp) {
    wt = be.makeOutput([CO, KK], 'float32');
    transpose2D(be.typedArrayFromHeap(filter), 0, be.typedArrayFromHeap(wt), 0, KK, CO);
  }
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nb = Math.min(imgs, N - n0);
    if (wp) {
      const M = nb * pix;
      const cols = be.makeOutput([M, KK], 'float32');
      const cOff = offsetOf(be, cols);
      inputGradProduct(be, offsetOf(be, dy) + n0 * pix * CO * 4, offsetOf(be, wp), cOff, M, CO, KK);
      col2im(cOff, offsetOf(be, buf) + n0 * imgBytes, nb, OH, OW, KH, KW * CI * 4, imgBytes, SH * WP * CI * 4, SW * CI * 4, WP * CI * 4);
      be.disposeData(cols.dataId);
      continue;
    }
    if (!wt) throw new Error('unreachable');
    if (gemmPairs && KK >= 16) {
      // The SIMD loop: two rows of dy (one from each half of the chunk) per pass over W.
      const M = nb * pix;
      const half = M >> 1;
      const cols = be.makeOutput([M, KK], 'float32');
      const cOff = offsetOf(be, cols);
      const dOff = offsetOf(be, dy) + n0 * pix * CO * 4;
      const wOff = offsetOf(be, wt);
      const vblocks = Math.ceil(KK / 16);
      const lastOff = (KK - 16) * 4;
      if (half > 0) gemmPairs(dOff, dOff + half * CO * 4, wOff, cOff, cOff + half * KK * 4, half, CO, KK, vblocks, lastOff);
      if (M & 1) gemmPairs(dOff + (M - 1) * CO * 4, dOff + (M - 1) * CO * 4, wOff, cOff + (M - 1) * KK * 4, cOff + (M - 1) * KK * 4, 1, CO, KK, vblocks, lastOff);
      col2im(cOff, offsetOf(be, buf) + n0 * imgBytes, nb, OH, OW, KH, KW * CI * 4, imgBytes, SH * WP * CI * 4, SW * CI * 4, WP * CI * 4);
      be.disposeData(cols.dataId);
      continue;
    }
    let a: TensorInfo = { ...dy, shape: [nb * pix, CO] };
    if (nb !== N) {
      a = be.makeOutput([nb * pix, CO], 'float32');
      be.typedArrayFromHeap(a).set(be.typedArrayFromHeap(dy).subarray(n0 * pix * CO, (n0 + nb) * pix * CO));
    }
    const cols = matMul.kernelFunc({ inputs: { a, b: wt }, backend: be as unknown as tfjs.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    if (a.dataId !== dy.dataId) be.disposeData(a.dataId);
    col2im(offsetOf(be, cols), offsetOf(be, buf) + n0 * imgBytes, nb, OH, OW, KH, KW * CI * 4, imgBytes, SH * WP * CI * 4, SW * CI * 4, WP * CI * 4);
    be.disposeData(cols.dataId);
  }
  if (wt) be.disposeData(wt.dataId);
  if (wp) be.disposeData(wp.dataId);
  if (!direct) {
    // dx[n, h, w] = buf[n, h + top, w + left]; rows and columns past the last window get no gradient.
    const bs = be.typedArrayFromHeap(buf);
    const os = be.typedArrayFromHeap(out);
    os.fill(0);
    const hn = Math.min(H, HP - top);
    const wn = Math.min(W, WP - left) * CI;
    if (wn > 0) {
      for (let n = 0; n < N; n++) {
        for (let h = 0; h < hn; h++) {
          const s = ((n * HP + h + top) * WP + left) * CI;
          os.set(bs.subarray(s, s + wn), (n * H + h) * W * CI);
        }
      }
    }
    be.disposeData(buf.dataId);
  }
  return out;
}

/**
 * `Conv2DBackpropInput`: with the SIMD module, a GEMM on the stock `matMul` and a col2im scatter-add
 * ({@link inputGradGemm}); otherwise a forward Conv2D on the dilated dy and the rotated filter, with `fallback` for
 * paddings that rewrite cannot express.
 */
export function conv2DBackpropInputKernel(tf: Tf, fallback: tfjs.KernelConfig | undefined, matMul?: tfjs.KernelConfig,
  options: Partial<InputGradOptions> = {}): tfjs.KernelFunc {
  const opts = { ...defaultInputGradOptions, ...options };
  return (args) => {
    const { inputs, backend, attrs } = args;
    const be = backend as unknown as WasmBackend;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const c = info(tf, 'Conv2DBackpropInput', a.inputShape!, filter.shape, a);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
      filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
    const HD = (OH - 1) * SH + 1;
    const WD = (OW - 1) * SW + 1;
    const pt = KH - 1 - c.padInfo.top;
    const pl = KW - 1 - c.padInfo.left;
    const pb = H - HD + KH - 1 - pt;
    const pr = W - WD + KW - 1 - pl;
    const forwardFits = pt >= 0 && pl >= 0 && pb >= 0 && pr >= 0;
    if (opts.implicit && (SH > 1 || SW > 1) && dy.dtype === 'float32' && filter.dtype === 'float32') {
      const out = implicitInputGrad(be, dy, filter, c);
      if (out) return out;
    }
    const simd = opts.gemm && matMul && dy.dtype === 'float32' && c.padInfo.top >= 0 && c.padInfo.left >= 0 ? simdKernels(heapOf(be)) : null;
    // The forward rewrite multiplies H·W·KH·KW·CI·CO per image, the GEMM OH·OW·KH·KW·CI·CO: with a stride or a valid
    // padding the GEMM does much less (LeNet's conv2: 2× less, stride 2: 4×) and runs faster; for a stride-1 'same'
    // convolution they do the same work and XNNPACK's convolution is a little faster.
    // The rewrite's forward convolution has CI output channels: fewer than a tile's columns leave it to XNNPACK, at a
    // quarter of the GEMM's rate on a 3-channel input layer (whose input gradient tfjs' fused convolution computes).
    const gemmPays = H * W >= 1.2 * OH * OW || opts.forceGemm || !forwardFits || (opts.tiled && opts.ownGemm && CO >= opts.tiledSameFrom)
      || (opts.tiled && opts.ownGemm && CI < tileColumns() && KH * KW * CI >= tileColumns());
    if (simd && matMul && gemmPays) {
      return inputGradGemm(be, dy, filter, c, matMul, simd.col2im, opts.ownGemm ? simd.gemmPairs : null, opts.chunkFloats, opts.ownGemm && opts.tiled);
    }
    if (!forwardFits) {
      if (!fallback) throw new Error('Conv2DBackpropInput on wasm: a padding larger than the kernel is not supported');
      return fallback.kernelFunc(args);
    }
    // Rotated filter: F[kh, kw, co, ci] = W[KH−1−kh, KW−1−kw, ci, co].
    const rot = be.makeOutput([KH, KW, CO, CI], 'float32');
    let dyd: TensorInfo = dy;
    if (SH > 1 || SW > 1) dyd = be.makeOutput([N, HD, WD, CO], 'float32');
    const fs = be.typedArrayFromHeap(filter);
    const rs = be.typedArrayFromHeap(rot);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
        transpose2D(fs, src, rs, (kh * KW + kw) * CO * CI, CI, CO);
      }
    }
    if (dyd !== dy) {
      const ds = be.typedArrayFromHeap(dy);
      const dd = be.typedArrayFromHeap(dyd);
      dd.fill(0);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const s = ((n * OH + oh) * OW + ow) * CO;
            const d = ((n * HD + oh * SH) * WD + ow * SW) * CO;
            for (let k = 0; k < CO; k++) dd[d + k] = ds[s + k];
          }
        }
      }
    }
    const pad: ExplicitPadding = [[0, 0], [pt, pb], [pl, pr], [0, 0]];
    const out = callKernel(tf, 'Conv2D', backend, { x: dyd, filter: rot }, { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
    be.disposeData(rot.dataId);
    if (dyd !== dy) be.disposeData(dyd.dataId);
    return out;
  };
}

/**
 * Whether the SIMD filter-gradient loops may read dy: their last channel group loads up to three floats past dy's end
 * (lanes they discard), which must still be inside the heap.
 */
function dyTailInHeap(be: WasmBackend, dy: TensorInfo): boolean {
  return offsetOf(be, dy) + (product(dy.shape) + 4) * 4 <= heapOf(be)!.buffer.byteLength;
}

/**
 * The filter gradient with the SIMD loop of ./simd.ts: for each filter tap (kh, kw, ci), one pass over the output
 * positions whose input is in bounds, accumulating x · dy[·, 16 channels] in up to four vectors. No transposes, no
 * copies; faster than the XNNPACK rewrite for LeNet's layers. Null when the SIMD module is unavailable or
 * the tail read past the last dy channel group could leave the heap.
 */
function filterGradSimd(be: WasmBackend, x: TensorInfo, dy: TensorInfo, c: ReturnType<typeof info>): TensorInfo | null {
  const simd = simdKernels(heapOf(be));
  if (!simd) return null;
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const dyOff = offsetOf(be, dy);
  if (!dyTailInHeap(be, dy)) return null;
  const out = be.makeOutput([KH, KW, CI, CO], 'float32');
  const scratch = be.makeOutput([16], 'float32');
  const xOff = offsetOf(be, x);
  const sOff = offsetOf(be, scratch);
  const os = be.typedArrayFromHeap(out);
  const ss = be.typedArrayFromHeap(scratch);
  os.fill(0);
  const xCol = SW * CI * 4;
  const xRow = SH * W * CI * 4;
  const xImg = H * W * CI * 4;
  const dyCol = CO * 4;
  const dyRow = OW * CO * 4;
  const dyImg = OH * OW * CO * 4;
  for (let kh = 0; kh < KH; kh++) {
    const ohLo = Math.max(0, Math.ceil((top - kh) / SH));
    const ohHi = Math.min(OH, Math.floor((H - 1 + top - kh) / SH) + 1);
    if (ohHi <= ohLo) continue;
    for (let kw = 0; kw < KW; kw++) {
      const owLo = Math.max(0, Math.ceil((left - kw) / SW));
      const owHi = Math.min(OW, Math.floor((W - 1 + left - kw) / SW) + 1);
      if (owHi <= owLo) continue;
      for (let ci = 0; ci < CI; ci++) {
        const xPtr = xOff + (((ohLo * SH + kh - top) * W + (owLo * SW + kw - left)) * CI + ci) * 4;
        for (let g = 0; g < CO; g += 16) {
          const B = Math.min(4, Math.ceil((CO - g) / 4));
          const dyPtr = dyOff + ((ohLo * OW + owLo) * CO + g) * 4;
          simd.filterGrad[B - 1](xPtr, dyPtr, sOff, N, ohHi - ohLo, owHi - owLo, xCol, xRow, xImg, dyCol, dyRow, dyImg);
          const d = ((kh * KW + kw) * CI + ci) * CO + g;
          for (let j = 0; j < Math.min(16, CO - g); j++) os[d + j] = ss[j];
        }
      }
    }
  }
  be.disposeData(scratch.dataId);
  return out;
}

/**
 * The filter gradient with the multi-tap SIMD loops of ./simd.ts: for each kernel row, T consecutive (kw, ci) taps
 * at once (they are consecutive floats of x, and consecutive rows of dW), so one dy load serves T taps and one x load
 * B channel vectors — about half the loads per multiply-add of {@link filterGradSimd}. All taps of a call must share
 * the output span, so a padded input is first copied into a zero-padded buffer covering every window.
 */
function filterGradMultiTap(be: WasmBackend, x: TensorInfo, dy: TensorInfo, c: ReturnType<typeof info>, chunkBytes: number,
  maxAcc: number): TensorInfo | null {
  const simd = simdKernels(heapOf(be));
  if (!simd) return null;
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  if (!dyTailInHeap(be, dy)) return null;
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  const out = be.makeOutput([KH, KW, CI, CO], 'float32');
  const scratch = be.makeOutput([16 * MULTI_TAPS[0]], 'float32');
  const xOff = offsetOf(be, xs);
  const dyOff = offsetOf(be, dy);
  const sOff = offsetOf(be, scratch);
  const os = be.typedArrayFromHeap(out);
  const ss = be.typedArrayFromHeap(scratch);
  const taps = KW * CI;
  const xCol = SW * CI * 4;
  const xRow = SH * Wx * CI * 4;
  const xImg = Hx * Wx * CI * 4;
  const dyCol = CO * 4;
  const dyRow = OW * CO * 4;
  const dyImg = OH * OW * CO * 4;
  os.fill(0);
  // A few images at a time, so that their x and dy stay in cache across the KH · ⌈KW·CI / T⌉ passes.
  const imgs = Math.max(1, Math.floor(chunkBytes / (xImg + dyImg)));
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nb = Math.min(imgs, N - n0);
    for (let g = 0; g < CO; g += 16) {
      const B = Math.min(4, Math.ceil((CO - g) / 4));
      const width = Math.min(16, CO - g);
      const tMax = Math.max(1, Math.min(MULTI_TAPS[B - 1], Math.floor(maxAcc / B)));
      for (let kh = 0; kh < KH; kh++) {
        for (let t0 = 0; t0 < taps; t0 += tMax) {
          const T = Math.min(tMax, taps - t0);
          simd.filterGradMulti[B - 1][T - 1](xOff + n0 * xImg + (kh * Wx * CI + t0) * 4, dyOff + n0 * dyImg + g * 4, sOff, nb, OH, OW,
            xCol, xRow, xImg, dyCol, dyRow, dyImg);
          for (let t = 0; t < T; t++) {
            const d = (kh * taps + t0 + t) * CO + g;
            for (let j = 0; j < width; j++) os[d + j] += ss[t * B * 4 + j];
          }
        }
      }
    }
  }
  be.disposeData(scratch.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
  return out;
}

/**
 * The filter gradient as one matrix product per chunk of images, for layers with many channels (where the tap-by-tap
 * loops above re-read dy once per tap and stop paying): dW[KH·KW·CI, CO] += colsᵀ · dy, where colsᵀ[(kh, kw, ci), pixel]
 * holds, for each output pixel of the chunk, the input value that tap multiplies. colsᵀ is built from a channel-planar
 * copy of each (zero-padded) image, so each of its rows is a strided walk over one plane (both rearrangements in the
 * gather4 loop of ./gather.ts, one call per tap); the product runs in the
 * accumulating gemmPairs loop with the chunk's dy (at most `chunkBytes`, so it stays in cache) as W. dy is used in place
 * when CO is a multiple of 16, else copied with zero columns up to one.
 */
export function filterGradGemm(be: WasmBackend, x: TensorInfo, dy: TensorInfo, c: ReturnType<typeof info>, simd: SimdKernels,
  gather: Gather4, chunkBytes: number): TensorInfo {
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  const KK = KH * KW * CI;
  const COp = Math.ceil(CO / 16) * 16;
  const pix = OH * OW;
  const plane = Hx * Wx;
  const imgs = Math.max(1, Math.min(N, Math.floor(chunkBytes / (pix * COp * 4))));
  const acc = be.makeOutput(COp === CO ? [KH, KW, CI, CO] : [KK, COp], 'float32');
  const planes = be.makeOutput([imgs, CI, plane], 'float32');
  const colsT = be.makeOutput([KK, imgs * pix], 'float32');
  const dyp = COp === CO ? null : be.makeOutput([imgs * pix, COp], 'float32');
  be.typedArrayFromHeap(acc).fill(0);
  if (dyp) be.typedArrayFromHeap(dyp).fill(0);
  const accOff = offsetOf(be, acc);
  const tOff = offsetOf(be, colsT);
  const vblocks = COp / 16;
  const lastOff = (COp - 16) * 4;
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nb = Math.min(imgs, N - n0);
    const M = nb * pix;
    // planes[n][ci][pixel] = x[n0 + n][pixel][ci], then colsᵀ's rows for each tap (kh, kw): (ci, n, oh, ow) walks.
    const pOff = offsetOf(be, planes);
    gather(offsetOf(be, xs) + n0 * plane * CI * 4, pOff, 1, 0, nb, plane * CI * 4, CI, 4, plane, CI * 4);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        gather(pOff + (kh * Wx + kw) * 4, tOff + (kh * KW + kw) * CI * M * 4, CI, plane * 4, nb, CI * plane * 4, OH, SH * Wx * 4, OW, SW * 4);
      }
    }
    let wOff = offsetOf(be, dy) + n0 * pix * CO * 4;
    if (dyp) {
      const D = be.typedArrayFromHeap(dy);
      const DP = be.typedArrayFromHeap(dyp);
      for (let m = 0; m < M; m++) DP.set(D.subarray((n0 * pix + m) * CO, (n0 * pix + m + 1) * CO), m * COp);
      wOff = offsetOf(be, dyp);
    }
    const half = KK >> 1;
    if (half > 0) simd.gemmPairsAcc(tOff, tOff + half * M * 4, wOff, accOff, accOff + half * COp * 4, half, M, COp, vblocks, lastOff);
    if (KK & 1) {
      const r = KK - 1;
      simd.gemmPairsAcc(tOff + r * M * 4, tOff + r * M * 4, wOff, accOff + r * COp * 4, accOff + r * COp * 4, 1, M, COp, vblocks, lastOff);
    }
  }
  be.disposeData(planes.dataId);
  be.disposeData(colsT.dataId);
  if (dyp) be.disposeData(dyp.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
  if (COp === CO) return acc;
  const out = be.makeOutput([KH, KW, CI, CO], 'float32');
  const A = be.typedArrayFromHeap(acc);
  const O = be.typedArrayFromHeap(out);
  for (let r = 0; r < KK; r++) O.set(A.subarray(r * COp, r * COp + CO), r * CO);
  be.disposeData(acc.dataId);
  return out;
}

/**
 * Forward convolution as im2col + the gemmPairs loop: cols[n·oh·ow, kh·kw·ci] copied out of the (zero-padded) input by
 * the SIMD im2col walk, then out = cols · W with W read in place as [KH·KW·CI, CO]. A few images at a time. Needs
 * CO ≥ 16 (gemmPairs' column blocks) and no dilation; the caller checks.
 */
export function forwardGemm(be: WasmBackend, x: TensorInfo, filter: TensorInfo, c: ReturnType<typeof info>, simd: SimdKernels,
  chunkFloats: number): TensorInfo {
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW } = c;
  const KK = KH * KW * CI;
  const out = be.makeOutput([N, OH, OW, CO], 'float32');
  const wOff = offsetOf(be, filter);
  const oOff = offsetOf(be, out);
  const vblocks = Math.ceil(CO / 16);
  const lastOff = (CO - 16) * 4;
  im2colChunks(be, x, c, simd, chunkFloats, (cOff, n0, M) => {
    const half = M >> 1;
    const o = oOff + n0 * OH * OW * CO * 4;
    if (half > 0) simd.gemmPairs(cOff, cOff + half * KK * 4, wOff, o, o + half * CO * 4, half, KK, CO, vblocks, lastOff);
    if (M & 1) simd.gemmPairs(cOff + (M - 1) * KK * 4, cOff + (M - 1) * KK * 4, wOff, o + (M - 1) * CO * 4, o + (M - 1) * CO * 4, 1, KK, CO, vblocks, lastOff);
  });
  return out;
}

/**
 * The forward convolution's im2col, a few whole images at a time (at most `chunkFloats` column floats, at least one
 * image): for each chunk, cols[n·oh·ow, kh·kw·ci] is copied out of the (zero-padded) input by the SIMD im2col walk and
 * `product(colsOffset, firstImage, rows)` multiplies it. Owns the columns and the padded copy of x.
 */
export function im2colChunks(be: WasmBackend, x: TensorInfo, c: ReturnType<typeof info>, simd: SimdKernels, chunkFloats: number,
  product: (colsOffset: number, n0: number, rows: number) => void): void {
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW,
    strideHeight: SH, strideWidth: SW } = c;
  const { xs, Hx, Wx } = windowedInput(be, x, c);
  const KK = KH * KW * CI;
  const pix = OH * OW;
  const imgs = Math.max(1, Math.min(N, Math.floor(chunkFloats / (pix * KK))));
  const imgBytes = Hx * Wx * CI * 4;
  const cols = be.makeOutput([imgs * pix, KK], 'float32');
  const cOff = offsetOf(be, cols);
  const xOff = offsetOf(be, xs);
  for (let n0 = 0; n0 < N; n0 += imgs) {
    const nb = Math.min(imgs, N - n0);
    simd.im2col(cOff, xOff + n0 * imgBytes, nb, OH, OW, KH, KW * CI * 4, imgBytes, SH * Wx * CI * 4, SW * CI * 4, Wx * CI * 4);
    product(cOff, n0, nb * pix);
  }
  be.disposeData(cols.dataId);
  if (xs !== x) be.disposeData(xs.dataId);
}

/**
 * x as the windows read it: x itself when every window lies inside it, else a zero-padded copy [N, HP, WP, CI] that
 * covers every window, with x at (top, left) and only what falls inside the copy copied. Hx, Wx: its height and width.
 * The caller disposes `xs` when it is not x.
 */
export function windowedInput(be: WasmBackend, x: TensorInfo, c: ReturnType<typeof info>): { xs: TensorInfo; Hx: number; Wx: number } {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const HP = (OH - 1) * SH + KH;
  const WP = (OW - 1) * SW + KW;
  if (!(top > 0 || left > 0 || HP > H || WP > W)) return { xs: x, Hx: H, Wx: W };
  const xs = be.makeOutput([N, HP, WP, CI], 'float32');
  const src = be.typedArrayFromHeap(x);
  const dst = be.typedArrayFromHeap(xs);
  const h0 = Math.max(0, -top);
  const h1 = Math.min(H, HP - top);
  const w0 = Math.max(0, -left);
  const w1 = Math.min(W, WP - left);
  const copyRows = w1 > w0 && h1 > h0 ? copyRowsFor(heapOf(be)) : null;
  if (!copyRows) dst.fill(0);
  if (w1 > w0 && h1 > h0) {
    if (copyRows) {
      // Per image: the rows above and below the copied ones zeroed here, the columns beside them by copyRows.
      const xOff = offsetOf(be, x);
      const dOff = offsetOf(be, xs);
      const img = HP * WP * CI;
      for (let n = 0; n < N; n++) {
        dst.fill(0, n * img, n * img + (h0 + top) * WP * CI);
        copyRows(xOff + ((n * H + h0) * W + w0) * CI * 4, dOff + ((n * HP + h0 + top) * WP + w0 + left) * CI * 4, h1 - h0, (w1 - w0) * CI * 4,
          W * CI * 4, WP * CI * 4, (w0 + left) * CI * 4, (WP - w1 - left) * CI * 4);
        dst.fill(0, n * img + (h1 + top) * WP * CI, (n + 1) * img);
      }
    } else {
      for (let n = 0; n < N; n++) {
        for (let h = h0; h < h1; h++) {
          const s = ((n * H + h) * W + w0) * CI;
          dst.set(src.subarray(s, s + (w1 - w0) * CI), ((n * HP + h + top) * WP + w0 + left) * CI);
        }
      }
    }
  }
  return { xs, Hx: HP, Wx: WP };
}

/** `Conv2DBackpropFilter` through transposes and a forward Conv2D; `fallback` handles paddings the rewrite cannot express. */
export function conv2DBackpropFilterKernel(tf: Tf, fallback: tfjs.KernelConfig | undefined,
  options: { multiTap?: boolean; chunkBytes?: number; maxAccumulators?: number; simd?: boolean; gemm?: 'auto' | 'always' | 'never'; gemmChunkBytes?: number;
    tiled?: 'auto' | 'always' | 'never'; tiledOptions?: Partial<FilterGemmOptions>; implicit?: 'auto' | 'always' | 'never' } = {}): tfjs.KernelFunc {
  const tiled = options.tiled ?? 'auto';
  const implicit = options.implicit ?? 'auto';
  const multiTap = options.multiTap ?? true;
  const useSimd = options.simd ?? true;
  const gemm = options.gemm ?? 'auto';
  const gemmChunkBytes = options.gemmChunkBytes ?? 1 << 16;
  const maxAcc = options.maxAccumulators ?? 8;
  const chunkBytes = options.chunkBytes ?? 1 << 18;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const be = backend as unknown as WasmBackend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const c = info(tf, 'Conv2DBackpropFilter', x.shape, a.filterShape!, a);
    const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
      filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
    const top = c.padInfo.top;
    const left = c.padInfo.left;
    if (top < 0 || left < 0) {
      if (!fallback) throw new Error('Conv2DBackpropFilter on wasm: a negative padding is not supported');
      return fallback.kernelFunc(args);
    }
    if (useSimd && implicit !== 'never' && (implicit === 'always' || implicitPays(c))) {
      const out = implicitFilterGrad(be, x, dy, c);
      if (out) return out;
    }
    const module = useSimd ? simdKernels(heapOf(be)) : null;
    if (module && tiled !== 'never' && (tiled === 'always' || tiledPays(c))) {
      const out = filterGradGemm4(be, x, dy, c, module, options.tiledOptions);
      if (out) return out;
    }
    const simd = gemm !== 'never' ? module : null;
    const gather = simd ? gather4(heapOf(be)) : null;
    if (simd && gather && (gemm === 'always' || gemmPays(c))) return filterGradGemm(be, x, dy, c, simd, gather, gemmChunkBytes);
    const viaSimd = !useSimd ? null : (multiTap ? filterGradMultiTap(be, x, dy, c, chunkBytes, maxAcc) : null) ?? filterGradSimd(be, x, dy, c);
    if (viaSimd) return viaSimd;
    // Rows/columns past the last window get no gradient; a negative bottom/right pad is handled by computing a
    // slightly larger result and cropping it.
    const bottom = Math.max(0, (OH - 1) * SH + KH - H - top);
    const right = Math.max(0, (OW - 1) * SW + KW - W - left);
    const KH2 = H + top + bottom - (OH - 1) * SH;
    const KW2 = W + left + right - (OW - 1) * SW;
    const xt = callKernel(tf, 'Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
    const dyt = callKernel(tf, 'Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    const pad: ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const r = callKernel(tf, 'Conv2D', backend, { x: xt, filter: dyt }, { strides: 1, pad, dataFormat: 'NHWC', dilations: [SH, SW], dimRoundingMode: undefined });
    be.disposeData(xt.dataId);
    be.disposeData(dyt.dataId);
    // r: [CI, KH2, KW2, CO] → dW: [KH, KW, CI, CO].
    const out = be.makeOutput([KH, KW, CI, CO], 'float32');
    const rs = be.typedArrayFromHeap(r);
    const os = be.typedArrayFromHeap(out);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        for (let ci = 0; ci < CI; ci++) {
          const s = ((ci * KH2 + kh) * KW2 + kw) * CO;
          const d = ((kh * KW + kw) * CI + ci) * CO;
          for (let k = 0; k < CO; k++) os[d + k] = rs[s + k];
        }
      }
    }
    be.disposeData(r.dataId);
    return out;
  };
}

/** Whether {@link filterGradGemm} beats the tap-by-tap loops for this layer (measured: bench/wasm-kernels.micro.ts). */
function gemmPays(c: { inChannels: number; outChannels: number; filterHeight: number; filterWidth: number }): boolean {
  // The tap loops make one pass over dy per tap and group of 16 output channels: fine for few channels (LeNet's,
  // ResNet's 16), slow for deep layers (VGG's 8×8×256 and 4×4×512: several times slower than the product).
  return c.outChannels >= 32 && c.inChannels * c.filterHeight * c.filterWidth >= 64;
}

/**
 * Whether {@link implicitFilterGrad} beats the other filter-gradient paths (bench/resnet-conv.micro.ts): on ResNet-20's,
 * VGG's and LeNet's conv2 layers by 10–40%, as long as its accumulator dW (loaded and stored per tile and call) stays
 * in L2 and the input has a few channels (one or three channels leave most of a tile's taps to the remainder loops).
 */
function implicitPays(c: { inChannels: number; outChannels: number; filterHeight: number; filterWidth: number }): boolean {
  const accBytes = c.filterHeight * c.filterWidth * c.inChannels * Math.ceil(c.outChannels / 8) * 8 * 4;
  return c.inChannels >= 4 && accBytes <= 640 * 1024;
}

/**
 * Whether {@link filterGradGemm4} (the tiled GEMM) beats the other filter-gradient loops for this layer: so far never
 * (bench/wasm-kernels.micro.ts cnn): its product is fast, but the transpose of dy and, for long rows, the packing of
 * the columns run in JS per chunk and cost more than the product saves. Kept, tested, for forcing ('always').
 */
function tiledPays(_c: { inChannels: number; outChannels: number; filterHeight: number; filterWidth: number }): boolean {
  return false;
}
