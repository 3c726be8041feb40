import type * as tfjs from '@tensorflow/tfjs';
import { fmtShape, getLayerKind, product, type SymbolicTensor, type Tf } from '../../../nodes/index';
import { macsFromWeights } from '../../../nodes/testing/macs-oracle';
import { parseParams } from '../../graph/infer';
import { distinctInputs } from '../compile';
import { incomingEdges, topologicalOrder } from '../../graph/topo';
import type { Graph, GraphInference } from '../../graph/types';

/**
 * Helpers that use tfjs as the oracle for our inference: the preset and property tests compare what a
 * compiled model says (params, output shapes, MACs read from its kernels) with what `inferGraph` said.
 */

function outShape(layer: tfjs.layers.Layer): number[] {
  const s = layer.outputShape as (number | null)[];
  return s.slice(1) as number[];
}

/**
 * MACs of a tfjs model computed from its weights' shapes and each layer's input/output shapes alone, independently of
 * the kinds' `macs` formulas (conv and dense maths, bias excluded); the formula follows the kind's capability
 * (`nodes/testing/macs-oracle.ts`). Layers are matched to the graph's nodes by name.
 */
export function tfjsMacs(model: tfjs.LayersModel, graph: Graph): Map<string, number> {
  const kinds = new Map(graph.nodes.map((n) => [n.name, getLayerKind(n.kind)]));
  const out = new Map<string, number>();
  for (const layer of model.layers) {
    const kind = kinds.get(layer.name);
    const w = layer.weights.map((v) => v.shape as number[]);
    const x = layer.input as SymbolicTensor | SymbolicTensor[];
    const input = (Array.isArray(x) ? x[0] : x).shape.slice(1) as number[];
    out.set(layer.name, kind && w.length ? macsFromWeights(kind, w, input, outShape(layer)) : 0);
  }
  return out;
}

/** Every way the compiled model disagrees with the inference (empty when they agree). */
export function compareWithInference(model: tfjs.LayersModel, graph: Graph, inf: GraphInference): string[] {
  const problems: string[] = [];
  if (model.countParams() !== inf.totals.params) {
    problems.push(`params: tfjs ${model.countParams()} vs ours ${inf.totals.params}`);
  }
  const trainable = model.trainableWeights.reduce((a, v) => a + product(v.shape as number[]), 0);
  if (trainable !== inf.totals.trainableParams) {
    problems.push(`trainable params: tfjs ${trainable} vs ours ${inf.totals.trainableParams}`);
  }
  const macs = tfjsMacs(model, graph);
  for (const node of graph.nodes) {
    const ours = inf.nodes[node.id];
    // An Input nothing reads is a model input but not in model.layers (tfjs collects layers from the outputs).
    const layer = model.layers.find((l) => l.name === node.name) ?? model.inputLayers.find((l) => l.name === node.name);
    if (!layer) {
      problems.push(`${node.name}: no such layer in the tfjs model`);
      continue;
    }
    const theirs = outShape(layer);
    if (JSON.stringify(theirs) !== JSON.stringify(ours.outputShape)) {
      problems.push(`${node.name} (${node.kind}): tfjs shape ${fmtShape(theirs)} vs ours ${ours.outputShape && fmtShape(ours.outputShape)}`);
    }
    const count = layer.countParams();
    if (count !== ours.count.trainable + ours.count.nonTrainable) {
      problems.push(`${node.name} (${node.kind}): tfjs ${count} params vs ours ${ours.count.trainable + ours.count.nonTrainable}`);
    }
    const theirMacs = macs.get(node.name) ?? 0;
    if (theirMacs !== ours.macs) {
      problems.push(`${node.name} (${node.kind}): tfjs-derived ${theirMacs} MACs vs ours ${ours.macs}`);
    }
  }
  return problems;
}

/**
 * Builds a graph with tfjs without asking `inferGraph` first and says whether tfjs refuses it: a layer
 * throws while being applied or assembled, a symbolic shape gets a dimension below 1, or (when `run`)
 * a forward pass on zeros throws. Nodes whose params do not parse are skipped (they are not tfjs' call).
 */
export function tfjsRefuses(tf: Tf, graph: Graph, run = true): { refused: boolean; reason: string } {
  const { incoming, outgoing } = incomingEdges(graph);
  const { order } = topologicalOrder(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const tensors = new Map<string, SymbolicTensor>();
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const id of order) {
    const node = byId.get(id)!;
    const kind = getLayerKind(node.kind);
    const parsed = kind && parseParams(kind, node.params);
    if (!kind || !parsed || !parsed.ok) return { refused: false, reason: `${node.name}: cannot be expressed` };
    const edges = incoming.get(id)!;
    if (edges.some((e) => !tensors.has(e.source))) continue;
    try {
      const t = kind.build(tf, parsed.value, node.name, distinctInputs(tf, node.name, edges, tensors, names));
      if (t.shape.slice(1).some((d) => d !== null && d < 1)) return { refused: true, reason: `${node.name}: shape ${t.shape}` };
      tensors.set(id, t);
    } catch (e) {
      return { refused: true, reason: `${node.name}: ${(e as Error).message}` };
    }
  }
  const inputs = graph.nodes.filter((n) => getLayerKind(n.kind)?.inputs.max === 0 && tensors.has(n.id));
  const outputs = graph.nodes.filter((n) => outgoing.get(n.id)!.length === 0 && tensors.has(n.id) && !inputs.includes(n));
  let model: tfjs.LayersModel;
  try {
    model = tf.model({ inputs: inputs.map((n) => tensors.get(n.id)!), outputs: outputs.map((n) => tensors.get(n.id)!) });
  } catch (e) {
    return { refused: true, reason: `model: ${(e as Error).message}` };
  }
  if (!run) return { refused: false, reason: '' };
  try {
    tf.tidy(() => {
      const xs = model.inputs.map((i) => tf.zeros([1, ...(i.shape.slice(1) as number[])]));
      model.predict(xs.length === 1 ? xs[0] : xs);
    });
    return { refused: false, reason: '' };
  } catch (e) {
    return { refused: true, reason: `forward pass: ${(e as Error).message}` };
  } finally {
    model.dispose();
  }
}
