import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../nodes/lib/define';
import type { ConvAttrs, TensorInfo, WasmBackend } from './backend-types';

/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, so convolutional models train on wasm:
 * `Conv2DBackpropFilter` (every Conv2D/Conv1D/SeparableConv2D weight gradient) and the two depthwise gradients
 * (`DepthwiseConv2dNativeBackpropFilter`/`Input`, for DepthwiseConv2D and SeparableConv2D).
 *
 * They read and write the wasm heap directly. The filter gradient is an im2col written transposed
 * ([kh·kw·ci, N·oh·ow]) followed by the backend's own wasm BatchMatMul with dy viewed as [N·oh·ow, co], whose product
 * is already the filter's [kh, kw, ci, co] layout. Channels-last only (what tfjs-layers emits). Dilations are honoured
 * when given (tfjs-core's own gradients refuse dilated convolutions before any kernel runs, and Conv2DBackpropFilter
 * has no dilations attribute, so in training they are always 1).
 */

function channelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm: only NHWC is supported, got ${dataFormat}`);
}

export function convInfo(tf: Tf, kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean) {
  channelsLast(kernel, attrs.dataFormat);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/**
 * Visits each (output position, filter tap) pair of a depthwise convolution whose input pixel is in bounds, with the
 * offsets of that pixel in x ([N, H, W, C]), of the position in dy ([N, OH, OW, C·M]) and of the tap in the filter
 * ([KH, KW, C, M]): both depthwise gradients are a sum over these pairs.
 */
export function forEachDepthwiseTap(info: tfjs.backend_util.Conv2DInfo, visit: (xBase: number, dyBase: number, wBase: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = info;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * SH + kh * DH - info.padInfo.top;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyBase = ((n * OH + oh) * OW + ow) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW + kw * DW - info.padInfo.left;
            if (iw < 0 || iw >= W) continue;
            visit(((n * H + ih) * W + iw) * C, dyBase, (kh * KW + kw) * CO);
          }
        }
      }
    }
  }
}

/** Creates the three kernels' configs for a given tfjs instance (the wasm backend must be imported first). */
export function wasmGradientKernels(tf: Tf): tfjs.KernelConfig[] {
  const conv2DBackpropFilter: tfjs.KernelFunc = ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const info = convInfo(tf, 'Conv2DBackpropFilter', x.shape, a.filterShape!, a, false);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
      filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const K = KH * KW * C;
    const P = N * OH * OW;
    const cols = be.makeOutput([K, P], 'float32');
    const xs = be.typedArrayFromHeap(x);
    const cs = be.typedArrayFromHeap(cols);
    // cols[(kh·KW + kw)·C + c, (n·OH + oh)·OW + ow] = x[n, oh·SH + kh·DH − top, ow·SW + kw·DW − left, c] (0 outside).
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        for (let c = 0; c < C; c++) {
          let o = ((kh * KW + kw) * C + c) * P;
          for (let n = 0; n < N; n++) {
            const xn = n * H * W * C;
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * SH + kh * DH - top;
              if (ih < 0 || ih >= H) {
                cs.fill(0, o, o + OW);
                o += OW;
                continue;
              }
              const row = xn + ih * W * C + c;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * SW + kw * DW - left;
                cs[o++] = iw >= 0 && iw < W ? xs[row + iw * C] : 0;
              }
            }
          }
        }
      }
    }
    const matMul = tf.getKernel('BatchMatMul', 'wasm');
    if (!matMul) throw new Error('Conv2DBackpropFilter on wasm: the BatchMatMul kernel is missing');
    const dy2: TensorInfo = { dataId: dy.dataId, shape: [P, CO], dtype: 'float32' };
    const out = matMul.kernelFunc({ inputs: { a: cols, b: dy2 }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    be.disposeData(cols.dataId);
    out.shape = [KH, KW, C, CO];
    return out;
  };

  const depthwiseFilter: tfjs.KernelFunc = ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const info = convInfo(tf, 'DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape!, a, true);
    const { inChannels: C, outChannels: CO, filterHeight: KH, filterWidth: KW } = info;
    const M = CO / C;
    const out = be.makeOutput([KH, KW, C, M], 'float32');
    const xs = be.typedArrayFromHeap(x);
    const ds = be.typedArrayFromHeap(dy);
    const dw = be.typedArrayFromHeap(out);
    dw.fill(0);
    forEachDepthwiseTap(info, (xBase, dyBase, wBase) => {
      for (let c = 0; c < C; c++) {
        const xv = xs[xBase + c];
        for (let m = 0; m < M; m++) dw[wBase + c * M + m] += xv * ds[dyBase + c * M + m];
      }
    });
    return out;
  };

  const depthwiseInput: tfjs.KernelFunc = ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const info = convInfo(tf, 'DepthwiseConv2dNativeBackpropInput', a.inputShape!, filter.shape, a, true);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO } = info;
    const M = CO / C;
    const out = be.makeOutput([N, H, W, C], 'float32');
    const ds = be.typedArrayFromHeap(dy);
    const fs = be.typedArrayFromHeap(filter);
    const dx = be.typedArrayFromHeap(out);
    dx.fill(0);
    forEachDepthwiseTap(info, (xBase, dyBase, wBase) => {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += fs[wBase + c * M + m] * ds[dyBase + c * M + m];
        dx[xBase + c] += s;
      }
    });
    return out;
  };

  return [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseInput },
  ];
}

/**
 * Registers the missing wasm gradient kernels with tfjs's kernel registry (idempotent: a kernel already present,
 * ours or a future tfjs's own, is left alone). Returns the names registered by this call.
 */
export function registerWasmGradients(tf: Tf): string[] {
  const added: string[] = [];
  for (const k of wasmGradientKernels(tf)) {
    if (tf.getKernel(k.kernelName, 'wasm')) continue;
    tf.registerKernel(k);
    added.push(k.kernelName);
  }
  return added;
}
