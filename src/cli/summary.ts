import { getLayerKind } from '../../nodes/index';
import { partialNote } from '../graph/messages';
import type { Graph, GraphInference, NodeInference } from '../graph/types';

/** One row of `convas summary --json`. */
export interface SummaryLayer {
  name: string;
  kind: string;
  /** Without the batch dimension; null when the layer has an error or is blocked. */
  outputShape: number[] | null;
  params: number;
  trainableParams: number;
  macs: number;
  flops: number;
  /** The layer's own error, or why it is blocked; null when it is fine. */
  error: string | null;
}

/** The whole `convas summary --json` document. */
export interface SummaryJson {
  layers: SummaryLayer[];
  totals: { params: number; trainableParams: number; nonTrainableParams: number; macs: number; flops: number };
  /** Every problem: one line per bad layer (`name (Kind): message`) and one per graph-level issue. */
  errors: string[];
}

/** Nodes in topological order, then any left out of it (on or below a cycle), in document order. */
function rowsInOrder(graph: Graph, inf: GraphInference): Array<{ node: Graph['nodes'][number]; info: NodeInference }> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const placed = new Set(inf.order);
  const ids = [...inf.order, ...graph.nodes.map((n) => n.id).filter((id) => !placed.has(id))];
  return ids.map((id) => ({ node: byId.get(id)!, info: inf.nodes[id] }));
}

/** Every problem of the graph, naming each bad layer by name and kind. */
export function summaryErrors(graph: Graph, inf: GraphInference): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (id: string) => {
    const n = byId.get(id);
    return n ? `${n.name} (${n.kind})` : id;
  };
  const errors: string[] = [];
  for (const { node, info } of rowsInOrder(graph, inf)) {
    if (info.status !== 'error') continue;
    for (const e of problemsOf(info)) errors.push(`${label(node.id)}: ${e.message}${e.param ? ` [${e.param}]` : ''}`);
  }
  for (const issue of inf.issues) {
    // Cycles and duplicate names are already on their nodes; other graph issues stand on their own.
    if (issue.code === 'cycle' || issue.code === 'duplicate-name') continue;
    const who = issue.nodeIds.length ? `: ${issue.nodeIds.map(label).join(', ')}` : '';
    errors.push(`graph: ${issue.message}${who}`);
  }
  return errors;
}

/** Every problem of a layer with status error (older results carry only `error`). */
const problemsOf = (info: NodeInference) => info.errors ?? (info.error ? [info.error] : [{ code: 'error', message: 'error' }]);

/** Sizes a browser cannot hold or train: one line per layer warning, then one per graph warning. */
export function summaryWarnings(graph: Graph, inf: GraphInference): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (id: string) => {
    const n = byId.get(id);
    return n ? `${n.name} (${n.kind})` : id;
  };
  const out: string[] = [];
  for (const { node, info } of rowsInOrder(graph, inf)) for (const w of info.warnings ?? []) out.push(`${label(node.id)}: ${w.message}`);
  for (const w of inf.warnings ?? []) out.push(`model: ${w.message}${w.nodeIds.length ? ` (mostly ${w.nodeIds.map(label).join(', ')})` : ''}`);
  return out;
}

function rowError(info: NodeInference, graph: Graph): string | null {
  if (info.status === 'error') return problemsOf(info).map((e) => e.message).join('; ');
  if (info.status === 'blocked') {
    const names = (info.blockedBy ?? []).map((id) => graph.nodes.find((n) => n.id === id)?.name ?? id);
    return `blocked by an error upstream${names.length ? ` (${names.join(', ')})` : ''}`;
  }
  return null;
}

/**
 * The `--json` shape of the summary, exactly as issue 2 specifies it. `blockProblems`: what expanding the blocks
 * found wrong (flattenProjectChecked), listed first among the errors: the flat graph can be valid without being the
 * network drawn.
 */
export function summaryJson(graph: Graph, inf: GraphInference, blockProblems: string[] = []): SummaryJson {
  const layers = rowsInOrder(graph, inf).map(({ node, info }) => ({
    name: node.name,
    kind: node.kind,
    outputShape: info.status === 'ok' && info.outputShape ? [...info.outputShape] : null,
    params: info.count.trainable + info.count.nonTrainable,
    trainableParams: info.count.trainable,
    macs: info.macs,
    flops: info.flops,
    error: rowError(info, graph),
  }));
  const t = inf.totals;
  return {
    layers,
    totals: { params: t.params, trainableParams: t.trainableParams, nonTrainableParams: t.nonTrainableParams, macs: t.macs, flops: t.flops },
    errors: [...blockProblems, ...summaryErrors(graph, inf)],
  };
}

const int = (n: number) => n.toLocaleString('en-US');

/** `1234567` → `1.23 M`, the scale Keras-minded readers expect for MACs and FLOPs. */
export function human(n: number): string {
  const units: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${(n / v).toFixed(2)} ${u}`;
  return String(n);
}

/** Bytes the way Keras' summary prints them: `241.04 KB`. */
export function bytes(n: number): string {
  const units: Array<[number, string]> = [[1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(2)} ${u}`;
  return `${n} B`;
}

const shapeText = (s: readonly number[]) => `(None, ${s.join(', ')})`;

/**
 * A table like Keras' `model.summary()`: Layer (type), Output Shape, Param #, MACs (and Connected to, for graphs
 * that branch), then the totals
 * (params trainable / non-trainable, MACs, FLOPs = 2 × MACs, elementwise FLOPs, weight and activation memory)
 * and, for an invalid graph, every problem (`blockProblems` first, as in {@link summaryJson}).
 */
export function formatSummary(graph: Graph, inf: GraphInference, title = 'model', blockProblems: string[] = []): string {
  // Like Keras, a "Connected to" column only for graphs that branch or merge.
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const sources = new Map<string, string[]>();
  const fanOut = new Map<string, number>();
  for (const e of [...graph.edges].sort((a, b) => a.targetIndex - b.targetIndex)) {
    if (!names.has(e.source) || !names.has(e.target)) continue;
    sources.set(e.target, [...(sources.get(e.target) ?? []), names.get(e.source)!]);
    fanOut.set(e.source, (fanOut.get(e.source) ?? 0) + 1);
  }
  const branched = [...sources.values()].some((s) => s.length > 1) || [...fanOut.values()].some((n) => n > 1);
  const header = ['Layer (type)', 'Output Shape', 'Param #', 'MACs', ...(branched ? ['Connected to'] : [])];
  const rows = rowsInOrder(graph, inf).map(({ node, info }) => {
    const label = getLayerKind(node.kind)?.kerasClass ?? node.kind;
    const shape = info.status === 'ok' && info.outputShape ? shapeText(info.outputShape) : info.status === 'error' ? '!! error' : '-- blocked';
    const params = info.count.trainable + info.count.nonTrainable;
    const row = [`${node.name} (${label})`, shape, int(params), info.macs ? int(info.macs) : '0'];
    return branched ? [...row, (sources.get(node.id) ?? ['-']).join(', ')] : row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
  const out: string[] = [`Model: "${title}"`, '━'.repeat(total), line(header), '━'.repeat(total)];
  rows.forEach((r, i) => {
    out.push(line(r));
    out.push((i === rows.length - 1 ? '━' : '─').repeat(total));
  });
  if (!rows.length) out.push('(no layers)', '━'.repeat(total));
  const t = inf.totals;
  const leftOut = inf.leftOut?.length ?? 0;
  // A bad layer hides its own counts and those of every layer after it: what is left is a lower bound.
  const atLeast = leftOut ? '≥ ' : '';
  out.push(
    `Total params: ${atLeast}${int(t.params)} (${bytes(t.weightsBytesF32)})`,
    `Trainable params: ${atLeast}${int(t.trainableParams)} (${bytes(t.trainableParams * 4)})`,
    `Non-trainable params: ${atLeast}${int(t.nonTrainableParams)} (${bytes(t.nonTrainableParams * 4)})`,
    `MACs: ${atLeast}${int(t.macs)} (${human(t.macs)})`,
    `FLOPs: ${atLeast}${int(t.flops)} (${human(t.flops)}; 2 × MACs of conv and dense layers)`,
    `Elementwise FLOPs: ${atLeast}${int(t.elementwiseFlops)} (${human(t.elementwiseFlops)}; bias, BN, activations, pooling, merges)`,
    `Weights: ${atLeast}${bytes(t.weightsBytesF32)} float32, ${bytes(t.weightsBytesInt8)} int8`,
    `Activations: ${atLeast}${bytes(t.activationBytes)} per sample (float32)`,
  );
  if (leftOut) out.push(`Partial totals: ${partialNote(leftOut)}`);
  const warnings = summaryWarnings(graph, inf);
  if (warnings.length) out.push('', `Warnings (${warnings.length}; the graph stays valid):`, ...warnings.map((w) => `  - ${w}`));
  const errors = [...blockProblems, ...summaryErrors(graph, inf)];
  if (errors.length) out.push('', `The graph is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}):`, ...errors.map((e) => `  - ${e}`));
  return `${out.join('\n')}\n`;
}
