/** Helpers of the kernel tests (src/train/wasm/**): seeded inputs, one kernel run from plain arrays, and its error. */
import * as tf from '@tensorflow/tfjs';
import { product } from '../../../nodes/lib/define';
import { mulberry32 } from '../random';

/** Uniform values in [−1, 1); with `levels`, in [0, 1) rounded to that many steps so pooling windows hold ties. */
export function randomValues(shape: number[], seed: number, levels = 0): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(product(shape));
  for (let i = 0; i < a.length; i++) a[i] = levels ? Math.floor(r() * levels) / levels : r() * 2 - 1;
  return a;
}

export type KernelInput = [Float32Array, number[]];

/** Runs a kernel on one backend from plain arrays and returns its output values and shape. */
export async function runKernel(backend: string, kernel: string, inputs: Record<string, KernelInput>, attrs: object) {
  await tf.setBackend(backend);
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, [d, s]]) => [k, tf.tensor(d, s)]));
  const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const res = { shape: out.shape, data: await out.data() };
  tf.dispose([out, ...Object.values(ts)]);
  return res;
}

/** The largest |a − b| / max(1, |b|) over the elements (a and b have the same length). */
export function worstRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}
