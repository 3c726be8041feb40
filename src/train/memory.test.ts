import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import { defaultTrainSettings } from './protocol';
import { describeEstimate, estimateTrainingMemory, EVALUATION_BATCH, formatBytes, MAX_SHARED_BYTES, MEMORY_BUDGET } from './memory';

const preset = (id: string) => {
  const graph = getPreset(id)!.graph;
  return { graph, inference: inferGraph(graph) };
};

describe('estimateTrainingMemory', () => {
  it('VGG-16 at 224×224 with batch 64 does not fit wasm: a message naming the figures and a batch that fits', () => {
    const { graph, inference } = preset('vgg16');
    const e = estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, batchSize: 64 }, 'wasm', 1);
    expect(e.fits).toBe(false);
    expect(e.limit).toBe(MEMORY_BUDGET.wasm);
    expect(e.weights).toBe(138_357_544 * 4);
    expect(e.optimizer).toBe(2 * 138_357_544 * 4);
    expect(e.perWorker).toBeGreaterThan(e.limit);
    expect(e.largestBatchThatFits).toBeGreaterThan(0);
    expect(e.largestBatchThatFits).toBeLessThan(64);
    const smaller = estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, batchSize: e.largestBatchThatFits }, 'wasm', 1);
    expect(smaller.fits).toBe(true);
    expect(estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, batchSize: e.largestBatchThatFits + 1 }, 'wasm', 1).fits).toBe(false);
    expect(e.largestBatchThatFits).toBe(5);
    // Validation and test passes shrink their batches too (a forward pass at 256 rows would not fit either).
    expect(e.evaluationBatch).toBeGreaterThanOrEqual(5);
    expect(e.evaluationBatch).toBeLessThan(EVALUATION_BATCH);
    expect(e.message).toBe(
      'A training step needs ≈ 20 GB per worker (weights 553 MB, gradients 553 MB, optimizer 1.1 GB, activations 18 GB at batch 64), ' +
      'more than the 3.8 GB budget of a wasm worker. Batch 5 fits.',
    );
  });

  it('VGG-16 with stock Adam on cpu: the update alone is too large, so even batch 1 is refused', () => {
    const { graph, inference } = preset('vgg16');
    const e = estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, batchSize: 64 }, 'cpu', 1);
    expect(e.fits).toBe(false);
    expect(e.largestBatchThatFits).toBe(0);
    expect(e.message).toMatch(/^Even at batch 1 a training step needs ≈ 10 GB per worker \(weights 553 MB, gradients 553 MB, optimizer 1.1 GB, optimizer update 7.7 GB, activations 284 MB at batch 1\), more than the 2.1 GB budget of a cpu worker. The model is too large/);
  });

  it('LeNet-5 at batch 64 fits comfortably, on every backend', () => {
    const { graph, inference } = preset('lenet5');
    for (const backend of ['wasm', 'webgl', 'cpu'] as const) {
      const e = estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, batchSize: 64 }, backend, backend === 'wasm' ? 2 : 1);
      expect(e.fits).toBe(true);
      expect(e.perWorker).toBeLessThan(e.limit / 100);
      expect(e.largestBatchThatFits).toBe(64);
      expect(e.message).toBe('');
      expect(e.evaluationBatch).toBe(EVALUATION_BATCH);
    }
  });

  it('data-parallel runs add the shared buffer; too large a buffer means one worker', () => {
    const { graph, inference } = preset('lenet5');
    const two = estimateTrainingMemory(graph, inference, defaultTrainSettings, 'wasm', 2);
    expect(two.workers).toBe(2);
    expect(two.shared).toBeGreaterThan(2 * 2 * 61_706 * 4);
    expect(two.total).toBe(2 * two.perWorker + two.shared);
    const big = preset('resnet50');
    const e = estimateTrainingMemory(big.graph, big.inference, { ...defaultTrainSettings, batchSize: 4 }, 'wasm', 4);
    expect(e.workers).toBe(1);
    expect(e.shared).toBe(0);
    expect(e.workersNote).toContain(`${MAX_SHARED_BYTES / 2 ** 20} MB`);
  });

  it('optimizer slots follow tfjs: Adam 2, momentum 1, plain SGD 0, RMSprop 2', () => {
    const { graph, inference } = preset('lenet5');
    const slots = (optimizer: 'adam' | 'sgd' | 'rmsprop', momentum: number) =>
      estimateTrainingMemory(graph, inference, { ...defaultTrainSettings, optimizer, momentum }, 'wasm', 1).optimizer / (61_706 * 4);
    expect([slots('adam', 0), slots('sgd', 0.9), slots('sgd', 0), slots('rmsprop', 0)]).toEqual([2, 1, 0, 2]);
  });

  it('formats a one-line summary', () => {
    expect(formatBytes(553_430_176)).toBe('553 MB');
    expect(formatBytes(1_234_000_000)).toBe('1.2 GB');
    expect(formatBytes(9_960_000_000)).toBe('10 GB');
    const { graph, inference } = preset('lenet5');
    expect(describeEstimate(estimateTrainingMemory(graph, inference, defaultTrainSettings, 'wasm', 1))).toMatch(/^≈ .+ per step: weights 247 KB, .* at batch 64/);
  });
});
