import { z } from 'zod';
import { getLayerKind } from '../../nodes/index';
import { uniqueName } from './build';
import type { Graph, GraphEdge, GraphNode, ProjectFileV1, XY } from './types';

/** The `kind` of a node that is an instance of a block; its `block` field names the definition. */
export const BLOCK_KIND = 'Block';

/** Separator between an instance's name and an inner layer's name in the flattened graph (`res2a/conv1`). */
export const BLOCK_SEP = '/';

/** One input port of a block: the tensor fed to it goes to every listed inner (node, input slot). */
export interface BlockInput {
  name: string;
  targets: Array<{ node: string; index: number }>;
}

/** One output port of a block: the output of an inner node (`index` picks the port of an inner block instance). */
export interface BlockOutput {
  name: string;
  node: string;
  index?: number;
}

/** Where an exposed param lands: `param` of inner node `node`, multiplied by `scale` when both are numbers. */
export interface BlockBinding {
  node: string;
  param: string;
  scale?: number;
}

/** A param of the block that the user sets per instance (e.g. filters, strides). */
export interface BlockParam {
  name: string;
  default: unknown;
  binds: BlockBinding[];
}

/**
 * A named sub-graph used as one composite layer. Its inner graph is a plain graph whose entry slots are fed by
 * the input ports; instances (nodes of kind {@link BLOCK_KIND}) reference it by id, so editing it once changes
 * every instance. Inner nodes may be instances of other blocks, never (directly or not) of this one.
 */
export interface BlockDef {
  id: string;
  name: string;
  description?: string;
  inputs: BlockInput[];
  outputs: BlockOutput[];
  params: BlockParam[];
  graph: Graph;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const innerNodeSchema = z.object({
  id: z.string().min(1, 'node id is empty'),
  kind: z.string().min(1, 'node kind is empty'),
  name: z.string(),
  params: z.record(z.string(), z.unknown()),
  position: z.object({ x: finite, y: finite }),
  block: z.string().optional(),
});

const innerEdgeSchema = z.object({
  id: z.string().min(1, 'edge id is empty'),
  source: z.string(),
  target: z.string(),
  targetIndex: z.number().int().min(0),
  sourceIndex: z.number().int().min(0).optional(),
});

/** zod schema of one block definition as project files and share links hold it. */
export const blockSchema = z.object({
  id: z.string().min(1, 'block id is empty'),
  name: z.string().min(1, 'a block needs a name'),
  description: z.string().optional(),
  inputs: z.array(
    z.object({ name: z.string(), targets: z.array(z.object({ node: z.string(), index: z.number().int().min(0) })) }),
  ),
  outputs: z
    .array(z.object({ name: z.string(), node: z.string(), index: z.number().int().min(0).optional() }))
    .min(1, 'a block needs at least one output'),
  params: z.array(
    z.object({
      name: z.string().min(1, 'an exposed param needs a name'),
      default: z.unknown(),
      binds: z.array(z.object({ node: z.string(), param: z.string().min(1), scale: finite.optional() })),
    }),
  ),
  graph: z.object({ nodes: z.array(innerNodeSchema), edges: z.array(innerEdgeSchema) }),
});

export const blocksSchema = z.array(blockSchema);

/** True for a node that is an instance of a block. */
export const isInstance = (n: GraphNode): boolean => n.kind === BLOCK_KIND;

/** The value of every exposed param of an instance: its own, else the block's default. */
export function instanceValues(def: BlockDef, node: GraphNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of def.params) out[p.name] = node.params[p.name] !== undefined ? node.params[p.name] : p.default;
  return out;
}

// Bound params keep their identity per (inner params object, bound values), so inference caches and memoised
// views see an unchanged layer as unchanged even though flatten runs again.
const boundCache = new WeakMap<object, Map<string, Record<string, unknown>>>();

function boundParams(params: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const key = JSON.stringify(patch);
  let m = boundCache.get(params);
  const hit = m?.get(key);
  if (hit) return hit;
  const value = { ...params, ...patch };
  if (!m) boundCache.set(params, (m = new Map()));
  m.set(key, value);
  return value;
}

/** The block's inner nodes with the instance's exposed values written into the params they bind. */
export function boundNodes(def: BlockDef, values: Record<string, unknown>): GraphNode[] {
  const patches = new Map<string, Record<string, unknown>>();
  for (const p of def.params) {
    const v = values[p.name] !== undefined ? values[p.name] : p.default;
    for (const b of p.binds) {
      const patch = patches.get(b.node) ?? {};
      patch[b.param] = b.scale !== undefined && typeof v === 'number' ? v * b.scale : v;
      patches.set(b.node, patch);
    }
  }
  if (!patches.size) return def.graph.nodes;
  return def.graph.nodes.map((n) => {
    const patch = patches.get(n.id);
    return patch ? { ...n, params: boundParams(n.params, patch) } : n;
  });
}

/** A problem found while flattening, on the top-level node it concerns (and, for some, on the nested instance too). */
export interface BlockProblem {
  /** The top-level node, or the flat id (`outer/inner`) of an instance nested in it. */
  nodeId: string;
  message: string;
}

/** The flattened graph and how it maps back to the document's instances. */
export interface Flattened {
  graph: Graph;
  /** For every instance, by its flat id (`outer/inner` when nested): the flat ids of its output ports, in port order. */
  outputs: Map<string, string[]>;
  /** For every instance, by its flat id: the flat ids of all layers it expands to. */
  members: Map<string, string[]>;
  problems: BlockProblem[];
}

interface Expansion {
  nodes: GraphNode[];
  edges: GraphEdge[];
  source(nodeId: string, index: number): string | undefined;
  targets(nodeId: string, index: number): Array<{ node: string; index: number }>;
}

function expand(
  graph: Graph,
  defs: ReadonlyMap<string, BlockDef>,
  idPrefix: string,
  namePrefix: string,
  offset: XY,
  stack: readonly string[],
  report: (message: string, nested?: string) => void,
  book: Pick<Flattened, 'members' | 'outputs'>,
  owner?: { id: string },
  fedByPorts?: ReadonlySet<string>,
): Expansion {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const inner = new Map<string, { def: BlockDef; x: Expansion }>();
  let fed: Set<string> | undefined;
  for (const n of graph.nodes) {
    if (owner) owner.id = n.id;
    if (!isInstance(n)) {
      nodes.push(
        idPrefix
          ? { ...n, id: idPrefix + n.id, name: namePrefix + n.name, position: { x: offset.x + n.position.x, y: offset.y + n.position.y } }
          : n,
      );
      continue;
    }
    const def = n.block === undefined ? undefined : defs.get(n.block);
    const where = namePrefix + n.name;
    const fail = (message: string) => {
      report(message);
      nodes.push(idPrefix ? { ...n, id: idPrefix + n.id, name: where } : n);
    };
    if (!def) {
      fail(`${where} uses a block that does not exist ("${n.block ?? ''}")`);
      continue;
    }
    if (stack.includes(def.id)) {
      const names = [...stack, def.id].map((id) => defs.get(id)?.name ?? id);
      fail(`block "${def.name}" is used inside itself (${names.join(' → ')}); a block cannot contain itself`);
      continue;
    }
    const sub: Graph = { nodes: boundNodes(def, instanceValues(def, n)), edges: def.graph.edges };
    const pos = { x: offset.x + n.position.x, y: offset.y + n.position.y };
    const ports = new Set(def.inputs.flatMap((port) => port.targets.map((t) => `${t.node}\u0000${t.index}`)));
    const x = expand(sub, defs, `${idPrefix}${n.id}${BLOCK_SEP}`, `${where}${BLOCK_SEP}`, pos, [...stack, def.id], report, book, undefined, ports);
    // An input port that feeds layers but nothing feeds, said on the instance after what is wrong inside it (a merge
    // would otherwise quietly take fewer inputs).
    fed ??= new Set([...graph.edges.map((e) => `${e.target}\u0000${e.targetIndex}`), ...(fedByPorts ?? [])]);
    def.inputs.forEach((port, k) => {
      if (port.targets.length && !fed!.has(`${n.id}\u0000${k}`)) report(`input “${port.name}” of ${where} is not connected`, idPrefix ? idPrefix + n.id : undefined);
    });
    nodes.push(...x.nodes);
    edges.push(...x.edges);
    inner.set(n.id, { def, x });
    book.members.set(idPrefix + n.id, x.nodes.map((m) => m.id));
    book.outputs.set(idPrefix + n.id, def.outputs.map((o) => x.source(o.node, o.index ?? 0) ?? ''));
  }
  const source = (id: string, index: number): string | undefined => {
    const i = inner.get(id);
    if (!i) return idPrefix + id;
    const out = i.def.outputs[index];
    return out ? i.x.source(out.node, out.index ?? 0) : undefined;
  };
  const targets = (id: string, index: number): Array<{ node: string; index: number }> => {
    const i = inner.get(id);
    if (!i) return [{ node: idPrefix + id, index }];
    const port = i.def.inputs[index];
    return port ? port.targets.flatMap((t) => i.x.targets(t.node, t.index)) : [];
  };
  for (const e of graph.edges) {
    if (!idPrefix && !inner.has(e.source) && !inner.has(e.target) && !e.sourceIndex) {
      edges.push(e);
      continue;
    }
    const s = source(e.source, e.sourceIndex ?? 0);
    const ts = targets(e.target, e.targetIndex);
    if (s === undefined) {
      report(`${namePrefix}${graph.nodes.find((n) => n.id === e.source)?.name ?? e.source} has no output ${(e.sourceIndex ?? 0) + 1}`);
      continue;
    }
    ts.forEach((t, i) =>
      edges.push({ id: `${idPrefix}${e.id}${ts.length > 1 ? `#${i}` : ''}`, source: s, target: t.node, targetIndex: t.index }),
    );
  }
  return { nodes, edges, source, targets };
}

/**
 * Expands every block instance into plain layers, recursively: ids become `instanceId/innerId` and names
 * `instance/inner`, positions are offset by the instance's. Exposed params are written into the params they bind.
 * A graph without instances comes back as the same object. A block used inside itself or missing is left as its
 * instance node (which inference then reports) and listed in `problems` with a clear message.
 *
 * @example
 * const flat = flatten(project.graph, project.blocks).graph; // what inference, compile and export see
 */
export function flatten(graph: Graph, blocks: readonly BlockDef[] | undefined): Flattened {
  const result: Flattened = { graph, outputs: new Map(), members: new Map(), problems: [] };
  if (!graph.nodes.some(isInstance)) return result;
  const defs = new Map((blocks ?? []).map((b) => [b.id, b]));
  const owner = { id: '' };
  // A problem of an instance inside another is listed on the top-level one (drawn collapsed) and on itself (drawn in an opened one).
  const report = (message: string, nested?: string) => {
    result.problems.push({ nodeId: owner.id, message });
    if (nested) result.problems.push({ nodeId: nested, message });
  };
  const x = expand(graph, defs, '', '', { x: 0, y: 0 }, [], report, result, owner);
  result.graph = { nodes: x.nodes, edges: x.edges };
  return result;
}

/** The project as every consumer but the canvas sees it: blocks expanded, no block list. */
export function flattenProject(p: ProjectFileV1): ProjectFileV1 {
  return flattenProjectChecked(p).project;
}

/**
 * flattenProject, with what expanding the blocks found wrong (an input port nothing feeds…), one message each: the
 * flat graph can still be valid without being the network drawn (a merge that takes one input fewer).
 */
export function flattenProjectChecked(p: ProjectFileV1): { project: ProjectFileV1; problems: string[] } {
  if (!p.graph.nodes.some(isInstance)) return { project: p.blocks === undefined ? p : withoutBlocks(p), problems: [] };
  const flat = flatten(p.graph, p.blocks);
  return { project: { ...withoutBlocks(p), graph: flat.graph }, problems: [...new Set(flat.problems.map((x) => x.message))] };
}

function withoutBlocks(p: ProjectFileV1): ProjectFileV1 {
  const { blocks: _b, ...rest } = p;
  return rest;
}

/** The ids of the blocks `def` uses, directly or through other blocks. */
function usedBlocks(def: BlockDef, defs: ReadonlyMap<string, BlockDef>, seen = new Set<string>()): Set<string> {
  for (const n of def.graph.nodes) {
    if (!isInstance(n) || n.block === undefined || seen.has(n.block)) continue;
    seen.add(n.block);
    const d = defs.get(n.block);
    if (d) usedBlocks(d, defs, seen);
  }
  return seen;
}

/**
 * Why placing an instance of block `placed` inside block `host` would be refused (it would contain itself),
 * or undefined when it is fine. With no host (the main graph) nothing recurses.
 */
export function recursionProblem(blocks: readonly BlockDef[], host: string | undefined, placed: string): string | undefined {
  if (host === undefined) return undefined;
  const defs = new Map(blocks.map((b) => [b.id, b]));
  const name = (id: string) => defs.get(id)?.name ?? id;
  if (host === placed) return `block "${name(host)}" cannot be used inside itself`;
  const d = defs.get(placed);
  if (d && usedBlocks(d, defs).has(host)) {
    return `block "${name(placed)}" already contains "${name(host)}", so it cannot be used inside it (a block cannot contain itself)`;
  }
  return undefined;
}

/**
 * Everything wrong with a list of block definitions as a file holds it: unique ids, inner integrity, ports and
 * bindings that name real nodes, references to real blocks, and no block used inside itself. Each message says where.
 */
export function checkBlocks(blocks: readonly BlockDef[]): string[] {
  const errors: string[] = [];
  const defs = new Map<string, BlockDef>();
  blocks.forEach((b, i) => {
    if (defs.has(b.id)) errors.push(`blocks[${i}].id: block id "${b.id}" is used twice`);
    defs.set(b.id, b);
  });
  blocks.forEach((b, i) => {
    const at = `blocks[${i}] ("${b.name}")`;
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const n of b.graph.nodes) {
      if (ids.has(n.id)) errors.push(`${at}: inner node id "${n.id}" is used twice`);
      if (names.has(n.name)) errors.push(`${at}: inner layer name "${n.name}" is used twice`);
      ids.add(n.id);
      names.add(n.name);
      if (isInstance(n) && (n.block === undefined || !defs.has(n.block))) errors.push(`${at}: layer "${n.name}" uses a block that does not exist ("${n.block ?? ''}")`);
    }
    for (const e of b.graph.edges) {
      if (!ids.has(e.source) || !ids.has(e.target)) errors.push(`${at}: edge "${e.id}" joins a node that is not in the block`);
    }
    b.inputs.forEach((p, k) => {
      for (const t of p.targets) if (!ids.has(t.node)) errors.push(`${at}: input ${k + 1} feeds missing node "${t.node}"`);
    });
    b.outputs.forEach((o, k) => {
      if (!ids.has(o.node)) errors.push(`${at}: output ${k + 1} comes from missing node "${o.node}"`);
    });
    for (const p of b.params) {
      for (const bind of p.binds) if (!ids.has(bind.node)) errors.push(`${at}: param "${p.name}" binds missing node "${bind.node}"`);
    }
    if (usedBlocks(b, defs).has(b.id)) errors.push(`${at}: block "${b.name}" is used inside itself; a block cannot contain itself`);
  });
  return errors;
}

/** A parameter the user may expose when making a block: a param of one of the selected layers. */
export interface ExposeChoice {
  /** Name of the exposed param on the block (e.g. `filters`). */
  name: string;
  binds: Array<{ node: string; param: string; scale?: number }>;
}

export interface MakeBlockResult {
  graph: Graph;
  block: BlockDef;
  instanceId: string;
}

/**
 * Turns the selected layers into a new block and replaces them with one instance of it, wired as they were:
 * every outside tensor feeding the selection becomes an input port, every selected layer feeding the outside
 * (or, when nothing leaves the selection, every selected layer that feeds no other) becomes an output port.
 * Returns an error message when the selection cannot be a block.
 */
export function makeBlock(
  graph: Graph,
  blocks: readonly BlockDef[],
  selected: readonly string[],
  name: string,
  expose: readonly ExposeChoice[],
  newId: (prefix: string) => string,
): MakeBlockResult | { error: string } {
  const sel = new Set(selected.filter((id) => graph.nodes.some((n) => n.id === id)));
  if (!sel.size) return { error: 'select the layers to make a block of' };
  const trimmed = name.trim();
  if (!trimmed) return { error: 'a block needs a name' };
  if (blocks.some((b) => b.name === trimmed)) return { error: `there is already a block named "${trimmed}"` };
  const inner = graph.nodes.filter((n) => sel.has(n.id));
  const input = inner.find((n) => getLayerKind(n.kind)?.inputs.max === 0);
  if (input) return { error: `${input.name} is an Input; a block takes its inputs through its ports` };

  const x0 = Math.min(...inner.map((n) => n.position.x));
  const y0 = Math.min(...inner.map((n) => n.position.y));
  const nodes = inner.map((n) => ({ ...n, position: { x: n.position.x - x0, y: n.position.y - y0 } }));
  const innerEdges = graph.edges.filter((e) => sel.has(e.source) && sel.has(e.target));
  const entering = graph.edges.filter((e) => !sel.has(e.source) && sel.has(e.target));
  const leaving = graph.edges.filter((e) => sel.has(e.source) && !sel.has(e.target));

  const inputKey = (e: GraphEdge) => `${e.source}\u0000${e.sourceIndex ?? 0}`;
  const inputs: BlockInput[] = [];
  const inputIndex = new Map<string, number>();
  for (const e of entering) {
    let k = inputIndex.get(inputKey(e));
    if (k === undefined) {
      k = inputs.length;
      inputIndex.set(inputKey(e), k);
      inputs.push({ name: inputs.length ? `in${k + 1}` : 'in', targets: [] });
    }
    inputs[k].targets.push({ node: e.target, index: e.targetIndex });
  }
  // Slots no edge feeds yet (an unconnected layer in the selection) become ports too, so the block can be wired.
  for (const n of inner) {
    const kind = getLayerKind(n.kind);
    if (!kind || kind.inputs.min === 0) continue;
    const fed = graph.edges.filter((e) => e.target === n.id).length;
    for (let slot = fed; slot < kind.inputs.min; slot++) {
      inputs.push({ name: inputs.length ? `in${inputs.length + 1}` : 'in', targets: [{ node: n.id, index: slot }] });
    }
  }
  const outKey = (e: GraphEdge) => `${e.source}\u0000${e.sourceIndex ?? 0}`;
  const outputs: BlockOutput[] = [];
  const outputIndex = new Map<string, number>();
  for (const e of leaving) {
    if (outputIndex.has(outKey(e))) continue;
    outputIndex.set(outKey(e), outputs.length);
    outputs.push({ name: outputs.length ? `out${outputs.length + 1}` : 'out', node: e.source, ...(e.sourceIndex ? { index: e.sourceIndex } : {}) });
  }
  if (!outputs.length) {
    for (const n of inner) {
      if (!innerEdges.some((e) => e.source === n.id)) outputs.push({ name: outputs.length ? `out${outputs.length + 1}` : 'out', node: n.id });
    }
  }
  if (!outputs.length) return { error: 'the selection has no layer whose output leaves it' };

  const params: BlockParam[] = [];
  for (const c of expose) {
    const binds = c.binds.filter((b) => sel.has(b.node));
    if (!binds.length || !c.name.trim()) continue;
    const first = inner.find((n) => n.id === binds[0].node)!;
    params.push({ name: c.name.trim(), default: paramValue(first, binds[0].param), binds });
  }

  const block: BlockDef = {
    id: newId('b'),
    name: trimmed,
    inputs,
    outputs,
    params,
    graph: { nodes, edges: innerEdges },
  };
  const instanceId = newId('n');
  const taken = new Set(graph.nodes.filter((n) => !sel.has(n.id)).map((n) => n.name));
  const instance: GraphNode = {
    id: instanceId,
    kind: BLOCK_KIND,
    block: block.id,
    name: uniqueName(instanceBaseName(trimmed), taken),
    params: Object.fromEntries(params.map((p) => [p.name, p.default])),
    position: { x: x0, y: y0 },
  };
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (sel.has(e.source) && sel.has(e.target)) continue;
    if (!sel.has(e.source) && !sel.has(e.target)) edges.push(e);
  }
  const wiredIn = new Set<number>();
  for (const e of entering) {
    const k = inputIndex.get(inputKey(e))!;
    if (wiredIn.has(k)) continue;
    wiredIn.add(k);
    edges.push({ id: newId('e'), source: e.source, ...(e.sourceIndex ? { sourceIndex: e.sourceIndex } : {}), target: instanceId, targetIndex: k });
  }
  for (const e of leaving) {
    const k = outputIndex.get(outKey(e))!;
    edges.push({ id: newId('e'), source: instanceId, ...(k ? { sourceIndex: k } : {}), target: e.target, targetIndex: e.targetIndex });
  }
  return {
    graph: { nodes: [...graph.nodes.filter((n) => !sel.has(n.id)), instance], edges },
    block,
    instanceId,
  };
}

/** `Bottleneck block` → `bottleneck_block`: the base of an instance's layer name. */
export function instanceBaseName(blockName: string): string {
  const s = blockName.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(s) ? s : `block_${s}`;
}

/** A param's value on a node: as stored, else the kind's default. */
export function paramValue(node: GraphNode, param: string): unknown {
  if (node.params[param] !== undefined) return node.params[param];
  const kind = getLayerKind(node.kind);
  const parsed = kind?.params.safeParse({});
  return parsed?.success ? (parsed.data as Record<string, unknown>)[param] : undefined;
}

/**
 * Replaces one instance by its inner layers (one level: inner instances stay instances), wired as the instance was,
 * with the instance's exposed values written in and names prefixed by the instance (`res2a/conv1`).
 */
export function expandInstance(graph: Graph, blocks: readonly BlockDef[], instanceId: string, newId: (prefix: string) => string): Graph | { error: string } {
  const inst = graph.nodes.find((n) => n.id === instanceId);
  if (!inst || !isInstance(inst)) return { error: 'that layer is not a block instance' };
  const def = blocks.find((b) => b.id === inst.block);
  if (!def) return { error: `${inst.name} uses a block that does not exist` };
  const ids = new Map(def.graph.nodes.map((n) => [n.id, newId('n')]));
  const taken = new Set(graph.nodes.filter((n) => n.id !== instanceId).map((n) => n.name));
  const nodes = boundNodes(def, instanceValues(def, inst)).map((n) => {
    const name = uniqueName(`${inst.name}${BLOCK_SEP}${n.name}`, taken);
    taken.add(name);
    return { ...n, id: ids.get(n.id)!, name, position: { x: inst.position.x + n.position.x, y: inst.position.y + n.position.y } };
  });
  const edges: GraphEdge[] = def.graph.edges.map((e) => ({ ...e, id: newId('e'), source: ids.get(e.source)!, target: ids.get(e.target)! }));
  for (const e of graph.edges) {
    if (e.target === instanceId) {
      for (const t of def.inputs[e.targetIndex]?.targets ?? []) {
        edges.push({ id: newId('e'), source: e.source, ...(e.sourceIndex ? { sourceIndex: e.sourceIndex } : {}), target: ids.get(t.node)!, targetIndex: t.index });
      }
    } else if (e.source === instanceId) {
      const out = def.outputs[e.sourceIndex ?? 0];
      if (out) edges.push({ ...e, id: newId('e'), source: ids.get(out.node)!, ...(out.index ? { sourceIndex: out.index } : { sourceIndex: undefined }) });
    } else edges.push(e);
  }
  return {
    nodes: [...graph.nodes.filter((n) => n.id !== instanceId), ...nodes],
    edges: edges.map(({ sourceIndex, ...e }) => (sourceIndex ? { ...e, sourceIndex } : e)),
  };
}

/**
 * How many layers the graph has once flattened, without flattening it (a hostile file could nest blocks so deep
 * that expanding them fills memory). A block used inside itself or a missing block counts as one layer.
 */
export function flatSize(graph: Graph, blocks: readonly BlockDef[] | undefined): number {
  const defs = new Map((blocks ?? []).map((b) => [b.id, b]));
  const memo = new Map<string, number>();
  const sizeOf = (g: Graph, stack: readonly string[]): number => {
    let total = 0;
    for (const n of g.nodes) {
      const def = isInstance(n) && n.block !== undefined ? defs.get(n.block) : undefined;
      if (!def || stack.includes(def.id)) total += 1;
      else {
        let s = memo.get(def.id);
        if (s === undefined) memo.set(def.id, (s = sizeOf(def.graph, [...stack, def.id])));
        total += s;
      }
    }
    return total;
  };
  return sizeOf(graph, []);
}
