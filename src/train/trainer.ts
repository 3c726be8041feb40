import type * as tfjs from '@tensorflow/tfjs';
import { product, type Tf } from '../../nodes/lib/define';
import type { Augmentation } from '../data/types';
import { augmentationProblem, drawTransform, isAugmenting, transformImage, type ImageTransform } from './augment';
import { inputScaling, scaleInto } from './datasets/input';
import type { Dataset } from './datasets/types';
import type { BatchMetrics, EpochMetrics, LossKind, StopReason, TrainSettings } from './protocol';
import { mulberry32, permutation } from './random';
import { applyAveraged, sliceGradients, type ReplicaLeader, type SliceResult } from './replicas';
import { fastAdam } from './wasm/fast/index';
import { EVALUATION_BATCH } from './memory';

/** How the loop is steered from outside: the worker flips these from its message handler. */
export interface TrainControl {
  stopRequested(): boolean;
  /** Resolves at once unless paused; then when resumed (or stopped). */
  waitWhilePaused(): Promise<void>;
  /** Gives the event loop a turn so control messages arrive (a MessageChannel round trip in the worker). */
  yieldToEvents(): Promise<void>;
}

export interface TrainCallbacks {
  onBatch?(m: BatchMetrics): void;
  onEpoch?(m: EpochMetrics): void;
  /** Called when the loop enters/leaves a pause. */
  onPause?(paused: boolean): void;
}

export interface TrainResult {
  reason: StopReason;
  message?: string;
  epochsDone: number;
  /** The test set after the last epoch, with its confusion matrix (confusion[true][predicted]). */
  test?: { loss: number; acc: number; confusion?: number[][] };
  seconds: number;
}

export interface PreparedData {
  loss: LossKind;
  trainIdx: Uint32Array;
  valIdx: Uint32Array;
}

/** What {@link trainModel} trains, on what, and how it is steered. */
export interface TrainOptions {
  tf: Tf;
  /** Owned by the caller, who disposes it. */
  model: tfjs.LayersModel;
  ds: Dataset;
  settings: TrainSettings;
  control: TrainControl;
  callbacks?: TrainCallbacks;
  /** The loss and the train/validation split, when the caller has them already; else derived from the model and settings. */
  prepared?: PreparedData;
  /** The leader of a data-parallel run (./replicas.ts): each batch is split across its followers. */
  parallel?: ReplicaLeader;
  /** Rows per validation and test batch (./memory.ts's evaluationBatch); EVALUATION_BATCH when absent. */
  evaluationBatch?: number;
}

const clipEps = 1e-7;

/** The loss that fits the model's head: softmax → categorical CE, linear → CE from logits, 1-unit sigmoid → binary CE. */
export function lossForModel(model: tfjs.LayersModel, numClasses: number): LossKind {
  const outLayer = model.outputs[0].sourceLayer;
  const activation = String((outLayer.getConfig() as { activation?: unknown }).activation ?? 'linear');
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (numClasses === 2 && units === 1 && activation === 'sigmoid') return 'binaryCrossentropy';
  if (activation === 'linear') return 'softmaxCrossEntropyFromLogits';
  return 'categoricalCrossentropy';
}

/** Splits the training set into train and validation index lists, shuffled once with the seed. */
export function splitIndices(n: number, validationSplit: number, seed: number): { trainIdx: Uint32Array; valIdx: Uint32Array } {
  const perm = permutation(n, mulberry32(seed));
  const nVal = Math.floor(n * validationSplit);
  return { trainIdx: perm.slice(0, n - nVal), valIdx: perm.slice(n - nVal) };
}

/**
 * Loss (mean over the batch, probabilities clipped to [1e-7, 1 − 1e-7] as Keras does), number of correct predictions,
 * and the unclipped loss −mean(log p(true class)). The clipped loss drives the gradients; the unclipped one is what
 * the divergence check reads: a model so far gone that it gives a true class a probability of exactly 0 has an
 * infinite loss, which clipping would hide (its gradient is zero outside the clip range, so training just stalls).
 */
function lossAndCorrect(tf: Tf, kind: LossKind, pred: tfjs.Tensor, y: tfjs.Tensor): [tfjs.Scalar, tfjs.Scalar, tfjs.Scalar] {
  if (kind === 'binaryCrossentropy') {
    const p = tf.clipByValue(pred, clipEps, 1 - clipEps);
    const loss = tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))));
    const correct = tf.sum(tf.cast(tf.equal(tf.greater(pred, 0.5), tf.greater(y, 0.5)), 'float32'));
    const pTrue = tf.add(tf.mul(y, pred), tf.mul(tf.sub(1, y), tf.sub(1, pred)));
    return [loss as tfjs.Scalar, correct as tfjs.Scalar, tf.neg(tf.mean(tf.log(pTrue))) as tfjs.Scalar];
  }
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32'));
  if (kind === 'softmaxCrossEntropyFromLogits') {
    const loss = tf.losses.softmaxCrossEntropy(y, pred) as tfjs.Scalar;
    return [loss, correct as tfjs.Scalar, loss];
  }
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(pred, clipEps, 1))), -1)));
  const raw = tf.neg(tf.mean(tf.log(tf.sum(tf.mul(y, pred), -1))));
  return [loss as tfjs.Scalar, correct as tfjs.Scalar, raw as tfjs.Scalar];
}

/**
 * What a replica of data-parallel training (./replicas.ts) runs: the gradients of a slice of rows (x and y row-major
 * in host arrays) and the update with an averaged gradient. The leader and its followers all use this.
 */
export function replicaStep(tf: Tf, model: tfjs.LayersModel, optimizer: tfjs.Optimizer, kind: LossKind, inputShape: number[], labelSize: number) {
  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const size = product(inputShape);
  return {
    computeSlice(xs: Float32Array, ys: Float32Array, rows: number, into: Float32Array): SliceResult {
      const x = tf.tensor(xs.subarray(0, rows * size), [rows, ...inputShape]);
      const y = tf.tensor(ys.subarray(0, rows * labelSize), [rows, labelSize]);
      try {
        return sliceGradients(tf, model, optimizer, vars, (pred, yy) => lossAndCorrect(tf, kind, pred, yy), x, y, into);
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    apply(avg: Float32Array): void {
      applyAveraged(tf, optimizer, vars, avg);
    },
  };
}

/** Where training batches come from when they are augmented: the settings and the seeded source of the draws. */
export interface BatchAugment {
  aug: Augmentation;
  rnd: () => number;
}

/**
 * A filler of reusable host buffers with batches of one split: x as the model sees it (uint8 scaled by 1/255, then
 * the dataset's standardisation; augmented when `augment` is given), y as one-hot or 0/1. The float path without
 * standardisation is a plain copy. Nothing is allocated per sample.
 */
export function batchFiller(ds: Dataset, split: 'train' | 'test', kind: LossKind, augment?: BatchAugment) {
  const src = ds[split];
  const size = product(ds.inputShape);
  const k = kind === 'binaryCrossentropy' ? 1 : ds.numClasses;
  const sc = inputScaling(ds, src.x);
  const t: ImageTransform = { flip: false, dx: 0, dy: 0, angle: 0 };
  /** Copies the samples `idx[from..to)` (or `from..to` without `idx`) into the buffers. */
  return (idx: Uint32Array | null, from: number, to: number, xBuf: Float32Array, yBuf: Float32Array) => {
    const b = to - from;
    yBuf.fill(0, 0, b * k);
    for (let i = 0; i < b; i++) {
      const s = idx ? idx[from + i] : from + i;
      const at = s * size;
      const o = i * size;
      if (augment) {
        // Augment the stored values (zero padding is black), then scale and standardise in place.
        transformImage(src.x, xBuf, ds.inputShape, drawTransform(augment.aug, augment.rnd, t), at, o);
        if (!sc.identity) scaleInto(xBuf, o, xBuf, o, size, sc);
      } else if (sc.identity) xBuf.set(src.x.subarray(at, at + size), o);
      else scaleInto(src.x, at, xBuf, o, size, sc);
      if (k === 1) yBuf[i] = src.y[s];
      else yBuf[i * k + src.y[s]] = 1;
    }
    return { xs: xBuf.subarray(0, b * size), ys: yBuf.subarray(0, b * k), b, k };
  };
}

export function makeOptimizer(tf: Tf, s: TrainSettings): tfjs.Optimizer {
  if (s.optimizer === 'sgd') return s.momentum > 0 ? tf.train.momentum(s.learningRate, s.momentum) : tf.train.sgd(s.learningRate);
  if (s.optimizer === 'rmsprop') return tf.train.rmsprop(s.learningRate, 0.9, s.momentum);
  // fastAdam is tfjs's AdamOptimizer with one fused update kernel per variable when the fast wasm kernels are
  // registered, and the stock update anywhere else.
  return s.fastKernels === false ? tf.train.adam(s.learningRate) : fastAdam(tf, s.learningRate);
}

/**
 * Disposes an optimizer and every tensor it holds. tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate
 * scalar `c` it inherits from SGDOptimizer (one tensor leaked per run); it is disposed here too.
 */
export function disposeOptimizer(opt: tfjs.Optimizer): void {
  const c = (opt as unknown as { c?: tfjs.Tensor }).c;
  opt.dispose();
  if (c && !c.isDisposed) c.dispose();
}

/** Mean loss and accuracy of the model on samples (indices into `split`, or the first `n`), in batches without gradients. */
export async function evaluate(
  tf: Tf, model: tfjs.LayersModel, ds: Dataset, split: 'train' | 'test', idx: Uint32Array | null, n: number, kind: LossKind, batch = EVALUATION_BATCH,
  withConfusion = false,
): Promise<{ loss: number; acc: number; confusion?: number[][] }> {
  const size = product(ds.inputShape);
  const k = kind === 'binaryCrossentropy' ? 1 : ds.numClasses;
  const xBuf = new Float32Array(batch * size);
  const yBuf = new Float32Array(batch * k);
  const fill = batchFiller(ds, split, kind);
  let lossSum = 0;
  let correct = 0;
  // confusion[true class][predicted class]; a single sigmoid output counts as two classes (threshold 0.5).
  const classes = kind === 'binaryCrossentropy' ? 2 : ds.numClasses;
  const confusion = withConfusion ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0)) : undefined;
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const { xs, ys, b } = fill(idx, from, to, xBuf, yBuf);
    const [pair, predicted, truth] = tf.tidy(() => {
      const x = tf.tensor(xs, [b, ...ds.inputShape]);
      const y = tf.tensor(ys, [b, k]);
      const pred = model.predictOnBatch(x) as tfjs.Tensor;
      const [l, c] = lossAndCorrect(tf, kind, pred, y);
      if (!confusion) return [tf.stack([l, c])];
      const classOf = (t: tfjs.Tensor) => (kind === 'binaryCrossentropy' ? t.reshape([-1]).greater(0.5).toInt() : t.argMax(-1));
      return [tf.stack([l, c]), classOf(pred), classOf(y)];
    });
    const v = await pair.data();
    if (confusion && predicted && truth) {
      const [p, t] = [await predicted.data(), await truth.data()];
      for (let i = 0; i < b; i++) confusion[t[i]][p[i]]++;
    }
    tf.dispose([pair, predicted, truth].filter((t): t is tfjs.Tensor => t !== undefined));
    lossSum += v[0] * b;
    correct += v[1];
  }
  if (n === 0) return { loss: NaN, acc: NaN };
  return { loss: lossSum / n, acc: correct / n, ...(confusion ? { confusion } : {}) };
}

/**
 * Trains `model` on `ds` with a hand-written loop (not `model.fit`) so it can pause, stop between any two batches,
 * report smoothed per-batch metrics and catch a non-finite loss at once. Creates the optimizer and always disposes
 * it (its slot variables outlive the model otherwise); the caller owns and disposes the model.
 * Everything per batch runs in tf.tidy / optimizer.minimize scopes: tensor count is flat across batches and epochs.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { tf, model, ds, settings: s, control, callbacks: cb = {}, prepared, parallel, evaluationBatch } = options;
  const aug = isAugmenting(s.augment) ? s.augment : undefined;
  const problem = augmentationProblem(aug, ds.inputShape, `"${ds.id}"`);
  if (problem) throw new Error(problem);
  const t0 = performance.now();
  const kind = prepared?.loss ?? lossForModel(model, ds.numClasses);
  const { trainIdx, valIdx } = prepared ?? splitIndices(ds.train.n, s.validationSplit, s.seed);
  const n = trainIdx.length;
  const size = product(ds.inputShape);
  const k = kind === 'binaryCrossentropy' ? 1 : ds.numClasses;
  const B = Math.min(s.batchSize, Math.max(1, n));
  const batchesPerEpoch = Math.ceil(n / B);
  const total = n * s.epochs;
  const xBuf = new Float32Array(B * size);
  const yBuf = new Float32Array(B * k);
  const shuffleRnd = mulberry32(s.seed + 1);
  const fillTrain = batchFiller(ds, 'train', kind, aug && { aug, rnd: mulberry32(Math.imul(s.seed, 0x9e3779b1) + 7) });
  const optimizer = makeOptimizer(tf, s);
  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const replica = parallel ? replicaStep(tf, model, optimizer, kind, ds.inputShape, k) : null;
  let leader = parallel;
  const beta = 0.9;
  let emaLoss = 0;
  let emaAcc = 0;
  let steps = 0;
  let seen = 0;
  let trainMs = 0;
  let lastYield = performance.now();
  let lastReport = 0;
  let epochsDone = 0;
  let reason: StopReason = 'finished';
  let message: string | undefined;
  const order = new Uint32Array(trainIdx);
  try {
    epochs: for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const e0 = performance.now();
      if (s.shuffle) {
        const p = permutation(n, shuffleRnd);
        for (let i = 0; i < n; i++) order[i] = trainIdx[p[i]];
      }
      let lossSum = 0;
      let correctSum = 0;
      const syncRead = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
      for (let bi = 0; bi < batchesPerEpoch; bi++) {
        const b0 = performance.now();
        const from = bi * B;
        const { xs, ys, b } = fillTrain(order, from, Math.min(n, from + B), xBuf, yBuf);
        let v: ArrayLike<number>;
        if (leader && replica) {
          const r = leader.step(xs, ys, b, (rows, into) => replica.computeSlice(xs, ys, rows, into), replica.apply);
          v = [r.loss, r.correct, r.raw];
          // Settled on solo (busy cores): on in this worker alone, with the same optimizer (./replicas.ts).
          if (leader.retireIfSolo()) leader = undefined;
        } else {
          const x = tf.tensor(xs, [b, ...ds.inputShape]);
          const y = tf.tensor(ys, [b, k]);
          let pair: tfjs.Tensor | undefined;
          const cost = optimizer.minimize(() => {
            const pred = model.apply(x, { training: true }) as tfjs.Tensor;
            const [l, c, raw] = lossAndCorrect(tf, kind, pred, y);
            pair = tf.keep(tf.stack([l, c, raw]));
            return l;
          }, false, vars);
          cost?.dispose();
          // A GPU backend reads back asynchronously (WebGPU's synchronous read is not reliable: it returned zeros on
          // Chromium's software adapter); wasm and cpu have the values at hand.
          v = syncRead ? pair!.dataSync() : await pair!.data();
          pair!.dispose();
          x.dispose();
          y.dispose();
        }
        trainMs += performance.now() - b0;
        const loss = v[0];
        const acc = v[1] / b;
        if (!Number.isFinite(loss) || !Number.isFinite(v[2])) {
          reason = 'nan';
          const what = Number.isNaN(loss) || Number.isNaN(v[2]) ? 'NaN' : 'infinite';
          message = `The loss became ${what} at epoch ${epoch}, batch ${bi + 1}: training stopped. Try a lower learning rate (now ${s.learningRate}).`;
          break epochs;
        }
        steps++;
        seen += b;
        lossSum += loss * b;
        correctSum += v[1];
        emaLoss = beta * emaLoss + (1 - beta) * loss;
        emaAcc = beta * emaAcc + (1 - beta) * acc;
        const now = performance.now();
        const rate = seen / Math.max(1e-9, trainMs / 1000);
        if (now - lastReport > 100 || bi === batchesPerEpoch - 1) {
          lastReport = now;
          const corr = 1 - beta ** steps;
          cb.onBatch?.({
            epoch, batch: bi + 1, batchesPerEpoch, loss, acc, smoothLoss: emaLoss / corr, smoothAcc: emaAcc / corr,
            seen, total, samplesPerSec: rate, etaSec: (total - seen) / rate,
          });
        }
        if (now - lastYield > 50) {
          await control.yieldToEvents();
          lastYield = performance.now();
          if (!control.stopRequested()) {
            const p0 = performance.now();
            await control.waitWhilePaused();
            if (performance.now() - p0 > 1) lastYield = performance.now();
          }
          if (control.stopRequested()) {
            reason = 'stopped';
            break epochs;
          }
        }
      }
      const val = valIdx.length > 0 ? await evaluate(tf, model, ds, 'train', valIdx, valIdx.length, kind, evaluationBatch) : undefined;
      const seconds = (performance.now() - e0) / 1000;
      const t = s.testEachEpoch && ds.test.n > 0 ? await evaluate(tf, model, ds, 'test', null, ds.test.n, kind, evaluationBatch) : undefined;
      epochsDone = epoch;
      cb.onEpoch?.({ epoch, loss: lossSum / n, acc: correctSum / n, valLoss: val?.loss, valAcc: val?.acc, testLoss: t?.loss, testAcc: t?.acc, seconds });
      await control.yieldToEvents();
      if (control.stopRequested()) {
        reason = 'stopped';
        break;
      }
    }
    const test = reason !== 'nan' && ds.test.n > 0 ? await evaluate(tf, model, ds, 'test', null, ds.test.n, kind, evaluationBatch, true) : undefined;
    return { reason, message, epochsDone, test, seconds: (performance.now() - t0) / 1000 };
  } finally {
    disposeOptimizer(optimizer);
  }
}
