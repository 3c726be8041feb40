import { describe, expect, it } from 'vitest';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import type { Graph } from '../graph/types';
import { bytes, formatSummary, human, summaryJson } from './summary';

const good = (): Graph =>
  sequentialGraph([
    { kind: 'Input', name: 'img', params: { shape: [8, 8, 3] } },
    { kind: 'Conv2D', name: 'conv', params: { filters: 4, kernelSize: 3 } },
    { kind: 'Dense', name: 'fc', params: { units: 2 } },
  ]);

describe('summaryJson', () => {
  it('has exactly the issue’s shape and the per-layer figures of inferGraph', () => {
    const g = good();
    const s = summaryJson(g, inferGraph(g));
    expect(Object.keys(s)).toEqual(['layers', 'totals', 'errors']);
    expect(s.layers.map((l) => Object.keys(l))).toEqual(
      Array(3).fill(['name', 'kind', 'outputShape', 'params', 'trainableParams', 'macs', 'flops', 'error']),
    );
    expect(s.layers[1]).toEqual({
      name: 'conv',
      kind: 'Conv2D',
      outputShape: [6, 6, 4],
      params: 3 * 3 * 3 * 4 + 4,
      trainableParams: 112,
      macs: 6 * 6 * 4 * 27,
      flops: 2 * 6 * 6 * 4 * 27,
      error: null,
    });
    expect(s.totals).toEqual({ params: 112 + 10, trainableParams: 122, nonTrainableParams: 0, macs: 3888 + 36 * 8, flops: 2 * (3888 + 288) });
    expect(s.errors).toEqual([]);
  });

  it('names every bad layer and marks what it blocks', () => {
    const g = good();
    g.nodes[1].params = { filters: 4, kernelSize: 11 };
    g.nodes.push({ id: 'x', kind: 'Wobble', name: 'odd', params: {}, position: { x: 0, y: 0 } });
    g.edges.push({ id: 'ex', source: 'n0', target: 'x', targetIndex: 0 });
    const s = summaryJson(g, inferGraph(g));
    expect(s.layers.find((l) => l.name === 'fc')).toMatchObject({ outputShape: null, error: 'blocked by an error upstream (conv)' });
    expect(s.errors).toEqual([
      'conv (Conv2D): kernel 11×11 is larger than the 8×8 input (padding valid) [kernelSize]',
      'odd (Wobble): unknown layer kind "Wobble"',
    ]);
  });

  it('lists graph-level issues with the layers they concern', () => {
    const g = good();
    g.nodes.push({ id: 'lost', kind: 'Dense', name: 'lost', params: {}, position: { x: 0, y: 0 } });
    const s = summaryJson(g, inferGraph(g));
    expect(s.errors).toContain('lost (Dense): Dense takes 1 input, has 0');
    expect(s.errors).toContain('graph: 1 layer cannot be reached from an Input: lost (Dense)');
  });
});

describe('formatSummary', () => {
  it('prints a Keras-like table with aligned columns and the totals', () => {
    const g = good();
    const text = formatSummary(g, inferGraph(g), 'tiny');
    const lines = text.split('\n');
    expect(lines[0]).toBe('Model: "tiny"');
    expect(lines[2]).toMatch(/^Layer \(type\)\s+Output Shape\s+Param #\s+MACs$/);
    const conv = lines.find((l) => l.startsWith('conv (Conv2D)'))!;
    expect(conv).toMatch(/\(None, 6, 6, 4\)\s+112\s+3,888$/);
    expect(lines.find((l) => l.startsWith('img (InputLayer)'))!.length).toBe(conv.length);
    expect(text).toContain('Total params: 122 (488 B)');
    expect(text).toContain('Trainable params: 122 (488 B)');
    expect(text).toContain('Non-trainable params: 0 (0 B)');
    expect(text).toContain('MACs: 4,176 (4.18 K)');
    expect(text).toContain('FLOPs: 8,352 (8.35 K; 2 × MACs of conv and dense layers)');
    expect(text).not.toContain('invalid');
  });

  it('ends with every problem of an invalid graph', () => {
    const g = good();
    g.nodes[2].params = { units: 0 };
    const text = formatSummary(g, inferGraph(g));
    expect(text).toMatch(/fc \(Dense\)\s+!! error/);
    expect(text).toContain('The graph is invalid (1 problem):\n  - fc (Dense): Units must be a whole number ≥ 1; 0 is below 1 [units]');
  });

  it('marks partial totals, lists every problem of a layer, and warns about sizes', () => {
    const g = good();
    g.nodes[1].params = { filters: 'abc', kernelSize: 11 };
    const text = formatSummary(g, inferGraph(g));
    expect(text).toContain('Total params: ≥ 0 (0 B)');
    expect(text).toContain('Partial totals: 2 layers left out.');
    expect(text).toContain('  - conv (Conv2D): Filters must be a whole number ≥ 1; "abc" is not a number [filters]\n  - conv (Conv2D): kernel 11×11 is larger than the 8×8 input (padding valid) [kernelSize]');
    expect(summaryJson(g, inferGraph(g)).layers[1].error).toBe('Filters must be a whole number ≥ 1; "abc" is not a number; kernel 11×11 is larger than the 8×8 input (padding valid)');
    const huge = good();
    huge.nodes[0].params = { shape: [100000, 100000, 3] };
    const big = formatSummary(huge, inferGraph(huge));
    expect(big).not.toContain('invalid');
    expect(big).toMatch(/Warnings \(\d+; the graph stays valid\):\n  - img \(Input\): output 100000×100000×3 takes 111\.8 GB per sample/);
    expect(big).toContain('model: activations take');
  });

  it('adds a "Connected to" column, in input-slot order, when the graph branches', () => {
    const g = good();
    g.nodes.push({ id: 'sum', kind: 'Add', name: 'sum', params: {}, position: { x: 0, y: 0 } });
    g.nodes[2].params = { units: 4 };
    g.edges.push({ id: 's0', source: 'n2', target: 'sum', targetIndex: 1 }, { id: 's1', source: 'n1', target: 'sum', targetIndex: 0 });
    const lines = formatSummary(g, inferGraph(g)).split('\n');
    expect(lines[2]).toMatch(/MACs\s+Connected to$/);
    expect(lines.find((l) => l.startsWith('sum (Add)'))).toMatch(/\(None, 6, 6, 4\)\s+0\s+0\s+conv, fc$/);
    expect(lines.find((l) => l.startsWith('img (InputLayer)'))).toMatch(/\s-$/);
  });

  it('scales numbers and bytes', () => {
    expect(human(15_470_000_000)).toBe('15.47 G');
    expect(human(999)).toBe('999');
    expect(bytes(61_706 * 4)).toBe('241.04 KB');
    expect(bytes(138_357_544 * 4)).toBe('527.79 MB');
  });
});
