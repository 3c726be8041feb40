import type { Graph } from '../graph/types';
import type { FromWorker, ToWorker, TrainSettings } from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';
import { loadBackendCache, rememberDecision } from '../train/backend-probe';
import { appendBatchPoint, graphKey, initialTrainingState, useTrainingStore, type TrainingState } from './training';

/**
 * The main thread's side of training: owns the worker, forwards commands, and turns the worker's messages into
 * `useTrainingStore` updates. Nothing here touches tfjs, so the editor never loads it.
 */
export interface TrainingClient {
  probe(): void;
  /** Starts a run of `graph` with the store's settings, or continues a kept run (see {@link ResumePoint}). */
  start(graph: Graph, resume?: ResumePoint): void;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Ends the worker (tests, page teardown). */
  terminate(): void;
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

/** What training observers see: each start (with its graph and settings) and each worker message, in order. */
export type TrainingEvent = { type: 'start'; graph: Graph; settings: TrainSettings; resume?: ResumePoint } | { type: 'message'; message: FromWorker };
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

export function createTrainingClient(factory: WorkerFactory = defaultFactory): TrainingClient {
  let worker: Worker | null = null;
  let key: string | null = null;
  let runGraph: Graph | null = null;
  const send = (m: ToWorker) => ensure().postMessage(m);
  function ensure(): Worker {
    if (worker) return worker;
    const w = factory();
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      applyWorkerMessage(e.data, key, runGraph);
      notify({ type: 'message', message: e.data });
    };
    w.onerror = (e) => {
      e.preventDefault();
      const failed: FromWorker = { type: 'error', message: `The training worker failed: ${e.message || 'unknown error'}` };
      applyWorkerMessage(failed, key);
      notify({ type: 'message', message: failed });
      worker?.terminate();
      worker = null;
    };
    w.onmessageerror = () => applyWorkerMessage({ type: 'error', message: 'A training message could not be read.' }, key);
    worker = w;
    return w;
  }
  return {
    probe: () => send({ type: 'probe', baseUrl: baseUrl() }),
    start(graph, resume) {
      const s = useTrainingStore.getState();
      if (s.status === 'training' || s.status === 'loading' || s.status === 'paused') return;
      key = graphKey(graph);
      runGraph = graph;
      const fresh = initialTrainingState();
      const settings = resume?.settings ?? s.settings;
      useTrainingStore.setState({
        status: 'loading', phase: 'Starting…', runGraphKey: key, history: resume?.history ?? fresh.history, progress: null, run: null, outcome: null, test: null, message: null, errorNodeIds: [],
        ...(resume ? { settings, datasetId: settings.datasetId } : {}),
      });
      notify({ type: 'start', graph, settings, resume });
      send({
        type: 'start', graph, settings, baseUrl: baseUrl(), backendCache: settings.backend === 'auto' ? loadBackendCache() : undefined,
        resume: resume && { weights: resume.weights, epochsDone: resume.epochsDone },
      });
    },
    pause: () => worker?.postMessage({ type: 'pause' } satisfies ToWorker),
    resume: () => worker?.postMessage({ type: 'resume' } satisfies ToWorker),
    stop: () => worker?.postMessage({ type: 'stop' } satisfies ToWorker),
    terminate() {
      worker?.terminate();
      worker = null;
    },
  };
}

let shared: TrainingClient | null = null;
/** The app's one training client (created on first use, so the worker starts only when the Train tab needs it). */
export function trainingClient(): TrainingClient {
  shared ??= createTrainingClient();
  return shared;
}
