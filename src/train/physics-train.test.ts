import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset } from '../../presets/index';
import { loadDataset } from './datasets/index';
import { defaultTrainSettings } from './protocol';
import { withSeededMathRandom } from './random';
import { trainModel } from './trainer';
import { nodeWasm } from './wasm/node';

const root = join(__dirname, '../..');

beforeAll(async () => {
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
});

// A brief run per seed preset on its toy physics set (seed 1, Adam 1e-3, batch 64, as the Train panel would; 2 epochs
// on 1,500 / 1,000 images, 400 test images): the test accuracy must clear 1.5× chance. Measured: calorimeter 72.5%
// (chance 25%), jet images 48.5% (chance 20%), about 20 s of CPU for both. Longer runs on the full sets reach more;
// this only proves the presets learn out of the box.
describe('the physics seed presets learn on their toy datasets', () => {
  it.each([
    ['calorimeter-cnn', 'calorimeter', 1500, 4],
    ['jet-image-cnn', 'jet-images', 1000, 5],
  ] as const)('%s on %s', async (preset, datasetId, trainLimit, numClasses) => {
    const ds = await loadDataset(datasetId, { seed: 1, trainLimit, testLimit: 400 });
    const model = withSeededMathRandom(1, () => compileGraph(tf, getPreset(preset)!.graph));
    try {
      const res = await trainModel({
        tf, model, ds, settings: { ...defaultTrainSettings, datasetId, epochs: 2, validationSplit: 0, seed: 1 },
        control: { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} },
      });
      expect(res.reason).toBe('finished');
      expect(res.test!.acc).toBeGreaterThan(1.5 / numClasses);
    } finally {
      model.dispose();
    }
  }, 120_000); // about 10 s of CPU each; the margin is for a machine shared with other jobs
});
