import { getLayerKind } from '../../nodes/index';
import { defaultLayerName, uniqueName } from './build';
import { BLOCK_KIND, BLOCK_SEP, instanceBaseName, isInstance, type BlockDef, type BlockInput, type BlockOutput } from './blocks';
import type { Graph, GraphEdge, GraphNode, XY } from './types';

/**
 * Edits of a block's inner wiring, as the canvas makes them on an opened instance. Each takes a definition and
 * returns a new one (or says why not), so every instance of the block follows the edit.
 */

/** A drawn id of a layer or wire inside an opened instance (`instance/inner`), split at the first separator. */
export function splitInnerId(id: string): { instance: string; inner: string } | undefined {
  const at = id.indexOf(BLOCK_SEP);
  return at < 0 ? undefined : { instance: id.slice(0, at), inner: id.slice(at + 1) };
}

/**
 * Why an inner wire into input `slot` of inner layer `target` would clash with the block's input ports (a port
 * already feeds that slot, or feeds a layer that takes one input), or undefined when no port is in the way.
 */
export function portFeedProblem(def: BlockDef, target: string, slot: number): string | undefined {
  const t = def.graph.nodes.find((n) => n.id === target);
  if (!t) return undefined;
  const single = getLayerKind(t.kind)?.inputs.max === 1;
  for (const port of def.inputs) {
    for (const x of port.targets) {
      if (x.node !== target) continue;
      if (x.index === slot) return `input ${slot + 1} of ${t.name} comes from the block's input “${port.name}”`;
      if (single) return `${t.name} takes a single input and is already fed by the block's input “${port.name}”`;
    }
  }
  return undefined;
}

/** The definition with one more inner wire (the caller has checked it with {@link portFeedProblem} and the graph's rules). */
export function connectInBlock(def: BlockDef, edge: GraphEdge): BlockDef {
  return { ...def, graph: { ...def.graph, edges: [...def.graph.edges, edge] } };
}

/**
 * Where a block's own coordinates start in an opened instance's frame: at its top-left layer, but never right of or
 * below 0,0 (the frame's room for the header and padding is added on top by the canvas).
 */
export function blockOrigin(def: BlockDef): XY {
  let x = 0;
  let y = 0;
  for (const n of def.graph.nodes) {
    x = Math.min(x, n.position.x);
    y = Math.min(y, n.position.y);
  }
  return { x, y };
}

/**
 * The definition with inner layers moved to `positions` (block coordinates, by inner id), then the whole layout
 * shifted so that its top-left corner is 0,0: an opened frame fits its layers on every side, growing or shrinking.
 * `frameShift` is how far an opened instance's frame must move (add it to the instance's position) for every layer
 * that was not moved to stay where it is on the canvas. Ids that are not layers of the block are refused, naming
 * them. When no layer changes place, the same definition comes back.
 */
export function moveInBlock(def: BlockDef, positions: Readonly<Record<string, XY>>): { def: BlockDef; frameShift: XY } | { error: string } {
  const ids = new Set(def.graph.nodes.map((n) => n.id));
  const unknown = Object.keys(positions).filter((id) => !ids.has(id));
  if (unknown.length) return { error: `“${def.name}” has no layer ${unknown.map((id) => `“${id}”`).join(', ')} to move` };
  const changed = def.graph.nodes.some((n) => positions[n.id] && (positions[n.id].x !== n.position.x || positions[n.id].y !== n.position.y));
  if (!changed) return { def, frameShift: { x: 0, y: 0 } };
  const moved = def.graph.nodes.map((n) => positions[n.id] ?? n.position);
  const x = Math.min(...moved.map((p) => p.x));
  const y = Math.min(...moved.map((p) => p.y));
  const origin = blockOrigin(def);
  const nodes = def.graph.nodes.map((n, i) =>
    n.position.x === moved[i].x - x && n.position.y === moved[i].y - y ? n : { ...n, position: { x: moved[i].x - x, y: moved[i].y - y } },
  );
  return { def: { ...def, graph: { ...def.graph, nodes } }, frameShift: { x: x - origin.x, y: y - origin.y } };
}

/** What to add inside a block: a layer of a kind, or an instance of another block. */
export type BlockAddition = { kind: string } | { block: BlockDef };

/**
 * The definition with a new unconnected layer (or instance of `what.block`) at `position` in the block's own
 * coordinates, named uniquely within the block. An Input is refused: a block takes its inputs through its ports.
 * The caller checks that an added block does not end up inside itself (`recursionProblem`).
 */
export function addToBlock(def: BlockDef, what: BlockAddition, id: string, position: XY): { def: BlockDef; node: GraphNode } | { error: string } {
  const taken = new Set(def.graph.nodes.map((n) => n.name));
  let node: GraphNode;
  if ('block' in what) {
    const b = what.block;
    node = { id, kind: BLOCK_KIND, block: b.id, name: uniqueName(instanceBaseName(b.name), taken), params: Object.fromEntries(b.params.map((q) => [q.name, q.default])), position };
  } else {
    const kind = getLayerKind(what.kind);
    if (!kind) return { error: `there is no layer kind “${what.kind}”` };
    if (kind.inputs.max === 0) return { error: `a block takes its inputs through its ports, so an ${kind.ui.label} cannot go inside “${def.name}”` };
    node = { id, kind: what.kind, name: uniqueName(defaultLayerName(what.kind), taken), params: {}, position };
  }
  return { def: { ...def, graph: { ...def.graph, nodes: [...def.graph.nodes, node] } }, node };
}

/**
 * The definition without the given inner layers (and their wires) and wires. Input ports stop feeding removed layers
 * (the ports stay, so instances keep their wiring); exposed params lose the bindings to them (a param left binding
 * nothing goes). A block output that came from a removed layer moves to the layer that fed it, as if the layer were
 * cut out of a chain; when nothing inside fed it, or every layer would go, the edit is refused with the reason.
 */
export function removeFromBlock(def: BlockDef, nodeIds: readonly string[], edgeIds: readonly string[]): BlockDef | { error: string } {
  const dropN = new Set(nodeIds.filter((id) => def.graph.nodes.some((n) => n.id === id)));
  const dropE = new Set(edgeIds);
  if (!dropN.size && !def.graph.edges.some((e) => dropE.has(e.id))) return def;
  if (dropN.size === def.graph.nodes.length) {
    return { error: `a block needs at least one layer: to remove all of “${def.name}”, delete its instances instead` };
  }
  const nameOf = (id: string) => def.graph.nodes.find((n) => n.id === id)?.name ?? id;
  // The kept layer that fed `id` through its first input, looking through layers removed with it.
  const feeder = (id: string, seen = new Set<string>()): { node: string; index?: number } | undefined => {
    const into = def.graph.edges.filter((e) => e.target === id).sort((a, b) => a.targetIndex - b.targetIndex)[0];
    if (!into) return undefined;
    if (!dropN.has(into.source)) return { node: into.source, index: into.sourceIndex };
    if (seen.has(into.source)) return undefined;
    seen.add(id);
    return feeder(into.source, seen);
  };
  const outputs: BlockOutput[] = [];
  for (const o of def.outputs) {
    if (!dropN.has(o.node)) {
      outputs.push(o);
      continue;
    }
    const f = feeder(o.node);
    if (!f) {
      return { error: `${nameOf(o.node)} gives the block's output “${o.name}” and no layer inside “${def.name}” feeds it, so it cannot be removed` };
    }
    outputs.push({ name: o.name, node: f.node, ...(f.index ? { index: f.index } : {}) });
  }
  return {
    ...def,
    inputs: def.inputs.map((p) => ({ ...p, targets: p.targets.filter((t) => !dropN.has(t.node)) })),
    outputs,
    params: def.params
      .map((q) => ({ ...q, binds: q.binds.filter((b) => !dropN.has(b.node)) }))
      .filter((q, i) => q.binds.length > 0 || def.params[i].binds.length === 0),
    graph: {
      nodes: def.graph.nodes.filter((n) => !dropN.has(n.id)),
      edges: def.graph.edges.filter((e) => !dropE.has(e.id) && !dropN.has(e.source) && !dropN.has(e.target)),
    },
  };
}

/** Which side of a block a port is on: inputs feed inner layers, outputs come from them. */
export type PortSide = 'input' | 'output';

const instanceDef = (n: GraphNode, blocks: readonly BlockDef[]): BlockDef | undefined =>
  isInstance(n) && n.block !== undefined ? blocks.find((b) => b.id === n.block) : undefined;

/**
 * Why a wire from output `sourceIndex` of `source` into input `targetIndex` of `target` (both nodes of `graph`, the main
 * graph or a block's) names a port that is not there: a layer has one output, an instance has its block's ports.
 * Undefined when both ports exist (or a node is missing: the caller says so).
 */
export function portRangeProblem(graph: Graph, blocks: readonly BlockDef[], source: string, sourceIndex: number, target: string, targetIndex: number): string | undefined {
  const s = graph.nodes.find((n) => n.id === source);
  const t = graph.nodes.find((n) => n.id === target);
  if (!s || !t) return undefined;
  if (isInstance(s)) {
    const d = instanceDef(s, blocks);
    if (!d) return `${s.name} uses a block that does not exist`;
    if (sourceIndex >= d.outputs.length) return `${s.name} has no output ${sourceIndex + 1} (its block “${d.name}” has ${d.outputs.length})`;
  } else if (sourceIndex > 0) return `${s.name} has a single output`;
  if (isInstance(t)) {
    const d = instanceDef(t, blocks);
    if (!d) return `${t.name} uses a block that does not exist`;
    if (targetIndex >= d.inputs.length) return `${t.name} has no input ${targetIndex + 1} (its block “${d.name}” has ${d.inputs.length})`;
  }
  return undefined;
}

/** What feeds input `slot` of inner node `node`, in words (“conv2d”, “the block's input “in””), or undefined. */
function slotFeeder(def: BlockDef, node: string, slot: number): string | undefined {
  const e = def.graph.edges.find((x) => x.target === node && x.targetIndex === slot);
  if (e) return def.graph.nodes.find((n) => n.id === e.source)?.name ?? e.source;
  const port = def.inputs.find((p) => p.targets.some((t) => t.node === node && t.index === slot));
  return port ? `the block's input “${port.name}”` : undefined;
}

/** How many inputs inner node `n` may take (Infinity for merges), or why it takes none. */
function slotCount(n: GraphNode, blocks: readonly BlockDef[]): number | string {
  if (isInstance(n)) {
    const d = instanceDef(n, blocks);
    return d ? d.inputs.length : `${n.name} uses a block that does not exist`;
  }
  const kind = getLayerKind(n.kind);
  if (!kind) return `${n.name} is of an unknown kind (“${n.kind}”)`;
  return kind.inputs.max === 0 ? `${n.name} is an ${kind.ui.label} and takes no inputs` : kind.inputs.max;
}

/**
 * Why nothing more can feed input `slot` of inner node `node` of the block (the slot is taken by a wire or a port, the
 * layer takes a single input that is fed, or it has no such input), or undefined when the slot is free.
 */
function slotProblem(def: BlockDef, blocks: readonly BlockDef[], node: GraphNode, slot: number): string | undefined {
  const count = slotCount(node, blocks);
  if (typeof count === 'string') return count;
  if (count === 0) return `${node.name} has no inputs`;
  if (count === 1 && !isInstance(node)) {
    const from = slotFeeder(def, node.id, 0);
    if (from) return `${node.name} takes a single input and is already fed by ${from}`;
  }
  if (slot >= count) return `${node.name} has no input ${slot + 1}`;
  const from = slotFeeder(def, node.id, slot);
  return from ? `input ${slot + 1} of ${node.name} is already fed by ${from}` : undefined;
}

/**
 * The first input of inner node `nodeId` that nothing feeds, where a new input port of the block can go; or why
 * there is none (a single-input layer already fed, every input of an inner instance connected).
 */
export function freeInputSlot(def: BlockDef, blocks: readonly BlockDef[], nodeId: string): { slot: number } | { error: string } {
  const node = def.graph.nodes.find((n) => n.id === nodeId);
  if (!node) return { error: `“${def.name}” has no layer “${nodeId}”` };
  const count = slotCount(node, blocks);
  if (typeof count === 'string') return { error: count };
  for (let slot = 0; slot < count; slot++) if (!slotProblem(def, blocks, node, slot)) return { slot };
  if (count === 0) return { error: `${node.name} has no inputs` };
  return { error: count === 1 && !isInstance(node) ? slotProblem(def, blocks, node, 0)! : `every input of ${node.name} is already connected` };
}

/** `base`, else `base2`, `base3`…: the first name no port of the list has. */
function freePortName(ports: ReadonlyArray<{ name: string }>, base: string): string {
  const taken = new Set(ports.map((p) => p.name));
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base}${k}`)) return `${base}${k}`;
}

/**
 * The definition with one more input port, last, feeding input `target.index` of inner node `target.node`. Every
 * instance gets the port unconnected (each says so until it is wired). Refused, with the reason, when that input is
 * already fed (by an inner wire or another port) or does not exist.
 */
export function addInputPort(def: BlockDef, blocks: readonly BlockDef[], target: { node: string; index: number }): { def: BlockDef; port: BlockInput } | { error: string } {
  const node = def.graph.nodes.find((n) => n.id === target.node);
  if (!node) return { error: `“${def.name}” has no layer “${target.node}”` };
  const problem = slotProblem(def, blocks, node, target.index);
  if (problem) return { error: problem };
  const port: BlockInput = { name: freePortName(def.inputs, 'in'), targets: [{ node: target.node, index: target.index }] };
  return { def: { ...def, inputs: [...def.inputs, port] }, port };
}

/**
 * The definition with one more output port, last, giving output `source.index` of inner node `source.node` (a layer
 * has one output; an inner instance has its block's). Refused, with the reason, when that output already is one of the
 * block's or does not exist.
 */
export function addOutputPort(def: BlockDef, blocks: readonly BlockDef[], source: { node: string; index?: number }): { def: BlockDef; port: BlockOutput } | { error: string } {
  const node = def.graph.nodes.find((n) => n.id === source.node);
  if (!node) return { error: `“${def.name}” has no layer “${source.node}”` };
  const index = source.index ?? 0;
  if (isInstance(node)) {
    const d = instanceDef(node, blocks);
    if (!d) return { error: `${node.name} uses a block that does not exist` };
    if (index >= d.outputs.length) return { error: `${node.name} has no output ${index + 1}` };
  } else if (index > 0) return { error: `${node.name} has a single output` };
  const same = def.outputs.find((o) => o.node === source.node && (o.index ?? 0) === index);
  if (same) return { error: `${node.name} already gives the block's output “${same.name}”` };
  const port: BlockOutput = { name: freePortName(def.outputs, 'out'), node: source.node, ...(index ? { index } : {}) };
  return { def: { ...def, outputs: [...def.outputs, port] }, port };
}

/**
 * Removes input or output port `index` of block `blockId`, everywhere it is used: wires to that port of every instance
 * (in the main graph and inside other blocks) go, and wires to the ports after it are renumbered, as are ports of other
 * blocks that pass through it. `wires` counts the wires removed. Refused, changing nothing, for a block's only output
 * and for an output that gives another block's output (which would be left without a source).
 */
export function removePort(
  graph: Graph,
  blocks: readonly BlockDef[],
  blockId: string,
  side: PortSide,
  index: number,
): { graph: Graph; blocks: BlockDef[]; wires: number } | { error: string } {
  const def = blocks.find((b) => b.id === blockId);
  if (!def) return { error: 'that block no longer exists' };
  const ports = side === 'input' ? def.inputs : def.outputs;
  const port = ports[index];
  if (!port) return { error: `“${def.name}” has no ${side} ${index + 1}` };
  if (side === 'output' && def.outputs.length === 1) {
    return { error: `a block needs at least one output: “${port.name}” is the only output of “${def.name}”` };
  }
  const isOurs = (g: Graph) => {
    const ids = new Set(g.nodes.filter((n) => isInstance(n) && n.block === blockId).map((n) => n.id));
    return (id: string) => ids.has(id);
  };
  if (side === 'output') {
    for (const b of blocks) {
      const ours = isOurs(b.graph);
      const given = b.outputs.find((o) => ours(o.node) && (o.index ?? 0) === index);
      if (given) {
        const via = b.graph.nodes.find((n) => n.id === given.node)?.name ?? given.node;
        return { error: `output “${port.name}” of “${def.name}” gives the output “${given.name}” of the block “${b.name}” (through ${via}), so it cannot be removed` };
      }
    }
  }
  let wires = 0;
  const renumber = (g: Graph): Graph => {
    const ours = isOurs(g);
    let changed = false;
    const edges: GraphEdge[] = [];
    for (const e of g.edges) {
      const at = side === 'input' ? (ours(e.target) ? e.targetIndex : -1) : ours(e.source) ? e.sourceIndex ?? 0 : -1;
      if (at < index) edges.push(e);
      else if (at === index) {
        wires += 1;
        changed = true;
      } else {
        changed = true;
        if (side === 'input') edges.push({ ...e, targetIndex: at - 1 });
        else {
          const { sourceIndex: _s, ...rest } = e;
          edges.push(at - 1 ? { ...rest, sourceIndex: at - 1 } : rest);
        }
      }
    }
    return changed ? { ...g, edges } : g;
  };
  const nextGraph = renumber(graph);
  const nextBlocks = blocks.map((b) => {
    const own: BlockDef = b.id === blockId ? (side === 'input' ? { ...b, inputs: b.inputs.filter((_, k) => k !== index) } : { ...b, outputs: b.outputs.filter((_, k) => k !== index) }) : b;
    const inner = renumber(own.graph);
    const ours = isOurs(own.graph);
    let inputs = own.inputs;
    let outputs = own.outputs;
    if (side === 'input' && own.inputs.some((p) => p.targets.some((t) => ours(t.node) && t.index >= index))) {
      inputs = own.inputs.map((p) => ({
        ...p,
        targets: p.targets.filter((t) => !(ours(t.node) && t.index === index)).map((t) => (ours(t.node) && t.index > index ? { ...t, index: t.index - 1 } : t)),
      }));
    }
    if (side === 'output' && own.outputs.some((o) => ours(o.node) && (o.index ?? 0) > index)) {
      outputs = own.outputs.map((o) => {
        if (!ours(o.node) || (o.index ?? 0) <= index) return o;
        const { index: k, ...rest } = o;
        return k! - 1 ? { ...rest, index: k! - 1 } : rest;
      });
    }
    return own === b && inner === b.graph && inputs === b.inputs && outputs === b.outputs ? b : { ...own, inputs, outputs, graph: inner };
  });
  return { graph: nextGraph, blocks: nextBlocks, wires };
}
