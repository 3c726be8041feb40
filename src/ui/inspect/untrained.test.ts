import { describe, expect, it } from 'vitest';
import { getPreset } from '../../../presets/index';
import { modelKey, untrainedWeights } from './untrained';

describe('untrained weights cache', () => {
  const g = getPreset('lenet5')!.graph;

  it('keys by structure: positions and object identity do not matter, params and wiring do', () => {
    const moved = { ...g, nodes: g.nodes.map((n) => ({ ...n, position: { x: n.position.x + 50, y: 0 } })).reverse() };
    expect(modelKey(moved)).toBe(modelKey(g));
    const edited = { ...g, nodes: g.nodes.map((n) => (n.name === 'conv2d' ? { ...n, params: { ...n.params, filters: 8 } } : n)) };
    expect(modelKey(edited)).not.toBe(modelKey(g));
    const rewired = { ...g, edges: g.edges.map((e, i) => (i === 0 ? { ...e, targetIndex: 1 } : e)) };
    expect(modelKey(rewired)).not.toBe(modelKey(g));
  });

  it('returns what was stored for the same model and keeps only the last four', () => {
    const w = [{ layer: 'conv2d', tensors: [] }];
    untrainedWeights.set(g, w);
    expect(untrainedWeights.get(structuredClone(g))).toBe(w);
    for (let i = 0; i < 4; i++) untrainedWeights.set({ ...g, nodes: g.nodes.map((n) => ({ ...n, name: `${n.name}_${i}` })) }, []);
    expect(untrainedWeights.get(g)).toBeUndefined();
  });
});
