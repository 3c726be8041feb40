import { describe, expect, it } from 'vitest';
import { inferGraph } from './infer';
import { sequentialGraph } from './build';
import type { Graph } from './types';

describe('inferGraph', () => {
  it('infers shapes, counts and MACs along a chain', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [28, 28, 1] } },
      { kind: 'Conv2D', params: { filters: 6, kernelSize: 5, padding: 'same' } },
      { kind: 'Conv2D', params: { filters: 16, kernelSize: 5 } },
      { kind: 'Dense', params: { units: 10 } },
    ]);
    const inf = inferGraph(g);
    expect(inf.valid).toBe(true);
    expect(inf.nodes.n1.outputShape).toEqual([28, 28, 6]);
    expect(inf.nodes.n1.count).toEqual({ trainable: 156, nonTrainable: 0 });
    expect(inf.nodes.n1.macs).toBe(28 * 28 * 6 * 25);
    expect(inf.nodes.n1.flops).toBe(2 * 28 * 28 * 6 * 25);
    expect(inf.nodes.n2.outputShape).toEqual([24, 24, 16]);
    expect(inf.nodes.n3.outputShape).toEqual([24, 24, 10]);
    expect(inf.totals.params).toBe(156 + 2416 + 170);
    expect(inf.outputs).toEqual(['n3']);
    expect(inf.order).toEqual(['n0', 'n1', 'n2', 'n3']);
  });

  it('names the too-large kernel and blocks what follows instead of cascading', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [3, 3, 1] } },
      { kind: 'Conv2D', params: { kernelSize: 5 } },
      { kind: 'Dense', params: { units: 10 } },
    ]);
    const inf = inferGraph(g);
    expect(inf.valid).toBe(false);
    expect(inf.nodes.n1.status).toBe('error');
    expect(inf.nodes.n1.error).toMatchObject({
      code: 'kernel-too-large',
      message: 'kernel 5×5 is larger than the 3×3 input (padding valid)',
      param: 'kernelSize',
    });
    expect(inf.nodes.n2).toMatchObject({ status: 'blocked', blockedBy: ['n1'] });
    expect(inf.nodes.n2.error).toBeUndefined();
  });

  it('reports an invalid param with its field', () => {
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Conv2D', params: { filters: 0 } }]);
    const err = inferGraph(g).nodes.n1.error!;
    expect(err.code).toBe('invalid-param');
    expect(err.param).toBe('filters');
    expect(err.message).toBe('Filters must be a whole number ≥ 1; 0 is below 1');
  });

  it('flags a cycle on the nodes that form it and blocks what hangs below', () => {
    const g: Graph = sequentialGraph([{ kind: 'Input' }, { kind: 'Add' }, { kind: 'Conv2D' }, { kind: 'Dense' }]);
    g.edges.push({ id: 'back', source: 'n2', target: 'n1', targetIndex: 1 });
    const inf = inferGraph(g);
    expect(inf.nodes.n1.error?.code).toBe('cycle');
    expect(inf.nodes.n2.error?.code).toBe('cycle');
    expect(inf.nodes.n3.status).toBe('blocked');
    expect(inf.issues.map((i) => i.code)).toContain('cycle');
  });

  it('flags dangling inputs, too many inputs and merges with one input', () => {
    const g: Graph = sequentialGraph([{ kind: 'Input' }, { kind: 'Add' }, { kind: 'Conv2D' }]);
    g.nodes.push({ id: 'lonely', kind: 'Dense', name: 'dense', params: {}, position: { x: 0, y: 0 } });
    g.edges.push({ id: 'x', source: 'n0', target: 'n2', targetIndex: 1 });
    const inf = inferGraph(g);
    expect(inf.nodes.n1.error).toMatchObject({ code: 'missing-input', message: 'Add takes at least 2 inputs, has 1' });
    expect(inf.nodes.n2.error).toMatchObject({ code: 'too-many-inputs', message: 'Conv2D takes 1 input, has 2' });
    expect(inf.nodes.lonely.error).toMatchObject({ code: 'missing-input', message: 'Dense takes 1 input, has 0' });
    expect(inf.issues.find((i) => i.code === 'unreachable')?.nodeIds).toEqual(['lonely']);
  });

  it('refuses an Add of mismatched shapes and accepts a matching residual join', () => {
    const g: Graph = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 4] } },
      { kind: 'Conv2D', params: { filters: 4, padding: 'same' } },
      { kind: 'Add' },
    ]);
    g.edges.push({ id: 'skip', source: 'n0', target: 'n2', targetIndex: 1 });
    expect(inferGraph(g).nodes.n2.outputShape).toEqual([8, 8, 4]);
    g.nodes[1] = { ...g.nodes[1], params: { filters: 8, padding: 'same' } };
    expect(inferGraph(g).nodes.n2.error).toMatchObject({
      code: 'shape-mismatch',
      message: 'Add needs inputs of the same shape, got 8×8×8 and 8×8×4',
    });
  });

  it('reports graph-level issues: empty, no input, no output, duplicate names', () => {
    expect(inferGraph({ nodes: [], edges: [] }).issues.map((i) => i.code)).toEqual(['empty']);
    expect(inferGraph(sequentialGraph([{ kind: 'Input' }])).issues.map((i) => i.code)).toEqual(['no-output']);
    expect(inferGraph(sequentialGraph([{ kind: 'Dense' }])).issues.map((i) => i.code)).toContain('no-input');
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Dense', name: 'x' }, { kind: 'Dense', name: 'x' }]);
    const inf = inferGraph(g);
    expect(inf.nodes.n2.error?.code).toBe('duplicate-name');
    expect(inf.valid).toBe(false);
  });

  it('sums totals: weights sizes and activation memory', () => {
    const inf = inferGraph(sequentialGraph([{ kind: 'Input', params: { shape: [4] } }, { kind: 'Dense', params: { units: 2 } }]));
    expect(inf.totals).toEqual({
      params: 10,
      trainableParams: 10,
      nonTrainableParams: 0,
      macs: 8,
      flops: 16,
      elementwiseFlops: 2,
      weightsBytesF32: 40,
      weightsBytesInt8: 10,
      activationBytes: (4 + 2) * 4,
    });
  });
});

describe('every problem of a layer, partial totals, size warnings', () => {
  const lenetish = (conv: Record<string, unknown>) =>
    sequentialGraph([
      { kind: 'Input', params: { shape: [28, 28, 1] } },
      { kind: 'Conv2D', name: 'c1', params: { filters: 6, kernelSize: 5, padding: 'same' } },
      { kind: 'MaxPooling2D', params: { poolSize: 2 } },
      { kind: 'Conv2D', name: 'c2', params: conv },
      { kind: 'Flatten' },
      { kind: 'Dense', params: { units: 10 } },
    ]);

  it('lists each refused param and the shape problem of another field together', () => {
    const inf = inferGraph(lenetish({ filters: 'abc', kernelSize: 40 }));
    const c2 = inf.nodes.n3;
    expect(c2.status).toBe('error');
    expect(c2.errors?.map((e) => [e.code, e.param])).toEqual([
      ['invalid-param', 'filters'],
      ['kernel-too-large', 'kernelSize'],
    ]);
    expect(c2.errors?.[0].message).toBe('Filters must be a whole number ≥ 1; "abc" is not a number');
    expect(c2.errors?.[1].message).toBe('kernel 40×40 is larger than the 14×14 input (padding valid)');
    expect(c2.error).toEqual(c2.errors?.[0]);
  });

  it('does not report a shape problem caused by the refused field itself', () => {
    const c2 = inferGraph(lenetish({ filters: 8, kernelSize: 'big' })).nodes.n3;
    expect(c2.errors?.map((e) => e.param)).toEqual(['kernelSize']);
  });

  it('reports its own refused params on a layer below an error instead of calling it blocked', () => {
    const g = lenetish({ filters: 4, kernelSize: 40 });
    g.nodes[5].params = { units: 0 };
    const inf = inferGraph(g);
    expect(inf.nodes.n4.status).toBe('blocked');
    expect(inf.nodes.n5.status).toBe('error');
    expect(inf.nodes.n5.errors?.map((e) => e.param)).toEqual(['units']);
  });

  it('sums the layers whose shapes could be inferred and names the layers left out', () => {
    const inf = inferGraph(lenetish({ filters: 'abc' }));
    expect(inf.valid).toBe(false);
    expect(inf.leftOut).toEqual(['n3', 'n4', 'n5']);
    expect(inf.totals.params).toBe(156);
    expect(inf.totals.macs).toBe(28 * 28 * 6 * 25);
    const whole = inferGraph(lenetish({ filters: 16 }));
    expect(whole.leftOut).toEqual([]);
    expect(whole.totals.params).toBeGreaterThan(inf.totals.params);
  });

  it('warns, without refusing, when a layer or the model is beyond what a browser holds', () => {
    const inf = inferGraph(
      sequentialGraph([
        { kind: 'Input', params: { shape: [100000, 100000, 3] } },
        { kind: 'Flatten' },
        { kind: 'Dense', params: { units: 10 } },
      ]),
    );
    expect(inf.valid).toBe(true);
    expect(inf.totals.params).toBe(300_000_000_010);
    expect(inf.nodes.n0.warnings?.map((w) => w.code)).toEqual(['output-too-large']);
    expect(inf.nodes.n0.warnings?.[0].message).toBe('output 100000×100000×3 takes 111.8 GB per sample, more than the 4 GB wasm heap holds');
    expect(inf.nodes.n2.warnings?.[0].message).toBe('weights 1.09 TB exceed the 4 GB wasm heap: no browser can hold this layer');
    expect(inf.warnings.map((w) => w.code)).toEqual(['weights-too-large', 'activations-too-large']);
    expect(inf.warnings[0].message).toBe('weights 1.09 TB exceed the 4 GB wasm heap: no browser can hold this model');
    expect(inf.warnings[0].nodeIds).toEqual(['n2']);
  });

  it('warns when the weights fit a heap but not a training step, and stays quiet for ordinary models', () => {
    // 300 M params: 1.12 GB of weights, 4.5 GB with gradients and Adam's slots.
    const big = inferGraph(sequentialGraph([{ kind: 'Input', params: { shape: [30000] } }, { kind: 'Dense', params: { units: 10000 } }]));
    expect(big.valid).toBe(true);
    expect(big.warnings.map((w) => w.code)).toEqual(['weights-too-large-to-train']);
    expect(big.nodes.n1.warnings).toBeUndefined();
    const conv = inferGraph(lenetish({ filters: 1e9 }));
    expect(conv.valid).toBe(true);
    expect(conv.nodes.n3.warnings?.map((w) => w.code)).toEqual(['weights-too-large', 'output-too-large']);
    const ok = inferGraph(lenetish({ filters: 16 }));
    expect(ok.warnings).toEqual([]);
    expect(Object.values(ok.nodes).some((n) => n.warnings)).toBe(false);
  });
});

describe('sequentialGraph names', () => {
  it('names layers like Keras and stays fast for many layers of one kind', () => {
    const g = sequentialGraph([{ kind: 'Input' }, ...Array.from({ length: 5000 }, () => ({ kind: 'Dense' })), { kind: 'Dense', name: 'dense_5001' }]);
    const names = g.nodes.map((n) => n.name);
    expect(names.slice(0, 4)).toEqual(['input', 'dense', 'dense_1', 'dense_2']);
    expect(new Set(names).size).toBe(names.length);
  });
});
