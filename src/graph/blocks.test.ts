import { describe, expect, it } from 'vitest';
import { BLOCK_KIND, checkBlocks, expandInstance, flatten, flattenProject, makeBlock, recursionProblem, type BlockDef } from './blocks';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { newProject, parseProject, serializeProject } from './project';
import type { Graph, GraphNode } from './types';

let seq = 0;
const newId = (p: string) => `${p}${++seq}`;

const node = (id: string, kind: string, name: string, params: Record<string, unknown> = {}, block?: string): GraphNode => ({
  id,
  kind,
  name,
  params,
  position: { x: 0, y: 0 },
  ...(block ? { block } : {}),
});

/** conv → bn → relu, filters and strides exposed. */
const unit: BlockDef = {
  id: 'unit',
  name: 'Conv unit',
  inputs: [{ name: 'in', targets: [{ node: 'c', index: 0 }] }],
  outputs: [{ name: 'out', node: 'r' }],
  params: [
    { name: 'filters', default: 8, binds: [{ node: 'c', param: 'filters' }] },
    { name: 'strides', default: 1, binds: [{ node: 'c', param: 'strides' }] },
  ],
  graph: {
    nodes: [node('c', 'Conv2D', 'conv', { filters: 8, kernelSize: 3, padding: 'same' }), node('b', 'BatchNormalization', 'bn'), node('r', 'Activation', 'relu', { activation: 'relu' })],
    edges: [
      { id: 'e1', source: 'c', target: 'b', targetIndex: 0 },
      { id: 'e2', source: 'b', target: 'r', targetIndex: 0 },
    ],
  },
};

/** Two units in a row and a residual Add over them; `width` sets the filters of both units. */
const pair: BlockDef = {
  id: 'pair',
  name: 'Residual pair',
  inputs: [{ name: 'in', targets: [{ node: 'u1', index: 0 }, { node: 'add', index: 0 }] }],
  outputs: [{ name: 'out', node: 'add' }],
  params: [{ name: 'width', default: 4, binds: [{ node: 'u1', param: 'filters' }, { node: 'u2', param: 'filters' }] }],
  graph: {
    nodes: [node('u1', BLOCK_KIND, 'a', {}, 'unit'), node('u2', BLOCK_KIND, 'b', {}, 'unit'), node('add', 'Add', 'add')],
    edges: [
      { id: 'e1', source: 'u1', target: 'u2', targetIndex: 0 },
      { id: 'e2', source: 'u2', target: 'add', targetIndex: 1 },
    ],
  },
};

function mainGraph(width = 3): Graph {
  return {
    nodes: [
      node('in', 'Input', 'input', { shape: [8, 8, width] }),
      node('p', BLOCK_KIND, 'res1', { width }, 'pair'),
      node('g', 'GlobalAveragePooling2D', 'gap'),
      node('d', 'Dense', 'out', { units: 2 }),
    ],
    edges: [
      { id: 'x1', source: 'in', target: 'p', targetIndex: 0 },
      { id: 'x2', source: 'p', target: 'g', targetIndex: 0 },
      { id: 'x3', source: 'g', target: 'd', targetIndex: 0 },
    ],
  };
}

/** The same network written out by hand. */
function handFlat(width = 3): Graph {
  const conv = { kernelSize: 3, padding: 'same', strides: 1, filters: width };
  return {
    nodes: [
      node('in', 'Input', 'input', { shape: [8, 8, width] }),
      node('c1', 'Conv2D', 'c1', conv),
      node('b1', 'BatchNormalization', 'b1'),
      node('r1', 'Activation', 'r1', { activation: 'relu' }),
      node('c2', 'Conv2D', 'c2', conv),
      node('b2', 'BatchNormalization', 'b2'),
      node('r2', 'Activation', 'r2', { activation: 'relu' }),
      node('add', 'Add', 'add'),
      node('g', 'GlobalAveragePooling2D', 'gap'),
      node('d', 'Dense', 'out', { units: 2 }),
    ],
    edges: [
      ['in', 'c1'],
      ['c1', 'b1'],
      ['b1', 'r1'],
      ['r1', 'c2'],
      ['c2', 'b2'],
      ['b2', 'r2'],
      ['in', 'add', 0],
      ['r2', 'add', 1],
      ['add', 'g'],
      ['g', 'd'],
    ].map(([s, t, i], k) => ({ id: `h${k}`, source: s as string, target: t as string, targetIndex: (i as number) ?? 0 })),
  };
}

describe('flatten', () => {
  it('expands nested blocks with instance-prefixed names and ids, wired through the ports', () => {
    const f = flatten(mainGraph(), [unit, pair]);
    expect(f.problems).toEqual([]);
    expect(f.graph.nodes.map((n) => n.name)).toEqual(['input', 'res1/a/conv', 'res1/a/bn', 'res1/a/relu', 'res1/b/conv', 'res1/b/bn', 'res1/b/relu', 'res1/add', 'gap', 'out']);
    expect(f.graph.nodes.find((n) => n.name === 'res1/b/conv')!.id).toBe('p/u2/c');
    const edge = (s: string, t: string) => f.graph.edges.filter((e) => e.source === s && e.target === t).map((e) => e.targetIndex);
    expect(edge('in', 'p/u1/c')).toEqual([0]);
    expect(edge('in', 'p/add')).toEqual([0]);
    expect(edge('p/u1/r', 'p/u2/c')).toEqual([0]);
    expect(edge('p/u2/r', 'p/add')).toEqual([1]);
    expect(edge('p/add', 'g')).toEqual([0]);
    expect(f.outputs.get('p')).toEqual(['p/add']);
    expect(f.members.get('p')).toHaveLength(7);
    const inf = inferGraph(f.graph);
    expect(inf.valid).toBe(true);
  });

  it('gives the same counts as the hand-written flat network', () => {
    for (const width of [3, 16]) {
      const a = inferGraph(flatten(mainGraph(width), [unit, pair]).graph);
      const b = inferGraph(handFlat(width));
      expect(a.totals).toEqual(b.totals);
      expect(a.totals.params).toBeGreaterThan(0);
    }
  });

  it('binds exposed params (with scale), the instance value winning over the default', () => {
    const scaled: BlockDef = { ...unit, id: 'scaled', params: [{ name: 'filters', default: 2, binds: [{ node: 'c', param: 'filters', scale: 4 }] }] };
    const g: Graph = {
      nodes: [node('in', 'Input', 'input', { shape: [4, 4, 1] }), node('s', BLOCK_KIND, 's1', { filters: 5 }, 'scaled'), node('t', BLOCK_KIND, 's2', {}, 'scaled')],
      edges: [
        { id: 'a', source: 'in', target: 's', targetIndex: 0 },
        { id: 'b', source: 's', target: 't', targetIndex: 0 },
      ],
    };
    const f = flatten(g, [scaled]);
    expect(f.graph.nodes.find((n) => n.id === 's/c')!.params.filters).toBe(20);
    expect(f.graph.nodes.find((n) => n.id === 't/c')!.params.filters).toBe(8);
    // The definition itself is untouched.
    expect(scaled.graph.nodes[0].params.filters).toBe(8);
    const inf = inferGraph(f.graph);
    expect(inf.nodes['t/r'].outputShape).toEqual([4, 4, 8]);
  });

  it('keeps a graph without instances as the same object', () => {
    const g = sequentialGraph([{ kind: 'Input', params: { shape: [4] } }, { kind: 'Dense', params: { units: 2 } }]);
    expect(flatten(g, [unit]).graph).toBe(g);
    const p = { ...newProject('x'), graph: g };
    expect(flattenProject(p)).toBe(p);
  });

  it('refuses a block used inside itself, directly or through another block, with a clear message', () => {
    const selfish: BlockDef = { ...unit, id: 'self', name: 'Loop', graph: { nodes: [...unit.graph.nodes, node('x', BLOCK_KIND, 'again', {}, 'self')], edges: unit.graph.edges } };
    // Fed through their input ports, so that the only problem is the recursion.
    const fed = (id: string, name: string, block: string): Graph => ({
      nodes: [node('x0', 'Input', 'input', { shape: [8, 8, 3] }), node(id, BLOCK_KIND, name, {}, block)],
      edges: [{ id: 'e0', source: 'x0', target: id, targetIndex: 0 }],
    });
    const f = flatten(fed('i', 'loop1', 'self'), [selfish]);
    expect(f.problems).toEqual([{ nodeId: 'i', message: 'block "Loop" is used inside itself (Loop → Loop); a block cannot contain itself' }]);
    expect(checkBlocks([selfish])).toEqual(['blocks[0] ("Loop"): block "Loop" is used inside itself; a block cannot contain itself']);

    const a: BlockDef = { ...pair, id: 'A', name: 'A', graph: { ...pair.graph, nodes: [node('u1', BLOCK_KIND, 'a', {}, 'B'), node('u2', BLOCK_KIND, 'b', {}, 'unit'), node('add', 'Add', 'add')] } };
    const b: BlockDef = { ...pair, id: 'B', name: 'B', graph: { ...pair.graph, nodes: [node('u1', BLOCK_KIND, 'a', {}, 'A'), node('u2', BLOCK_KIND, 'b', {}, 'unit'), node('add', 'Add', 'add')] } };
    const f2 = flatten(fed('i', 'top', 'A'), [unit, a, b]);
    expect(f2.problems.map((p) => p.message)).toEqual(['block "A" is used inside itself (A → B → A); a block cannot contain itself']);
    expect(checkBlocks([unit, a, b]).length).toBe(2);
    expect(recursionProblem([unit, pair], 'unit', 'pair')).toBe('block "Residual pair" already contains "Conv unit", so it cannot be used inside it (a block cannot contain itself)');
    expect(recursionProblem([unit, pair], 'pair', 'pair')).toBe('block "Residual pair" cannot be used inside itself');
    expect(recursionProblem([unit, pair], 'pair', 'unit')).toBeUndefined();
    expect(recursionProblem([unit, pair], undefined, 'pair')).toBeUndefined();
  });
});

describe('project files', () => {
  it('round-trip blocks and instances through serialize and parse', () => {
    const p = { ...newProject('blocks'), graph: mainGraph(), blocks: [unit, pair] };
    const r = parseProject(JSON.parse(serializeProject(p)));
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.value.blocks).toEqual([unit, pair]);
    expect(r.value.graph).toEqual(p.graph);
    expect(inferGraph(flattenProject(r.value).graph).totals).toEqual(inferGraph(flattenProject(p).graph).totals);
  });

  it('still read files from before blocks, and write none when there are none', () => {
    const p = { ...newProject('old'), graph: sequentialGraph([{ kind: 'Input', params: { shape: [4] } }]) };
    const text = serializeProject(p);
    expect(text).not.toContain('blocks');
    const r = parseProject(JSON.parse(text));
    expect(r.ok && r.value.blocks).toBeUndefined();
  });

  it('refuse a file whose block contains itself, or whose instance names a missing block', () => {
    const selfish: BlockDef = { ...unit, graph: { nodes: [...unit.graph.nodes, node('x', BLOCK_KIND, 'again', {}, 'unit')], edges: unit.graph.edges } };
    const r = parseProject(JSON.parse(serializeProject({ ...newProject('bad'), graph: mainGraph(), blocks: [selfish, pair] })));
    expect(r.ok ? [] : r.errors).toContain('blocks[0] ("Conv unit"): block "Conv unit" is used inside itself; a block cannot contain itself');
    const r2 = parseProject(JSON.parse(serializeProject({ ...newProject('bad'), graph: mainGraph(), blocks: [unit] })));
    expect(r2.ok ? [] : r2.errors).toEqual(['graph.nodes[1]: layer "res1" uses a block that does not exist ("pair")']);
    const r3 = parseProject({ ...JSON.parse(serializeProject({ ...newProject('bad'), graph: mainGraph(), blocks: [unit, pair] })), blocks: [{ ...unit, outputs: [] }, pair] });
    expect(r3.ok ? [] : r3.errors).toEqual(['blocks[0].outputs: a block needs at least one output']);
  });
});

describe('makeBlock and expandInstance', () => {
  const chain = () =>
    sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 3] } },
      { kind: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } },
      { kind: 'BatchNormalization' },
      { kind: 'Activation', params: { activation: 'relu' } },
      { kind: 'Flatten' },
      { kind: 'Dense', params: { units: 2 } },
    ]);

  it('makes a block of the selection, wired in its place, with the chosen params exposed; the totals stay', () => {
    const g = chain();
    const r = makeBlock(g, [], ['n1', 'n2', 'n3'], 'Conv BN ReLU', [{ name: 'filters', binds: [{ node: 'n1', param: 'filters' }] }], newId);
    if ('error' in r) throw new Error(r.error);
    expect(r.block.inputs).toEqual([{ name: 'in', targets: [{ node: 'n1', index: 0 }] }]);
    expect(r.block.outputs).toEqual([{ name: 'out', node: 'n3' }]);
    expect(r.block.params).toEqual([{ name: 'filters', default: 4, binds: [{ node: 'n1', param: 'filters' }] }]);
    const inst = r.graph.nodes.find((n) => n.id === r.instanceId)!;
    expect(inst).toMatchObject({ kind: BLOCK_KIND, block: r.block.id, name: 'conv_bn_relu', params: { filters: 4 } });
    expect(r.graph.nodes).toHaveLength(4);
    expect(inferGraph(flatten(r.graph, [r.block]).graph).totals).toEqual(inferGraph(g).totals);
  });

  it('refuses an empty selection, an Input, a blank or taken name', () => {
    const g = chain();
    expect(makeBlock(g, [], [], 'x', [], newId)).toEqual({ error: 'select the layers to make a block of' });
    expect(makeBlock(g, [], ['n0', 'n1'], 'x', [], newId)).toEqual({ error: 'input is an Input; a block takes its inputs through its ports' });
    expect(makeBlock(g, [], ['n1'], '  ', [], newId)).toEqual({ error: 'a block needs a name' });
    expect(makeBlock(g, [unit], ['n1'], 'Conv unit', [], newId)).toEqual({ error: 'there is already a block named "Conv unit"' });
  });

  it('expands an instance back into prefixed layers with the same totals', () => {
    const g = mainGraph();
    const x = expandInstance(g, [unit, pair], 'p', newId);
    if ('error' in x) throw new Error(x.error);
    expect(x.nodes.map((n) => n.name).sort()).toEqual(['gap', 'input', 'out', 'res1/a', 'res1/add', 'res1/b']);
    expect(inferGraph(flatten(x, [unit, pair]).graph).totals).toEqual(inferGraph(flatten(g, [unit, pair]).graph).totals);
    expect(expandInstance(g, [unit, pair], 'g', newId)).toEqual({ error: 'that layer is not a block instance' });
  });
});
