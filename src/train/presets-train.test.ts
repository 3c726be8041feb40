import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset, presetList } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import { randomDataset } from './datasets/generated';
import { defaultTrainSettings } from './protocol';
import { trainModel } from './trainer';
import { nodeWasm } from './wasm/node';

const root = join(__dirname, '../..');
/** Too heavy for a unit test on two shared cores (ImageNet-sized inputs); their layer kinds appear in smaller presets or in wasm/missing-gradients.test.ts. */
const HEAVY = new Set(['vgg16', 'resnet18', 'resnet50', 'mobilenet']);

beforeAll(async () => {
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
});

describe('every light preset takes training steps on wasm (all gradient kernels present)', () => {
  it.each(presetList.filter((p) => !HEAVY.has(p.id)).map((p) => p.id))('%s', async (id) => {
    const graph = getPreset(id)!.graph;
    const inf = inferGraph(graph);
    const inputShape = [...inf.nodes[inf.inputs[0]].outputShape!];
    const outShape = inf.nodes[inf.outputs[0]].outputShape!;
    const ds = randomDataset({ inputShape, numClasses: outShape[outShape.length - 1] }, 3, 4, 4);
    const before = tf.memory().numTensors;
    const model = compileGraph(tf, graph);
    const w0 = model.getWeights().map((w) => w.dataSync().slice());
    const res = await trainModel({
      tf, model, ds, settings: { ...defaultTrainSettings, batchSize: 2, epochs: 1, validationSplit: 0 },
      control: { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} },
    });
    expect(res.reason).toBe('finished');
    expect(Number.isFinite(res.test!.loss)).toBe(true);
    // Every trainable weight moved (a missing gradient would leave one untouched or throw).
    model.trainableWeights.forEach((w) => {
      const i = model.weights.indexOf(w);
      const now = w.read().dataSync();
      expect(now.some((v, k) => v !== w0[i][k]), `${w.name} did not change`).toBe(true);
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
