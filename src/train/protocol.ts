import { z } from 'zod';
import { USER_DATASET_ID } from '../data/ids';
import type { Augmentation } from '../data/types';
import type { Graph } from '../graph/types';
import { DATASET_IDS, RANDOM_DATASET } from './datasets/types';
import type { ReplicaPlan } from './replicas';
import type { WeightSnapshot } from '../compile/weights';

/**
 * Messages between the main thread and the training worker (src/train/worker.ts). The main thread only draws:
 * it sends `start`/`pause`/`resume`/`stop`/`probe` and renders what comes back. Every message is a plain,
 * structured-clonable object tagged by `type`.
 */

/**
 * tfjs backends the user can pick. `auto` measures a few training steps of the model on those that initialise here
 * (./backend-probe.ts) and takes the fastest; cpu only when none of the others works.
 */
export const BACKENDS = ['wasm', 'webgpu', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** On-the-fly augmentation of image training batches (./augment.ts); every part off by default. */
export const augmentationSchema = z.object({
  flip: z.boolean(),
  /** Pixels, in each direction. */
  shift: z.number().int().min(0).max(16),
  /** Degrees, either way. */
  rotate: z.number().min(0).max(45),
}) satisfies z.ZodType<Augmentation>;

const badDatasetId = (iss: { input?: unknown }) =>
  `expected a built-in dataset (${[...DATASET_IDS, RANDOM_DATASET].join(', ')}) or an imported one (user-…), got ${JSON.stringify(iss.input)}`;

/** Training settings, validated at the boundary (the worker refuses a bad value naming the field). */
export const trainSettingsSchema = z.object({
  /**
   * A menu dataset, an imported one stored in this browser (`user-…`, src/data/store.ts), or `random` (uniform noise
   * shaped by `randomSpec`: benches and tests).
   */
  datasetId: z.union([z.enum([...DATASET_IDS, RANDOM_DATASET]), z.string().regex(USER_DATASET_ID, { error: badDatasetId })], { error: badDatasetId }),
  /** With `datasetId: 'random'` only: the sample shape (channels-last, no batch dimension) and the class count (up to
   * 1,000: an ImageNet head, as the MobileNet and ResNet-50 presets have). */
  randomSpec: z.object({
    inputShape: z.array(z.number().int().min(1).max(4096)).min(1).max(3),
    numClasses: z.number().int().min(2).max(1000),
  }).optional(),
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().positive().max(1e6),
  /** SGD momentum (0 = plain SGD); RMSprop momentum too. */
  momentum: z.number().min(0).max(0.999),
  batchSize: z.number().int().min(1).max(4096),
  epochs: z.number().int().min(1).max(1000),
  /** Fraction of the (shuffled) training set held out for validation, 0 to disable. */
  validationSplit: z.number().min(0).max(0.5),
  shuffle: z.boolean(),
  /**
   * Seeds the split, the shuffling, augmentation, the weight initialisation and dropout masks (Math.random inside the
   * training workers).
   */
  seed: z.number().int().min(0).max(2 ** 31),
  /**
   * Same numbers on every run with the same seed, settings, backend and worker count: batches are split evenly across
   * the workers and never switch between split and solo. Off (default), the split follows the workers' measured speed,
   * which changes rounding and BatchNorm's per-slice statistics from run to run.
   */
  reproducible: z.boolean().optional(),
  /** Use only the first N training / test samples (quick runs). */
  trainLimit: z.number().int().min(1).optional(),
  testLimit: z.number().int().min(1).optional(),
  backend: z.enum(['auto', ...BACKENDS]),
  /** Also measure test-set accuracy after every epoch (benchmarks; costs one test pass per epoch). */
  testEachEpoch: z.boolean().optional(),
  /** wasm: use the fast training kernels of src/train/wasm/fast (default true; false measures the stock kernels). */
  fastKernels: z.boolean().optional(),
  /**
   * wasm: workers that train in parallel, each on a slice of every batch (./replicas.ts). Default: one per core, at
   * most 4; 1 without cross-origin isolation (no SharedArrayBuffer) or without the fast kernels.
   */
  workers: z.number().int().min(1).max(16).optional(),
  /** Random flips, shifts and rotations of training images (never of validation or test samples); images only. */
  augment: augmentationSchema.optional(),
}).refine((s) => (s.datasetId === RANDOM_DATASET) === (s.randomSpec !== undefined), {
  message: 'randomSpec { inputShape, numClasses } goes with datasetId "random", and only with it',
  path: ['randomSpec'],
});
export type TrainSettings = z.infer<typeof trainSettingsSchema>;

export const defaultTrainSettings: TrainSettings = {
  datasetId: 'mnist',
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  batchSize: 64,
  epochs: 5,
  validationSplit: 0.1,
  shuffle: true,
  seed: 1,
  backend: 'auto',
};

/** What a backend turned out to be once initialised. */
export interface BackendReport {
  name: BackendName;
  /** wasm only: SIMD build in use. */
  simd?: boolean;
  /** wasm only: threads in use (1 without cross-origin isolation). */
  threads?: number;
  /** wasm only: whether the threaded build could load (needs cross-origin isolation). */
  multithread?: boolean;
  /** Workers training in parallel on slices of each batch (data parallelism); 1 when absent. */
  workers?: number;
  /** Why fewer workers train than the settings asked for (a follower failed to start, the model is too large to share). */
  workersNote?: string;
  /** How the backend was chosen: by the user, by a probe of this model, from a cached probe, or as the last resort. */
  decision?: BackendDecision;
}

/** One backend's figure from the probe: real training steps of the run's model at its batch size. */
export interface BackendTiming {
  backend: BackendName;
  samplesPerSec: number;
  /** Timed steps (the warm-up step excluded) and their total time. */
  steps: number;
  ms: number;
}

/** A backend the probe left out, and why ("unavailable (no adapter)", "dropped: warm-up took 4.1 s, over the 3 s cap"). */
export interface BackendDropped {
  backend: BackendName;
  reason: string;
}

/**
 * Why a run trains on its backend. `yours`: picked in the Backend select (no probe). `probed`: measured at this start.
 * `cached`: a probe of a model of this size on this device, remembered in the browser. `fallback`: nothing measured
 * could run, so cpu.
 */
export interface BackendDecision {
  backend: BackendName;
  how: 'yours' | 'probed' | 'cached' | 'fallback';
  timings: BackendTiming[];
  dropped: BackendDropped[];
  /** Wall time of the probe (of the original probe, for `cached`). */
  probeMs: number;
  /** The cache key (device and model size bucket), when the decision was probed or read from the cache. */
  key?: string;
}

/** Remembered probe decisions by cache key, as the main thread read them from localStorage (./backend-probe.ts). */
export type BackendCacheEntries = Record<string, { backend: BackendName; timings: BackendTiming[]; dropped: BackendDropped[]; probeMs: number; at: number }>;

/** How the output layer is trained: the loss follows the head's activation. */
export type LossKind = 'categoricalCrossentropy' | 'softmaxCrossEntropyFromLogits' | 'binaryCrossentropy';

export type ToWorker =
  | {
      type: 'start'; graph: Graph; settings: TrainSettings; /** URL prefix of public/ (import.meta.env.BASE_URL). */ baseUrl: string;
      /** Probe decisions remembered in this browser (workers have no localStorage); `auto` uses the one for its key. */
      backendCache?: BackendCacheEntries;
      /**
       * Continue a run from the end of epoch `epochsDone`: start from these weights and train epochs
       * `epochsDone + 1 … settings.epochs` (reported with those numbers). The optimizer's slots start afresh.
       * With `epochsDone: 0` a new run starts from these weights; they may cover only some layers (the unchanged
       * layers of an edited design, `carryWeights`), the others keep their seeded initial weights.
       */
      resume?: { weights: WeightSnapshot; epochsDone: number };
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Asks which backends initialise here; answered with `backends`. */
  | { type: 'probe'; baseUrl: string }
  /**
   * The main thread's liveness check while a run is on: answered with `pong` as soon as the worker's event loop is
   * free (between batches, while paused, while loading), so silence means a dead or stuck worker.
   */
  | { type: 'ping' };

export interface BatchMetrics {
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Raw values of the last batch and exponentially smoothed (bias-corrected) values. */
  loss: number;
  acc: number;
  smoothLoss: number;
  smoothAcc: number;
  /** Training samples seen in the run so far / in all epochs. */
  seen: number;
  total: number;
  samplesPerSec: number;
  etaSec: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  /** With `testEachEpoch`. */
  testLoss?: number;
  testAcc?: number;
  /** Wall time of the epoch (training and validation). */
  seconds: number;
}

export type StopReason = 'finished' | 'stopped' | 'nan';

/** What a run reports when it starts: the backend it got, the loss matched to the head, and the data sizes. */
export interface RunInfo {
  backend: BackendReport;
  loss: LossKind;
  trainSamples: number;
  valSamples: number;
  testSamples: number;
  batchesPerEpoch: number;
  params: number;
}

export type FromWorker =
  | { type: 'backends'; available: BackendName[]; preferred: BackendName | null }
  | { type: 'status'; phase: 'loading-data' | 'compiling' | 'training' | 'testing'; message: string }
  | ({ type: 'started' } & RunInfo)
  | ({ type: 'batch' } & BatchMetrics)
  | ({ type: 'epoch' } & EpochMetrics)
  /** The weights at the end of an epoch, sent right after its `epoch` message (the run store keeps them). */
  | { type: 'epoch-weights'; epoch: number; weights: WeightSnapshot }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'pong' }
  | {
      type: 'done';
      reason: StopReason;
      /** For 'nan' (and any other explanation worth showing). */
      message?: string;
      epochsDone: number;
      test?: { loss: number; acc: number };
      /** confusion[true class][predicted class] on the test set after the last epoch. */
      confusion?: number[][];
      weights: WeightSnapshot;
      seconds: number;
      /** tf.memory().numTensors before the run and after everything was disposed. */
      tensorsBefore: number;
      tensorsAfter: number;
      /** Data-parallel runs: the leader's mean ms per step in its own slice, waiting for followers, and the update. */
      parallel?: { ownMs: number; waitMs: number; updateMs: number; followerMs: number; followerApplyMs?: number; followerIdleMs?: number; steps: number; soloSteps: number; retiredAfter?: number };
    }
  | { type: 'error'; message: string; /** Nodes at fault when the graph did not compile. */ nodeIds?: string[] };

/** The training worker's message to a data-parallel follower (src/train/follower.ts): one per run. */
export interface FollowerInit {
  type: 'init';
  buffer: SharedArrayBuffer;
  plan: ReplicaPlan;
  /** This follower's replica index (1…replicas − 1; the leader is 0). */
  me: number;
  graph: Graph;
  /** The leader's initial weights, in `model.getWeights()` order. */
  weights: { shape: number[]; data: Float32Array }[];
  settings: TrainSettings;
  loss: LossKind;
  inputShape: number[];
  labelSize: number;
  baseUrl: string;
}

export type ToFollower = FollowerInit | { type: 'warm'; baseUrl: string };

export type FromFollower = { type: 'ready' } | { type: 'finished'; steps: number } | { type: 'error'; message: string };
