import type * as tfjs from '@tensorflow/tfjs';
import { getLayerKind, type SymbolicTensor, type Tf } from '../../nodes/index';
import { inferGraph } from '../graph/infer';
import { incomingEdges } from '../graph/topo';
import type { Graph, GraphEdge, GraphInference } from '../graph/types';

/** A graph that cannot be compiled; `nodeIds` are the nodes at fault (empty for graph-wide issues). */
export class CompileError extends Error {
  readonly nodeIds: string[];
  constructor(message: string, nodeIds: string[]) {
    super(message);
    this.name = 'CompileError';
    this.nodeIds = nodeIds;
  }
}

function describeInvalid(graph: Graph, inf: GraphInference): CompileError {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const bad = Object.values(inf.nodes).filter((n) => n.status === 'error');
  const lines = bad.map((n) => `${byId.get(n.id)?.name ?? n.id}: ${n.error?.message ?? 'invalid'}`);
  for (const issue of inf.issues) {
    const names = issue.nodeIds.map((id) => byId.get(id)?.name ?? id);
    lines.push(names.length ? `${issue.message} (${names.join(', ')})` : issue.message);
  }
  const ids = [...new Set([...bad.map((n) => n.id), ...inf.issues.flatMap((i) => i.nodeIds)])];
  return new CompileError(`cannot compile an invalid graph:\n- ${lines.join('\n- ')}`, ids);
}

/**
 * The input tensors of a node in slot order. tfjs 4.22's executor counts a layer once per distinct recipient
 * but decrements once per input slot, so a tensor wired twice into one merge (x + x) is disposed too early
 * when something else reads it too; a pass-through layer gives each repeated slot a tensor of its own.
 * `names` holds the layer names taken so far and receives the pass-through layers' names.
 */
export function distinctInputs(
  tf: Tf,
  nodeName: string,
  edges: readonly GraphEdge[],
  tensors: ReadonlyMap<string, SymbolicTensor>,
  names: Set<string>,
): SymbolicTensor[] {
  return edges.map((e, i) => {
    const t = tensors.get(e.source)!;
    if (!edges.slice(0, i).some((prev) => prev.source === e.source)) return t;
    let name = `${nodeName}_input${i}_copy`;
    while (names.has(name)) name = `_${name}`;
    names.add(name);
    return tf.layers.activation({ activation: 'linear', name }).apply(t) as SymbolicTensor;
  });
}

/**
 * Builds a `tf.LayersModel` from a graph with the functional API: one tfjs layer per node, named after the node.
 *
 * Inputs are the Input nodes and outputs the nodes nothing consumes, both in the graph's node order;
 * a merge node receives its inputs ordered by edge `targetIndex`. tfjs is passed in so only callers that
 * train (the worker, tests) load it. The one layer that is not a node: when the same tensor feeds two slots
 * of one merge, the extra slots go through a linear Activation named `<node>_input<slot>_copy` (a tfjs bug
 * workaround, see {@link distinctInputs}); it has no weights.
 *
 * @throws {CompileError} naming every bad node when `inferGraph(graph).valid` is false, or the node whose
 *   tfjs layer refused to build (a disagreement between our inference and tfjs).
 * @example
 * const model = compileGraph(tf, getPreset('lenet5')!.graph);
 * model.countParams(); // 61706
 */
export function compileGraph(tf: Tf, graph: Graph, inference: GraphInference = inferGraph(graph)): tfjs.LayersModel {
  if (!inference.valid) throw describeInvalid(graph, inference);
  const { incoming } = incomingEdges(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const tensors = new Map<string, SymbolicTensor>();
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const id of inference.order) {
    const node = byId.get(id)!;
    const kind = getLayerKind(node.kind)!;
    const inputs = distinctInputs(tf, node.name, incoming.get(id)!, tensors, names);
    try {
      tensors.set(id, kind.build(tf, inference.nodes[id].params!, node.name, inputs));
    } catch (e) {
      throw new CompileError(`${node.name} (${node.kind}): tfjs refused to build the layer: ${(e as Error).message}`, [id]);
    }
  }
  const pick = (ids: string[]) => ids.map((id) => tensors.get(id)!);
  try {
    return tf.model({ inputs: pick(inference.inputs), outputs: pick(inference.outputs) });
  } catch (e) {
    throw new CompileError(`tfjs refused to assemble the model: ${(e as Error).message}`, []);
  }
}
