import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset } from '../../presets/index';
import { loadDataset } from './datasets/index';
import { fsReader } from './datasets/node';
import { defaultTrainSettings } from './protocol';
import { trainModel, type TrainControl } from './trainer';
import { nodeWasm } from './wasm/node';

const root = join(__dirname, '../..');
const control: TrainControl = { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} };

beforeAll(async () => {
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
});

describe('trainModel with the fast wasm kernels and fused Adam (the worker configuration)', () => {
  it('learns, keeps the tensor count flat across epochs and leaves nothing behind', async () => {
    const ds = await loadDataset('mnist', { readFile: fsReader(root), trainLimit: 768, testLimit: 256 });
    const before = tf.memory().numTensors;
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const afterModel = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const losses: number[] = [];
    const res = await trainModel({
      tf, model, ds, settings: { ...defaultTrainSettings, epochs: 3, batchSize: 32, learningRate: 0.003 }, control,
      callbacks: { onEpoch: (e) => { perEpoch.push(tf.memory().numTensors); losses.push(e.loss); } },
    });
    expect(res.reason).toBe('finished');
    expect(new Set(perEpoch).size).toBe(1);
    expect(losses[2]).toBeLessThan(losses[0] * 0.6);
    expect(res.test!.acc).toBeGreaterThan(0.6);
    expect(tf.memory().numTensors).toBe(afterModel);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
