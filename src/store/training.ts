import { create } from 'zustand';
import type { Graph } from '../graph/types';
import {
  defaultTrainSettings,
  type BackendName,
  type BatchMetrics,
  type EpochMetrics,
  type RunInfo,
  type StopReason,
  type TrainSettings,
} from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';

export type { RunInfo };

export type TrainingStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'stopped' | 'failed';

/** One point of the per-batch curve; `x` is in epochs (epoch − 1 + batch / batchesPerEpoch). */
export interface BatchPoint {
  x: number;
  loss: number;
  acc: number;
}

export interface RunOutcome {
  reason: StopReason;
  seconds: number;
  epochsDone: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Training state shared by the Train and Inspect panels. The first four fields are the cross-team contract. */
export interface TrainingState {
  status: TrainingStatus;
  /** A built-in dataset id or an imported dataset's `user-…` id (same as `settings.datasetId`). */
  datasetId: string;
  /** Weights of the last trained model, with the graph fingerprint (see {@link graphKey}) they belong to. */
  weights: WeightSnapshot | null;
  weightsGraphKey: string | null;
  /** Curves of the current/last run: smoothed per-batch points and per-epoch figures. */
  history: { batches: BatchPoint[]; epochs: EpochMetrics[] };
  settings: TrainSettings;
  /** Latest progress report (epoch, batch, samples/s, ETA). */
  progress: BatchMetrics | null;
  run: RunInfo | null;
  outcome: RunOutcome | null;
  test: { loss: number; acc: number } | null;
  /** Backends that initialise in the worker (null until probed). */
  available: BackendName[] | null;
  /** What the worker is doing now ("Loading mnist…"). */
  phase: string;
  /** Shown to the user: failures (never swallowed), the NaN stop, etc. */
  message: { kind: 'error' | 'warning' | 'info'; text: string } | null;
  /** Nodes at fault when the graph did not compile. */
  errorNodeIds: string[];
}

/** Most batch points kept for the chart; older points are thinned by half when it is reached. */
export const MAX_BATCH_POINTS = 1500;

export const initialTrainingState = (): TrainingState => ({
  status: 'idle',
  datasetId: defaultTrainSettings.datasetId,
  weights: null,
  weightsGraphKey: null,
  history: { batches: [], epochs: [] },
  settings: { ...defaultTrainSettings },
  progress: null,
  run: null,
  outcome: null,
  test: null,
  available: null,
  phase: '',
  message: null,
  errorNodeIds: [],
});

export const useTrainingStore = create<TrainingState>(() => initialTrainingState());

/** Changes settings (keeps `datasetId` in step with `settings.datasetId`). */
export function updateTrainSettings(patch: Partial<TrainSettings>): void {
  useTrainingStore.setState((s) => {
    const settings = { ...s.settings, ...patch };
    return { settings, datasetId: settings.datasetId };
  });
}

/** Appends a batch point, thinning the history by half when it reaches {@link MAX_BATCH_POINTS}. */
export function appendBatchPoint(points: BatchPoint[], p: BatchPoint): BatchPoint[] {
  const next = points.length >= MAX_BATCH_POINTS ? points.filter((_, i) => i % 2 === 1) : points.slice();
  next.push(p);
  return next;
}

/**
 * A fingerprint of what weights depend on: node ids, kinds, names, params and the wiring (not positions).
 * Trained weights apply to a graph only while its key is unchanged.
 */
export function graphKey(graph: Graph): string {
  const text = JSON.stringify({
    n: graph.nodes.map((n) => [n.id, n.kind, n.name, n.params]),
    e: graph.edges.map((e) => [e.source, e.target, e.targetIndex]),
  });
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = (Math.imul(h2, 31) + c) | 0;
  }
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}-${graph.nodes.length}`;
}
