import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer, batchNormTraining } from './batchnorm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded values in [lo, lo + span). */
function values(n: number, seed: number, lo = -1, span = 2): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + (span * s) / 2 ** 32;
  }
  return a;
}

/** Output, gradients of Σ y·w (x, γ, β) and the moving statistics after two training calls of a BatchNormalization layer. */
function trainOnce(layer: tf.layers.Layer, x: tf.Tensor, w: tf.Tensor) {
  layer.build(x.shape);
  layer.setWeights([tf.tensor1d(values(x.shape[x.rank - 1], 7, 0.5, 1)), tf.tensor1d(values(x.shape[x.rank - 1], 8)), ...layer.getWeights().slice(2)]);
  const xv = tf.variable(x);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xv, { training: true }) as tf.Tensor, w)) as tf.Scalar, [xv, gamma, beta]);
  const y = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
  const moving = layer.getWeights().slice(2).map((t) => Array.from(t.dataSync()));
  return { y, moving, grads: [xv, gamma, beta].map((v) => Array.from(grads[v.name].dataSync())) };
}

function close(a: number[], b: number[], tol: number) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol * Math.max(1, Math.abs(b[i])));
}

describe('batchNormalizationLayer (training as one op with its own gradient)', () => {
  const shapes = [[4, 5, 5, 6], [3, 7, 17], [64, 2, 2, 3], [9, 4]];
  it.each(shapes)('gives tfjs-layers\' output, moving statistics and gradients: x %j', (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    // A mean far from 0 and a spread of a few units, as activations have.
    const x = tf.tensor(values(n, 1, 1.5, 4), shape);
    const w = tf.tensor(values(n, 2), shape);
    const args = { momentum: 0.9, epsilon: 1e-3, name: 'bn' };
    const ours = trainOnce(batchNormalizationLayer(tf, args), x, w);
    const stock = trainOnce(tf.layers.batchNormalization(args), x, w);
    close(ours.y, stock.y, 1e-4);
    close(ours.moving.flat(), stock.moving.flat(), 1e-5);
    for (let i = 0; i < 3; i++) close(ours.grads[i], stock.grads[i], 2e-4);
  });

  it('keeps the class name and config, so saving and Keras export are unchanged', () => {
    const args = { axis: -1, momentum: 0.95, epsilon: 1e-5, center: true, scale: false, name: 'bn2' };
    const ours = batchNormalizationLayer(tf, args);
    const stock = tf.layers.batchNormalization(args);
    expect(ours.getClassName()).toBe('BatchNormalization');
    expect(ours.getConfig()).toEqual(stock.getConfig());
  });

  it('normalises without γ (scale: false) and without β (center: false)', () => {
    const x = tf.tensor(values(2 * 3 * 4, 3, 2, 3), [2, 3, 4]);
    const layer = batchNormalizationLayer(tf, { scale: false, center: false, epsilon: 1e-3 });
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const m = tf.moments(y, [0, 1]);
    close(Array.from(m.mean.dataSync()), [0, 0, 0, 0], 1e-5);
    close(Array.from(m.variance.dataSync()), Array.from(tf.div(tf.moments(x, [0, 1]).variance, tf.add(tf.moments(x, [0, 1]).variance, 1e-3)).dataSync()), 1e-4);
  });

  it('returns the batch mean and (biased) variance, kept for the caller', () => {
    const x = tf.tensor(values(5 * 6, 4, -3, 2), [5, 6]);
    const before = tf.memory().numTensors;
    const { y, mean, variance } = batchNormTraining(tf, x, tf.ones([6]) as tf.Tensor1D, tf.zeros([6]) as tf.Tensor1D, 1e-3);
    const ref = tf.moments(x, [0]);
    close(Array.from(mean.dataSync()), Array.from(ref.mean.dataSync()), 1e-6);
    close(Array.from(variance.dataSync()), Array.from(ref.variance.dataSync()), 1e-5);
    tf.dispose([y, mean, variance, ref.mean, ref.variance]);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2); // the two constants made above
  });
});

describe('batchNormalizationLayer at inference', () => {
  // tfjs' own layer applies the statistics along the last axis whatever `axis` says (its kernels index them by flat
  // position): Keras' maths, per index along `axis`, written out here.
  it.each([[1, [2, 3, 4, 2]], [2, [2, 3, 4, 2]], [1, [3, 5, 2]], [-2, [2, 3, 4]]] as const)('normalises along axis %i of x %j', (axis, shape) => {
    for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
      const layer = batchNormalizationLayer(tf, { axis, center, scale, epsilon: 0.01 });
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), 3), [...shape]);
      layer.build(x.shape);
      const a = axis < 0 ? shape.length + axis : axis;
      const n = shape[a];
      const params = [scale && values(n, 4, 0.5, 1), center && values(n, 5), values(n, 6), values(n, 7, 0.2, 1)];
      layer.setWeights(params.filter((p): p is Float32Array => !!p).map((p) => tf.tensor1d(p)));
      const [gamma, beta] = params;
      const [mean, variance] = params.slice(2) as Float32Array[];
      const xs = x.dataSync();
      const stride = shape.slice(a + 1).reduce((p, q) => p * q, 1);
      const want = Array.from(xs, (v, i) => {
        const j = Math.floor(i / stride) % n;
        return ((v - mean[j]) / Math.sqrt(variance[j] + 0.01)) * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
      });
      close(Array.from((layer.apply(x) as tf.Tensor).dataSync()), want, 1e-5);
    }
  });
});

describe('batchNormalizationLayer in training on another axis than the last', () => {
  // Keras' maths per index j along `axis`: the batch's mean and biased variance over every other axis normalise x, and
  // the moving statistics move toward them by (1 − momentum). tfjs-layers' own training pass gets this wrong.
  it.each([[1, [2, 3, 4, 2]], [2, [3, 2, 5]], [-2, [4, 3, 2]]] as const)('normalises along axis %i of x %j, with and without γ and β', (axis, shape) => {
    for (const [center, scale] of [[true, true], [false, false], [true, false]]) {
      const layer = batchNormalizationLayer(tf, { axis, center, scale, epsilon: 0.01, momentum: 0.9 });
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), 9, -2, 5), [...shape]);
      layer.build(x.shape);
      const a = axis < 0 ? shape.length + axis : axis;
      const n = shape[a];
      const gamma = scale ? values(n, 4, 0.5, 1) : undefined;
      const beta = center ? values(n, 5) : undefined;
      const moving = [values(n, 6), values(n, 7, 0.2, 1)];
      layer.setWeights([gamma, beta, ...moving].filter((p): p is Float32Array => !!p).map((p) => tf.tensor1d(p)));
      const xs = x.dataSync();
      const stride = shape.slice(a + 1).reduce((p, q) => p * q, 1);
      const at = (i: number) => Math.floor(i / stride) % n;
      const sum = new Float64Array(n);
      const count = new Float64Array(n);
      xs.forEach((v, i) => ((sum[at(i)] += v), (count[at(i)] += 1)));
      const mean = Array.from(sum, (s, j) => s / count[j]);
      const sq = new Float64Array(n);
      xs.forEach((v, i) => (sq[at(i)] += (v - mean[at(i)]) ** 2));
      const variance = Array.from(sq, (s, j) => s / count[j]);
      const want = Array.from(xs, (v, i) => {
        const j = at(i);
        return ((v - mean[j]) / Math.sqrt(variance[j] + 0.01)) * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
      });
      close(Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()), want, 1e-4);
      const [movingMean, movingVariance] = layer.getWeights().slice(-2).map((t) => Array.from(t.dataSync()));
      close(movingMean, mean.map((m, j) => moving[0][j] * 0.9 + m * 0.1), 1e-5);
      close(movingVariance, variance.map((v, j) => moving[1][j] * 0.9 + v * 0.1), 1e-4);
    }
  });

  it('passes gradients through to x, γ and β (a model with such a layer trains)', () => {
    const layer = batchNormalizationLayer(tf, { axis: 1, epsilon: 1e-3 });
    const x = tf.variable(tf.tensor(values(2 * 3 * 4, 11, -1, 3), [2, 3, 4]));
    layer.build(x.shape);
    const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const w = tf.tensor(values(24, 12), [2, 3, 4]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, [x, gamma, beta]);
    expect(grads[gamma.name].shape).toEqual([3]);
    // dβ_j = Σ w over every position of channel j.
    const wd = Array.from(w.dataSync());
    close(Array.from(grads[beta.name].dataSync()), [0, 1, 2].map((j) => wd.reduce((s, v, i) => s + (Math.floor(i / 4) % 3 === j ? v : 0), 0)), 1e-4);
    // Normalising removes the mean: the x gradient sums to zero over each channel.
    const gx = Array.from(grads[x.name].dataSync());
    for (let j = 0; j < 3; j++) expect(Math.abs(gx.reduce((s, v, i) => s + (Math.floor(i / 4) % 3 === j ? v : 0), 0))).toBeLessThan(1e-4);
  });
});
