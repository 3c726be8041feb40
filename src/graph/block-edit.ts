import { getLayerKind } from '../../nodes/index';
import { defaultLayerName, uniqueName } from './build';
import { BLOCK_KIND, BLOCK_SEP, instanceBaseName, type BlockDef, type BlockOutput } from './blocks';
import type { GraphEdge, GraphNode, XY } from './types';

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
