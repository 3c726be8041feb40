import { inferGraph } from './infer';
import type { Graph, GraphInference } from './types';

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` read the same. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function hash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = (Math.imul(h2, 31) + c) | 0;
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * A fingerprint of the model a graph describes: node ids, kinds, params (with the kind's defaults filled in, so a
 * default typed out is no change) and the wiring, edge order and slot included. Positions and layer names are left
 * out: moving or renaming a layer computes the same function with the same weights, so results computed before stay
 * true. Two graphs with the same fingerprint train and predict alike; results carry the fingerprint they were computed
 * for, and a result whose fingerprint differs from the current graph's is stale.
 */
export function modelFingerprint(graph: Graph, inference: GraphInference = inferGraph(graph)): string {
  const nodes = [...graph.nodes]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => [n.id, n.kind, inference.nodes[n.id]?.params ?? n.params]);
  const edges = graph.edges.map((e) => [e.source, e.target, e.targetIndex]).sort((a, b) => {
    const x = stableJson(a);
    const y = stableJson(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return `${hash(stableJson([nodes, edges]))}-${graph.nodes.length}`;
}
