import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getPreset } from '../../presets/index';
import { compileGraph } from '../compile/compile';
import { measureTrainingSteps } from './backend-measure';
import { PROBE_LIMITS } from './backend-probe';
import { defaultTrainSettings, type TrainSettings } from './protocol';
import { withSeededMathRandom } from './random';
import { nodeWasm } from './wasm/node';

const root = join(__dirname, '../..');
const settings: TrainSettings = { ...defaultTrainSettings, batchSize: 16, seed: 7 };
const lenet = getPreset('lenet5')!.graph;

beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
});

const initialWeights = () => {
  const m = withSeededMathRandom(settings.seed, () => compileGraph(tf, lenet));
  const w = m.getWeights().map((t) => Array.from(t.dataSync()));
  m.dispose();
  return w;
};

describe('measureTrainingSteps (real steps, wasm in Node)', () => {
  it('times a warm-up and up to three steps of the model, and leaves no tensor and no changed random state behind', async () => {
    const before = initialWeights();
    const tensors = tf.memory().numTensors;
    const random = Math.random;
    const r = await measureTrainingSteps({ tf, graph: lenet, settings, backend: 'wasm', inputShape: [28, 28, 1], numClasses: 10 });
    expect('timing' in r).toBe(true);
    if ('timing' in r) {
      expect(r.timing.backend).toBe('wasm');
      expect(r.timing.steps).toBeGreaterThanOrEqual(1);
      expect(r.timing.steps).toBeLessThanOrEqual(PROBE_LIMITS.timedSteps);
      expect(r.timing.samplesPerSec).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Math.random).toBe(random);
    // The run compiled after the probe starts from the same weights as one without it.
    expect(initialWeights()).toEqual(before);
  });

  it('drops a backend over the cap with its reason', async () => {
    const r = await measureTrainingSteps({
      tf, graph: lenet, settings, backend: 'wasm', inputShape: [28, 28, 1], numClasses: 10,
      limits: { ...PROBE_LIMITS, backendCapMs: 0 }, now: (() => { let t = 0; return () => (t += 5); })(),
    });
    expect(r).toEqual({ dropped: { backend: 'wasm', reason: 'dropped: warm-up took 0.0 s, over the 0.0 s cap' } });
  });

  it('a step that throws drops the backend and disposes what it made', async () => {
    const tensors = tf.memory().numTensors;
    // An input shape the model does not take makes the step throw.
    const r = await measureTrainingSteps({ tf, graph: lenet, settings, backend: 'wasm', inputShape: [27, 28, 1], numClasses: 10 });
    expect('dropped' in r && r.dropped.reason.startsWith('failed: ')).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
