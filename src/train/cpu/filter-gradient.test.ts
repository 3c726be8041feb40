import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerCpuGradients } from './filter-gradient';

let restore: () => void;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => restore?.());

function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], strides: [number, number], pad: 'same' | 'valid' | number): Float32Array {
  const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as unknown as tf.NamedAttrMap;
  const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

describe('cpu Conv2DBackpropFilter', () => {
  it('matches the stock cpu kernel over strides, paddings, odd sizes and channel counts', () => {
    const cases: { x: [number, number, number, number]; k: [number, number]; co: number; s: [number, number]; pad: 'same' | 'valid' | number }[] = [
      { x: [2, 7, 6, 1], k: [5, 5], co: 6, s: [1, 1], pad: 'same' },
      { x: [3, 9, 9, 6], k: [3, 3], co: 16, s: [2, 2], pad: 'same' },
      { x: [1, 8, 5, 3], k: [3, 2], co: 17, s: [1, 2], pad: 'valid' },
      { x: [2, 6, 6, 2], k: [3, 3], co: 4, s: [1, 1], pad: 1 },
    ];
    const results: [Float32Array, Float32Array][] = [];
    const inputs = cases.map((c) => {
      const x = tf.randomNormal(c.x) as tf.Tensor4D;
      // ReLU-like input: the kernel skips zeros, which must not change the sum.
      const xr = tf.relu(x) as tf.Tensor4D;
      const conv = tf.conv2d(xr, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.s, c.pad);
      const dy = tf.randomNormal(conv.shape) as tf.Tensor4D;
      return { c, x: xr, dy };
    });
    for (const { c, x, dy } of inputs) results.push([filterGrad(x, dy, [...c.k, c.x[3], c.co], c.s, c.pad), new Float32Array()]);
    restore = registerCpuGradients(tf);
    inputs.forEach(({ c, x, dy }, i) => (results[i][1] = filterGrad(x, dy, [...c.k, c.x[3], c.co], c.s, c.pad)));
    restore();
    for (const [stock, fast] of results) {
      expect(fast.length).toBe(stock.length);
      let maxDiff = 0;
      let maxAbs = 0;
      stock.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - fast[j]));
        maxAbs = Math.max(maxAbs, Math.abs(v));
      });
      expect(maxAbs).toBeGreaterThan(0.1);
      expect(maxDiff).toBeLessThan(1e-4 * Math.max(1, maxAbs));
    }
  });
});
