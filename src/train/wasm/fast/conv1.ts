import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import type { ConvAttrs, TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';
import { asm, simdKernels } from './simd';
import { forwardGemm } from './conv';
import { forwardGemm4, tileColumns } from './convgemm';
import { implicitConv } from './implicit';

/**
 * Forward `Conv2D` for a single input channel (a grayscale image's first layer: LeNet's 28×28×1 → 6@5×5), stride 1,
 * no dilation, 4 to 16 output channels. XNNPACK runs this shape far below its usual rate (one input channel leaves
 * its micro-kernels little to do).
 *
 * Per image, x is copied into a zero-padded buffer; then for each output row, blocks of PB pixels are computed at
 * once: per filter tap, NV weight vectors (channels 0–3, 4–7, …, the last one ending at CO, overlapping the previous
 * one when CO is not a multiple of 4) and PB splatted x values give PB·NV multiply-adds for PB + NV loads. Each
 * pixel's vectors are stored in channel order, so the overlapping lanes are written twice with the same value (six
 * channels: a pixel pair is stored as three whole vectors instead). The loops are generated per shape (taps unrolled,
 * constant offsets) and compiled once per shape. FusedConv2D (bias and activation: the predict path) is not replaced.
 */

interface Plan {
  CO: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  /** Width of the padded image (OW + KW − 1). */
  WX: number;
  /** Channel vectors per pixel: ⌈CO / 4⌉. */
  NV: number;
  /** Pixels per block. */
  PB: number;
}

type Conv = (xp: number, w: number, out: number) => void;

const { I32, V128, uleb, get, set, i32, add, end, simd, v128Zero, forUp, mulAdd, i32s, fnCode, moduleBytes } = asm;
const v128Load = (offset: number) => simd(0x00, 0x00, ...uleb(offset));
const v128Store = (offset: number) => simd(0x0b, 0x00, ...uleb(offset));
const load32Splat = (offset: number) => simd(0x09, 0x02, ...uleb(offset));

/** Channel offset of vector v of a pixel. */
const channelOf = (p: Plan, v: number) => Math.min(4 * v, p.CO - 4);

function convFunction(p: Plan, fused: boolean): number[] {
  const [XP, WP, OUT] = [0, 1, 2];
  const [H, B, XR, OR] = [3, 4, 5, 6];
  const XS = 7;
  const WV = 8;
  const ACC = WV + p.NV;
  const block = (pb: number) => {
    const code: number[] = [];
    for (let a = 0; a < pb * p.NV; a++) code.push(...v128Zero, ...set(ACC + a));
    for (let kh = 0; kh < p.KH; kh++) {
      for (let kw = 0; kw < p.KW; kw++) {
        for (let v = 0; v < p.NV; v++) code.push(...get(WP), ...v128Load(((kh * p.KW + kw) * p.NV + v) * 16), ...set(WV + v));
        for (let q = 0; q < pb; q++) {
          code.push(...get(XR), ...load32Splat((kh * p.WX + q + kw) * 4), ...set(XS));
          for (let v = 0; v < p.NV; v++) {
            const a = ACC + q * p.NV + v;
            code.push(...mulAdd(fused, get(a), get(XS), get(WV + v)), ...set(a));
          }
        }
      }
    }
    if (p.CO === 6 && pb % 2 === 0) {
      // Six channels: a pair of pixels is three whole vectors [p0 c0-3] [p0 c4-5, p1 c0-1] [p1 c2-5], stored without
      // overlap (the overlapping stores are a large part of the loop's time here).
      for (let q = 0; q < pb; q += 2) {
        const a = ACC + q * 2;
        code.push(...get(OR), ...get(a), ...v128Store(q * 24));
        code.push(...get(OR), ...get(a + 1), ...get(a + 2), ...simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23), ...v128Store(q * 24 + 16));
        code.push(...get(OR), ...get(a + 3), ...v128Store(q * 24 + 32));
      }
    } else {
      for (let q = 0; q < pb; q++) {
        for (let v = 0; v < p.NV; v++) code.push(...get(OR), ...get(ACC + q * p.NV + v), ...v128Store((q * p.CO + channelOf(p, v)) * 4));
      }
    }
    code.push(...get(XR), ...i32(pb * 4), ...add, ...set(XR), ...get(OR), ...i32(pb * p.CO * 4), ...add, ...set(OR));
    return code;
  };
  const row = [
    ...forUp(B, i32(Math.floor(p.OW / p.PB)), block(p.PB)),
    ...(p.OW % p.PB ? block(p.OW % p.PB) : []),
    // Next row: the block loop advanced XR by OW floats; the padded row is WX.
    ...get(XR), ...i32((p.WX - p.OW) * 4), ...add, ...set(XR),
  ];
  const body = [...get(XP), ...set(XR), ...get(OUT), ...set(OR), ...forUp(H, i32(p.OH), row), ...end];
  return fnCode([[4, I32], [1 + p.NV + p.PB * p.NV, V128]], body);
}

function compile(memory: WebAssembly.Memory, p: Plan): Conv {
  // Relaxed SIMD's fused multiply-add is no faster here (LeNet's conv1): plain mul + add.
  const bytes = moduleBytes([{ name: 'conv', params: i32s(3), code: convFunction(p, false), exported: true }]);
  return (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as { conv: Conv }).conv;
}

const compiled = new WeakMap<WebAssembly.Memory, Map<string, Conv | null>>();

/** The shape's loop, compiled on first use; null when the heap is shared or the engine refuses the module. */
function loopFor(memory: WebAssembly.Memory | undefined, p: Plan): Conv | null {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)) return null;
  let byShape = compiled.get(memory);
  if (!byShape) compiled.set(memory, (byShape = new Map()));
  const key = `${p.CO},${p.KH},${p.KW},${p.OH},${p.OW},${p.WX},${p.NV},${p.PB}`;
  let c = byShape.get(key);
  if (c === undefined) {
    try {
      c = compile(memory, p);
    } catch {
      c = null;
    }
    byShape.set(key, c);
  }
  return c;
}

/** Most column floats per im2col chunk of the tiled forward GEMM (whole images, at least one). */
const CHUNK_FLOATS = 1 << 18;

/** Most accumulators of a block (PB·NV): on LeNet's conv1, 4 is faster than 6, 8 or 12. */
const MAX_ACC = 4;
const MAX_TAPS = 81;

/**
 * `Conv2D` (float32, NHWC, no dilation, stride 1):
 * - one input channel and 4 to `maxChannels` (default 16) output channels: {@link Plan}'s generated loop;
 * - more input channels and `gemmChannels` (default 16 to 32) output channels: im2col and the gemmPairs SIMD loop
 *   ({@link forwardGemm}), which beats XNNPACK on LeNet's conv2 and on 3×3 'same' convolutions of 16 and 32 channels,
 *   but not with stride 2, so strides stay stock.
 * Every other convolution goes to `stock`.
 */
export function conv2DSingleChannelKernel(tf: Tf, stock: tfjs.KernelConfig,
  options: { maxChannels?: number; gemmChannels?: [number, number]; gemmAnyStride?: boolean; tiled?: 'auto' | 'always' | 'never'; chunkFloats?: number;
    implicit?: boolean } = {}): tfjs.KernelFunc {
  const maxCo = options.maxChannels ?? 16;
  const implicit = options.implicit ?? true;
  const [gemmMin, gemmMax] = options.gemmChannels ?? [16, 32];
  const tiled = options.tiled ?? 'auto';
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || (a.dataFormat ?? 'NHWC') !== 'NHWC') {
      return stock.kernelFunc(args);
    }
    if (x.shape[3] !== 1) {
      const co = filter.shape[3];
      if (implicit && tiled === 'auto') {
        const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
          a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode);
        const out = implicitConv(backend as unknown as WasmBackend, x, filter, null, c);
        if (out) return out;
      }
      // gemmPairs' 2 × 16 tile (below) stays for its 16–32 channels at stride 1 (LeNet's conv2: a little faster there).
      const pairs = co >= Math.max(16, gemmMin) && co <= gemmMax && a.strides !== undefined && [a.strides].flat().every((s) => s === 1);
      if (tiled !== 'never' && co >= tileColumns() && (tiled === 'always' || !pairs)) {
        const simd = simdKernels(heapOf(backend as unknown as WasmBackend));
        const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
          a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode);
        if (simd && c.dilationHeight === 1 && c.dilationWidth === 1 && c.padInfo.top >= 0 && c.padInfo.left >= 0 && c.outHeight > 0 && c.outWidth > 0
          && (tiled === 'always' || tiledForwardPays(c))) {
          const out = forwardGemm4(backend as unknown as WasmBackend, x, filter, c, simd, options.chunkFloats ?? CHUNK_FLOATS);
          if (out) return out;
        }
      }
      const simd = co >= Math.max(16, gemmMin) && co <= gemmMax ? simdKernels(heapOf(backend as unknown as WasmBackend)) : null;
      if (!simd) return stock.kernelFunc(args);
      const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
        a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode);
      const strided = c.strideHeight !== 1 || c.strideWidth !== 1;
      if ((strided && !options.gemmAnyStride) || c.dilationHeight !== 1 || c.dilationWidth !== 1 || c.padInfo.top < 0 || c.padInfo.left < 0
        || c.outHeight <= 0 || c.outWidth <= 0) {
        return stock.kernelFunc(args);
      }
      return forwardGemm(backend as unknown as WasmBackend, x, filter, c, simd, 1 << 18);
    }
    const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode);
    const { batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW } = c;
    const top = c.padInfo.top;
    const left = c.padInfo.left;
    if (c.strideHeight !== 1 || c.strideWidth !== 1 || c.dilationHeight !== 1 || c.dilationWidth !== 1 || CO < 4 || CO > maxCo
      || KH * KW > MAX_TAPS || top < 0 || left < 0 || OH <= 0 || OW <= 0) {
      return stock.kernelFunc(args);
    }
    const be = backend as unknown as WasmBackend;
    const NV = Math.ceil(CO / 4);
    const plan: Plan = { CO, KH, KW, OH, OW, WX: OW + KW - 1, NV, PB: Math.max(1, Math.min(8, Math.floor(MAX_ACC / NV))) };
    const conv = loopFor(heapOf(be), plan);
    if (!conv) return stock.kernelFunc(args);

    const HX = OH + KH - 1;
    const WX = plan.WX;
    const out = be.makeOutput([N, OH, OW, CO], 'float32');
    const xp = be.makeOutput([HX * WX], 'float32');
    const wp = be.makeOutput([KH * KW * NV * 4], 'float32');
    // Weight vectors: tap t, vector v holds W[t, channelOf(v) .. + 4].
    const fs = be.typedArrayFromHeap(filter);
    const ws = be.typedArrayFromHeap(wp);
    for (let t = 0; t < KH * KW; t++) {
      for (let v = 0; v < NV; v++) for (let l = 0; l < 4; l++) ws[(t * NV + v) * 4 + l] = fs[t * CO + channelOf(plan, v) + l];
    }
    const xs = be.typedArrayFromHeap(x);
    const ps = be.typedArrayFromHeap(xp);
    ps.fill(0);
    // Only the part of x inside some window is copied; the padding around it stays zero for every image.
    const h0 = Math.max(0, -top);
    const h1 = Math.min(H, HX - top);
    const w1 = Math.min(W, WX - left);
    const xpOff = offsetOf(be, xp);
    const wOff = offsetOf(be, wp);
    const outOff = offsetOf(be, out);
    for (let n = 0; n < N; n++) {
      if (w1 > 0) for (let h = h0; h < h1; h++) ps.set(xs.subarray((n * H + h) * W, (n * H + h) * W + w1), (h + top) * WX + left);
      conv(xpOff, wOff, outOff + n * OH * OW * CO * 4);
    }
    be.disposeData(xp.dataId);
    be.disposeData(wp.dataId);
    return out;
  };
}

/** Whether {@link forwardGemm4} (im2col + the tiled GEMM) beats XNNPACK's convolution for this layer. */
function tiledForwardPays(c: tfjs.backend_util.Conv2DInfo): boolean {
  // Rows of at least 16 taps; XNNPACK keeps strided windowed convolutions of few output channels (ResNet-20's
  // 32×32×16 → 32 stride-2 3×3), which its indirection buffer handles better than im2col with a short product.
  const strided = c.strideHeight !== 1 || c.strideWidth !== 1;
  if (strided && c.filterHeight * c.filterWidth > 1 && c.outChannels < 64) return false;
  return c.inChannels * c.filterHeight * c.filterWidth >= 16;
}

/**
 * `FusedConv2D` (the forward convolution of every layer with a bias: tfjs fuses the bias, and a ReLU, into it) as
 * {@link forwardGemm4} where that beats XNNPACK ({@link tiledForwardPays}), then the bias added in place by the SIMD
 * addPattern loop and the ReLU applied. Other activations, PReLU weights, dilations, single-channel inputs and other
 * data formats go to `stock`.
 */
export function fusedConv2DKernel(tf: Tf, stock: tfjs.KernelConfig, options: { tiled?: 'auto' | 'always' | 'never'; chunkFloats?: number; implicit?: boolean } = {}): tfjs.KernelFunc {
  const tiled = options.tiled ?? 'auto';
  const implicit = options.implicit ?? true;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { activation?: string };
    const activation = a.activation ?? 'linear';
    const be = backend as unknown as WasmBackend;
    if (tiled === 'never' || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || x.shape[3] === 1
      || (a.dataFormat ?? 'NHWC') !== 'NHWC' || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')
      || (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) || filter.shape[3] < tileColumns()) {
      return stock.kernelFunc(args);
    }
    const simd = simdKernels(heapOf(be));
    const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode);
    const viaImplicit = implicit && tiled === 'auto' ? implicitConv(be, x, filter, bias ?? null, c) : null;
    if (viaImplicit) {
      if (activation === 'relu') relu(be.typedArrayFromHeap(viaImplicit) as Float32Array);
      return viaImplicit;
    }
    if (!simd || c.dilationHeight !== 1 || c.dilationWidth !== 1 || c.padInfo.top < 0 || c.padInfo.left < 0 || c.outHeight <= 0 || c.outWidth <= 0
      || !(tiled === 'always' || tiledForwardPays(c))) {
      return stock.kernelFunc(args);
    }
    // As in Conv2D: gemmPairs for 16–32 channels at stride 1, the tiled GEMM otherwise.
    const pairs = tiled !== 'always' && c.outChannels >= 16 && c.outChannels <= 32 && c.strideHeight === 1 && c.strideWidth === 1;
    const out = pairs ? forwardGemm(be, x, filter, c, simd, options.chunkFloats ?? CHUNK_FLOATS)
      : forwardGemm4(be, x, filter, c, simd, options.chunkFloats ?? CHUNK_FLOATS);
    if (!out) return stock.kernelFunc(args);
    const CO = c.outChannels;
    const total = c.batchSize * c.outHeight * c.outWidth * CO;
    if (bias) {
      const L = CO % 4 === 0 ? CO : CO % 2 === 0 ? 2 * CO : 4 * CO; // lcm(CO, 4): whole vectors (total is a multiple of CO)
      const pattern = be.makeOutput([L], 'float32');
      const bs = be.typedArrayFromHeap(bias);
      const ps = be.typedArrayFromHeap(pattern);
      for (let i = 0; i < L; i++) ps[i] = bs[i % CO];
      const chunks = Math.floor(total / L);
      simd.addPattern(offsetOf(be, out), offsetOf(be, pattern), offsetOf(be, out), chunks, L / 4);
      const os = be.typedArrayFromHeap(out);
      const bs2 = be.typedArrayFromHeap(bias);
      for (let i = chunks * L; i < total; i++) os[i] += bs2[i % CO];
      be.disposeData(pattern.dataId);
    }
    if (activation === 'relu') relu(be.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/** max(x, 0) in place, NaN kept (as tfjs' relu). */
function relu(os: Float32Array): void {
  for (let i = 0; i < os.length; i++) if (!(os[i] > 0)) os[i] = os[i] !== os[i] ? os[i] : 0;
}
