import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { modelFingerprint, stableJson } from './fingerprint';
import type { Graph, GraphNode } from './types';

const lenet = () => getPreset('lenet5')!.graph;
const edit = (g: Graph, name: string, f: (n: GraphNode) => GraphNode): Graph => ({ ...g, nodes: g.nodes.map((n) => (n.name === name ? f(n) : n)) });

describe('modelFingerprint', () => {
  it('ignores positions, layer names, node order and the key order of params', () => {
    const g = lenet();
    const key = modelFingerprint(g);
    const moved = { ...g, nodes: g.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: -n.position.y } })) };
    expect(modelFingerprint(moved)).toBe(key);
    expect(modelFingerprint(edit(g, 'dense', (n) => ({ ...n, name: 'fc1' })))).toBe(key);
    expect(modelFingerprint({ nodes: [...g.nodes].reverse(), edges: [...g.edges].reverse() })).toBe(key);
    const reordered = edit(g, 'conv2d', (n) => ({ ...n, params: Object.fromEntries(Object.entries(n.params).reverse()) }));
    expect(modelFingerprint(reordered)).toBe(key);
  });

  it('treats a default typed out as no change', () => {
    const g = lenet();
    expect(modelFingerprint(edit(g, 'conv2d', (n) => ({ ...n, params: { ...n.params, strides: 1 } })))).toBe(modelFingerprint(g));
    expect(modelFingerprint(edit(g, 'conv2d', (n) => ({ ...n, params: { ...n.params, strides: 2 } })))).not.toBe(modelFingerprint(g));
  });

  it('changes with params, kinds, ids and wiring', () => {
    const g = lenet();
    const key = modelFingerprint(g);
    const variants: Graph[] = [
      edit(g, 'conv2d_1', (n) => ({ ...n, params: { ...n.params, filters: 8 } })),
      edit(g, 'dense_1', (n) => ({ ...n, params: { ...n.params, activation: 'tanh' } })),
      edit(g, 'max_pooling2d', (n) => ({ ...n, kind: 'AveragePooling2D' })),
      edit(g, 'dense', (n) => ({ ...n, id: 'n6b' })),
      { ...g, edges: g.edges.filter((e) => e.target !== 'n8') },
      { ...g, edges: g.edges.map((e) => (e.target === 'n8' ? { ...e, targetIndex: 1 } : e)) },
    ];
    const keys = variants.map((v) => modelFingerprint(v));
    for (const k of keys) expect(k).not.toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('stableJson', () => {
  it('sorts keys at every depth, drops undefined fields and keeps array order', () => {
    expect(stableJson({ b: [2, { d: 1, c: 2 }], a: 1, z: undefined })).toBe('{"a":1,"b":[2,{"c":2,"d":1}]}');
    expect(stableJson([3, 1])).not.toBe(stableJson([1, 3]));
  });
});
