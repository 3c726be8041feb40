import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { compileGraph } from '../compile/compile';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import { featureMapNodes, filterImage, filterNodes, kernelAmplitude, layerKernel, probeActivations, probeActivationsInSteps, ProbeCancelled, toModelInput, topK } from './activations';
import { flattenProject } from '../graph/blocks';

const lenet = getPreset('lenet5')!.graph;
const lenetInf = inferGraph(lenet);
let model: tf.LayersModel;
/** A deterministic 28×28 grey image: a bright bar with a gradient. */
const image = Float32Array.from({ length: 28 * 28 }, (_v, i) => ((i % 28) / 28) * (Math.floor(i / 28) > 8 && Math.floor(i / 28) < 14 ? 1 : 0.2));

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = compileGraph(tf, lenet, lenetInf);
});
afterAll(() => model.dispose());

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('which layers Inspect shows', () => {
  it('LeNet-5: maps for its conv and pooling layers, filters for its two Conv2D', () => {
    const maps = featureMapNodes(lenet, lenetInf);
    expect(maps.map((n) => n.name)).toEqual(['conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1']);
    expect(filterNodes(maps).map((n) => n.name)).toEqual(['conv2d', 'conv2d_1']);
  });

  it('maps for every conv kind and spatial pooling; filters for plain 2-D convolutions only', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [16, 16, 3] } },
      { kind: 'Conv2D', params: { filters: 4, padding: 'same' } },
      { kind: 'DepthwiseConv2D', params: { padding: 'same' } },
      { kind: 'SeparableConv2D', params: { filters: 4, padding: 'same' } },
      { kind: 'Conv2DTranspose', params: { filters: 4 } },
      { kind: 'BatchNormalization' },
      { kind: 'MaxPooling2D' },
      { kind: 'GlobalAveragePooling2D' },
      { kind: 'Dense', params: { units: 3 } },
    ]);
    const maps = featureMapNodes(g, inferGraph(g));
    expect(maps.map((n) => n.kind)).toEqual(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPooling2D']);
    expect(filterNodes(maps).map((n) => n.kind)).toEqual(['Conv2D']);
    const g1 = sequentialGraph([
      { kind: 'Input', params: { shape: [20, 2] } },
      { kind: 'Conv1D', params: { filters: 3 } },
      { kind: 'MaxPooling1D' },
      { kind: 'GlobalMaxPooling1D' },
    ]);
    const maps1 = featureMapNodes(g1, inferGraph(g1));
    expect(maps1.map((n) => n.kind)).toEqual(['Conv1D', 'MaxPooling1D']);
    expect(filterNodes(maps1)).toEqual([]);
  });
});

describe('probeActivations', () => {
  it('gives LeNet-5 per-layer shapes and the 10-way output', () => {
    const { layers, output } = probeActivations(tf, model, featureMapNodes(lenet, lenetInf), image, [28, 28, 1]);
    expect(layers.map((a) => [a.name, a.kind, a.shape])).toEqual([
      ['conv2d', 'Conv2D', [28, 28, 6]],
      ['max_pooling2d', 'MaxPooling2D', [14, 14, 6]],
      ['conv2d_1', 'Conv2D', [10, 10, 16]],
      ['max_pooling2d_1', 'MaxPooling2D', [5, 5, 16]],
    ]);
    for (const a of layers) expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
    expect(output.length).toBe(10);
  });

  it('equals a direct tfjs computation of the same layers', () => {
    const { layers, output } = probeActivations(tf, model, featureMapNodes(lenet, lenetInf), image, [28, 28, 1]);
    const [kernel, bias] = model.getLayer('conv2d').getWeights();
    const direct = tf.tidy(() => {
      const x = tf.tensor4d(image, [1, 28, 28, 1]);
      const conv = tf.relu(tf.add(tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same'), bias));
      const pool = tf.maxPool(conv as tf.Tensor4D, 2, 2, 'valid');
      const out = model.predict(x) as tf.Tensor;
      return [conv, pool, out].map((t) => t.dataSync());
    });
    expect(maxAbsDiff(layers[0].data, direct[0])).toBeLessThan(1e-5);
    expect(maxAbsDiff(layers[1].data, direct[1])).toBeLessThan(1e-5);
    expect(maxAbsDiff(output, direct[2])).toBeLessThan(1e-6);
  });

  it('creates no tensor it does not dispose', () => {
    const nodes = featureMapNodes(lenet, lenetInf);
    probeActivations(tf, model, nodes, image, [28, 28, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) probeActivations(tf, model, nodes, image, [28, 28, 1]);
    layerKernel(model, 'conv2d_1');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('copies a grey drawing into every channel of an RGB input', () => {
    const plane = Float32Array.from({ length: 4 }, (_v, i) => i / 4);
    expect([...toModelInput(plane, [2, 2, 3])]).toEqual([0, 0, 0, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75]);
    expect(toModelInput(image, [28, 28, 1])).toBe(image);
    expect(() => toModelInput(plane, [3, 3, 1])).toThrow(/4 values.*3×3×1/);
  });
});

describe('topK', () => {
  it('sorts class probabilities and keeps k', () => {
    expect(topK([0.1, 0.5, 0.05, 0.3, 0.02, 0.03], 3)).toEqual([{ k: 1, p: 0.5 }, { k: 3, p: 0.3 }, { k: 0, p: 0.1 }]);
    expect(topK([0.4, 0.6]).map((e) => e.k)).toEqual([1, 0]);
  });

  it('reads one sigmoid output as two classes', () => {
    expect(topK([0.75])).toEqual([{ k: 1, p: 0.75 }, { k: 0, p: 0.25 }]);
  });
});

describe('filters', () => {
  it("reads a conv layer's kernel and draws filter f as a plane averaged over input channels, or as RGB", () => {
    const k = layerKernel(model, 'conv2d_1')!;
    expect(k.shape).toEqual([5, 5, 6, 16]);
    expect(layerKernel(model, 'dense')).toBeNull();
    expect(layerKernel(model, 'no-such-layer')).toBeNull();
    // [kh=1, kw=2, cin, cout=2]: filter 1 of the pixel at (0, 1) is data[(1·cin + ch)·2 + 1].
    const grey = { shape: [1, 2, 2, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, -8]) };
    expect(filterImage(grey, 1)).toEqual({ channels: 1, data: Float32Array.from([3, -1]) });
    expect(kernelAmplitude(grey)).toBe(8);
    expect(kernelAmplitude({ shape: [1, 1, 1, 1], data: new Float32Array(1) })).toBe(1);
    const rgb = { shape: [1, 1, 3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    expect(filterImage(rgb, 0)).toEqual({ channels: 3, data: Float32Array.from([1, 3, 5]) });
  });
});

describe('probeActivationsInSteps', () => {
  it('gives the same maps and output as the one-call probe, pausing between layers, on LeNet-5 and on ResNet-20 (residual adds)', async () => {
    const resnet = flattenProject(getPreset('resnet-cifar')!).graph;
    const resInf = inferGraph(resnet);
    const res = compileGraph(tf, resnet, resInf);
    const rgb = Float32Array.from({ length: 32 * 32 * 3 }, (_v, i) => Math.sin(i / 17) * 0.5 + 0.5);
    try {
      for (const [m, g, inf, x, shape] of [[model, lenet, lenetInf, image, [28, 28, 1]], [res, resnet, resInf, rgb, [32, 32, 3]]] as const) {
        const nodes = featureMapNodes(g, inf);
        const once = probeActivations(tf, m, nodes, x, shape);
        let pauses = 0;
        const before = tf.memory().numTensors;
        const steps = await probeActivationsInSteps(tf, m, nodes, x, shape, { pause: async () => void pauses++, sliceMs: 0 });
        expect(tf.memory().numTensors).toBe(before);
        expect(pauses).toBeGreaterThanOrEqual(nodes.length);
        expect(steps.layers.map((a) => [a.name, a.shape])).toEqual(once.layers.map((a) => [a.name, a.shape]));
        steps.layers.forEach((a, i) => expect(maxAbsDiff(a.data, once.layers[i].data)).toBeLessThan(1e-5));
        expect(maxAbsDiff(steps.output, once.output)).toBeLessThan(1e-6);
      }
    } finally {
      res.dispose();
    }
  });

  it('stops at the next pause when cancelled, leaving no tensor behind', async () => {
    const nodes = featureMapNodes(lenet, lenetInf);
    const before = tf.memory().numTensors;
    let n = 0;
    await expect(probeActivationsInSteps(tf, model, nodes, image, [28, 28, 1], { pause: async () => void n++, cancelled: () => n >= 2, sliceMs: 0 })).rejects.toBeInstanceOf(ProbeCancelled);
    expect(n).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

