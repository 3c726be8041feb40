import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset } from '../../presets/index';
import { loadDataset } from './datasets/index';
import { fsReader } from './datasets/node';
import { defaultTrainSettings, type TrainSettings } from './protocol';
import { evaluate, lossForModel, splitIndices, trainModel, type TrainControl } from './trainer';
import { nodeWasm } from './wasm/node';
import { snapshotWeights } from '../compile/weights';

const root = join(__dirname, '../..');
const readFile = fsReader(root);

function control(opts: { stopAfterYields?: number } = {}): TrainControl & { yields: number } {
  const c = {
    yields: 0,
    stopRequested: () => opts.stopAfterYields !== undefined && c.yields >= opts.stopAfterYields,
    waitWhilePaused: async () => {},
    yieldToEvents: async () => { c.yields++; await new Promise((r) => setImmediate(r)); },
  };
  return c;
}

const settings = (patch: Partial<TrainSettings>): TrainSettings => ({ ...defaultTrainSettings, ...patch });

beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
});

describe('trainModel', () => {
  it('LeNet-5 learns a 768-sample MNIST subset on wasm; tensor count is flat across epochs and back to its start after', async () => {
    const ds = await loadDataset('mnist', { readFile, trainLimit: 768, testLimit: 256 });
    const before = tf.memory().numTensors;
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const afterModel = tf.memory().numTensors;
    const epochTensors: number[] = [];
    const batches: number[] = [];
    const res = await trainModel({
      tf, model, ds, settings: settings({ epochs: 3, batchSize: 32, learningRate: 0.003, validationSplit: 0.125 }), control: control(),
      callbacks: {
        onBatch: (m) => batches.push(m.smoothLoss),
        onEpoch: () => epochTensors.push(tf.memory().numTensors),
      },
    });
    expect(res.reason).toBe('finished');
    expect(res.epochsDone).toBe(3);
    expect(epochTensors[1]).toBe(epochTensors[0]);
    expect(epochTensors[2]).toBe(epochTensors[0]);
    expect(batches.at(-1)!).toBeLessThan(batches[0] * 0.6);
    expect(res.test!.acc).toBeGreaterThan(0.6);
    const snap = snapshotWeights(model);
    expect(snap.map((l) => l.layer)).toEqual(['conv2d', 'conv2d_1', 'dense', 'dense_1', 'dense_2']);
    // The optimizer was disposed by trainModel: only the model's own variables are left.
    expect(tf.memory().numTensors).toBe(afterModel);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a huge learning rate stops with a NaN/Inf message suggesting a lower one', async () => {
    const ds = await loadDataset('xo', { trainLimit: 256, testLimit: 32 });
    const before = tf.memory().numTensors;
    const model = compileGraph(tf, getPreset('basic-cnn')!.graph);
    const res = await trainModel({ tf, model, ds, settings: settings({ optimizer: 'sgd', momentum: 0.9, learningRate: 1e5, epochs: 5, batchSize: 32 }), control: control() });
    expect(res.reason).toBe('nan');
    expect(res.message).toMatch(/lower learning rate/);
    expect(res.test).toBeUndefined();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between batches when asked, mid-epoch, and still disposes everything', async () => {
    const ds = await loadDataset('timeseries', { trainLimit: 4000, testLimit: 16 });
    const before = tf.memory().numTensors;
    const model = compileGraph(tf, getPreset('conv1d-timeseries')!.graph);
    const batchesSeen: number[] = [];
    const res = await trainModel({
      tf, model, ds, settings: settings({ optimizer: 'rmsprop', epochs: 2, batchSize: 16, validationSplit: 0 }), control: control({ stopAfterYields: 1 }),
      callbacks: { onBatch: (m) => batchesSeen.push(m.batch) },
    });
    expect(res.reason).toBe('stopped');
    expect(res.epochsDone).toBe(0);
    expect(batchesSeen.at(-1)!).toBeLessThan(250);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the loss follows the head, the split is seeded and disjoint', async () => {
    const m = compileGraph(tf, getPreset('lenet5')!.graph);
    expect(lossForModel(m, 10)).toBe('categoricalCrossentropy');
    m.dispose();
    const a = splitIndices(100, 0.2, 3);
    expect(a.valIdx.length).toBe(20);
    expect(new Set([...a.trainIdx, ...a.valIdx]).size).toBe(100);
    expect(splitIndices(100, 0.2, 3).valIdx).toEqual(a.valIdx);
    expect(splitIndices(100, 0.2, 4).valIdx).not.toEqual(a.valIdx);
  });

  it('evaluate agrees with model.evaluate on categorical cross-entropy', async () => {
    const ds = await loadDataset('xo', { trainLimit: 64, testLimit: 100 });
    const m = compileGraph(tf, getPreset('basic-cnn')!.graph);
    const ours = await evaluate(tf, m, ds, 'test', null, 100, 'categoricalCrossentropy', 32);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor(ds.test.x, [100, 9, 9, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from(ds.test.y), 'int32'), 2);
    const [l, a] = m.evaluate(x, y, { batchSize: 100 }) as tf.Scalar[];
    expect(ours.loss).toBeCloseTo(l.dataSync()[0], 4);
    expect(ours.acc).toBeCloseTo(a.dataSync()[0], 5);
    expect(ours.confusion).toBeUndefined();
    // With the confusion matrix (as after a run): rows are the true classes, the diagonal the correct ones.
    const withMatrix = await evaluate(tf, m, ds, 'test', null, 100, 'categoricalCrossentropy', 32, true);
    const predicted = (m.predict(x) as tf.Tensor).argMax(-1).dataSync();
    const want = [[0, 0], [0, 0]];
    ds.test.y.forEach((t, i) => want[t][predicted[i]]++);
    expect(withMatrix.confusion).toEqual(want);
    expect(withMatrix.acc).toBeCloseTo((want[0][0] + want[1][1]) / 100, 6);
    tf.dispose([x, y, l, a]);
    m.dispose();
  });
});
