import { fmtShape, getLayerKind, product, type LayerError, type LayerKind, type Shape } from '../../nodes/index';
import { graphSizeWarnings, layerSizeWarnings } from './limits';
import { paramErrors } from './messages';
import { incomingEdges, topologicalOrder } from './topo';
import type { Graph, GraphInference, GraphIssue, GraphTotals, NodeInference } from './types';

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: LayerError; errors: LayerError[] };

// Documents are immutable, so a params object parsed once stays parsed: this keeps a pass cheap on every keystroke.
const parseCache = new WeakMap<object, Map<LayerKind, Parsed>>();

/**
 * Validates params against the kind's schema. Refused: one error per refused field, worded by `paramMessage`
 * (messages.ts) and naming the field; `error` is the first of them.
 */
export function parseParams(kind: LayerKind, params: Record<string, unknown>): Parsed {
  let perKind = parseCache.get(params);
  const hit = perKind?.get(kind);
  if (hit) return hit;
  const r = kind.params.safeParse(params);
  let parsed: Parsed;
  if (r.success) parsed = { ok: true, value: r.data as Record<string, unknown> };
  else {
    const errors = paramErrors(kind.params, params, r.error.issues);
    parsed = { ok: false, error: errors[0], errors };
  }
  if (!perKind) parseCache.set(params, (perKind = new Map()));
  perKind.set(kind, parsed);
  return parsed;
}

/**
 * The shape problem of a layer whose params are refused: inferred with the refused fields at their defaults, and kept
 * only when it is about another field (a kernel too large for the input stays visible while `filters` reads "abc").
 */
function shapeProblemBesides(kind: LayerKind, params: Record<string, unknown>, refused: LayerError[], inputs: Shape[]): LayerError | undefined {
  const bad = new Set(refused.map((e) => e.param));
  if (bad.has(undefined)) return undefined;
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !bad.has(k)));
  const r = kind.params.safeParse(rest);
  if (!r.success) return undefined;
  let result;
  try {
    result = kind.inferShape(inputs, r.data);
  } catch {
    return undefined;
  }
  return 'error' in result && !bad.has(result.error.param) ? result.error : undefined;
}

const zero = () => ({ trainable: 0, nonTrainable: 0 });

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function expectsInputs(kind: LayerKind): string {
  const { min, max } = kind.inputs;
  if (min === max) return plural(min, 'input');
  if (max === Infinity) return `at least ${plural(min, 'input')}`;
  return `${min} to ${max} inputs`;
}

/**
 * Infers every node's output shape, parameter counts and MACs/FLOPs in one topological pass, and flags what is wrong.
 *
 * A node gets status `error` with every problem of its own (each refused param, a kernel that does not fit, wrong input
 * count, a duplicate name, a cycle, an unknown kind) or `blocked` when an upstream node has an error and it has none
 * of its own, so one mistake shows once. Sizes a browser cannot hold or train are warnings (`warnings` on the node and
 * the graph) and leave the graph valid. Totals sum the layers whose shapes could be inferred; `leftOut` names the rest.
 * Pure: the graph is not modified and nothing derived is written back.
 *
 * @example
 * const inf = inferGraph(doc.graph);
 * inf.nodes[id].outputShape; // [28, 28, 6]
 * inf.totals.params;         // 61706
 */
export function inferGraph(graph: Graph): GraphInference {
  const { incoming, outgoing, dangling } = incomingEdges(graph);
  const { order, cyclic } = topologicalOrder(graph);
  const nodes: Record<string, NodeInference> = {};
  const issues: GraphIssue[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));

  const fail = (id: string, error: LayerError, inputShapes: Shape[] = []): void => {
    nodes[id] = { id, status: 'error', inputShapes, count: zero(), macs: 0, flops: 0, elementwise: 0, error, errors: [error] };
  };

  const seenNames = new Map<string, string>();
  const duplicateName = new Set<string>();
  for (const n of graph.nodes) {
    const first = seenNames.get(n.name);
    if (first !== undefined) duplicateName.add(n.id);
    else seenNames.set(n.name, n.id);
  }

  for (const id of cyclic) {
    fail(id, { code: 'cycle', message: 'this layer is part of a cycle; a network must flow one way from Input to output' });
  }

  for (const id of order) {
    const node = byId.get(id)!;
    const kind = getLayerKind(node.kind);
    const inEdges = incoming.get(id)!;
    if (!kind) {
      fail(id, { code: 'unknown-kind', message: `unknown layer kind "${node.kind}"` });
      continue;
    }
    // Every problem of the layer is collected, so fixing one never reveals another that was there all along.
    const errors: LayerError[] = [];
    if (duplicateName.has(id)) {
      errors.push({ code: 'duplicate-name', message: `another layer is already named "${node.name}"; names must be unique`, param: 'name' });
    }
    const inputsFit = inEdges.length >= kind.inputs.min && inEdges.length <= kind.inputs.max;
    if (!inputsFit) {
      const tooMany = inEdges.length > kind.inputs.max;
      errors.push({
        code: tooMany ? 'too-many-inputs' : 'missing-input',
        message: `${kind.ui.label} takes ${expectsInputs(kind)}, has ${inEdges.length}`,
      });
    }
    const parsed = parseParams(kind, node.params);
    if (!parsed.ok) errors.push(...parsed.errors);
    const upstream = inputsFit ? inEdges.map((e) => nodes[e.source]) : [];
    const blockers = upstream.filter((u) => u.status !== 'ok');
    if (blockers.length && !errors.length) {
      const roots = new Set<string>();
      for (const b of blockers) (b.status === 'error' ? [b.id] : b.blockedBy ?? []).forEach((r) => roots.add(r));
      nodes[id] = { id, status: 'blocked', inputShapes: [], count: zero(), macs: 0, flops: 0, elementwise: 0, blockedBy: [...roots] };
      continue;
    }
    const shapesKnown = inputsFit && !blockers.length;
    const inputShapes = shapesKnown ? upstream.map((u) => u.outputShape!) : [];
    const p = parsed.ok ? parsed.value : undefined;
    let out: Shape | undefined;
    if (shapesKnown && p) {
      let result;
      try {
        result = kind.inferShape(inputShapes, p);
      } catch (e) {
        result = { error: { code: 'internal', message: `shape inference failed: ${(e as Error).message}` } };
      }
      if ('error' in result) errors.push(result.error);
      else if (result.shape.some((d) => !Number.isInteger(d) || d < 1)) {
        errors.push({ code: 'empty-output', message: `output shape ${fmtShape(result.shape)} has a dimension below 1` });
      } else out = result.shape;
    } else if (shapesKnown && !parsed.ok) {
      const besides = shapeProblemBesides(kind, node.params, parsed.errors, inputShapes);
      if (besides) errors.push(besides);
    }
    if (errors.length || !out) {
      nodes[id] = { id, status: 'error', inputShapes, params: p, count: zero(), macs: 0, flops: 0, elementwise: 0, error: errors[0], errors };
      continue;
    }
    const macs = kind.macs?.(inputShapes, out, p!) ?? 0;
    const done: NodeInference = {
      id,
      status: 'ok',
      inputShapes,
      outputShape: out,
      params: p,
      count: kind.count?.(inputShapes, out, p!) ?? zero(),
      macs,
      flops: 2 * macs,
      elementwise: kind.elementwise?.(inputShapes, out, p!) ?? 0,
    };
    const warnings = layerSizeWarnings(done);
    if (warnings.length) done.warnings = warnings;
    nodes[id] = done;
  }

  // Downstream of a cycle: in neither `order` nor `cyclic`.
  for (const n of graph.nodes) {
    if (nodes[n.id]) continue;
    nodes[n.id] = {
      id: n.id,
      status: 'blocked',
      inputShapes: [],
      count: zero(),
      macs: 0,
      flops: 0,
      elementwise: 0,
      blockedBy: [...cyclic],
    };
  }

  const inputs = graph.nodes.filter((n) => getLayerKind(n.kind)?.inputs.max === 0).map((n) => n.id);
  const outputs = graph.nodes.filter((n) => outgoing.get(n.id)!.length === 0 && !inputs.includes(n.id)).map((n) => n.id);

  if (graph.nodes.length === 0) issues.push({ code: 'empty', message: 'the graph is empty: add an Input layer', nodeIds: [] });
  else {
    if (inputs.length === 0) issues.push({ code: 'no-input', message: 'the graph has no Input layer', nodeIds: [] });
    if (outputs.length === 0) issues.push({ code: 'no-output', message: 'the graph has no output: connect a layer after the Input', nodeIds: [] });
  }
  if (cyclic.size) issues.push({ code: 'cycle', message: `${plural(cyclic.size, 'layer')} form a cycle`, nodeIds: [...cyclic] });
  if (dangling.length) {
    issues.push({ code: 'dangling-edge', message: `${plural(dangling.length, 'connection')} point to missing layers`, nodeIds: [] });
  }
  const reachable = new Set<string>(inputs);
  for (const id of order) if (reachable.has(id)) outgoing.get(id)!.forEach((e) => reachable.add(e.target));
  const unreachable = graph.nodes.filter((n) => !reachable.has(n.id)).map((n) => n.id);
  if (unreachable.length && inputs.length) {
    issues.push({ code: 'unreachable', message: `${plural(unreachable.length, 'layer')} cannot be reached from an Input`, nodeIds: unreachable });
  }
  const dupes = [...duplicateName];
  if (dupes.length) issues.push({ code: 'duplicate-name', message: 'layer names must be unique', nodeIds: dupes });

  // Object.values on a dictionary of thousands of string keys sorts them by insertion order — the costliest line of a
  // pass on big graphs; with unique ids the node list gives the same entries (sums and `every` ignore order).
  const all = byId.size === graph.nodes.length ? graph.nodes.map((n) => nodes[n.id]) : Object.values(nodes);
  const totals = sumTotals(all);
  const leftOut = all.filter((n) => n.status !== 'ok').map((n) => n.id);
  const valid = issues.length === 0 && leftOut.length === 0;
  const warnings = graphSizeWarnings(totals, all);
  return { nodes, order, inputs, outputs, issues, warnings, totals, leftOut, valid };
}

function sumTotals(list: NodeInference[]): GraphTotals {
  let trainable = 0,
    nonTrainable = 0,
    macs = 0,
    elementwise = 0,
    activations = 0;
  for (const n of list) {
    if (n.status !== 'ok') continue;
    trainable += n.count.trainable;
    nonTrainable += n.count.nonTrainable;
    macs += n.macs;
    elementwise += n.elementwise;
    activations += product(n.outputShape!);
  }
  const params = trainable + nonTrainable;
  return {
    params,
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    macs,
    flops: 2 * macs,
    elementwiseFlops: elementwise,
    weightsBytesF32: params * 4,
    weightsBytesInt8: params,
    activationBytes: activations * 4,
  };
}
