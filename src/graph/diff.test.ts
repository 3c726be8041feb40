import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getLayerKind } from '../../nodes/index';
import { getPreset, presetList } from '../../presets/index';
import { sequentialGraph } from './build';
import { diffGraphs, type GraphDiff } from './diff';
import { inferGraph } from './infer';
import type { Graph, GraphNode } from './types';

const lenet = () => structuredClone(getPreset('lenet5')!.graph);
const named = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;
const withParams = (g: Graph, name: string, patch: Record<string, unknown>): Graph => ({
  ...g,
  nodes: g.nodes.map((n) => (n.name === name ? { ...n, params: { ...n.params, ...patch } } : n)),
});

/** The same network under new ids (and optionally new names), nodes and edges listed in another order. */
function relabel(g: Graph, opts: { rename?: (name: string) => string; seed?: number } = {}): Graph {
  const rnd = mulberry(opts.seed ?? 1);
  const ids = new Map(g.nodes.map((n, i) => [n.id, `x${(i * 7919 + 13) % 100003}_${i}`]));
  const nodes = shuffle(
    g.nodes.map((n) => ({ ...n, id: ids.get(n.id)!, name: opts.rename ? opts.rename(n.name) : n.name })),
    rnd,
  );
  const edges = shuffle(
    g.edges.map((e, i) => ({ ...e, id: `y${i}`, source: ids.get(e.source)!, target: ids.get(e.target)! })),
    rnd,
  );
  return { nodes, edges };
}

function mulberry(seed: number) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** input → two conv branches (a: 4 filters, b: 8 filters) → Concatenate → Flatten → Dense. */
function concatNet(order: ['a' | 'b', 'a' | 'b'] = ['a', 'b']): Graph {
  const node = (id: string, kind: string, params: Record<string, unknown> = {}): GraphNode => ({ id, kind, name: id, params, position: { x: 0, y: 0 } });
  const slot = { [order[0]]: 0, [order[1]]: 1 } as Record<'a' | 'b', number>;
  return {
    nodes: [
      node('input', 'Input', { shape: [8, 8, 3] }),
      node('a', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same' }),
      node('b', 'Conv2D', { filters: 8, kernelSize: 1, padding: 'same' }),
      node('cat', 'Concatenate'),
      node('flat', 'Flatten'),
      node('out', 'Dense', { units: 10 }),
    ],
    edges: [
      { id: 'e1', source: 'input', target: 'a', targetIndex: 0 },
      { id: 'e2', source: 'input', target: 'b', targetIndex: 0 },
      { id: 'e3', source: 'a', target: 'cat', targetIndex: slot.a },
      { id: 'e4', source: 'b', target: 'cat', targetIndex: slot.b },
      { id: 'e5', source: 'cat', target: 'flat', targetIndex: 0 },
      { id: 'e6', source: 'flat', target: 'out', targetIndex: 0 },
    ],
  };
}

const isEmpty = (d: GraphDiff) =>
  d.equal && !d.added.length && !d.removed.length && !d.changed.length && !d.affected.length && !d.edges.added.length && !d.edges.removed.length;

describe('diffGraphs', () => {
  it('finds identical graphs equal, every layer matched to itself, totals delta zero', () => {
    const g = lenet();
    const d = diffGraphs(g, structuredClone(g));
    expect(isEmpty(d)).toBe(true);
    expect(d.matches.map((m) => [m.a, m.b])).toEqual(expect.arrayContaining(g.nodes.map((n) => [n.id, n.id])));
    expect(d.matches).toHaveLength(g.nodes.length);
    expect(Object.values(d.totals.delta).every((v) => v === 0)).toBe(true);
  });

  it('ignores positions: a laid-out copy is equal', () => {
    const g = lenet();
    const moved = { ...g, nodes: g.nodes.map((n, i) => ({ ...n, position: { x: i * 31, y: -i * 17 } })) };
    expect(diffGraphs(g, moved).equal).toBe(true);
  });

  it('reports a wider first conv: filters 6 → 16, its shape and params, the next conv affected, the totals delta', () => {
    const a = lenet();
    const b = withParams(a, 'conv2d', { filters: 16 });
    const d = diffGraphs(a, b);
    expect(d.equal).toBe(false);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    const c = d.changed[0];
    expect(c.a.name).toBe('conv2d');
    expect(c.renamed).toBe(false);
    expect(c.params).toEqual([{ key: 'filters', before: 6, after: 16 }]);
    expect(c.outputShape).toEqual({ before: [28, 28, 6], after: [28, 28, 16] });
    expect(c.paramCount).toEqual({ before: 5 * 5 * 1 * 6 + 6, after: 5 * 5 * 1 * 16 + 16 });
    // The second conv keeps its settings; its weights grow with its input channels.
    const next = d.affected.find((x) => x.a.name === 'conv2d_1')!;
    expect(next.params).toEqual([]);
    expect(next.paramCount).toEqual({ before: 5 * 5 * 6 * 16 + 16, after: 5 * 5 * 16 * 16 + 16 });
    const before = inferGraph(a).totals;
    const after = inferGraph(b).totals;
    expect(d.totals.delta.params).toBe(after.params - before.params);
    expect(d.totals.delta.params).toBe(260 + 4000);
    expect(d.totals.delta.macs).toBe(after.macs - before.macs);
  });

  it('reports an added layer with its figures and the connections it brings', () => {
    const a = lenet();
    const conv = named(a, 'conv2d');
    const pool = named(a, 'max_pooling2d');
    const bn: GraphNode = { id: 'new-bn', kind: 'BatchNormalization', name: 'bn', params: {}, position: { x: 0, y: 0 } };
    const b: Graph = {
      nodes: [...a.nodes, bn],
      edges: [
        ...a.edges.filter((e) => !(e.source === conv.id && e.target === pool.id)),
        { id: 'x1', source: conv.id, target: bn.id, targetIndex: 0 },
        { id: 'x2', source: bn.id, target: pool.id, targetIndex: 0 },
      ],
    };
    const d = diffGraphs(a, b);
    expect(d.added.map((l) => [l.name, l.kind, l.outputShape, l.params, l.inputs])).toEqual([['bn', 'BatchNormalization', [28, 28, 6], 24, ['conv2d']]]);
    expect(d.removed).toEqual([]);
    expect(d.changed.map((c) => [c.a.name, c.inputs])).toEqual([['max_pooling2d', { before: ['conv2d'], after: ['bn'], reordered: false }]]);
    expect(d.edges.removed).toEqual([{ source: 'conv2d', target: 'max_pooling2d', slot: 0 }]);
    expect(d.edges.added).toEqual(
      expect.arrayContaining([
        { source: 'conv2d', target: 'bn', slot: 0 },
        { source: 'bn', target: 'max_pooling2d', slot: 0 },
      ]),
    );
    expect(d.totals.delta.params).toBe(24);
    // The other direction is the same edit seen backwards.
    const back = diffGraphs(b, a);
    expect(back.removed.map((l) => l.name)).toEqual(['bn']);
    expect(back.added).toEqual([]);
    expect(back.totals.delta.params).toBe(-24);
  });

  it('reports a removed layer in the middle of a chain, even when every id was renumbered', () => {
    const a = sequentialGraph([
      { kind: 'Input', params: { shape: [16, 16, 3] } },
      { kind: 'Conv2D', name: 'c1', params: { filters: 8, kernelSize: 3 } },
      { kind: 'Conv2D', name: 'c2', params: { filters: 8, kernelSize: 3, padding: 'same' } },
      { kind: 'Conv2D', name: 'c3', params: { filters: 16, kernelSize: 3 } },
      { kind: 'Flatten' },
      { kind: 'Dense', name: 'out', params: { units: 10 } },
    ]);
    // sequentialGraph numbers ids by position, so after the removal `n2` is c3, not c2: ids alone would mislead.
    const b = sequentialGraph([
      { kind: 'Input', params: { shape: [16, 16, 3] } },
      { kind: 'Conv2D', name: 'c1', params: { filters: 8, kernelSize: 3 } },
      { kind: 'Conv2D', name: 'c3', params: { filters: 16, kernelSize: 3 } },
      { kind: 'Flatten' },
      { kind: 'Dense', name: 'out', params: { units: 10 } },
    ]);
    const d = diffGraphs(a, b);
    expect(d.removed.map((l) => l.name)).toEqual(['c2']);
    expect(d.added).toEqual([]);
    expect(d.changed.map((c) => [c.a.name, c.b.name, c.params, c.inputs?.before, c.inputs?.after])).toEqual([['c3', 'c3', [], ['c2'], ['c1']]]);
  });

  it('matches a renamed layer and reports the rename only', () => {
    const a = lenet();
    const b = { ...a, nodes: a.nodes.map((n) => (n.name === 'dense' ? { ...n, name: 'fc1' } : n)) };
    const d = diffGraphs(a, b);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]).toMatchObject({ a: { name: 'dense' }, b: { name: 'fc1' }, renamed: true, params: [] });
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.edges).toEqual({ added: [], removed: [] });
  });

  it('matches a layer renamed and changed, with a new id, by its place in the structure', () => {
    const a = lenet();
    const b = relabel(withParams(a, 'dense_1', { units: 100 }), { rename: (n) => (n === 'dense_1' ? 'hidden' : n), seed: 3 });
    const d = diffGraphs(a, b);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    const c = d.changed[0];
    expect(c).toMatchObject({ a: { name: 'dense_1', kind: 'Dense' }, b: { name: 'hidden', kind: 'Dense' }, renamed: true });
    expect(c.params).toEqual([{ key: 'units', before: 84, after: 100 }]);
    expect(c.paramCount).toEqual({ before: 120 * 84 + 84, after: 120 * 100 + 100 });
    expect(d.affected.map((x) => [x.a.name, x.paramCount])).toEqual([['dense_2', { before: 84 * 10 + 10, after: 100 * 10 + 10 }]]);
  });

  it('reports a kind change as a removal plus an addition', () => {
    const a = concatNet();
    const b: Graph = { ...a, nodes: a.nodes.map((n) => (n.id === 'cat' ? { ...n, kind: 'Add', name: 'cat' } : n)) };
    const d = diffGraphs(a, b);
    expect(d.removed.map((l) => [l.name, l.kind])).toEqual([['cat', 'Concatenate']]);
    expect(d.added.map((l) => [l.name, l.kind])).toEqual([['cat', 'Add']]);
  });

  it('reports reordered inputs of a Concatenate, with the new channel order in its consumers unchanged in count', () => {
    const a = concatNet(['a', 'b']);
    const b = concatNet(['b', 'a']);
    const d = diffGraphs(a, b);
    expect(d.equal).toBe(false);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([
      expect.objectContaining({ a: expect.objectContaining({ name: 'cat' }), params: [], inputs: { before: ['a', 'b'], after: ['b', 'a'], reordered: true } }),
    ]);
    // The same connections, in other slots: nothing was added or removed.
    expect(d.edges).toEqual({ added: [], removed: [] });
    expect(d.totals.delta.params).toBe(0);
  });

  it('reports a reordered Concatenate when the ids were renumbered as well', () => {
    const a = concatNet(['a', 'b']);
    const b = relabel(concatNet(['b', 'a']), { seed: 9 });
    const d = diffGraphs(a, b);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed.map((c) => [c.a.name, c.inputs])).toEqual([['cat', { before: ['a', 'b'], after: ['b', 'a'], reordered: true }]]);
  });

  it('tells a replaced input of a merge from a reorder', () => {
    const a = concatNet();
    const b: Graph = { ...a, edges: a.edges.map((e) => (e.id === 'e4' ? { ...e, source: 'a' } : e)) };
    const d = diffGraphs(a, b);
    const cat = d.changed.find((c) => c.a.name === 'cat')!;
    expect(cat.inputs).toEqual({ before: ['a', 'b'], after: ['a', 'a'], reordered: false });
    expect(d.edges.removed).toEqual([{ source: 'b', target: 'cat', slot: 1 }]);
    expect(d.edges.added).toEqual([{ source: 'a', target: 'cat', slot: 1 }]);
  });

  for (const p of presetList) {
    it(`finds preset ${p.id} equal to itself under new ids, names kept, layers and wires listed in another order`, () => {
      const g = getPreset(p.id)!.graph;
      const d = diffGraphs(g, relabel(g, { seed: p.id.length }));
      expect(d.changed).toEqual([]);
      expect(d.equal).toBe(true);
    });
  }

  it('matches every layer of ResNet-20 by structure alone when every id and name changed', () => {
    const g = getPreset('resnet-cifar')!.graph;
    const b = relabel(g, { rename: (n) => `renamed_${n}`, seed: 5 });
    const d = diffGraphs(g, b);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed.every((c) => c.renamed && c.b.name === `renamed_${c.a.name}` && !c.params.length && !c.inputs)).toBe(true);
    expect(d.changed).toHaveLength(g.nodes.length);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: diff(a, a) is empty; diff(a, edit(a)) reports exactly the edit.

/** A sample value for one param field that differs from `current`, from the kind's own test samples. */
function otherValue(kind: string, key: string, current: unknown, pick: number): unknown {
  const k = getLayerKind(kind);
  const samples = k?.testing?.samples ?? [];
  const values = samples.map((s) => (s.params as Record<string, unknown>)[key]).filter((v) => v !== undefined && JSON.stringify(v) !== JSON.stringify(current));
  if (values.length) return values[pick % values.length];
  if (typeof current === 'number') return current + 1 + (pick % 3);
  if (typeof current === 'boolean') return !current;
  return undefined;
}

type GraphEdit =
  | { t: 'param'; node: number; field: number; pick: number }
  | { t: 'rename'; node: number }
  | { t: 'remove'; node: number }
  | { t: 'add'; node: number }
  | { t: 'swap'; node: number };

const editArb: fc.Arbitrary<GraphEdit> = fc.oneof(
  fc.record({ t: fc.constant('param' as const), node: fc.nat(), field: fc.nat(), pick: fc.nat() }),
  fc.record({ t: fc.constant('rename' as const), node: fc.nat() }),
  fc.record({ t: fc.constant('remove' as const), node: fc.nat() }),
  fc.record({ t: fc.constant('add' as const), node: fc.nat() }),
  fc.record({ t: fc.constant('swap' as const), node: fc.nat() }),
);

/** Applies one edit as the editor would (ids kept, a new layer gets a fresh id); returns what the diff must say, or null when the edit does not apply. */
function applyEdit(g: Graph, e: GraphEdit): { graph: Graph; expect(d: GraphDiff): void } | null {
  const inf = inferGraph(g);
  const at = (i: number) => g.nodes[i % g.nodes.length];
  switch (e.t) {
    case 'param': {
      const n = at(e.node);
      const parsed = inf.nodes[n.id].params;
      if (!parsed) return null;
      const keys = Object.keys(parsed).filter((k) => k !== 'shape');
      if (!keys.length) return null;
      const key = keys[e.field % keys.length];
      const value = otherValue(n.kind, key, parsed[key], e.pick);
      if (value === undefined) return null;
      const graph = withParams(g, n.name, { [key]: value });
      return {
        graph,
        expect(d) {
          expect(d.added).toEqual([]);
          expect(d.removed).toEqual([]);
          expect(d.changed).toHaveLength(1);
          expect(d.changed[0].a.id).toBe(n.id);
          expect(d.changed[0].b.id).toBe(n.id);
          expect(d.changed[0].params.find((p) => p.key === key)).toEqual({ key, before: parsed[key], after: value });
        },
      };
    }
    case 'rename': {
      const n = at(e.node);
      const graph = { ...g, nodes: g.nodes.map((x) => (x.id === n.id ? { ...x, name: `${x.name}_renamed` } : x)) };
      return {
        graph,
        expect(d) {
          expect(d.changed.map((c) => [c.a.id, c.b.name, c.renamed, c.params])).toEqual([[n.id, `${n.name}_renamed`, true, []]]);
          expect(d.added.length + d.removed.length).toBe(0);
        },
      };
    }
    case 'remove': {
      const n = at(e.node);
      const graph = { nodes: g.nodes.filter((x) => x.id !== n.id), edges: g.edges.filter((x) => x.source !== n.id && x.target !== n.id) };
      const consumers = new Set(g.edges.filter((x) => x.source === n.id).map((x) => x.target));
      return {
        graph,
        expect(d) {
          expect(d.removed.map((l) => l.id)).toEqual([n.id]);
          expect(d.added).toEqual([]);
          expect(new Set(d.changed.map((c) => c.a.id))).toEqual(consumers);
          expect(d.edges.added).toEqual([]);
          expect(d.edges.removed).toHaveLength(g.edges.filter((x) => x.source === n.id || x.target === n.id).length);
        },
      };
    }
    case 'add': {
      const n = at(e.node);
      const fresh: GraphNode = { id: `fresh-${n.id}`, kind: 'Dropout', name: `${n.name}_dropout`, params: { rate: 0.25 }, position: { x: 0, y: 0 } };
      const graph = { nodes: [...g.nodes, fresh], edges: [...g.edges, { id: 'fresh-edge', source: n.id, target: fresh.id, targetIndex: 0 }] };
      return {
        graph,
        expect(d) {
          expect(d.added.map((l) => l.id)).toEqual([fresh.id]);
          expect(d.removed).toEqual([]);
          expect(d.changed).toEqual([]);
          expect(d.edges.added).toEqual([{ source: n.name, target: fresh.name, slot: 0 }]);
        },
      };
    }
    case 'swap': {
      const merges = g.nodes.filter((x) => g.edges.filter((y) => y.target === x.id).length >= 2);
      if (!merges.length) return null;
      const m = merges[e.node % merges.length];
      const ins = g.edges.filter((y) => y.target === m.id).sort((p, q) => p.targetIndex - q.targetIndex);
      if (ins[0].source === ins[1].source) return null;
      const graph = {
        ...g,
        edges: g.edges.map((y) => (y.id === ins[0].id ? { ...y, targetIndex: ins[1].targetIndex } : y.id === ins[1].id ? { ...y, targetIndex: ins[0].targetIndex } : y)),
      };
      return {
        graph,
        expect(d) {
          expect(d.changed.map((c) => [c.a.id, c.inputs?.reordered])).toEqual([[m.id, true]]);
          expect(d.edges).toEqual({ added: [], removed: [] });
        },
      };
    }
  }
}

const starts = ['lenet5', 'basic-cnn', 'resnet-cifar', 'mobilenet', 'conv1d-timeseries'].map((id) => getPreset(id)!.graph);
const concatStart = concatNet();

describe('diffGraphs properties', () => {
  it('diff(a, a) is empty, also after the ids and the listing order changed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...starts, concatStart), fc.array(editArb, { maxLength: 4 }), fc.nat(), (start, edits, seed) => {
        let g = start;
        for (const e of edits) g = applyEdit(g, e)?.graph ?? g;
        expect(isEmpty(diffGraphs(g, structuredClone(g)))).toBe(true);
        expect(diffGraphs(g, relabel(g, { seed })).equal).toBe(true);
      }),
      { numRuns: 40, seed: 1313 },
    );
  });

  it('diff(a, edit(a)) reports exactly that edit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...starts, concatStart), editArb, (start, e) => {
        const r = applyEdit(start, e);
        fc.pre(r !== null);
        const d = diffGraphs(start, r!.graph);
        expect(d.equal).toBe(false);
        r!.expect(d);
      }),
      { numRuns: 150, seed: 1313 },
    );
  });
});

/** Any graph at all: known and unknown kinds, sample or junk params, edges anywhere (cycles, self-loops, dangling). */
const messyGraph: fc.Arbitrary<Graph> = fc
  .record({
    nodes: fc.array(
      fc.record({
        kind: fc.constantFrom('Input', 'Conv2D', 'Dense', 'Add', 'Concatenate', 'Flatten', 'MaxPooling2D', 'BatchNormalization', 'Wobble'),
        junk: fc.boolean(),
        filters: fc.integer({ min: -1, max: 4 }),
      }),
      { maxLength: 12 },
    ),
    edges: fc.array(fc.record({ s: fc.nat(20), t: fc.nat(20), slot: fc.nat(3) }), { maxLength: 18 }),
  })
  .map(({ nodes, edges }) => {
    const ns: GraphNode[] = nodes.map((n, i) => ({
      id: `m${i}`,
      kind: n.kind,
      name: `layer_${i}`,
      params: n.kind === 'Input' ? { shape: [6, 6, 2] } : n.junk ? { filters: 'many', units: n.filters } : n.kind === 'Conv2D' ? { filters: n.filters, kernelSize: 1 } : {},
      position: { x: 0, y: 0 },
    }));
    const id = (k: number) => (k < ns.length ? ns[k].id : `missing${k}`);
    // Slots are unique per target (as project files require), with gaps: two inputs in one slot have no order to compare.
    const used = new Map<string, number>();
    return {
      nodes: ns,
      edges: edges.map((e, i) => {
        const slot = (used.get(id(e.t)) ?? -1) + 1 + e.slot;
        used.set(id(e.t), slot);
        return { id: `me${i}`, source: id(e.s), target: id(e.t), targetIndex: slot };
      }),
    };
  });

describe('diffGraphs on any graph', () => {
  it('never throws, and finds a graph equal to its copy and to itself under new ids and listing order', () => {
    fc.assert(
      fc.property(messyGraph, fc.nat(), (g, seed) => {
        expect(isEmpty(diffGraphs(g, structuredClone(g)))).toBe(true);
        const d = diffGraphs(g, relabel(g, { seed }));
        expect(d.changed).toEqual([]);
        expect(d.equal).toBe(true);
        const other = diffGraphs(g, { nodes: g.nodes.slice(1), edges: g.edges });
        expect(other.removed.length).toBe(g.nodes.length ? 1 : 0);
      }),
      { numRuns: 300, seed: 77 },
    );
  });

  it('compares empty graphs', () => {
    const empty = { nodes: [], edges: [] };
    expect(isEmpty(diffGraphs(empty, empty))).toBe(true);
    const d = diffGraphs(empty, lenet());
    expect(d.added).toHaveLength(9);
    expect(d.totals.delta.params).toBe(61706);
  });
});
