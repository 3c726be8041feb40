import type * as tfjs from '@tensorflow/tfjs';

/** A convolution to time: input height = width, input channels, output channels, stride, kernel size. */
export type ConvShape = readonly [hw: number, ci: number, co: number, stride: number, k: number];

/** ResNet-20's convolutions at CIFAR size (32×32×3 input). */
export const RESNET20_CONVS: readonly ConvShape[] = [
  [32, 3, 16, 1, 3], [32, 16, 16, 1, 3], [32, 16, 32, 2, 3], [32, 16, 32, 2, 1], [16, 32, 32, 1, 3], [16, 32, 64, 2, 3], [16, 32, 64, 2, 1], [8, 64, 64, 1, 3],
];

/** CPU time of this process so far, ms (a micro bench's clock: load from other processes does not count). */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];

/**
 * Random tensors for one convolution at batch `n` (input, filter, bias, the output's gradient), its conv info, MACs
 * and a label; `pad` defaults to 'valid' for 1×1 kernels and 'same' otherwise. Dispose `tensors` when done.
 */
export function convCase(tf: typeof tfjs, [hw, ci, co, s, k]: ConvShape, n = 64, pad: 'same' | 'valid' = k === 1 ? 'valid' : 'same') {
  const x = [n, hw, hw, ci] as [number, number, number, number];
  const kshape = [k, k, ci, co] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(x, kshape, s, 1, pad);
  const macs = n * info.outHeight * info.outWidth * k * k * ci * co;
  const xs = tf.randomNormal(x);
  const w = tf.randomNormal(kshape);
  const bias = tf.randomNormal([co]);
  const dy = tf.randomNormal([n, info.outHeight, info.outWidth, co]);
  return { x, kshape, s, pad, info, macs, xs, w, bias, dy, name: `${hw}x${hw}x${ci}→${co} ${k}x${k} s${s}`, tensors: [xs, w, bias, dy] };
}
