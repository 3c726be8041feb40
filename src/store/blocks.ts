import { BLOCK_SEP, flatten, isInstance, type BlockDef, type Flattened } from '../graph/blocks';
import type { Graph, GraphInference, NodeInference, ProjectFileV1 } from '../graph/types';
import { sameStructure } from './inference';

let lastGraph: Graph | null = null;
let lastBlocks: readonly BlockDef[] | undefined;
let lastFlat: Flattened | null = null;

/**
 * The project's graph with blocks expanded, memoised: while only positions change the previous result comes back,
 * so inference is not redone on a drag (positions of the flat layers are then those of the last structural change,
 * which no consumer of the flat graph draws). A graph without instances is returned as it is.
 */
export function flatFor(project: ProjectFileV1): Flattened {
  const { graph, blocks } = project;
  if (lastFlat && lastGraph === graph && lastBlocks === blocks) return lastFlat;
  if (lastFlat && lastGraph && lastBlocks === blocks && sameStructure(lastGraph, graph) && lastFlat.graph !== lastGraph) {
    lastGraph = graph;
    return lastFlat;
  }
  lastFlat = flatten(graph, blocks);
  lastGraph = graph;
  lastBlocks = blocks;
  return lastFlat;
}

const zero = () => ({ trainable: 0, nonTrainable: 0 });

/** One instance seen as a single layer: the sums of its inner layers, its first output's shape, its first problem. */
export function instanceInference(id: string, flat: Flattened, inf: GraphInference, problem: string | undefined): NodeInference {
  if (problem) return { id, status: 'error', inputShapes: [], count: zero(), macs: 0, flops: 0, elementwise: 0, error: { code: 'block', message: problem } };
  const members = flat.members.get(id) ?? [];
  const count = zero();
  let macs = 0;
  let flops = 0;
  let elementwise = 0;
  let error: NodeInference | undefined;
  let blocked: NodeInference | undefined;
  for (const m of members) {
    const n = inf.nodes[m];
    if (!n) continue;
    count.trainable += n.count.trainable;
    count.nonTrainable += n.count.nonTrainable;
    macs += n.macs;
    flops += n.flops;
    elementwise += n.elementwise;
    if (n.status === 'error' && !error) error = n;
    if (n.status === 'blocked' && !blocked) blocked = n;
  }
  const out = inf.nodes[flat.outputs.get(id)?.[0] ?? ''];
  const base: NodeInference = { id, status: 'ok', inputShapes: [], outputShape: out?.outputShape, count, macs, flops, elementwise };
  if (error?.error) {
    const inner = flat.graph.nodes.find((n) => n.id === error!.id);
    const where = inner ? inner.name.slice(inner.name.indexOf(BLOCK_SEP) + 1) : error.id;
    return { ...base, status: 'error', outputShape: undefined, error: { ...error.error, message: `${where}: ${error.error.message}`, param: undefined } };
  }
  if (blocked) {
    const ext = (blocked.blockedBy ?? []).filter((b) => !members.includes(b));
    return { ...base, status: 'blocked', outputShape: undefined, blockedBy: ext };
  }
  return base;
}

let canvasIn: { inf: GraphInference; flat: Flattened } | null = null;
let canvasOut: GraphInference | null = null;
const instanceCache = new Map<string, NodeInference>();

/**
 * The inference as the canvas needs it: every layer of the flat graph plus one entry per instance (keyed by the
 * instance's flat id, `outer/inner` when nested) that sums its layers. Instance entries keep their identity while unchanged.
 */
export function canvasInferenceFor(graph: Graph, flat: Flattened, inf: GraphInference): GraphInference {
  if (canvasIn && canvasIn.inf === inf && canvasIn.flat === flat && canvasOut) return canvasOut;
  if (!graph.nodes.some(isInstance)) {
    canvasIn = { inf, flat };
    canvasOut = inf;
    return inf;
  }
  const nodes: Record<string, NodeInference> = { ...inf.nodes };
  const ids = [...graph.nodes.filter(isInstance).map((n) => n.id), ...[...flat.members.keys()].filter((id) => id.includes(BLOCK_SEP))];
  for (const id of ids) {
    const problem = flat.problems.find((p) => p.nodeId === id)?.message;
    const next = instanceInference(id, flat, inf, problem);
    const old = instanceCache.get(id);
    const same =
      old &&
      old.status === next.status &&
      old.count.trainable === next.count.trainable &&
      old.count.nonTrainable === next.count.nonTrainable &&
      old.flops === next.flops &&
      old.error?.message === next.error?.message &&
      String(old.outputShape) === String(next.outputShape);
    nodes[id] = same ? old : next;
    instanceCache.set(id, nodes[id]);
  }
  canvasIn = { inf, flat };
  canvasOut = { ...inf, nodes };
  return canvasOut;
}

/**
 * The project as exports see it (blocks expanded, no block list), through the same memo as inference: cheap to call
 * on every render. While only positions changed, the layers inside blocks keep the positions of the last structural edit.
 */
export function flatProjectFor(p: ProjectFileV1): ProjectFileV1 {
  if (p.blocks === undefined) return p;
  const { blocks: _b, ...rest } = p;
  return { ...rest, graph: flatFor(p).graph };
}
