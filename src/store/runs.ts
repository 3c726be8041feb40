import { create } from 'zustand';
import type { Graph } from '../graph/types';
import type { FromWorker } from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';
import { useDocStore, freshId } from './doc';
import { inferenceFor } from './inference';
import { openProject } from './persist';
import { RUN_RECORD_VERSION, runStore, type RunRecord, type RunStore } from './run-store';
import { observeTraining, trainingClient, type ResumePoint, type TrainingClient, type TrainingEvent } from './training-client';
import { appendBatchPoint, graphKey, useTrainingStore } from './training';
import { useUiStore } from './ui';

/**
 * Kept training runs as the UI sees them, and the recorder that saves the run in progress as it goes (records in
 * ./run-store.ts). The recorder writes the run when it starts, at every epoch (curves, then that epoch's weights),
 * every few seconds of batches, and when it ends; so a reload or crash loses at most the epoch in progress.
 */
export interface RunsState {
  runs: RunRecord[];
  /** Messages about stored runs that could not be read (kept in storage; never deleted for being unreadable). */
  skipped: string[];
  loaded: boolean;
  /** The run this page is recording now. */
  activeId: string | null;
  /** The last thing that could not be saved, worded for the user. */
  problem: string | null;
  /** Keep every epoch's weights of the next runs (playback), not only the newest and the best. */
  keepEveryEpoch: boolean;
  /** Bytes used and offered to this origin (all of Convas's storage), when the browser says. */
  storage: { usage: number; quota: number } | null;
}

const KEEP_KEY = 'convas.runs.keepEveryEpoch';

export const useRunsStore = create<RunsState>(() => ({
  runs: [],
  skipped: [],
  loaded: false,
  activeId: null,
  problem: null,
  keepEveryEpoch: storedKeepEveryEpoch(),
  storage: null,
}));

/** How a run stands: a `running` record that this page is not recording was interrupted (reload, crash). */
export type RunState = 'running' | 'interrupted' | 'finished' | 'stopped' | 'failed';

export function runState(run: RunRecord, activeId: string | null): RunState {
  if (run.status === 'running') return run.id === activeId ? 'running' : 'interrupted';
  return run.status;
}

/** The newest epoch whose weights are kept. */
export const lastKeptEpoch = (run: RunRecord): number | undefined => run.kept.at(-1)?.epoch;

/** Best validation accuracy (training accuracy without a validation split) over the run's epochs. */
export function bestAccuracy(run: RunRecord): number | undefined {
  const accs = run.epochs.map((e) => e.valAcc ?? e.acc).filter((a): a is number => typeof a === 'number');
  return accs.length ? Math.max(...accs) : undefined;
}

/** Whether the run can continue from its newest kept weights: it ended early and epochs are left. */
export function canResume(run: RunRecord, activeId: string | null): boolean {
  const state = runState(run, activeId);
  const last = lastKeptEpoch(run);
  return (state === 'interrupted' || state === 'stopped' || state === 'failed') && last !== undefined && last < run.settings.epochs;
}

export const runBytes = (run: RunRecord): number => run.kept.reduce((s, k) => s + k.bytes, 0) + JSON.stringify(run).length;

let store: RunStore = runStore;
let client: () => TrainingClient = trainingClient;

function upsert(run: RunRecord): void {
  useRunsStore.setState((s) => {
    const i = s.runs.findIndex((r) => r.id === run.id);
    const runs = i < 0 ? [run, ...s.runs] : s.runs.map((r, j) => (j === i ? run : r));
    return { runs };
  });
}

/** Says what could not be saved: in the Runs tab, and once as a toast wherever the user is. */
function problem(text: string): void {
  if (useRunsStore.getState().problem !== text) useUiStore.getState().toast('error', text);
  useRunsStore.setState({ problem: text });
}

function storedKeepEveryEpoch(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(KEEP_KEY) === '1';
  } catch {
    return false;
  }
}

/** Keep every epoch's weights of the next runs (remembered in this browser). */
export function setKeepEveryEpoch(keep: boolean): void {
  useRunsStore.setState({ keepEveryEpoch: keep });
  try {
    localStorage.setItem(KEEP_KEY, keep ? '1' : '0');
  } catch {
    // not remembered: the choice still holds for this page
  }
}

/** Reads the stored runs (and the storage estimate) into the store. */
export async function refreshRuns(): Promise<void> {
  try {
    const [{ runs, skipped }, est] = await Promise.all([store.listRuns(), store.estimate()]);
    useRunsStore.setState({ runs, skipped, loaded: true, storage: est && { usage: est.usage, quota: est.quota } });
  } catch (e) {
    useRunsStore.setState({ loaded: true, problem: `Stored runs could not be read: ${(e as Error).message}` });
  }
}

/** The recorder's write queue as last extended: it settles when every write queued so far has landed (or failed). */
let recorderWrites: Promise<void> = Promise.resolve();

/** Resolves once every run write queued until now has landed, and the writes those queued in turn. */
export async function runWritesSettled(): Promise<void> {
  let seen: Promise<void>;
  do {
    seen = recorderWrites;
    await seen;
  } while (seen !== recorderWrites);
}

/** The recorder: one run in progress at a time, its writes in order. */
function createRecorder() {
  let current: RunRecord | null = null;
  let queue: Promise<void> = Promise.resolve();
  let lastWrite = 0;
  let sessionStart = 0;
  let baseSeconds = 0;
  let began = false;
  /** The kept epochs of the run as last stored (weights are written after the record snapshots queued before them). */
  let kept: { id: string; list: RunRecord['kept'] } | null = null;

  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((e: unknown) => {
      const text = (e as Error).message;
      problem(text);
      if (current && !current.problems.includes(text)) current = { ...current, problems: [...current.problems, text].slice(-5) };
    });
    recorderWrites = queue;
    return queue;
  };

  /** Writes the current record as it is now. */
  function write(): void {
    if (!current) return;
    current = { ...current, updatedAt: Date.now(), seconds: baseSeconds + (performance.now() - sessionStart) / 1000 };
    const snapshot = current;
    lastWrite = performance.now();
    upsert(snapshot);
    // Weights written after this snapshot was taken changed the kept epochs: the record says what is stored.
    void enqueue(() => store.putRun(kept?.id === snapshot.id ? { ...snapshot, kept: kept.list } : snapshot));
  }

  function start(e: Extract<TrainingEvent, { type: 'start' }>): void {
    sessionStart = performance.now();
    const base = e.resume && useRunsStore.getState().runs.find((r) => r.id === e.resume!.runId);
    if (base && e.resume) {
      const upTo = e.resume.epochsDone;
      baseSeconds = base.epochs.filter((m) => m.epoch <= upTo).reduce((s, m) => s + m.seconds, 0);
      current = {
        ...base, status: 'running', epochs: base.epochs.filter((m) => m.epoch <= upTo), batches: e.resume.history.batches,
        test: undefined, confusion: undefined, message: undefined, resumes: base.resumes + 1,
      };
    } else {
      baseSeconds = 0;
      const doc = useDocStore.getState();
      const totals = inferenceFor(e.graph).totals;
      const n = useRunsStore.getState().runs.filter((r) => r.projectId === doc.projectId).length + 1;
      const now = Date.now();
      current = {
        version: RUN_RECORD_VERSION, id: freshId('run'), name: `${doc.project.name} · run ${n}`, projectId: doc.projectId, projectName: doc.project.name,
        createdAt: now, updatedAt: now, status: 'running', graph: e.graph, fingerprint: graphKey(e.graph), settings: e.settings,
        params: totals.params, macs: totals.macs, batches: [], epochs: [], seconds: 0, keepEveryEpoch: useRunsStore.getState().keepEveryEpoch,
        kept: [], problems: [], resumes: 0,
        ...(e.from ? { startedFrom: { runId: e.from.runId, kept: e.from.kept, fresh: e.from.fresh } } : {}),
      };
    }
    // Nothing is written until the worker says training started: a graph that does not compile is no run.
    began = false;
    useRunsStore.setState({ problem: null, activeId: null });
  }

  function message(m: FromWorker): void {
    if (!current) return;
    if (!began && m.type !== 'started') {
      if (m.type === 'done' || m.type === 'error') current = null;
      return;
    }
    switch (m.type) {
      case 'started': {
        const { type: _t, ...info } = m;
        current = { ...current, info };
        began = true;
        useRunsStore.setState({ activeId: current.id });
        write();
        break;
      }
      case 'batch':
        current = { ...current, batches: appendBatchPoint(current.batches, { x: m.epoch - 1 + m.batch / m.batchesPerEpoch, loss: m.smoothLoss, acc: m.smoothAcc }) };
        if (performance.now() - lastWrite > 5000) write();
        break;
      case 'epoch': {
        const { type: _t, ...metrics } = m;
        const epochs = [...current.epochs.filter((x) => x.epoch < m.epoch), metrics];
        const score = (x: (typeof epochs)[number]) => x.valAcc ?? x.acc;
        const best = epochs.reduce((b, x) => (score(x) > score(b) ? x : b), epochs[0]);
        current = { ...current, epochs, bestEpoch: best.epoch };
        write();
        break;
      }
      case 'epoch-weights': {
        const { epoch, weights } = m;
        void enqueue(async () => {
          if (!current) return;
          const stored = await store.putEpochWeights(kept?.id === current.id ? { ...current, kept: kept.list } : current, epoch, weights);
          kept = { id: stored.id, list: stored.kept };
          if (current?.id === stored.id) current = { ...current, kept: stored.kept };
          upsert(current ?? stored);
          const est = await store.estimate();
          if (est) useRunsStore.setState({ storage: { usage: est.usage, quota: est.quota } });
        });
        break;
      }
      case 'done':
        current = {
          ...current, status: m.reason === 'finished' ? 'finished' : m.reason === 'nan' ? 'failed' : 'stopped', test: m.test, message: m.message,
          ...(m.confusion ? { confusion: m.confusion } : {}),
          info: current.info,
        };
        write();
        finish();
        break;
      case 'error':
        current = { ...current, status: 'failed', message: m.message };
        write();
        finish();
        break;
    }
  }

  function finish(): void {
    const id = current?.id;
    // Weights still being written belong to this run: let them land before letting go of it.
    void queue.then(() => {
      if (current?.id === id) {
        current = null;
        useRunsStore.setState({ activeId: null });
      }
    });
  }

  /** The worker died mid-run: the run stays resumable from its last kept epoch, saying why it stopped. */
  function lostWorker(e: Extract<TrainingEvent, { type: 'lost' }>): void {
    if (!current) return;
    if (!began) {
      current = null;
      return;
    }
    current = { ...current, message: `The training worker ${e.reason}${e.during}.` };
    write();
    finish();
  }

  return (e: TrainingEvent) => (e.type === 'start' ? start(e) : e.type === 'lost' ? lostWorker(e) : message(e.message));
}

/**
 * Loads the newest kept weights of the newest run of this design into the training store, so Inspect and Export
 * use the trained model after a reload. Does nothing while training or when weights for this design are loaded.
 */
export async function restoreTrainedWeights(graph: Graph): Promise<boolean> {
  const key = graphKey(graph);
  const t = useTrainingStore.getState();
  if (t.status === 'training' || t.status === 'loading' || t.status === 'paused' || (t.weights && t.weightsGraphKey === key)) return false;
  const { runs, activeId } = useRunsStore.getState();
  const run = runs.find((r) => r.fingerprint === key && r.kept.length > 0 && r.id !== activeId);
  if (!run) return false;
  const epoch = lastKeptEpoch(run)!;
  try {
    const weights = await store.getWeights(run.id, epoch);
    if (graphKey(useDocStore.getState().project.graph) !== key || useTrainingStore.getState().status !== t.status) return false;
    useTrainingStore.setState({
      weights, weightsGraphKey: key, weightsGraph: run.graph, runGraphKey: key, history: { batches: run.batches.filter((b) => b.x <= epoch), epochs: run.epochs.filter((e) => e.epoch <= epoch) },
      test: epoch === run.epochs.at(-1)?.epoch ? (run.test ?? null) : null,
      message: runState(run, activeId) === 'interrupted'
        ? { kind: 'warning', text: `"${run.name}" was interrupted after epoch ${epoch}; its weights from then are loaded. Resume it from the Runs tab.` }
        : { kind: 'info', text: `Trained weights of "${run.name}" (epoch ${epoch}) restored from this browser.` },
    });
    return true;
  } catch (e) {
    problem((e as Error).message);
    return false;
  }
}

/** Continues a run from its newest kept weights (the optimizer's slots start afresh). */
export async function resumeRun(run: RunRecord): Promise<void> {
  const epoch = lastKeptEpoch(run);
  if (epoch === undefined) throw new Error(`"${run.name}" has no kept weights to resume from.`);
  const weights = await store.getWeights(run.id, epoch);
  const point: ResumePoint = {
    runId: run.id, epochsDone: epoch, weights, settings: run.settings,
    history: { batches: run.batches.filter((b) => b.x <= epoch), epochs: run.epochs.filter((e) => e.epoch <= epoch) },
  };
  if (graphKey(useDocStore.getState().project.graph) !== run.fingerprint) openDesign(run);
  client().start(run.graph, point);
}

/** Opens a run's design as a new project. */
export function openDesign(run: RunRecord): void {
  openProject({ format: 'convas-project', version: 1, name: run.name, graph: run.graph });
}

export async function deleteRun(run: RunRecord): Promise<void> {
  await store.deleteRun(run.id);
  useRunsStore.setState((s) => ({ runs: s.runs.filter((r) => r.id !== run.id) }));
  await refreshRuns();
}

export async function deleteRunWeights(run: RunRecord): Promise<void> {
  upsert(await store.deleteRunWeights(run));
  await refreshRuns();
}

/**
 * Saves a confusion matrix that Inspect computed on the latest trained weights of this design into the newest run of
 * it (the run those weights came from).
 */
export async function saveConfusionForDesign(graph: Graph, confusion: number[][]): Promise<void> {
  const key = graphKey(graph);
  const { runs, activeId } = useRunsStore.getState();
  const run = runs.find((r) => r.fingerprint === key && r.kept.length > 0 && r.id !== activeId);
  if (run && useTrainingStore.getState().weightsGraphKey === key) await saveRunConfusion(run.id, confusion);
}

/** Saves a confusion matrix computed on a run's kept weights (Inspect) into the run. */
export async function saveRunConfusion(runId: string, confusion: number[][]): Promise<void> {
  const run = useRunsStore.getState().runs.find((r) => r.id === runId);
  if (!run || runId === useRunsStore.getState().activeId) return;
  const next = { ...run, confusion };
  upsert(next);
  await store.putRun(next).catch((e: unknown) => problem((e as Error).message));
}

let started = false;
/**
 * Starts keeping runs: reads the stored ones, records every run from now on, and restores the trained weights of the
 * open design (also when another project is opened). Call once at boot; returns the stop function.
 */
export function startRuns(options: { store?: RunStore; client?: TrainingClient } = {}): () => void {
  if (options.store) store = options.store;
  if (options.client) client = () => options.client!;
  if (started) return () => {};
  started = true;
  const unobserve = observeTraining(createRecorder());
  void refreshRuns().then(() => restoreTrainedWeights(useDocStore.getState().project.graph));
  const unsub = useDocStore.subscribe((s, prev) => {
    if (s.projectId !== prev.projectId) void restoreTrainedWeights(s.project.graph);
  });
  return () => {
    started = false;
    unobserve();
    unsub();
  };
}

/** Inspect's playback of a run: the weights of one kept epoch shown instead of the latest ones (null: the latest). */
export interface ReplayState {
  runId: string | null;
  epoch: number | null;
  weights: WeightSnapshot | null;
}

export const useReplayStore = create<ReplayState>(() => ({ runId: null, epoch: null, weights: null }));

const replayCache = new Map<string, Promise<WeightSnapshot>>();
/** At most this many epochs' weights are held in memory for scrubbing (ResNet-20: about 1 MB each). */
const REPLAY_CACHE = 64;

/** Reads one kept epoch's weights, through a small cache so scrubbing back and forth reads storage once. */
export function replayWeights(runId: string, epoch: number): Promise<WeightSnapshot> {
  const key = `${runId}:${epoch}`;
  let p = replayCache.get(key);
  if (!p) {
    p = store.getWeights(runId, epoch);
    p.catch(() => replayCache.delete(key));
    replayCache.set(key, p);
    if (replayCache.size > REPLAY_CACHE) replayCache.delete(replayCache.keys().next().value!);
  }
  return p;
}

let replayAsk = 0;
/**
 * Shows epoch `epoch` of a run in Inspect (null: back to the latest weights). Only the newest call takes effect:
 * one still reading its weights when another comes is dropped.
 */
export async function showReplayEpoch(runId: string | null, epoch: number | null): Promise<void> {
  const ask = ++replayAsk;
  if (runId === null || epoch === null) {
    useReplayStore.setState({ runId: null, epoch: null, weights: null });
    return;
  }
  const weights = await replayWeights(runId, epoch);
  if (ask === replayAsk) useReplayStore.setState({ runId, epoch, weights });
}
