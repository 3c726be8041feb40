import { product } from '../../nodes/lib/define';
import { OTHER_STEP_BUDGET, WASM_STEP_BUDGET } from '../graph/limits';
import type { Graph, GraphInference } from '../graph/types';
import type { BackendName, TrainSettings } from './protocol';
import { replicaBufferBytes } from './replicas';

/**
 * How much memory one training step takes, worked out before anything is allocated, so a model that cannot train on
 * a backend is refused with a clear message (and a smaller batch offered) instead of crashing the worker.
 *
 * The model follows what tfjs 4.22 keeps alive in `optimizer.minimize` (src/train/trainer.ts):
 * - weights: 4 bytes per parameter (trainable and not); gradients: 4 per trainable parameter;
 * - optimizer slots: Adam 2 per trainable weight (m, v), SGD with momentum 1, plain SGD 0, RMSprop 2 (tfjs always
 *   makes the mean-square and the momentum slots; not centered);
 * - activations × batch: the forward tensors the gradients need are kept on the tape, and `engine.gradients` runs
 *   the whole backward pass in one tidy, so every gradient it computes (not only the largest) stays alive until the
 *   pass ends. Each layer's output therefore counts with a factor per kind (activationFactor): 2 per tensor it keeps
 *   (the tensor and its gradient) plus backward temporaries (ReLU's mask, BatchNorm's centred input, …);
 * - the update (UPDATE_TEMPORARIES): tfjs's stock Adam (cpu, webgl, or wasm without the fast kernels) computes every
 *   variable's update in one tidy, 14 temporaries per trainable weight alive at its end; the fused wasm Adam, SGD,
 *   momentum and RMSprop update one variable at a time (2–11 temporaries of the largest variable). Activations are
 *   freed before the update starts, so the step needs the larger of the two, not both;
 * - the input batch (x and the one-hot y) as tensors.
 * Per worker: weights + gradients + slots + input + max(activations, update). A data-parallel follower holds the same
 * (its own model, optimizer, and up to a whole batch of rows); the shared gradient buffer lives outside every heap.
 */

/**
 * Budgets a step may use per worker. wasm: tfjs-backend-wasm 4.22 grows its heap up to 4 GiB; 0.5 GiB of it is left to
 * the allocator's fragmentation, XNNPACK's packed weights and scratch, and the module (the dataset stays in the JS heap,
 * outside the wasm heap).
 */
export const MEMORY_BUDGET: Record<BackendName, number> = {
  wasm: WASM_STEP_BUDGET,
  // WebGL textures: browsers do not tell a page how much GPU memory it may use; a stated 2 GiB, which mid-range GPUs
  // (and SwiftShader) give.
  webgl: OTHER_STEP_BUDGET,
  // WebGPU buffers: the same stated 2 GiB (adapters commonly cap one storage buffer at 1–2 GiB; SwiftShader at 1 GiB).
  webgpu: OTHER_STEP_BUDGET,
  // Typed arrays in the worker's JS heap, which shares its process with the dataset and the page: a stated 2 GiB.
  cpu: OTHER_STEP_BUDGET,
};

/**
 * Largest shared buffer a data-parallel run may take (gradients are double-buffered per replica: 8 bytes per parameter
 * and replica). Bigger models, which would not train at a useful speed on wasm anyway, stay on one worker.
 */
export const MAX_SHARED_BYTES = 256 * 2 ** 20;

/** Why a data-parallel run stays on one worker, when its shared buffer of `bytes` is over MAX_SHARED_BYTES. */
export function sharedBufferNote(bytes: number): string | undefined {
  if (bytes <= MAX_SHARED_BYTES) return undefined;
  return `the model is too large to share gradients between workers (${Math.round(bytes / 2 ** 20)} MB > ${MAX_SHARED_BYTES / 2 ** 20} MB)`;
}

/** Rows per validation and test batch when memory allows (trainer.ts's `evaluate`). */
export const EVALUATION_BATCH = 256;

const CONV_LIKE = new Set(['Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);

/**
 * Output-sized tensors a layer keeps alive through a training step (forward tensors, their gradients, backward
 * temporaries), in units of its output's size, as measured on tfjs 4.22 (memory.tfjs.test.ts): a linear conv or dense
 * 2 (output, gradient), with ReLU or another activation 5 (tfjs does not fuse the activation under a tape), an
 * Activation layer 2 (ReLU) or 3, BatchNormalization 6 (output and gradient, and on backends without Convas' fused
 * batch-norm kernels the temporaries of its composed gradient: nodes/lib/batchnorm.ts), Dropout 5 (mask, scaled output), pooling, merges and padding 2. Flatten and Reshape share their input's
 * data. The Input counts 1: the fused conv's gradient also computes the gradient of the batch. Global max pooling
 * (tf.max) adds a mask of its input's size (a bool and a float per element, counted as 1.25 floats).
 */
function activationFactor(kind: string, params: Record<string, unknown> | undefined): number {
  if (kind === 'Flatten' || kind === 'Reshape') return 0;
  if (kind === 'Input') return 1;
  const act = params?.activation ?? 'linear';
  if (CONV_LIKE.has(kind)) return (kind === 'SeparableConv2D' ? 4 : 2) + (act === 'linear' ? 0 : 3);
  if (kind === 'BatchNormalization') return 6;
  if (kind === 'Dropout' || kind === 'SpatialDropout2D') return 5;
  if (kind === 'Activation') return act === 'relu' || act === 'linear' ? 2 : 3;
  if (kind === 'LeakyReLU') return 3;
  return 2;
}

/**
 * Temporaries of the optimizer's update, in units of a variable's size (kernel outputs of tfjs 4.22's update). The
 * stock Adam updates every variable inside one tidy: all 14 outputs per weight stay alive until it ends. The others
 * (and our fused wasm Adam) run one tidy per variable, so only the largest variable's temporaries count.
 */
const UPDATE_TEMPORARIES = { stockAdam: 14, fusedAdam: 3, sgd: 2, momentum: 4, rmsprop: 11 };

export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  /** Forward tensors and their gradients at this batch size. */
  activations: number;
  /** The optimizer update's temporaries (alive after the activations are freed). */
  update: number;
  input: number;
  /** One worker's peak: weights + gradients + optimizer + input + max(activations, update). */
  perWorker: number;
  /** Data-parallel runs: the shared gradient buffer (outside every worker's heap; 0 on one worker). */
  shared: number;
  workers: number;
  /** Every worker's peak plus the shared buffer. */
  total: number;
}

export interface MemoryEstimate extends MemoryBreakdown {
  backend: BackendName;
  batchSize: number;
  fits: boolean;
  /** The per-worker budget of the backend. */
  limit: number;
  /** Largest batch (≤ the one asked for) whose step fits; 0 when even batch 1 does not. */
  largestBatchThatFits: number;
  /** Why it does not fit, naming the figures; empty when it fits. */
  message: string;
  /**
   * Rows per batch of validation and test passes (at most 256, at least 1): a forward pass without gradients keeps
   * only a layer's inputs and outputs, but at 256 rows VGG-16's first layers alone would take gigabytes.
   */
  evaluationBatch: number;
  /** Data-parallel runs whose shared buffer exceeds MAX_SHARED_BYTES train on one worker: why. */
  workersNote?: string;
}

/** "530 MB", "1.2 GB", "12 KB": decimal units, as people read them. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i > 0 && v < 9.95 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

interface Parts {
  perSample: number;
  /** Forward pass without gradients (evaluation), per sample. */
  forwardPerSample: number;
  weights: number;
  gradients: number;
  optimizer: number;
  update: number;
  sampleFloats: number;
  labelFloats: number;
  trainable: number;
}

function parts(graph: Graph, inference: GraphInference, s: Pick<TrainSettings, 'optimizer' | 'momentum' | 'fastKernels'>, backend: BackendName): Parts {
  let perSample = 0;
  let forward = 0;
  let largestVar = 0;
  for (const n of graph.nodes) {
    const inf = inference.nodes[n.id];
    if (inf?.status !== 'ok' || !inf.outputShape) continue;
    perSample += 4 * activationFactor(n.kind, inf.params) * product(inf.outputShape);
    if (n.kind.startsWith('GlobalMaxPooling') && inf.inputShapes[0]) perSample += 4 * 1.25 * product(inf.inputShapes[0]);
    forward = Math.max(forward, inf.inputShapes.reduce((a, x) => a + product(x), 0) + 3 * product(inf.outputShape));
    largestVar = Math.max(largestVar, inf.count.trainable);
  }
  const { params, trainableParams: P } = inference.totals;
  const slots = s.optimizer === 'adam' ? 2 : s.optimizer === 'rmsprop' ? 2 : s.momentum > 0 ? 1 : 0;
  const stockAdam = s.optimizer === 'adam' && (backend !== 'wasm' || s.fastKernels === false);
  const inputShape = inference.inputs.length ? inference.nodes[inference.inputs[0]]?.outputShape : undefined;
  const outputShape = inference.outputs.length ? inference.nodes[inference.outputs[0]]?.outputShape : undefined;
  return {
    perSample,
    // tfjs-layers frees a layer's inputs once their last consumer ran; skip connections keep one more tensor: ×2.
    forwardPerSample: 4 * 2 * forward,
    weights: 4 * params,
    gradients: 4 * P,
    optimizer: 4 * slots * P,
    update: 4 * (stockAdam ? UPDATE_TEMPORARIES.stockAdam * P : updatePerVariable(s) * largestVar),
    sampleFloats: inputShape ? product(inputShape) : 0,
    labelFloats: outputShape ? product(outputShape) : 0,
    trainable: P,
  };
}

function updatePerVariable(s: Pick<TrainSettings, 'optimizer' | 'momentum'>): number {
  if (s.optimizer === 'adam') return UPDATE_TEMPORARIES.fusedAdam;
  if (s.optimizer === 'rmsprop') return UPDATE_TEMPORARIES.rmsprop;
  return s.momentum > 0 ? UPDATE_TEMPORARIES.momentum : UPDATE_TEMPORARIES.sgd;
}

function perWorker(p: Parts, rows: number) {
  const activations = rows * p.perSample;
  const input = 4 * rows * (p.sampleFloats + p.labelFloats);
  return { activations, input, peak: p.weights + p.gradients + p.optimizer + input + Math.max(activations, p.update) };
}

/**
 * Estimates the memory of one training step of `graph` with `settings` on `backend` with `workers` data-parallel
 * workers, and whether it fits the backend's per-worker budget (MEMORY_BUDGET). Pure; `inference` is inferGraph(graph).
 *
 * @example
 * const e = estimateTrainingMemory(vgg16, inferGraph(vgg16), { ...settings, batchSize: 64 }, 'wasm', 1);
 * e.fits;                 // false
 * e.largestBatchThatFits; // 5
 */
export function estimateTrainingMemory(
  graph: Graph, inference: GraphInference, settings: Pick<TrainSettings, 'optimizer' | 'momentum' | 'batchSize' | 'fastKernels'>,
  backend: BackendName, workers = 1,
): MemoryEstimate {
  const p = parts(graph, inference, settings, backend);
  const B = settings.batchSize;
  let replicas = Math.max(1, Math.min(workers, B));
  let shared = replicas > 1
    ? replicaBufferBytes({ replicas, varSizes: [p.trainable], sampleSize: p.sampleFloats, labelSize: p.labelFloats, maxRows: B })
    : 0;
  const workersNote = sharedBufferNote(shared);
  if (workersNote) {
    replicas = 1;
    shared = 0;
  }
  // Rows are balanced by speed: any one worker may get (nearly) the whole batch, so each must hold B rows.
  const w = perWorker(p, B);
  const limit = MEMORY_BUDGET[backend];
  const fits = w.peak <= limit;
  let largest = 0;
  if (fits) largest = B;
  else {
    // Where the activations dominate, weights + gradients + slots + b·(activations + input per row) ≤ limit gives b;
    // step down from there while the update dominates instead.
    const perRow = p.perSample + 4 * (p.sampleFloats + p.labelFloats);
    largest = Math.max(0, Math.min(B - 1, Math.floor((limit - p.weights - p.gradients - p.optimizer) / Math.max(1, perRow))));
    while (largest > 0 && perWorker(p, largest).peak > limit) largest--;
  }
  const breakdown: MemoryBreakdown = {
    weights: p.weights, gradients: p.gradients, optimizer: p.optimizer, activations: w.activations, update: p.update,
    input: w.input, perWorker: w.peak, shared, workers: replicas, total: replicas * w.peak + shared,
  };
  const evaluationBatch = Math.max(1, Math.min(EVALUATION_BATCH, Math.floor((limit - p.weights - p.optimizer) / Math.max(1, p.forwardPerSample))));
  return {
    ...breakdown, backend, batchSize: B, fits, limit, largestBatchThatFits: largest, evaluationBatch, workersNote,
    message: fits ? '' : memoryMessage(p, backend, B, limit, largest),
  };
}

function memoryMessage(p: Parts, backend: BackendName, batch: number, limit: number, largest: number): string {
  // Past batch 1, the figures at batch 1 say why: the model itself (and its optimizer) is too large.
  const rows = largest > 0 ? batch : 1;
  const w = perWorker(p, rows);
  // The optimizer's update is named only when it, not the activations, sets the peak (tfjs's stock Adam on big models).
  const update = p.update > w.activations ? `, optimizer update ${formatBytes(p.update)}` : '';
  const figures = `≈ ${formatBytes(w.peak)} per worker (weights ${formatBytes(p.weights)}, gradients ${formatBytes(p.gradients)}, ` +
    `optimizer ${formatBytes(p.optimizer)}${update}, activations ${formatBytes(w.activations)} at batch ${rows}), more than the ` +
    `${formatBytes(limit)} budget of a ${backend} worker.`;
  return largest > 0
    ? `A training step needs ${figures} Batch ${largest} fits.`
    : `Even at batch 1 a training step needs ${figures} The model is too large to train on ${backend}; make it smaller.`;
}

/** The Train panel's line: "≈ 1.2 GB per step: weights 530 MB, optimizer 1.1 GB, activations 3.4 GB at batch 64". */
export function describeEstimate(e: MemoryEstimate): string {
  const workers = e.workers > 1 ? ` on each of ${e.workers} workers` : '';
  return `≈ ${formatBytes(e.perWorker)} per step${workers}: weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, ` +
    `optimizer ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)} at batch ${e.batchSize} (${e.backend} budget ${formatBytes(e.limit)})`;
}
