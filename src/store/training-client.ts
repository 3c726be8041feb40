import type { Graph } from '../graph/types';
import type { BackendCacheEntries, FromWorker, ToWorker, TrainSettings } from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';
import type { WeightCarry } from '../compile/carry';
import { loadBackendCache, rememberDecision } from '../train/backend-probe';
import { appendBatchPoint, graphKey, initialTrainingState, useTrainingStore, type TrainingState } from './training';
import { useUiStore } from './ui';

/**
 * The main thread's side of training: owns the worker, forwards commands, and turns the worker's messages into
 * `useTrainingStore` updates. Nothing here touches tfjs, so the editor never loads it.
 */
export interface TrainingClient {
  probe(): void;
  /**
   * Starts a run of `graph` with the store's settings, or continues a kept run (see {@link ResumePoint}), or starts
   * from the trained weights of an earlier design's unchanged layers (see {@link CarriedStart}).
   */
  start(graph: Graph, resume?: ResumePoint, from?: CarriedStart): void;
  pause(): void;
  resume(): void;
  stop(): void;
  /** The Train tab's answer to a silent worker: wait another while. */
  keepWaiting(): void;
  /** The Train tab's answer to a silent worker: end it and mark the run interrupted. */
  giveUp(): void;
  /** Ends the worker (tests, page teardown). */
  terminate(): void;
  /** Terminates the worker without telling the client (the e2e hook; what a crash looks like from here). */
  killWorkerForTest(): void;
}

type WorkerFactory = () => Worker;

/** Where an interrupted run continues: its weights and curves at the end of epoch `epochsDone`, and its settings. */
export interface ResumePoint {
  runId: string;
  epochsDone: number;
  weights: WeightSnapshot;
  settings: TrainSettings;
  history: TrainingState['history'];
}

/**
 * A new run that starts from the trained weights of an earlier design: those of its unchanged layers (`carryWeights`,
 * renamed to this graph's layers); the layers in `fresh` start from their initial weights.
 */
export interface CarriedStart {
  weights: WeightSnapshot;
  kept: string[];
  fresh: { name: string; reason: string }[];
  /** The run the weights came from, when known. */
  runId?: string;
}

/**
 * What training observers see: each start (with its graph and settings), each worker message, in order, and the loss
 * of the worker mid-run (`lost`: it crashed or was given up on; `epochsDone` epochs are kept).
 */
export type TrainingEvent =
  | { type: 'start'; graph: Graph; settings: TrainSettings; resume?: ResumePoint; from?: CarriedStart }
  | { type: 'message'; message: FromWorker }
  | { type: 'lost'; reason: string; /** " during epoch 2" */ during: string; epochsDone: number };
const observers = new Set<(e: TrainingEvent) => void>();

/** Observes training (the run recorder of ./runs.ts); returns the unsubscribe function. */
export function observeTraining(observer: (e: TrainingEvent) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}
const notify = (e: TrainingEvent) => observers.forEach((o) => o(e));

const defaultFactory: WorkerFactory = () => new Worker(new URL('../train/worker.ts', import.meta.url), { type: 'module', name: 'convas-train' });

function baseUrl(): string {
  return (import.meta as ImportMeta & { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
}

/**
 * Applies one worker message to the store; `key` and `graph` are those of the run the message belongs to (the trained
 * weights are stamped with them). Exported for tests.
 */
export function applyWorkerMessage(m: FromWorker, key: string | null, graph: Graph | null = null): void {
  const set = useTrainingStore.setState;
  switch (m.type) {
    case 'backends':
      set({ available: m.available });
      break;
    case 'status':
      set({ phase: m.message, status: m.phase === 'training' || m.phase === 'testing' ? 'training' : 'loading' });
      break;
    case 'started':
      // A fresh probe is remembered in this browser (the worker has no localStorage): the next run of a model this
      // size starts at once.
      if (m.backend.decision?.how === 'probed') rememberDecision(m.backend.decision);
      set({ run: { backend: m.backend, loss: m.loss, trainSamples: m.trainSamples, valSamples: m.valSamples, testSamples: m.testSamples, batchesPerEpoch: m.batchesPerEpoch, params: m.params } });
      break;
    case 'batch': {
      const { type: _t, ...metrics } = m;
      set((s) => ({
        progress: metrics,
        history: {
          ...s.history,
          batches: appendBatchPoint(s.history.batches, { x: m.epoch - 1 + m.batch / m.batchesPerEpoch, loss: m.smoothLoss, acc: m.smoothAcc }),
        },
      }));
      break;
    }
    case 'epoch': {
      const { type: _t, ...metrics } = m;
      set((s) => ({ history: { ...s.history, epochs: [...s.history.epochs, metrics] } }));
      break;
    }
    case 'paused':
      set({ status: 'paused', phase: 'Paused' });
      break;
    case 'resumed':
      set({ status: 'training', phase: 'Training…' });
      break;
    case 'done':
      set({
        status: m.reason === 'finished' ? 'done' : m.reason === 'nan' ? 'failed' : 'stopped',
        phase: m.reason === 'finished' ? 'Finished' : m.reason === 'nan' ? 'Stopped: the loss diverged' : 'Stopped',
        test: m.test ?? null,
        weights: m.weights.length ? m.weights : useTrainingStore.getState().weights,
        weightsGraphKey: m.weights.length ? key : useTrainingStore.getState().weightsGraphKey,
        weightsGraph: m.weights.length ? graph : useTrainingStore.getState().weightsGraph,
        outcome: { reason: m.reason, seconds: m.seconds, epochsDone: m.epochsDone, tensorsBefore: m.tensorsBefore, tensorsAfter: m.tensorsAfter },
        message: m.message ? { kind: m.reason === 'nan' ? 'error' : 'info', text: m.message } : null,
      });
      break;
    case 'error':
      set({ status: 'failed', phase: 'Failed', message: { kind: 'error', text: m.message }, errorNodeIds: m.nodeIds ?? [] });
      break;
  }
}

/**
 * How a run's worker is watched for death that sends no event (terminated, killed for memory, stuck): a `ping` every
 * `pingMs`; silence (no message at all) for `askMs` while the page is visible makes the Train tab ask whether to keep
 * waiting; `declareMs` of visible silence ends the wait without asking. Time the page spends hidden does not count
 * (browsers slow its timers; the user was not there to be asked).
 */
export interface Liveness {
  pingMs: number;
  askMs: number;
  declareMs: number;
}
export const DEFAULT_LIVENESS: Liveness = { pingMs: 5_000, askMs: 45_000, declareMs: 600_000 };

export interface TrainingClientOptions {
  liveness?: Liveness;
  /** Whether the page is shown (default: `document.visibilityState`). */
  visible?: () => boolean;
}

/** Where a run was when its worker died: " during epoch 2", or " during the final test" once every epoch finished. */
export function whereStopped(epochsKept: number, plannedEpochs: number, reportedEpoch: number | undefined): string {
  if (epochsKept >= plannedEpochs) return ' during the final test';
  return ` during epoch ${Math.max(reportedEpoch ?? 0, epochsKept + 1)}`;
}

/** The Train tab's message after the worker died mid-run: what happened, what is kept, what to do. */
export function interruptedText(reason: string, during: string, epochsKept: number, plannedEpochs: number): string {
  if (epochsKept === 0) return `Training stopped: the training worker ${reason}${during}, before the first epoch finished, so there is nothing to resume; train again.`;
  if (epochsKept >= plannedEpochs) return `Training stopped: the training worker ${reason}${during}. All ${epochsKept} epochs finished and are kept (their weights are loaded for Inspect and Export); only the test figures are missing.`;
  return `Training stopped: the training worker ${reason}${during}. Everything up to epoch ${epochsKept} is kept (its weights are loaded for Inspect and Export); resume from epoch ${epochsKept + 1}.`;
}

const seconds = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`);

export function createTrainingClient(factory: WorkerFactory = defaultFactory, options: TrainingClientOptions = {}): TrainingClient {
  const liveness = options.liveness ?? DEFAULT_LIVENESS;
  const visible = options.visible ?? (() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  let worker: Worker | null = null;
  let key: string | null = null;
  let runGraph: Graph | null = null;
  /** A run is on in the worker (from start until done/error): only then is silence a death. */
  let running = false;
  /** The newest finished epoch of the run and its weights (what an interruption keeps). */
  let lastEpoch = 0;
  let lastWeights: WeightSnapshot | null = null;
  let plannedEpochs = 1;
  let lastHeard = 0;
  let watch: ReturnType<typeof setInterval> | null = null;
  const send = (m: ToWorker) => ensure().postMessage(m);

  // Hidden pages get their timers slowed to about one a minute: coming back, the silence is counted from now.
  const onVisibility = () => {
    if (visible()) lastHeard = Math.max(lastHeard, Date.now());
  };

  function stopWatch(): void {
    if (watch !== null) clearInterval(watch);
    watch = null;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
    if (useTrainingStore.getState().silentSince !== null) useTrainingStore.setState({ silentSince: null });
  }

  function startWatch(): void {
    stopWatch();
    lastHeard = Date.now();
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);
    watch = setInterval(() => {
      const now = Date.now();
      if (!visible()) lastHeard = Math.max(lastHeard, now - liveness.pingMs);
      const silent = now - lastHeard;
      if (silent >= liveness.declareMs) lost(`did not answer for ${seconds(silent)}`);
      else {
        if (silent >= liveness.askMs && useTrainingStore.getState().silentSince === null) useTrainingStore.setState({ silentSince: lastHeard });
        worker?.postMessage({ type: 'ping' } satisfies ToWorker);
      }
    }, liveness.pingMs);
  }

  /**
   * The worker is gone (or given up on): end it, and end its run as interrupted with everything up to its last
   * finished epoch (the recorder keeps the run resumable from there).
   */
  function lost(reason: string): void {
    const w = worker;
    worker = null;
    w?.terminate();
    stopWatch();
    const wasRunning = running;
    running = false;
    if (!wasRunning) {
      const failed: FromWorker = { type: 'error', message: `The training worker failed: ${reason}` };
      applyWorkerMessage(failed, key);
      notify({ type: 'message', message: failed });
      return;
    }
    const s = useTrainingStore.getState();
    const during = whereStopped(lastEpoch, plannedEpochs, s.progress?.epoch);
    const text = interruptedText(reason, during, lastEpoch, plannedEpochs);
    useTrainingStore.setState({
      status: 'interrupted', phase: 'Interrupted', silentSince: null, message: { kind: 'warning', text },
      ...(lastWeights ? { weights: lastWeights, weightsGraphKey: key, weightsGraph: runGraph, test: null } : {}),
    });
    useUiStore.getState().toast('error', text);
    notify({ type: 'lost', reason, during, epochsDone: lastEpoch });
  }

  function ensure(): Worker {
    if (worker) return worker;
    const w = factory();
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      if (w !== worker) return;
      lastHeard = Date.now();
      if (useTrainingStore.getState().silentSince !== null) useTrainingStore.setState({ silentSince: null });
      const m = e.data;
      if (m.type === 'pong') return;
      if (m.type === 'epoch-weights') {
        lastEpoch = m.epoch;
        lastWeights = m.weights;
      }
      if (m.type === 'done' || m.type === 'error') {
        running = false;
        stopWatch();
      }
      applyWorkerMessage(m, key, runGraph);
      notify({ type: 'message', message: m });
      testHooks?.afterMessage(m, w);
    };
    w.onerror = (e) => {
      e.preventDefault();
      if (w === worker) lost(`crashed (${e.message || 'an uncaught error'})`);
    };
    w.onmessageerror = () => {
      if (w === worker) lost('sent a message that could not be read');
    };
    worker = w;
    return w;
  }
  const client: TrainingClient = {
    probe: () => send({ type: 'probe', baseUrl: baseUrl() }),
    start(graph, resume, from) {
      const s = useTrainingStore.getState();
      if (s.status === 'training' || s.status === 'loading' || s.status === 'paused') return;
      key = graphKey(graph);
      runGraph = graph;
      const fresh = initialTrainingState();
      const settings = resume?.settings ?? s.settings;
      running = true;
      lastEpoch = resume?.epochsDone ?? 0;
      lastWeights = resume?.weights ?? null;
      plannedEpochs = settings.epochs;
      useTrainingStore.setState({
        status: 'loading', phase: 'Starting…', runGraphKey: key, history: resume?.history ?? fresh.history, progress: null, run: null, outcome: null, test: null, message: null, errorNodeIds: [], silentSince: null,
        ...(resume ? { settings, datasetId: settings.datasetId } : {}),
      });
      notify({ type: 'start', graph, settings, resume, from });
      send(startMessage(graph, settings, baseUrl(), { resume, from, backendCache: settings.backend === 'auto' ? loadBackendCache() : undefined }));
      startWatch();
    },
    pause: () => worker?.postMessage({ type: 'pause' } satisfies ToWorker),
    resume: () => worker?.postMessage({ type: 'resume' } satisfies ToWorker),
    stop: () => worker?.postMessage({ type: 'stop' } satisfies ToWorker),
    keepWaiting() {
      lastHeard = Date.now();
      useTrainingStore.setState({ silentSince: null });
    },
    giveUp() {
      if (running) lost(`did not answer for ${seconds(Date.now() - lastHeard)} and you stopped waiting`);
    },
    terminate() {
      stopWatch();
      running = false;
      worker?.terminate();
      worker = null;
    },
    killWorkerForTest: () => worker?.terminate(),
  };
  return client;
}

/**
 * The `start` message of a run: a fresh run, a resumed one (its kept weights and epochs), or a fresh run that starts
 * from the carried weights of an earlier design's unchanged layers (`from`; the changed layers start from their seeded
 * initial weights).
 */
export function startMessage(graph: Graph, settings: TrainSettings, base: string, o: { resume?: ResumePoint; from?: CarriedStart; backendCache?: BackendCacheEntries } = {}): Extract<ToWorker, { type: 'start' }> {
  const resume = o.resume ? { weights: o.resume.weights, epochsDone: o.resume.epochsDone } : o.from && o.from.weights.length > 0 ? { weights: o.from.weights, epochsDone: 0 } : undefined;
  return { type: 'start', graph, settings, baseUrl: base, backendCache: o.backendCache, resume };
}

/** A run start from what `carryWeights` kept of an earlier design's weights (null when no layer keeps any). */
export function carriedStart(carry: WeightCarry, runId?: string): CarriedStart | null {
  if (carry.kept.length === 0) return null;
  return { weights: carry.snapshot, kept: carry.kept.map((k) => k.name), fresh: carry.fresh.map((f) => ({ name: f.name, reason: f.reason })), ...(runId ? { runId } : {}) };
}

/** Test builds only (the page opened with `e2e-hooks` in its URL): lets an e2e story kill the worker mid-run. */
interface TestHooks {
  afterMessage(m: FromWorker, w: Worker): void;
}
let testHooks: TestHooks | null = null;

declare global {
  interface Window {
    __convasTest?: {
      /** Terminates the training worker without telling the app, now or right after epoch `afterEpoch` is reported. */
      killTrainingWorker(o?: { afterEpoch?: number }): void;
      /** True once the hook terminated a worker. */
      workerKilled: boolean;
      /** A finished run of the open design with `epochs` kept epochs of synthetic weights (src/ui/runs/test-hooks.ts). */
      seedReplayRun?(epochs: number): Promise<{ runId: string; epochs: number[] }>;
    };
  }
}

function installTestHooks(): void {
  let afterEpoch: number | null = null;
  const api: NonNullable<Window['__convasTest']> = {
    workerKilled: false,
    killTrainingWorker(o = {}) {
      if (o.afterEpoch === undefined) {
        trainingClient().killWorkerForTest();
        api.workerKilled = true;
      } else afterEpoch = o.afterEpoch;
    },
  };
  testHooks = {
    afterMessage(m, w) {
      if (afterEpoch !== null && m.type === 'epoch-weights' && m.epoch >= afterEpoch) {
        afterEpoch = null;
        w.terminate();
        api.workerKilled = true;
      }
    },
  };
  window.__convasTest = api;
}

const hooksWanted = typeof location !== 'undefined' && typeof window !== 'undefined' && new URLSearchParams(location.search).has('e2e-hooks');
if (hooksWanted) installTestHooks();

let shared: TrainingClient | null = null;
/** The app's one training client (created on first use, so the worker starts only when the Train tab needs it). */
export function trainingClient(): TrainingClient {
  // Test builds check liveness often, so a story sees a killed worker's silence within seconds.
  shared ??= createTrainingClient(defaultFactory, hooksWanted ? { liveness: { pingMs: 500, askMs: 3_000, declareMs: 600_000 } } : {});
  return shared;
}
