import type { LayerError } from '../../nodes/lib/define';
import { fmtShape, product } from '../../nodes/lib/define';
import { fmtBytes } from './messages';
import type { GraphIssue, GraphTotals, NodeInference } from './types';

/**
 * What a browser can hold and train, shared by the graph's size warnings and the training memory estimate
 * (src/train/memory.ts builds its per-backend budgets from these, so both speak of the same limits).
 */

/** wasm32 addresses 4 GiB: tfjs-backend-wasm's heap cannot grow past it, and no single browser heap does much better. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** What one training step may use on wasm: the heap less 0.5 GiB for fragmentation, XNNPACK's packed weights and the module. */
export const WASM_STEP_BUDGET = 3.5 * 2 ** 30;

/** What a step may use on WebGL, WebGPU or the JS cpu backend (browsers do not tell a page its GPU memory): a stated 2 GiB. */
export const OTHER_STEP_BUDGET = 2 * 2 ** 30;

/** Training keeps every weight four times over with Adam: the weight, its gradient and the optimizer's two slots. */
export const TRAINING_COPIES_OF_WEIGHTS = 4;

/** Training keeps each layer output at least twice per sample: the output and its gradient. */
export const TRAINING_COPIES_OF_ACTIVATIONS = 2;

const F32 = 4;
const heap = fmtBytes(WASM_HEAP_BYTES);
const budget = fmtBytes(WASM_STEP_BUDGET);

/**
 * Warnings for one layer that a browser cannot hold at all: its weights or its output for one sample are over the
 * wasm heap. The graph stays valid; the figures say how far over it is.
 */
export function layerSizeWarnings(n: NodeInference): LayerError[] {
  if (n.status !== 'ok' || !n.outputShape) return [];
  const out: LayerError[] = [];
  const weights = (n.count.trainable + n.count.nonTrainable) * F32;
  if (weights > WASM_HEAP_BYTES) {
    out.push({ code: 'weights-too-large', message: `weights ${fmtBytes(weights)} exceed the ${heap} wasm heap: no browser can hold this layer` });
  }
  const activation = product(n.outputShape) * F32;
  if (activation > WASM_HEAP_BYTES) {
    out.push({
      code: 'output-too-large',
      message: `output ${fmtShape(n.outputShape)} takes ${fmtBytes(activation)} per sample, more than the ${heap} wasm heap holds`,
    });
  }
  return out;
}

/** The largest contributors to a total, enough to make up most of it (at most three), for the problems list to jump to. */
function biggest(nodes: NodeInference[], size: (n: NodeInference) => number, total: number): string[] {
  const sorted = nodes.filter((n) => size(n) > 0).sort((a, b) => size(b) - size(a));
  const ids: string[] = [];
  let sum = 0;
  for (const n of sorted) {
    if (ids.length === 3 || sum >= 0.9 * total) break;
    ids.push(n.id);
    sum += size(n);
  }
  return ids;
}

/**
 * Warnings for a model a browser can hold but not train (or not hold): total weights over the heap, or with their
 * gradients and Adam's slots over a training step's budget; activations of one sample whose training copies are over it.
 */
export function graphSizeWarnings(totals: GraphTotals, nodes: NodeInference[]): GraphIssue[] {
  const out: GraphIssue[] = [];
  const weights = totals.weightsBytesF32;
  const weightsOf = (n: NodeInference) => (n.status === 'ok' ? (n.count.trainable + n.count.nonTrainable) * F32 : 0);
  if (weights > WASM_HEAP_BYTES) {
    out.push({
      code: 'weights-too-large',
      message: `weights ${fmtBytes(weights)} exceed the ${heap} wasm heap: no browser can hold this model`,
      nodeIds: biggest(nodes, weightsOf, weights),
    });
  } else if (weights * TRAINING_COPIES_OF_WEIGHTS > WASM_STEP_BUDGET) {
    out.push({
      code: 'weights-too-large-to-train',
      message: `weights ${fmtBytes(weights)}: training keeps them with their gradients and Adam's two slots (${fmtBytes(weights * TRAINING_COPIES_OF_WEIGHTS)}), over the ${budget} a browser training step can use`,
      nodeIds: biggest(nodes, weightsOf, weights),
    });
  }
  const acts = totals.activationBytes;
  const actsOf = (n: NodeInference) => (n.status === 'ok' && n.outputShape ? product(n.outputShape) * F32 : 0);
  if (acts * TRAINING_COPIES_OF_ACTIVATIONS > WASM_STEP_BUDGET) {
    out.push({
      code: 'activations-too-large',
      message: `activations take ${fmtBytes(acts)} per sample; training keeps at least twice that (${fmtBytes(acts * TRAINING_COPIES_OF_ACTIVATIONS)}), over the ${budget} a browser training step can use even at batch size 1`,
      nodeIds: biggest(nodes, actsOf, acts),
    });
  }
  return out;
}
