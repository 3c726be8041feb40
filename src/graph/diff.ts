/**
 * Two designs compared: which layers were added, removed or changed, which connections changed, and what that does
 * to shapes, parameter counts and MACs (from `inferGraph`, so the figures are the ones the summary shows).
 *
 * ## How layers are matched
 * Names and ids are evidence, not identity: a layer renamed in one design, or a file whose ids were assigned in
 * import order (`n0`, `n1`, …), must still pair with its counterpart. Only layers of the same kind ever match
 * (a kind change is a removal plus an addition). The passes, each on the layers still unmatched:
 *
 * 0. **Identity.** The same id, kind, name and params, fed by layers with the same ids: nothing could tell such
 *    two layers apart, so they pair at once (after an edit in the editor, that is nearly every layer).
 * 1. **Alignment.** Both graphs are put in a canonical topological order (depth first from the Inputs, siblings
 *    ordered by kind, params and name, so it does not depend on the order layers were added) and aligned like two
 *    sequences (a weighted longest common subsequence, as `diff` aligns lines). A pair of the same kind scores
 *    1, plus 4 for the same id, 3 for the same name, up to 3 for equal params (the share of equal fields),
 *    1 each for the same output shape and the same input shapes, and up to 2 for its context: how many of its
 *    neighbours (inputs and consumers) are matched to the other layer's neighbours. The alignment runs twice: first
 *    with the neighbours' kinds and the identity pairs as context, then with the neighbours matched by the first
 *    run. Insertions and deletions in a chain fall out as gaps.
 * 2. **Id.** Unmatched layers with the same id and kind (branches that the order interleaved differently).
 * 3. **Structure.** An unmatched layer whose inputs (in order) are the matched counterparts of an unmatched layer
 *    of the same kind on the other side, or whose consumers are; repeated until nothing changes.
 * 4. **Name**, then **params**: the same kind and name, or the same kind and identical params.
 * 5. **Repair**: two pairs whose names (or ids) are crossed are swapped when the swap scores better.
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
  /** Node indices feeding each node, in input order. */
  preds: number[][];
  succs: number[][];
  /** Interned (shared between both sides): equal numbers mean equal strings. */
  kind: Int32Array;
  id: Int32Array;
  name: Int32Array;
  /** Canonical JSON of the params compared (validated with defaults when they parse). */
  params: Int32Array;
  /** Canonical JSON per param field. */
  fields: Array<Map<string, string>>;
  out: Int32Array;
  ins: Int32Array;
  /** Kinds of inputs and consumers, the context before any layer is matched. */
  ctx: Int32Array;
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

/** Strings to small integers, shared by both sides, so the alignment's inner loop compares numbers. */
class Interner {
  private readonly ids = new Map<string, number>();
  get size(): number {
    return this.ids.size;
  }
  of(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }
  all(xs: string[]): Int32Array {
    return Int32Array.from(xs, (x) => this.of(x));
  }
}

function side(graph: Graph, inf: GraphInference, paramsOf: (n: GraphNode) => Record<string, unknown>, words: Interner): Side {
  const nodes = graph.nodes;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const { incoming, outgoing } = incomingEdges(graph);
  const preds = nodes.map((n) => incoming.get(n.id)!.map((e) => index.get(e.source)!));
  const succs = nodes.map((n) => outgoing.get(n.id)!.map((e) => index.get(e.target)!));
  const params = nodes.map(paramsOf);
  const paramSig = params.map(canonicalJson);
  const kindOf = (k: number) => nodes[k].kind;
  const s: Side = {
    graph,
    inf,
    nodes,
    index,
    preds,
    succs,
    kind: words.all(nodes.map((n) => `k:${n.kind}`)),
    id: words.all(nodes.map((n) => `i:${n.id}`)),
    name: words.all(nodes.map((n) => `n:${n.name}`)),
    params: words.all(paramSig.map((p) => `p:${p}`)),
    fields: params.map((p) => new Map(Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => [k, canonicalJson(v)]))),
    out: words.all(nodes.map((n) => `o:${inf.nodes[n.id]?.outputShape ?? '-'}`)),
    ins: words.all(nodes.map((n) => `s:${(inf.nodes[n.id]?.inputShapes ?? []).join('|')}`)),
    ctx: words.all(nodes.map((_, i) => `c:${preds[i].map(kindOf).join(',')}>${succs[i].map(kindOf).sort().join(',')}`)),
    order: [],
  };
  s.order = canonicalOrder(s, paramSig);
  return s;
}

/**
 * Depth-first topological order from the Inputs; ready siblings go in order of kind, then params, then name, then
 * document order, so two documents of the same network give the same order whatever order their layers were added in.
 * Layers on or below a cycle follow, in the same sibling order.
 */
function canonicalOrder(s: Side, paramSig: string[]): number[] {
  const keys = s.nodes.map((n, i) => `${n.kind}\u0000${paramSig[i]}\u0000${n.name}`);
  const key = (i: number) => keys[i];
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
    for (const j of s.succs[i]) if (--indegree[j] === 0) ready.push(j);
    for (const j of ready.sort(byKey).reverse()) stack.push(j);
  }
  const rest = s.nodes.map((_, i) => i).filter((i) => !placed[i]);
  return [...order, ...rest.sort(byKey)];
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

function copyMatching(m: Matching): Matching {
  return { ab: m.ab.slice(), ba: m.ba.slice(), by: [...m.by] };
}

/** How many of a's neighbours are matched (in `prev`) to b's neighbours, as a share of the larger neighbourhood. */
function context(A: Side, B: Side, i: number, j: number, prev: Matching): number {
  const pa = A.preds[i];
  const sa = A.succs[i];
  const pb = B.preds[j];
  const sb = B.succs[j];
  const total = Math.max(pa.length + sa.length, pb.length + sb.length);
  if (!total) return 1;
  let hits = 0;
  for (const k of pa) if (prev.ab[k] >= 0 && pb.includes(prev.ab[k])) hits++;
  for (const k of sa) if (prev.ab[k] >= 0 && sb.includes(prev.ab[k])) hits++;
  return Math.min(hits, total) / total;
}

/** Scores same-kind pairs; param similarities are cached per pair of distinct params. */
class Scorer {
  private readonly similar = new Map<number, number>();
  constructor(
    private readonly A: Side,
    private readonly B: Side,
    private readonly words: Interner,
  ) {}

  score(i: number, j: number, context2: number): number {
    const { A, B } = this;
    let w = 1 + 2 * context2;
    if (A.id[i] === B.id[j]) w += 4;
    if (A.name[i] === B.name[j]) w += 3;
    if (A.params[i] === B.params[j]) w += 3;
    else {
      const key = A.params[i] * this.words.size + B.params[j];
      let sim = this.similar.get(key);
      if (sim === undefined) this.similar.set(key, (sim = paramSimilarity(A.fields[i], B.fields[j])));
      w += 3 * sim;
    }
    if (A.out[i] === B.out[j]) w += 1;
    if (A.ins[i] === B.ins[j]) w += 1;
    return w;
  }
}

/**
 * Weighted longest common subsequence of the two canonical orders, over the layers `base` left unmatched; pairs only
 * layers of the same kind. Context: the share of neighbours matched in `prev`, or (first run) equal neighbour kinds
 * and neighbours matched in `base`, half each.
 */
function align(A: Side, B: Side, scorer: Scorer, base: Matching, prev: Matching | undefined): Array<[number, number]> {
  const oa = A.order.filter((i) => base.ab[i] < 0);
  const ob = B.order.filter((j) => base.ba[j] < 0);
  const n = oa.length;
  const m = ob.length;
  if (!n || !m) return [];
  const w = m + 1;
  const best = new Float64Array((n + 1) * w);
  const step = new Uint8Array((n + 1) * w); // 0 skip a, 1 skip b, 2 pair
  const kindsB = Int32Array.from(ob, (j) => B.kind[j]);
  for (let x = 1; x <= n; x++) {
    const i = oa[x - 1];
    const kind = A.kind[i];
    const row = x * w;
    const up = (x - 1) * w;
    for (let y = 1; y <= m; y++) {
      let v = best[up + y];
      let s = 0;
      if (best[row + y - 1] > v) {
        v = best[row + y - 1];
        s = 1;
      }
      if (kindsB[y - 1] === kind) {
        const j = ob[y - 1];
        const ctx = prev ? context(A, B, i, j, prev) : ((A.ctx[i] === B.ctx[j] ? 1 : 0) + context(A, B, i, j, base)) / 2;
        const d = best[up + y - 1] + scorer.score(i, j, ctx);
        if (d > v) {
          v = d;
          s = 2;
        }
      }
      best[row + y] = v;
      step[row + y] = s;
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

function matchLayers(A: Side, B: Side, words: Interner): Matching {
  const m: Matching = { ab: new Int32Array(A.nodes.length).fill(-1), ba: new Int32Array(B.nodes.length).fill(-1), by: [] };
  const sameKind = (i: number, j: number) => A.kind[i] === B.kind[j];

  // Identity: the same id, kind, name and params, fed by layers of the same ids. Nothing else could tell them apart.
  for (const i of A.order) {
    const j = B.index.get(A.nodes[i].id);
    if (j === undefined || m.ba[j] >= 0 || !sameKind(i, j) || A.name[i] !== B.name[j] || A.params[i] !== B.params[j]) continue;
    const pa = A.preds[i];
    const pb = B.preds[j];
    if (pa.length === pb.length && pa.every((k, x) => A.id[k] === B.id[pb[x]])) pair(m, i, j, 'id');
  }

  const scorer = new Scorer(A, B, words);
  const first = copyMatching(m);
  for (const [i, j] of align(A, B, scorer, m, undefined)) pair(first, i, j, 'alignment');
  for (const [i, j] of align(A, B, scorer, m, first)) pair(m, i, j, 'alignment');

  const freeA = (i: number) => m.ab[i] < 0;
  const freeB = (j: number) => m.ba[j] < 0;

  for (const i of A.order) {
    const j = B.index.get(A.nodes[i].id);
    if (freeA(i) && j !== undefined && freeB(j) && sameKind(i, j)) pair(m, i, j, 'id');
  }

  const sameList = (x: number[], y: number[]) => x.length > 0 && x.length === y.length && x.every((v, k) => v >= 0 && v === y[k]);
  const sorted = (x: number[]) => [...x].sort((p, q) => p - q);
  for (let changed = true; changed; ) {
    changed = false;
    for (const j of B.order) {
      if (!freeB(j)) continue;
      // Candidates: free layers of the same kind next to the counterparts of j's neighbours.
      const candidates = new Set<number>();
      for (const p of B.preds[j]) if (m.ba[p] >= 0) for (const i of A.succs[m.ba[p]]) if (freeA(i) && sameKind(i, j)) candidates.add(i);
      for (const t of B.succs[j]) if (m.ba[t] >= 0) for (const i of A.preds[m.ba[t]]) if (freeA(i) && sameKind(i, j)) candidates.add(i);
      let bestI = -1;
      let bestW = -Infinity;
      for (const i of candidates) {
        const inputs = sameList(A.preds[i].map((k) => m.ab[k]), B.preds[j]);
        if (!inputs && !sameList(sorted(A.succs[i].map((k) => m.ab[k])), sorted(B.succs[j]))) continue;
        const w = scorer.score(i, j, context(A, B, i, j, m));
        if (w > bestW) [bestI, bestW] = [i, w];
      }
      if (bestI >= 0) {
        pair(m, bestI, j, 'structure');
        changed = true;
      }
    }
  }

  for (const [rule, key] of [
    ['name', (s: Side, k: number) => `${s.kind[k]}:${s.name[k]}`],
    ['params', (s: Side, k: number) => `${s.kind[k]}:${s.params[k]}`],
  ] as const) {
    const bucket = new Map<string, number[]>();
    for (const j of B.order) if (freeB(j)) bucket.set(key(B, j), [...(bucket.get(key(B, j)) ?? []), j]);
    for (const i of A.order) {
      if (!freeA(i)) continue;
      const list = bucket.get(key(A, i));
      const j = list?.shift();
      if (j !== undefined) pair(m, i, j, rule);
    }
  }
  // Repair: two pairs whose names (or ids) are crossed are swapped when that scores better, which the alignment
  // misses when the two layers come in opposite orders on the two sides (symmetric branches, layers in a cycle).
  for (const attr of ['name', 'id'] as const) {
    const byKey = new Map<number, number>();
    B.order.forEach((j) => byKey.set(B[attr][j], j));
    for (const i of A.order) {
      const j = m.ab[i];
      if (j < 0 || A[attr][i] === B[attr][j]) continue;
      const j2 = byKey.get(A[attr][i]);
      if (j2 === undefined || !sameKind(i, j2)) continue;
      const i2 = m.ba[j2];
      if (i2 < 0 || A[attr][i2] !== B[attr][j]) continue;
      const now = scorer.score(i, j, context(A, B, i, j, m)) + scorer.score(i2, j2, context(A, B, i2, j2, m));
      const swapped = scorer.score(i, j2, context(A, B, i, j2, m)) + scorer.score(i2, j, context(A, B, i2, j, m));
      if (swapped > now) {
        pair(m, i, j2, m.by[i]);
        pair(m, i2, j, m.by[i2]);
      }
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

/** A layer's output shape (null when it has an error or is blocked), parameter count and MACs. */
function figures(inf: GraphInference, id: string): { outputShape: Shape | null; params: number; macs: number } {
  const info = inf.nodes[id];
  const count = info?.count;
  return {
    outputShape: info?.status === 'ok' && info.outputShape ? info.outputShape : null,
    params: count ? count.trainable + count.nonTrainable : 0,
    macs: info?.macs ?? 0,
  };
}

function entry(s: Side, i: number): LayerEntry {
  const n = s.nodes[i];
  return { ...ref(n), ...figures(s.inf, n.id), inputs: s.preds[i].map((k) => s.nodes[k].name) };
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
  const words = new Interner();
  const A0 = side(a, infA, (n) => infA.nodes[n.id]?.params ?? n.params, words);
  const B0 = side(b, infB, (n) => infB.nodes[n.id]?.params ?? n.params, words);
  const m = matchLayers(A0, B0, words);

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
    const params: ParamChange[] = [];
    // Equal canonical params of two parsed layers: nothing to list (the common case, skipped for big graphs).
    if (!(parsedA && parsedB && A0.params[i] === B0.params[j])) {
      const [pa, pb] = parsedA && parsedB ? [parsedA, parsedB] : [filled(na, parsedA), filled(nb, parsedB)];
      for (const key of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
        if (canonicalJson(pa[key]) !== canonicalJson(pb[key])) params.push({ key, before: pa[key], after: pb[key] });
      }
    }
    const srcA = A0.preds[i].map((k) => m.ab[k]);
    const srcB = B0.preds[j];
    let inputs: InputsChange | undefined;
    if (srcA.length !== srcB.length || srcA.some((k, x) => k !== srcB[x])) {
      const sorted = (x: number[]) => [...x].sort((p, q) => p - q).join(',');
      inputs = {
        before: A0.preds[i].map((k) => A0.nodes[k].name),
        after: B0.preds[j].map((k) => B0.nodes[k].name),
        reordered: srcA.every((k) => k >= 0) && sorted(srcA) === sorted(srcB),
      };
    }
    const d: LayerDiff = { a: ref(na), b: ref(nb), matchedBy: m.by[i], renamed: na.name !== nb.name, params, ...(inputs && { inputs }) };
    const fa = figures(infA, na.id);
    const fb = figures(infB, nb.id);
    if (String(fa.outputShape) !== String(fb.outputShape)) d.outputShape = { before: fa.outputShape, after: fb.outputShape };
    if (fa.params !== fb.params) d.paramCount = { before: fa.params, after: fb.params };
    if (fa.macs !== fb.macs) d.macs = { before: fa.macs, after: fb.macs };
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
