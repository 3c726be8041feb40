import { describe, expect, it } from 'vitest';
import { addToBlock, blockOrigin, moveInBlock, portFeedProblem, removeFromBlock, splitInnerId } from './block-edit';
import { BLOCK_KIND, checkBlocks, type BlockDef } from './blocks';
import type { XY } from './types';

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
