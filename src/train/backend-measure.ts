import type * as tfjs from '@tensorflow/tfjs';
import { product, type Tf } from '../../nodes/lib/define';
import { compileGraph } from '../compile/compile';
import type { Graph } from '../graph/types';
import { nextProbeStep, PROBE_LIMITS, type ProbeLimits } from './backend-probe';
import type { BackendDropped, BackendName, BackendTiming, LossKind, TrainSettings } from './protocol';
import { mulberry32, withSeededMathRandom } from './random';
import { disposeOptimizer, lossForModel, makeOptimizer } from './trainer';

/** What {@link measureTrainingSteps} times, and on what. */
export interface MeasureOptions {
  tf: Tf;
  graph: Graph;
  settings: TrainSettings;
  /** The backend active in `tf` (named in the result). */
  backend: BackendName;
  inputShape: readonly number[];
  numClasses: number;
  limits?: ProbeLimits;
  now?: () => number;
}

/**
 * Times real training steps of `graph` at the run's batch size on the active tfjs backend, as ./backend-probe.ts
 * decides (a warm-up step, then up to three within the cap), and returns the figure or why the backend was dropped.
 *
 * The model is a throwaway copy compiled with the run's seed and disposed afterwards, with its optimizer; the data
 * are seeded noise. Math.random is seeded around everything (and restored), so the run that follows starts from the
 * same initial weights and sees the same global random state as one without a probe.
 */
export async function measureTrainingSteps(o: MeasureOptions): Promise<{ timing: BackendTiming } | { dropped: BackendDropped }> {
  const { tf, settings: s, backend, inputShape, numClasses } = o;
  const limits = o.limits ?? PROBE_LIMITS;
  const now = o.now ?? (() => performance.now());
  let model: tfjs.LayersModel | null = null;
  let optimizer: tfjs.Optimizer | null = null;
  const owned: tfjs.Tensor[] = [];
  try {
    model = withSeededMathRandom(s.seed, () => compileGraph(tf, o.graph));
    optimizer = makeOptimizer(tf, s);
    const kind = lossForModel(model, numClasses);
    const k = kind === 'binaryCrossentropy' ? 1 : numClasses;
    const B = s.batchSize;
    const rnd = mulberry32(s.seed ^ 0x5eed);
    const xs = new Float32Array(B * product([...inputShape]));
    for (let i = 0; i < xs.length; i++) xs[i] = rnd();
    const ys = new Float32Array(B * k);
    for (let i = 0; i < B; i++) ys[k === 1 ? i : i * k + (i % k)] = k === 1 ? i % 2 : 1;
    const x = tf.tensor(xs, [B, ...inputShape]);
    const y = tf.tensor(ys, [B, k]);
    owned.push(x, y);
    const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    const m = model;
    const opt = optimizer;
    const stepMs: number[] = [];
    for (;;) {
      const t0 = now();
      // tidy: a step that throws midway leaves nothing behind either (the optimizer's slots are variables, kept).
      const cost = withSeededMathRandom(s.seed + 1, () => tf.tidy(() => opt.minimize(() => probeLoss(tf, kind, m.apply(x, { training: true }) as tfjs.Tensor, y), true, vars) ?? tf.scalar(NaN)));
      // Read the loss back as the training loop does (./trainer.ts: synchronously on wasm and cpu, asynchronously on
      // the GPU backends): the step is done only when its result reached the CPU. A cross-entropy is > 0: a backend
      // that reads back 0 or NaN here would train on garbage, so it is dropped, not timed.
      let v: number | undefined;
      try {
        v = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu' ? cost.dataSync()[0] : (await cost.data())[0];
      } finally {
        cost.dispose();
      }
      if (v === undefined || !(v > 0) || !Number.isFinite(v)) throw new Error(`the step read back a loss of ${v} (a cross-entropy is > 0): the backend's readback is wrong here`);
      stepMs.push(now() - t0);
      const next = nextProbeStep(backend, stepMs, B, limits);
      if (next.kind === 'done') return { timing: next.timing };
      if (next.kind === 'drop') return { dropped: { backend, reason: next.reason } };
    }
  } catch (e) {
    releaseFailedTape(tf);
    return { dropped: { backend, reason: `failed: ${e instanceof Error ? e.message || e.name : String(e)}`.slice(0, 300) } };
  } finally {
    owned.forEach((t) => t.dispose());
    if (optimizer) disposeOptimizer(optimizer);
    model?.dispose();
  }
}

/**
 * tfjs 4.22's engine leaves the tape of a gradient computation that threw in place, with the tensors it saved for the
 * backward pass kept (15 for LeNet-5); the next computation replaces the tape and those tensors are never freed. A
 * backend that fails in the probe must not cost the run that memory: free them here.
 */
function releaseFailedTape(tf: Tf): void {
  const state = (tf.engine() as unknown as { state?: { gradientDepth: number; activeTape: { saved?: tfjs.Tensor[] }[] | null } }).state;
  if (!state || state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) node.saved?.forEach((t) => t.isDisposed || t.dispose());
  state.activeTape = null;
}

/** The loss the run's head trains with (./trainer.ts), without the accuracy and divergence figures. */
function probeLoss(tf: Tf, kind: LossKind, pred: tfjs.Tensor, y: tfjs.Tensor): tfjs.Scalar {
  if (kind === 'softmaxCrossEntropyFromLogits') return tf.losses.softmaxCrossEntropy(y, pred) as tfjs.Scalar;
  if (kind === 'binaryCrossentropy') {
    const p = tf.clipByValue(pred, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tfjs.Scalar;
  }
  return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(pred, 1e-7, 1))), -1))) as tfjs.Scalar;
}
