import { describe, expect, it } from 'vitest';
import {
  addInputPort,
  addOutputPort,
  addToBlock,
  blockOrigin,
  freeInputSlot,
  moveInBlock,
  portFeedProblem,
  portRangeProblem,
  removeFromBlock,
  removePort,
  splitInnerId,
} from './block-edit';
import { BLOCK_KIND, checkBlocks, flatten, type BlockDef } from './blocks';
import { inferGraph } from './infer';
import { newProject, parseProject, serializeProject } from './project';
import type { Graph, GraphNode, XY } from './types';

const at = { x: 0, y: 0 };
// in → conv → bn → relu → out, filters exposed on conv; a side Add fed by the port and by relu.
const unit = (): BlockDef => ({
  id: 'unit',
  name: 'Unit',
  inputs: [{ name: 'in', targets: [{ node: 'conv', index: 0 }, { node: 'add', index: 0 }] }],
  outputs: [{ name: 'out', node: 'add' }],
  params: [
    { name: 'filters', default: 4, binds: [{ node: 'conv', param: 'filters' }] },
    { name: 'momentum', default: 0.9, binds: [{ node: 'bn', param: 'momentum' }] },
  ],
  graph: {
    nodes: [
      { id: 'conv', kind: 'Conv2D', name: 'conv', params: { kernelSize: 3, padding: 'same' }, position: at },
      { id: 'bn', kind: 'BatchNormalization', name: 'bn', params: {}, position: at },
      { id: 'relu', kind: 'Activation', name: 'relu', params: { activation: 'relu' }, position: at },
      { id: 'add', kind: 'Add', name: 'add', params: {}, position: at },
    ],
    edges: [
      { id: 'e1', source: 'conv', target: 'bn', targetIndex: 0 },
      { id: 'e2', source: 'bn', target: 'relu', targetIndex: 0 },
      { id: 'e3', source: 'relu', target: 'add', targetIndex: 1 },
    ],
  },
});

describe('editing a block’s inner wiring', () => {
  it('splits a drawn inner id at the first separator', () => {
    expect(splitInnerId('inst/conv')).toEqual({ instance: 'inst', inner: 'conv' });
    expect(splitInnerId('a/b/c')).toEqual({ instance: 'a', inner: 'b/c' });
    expect(splitInnerId('plain')).toBeUndefined();
  });

  it('refuses an inner wire into a slot an input port feeds, or into a single-input layer a port feeds', () => {
    const def = unit();
    expect(portFeedProblem(def, 'add', 0)).toBe('input 1 of add comes from the block\'s input “in”');
    expect(portFeedProblem(def, 'add', 1)).toBeUndefined();
    expect(portFeedProblem(def, 'conv', 0)).toBe('input 1 of conv comes from the block\'s input “in”');
    expect(portFeedProblem(def, 'conv', 1)).toBe('conv takes a single input and is already fed by the block\'s input “in”');
    expect(portFeedProblem(def, 'bn', 0)).toBeUndefined();
  });

  it('removes a layer with its wires, its port targets and the param bound only to it', () => {
    const r = removeFromBlock(unit(), ['bn'], []);
    if ('error' in r) throw new Error(r.error);
    expect(r.graph.nodes.map((n) => n.id)).toEqual(['conv', 'relu', 'add']);
    expect(r.graph.edges.map((e) => e.id)).toEqual(['e3']);
    expect(r.params.map((q) => q.name)).toEqual(['filters']);
    expect(checkBlocks([r])).toEqual([]);
    const c = removeFromBlock(unit(), ['conv'], []);
    if ('error' in c) throw new Error(c.error);
    expect(c.inputs[0].targets).toEqual([{ node: 'add', index: 0 }]);
    expect(c.params.map((q) => q.name)).toEqual(['momentum']);
  });

  it('moves an output from a removed layer to the layer that fed it, looking through layers removed with it', () => {
    const r = removeFromBlock(unit(), ['add', 'relu'], []);
    if ('error' in r) throw new Error(r.error);
    // add's first input is the port; its wired input came from relu, removed too, which was fed by bn.
    expect(r.outputs).toEqual([{ name: 'out', node: 'bn' }]);
    expect(checkBlocks([r])).toEqual([]);
  });

  it('refuses to remove an output that nothing inside feeds, or every layer', () => {
    const lone: BlockDef = { ...unit(), outputs: [{ name: 'out', node: 'conv' }] };
    expect(removeFromBlock(lone, ['conv'], [])).toEqual({ error: 'conv gives the block\'s output “out” and no layer inside “Unit” feeds it, so it cannot be removed' });
    expect(removeFromBlock(unit(), ['conv', 'bn', 'relu', 'add'], [])).toEqual({ error: 'a block needs at least one layer: to remove all of “Unit”, delete its instances instead' });
  });

  it('removes wires only, and returns the same definition when nothing of it is named', () => {
    const def = unit();
    const r = removeFromBlock(def, [], ['e2']);
    if ('error' in r) throw new Error(r.error);
    expect(r.graph.edges.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(r.graph.nodes).toEqual(def.graph.nodes);
    expect(r.outputs).toEqual(def.outputs);
    expect(removeFromBlock(def, ['ghost'], ['nope'])).toBe(def);
  });

  it('adds a layer or an instance with a name unique in the block, and refuses an Input', () => {
    const r = addToBlock(unit(), { kind: 'Conv2D' }, 'new', { x: 10, y: 20 });
    if ('error' in r) throw new Error(r.error);
    expect(r.node).toEqual({ id: 'new', kind: 'Conv2D', name: 'conv2d', params: {}, position: { x: 10, y: 20 } });
    const again = addToBlock(r.def, { kind: 'Conv2D' }, 'new2', at);
    expect('node' in again && again.node.name).toBe('conv2d_1');
    const other: BlockDef = { ...unit(), id: 'other', name: 'Other block' };
    const inst = addToBlock(unit(), { block: other }, 'i', at);
    expect('node' in inst && inst.node).toMatchObject({ kind: BLOCK_KIND, block: 'other', name: 'other_block', params: { filters: 4, momentum: 0.9 } });
    expect(addToBlock(unit(), { kind: 'Input' }, 'x', at)).toEqual({ error: 'a block takes its inputs through its ports, so an Input cannot go inside “Unit”' });
  });
});

describe('moving layers inside a block', () => {
  // The unit laid out in a column, as a made block is: conv at the top-left corner.
  const column = (): BlockDef => {
    const def = unit();
    return { ...def, graph: { ...def.graph, nodes: def.graph.nodes.map((n, i) => ({ ...n, position: { x: 0, y: 100 * i } })) } };
  };
  const pos = (def: BlockDef, id: string) => def.graph.nodes.find((n) => n.id === id)!.position;
  // Where an opened instance at `inst` draws a layer: the frame starts at the block's origin (header and padding aside).
  const onCanvas = (def: BlockDef, inst: XY, id: string) => ({ x: inst.x + pos(def, id).x - blockOrigin(def).x, y: inst.y + pos(def, id).y - blockOrigin(def).y });
  const moved = (def: BlockDef, positions: Record<string, XY>) => {
    const r = moveInBlock(def, positions);
    if ('error' in r) throw new Error(r.error);
    return r;
  };

  it('moves a layer within the layout: only its position changes, wiring, ports and params are the same objects', () => {
    const def = column();
    const r = moved(def, { bn: { x: 140, y: 120 } });
    expect(r.frameShift).toEqual({ x: 0, y: 0 });
    expect(pos(r.def, 'bn')).toEqual({ x: 140, y: 120 });
    for (const id of ['conv', 'relu', 'add']) expect(r.def.graph.nodes.find((n) => n.id === id)).toBe(def.graph.nodes.find((n) => n.id === id));
    expect(r.def.graph.edges).toBe(def.graph.edges);
    expect(r.def.inputs).toBe(def.inputs);
    expect(r.def.outputs).toBe(def.outputs);
    expect(r.def.params).toBe(def.params);
    expect(checkBlocks([r.def])).toEqual([]);
    // The definition given is left as it was.
    expect(pos(def, 'bn')).toEqual({ x: 0, y: 100 });
  });

  it('moves several layers at once', () => {
    const r = moved(column(), { bn: { x: 60, y: 110 }, relu: { x: 60, y: 210 } });
    expect(r.def.graph.nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 60, y: 110 }, { x: 60, y: 210 }, { x: 0, y: 300 }]);
  });

  it('past the top-left corner the layout is shifted back to 0,0, and the frame moves so the other layers stay on the canvas', () => {
    const def = column();
    const inst = { x: 500, y: 700 };
    const r = moved(def, { relu: { x: -80, y: -40 } });
    expect(blockOrigin(r.def)).toEqual({ x: 0, y: 0 });
    expect(pos(r.def, 'relu')).toEqual({ x: 0, y: 0 });
    expect(pos(r.def, 'conv')).toEqual({ x: 80, y: 40 });
    expect(r.frameShift).toEqual({ x: -80, y: -40 });
    const frame = { x: inst.x + r.frameShift.x, y: inst.y + r.frameShift.y };
    for (const id of ['conv', 'bn', 'add']) expect(onCanvas(r.def, frame, id)).toEqual(onCanvas(def, inst, id));
    // The moved layer is where it was let go, in the old frame's terms.
    expect(onCanvas(r.def, frame, 'relu')).toEqual({ x: inst.x - 80, y: inst.y - 40 });
  });

  it('the frame shrinks from the top-left when the corner layer moves in, and the other layers stay on the canvas', () => {
    const def = column();
    const inst = { x: 0, y: 0 };
    const r = moved(def, { conv: { x: 150, y: 250 } });
    // bn is now the top-left layer.
    expect(r.frameShift).toEqual({ x: 0, y: 100 });
    expect(pos(r.def, 'bn')).toEqual({ x: 0, y: 0 });
    for (const id of ['bn', 'relu', 'add']) expect(onCanvas(r.def, r.frameShift, id)).toEqual(onCanvas(def, inst, id));
    expect(onCanvas(r.def, r.frameShift, 'conv')).toEqual({ x: 150, y: 250 });
  });

  it('a block laid out left of and above 0,0 (as a file may give it) is drawn from its corner before and after', () => {
    const def = column();
    const offset: BlockDef = { ...def, graph: { ...def.graph, nodes: def.graph.nodes.map((n) => ({ ...n, position: { x: n.position.x - 30, y: n.position.y - 50 } })) } };
    const r = moved(offset, { add: { x: 40, y: 250 } });
    expect(r.frameShift).toEqual({ x: 0, y: 0 });
    expect(pos(r.def, 'conv')).toEqual({ x: 0, y: 0 });
    expect(pos(r.def, 'add')).toEqual({ x: 70, y: 300 });
    for (const id of ['conv', 'bn', 'relu', 'add']) expect(onCanvas(r.def, { x: 0, y: 0 }, id)).toEqual(id === 'add' ? { x: 70, y: 300 } : onCanvas(offset, { x: 0, y: 0 }, id));
  });

  it('refuses ids that are not layers of the block, naming them, and gives the same definition back when nothing moves', () => {
    const def = column();
    expect(moveInBlock(def, { ghost: { x: 1, y: 2 }, bn: { x: 5, y: 5 }, 'inst/conv': at })).toEqual({ error: '“Unit” has no layer “ghost”, “inst/conv” to move' });
    expect(moveInBlock(def, {})).toEqual({ def, frameShift: { x: 0, y: 0 } });
    const same = moveInBlock(def, { bn: { x: 0, y: 100 } });
    expect('def' in same && same.def).toBe(def);
  });
});

describe('a block nested in another, and the ports of a block', () => {
  const inst = (id: string, block: string, name = id): GraphNode => ({ id, kind: BLOCK_KIND, block, name, params: {}, position: at });
  // Outer: in → u (an instance of Unit) → relu → out; Unit's own port feeds u through Outer's port.
  const outer = (): BlockDef => ({
    id: 'outer',
    name: 'Outer',
    inputs: [{ name: 'in', targets: [{ node: 'u', index: 0 }] }],
    outputs: [{ name: 'out', node: 'relu' }],
    params: [],
    graph: {
      nodes: [inst('u', 'unit'), { id: 'relu', kind: 'Activation', name: 'relu', params: { activation: 'relu' }, position: at }],
      edges: [{ id: 'o1', source: 'u', target: 'relu', targetIndex: 0 }],
    },
  });
  const blocks = () => [unit(), outer()];
  const ok = <T extends object>(r: T | { error: string }): T => {
    if ('error' in r) throw new Error(r.error);
    return r;
  };
  /** Input [8, 8, 4] → instance `i1` of `block` (and more wires), as a main graph. */
  const main = (block: string, extra: Graph['edges'] = [], more: GraphNode[] = []): Graph => ({
    nodes: [{ id: 'x', kind: 'Input', name: 'input', params: { shape: [8, 8, 4] }, position: at }, inst('i1', block, 'first'), ...more],
    edges: [{ id: 'w1', source: 'x', target: 'i1', targetIndex: 0 }, ...extra],
  });

  it('says when a wire names a port an instance does not have, or a second output of a layer', () => {
    const g = outer().graph;
    expect(portRangeProblem(g, blocks(), 'relu', 0, 'u', 1)).toBe('u has no input 2 (its block “Unit” has 1)');
    expect(portRangeProblem(g, blocks(), 'u', 1, 'relu', 0)).toBe('u has no output 2 (its block “Unit” has 1)');
    expect(portRangeProblem(g, blocks(), 'relu', 1, 'u', 0)).toBe('relu has a single output');
    expect(portRangeProblem(g, [outer()], 'relu', 0, 'u', 0)).toBe('u uses a block that does not exist');
    expect(portRangeProblem(g, blocks(), 'u', 0, 'relu', 0)).toBeUndefined();
  });

  it('finds the first free input of an inner layer or instance, or says why there is none', () => {
    const def = unit();
    // add: input 1 from the port, input 2 from relu; a merge takes more.
    expect(freeInputSlot(def, blocks(), 'add')).toEqual({ slot: 2 });
    expect(freeInputSlot(def, blocks(), 'bn')).toEqual({ error: 'bn takes a single input and is already fed by conv' });
    expect(freeInputSlot(def, blocks(), 'conv')).toEqual({ error: 'conv takes a single input and is already fed by the block\'s input “in”' });
    expect(freeInputSlot(outer(), blocks(), 'u')).toEqual({ error: 'every input of u is already connected' });
    expect(freeInputSlot(def, blocks(), 'ghost')).toEqual({ error: '“Unit” has no layer “ghost”' });
    const cut = ok(removeFromBlock(def, [], ['e1']));
    expect(freeInputSlot(cut, blocks(), 'bn')).toEqual({ slot: 0 });
  });

  it('adds an input port feeding a free input: every instance has it unconnected, says so, and takes it once wired', () => {
    const r = ok(addInputPort(unit(), blocks(), { node: 'add', index: 2 }));
    expect(r.port).toEqual({ name: 'in2', targets: [{ node: 'add', index: 2 }] });
    expect(r.def.inputs.map((p) => p.name)).toEqual(['in', 'in2']);
    expect(checkBlocks([r.def])).toEqual([]);
    const unwired = flatten(main('unit'), [r.def]);
    expect(unwired.problems).toEqual([{ nodeId: 'i1', message: 'input “in2” of first is not connected' }]);
    const wired = flatten(main('unit', [{ id: 'w2', source: 'x', target: 'i1', targetIndex: 1 }]), [r.def]);
    expect(wired.problems).toEqual([]);
    expect(wired.graph.edges.filter((e) => e.target === 'i1/add').map((e) => [e.source, e.targetIndex]).sort()).toEqual([
      ['i1/relu', 1],
      ['x', 0],
      ['x', 2],
    ]);
    expect(inferGraph(wired.graph).nodes['i1/add'].outputShape).toEqual([8, 8, 4]);
    // Taken inputs are refused with what feeds them.
    expect(addInputPort(unit(), blocks(), { node: 'add', index: 1 })).toEqual({ error: 'input 2 of add is already fed by relu' });
    expect(addInputPort(unit(), blocks(), { node: 'add', index: 0 })).toEqual({ error: 'input 1 of add is already fed by the block\'s input “in”' });
    expect(addInputPort(unit(), blocks(), { node: 'relu', index: 0 })).toEqual({ error: 'relu takes a single input and is already fed by bn' });
    expect(addInputPort(outer(), blocks(), { node: 'u', index: 1 })).toEqual({ error: 'u has no input 2' });
  });

  it('an inner instance whose input nothing feeds is named on the outer instance and on itself', () => {
    const cut: BlockDef = { ...outer(), inputs: [{ name: 'in', targets: [] }] };
    const f = flatten(main('outer'), [unit(), cut]);
    expect(f.problems).toEqual([
      { nodeId: 'i1', message: 'input “in” of first/u is not connected' },
      { nodeId: 'i1/u', message: 'input “in” of first/u is not connected' },
    ]);
    expect(flatten(main('outer'), blocks()).problems).toEqual([]);
  });

  it('adds an output port from an inner layer or an output of an inner instance', () => {
    const r = ok(addOutputPort(unit(), blocks(), { node: 'relu' }));
    expect(r.port).toEqual({ name: 'out2', node: 'relu' });
    expect(checkBlocks([r.def])).toEqual([]);
    const f = flatten(main('unit'), [r.def]);
    expect(f.outputs.get('i1')).toEqual(['i1/add', 'i1/relu']);
    expect(addOutputPort(unit(), blocks(), { node: 'add' })).toEqual({ error: 'add already gives the block\'s output “out”' });
    expect(addOutputPort(unit(), blocks(), { node: 'relu', index: 1 })).toEqual({ error: 'relu has a single output' });
    expect(ok(addOutputPort(outer(), blocks(), { node: 'u' })).port).toEqual({ name: 'out2', node: 'u' });
    expect(addOutputPort(outer(), blocks(), { node: 'u', index: 1 })).toEqual({ error: 'u has no output 2' });
    expect(addOutputPort(unit(), blocks(), { node: 'ghost' })).toEqual({ error: '“Unit” has no layer “ghost”' });
  });

  it('removes an input port everywhere: wires to it go, later ports are renumbered in the main graph and in blocks', () => {
    const def = ok(addInputPort(unit(), blocks(), { node: 'add', index: 2 })).def;
    // Outer now feeds both of u's inputs from its own port, and a second instance is fed on both in the main graph.
    const out: BlockDef = { ...outer(), inputs: [{ name: 'in', targets: [{ node: 'u', index: 0 }, { node: 'u', index: 1 }] }] };
    const graph = main('unit', [
      { id: 'w2', source: 'x', target: 'i1', targetIndex: 1 },
      { id: 'w3', source: 'i1', target: 'i2', targetIndex: 0 },
      { id: 'w4', source: 'x', target: 'i2', targetIndex: 1 },
    ], [inst('i2', 'unit', 'second')]);
    const all = [def, out];
    const r = ok(removePort(graph, all, 'unit', 'input', 0));
    expect(r.wires).toBe(2);
    expect(r.graph.edges.map((e) => [e.id, e.targetIndex])).toEqual([['w2', 0], ['w4', 0]]);
    const unitNow = r.blocks.find((b) => b.id === 'unit')!;
    expect(unitNow.inputs).toEqual([{ name: 'in2', targets: [{ node: 'add', index: 2 }] }]);
    expect(r.blocks.find((b) => b.id === 'outer')!.inputs).toEqual([{ name: 'in', targets: [{ node: 'u', index: 0 }] }]);
    expect(checkBlocks(r.blocks)).toEqual([]);
    // The inner layers the port fed now have nothing: the instances say so through their layers.
    const inf = inferGraph(flatten(r.graph, r.blocks).graph);
    expect(inf.nodes['i1/conv'].error?.message).toBe('Conv2D takes 1 input, has 0');
    // A block left untouched keeps its identity, and so does the graph when no instance is there.
    const lone: BlockDef = { ...unit(), id: 'lone', name: 'Lone' };
    const r2 = ok(removePort(graph, [def, lone], 'unit', 'input', 1));
    expect(r2.blocks[1]).toBe(lone);
    const empty = { nodes: [], edges: [] };
    expect(ok(removePort(empty, [def], 'unit', 'input', 1)).graph).toBe(empty);
    expect(removePort(graph, all, 'unit', 'input', 5)).toEqual({ error: '“Unit” has no input 6' });
  });

  it('removes an output port, renumbering wires from later outputs; refuses the only output and one another block gives', () => {
    const def = ok(addOutputPort(unit(), blocks(), { node: 'relu' })).def;
    const graph = main('unit', [
      { id: 'w2', source: 'i1', target: 'd', targetIndex: 0 },
      { id: 'w3', source: 'i1', sourceIndex: 1, target: 'd2', targetIndex: 0 },
    ], [
      { id: 'd', kind: 'Dense', name: 'dense', params: { units: 2 }, position: at },
      { id: 'd2', kind: 'Dense', name: 'dense_1', params: { units: 2 }, position: at },
    ]);
    const r = ok(removePort(graph, [def], 'unit', 'output', 0));
    expect(r.wires).toBe(1);
    expect(r.graph.edges.find((e) => e.id === 'w3')).toEqual({ id: 'w3', source: 'i1', target: 'd2', targetIndex: 0 });
    expect(r.blocks[0].outputs).toEqual([{ name: 'out2', node: 'relu' }]);
    expect(removePort(graph, [unit()], 'unit', 'output', 0)).toEqual({ error: 'a block needs at least one output: “out” is the only output of “Unit”' });
    // Outer gives u's second output as its own: that output of Unit cannot go; the first can, and Outer's is renumbered.
    const out: BlockDef = { ...outer(), outputs: [{ name: 'out', node: 'u', index: 1 }] };
    expect(removePort(graph, [def, out], 'unit', 'output', 1)).toEqual({
      error: 'output “out2” of “Unit” gives the output “out” of the block “Outer” (through u), so it cannot be removed',
    });
    const r3 = ok(removePort(graph, [def, out], 'unit', 'output', 0));
    expect(r3.blocks[1].outputs).toEqual([{ name: 'out', node: 'u' }]);
    // Outer's inner wire from u's output 1 went with it.
    expect(r3.blocks[1].graph.edges).toEqual([]);
  });

  it('added and removed ports survive the project file', () => {
    const def = ok(addOutputPort(ok(addInputPort(unit(), blocks(), { node: 'add', index: 2 })).def, blocks(), { node: 'relu' })).def;
    const p = { ...newProject('ports'), version: 2 as const, graph: main('unit', [{ id: 'w2', source: 'x', target: 'i1', targetIndex: 1 }]), blocks: [def, outer()] };
    const back = parseProject(JSON.parse(serializeProject(p)));
    if (!back.ok) throw new Error(back.errors.join('\n'));
    expect(back.value.blocks?.[0].inputs).toEqual(def.inputs);
    expect(back.value.blocks?.[0].outputs).toEqual(def.outputs);
    expect(back.value.graph.edges).toEqual(p.graph.edges);
    const cut = ok(removePort(back.value.graph, back.value.blocks!, 'unit', 'input', 0));
    const again = parseProject(JSON.parse(serializeProject({ ...back.value, graph: cut.graph, blocks: cut.blocks })));
    if (!again.ok) throw new Error(again.errors.join('\n'));
    expect(again.value.blocks?.[0].inputs.map((q) => q.name)).toEqual(['in2']);
    expect(again.value.graph.edges).toEqual([{ id: 'w2', source: 'x', target: 'i1', targetIndex: 0 }]);
  });
});
