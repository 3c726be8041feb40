import { sameShape, type LayerError } from '../../nodes/index';
import { inferGraph } from '../graph/infer';
import type { Graph, GraphInference, NodeInference } from '../graph/types';

let lastGraph: Graph | null = null;
let lastResult: GraphInference | null = null;

/** Same nodes (ids, kinds, names, params and block by identity) and same edges: only positions may differ. */
export function sameStructure(a: Graph, b: Graph): boolean {
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (x === y) continue;
    if (x.id !== y.id || x.kind !== y.kind || x.name !== y.name || x.params !== y.params || x.block !== y.block) return false;
  }
  return true;
}

const sameProblems = (a: LayerError[] | undefined, b: LayerError[] | undefined): boolean =>
  (a?.length ?? 0) === (b?.length ?? 0) && (a ?? []).every((e, i) => e.message === b![i].message && e.param === b![i].param);

function sameNode(a: NodeInference, b: NodeInference): boolean {
  return (
    a.status === b.status &&
    a.params === b.params &&
    sameShape(a.outputShape, b.outputShape) &&
    a.inputShapes.length === b.inputShapes.length &&
    a.inputShapes.every((s, i) => sameShape(s, b.inputShapes[i])) &&
    a.count.trainable === b.count.trainable &&
    a.count.nonTrainable === b.count.nonTrainable &&
    a.macs === b.macs &&
    a.elementwise === b.elementwise &&
    sameProblems(a.errors, b.errors) &&
    sameProblems(a.warnings, b.warnings) &&
    (a.blockedBy ?? []).join() === (b.blockedBy ?? []).join()
  );
}

/**
 * `inferGraph`, memoised on the graph's structure (moving nodes does not re-infer) and with stable per-node objects.
 * Pure with respect to the document: nothing is written back.
 */
export function inferenceFor(graph: Graph): GraphInference {
  if (lastGraph === graph && lastResult) return lastResult;
  if (lastGraph && lastResult && sameStructure(lastGraph, graph)) {
    lastGraph = graph;
    return lastResult;
  }
  const next = inferGraph(graph);
  if (lastResult) {
    const prev = lastResult.nodes;
    for (const id of Object.keys(next.nodes)) {
      const old = prev[id];
      if (old && sameNode(old, next.nodes[id])) next.nodes[id] = old;
    }
  }
  lastGraph = graph;
  lastResult = next;
  return next;
}

/** What a list of layers needs to show; positions left out. */
export interface LayerMeta {
  id: string;
  name: string;
  kind: string;
}

let metaGraph: Graph | null = null;
let metaList: LayerMeta[] = [];

/** The layer list of a graph, keeping the same array (and objects) while only positions change. */
export function layerListFor(graph: Graph): readonly LayerMeta[] {
  if (metaGraph === graph) return metaList;
  const same =
    metaGraph !== null &&
    metaList.length === graph.nodes.length &&
    graph.nodes.every((n, i) => metaList[i].id === n.id && metaList[i].name === n.name && metaList[i].kind === n.kind);
  if (!same) metaList = graph.nodes.map((n) => ({ id: n.id, name: n.name, kind: n.kind }));
  metaGraph = graph;
  return metaList;
}

let stableIn: Graph | null = null;
let stableOut: Graph | null = null;

/**
 * The graph, except that a graph differing only in positions returns the previous object: panels that do not
 * draw positions (training, inspection) then skip the re-renders of a drag.
 */
export function structuralGraphFor(graph: Graph): Graph {
  if (stableIn === graph && stableOut) return stableOut;
  if (!(stableIn && stableOut && sameStructure(stableIn, graph))) stableOut = graph;
  stableIn = graph;
  return stableOut;
}
