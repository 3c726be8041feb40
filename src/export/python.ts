import { getLayerKind } from '../../nodes/index';
import { py } from '../../nodes/lib/pytorch';
import { incomingEdges } from '../graph/topo';
import { exportableInference } from './valid';
import type { Graph, GraphInference, GraphNode, NodeInference, ProjectFileV1 } from '../graph/types';

/** Training settings written into generated scripts; read leniently from `project.training` (owned by the Train panel). */
export interface ScriptTraining {
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** SGD momentum (also RMSprop's). */
  momentum: number;
  validationSplit: number;
  /** Dataset id such as `mnist`, used to pick a loader; anything else gets a stub to fill in. */
  dataset?: string;
}

/** A file-system-safe base name (`my model` → `my-model`). */
export const artifactBaseName = (name: string): string => name.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';

export const DEFAULT_TRAINING: ScriptTraining = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  epochs: 5,
  momentum: 0.9,
  validationSplit: 0.1,
};

const num = (v: unknown, ok: (n: number) => boolean): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : undefined;

/** Picks the known keys out of the opaque `project.training`, falling back to defaults for missing or odd values. */
export function readTraining(training: Record<string, unknown> | undefined, datasetId?: string): ScriptTraining {
  const t = training ?? {};
  const opt = typeof t.optimizer === 'string' ? t.optimizer.toLowerCase() : '';
  const dataset = typeof t.datasetId === 'string' ? t.datasetId : typeof t.dataset === 'string' ? t.dataset : datasetId;
  return {
    optimizer: opt === 'sgd' || opt === 'rmsprop' || opt === 'adam' ? opt : DEFAULT_TRAINING.optimizer,
    learningRate: num(t.learningRate, (n) => n > 0) ?? DEFAULT_TRAINING.learningRate,
    batchSize: num(t.batchSize, (n) => n >= 1 && Number.isInteger(n)) ?? DEFAULT_TRAINING.batchSize,
    epochs: num(t.epochs, (n) => n >= 1 && Number.isInteger(n)) ?? DEFAULT_TRAINING.epochs,
    momentum: num(t.momentum, (n) => n >= 0 && n < 1) ?? DEFAULT_TRAINING.momentum,
    validationSplit: num(t.validationSplit, (n) => n >= 0 && n < 1) ?? DEFAULT_TRAINING.validationSplit,
    ...(dataset ? { dataset } : {}),
  };
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self x torch nn F tf keras layers model main input sum id type list max min print len range zip dict tuple map filter abs pow round object'.split(' '),
);

/** Python identifiers for layer names, unique and never a keyword or a name the script itself uses. */
export function pythonNames(nodes: readonly GraphNode[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of nodes) {
    let base = n.name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `l_${base}`;
    if (PY_KEYWORDS.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    out.set(n.id, name);
  }
  return out;
}

/** A JS value as a Python literal (shared with the kinds' PyTorch code). */
export { py };

/** A string safe inside a Python `#` comment or docstring line. */
export const pyComment = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/"""/g, "'''").replace(/\\/g, '/');

/** One layer of a valid graph, in topological order, with what both generators need. */
export interface ScriptLayer {
  node: GraphNode;
  inf: NodeInference & { outputShape: readonly number[]; params: Record<string, unknown> };
  /** Python variable name. */
  v: string;
  /** Python variable names of the inputs, by slot. */
  inputs: string[];
  kerasClass: string;
  params: number;
}

export interface ScriptModel {
  name: string;
  inference: GraphInference;
  layers: ScriptLayer[];
  inputs: ScriptLayer[];
  outputs: ScriptLayer[];
  training: ScriptTraining;
}

/** Validates the project and lays out its layers for a generator; throws naming the first problem. */
export function scriptModel(project: ProjectFileV1, datasetId?: string): ScriptModel {
  const graph: Graph = project.graph;
  const inference = exportableInference(graph);
  const names = pythonNames(graph.nodes);
  const { incoming } = incomingEdges(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const layers: ScriptLayer[] = inference.order.map((id) => {
    const node = byId.get(id)!;
    const inf = inference.nodes[id] as ScriptLayer['inf'];
    const kind = getLayerKind(node.kind)!;
    return {
      node,
      inf,
      v: names.get(id)!,
      inputs: incoming.get(id)!.map((e) => names.get(e.source)!),
      kerasClass: kind.kerasClass,
      params: inf.count.trainable + inf.count.nonTrainable,
    };
  });
  const byNode = new Map(layers.map((l) => [l.node.id, l]));
  return {
    name: project.name,
    inference,
    layers,
    inputs: inference.inputs.map((id) => byNode.get(id)!),
    outputs: inference.outputs.map((id) => byNode.get(id)!),
    training: readTraining(project.training, datasetId),
  };
}

/** The layer table both scripts carry, as a Python literal the tests (and users) can read back. */
export function layerTable(m: ScriptModel): string[] {
  const rows = m.layers.map(
    (l) => `    (${JSON.stringify(l.node.name)}, ${JSON.stringify(l.kerasClass)}, ${py([...l.inf.outputShape])}, ${l.params}),`,
  );
  const t = m.inference.totals;
  return [
    '# Layer table (name, Keras class, output shape without batch, params as Keras counts them).',
    'LAYERS = [',
    ...rows,
    ']',
    `EXPECTED_PARAMS = ${t.params}`,
    `EXPECTED_TRAINABLE_PARAMS = ${t.trainableParams}`,
    `EXPECTED_NON_TRAINABLE_PARAMS = ${t.nonTrainableParams}`,
    `EXPECTED_MACS = ${t.macs}  # multiply-accumulates per sample, conv and dense only`,
  ];
}

/** The loss the head implies: softmax → sparse categorical CE, sigmoid on one unit → binary CE, linear → logits or MSE. */
export type LossKind = 'sparse-ce' | 'sparse-ce-logits' | 'binary-ce' | 'mse';

export function headLoss(m: ScriptModel): LossKind {
  const out = m.outputs[0];
  const units = out.inf.outputShape[out.inf.outputShape.length - 1];
  const act = typeof out.inf.params.activation === 'string' ? out.inf.params.activation : 'linear';
  if (act === 'softmax') return 'sparse-ce';
  if (act === 'sigmoid') return units === 1 ? 'binary-ce' : 'mse';
  if (act === 'linear') return units === 1 ? 'mse' : 'sparse-ce-logits';
  return 'mse';
}
