import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from './node';
import { randomValues as rand, runKernel as run, worstRelativeError } from '../testing/kernels';

const root = join(__dirname, '../../..');

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) {
  expect(a.length).toBe(b.length);
  expect(worstRelativeError(a, b)).toBeLessThan(tol);
}

beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const grid: { x: number[]; k: number[]; strides: [number, number]; pad: Pad }[] = [
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [3, 9, 8, 2], k: [3, 2, 2, 5], strides: [2, 2], pad: 'same' },
  { x: [3, 9, 8, 2], k: [3, 2, 2, 5], strides: [2, 3], pad: 'valid' },
  { x: [1, 10, 10, 1], k: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { x: [2, 6, 7, 4], k: [2, 3, 4, 3], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [4, 12, 12, 6], k: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
];

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(grid)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, 1, pad as 'same');
    const dyShape = [x[0], info.outHeight, info.outWidth, k[3]];
    const inputs = { x: [rand(x, 1), x] as [Float32Array, number[]], dy: [rand(dyShape, 2), dyShape] as [Float32Array, number[]] };
    const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k };
    const cpu = await run('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const wasm = await run('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(wasm.shape).toEqual(k);
    close(wasm.data, cpu.data);
  });
});

/**
 * Reference gradients from the forward op alone (cpu's backprop kernels ignore dilations): the loss sum(dy·conv(x, W))
 * is linear in W and in x, so each gradient entry is the forward conv of a one-hot filter (or one-hot input) against dy.
 */
async function depthwiseReference(x: [Float32Array, number[]], dy: [Float32Array, number[]], f: [Float32Array, number[]], strides: [number, number], pad: 'same' | 'valid', dilations: [number, number]) {
  await tf.setBackend('cpu');
  return tf.tidy(() => {
    const X = tf.tensor4d(x[0], x[1] as [number, number, number, number]);
    const DY = tf.tensor4d(dy[0], dy[1] as [number, number, number, number]);
    const F = tf.tensor4d(f[0], f[1] as [number, number, number, number]);
    const fSize = f[0].length;
    const oneHotF = tf.oneHot(tf.range(0, fSize, 1, 'int32'), fSize).toFloat().reshape([fSize, ...f[1]]) as tf.Tensor;
    const dW = tf.unstack(oneHotF).map((e) => tf.sum(tf.mul(DY, tf.depthwiseConv2d(X, e as tf.Tensor4D, strides, pad, 'NHWC', dilations))));
    const [N, H, W, C] = x[1];
    const per = H * W * C;
    const eye = tf.oneHot(tf.range(0, per, 1, 'int32'), per).toFloat().reshape([per, H, W, C]) as tf.Tensor4D;
    const resp = tf.depthwiseConv2d(eye, F, strides, pad, 'NHWC', dilations); // [per, oh, ow, co]
    const dX = tf.concat(Array.from({ length: N }, (_, n) => tf.sum(tf.mul(resp, DY.slice([n], [1])), [1, 2, 3])));
    return { dW: tf.stack(dW).dataSync(), dX: dX.dataSync() };
  });
}

describe('depthwise gradients on wasm', () => {
  const cases = [
    { x: [2, 7, 7, 3], k: [3, 3, 3, 1], strides: [1, 1], pad: 'same', dilations: [1, 1] },
    { x: [2, 8, 9, 2], k: [3, 3, 2, 2], strides: [2, 2], pad: 'valid', dilations: [1, 1] },
    { x: [1, 9, 9, 2], k: [3, 3, 2, 3], strides: [1, 1], pad: 'same', dilations: [2, 2] },
    { x: [2, 10, 9, 3], k: [2, 3, 3, 1], strides: [1, 1], pad: 'valid', dilations: [2, 1] },
  ] as const;
  it.each(cases)('filter and input match the reference: x $x, filter $k, strides $strides, pad $pad, dilations $dilations', async (c) => {
    const info = tf.backend_util.computeConv2DInfo([...c.x] as [number, number, number, number], [...c.k] as [number, number, number, number], [...c.strides] as [number, number], [...c.dilations] as [number, number], c.pad, undefined, true);
    const dyShape = [c.x[0], info.outHeight, info.outWidth, c.k[2] * c.k[3]];
    const x: [Float32Array, number[]] = [rand([...c.x], 3), [...c.x]];
    const dy: [Float32Array, number[]] = [rand(dyShape, 4), dyShape];
    const f: [Float32Array, number[]] = [rand([...c.k], 5), [...c.k]];
    const ref = await depthwiseReference(x, dy, f, [...c.strides], c.pad, [...c.dilations]);
    const base = { strides: c.strides, pad: c.pad, dilations: c.dilations, dimRoundingMode: undefined };
    const wasmF = await run('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...base, filterShape: c.k });
    expect(wasmF.shape).toEqual([...c.k]);
    close(wasmF.data, ref.dW);
    const wasmI = await run('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...base, inputShape: c.x });
    expect(wasmI.shape).toEqual([...c.x]);
    close(wasmI.data, ref.dX);
    if (c.dilations[0] === 1 && c.dilations[1] === 1) {
      // Undilated: cpu's own kernels agree too.
      close((await run('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...base, filterShape: c.k })).data, ref.dW);
    }
  });
});

describe('layers train on wasm', () => {
  it('Conv2D + SeparableConv2D + DepthwiseConv2D + Conv1D model: one fit step gives the same weights as cpu', async () => {
    const build = () => {
      const inp = tf.input({ shape: [10, 10, 2] });
      let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: 'glorotUniform', name: 'c' }).apply(inp) as tf.SymbolicTensor;
      h = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', name: 'd' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.separableConv2d({ filters: 3, kernelSize: 2, padding: 'same', name: 's' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.reshape({ targetShape: [9, 3], name: 'r' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.conv1d({ filters: 2, kernelSize: 3, name: 'c1' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'o' }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: inp, outputs: out });
    };
    const xs = rand([8, 10, 10, 2], 7);
    const ys = new Float32Array(8 * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const step = async (backend: string) => {
      await tf.setBackend(backend);
      const m = build();
      // Same starting weights on both backends.
      m.setWeights(m.getWeights().map((w, i) => { const v = tf.tensor(rand(w.shape, 100 + i).map((q) => q * 0.3), w.shape); return v; }));
      m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const x = tf.tensor(xs, [8, 10, 10, 2]);
      const y = tf.tensor(ys, [8, 3]);
      await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
      const w = await Promise.all(m.getWeights().map((t) => t.data()));
      tf.dispose([x, y]);
      m.optimizer.dispose();
      m.dispose();
      return w;
    };
    const cpu = await step('cpu');
    const wasm = await step('wasm');
    cpu.forEach((c, i) => close(wasm[i], c, 1e-3));
  });
});
