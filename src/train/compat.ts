import type { Graph, GraphInference } from '../graph/types';
import { datasetList } from './datasets/index';
import type { DatasetInfo } from './datasets/types';
import type { MemoryEstimate } from './memory';
import type { TrainSettings } from './protocol';

/** A one-click repair: apply `patch` to the params of node `nodeId` (H4's `onUpdateParams`). */
export interface Fix {
  nodeId: string;
  patch: Record<string, unknown>;
  label: string;
}

/** A one-click repair of the training settings (a smaller batch). */
export interface SettingsFix {
  patch: Partial<TrainSettings>;
  label: string;
}

/** Why a graph cannot train on a dataset as it is; `fix` when one param change repairs it, `settingsFix` when a setting does. */
export interface CompatIssue {
  severity: 'error' | 'warning';
  message: string;
  nodeIds: string[];
  fix?: Fix;
  settingsFix?: SettingsFix;
}

const dims = (s: readonly number[]) => s.join('×');

/**
 * Checks that a graph can train on a dataset: one Input whose shape is the dataset's sample shape, one output whose
 * shape is [numClasses] (or [1] with a sigmoid for two classes). Each mismatch says what is wrong and, when one param
 * fixes it, offers that fix ("Set Input to 28×28×1", "Set dense_2 units to 10"). Graph errors come first: an invalid
 * graph cannot be compiled at all. With `memory` (./memory.ts's estimate for the chosen settings), a step that does not fit
 * the backend is an error too, with "Use batch N" when a smaller batch fits.
 */
export function checkCompatibility(graph: Graph, inference: GraphInference, dataset: DatasetInfo, memory?: MemoryEstimate): CompatIssue[] {
  const issues: CompatIssue[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const name = (id: string) => byId.get(id)?.name ?? id;
  const inputs = graph.nodes.filter((n) => n.kind === 'Input');
  if (inputs.length !== 1) {
    issues.push({ severity: 'error', message: `Training needs exactly one Input node; this graph has ${inputs.length}.`, nodeIds: inputs.map((n) => n.id) });
  } else {
    const input = inputs[0];
    const shape = inference.nodes[input.id]?.outputShape ?? (input.params.shape as number[] | undefined);
    if (!shape || dims(shape) !== dims(dataset.inputShape)) {
      issues.push({
        severity: 'error',
        message: `${dataset.name} samples are ${dims(dataset.inputShape)}, but Input "${input.name}" is ${shape ? dims(shape) : 'not set'}.`,
        nodeIds: [input.id],
        fix: { nodeId: input.id, patch: { shape: [...dataset.inputShape] }, label: `Set Input to ${dims(dataset.inputShape)}` },
      });
    }
  }
  if (!inference.valid) {
    const bad = Object.values(inference.nodes).filter((n) => n.status === 'error');
    const parts = [...bad.map((n) => `${name(n.id)}: ${n.error?.message ?? 'invalid'}`), ...inference.issues.map((i) => i.message)];
    issues.push({ severity: 'error', message: `The graph has errors: ${parts.join('; ') || 'invalid'}.`, nodeIds: bad.map((n) => n.id) });
    return issues;
  }
  if (inference.outputs.length !== 1) {
    issues.push({ severity: 'error', message: `Training needs exactly one output; this graph has ${inference.outputs.length} (${inference.outputs.map(name).join(', ')}).`, nodeIds: inference.outputs });
    return issues;
  }
  const outId = inference.outputs[0];
  const out = byId.get(outId)!;
  const outShape = inference.nodes[outId].outputShape ?? [];
  const k = dataset.numClasses;
  const params = inference.nodes[outId].params ?? {};
  const binaryHead = k === 2 && dims(outShape) === '1' && params.activation === 'sigmoid';
  if (dims(outShape) !== String(k) && !binaryHead) {
    const fix = out.kind === 'Dense' && outShape.length === 1
      ? { nodeId: outId, patch: { units: k }, label: `Set ${out.name} units to ${k}` }
      : undefined;
    issues.push({
      severity: 'error',
      message: outShape.length === 1
        ? `${dataset.name} has ${k} classes, but the last layer "${out.name}" gives ${outShape[0]} outputs.`
        : `The last layer "${out.name}" outputs ${dims(outShape)}; a classifier must end in ${k} class scores (add Flatten and Dense(${k})).`,
      nodeIds: [outId],
      fix,
    });
  } else if (out.kind === 'Dense' && !binaryHead && params.activation !== 'softmax' && params.activation !== 'linear') {
    issues.push({
      severity: 'warning',
      message: `The last layer "${out.name}" uses ${String(params.activation)}; class scores are trained best with softmax.`,
      nodeIds: [outId],
      fix: { nodeId: outId, patch: { activation: 'softmax' }, label: `Use softmax on ${out.name}` },
    });
  }
  if (memory && !memory.fits) {
    const n = memory.largestBatchThatFits;
    issues.push({ severity: 'error', message: memory.message, nodeIds: [], settingsFix: n > 0 ? { patch: { batchSize: n }, label: `Use batch ${n}` } : undefined });
  }
  return issues;
}

/**
 * The first menu dataset the graph trains on as it is (no issue at all, warnings included), or undefined. The Train
 * panel picks it when the chosen dataset does not fit; the training bench trains a preset on it.
 */
export function fittingDataset(graph: Graph, inference: GraphInference): DatasetInfo | undefined {
  return datasetList.find((d) => checkCompatibility(graph, inference, d).length === 0);
}
