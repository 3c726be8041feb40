/**
 * Two designs compared: which layers were added, removed or changed, which connections changed, and what that does
 * to shapes, parameter counts and MACs (from `inferGraph`, so the figures are the ones the summary shows).
 *
 * ## How layers are matched
 * Names and ids are evidence, not identity: a layer renamed in one design, or a file whose ids were assigned in
 * import order (`n0`, `n1`, …), must still pair with its counterpart. Only layers of the same kind ever match
 * (a kind change is a removal plus an addition). The passes, each on the layers still unmatched:
 *
 * 1. **Alignment.** Both graphs are put in a canonical topological order (depth first from the Inputs, siblings
 *    ordered by kind and params, so it does not depend on the order layers were added) and aligned like two
 *    sequences (a weighted longest common subsequence, as `diff` aligns lines). A pair of the same kind scores
 *    1, plus 4 for the same id, 3 for the same name, up to 3 for equal params (the share of equal fields),
 *    1 each for the same output shape and the same input shapes, and up to 2 for its context: how many of its
 *    neighbours (inputs and consumers) are matched to the other layer's neighbours. The alignment runs twice: first
 *    with the neighbours' kinds as context, then with the neighbours matched by the first run. Insertions and
 *    deletions in a chain fall out as gaps.
 * 2. **Id.** Unmatched layers with the same id and kind (branches that the order interleaved differently).
 * 3. **Structure.** An unmatched layer whose inputs (in order) are the matched counterparts of an unmatched layer
 *    of the same kind on the other side, or whose consumers are; repeated until nothing changes.
 * 4. **Name**, then **params**: the same kind and name, or the same kind and identical params.
 *
 * What is left is added (only in `b`) or removed (only in `a`). Positions on the canvas are layout, not design,
 * and are never compared.
 *
 * Pure: no React, no DOM; runs in Node for `convas diff`.
 */
import { getLayerKind, type Shape } from '../../nodes/index';
import { inferGraph } from './infer';
import { incomingEdges } from './topo';
import type { Graph, GraphInference, GraphNode, GraphTotals } from './types';

/** Which pass matched a pair of layers (see the module comment). */
export type MatchRule = 'alignment' | 'id' | 'structure' | 'name' | 'params';

export interface LayerRef {
  id: string;
  name: string;
  kind: string;
}

/** A layer that exists on one side only, with its figures on that side. */
export interface LayerEntry extends LayerRef {
  outputShape: Shape | null;
  params: number;
  macs: number;
  /** Names of the layers feeding it, in input order. */
  inputs: string[];
}

export interface Change<T> {
  before: T;
  after: T;
}

/** One param field that differs; `undefined` when the field is absent on that side. */
export interface ParamChange {
  key: string;
  before: unknown;
  after: unknown;
}

/** The layers feeding a matched layer, by name on each side (before: names in `a`, after: names in `b`). */
export interface InputsChange {
  before: string[];
  after: string[];
  /** The same layers feed it, in another order (what matters for Concatenate; Add and Multiply do not care). */
  reordered: boolean;
}

/** A matched pair that differs, in its settings or only in its figures. */
export interface LayerDiff {
  a: LayerRef;
  b: LayerRef;
  matchedBy: MatchRule;
  renamed: boolean;
  params: ParamChange[];
  inputs?: InputsChange;
  outputShape?: Change<Shape | null>;
  paramCount?: Change<number>;
  macs?: Change<number>;
}

/** A connection by layer names in its own graph. */
export interface EdgeRef {
  source: string;
  target: string;
  slot: number;
}

export interface GraphDiff {
  /** True when no layer was added, removed or changed and no connection changed. */
  equal: boolean;
  /** Every matched pair (a id → b id), including unchanged ones. */
  matches: Array<{ a: string; b: string; by: MatchRule }>;
  added: LayerEntry[];
  removed: LayerEntry[];
  /** Matched layers whose own settings changed: renamed, params, or inputs. */
  changed: LayerDiff[];
  /** Matched layers with the same settings whose output shape, params or MACs changed because of a change upstream. */
  affected: LayerDiff[];
  /** Connections present on one side only (input reorders of the same layers are in `changed[].inputs`). */
  edges: { added: EdgeRef[]; removed: EdgeRef[] };
  totals: { before: GraphTotals; after: GraphTotals; delta: GraphTotals };
}

interface Side {
  graph: Graph;
  inf: GraphInference;
  nodes: GraphNode[];
  index: Map<string, number>;
  /** Source ids per node, in input order. */
  preds: string[][];
  succs: string[][];
  /** Canonical JSON of the params compared (validated with defaults when they parse). */
  paramSig: string[];
  /** Canonical JSON per param field. */
  fieldSigs: Array<Map<string, string>>;
  outSig: string[];
  inSig: string[];
  /** Kinds of inputs and consumers, for the first alignment's context. */
  ctxSig: string[];
  order: number[];
}

/** JSON with sorted object keys, so equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

function side(graph: Graph, inf: GraphInference, paramsOf: (n: GraphNode) => Record<string, unknown>): Side {
  const nodes = graph.nodes;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const { incoming, outgoing } = incomingEdges(graph);
  const preds = nodes.map((n) => incoming.get(n.id)!.map((e) => e.source));
  const succs = nodes.map((n) => outgoing.get(n.id)!.map((e) => e.target));
  const params = nodes.map(paramsOf);
  const paramSig = params.map(canonicalJson);
  const fieldSigs = params.map((p) => new Map(Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => [k, canonicalJson(v)])));
  const outSig = nodes.map((n) => String(inf.nodes[n.id]?.outputShape ?? '-'));
  const inSig = nodes.map((n) => (inf.nodes[n.id]?.inputShapes ?? []).join('|'));
  const kindOf = (id: string) => nodes[index.get(id)!].kind;
  const ctxSig = nodes.map((_, i) => `${preds[i].map(kindOf).join(',')}>${succs[i].map(kindOf).sort().join(',')}`);
  const s: Side = { graph, inf, nodes, index, preds, succs, paramSig, fieldSigs, outSig, inSig, ctxSig, order: [] };
  s.order = canonicalOrder(s);
  return s;
}

/**
 * Depth-first topological order from the Inputs; ready siblings go in order of kind, then params, then document
 * order, so two documents of the same network give the same order whatever order their layers were added in.
 * Layers on or below a cycle follow in document order.
 */
function canonicalOrder(s: Side): number[] {
  const key = (i: number) => `${s.nodes[i].kind}\u0000${s.paramSig[i]}`;
  const byKey = (x: number, y: number) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : x - y);
  const indegree = s.preds.map((p) => p.length);
  const stack = s.nodes.map((_, i) => i).filter((i) => indegree[i] === 0).sort(byKey).reverse();
  const order: number[] = [];
  const placed = new Uint8Array(s.nodes.length);
  while (stack.length) {
    const i = stack.pop()!;
    order.push(i);
    placed[i] = 1;
    const ready: number[] = [];
    for (const t of s.succs[i]) {
      const j = s.index.get(t)!;
      if (--indegree[j] === 0) ready.push(j);
    }
    stack.push(...ready.sort(byKey).reverse());
  }
  for (let i = 0; i < s.nodes.length; i++) if (!placed[i]) order.push(i);
  return order;
}

/** Share of param fields with equal values (1 for identical params, 1 when neither has any). */
function paramSimilarity(a: Map<string, string>, b: Map<string, string>): number {
  let same = 0;
  let union = a.size;
  for (const [k, v] of b) {
    const w = a.get(k);
    if (w === undefined) union++;
    else if (w === v) same++;
  }
  return union ? same / union : 1;
}

interface Matching {
  ab: Int32Array;
  ba: Int32Array;
  by: MatchRule[];
}

function pair(m: Matching, i: number, j: number, rule: MatchRule): void {
  m.ab[i] = j;
  m.ba[j] = i;
  m.by[i] = rule;
}

/** How many of a's neighbours are matched (in `prev`) to b's neighbours, as a share of the larger neighbourhood. */
function context(A: Side, B: Side, i: number, j: number, prev: Matching): number {
  const total = Math.max(A.preds[i].length + A.succs[i].length, B.preds[j].length + B.succs[j].length);
  if (!total) return 1;
  const hits = (mine: string[], theirs: string[]) => {
    const pool = theirs.map((id) => B.index.get(id)!);
    let n = 0;
    for (const id of mine) {
      const k = prev.ab[A.index.get(id)!];
      const at = k >= 0 ? pool.indexOf(k) : -1;
      if (at >= 0) {
        pool.splice(at, 1);
        n++;
      }
    }
    return n;
  };
  return (hits(A.preds[i], B.preds[j]) + hits(A.succs[i], B.succs[j])) / total;
}

function score(A: Side, B: Side, i: number, j: number, prev: Matching | undefined): number {
  const a = A.nodes[i];
  const b = B.nodes[j];
  let w = 1;
  if (a.id === b.id) w += 4;
  if (a.name === b.name) w += 3;
  w += 3 * (A.paramSig[i] === B.paramSig[j] ? 1 : paramSimilarity(A.fieldSigs[i], B.fieldSigs[j]));
  if (A.outSig[i] === B.outSig[j]) w += 1;
  if (A.inSig[i] === B.inSig[j]) w += 1;
  w += 2 * (prev ? context(A, B, i, j, prev) : A.ctxSig[i] === B.ctxSig[j] ? 1 : 0);
  return w;
}

/** Weighted longest common subsequence of the two canonical orders; pairs only layers of the same kind. */
function align(A: Side, B: Side, prev: Matching | undefined): Array<[number, number]> {
  const oa = A.order;
  const ob = B.order;
  const n = oa.length;
  const m = ob.length;
  const w = m + 1;
  const best = new Float64Array((n + 1) * w);
  const step = new Uint8Array((n + 1) * w); // 0 skip a, 1 skip b, 2 pair
  for (let x = 1; x <= n; x++) {
    const i = oa[x - 1];
    const kind = A.nodes[i].kind;
    for (let y = 1; y <= m; y++) {
      const j = ob[y - 1];
      let v = best[(x - 1) * w + y];
      let s = 0;
      if (best[x * w + y - 1] > v) {
        v = best[x * w + y - 1];
        s = 1;
      }
      if (B.nodes[j].kind === kind) {
        const d = best[(x - 1) * w + y - 1] + score(A, B, i, j, prev);
        if (d > v) {
          v = d;
          s = 2;
        }
      }
      best[x * w + y] = v;
      step[x * w + y] = s;
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let x = n, y = m; x > 0 && y > 0; ) {
    const s = step[x * w + y];
    if (s === 2) {
      pairs.push([oa[x - 1], ob[y - 1]]);
      x--;
      y--;
    } else if (s === 1) y--;
    else x--;
  }
  return pairs.reverse();
}

function emptyMatching(A: Side, B: Side): Matching {
  return { ab: new Int32Array(A.nodes.length).fill(-1), ba: new Int32Array(B.nodes.length).fill(-1), by: [] };
}

function matchLayers(A: Side, B: Side): Matching {
  let m = emptyMatching(A, B);
  for (const [i, j] of align(A, B, undefined)) pair(m, i, j, 'alignment');
  const first = m;
  m = emptyMatching(A, B);
  for (const [i, j] of align(A, B, first)) pair(m, i, j, 'alignment');

  const freeA = () => A.order.filter((i) => m.ab[i] < 0);
  const freeB = () => B.order.filter((j) => m.ba[j] < 0);

  const byId = new Map(freeB().map((j) => [B.nodes[j].id, j]));
  for (const i of freeA()) {
    const j = byId.get(A.nodes[i].id);
    if (j !== undefined && m.ba[j] < 0 && B.nodes[j].kind === A.nodes[i].kind) pair(m, i, j, 'id');
  }

  const mapped = (ids: string[]) => ids.map((id) => m.ab[A.index.get(id)!]);
  const indices = (ids: string[]) => ids.map((id) => B.index.get(id)!);
  const sameList = (x: number[], y: number[]) => x.length > 0 && x.length === y.length && x.every((v, k) => v >= 0 && v === y[k]);
  const sameSet = (x: number[], y: number[]) => sameList([...x].sort((p, q) => p - q), [...y].sort((p, q) => p - q));
  for (let changed = true; changed; ) {
    changed = false;
    for (const j of freeB()) {
      let bestI = -1;
      let bestW = -Infinity;
      for (const i of freeA()) {
        if (A.nodes[i].kind !== B.nodes[j].kind) continue;
        if (!sameList(mapped(A.preds[i]), indices(B.preds[j])) && !sameSet(mapped(A.succs[i]), indices(B.succs[j]))) continue;
        const w = score(A, B, i, j, m);
        if (w > bestW) [bestI, bestW] = [i, w];
      }
      if (bestI >= 0) {
        pair(m, bestI, j, 'structure');
        changed = true;
      }
    }
  }

  for (const [rule, same] of [
    ['name', (i: number, j: number) => A.nodes[i].name === B.nodes[j].name],
    ['params', (i: number, j: number) => A.paramSig[i] === B.paramSig[j]],
  ] as const) {
    for (const i of freeA()) {
      const j = freeB().find((j) => A.nodes[i].kind === B.nodes[j].kind && same(i, j));
      if (j !== undefined) pair(m, i, j, rule);
    }
  }
  return m;
}

/**
 * Params as stored, with the fields left out filled from the validated params or the kind's defaults: when one side's
 * params do not parse, a field the user never set still compares as its default rather than as "absent".
 */
function filled(n: GraphNode, parsed: Record<string, unknown> | undefined): Record<string, unknown> {
  const defaults = getLayerKind(n.kind)?.params.safeParse({});
  const base = parsed ?? (defaults?.success ? (defaults.data as Record<string, unknown>) : {});
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(n.params)) if (v !== undefined) out[k] = v;
  return out;
}

const ref = (n: GraphNode): LayerRef => ({ id: n.id, name: n.name, kind: n.kind });

function paramCountOf(inf: GraphInference, id: string): number {
  const c = inf.nodes[id]?.count;
  return c ? c.trainable + c.nonTrainable : 0;
}

function entry(s: Side, i: number): LayerEntry {
  const n = s.nodes[i];
  const info = s.inf.nodes[n.id];
  const name = (id: string) => s.nodes[s.index.get(id)!].name;
  return {
    ...ref(n),
    outputShape: info?.status === 'ok' && info.outputShape ? info.outputShape : null,
    params: paramCountOf(s.inf, n.id),
    macs: info?.macs ?? 0,
    inputs: s.preds[i].map(name),
  };
}

function totalsDelta(a: GraphTotals, b: GraphTotals): GraphTotals {
  const out = {} as GraphTotals;
  for (const k of Object.keys(b) as Array<keyof GraphTotals>) out[k] = b[k] - a[k];
  return out;
}

/**
 * Compares design `a` (before) with design `b` (after). Layers are matched by structure and position as the module
 * comment describes, so renamed layers and re-numbered ids still pair up.
 *
 * @example
 * const d = diffGraphs(saved.graph, current.graph);
 * d.equal;                 // false
 * d.changed[0].params;     // [{ key: 'filters', before: 6, after: 16 }]
 * d.totals.delta.params;   // 4260
 */
export function diffGraphs(a: Graph, b: Graph, inferred?: { a?: GraphInference; b?: GraphInference }): GraphDiff {
  const infA = inferred?.a ?? inferGraph(a);
  const infB = inferred?.b ?? inferGraph(b);
  // Validated params (defaults filled in) compare what the layers do; raw params when either side does not parse.
  const A0 = side(a, infA, (n) => infA.nodes[n.id]?.params ?? n.params);
  const B0 = side(b, infB, (n) => infB.nodes[n.id]?.params ?? n.params);
  const m = matchLayers(A0, B0);

  const matches: GraphDiff['matches'] = [];
  const changed: LayerDiff[] = [];
  const affected: LayerDiff[] = [];
  for (const i of A0.order) {
    const j = m.ab[i];
    if (j < 0) continue;
    const na = A0.nodes[i];
    const nb = B0.nodes[j];
    matches.push({ a: na.id, b: nb.id, by: m.by[i] });
    const parsedA = infA.nodes[na.id]?.params;
    const parsedB = infB.nodes[nb.id]?.params;
    const [pa, pb] = parsedA && parsedB ? [parsedA, parsedB] : [filled(na, parsedA), filled(nb, parsedB)];
    const params: ParamChange[] = [];
    for (const key of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
      if (canonicalJson(pa[key]) !== canonicalJson(pb[key])) params.push({ key, before: pa[key], after: pb[key] });
    }
    const srcA = A0.preds[i].map((id) => m.ab[A0.index.get(id)!]);
    const srcB = B0.preds[j].map((id) => B0.index.get(id)!);
    let inputs: InputsChange | undefined;
    if (srcA.length !== srcB.length || srcA.some((k, x) => k !== srcB[x])) {
      const sorted = (x: number[]) => [...x].sort((p, q) => p - q).join(',');
      inputs = {
        before: A0.preds[i].map((id) => A0.nodes[A0.index.get(id)!].name),
        after: B0.preds[j].map((id) => B0.nodes[B0.index.get(id)!].name),
        reordered: srcA.every((k) => k >= 0) && sorted(srcA) === sorted(srcB),
      };
    }
    const d: LayerDiff = { a: ref(na), b: ref(nb), matchedBy: m.by[i], renamed: na.name !== nb.name, params, ...(inputs && { inputs }) };
    const ea = entry(A0, i);
    const eb = entry(B0, j);
    if (String(ea.outputShape) !== String(eb.outputShape)) d.outputShape = { before: ea.outputShape, after: eb.outputShape };
    if (ea.params !== eb.params) d.paramCount = { before: ea.params, after: eb.params };
    if (ea.macs !== eb.macs) d.macs = { before: ea.macs, after: eb.macs };
    if (d.renamed || params.length || inputs) changed.push(d);
    else if (d.outputShape || d.paramCount || d.macs) affected.push(d);
  }
  const added = B0.order.filter((j) => m.ba[j] < 0).map((j) => entry(B0, j));
  const removed = A0.order.filter((i) => m.ab[i] < 0).map((i) => entry(A0, i));

  // Connections as (source, target) pairs in b's ids, counted, so a doubled edge (Add(x, x)) is compared as two.
  const edgeKey = (s: number, t: number) => `${s}>${t}`;
  const bEdges = new Map<string, number>();
  const countIn = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);
  const { incoming: inA } = incomingEdges(a);
  const { incoming: inB } = incomingEdges(b);
  for (const list of inB.values()) for (const e of list) countIn(bEdges, edgeKey(B0.index.get(e.source)!, B0.index.get(e.target)!));
  const removedEdges: EdgeRef[] = [];
  const matchedEdges = new Map<string, number>();
  for (const list of inA.values()) {
    for (const e of list) {
      const s = m.ab[A0.index.get(e.source)!];
      const t = m.ab[A0.index.get(e.target)!];
      const k = s >= 0 && t >= 0 ? edgeKey(s, t) : undefined;
      if (k && (bEdges.get(k) ?? 0) > (matchedEdges.get(k) ?? 0)) countIn(matchedEdges, k);
      else removedEdges.push({ source: A0.nodes[A0.index.get(e.source)!].name, target: A0.nodes[A0.index.get(e.target)!].name, slot: e.targetIndex });
    }
  }
  const addedEdges: EdgeRef[] = [];
  for (const list of inB.values()) {
    for (const e of list) {
      const k = edgeKey(B0.index.get(e.source)!, B0.index.get(e.target)!);
      if ((matchedEdges.get(k) ?? 0) > 0) matchedEdges.set(k, matchedEdges.get(k)! - 1);
      else addedEdges.push({ source: B0.nodes[B0.index.get(e.source)!].name, target: B0.nodes[B0.index.get(e.target)!].name, slot: e.targetIndex });
    }
  }

  return {
    equal: !added.length && !removed.length && !changed.length && !addedEdges.length && !removedEdges.length,
    matches,
    added,
    removed,
    changed,
    affected,
    edges: { added: addedEdges, removed: removedEdges },
    totals: { before: infA.totals, after: infB.totals, delta: totalsDelta(infA.totals, infB.totals) },
  };
}

/** Display name of a layer kind (`Conv2D`), falling back to the kind id for kinds this build does not know. */
export const kindLabel = (kind: string): string => getLayerKind(kind)?.ui.label ?? kind;

/** A param value as a reader types it: `same`, `5`, `[3, 3]`, `(unset)`. */
export function paramText(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (v === null) return 'none';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(paramText).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
