import { describe, expect, it } from 'vitest';
import { getPreset, presetList } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import type { Graph } from '../graph/types';
import { checkCompatibility, fittingDataset } from './compat';
import { datasetList } from './datasets/index';

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
