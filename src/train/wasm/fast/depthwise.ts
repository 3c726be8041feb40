import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import type { ConvAttrs, TensorInfo, WasmBackend } from '../backend-types';
import { convInfo, forEachDepthwiseTap } from '../missing-gradients';
import { heapOf, offsetOf } from './heap';
import { rowKernels } from './gather';

/**
 * The depthwise convolution's gradients (channel multiplier 1, channels a multiple of 4: MobileNet's and every
 * SeparableConv2D's depthwise step) with the fmaRows SIMD loop of ./gather.ts: for each output position and filter tap
 * whose input is in bounds, one call multiplies and accumulates all channels at once. Other shapes, or an engine
 * without the loop, go to `fallback` (the per-channel JS loops of ../missing-gradients.ts).
 */
function depthwiseGradient(tf: Tf, which: 'filter' | 'input', fallback: tfjs.KernelConfig): tfjs.KernelFunc {
  const name = which === 'filter' ? 'DepthwiseConv2dNativeBackpropFilter' : 'DepthwiseConv2dNativeBackpropInput';
  return (args) => {
    const be = args.backend as unknown as WasmBackend;
    const a = args.attrs as unknown as ConvAttrs;
    const { x, dy, filter } = args.inputs as { x?: TensorInfo; dy: TensorInfo; filter?: TensorInfo };
    const info = which === 'filter' ? convInfo(tf, name, x!.shape, a.filterShape!, a, true) : convInfo(tf, name, a.inputShape!, filter!.shape, a, true);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO, filterHeight: KH, filterWidth: KW } = info;
    const rows = rowKernels(heapOf(be));
    if (!rows || CO !== C || C % 4 !== 0 || dy.dtype !== 'float32') return fallback.kernelFunc(args);
    const out = which === 'filter' ? be.makeOutput([KH, KW, C, 1], 'float32') : be.makeOutput([N, H, W, C], 'float32');
    be.typedArrayFromHeap(out).fill(0);
    const dyOff = offsetOf(be, dy);
    const outOff = offsetOf(be, out);
    const vecs = C / 4;
    if (which === 'filter') {
      const xOff = offsetOf(be, x!);
      forEachDepthwiseTap(info, (xBase, dyBase, wBase) => rows.fmaRows(xOff + xBase * 4, dyOff + dyBase * 4, outOff + wBase * 4, vecs));
    } else {
      const wOff = offsetOf(be, filter!);
      forEachDepthwiseTap(info, (xBase, dyBase, wBase) => rows.fmaRows(wOff + wBase * 4, dyOff + dyBase * 4, outOff + xBase * 4, vecs));
    }
    return out;
  };
}

export function depthwiseFilterKernel(tf: Tf, fallback: tfjs.KernelConfig): tfjs.KernelFunc {
  return depthwiseGradient(tf, 'filter', fallback);
}

export function depthwiseInputKernel(tf: Tf, fallback: tfjs.KernelConfig): tfjs.KernelFunc {
  return depthwiseGradient(tf, 'input', fallback);
}
