import { describe, expect, it } from 'vitest';
import { getPreset, presetList } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import type { Graph } from '../graph/types';
import { checkCompatibility, fittingDataset } from './compat';
import { datasetList } from './datasets/index';
import { estimateTrainingMemory } from './memory';
import { defaultTrainSettings } from './protocol';

const info = (id: string) => datasetList.find((d) => d.id === id)!;
const withParams = (g: Graph, name: string, patch: Record<string, unknown>): Graph => ({
  ...g,
  nodes: g.nodes.map((n) => (n.name === name ? { ...n, params: { ...n.params, ...patch } } : n)),
});

describe('checkCompatibility', () => {
  it('each preset with a dataset fits it as shipped (calorimeter-cnn and jet-image-cnn on their toy physics sets too)', () => {
    const pairs = presetList.filter((p) => p.dataset).map((p) => [p.id, p.dataset!]);
    expect(pairs).toEqual(expect.arrayContaining([['calorimeter-cnn', 'calorimeter'], ['jet-image-cnn', 'jet-images'], ['lenet5', 'mnist']]));
    for (const [preset, ds] of pairs) {
      const g = getPreset(preset)!.graph;
      expect(checkCompatibility(g, inferGraph(g), info(ds)), preset).toEqual([]);
    }
  });

  it('LeNet-5 on X/O: Input and class count mismatches, each with a fix that repairs it', () => {
    const g = getPreset('lenet5')!.graph;
    const issues = checkCompatibility(g, inferGraph(g), info('xo'));
    const input = issues.find((i) => i.fix?.patch.shape);
    expect(input?.message).toMatch(/9×9×1.*28×28×1/);
    expect(input?.fix?.label).toBe('Set Input to 9×9×1');
    const g2 = withParams(g, 'input', input!.fix!.patch);
    // LeNet-5 cannot shrink a 9×9 image through two 5×5 convs: the graph errors are reported, not hidden.
    expect(checkCompatibility(g2, inferGraph(g2), info('xo')).some((i) => /graph has errors/.test(i.message))).toBe(true);
  });

  it('a wrong Input shape and a wrong unit count are fixed by their one-click patches', () => {
    let g = withParams(withParams(getPreset('lenet5')!.graph, 'input', { shape: [32, 32, 1] }), 'dense_2', { units: 7 });
    const issues = checkCompatibility(g, inferGraph(g), info('mnist'));
    expect(issues.map((i) => i.fix?.label)).toEqual(['Set Input to 28×28×1', 'Set dense_2 units to 10']);
    for (const i of issues) g = withParams(g, g.nodes.find((n) => n.id === i.fix!.nodeId)!.name, i.fix!.patch);
    expect(checkCompatibility(g, inferGraph(g), info('mnist'))).toEqual([]);
  });

  it('a relu head is a warning with a softmax fix; a sigmoid unit is fine for two classes', () => {
    const g = withParams(getPreset('lenet5')!.graph, 'dense_2', { activation: 'relu' });
    const [w] = checkCompatibility(g, inferGraph(g), info('mnist'));
    expect(w.severity).toBe('warning');
    expect(w.fix?.patch).toEqual({ activation: 'softmax' });
    const b = withParams(getPreset('basic-cnn')!.graph, 'fc', { units: 1, activation: 'sigmoid' });
    expect(checkCompatibility(b, inferGraph(b), info('xo'))).toEqual([]);
  });

  it('fittingDataset: the physics presets find their toy sets, LeNet-5 MNIST, VGG-small nothing', () => {
    const fit = (id: string) => {
      const g = getPreset(id)!.graph;
      return fittingDataset(g, inferGraph(g))?.id;
    };
    expect([fit('calorimeter-cnn'), fit('jet-image-cnn'), fit('lenet5'), fit('vgg-small')]).toEqual(['calorimeter', 'jet-images', 'mnist', undefined]);
  });
});

describe('checkCompatibility with a memory estimate', () => {
  const vgg = getPreset('vgg16')!.graph;
  const imagenet = { ...info('mnist'), name: 'ImageNet-like', inputShape: [224, 224, 3], numClasses: 1000 };

  it('VGG-16 at batch 64 on wasm: an error naming the figures, fixed by "Use batch 5"', () => {
    const inf = inferGraph(vgg);
    const memory = estimateTrainingMemory(vgg, inf, { ...defaultTrainSettings, batchSize: 64 }, 'wasm', 1);
    const issues = checkCompatibility(vgg, inf, imagenet, memory);
    expect(issues).toHaveLength(1);
    expect(issues[0].severity).toBe('error');
    expect(issues[0].message).toMatch(/≈ 20 GB per worker .* at batch 64\), more than the 3.8 GB budget of a wasm worker/);
    expect(issues[0].settingsFix).toEqual({ patch: { batchSize: 5 }, label: 'Use batch 5' });
    const fixed = estimateTrainingMemory(vgg, inf, { ...defaultTrainSettings, ...issues[0].settingsFix!.patch }, 'wasm', 1);
    expect(checkCompatibility(vgg, inf, imagenet, fixed)).toEqual([]);
  });

  it('a model that does not fit at batch 1: a plain error without a fix', () => {
    const inf = inferGraph(vgg);
    const memory = estimateTrainingMemory(vgg, inf, { ...defaultTrainSettings, batchSize: 64 }, 'cpu', 1);
    const [issue] = checkCompatibility(vgg, inf, imagenet, memory);
    expect(issue.message).toMatch(/^Even at batch 1 a training step needs/);
    expect(issue.settingsFix).toBeUndefined();
  });

  it('LeNet-5 on MNIST at batch 64 has no memory issue', () => {
    const g = getPreset('lenet5')!.graph;
    const inf = inferGraph(g);
    expect(checkCompatibility(g, inf, info('mnist'), estimateTrainingMemory(g, inf, defaultTrainSettings, 'wasm', 2))).toEqual([]);
  });
});
