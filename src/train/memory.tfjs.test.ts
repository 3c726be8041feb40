import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import type { Graph } from '../graph/types';
import { registerCpuGradients } from './cpu/filter-gradient';
import { estimateTrainingMemory } from './memory';
import { makeOptimizer } from './trainer';
import { defaultTrainSettings, type TrainSettings } from './protocol';

/** A small VGG-like stack: two Conv–BatchNorm–ReLU blocks, pooling, a Dense head. */
function vggLike(): Graph {
  const layers: [string, Record<string, unknown>][] = [
    ['Input', { shape: [16, 16, 3] }],
    ['Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'linear' }], ['BatchNormalization', {}], ['Activation', { activation: 'relu' }],
    ['Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'linear' }], ['BatchNormalization', {}], ['Activation', { activation: 'relu' }],
    ['MaxPooling2D', {}], ['Flatten', {}], ['Dense', { units: 10, activation: 'softmax' }],
  ];
  return {
    nodes: layers.map(([kind, params], i) => ({ id: `n${i}`, kind, name: `l${i}`, params, position: { x: 0, y: 0 } })),
    edges: layers.slice(1).map((_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}`, targetIndex: 0 })),
  };
}

/**
 * tf.memory().numBytes adds a tensor's bytes once per tensor handle (Engine.trackTensor), so the clones tfjs keeps for
 * the backward pass and every reshape count again though they share one buffer: it overstates what is allocated. This
 * tracker counts each data buffer once (added when a tensor with a new dataId is tracked, removed with its dataId) and
 * keeps the peak: the memory a backend really holds.
 */
type EngineInternals = {
  state: { tensorInfo: WeakMap<object, { bytes: number }> };
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
};
const buffers = { live: 0, peak: 0, sizes: new Map<object, number>() };
function trackBuffers() {
  const eng = tf.engine() as unknown as EngineInternals;
  const track = eng.trackTensor.bind(eng);
  const remove = eng.removeDataId.bind(eng);
  eng.trackTensor = (a, backend) => {
    const id = a.dataId as object;
    const fresh = !eng.state.tensorInfo.has(id);
    track(a, backend);
    if (!fresh) return;
    const n = eng.state.tensorInfo.get(id)!.bytes;
    buffers.sizes.set(id, n);
    buffers.live += n;
    buffers.peak = Math.max(buffers.peak, buffers.live);
  };
  eng.removeDataId = (id, backend) => {
    remove(id, backend);
    const n = buffers.sizes.get(id);
    if (n === undefined || eng.state.tensorInfo.has(id)) return;
    buffers.live -= n;
    buffers.sizes.delete(id);
  };
  return () => Object.assign(eng, { trackTensor: track, removeDataId: remove });
}

let untrack: () => void;
afterAll(() => untrack());

beforeAll(async () => {
  untrack = trackBuffers();
  registerCpuGradients(tf);
  await tf.setBackend('cpu');
});

/**
 * The estimate against tfjs's own count: the peak of tf.memory().numBytes (tf.profile's peakBytes) over a second
 * training step (the first creates the optimizer's slots; the second is the steady state every later step repeats).
 */
describe('the memory estimate holds against tfjs (cpu backend, one optimizer.minimize step)', () => {
  const cases: [string, () => Graph, number, TrainSettings['optimizer']][] = [
    ['lenet5', () => getPreset('lenet5')!.graph, 8, 'adam'],
    ['vgg-like with BatchNorm', vggLike, 4, 'sgd'],
    ['basic-cnn', () => getPreset('basic-cnn')!.graph, 16, 'rmsprop'],
    ['resnet-cifar', () => getPreset('resnet-cifar')!.graph, 2, 'adam'],
  ];
  it.each(cases)('%s', async (name, make, batchSize, optimizerName) => {
    const graph = make();
    const inf = inferGraph(graph);
    const settings: TrainSettings = { ...defaultTrainSettings, optimizer: optimizerName, batchSize };
    const model = compileGraph(tf, graph);
    const optimizer = makeOptimizer(tf, settings);
    const inShape = inf.nodes[inf.inputs[0]].outputShape!;
    const k = inf.nodes[inf.outputs[0]].outputShape![0];
    const x = tf.randomUniform([batchSize, ...inShape]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % k), 'int32'), k).toFloat());
    const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, false)?.dispose();
    step();
    const outside = tf.memory().numBytes - buffers.live; // tensors made before the tracker (none expected)
    buffers.peak = buffers.live;
    const { peakBytes } = await tf.profile(step);
    const measured = buffers.peak + outside;
    const e = estimateTrainingMemory(graph, inf, settings, 'cpu', 1);
    console.log(`${name}: batch ${batchSize}, ${optimizerName}: buffers peak ${measured} B, tfjs numBytes peak ${peakBytes} B, estimate ${e.perWorker} B (×${(e.perWorker / measured).toFixed(2)} of buffers, ×${(e.perWorker / peakBytes).toFixed(2)} of numBytes)`);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
    expect(e.perWorker).toBeGreaterThanOrEqual(measured);
    expect(e.perWorker).toBeLessThanOrEqual(1.5 * measured);
    // tfjs's own count, which includes aliases, stays the same order of magnitude.
    expect(e.perWorker).toBeGreaterThanOrEqual(0.5 * peakBytes);
    expect(e.perWorker).toBeLessThanOrEqual(1.25 * peakBytes);
  }, 30_000);
});
