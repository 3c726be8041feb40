import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import { toSeparable } from '../graph/transform';
import type { Graph, GraphNode } from '../graph/types';
import { carryWeights } from './carry';
import { compileGraph } from './compile';
import { applyWeights, snapshotWeights, type WeightSnapshot } from './weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const lenet = () => getPreset('lenet5')!.graph;
const edit = (g: Graph, name: string, f: (n: GraphNode) => GraphNode): Graph => ({ ...g, nodes: g.nodes.map((n) => (n.name === name ? f(n) : n)) });
const setParams = (g: Graph, name: string, patch: Record<string, unknown>) => edit(g, name, (n) => ({ ...n, params: { ...n.params, ...patch } }));

/** A stand-in for trained weights: one tensor per layer holding as many numbers as the layer counts params. */
function fakeWeights(g: Graph): WeightSnapshot {
  const inf = inferGraph(g);
  return g.nodes
    .map((n) => ({ n, count: inf.nodes[n.id].count.trainable + inf.nodes[n.id].count.nonTrainable }))
    .filter(({ count }) => count > 0)
    .map(({ n, count }) => ({ layer: n.name, tensors: [{ name: 'w', shape: [count], data: new Float32Array(count).fill(n.id.length) }] }));
}

const names = (xs: { name: string }[]) => xs.map((x) => x.name);
const LAYERS = ['conv2d', 'conv2d_1', 'dense', 'dense_1', 'dense_2'];

describe('carryWeights', () => {
  it('an unchanged graph keeps every layer, with the very same tensors', () => {
    const g = lenet();
    const w = fakeWeights(g);
    const c = carryWeights(g, g, w);
    expect(names(c.kept)).toEqual(LAYERS);
    expect(c.fresh).toEqual([]);
    expect(c.snapshot).toEqual(w);
    c.snapshot.forEach((l, i) => expect(l).toBe(w[i]));
  });

  it('a layer whose filters changed starts fresh, and so does the next conv whose input channels changed', () => {
    const g = lenet();
    const c = carryWeights(g, setParams(g, 'conv2d', { filters: 8 }), fakeWeights(g));
    expect(c.fresh).toEqual([
      { id: 'n1', name: 'conv2d', reason: 'params changed' },
      { id: 'n3', name: 'conv2d_1', reason: 'input shape changed' },
    ]);
    expect(names(c.kept)).toEqual(['dense', 'dense_1', 'dense_2']);
    expect(c.snapshot.map((l) => l.layer)).toEqual(['dense', 'dense_1', 'dense_2']);
  });

  it('a layer whose input shape changed starts fresh though its own params did not', () => {
    const g = lenet();
    // No first pooling: conv2d_1 sees 28×28×6 instead of 14×14×6, and dense a longer flattened vector.
    const c = carryWeights(g, setParams(g, 'max_pooling2d', { poolSize: 1 }), fakeWeights(g));
    // conv2d_1's kernel (5×5×6×16) would still load, but it was trained on features at another scale.
    expect(c.fresh).toEqual([
      { id: 'n3', name: 'conv2d_1', reason: 'input shape changed' },
      { id: 'n6', name: 'dense', reason: 'input shape changed' },
    ]);
    expect(names(c.kept)).toEqual(['conv2d', 'dense_1', 'dense_2']);
    const c2 = carryWeights(g, setParams(g, 'max_pooling2d_1', { poolSize: 1 }), fakeWeights(g));
    expect(c2.fresh).toEqual([{ id: 'n6', name: 'dense', reason: 'input shape changed' }]);
    expect(names(c2.kept)).toEqual(['conv2d', 'conv2d_1', 'dense_1', 'dense_2']);
  });

  it('a renamed and moved layer keeps its weights under its new name', () => {
    const g = lenet();
    const w = fakeWeights(g);
    const after = edit(g, 'dense', (n) => ({ ...n, name: 'fc1', position: { x: 400, y: 9 } }));
    const c = carryWeights(g, after, w);
    expect(names(c.kept)).toEqual(['conv2d', 'conv2d_1', 'fc1', 'dense_1', 'dense_2']);
    const fc1 = c.snapshot.find((l) => l.layer === 'fc1')!;
    expect(fc1.tensors).toBe(w.find((l) => l.layer === 'dense')!.tensors);
    expect(w.find((l) => l.layer === 'dense')).toBeDefined(); // the input snapshot is untouched
  });

  it('a different kind, a new layer, a layer missing from the snapshot and weights of the wrong size start fresh', () => {
    const g = lenet();
    const w = fakeWeights(g).filter((l) => l.layer !== 'dense_1');
    w[w.findIndex((l) => l.layer === 'dense_2')] = { layer: 'dense_2', tensors: [{ name: 'w', shape: [3], data: new Float32Array(3) }] };
    const swapped = edit(g, 'conv2d', (n) => ({ ...n, kind: 'SeparableConv2D', params: { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' } }));
    const added: Graph = {
      nodes: [...swapped.nodes.filter((n) => n.id !== 'n8'), { id: 'n9', kind: 'Dense', name: 'head', params: { units: 10, activation: 'softmax' }, position: { x: 0, y: 0 } }, swapped.nodes.find((n) => n.id === 'n8')!],
      edges: [...swapped.edges, { id: 'e8', source: 'n7', target: 'n9', targetIndex: 0 }],
    };
    const c = carryWeights(g, added, w);
    expect(c.fresh).toEqual([
      { id: 'n1', name: 'conv2d', reason: 'kind changed' },
      { id: 'n7', name: 'dense_1', reason: 'not trained' },
      { id: 'n9', name: 'head', reason: 'new layer' },
      { id: 'n8', name: 'dense_2', reason: 'weights do not fit' },
    ]);
    expect(names(c.kept)).toEqual(['conv2d_1', 'dense']);
  });

  it('after the separable rewrite the real snapshot loads into the new model: kept layers trained, the two new ones fresh', () => {
    const g = lenet();
    const before = compileGraph(tf, g);
    const w = snapshotWeights(before);
    before.dispose();
    const after = toSeparable(g, 'n3', { batchNorm: false });
    const c = carryWeights(g, after, w);
    expect(names(c.kept)).toEqual(['conv2d', 'dense', 'dense_1', 'dense_2']);
    expect(c.fresh).toEqual([
      { id: 'n3_dw', name: 'conv2d_1_dw', reason: 'new layer' },
      { id: 'n3_pw', name: 'conv2d_1_pw', reason: 'new layer' },
    ]);
    const model = compileGraph(tf, after);
    applyWeights(tf, model, c.snapshot);
    for (const name of ['conv2d', 'dense_2']) {
      const got = model.getLayer(name).getWeights().map((t) => Array.from(t.dataSync()));
      expect(got).toEqual(w.find((l) => l.layer === name)!.tensors.map((t) => Array.from(t.data)));
    }
    model.dispose();
  });
});
