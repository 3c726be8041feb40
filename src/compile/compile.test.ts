import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import type { Graph } from '../graph/types';
import { CompileError, compileGraph } from './compile';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('compileGraph', () => {
  it('builds a chain whose layers, names, shapes and param count match inferGraph', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [12, 12, 2] } },
      { kind: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } },
      { kind: 'Conv2D', params: { filters: 5, kernelSize: [3, 2], strides: 2, useBias: false } },
      { kind: 'Dense', params: { units: 7, activation: 'softmax' } },
    ]);
    const inf = inferGraph(g);
    const model = compileGraph(tf, g);
    expect(model.countParams()).toBe(inf.totals.params);
    expect(model.layers.map((l) => l.name)).toEqual(g.nodes.map((n) => n.name));
    for (const n of g.nodes.slice(1)) {
      expect(model.getLayer(n.name).outputShape).toEqual([null, ...inf.nodes[n.id].outputShape!]);
    }
    model.dispose();
  });

  it('feeds merge inputs in targetIndex order and keeps several outputs in node order', () => {
    // Add gives the same shape either way round, so the order is checked on the inbound layer names.
    const g: Graph = {
      nodes: [
        { id: 'i', kind: 'Input', name: 'img', params: { shape: [8, 8, 3] }, position: { x: 0, y: 0 } },
        { id: 'a', kind: 'Conv2D', name: 'left', params: { filters: 3, padding: 'same' }, position: { x: 0, y: 0 } },
        { id: 'b', kind: 'Conv2D', name: 'right', params: { filters: 3, padding: 'same' }, position: { x: 0, y: 0 } },
        { id: 'm', kind: 'Add', name: 'sum', params: {}, position: { x: 0, y: 0 } },
        { id: 'h2', kind: 'Dense', name: 'head2', params: { units: 2 }, position: { x: 0, y: 0 } },
        { id: 'h1', kind: 'Dense', name: 'head1', params: { units: 1 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'i', target: 'a', targetIndex: 0 },
        { id: 'e2', source: 'i', target: 'b', targetIndex: 0 },
        // Listed in reverse slot order on purpose.
        { id: 'e3', source: 'a', target: 'm', targetIndex: 1 },
        { id: 'e4', source: 'b', target: 'm', targetIndex: 0 },
        { id: 'e5', source: 'm', target: 'h2', targetIndex: 0 },
        { id: 'e6', source: 'm', target: 'h1', targetIndex: 0 },
      ],
    };
    const model = compileGraph(tf, g);
    const inbound = model.getLayer('sum').inboundNodes[0].inboundLayers.map((l) => l.name);
    expect(inbound).toEqual(['right', 'left']);
    expect(model.outputNames).toEqual(['head2', 'head1']);
    expect(model.inputNames).toEqual(['img']);
    expect(model.countParams()).toBe(inferGraph(g).totals.params);
    model.dispose();
  });

  it('throws a CompileError naming the bad node and its problem', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [3, 3, 1] } },
      { kind: 'Conv2D', name: 'too_big', params: { kernelSize: 5 } },
      { kind: 'Dense', params: { units: 10 } },
    ]);
    let err: unknown;
    try {
      compileGraph(tf, g);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).nodeIds).toEqual(['n1']);
    expect((err as CompileError).message).toContain('too_big: kernel 5×5 is larger than the 3×3 input (padding valid)');
  });

  it('reports graph-wide issues such as a missing Input', () => {
    const g = sequentialGraph([{ kind: 'Dense', name: 'lonely' }]);
    expect(() => compileGraph(tf, g)).toThrow(/no Input/);
  });
});

describe('compileGraph with one tensor in two slots of a merge', () => {
  it('runs although tfjs would dispose the shared tensor too early', () => {
    const g: Graph = {
      nodes: [
        { id: 'i', kind: 'Input', name: 'x', params: { shape: [4] }, position: { x: 0, y: 0 } },
        { id: 'd', kind: 'Dense', name: 'd', params: { units: 3 }, position: { x: 0, y: 0 } },
        { id: 'sq', kind: 'Multiply', name: 'square', params: {}, position: { x: 0, y: 0 } },
        { id: 'o', kind: 'Dense', name: 'other', params: { units: 2 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'i', target: 'd', targetIndex: 0 },
        { id: 'e2', source: 'd', target: 'sq', targetIndex: 0 },
        { id: 'e3', source: 'd', target: 'sq', targetIndex: 1 },
        { id: 'e4', source: 'd', target: 'o', targetIndex: 0 },
      ],
    };
    const model = compileGraph(tf, g);
    const [sq, other] = model.predict(tf.ones([2, 4])) as tf.Tensor[];
    const d = (model.getLayer('d').apply(tf.ones([2, 4])) as tf.Tensor).arraySync() as number[][];
    expect(sq.shape).toEqual([2, 3]);
    expect(other.shape).toEqual([2, 2]);
    const got = sq.arraySync() as number[][];
    got.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(d[r][c] ** 2, 5)));
    expect(model.countParams()).toBe(inferGraph(g).totals.params);
    expect(model.getLayer('square_input1_copy').countParams()).toBe(0);
    model.dispose();
  });
});
