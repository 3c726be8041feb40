import { create } from 'zustand';
import { modelFingerprint } from '../graph/fingerprint';
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

/** `interrupted`: the worker died mid-run (crash, out of memory, an uncaught error, or silence given up on). */
export type TrainingStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'stopped' | 'failed' | 'interrupted';

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
  /**
   * The graph the weights were trained for (null when unknown: then they are matched to the current graph by layer
   * name). An edited graph keeps the weights of its unchanged layers (`carryWeights` in src/compile/carry.ts).
   */
  weightsGraph: Graph | null;
  /** Fingerprint of the graph the current/last run started with: its curves and test figures are of that design. */
  runGraphKey: string | null;
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
  /**
   * Set (to the time the worker was last heard from) while a run's worker has not answered for a long time: the Train
   * tab asks whether to keep waiting or to mark the run interrupted.
   */
  silentSince: number | null;
}

/** Most batch points kept for the chart; older points are thinned by half when it is reached. */
export const MAX_BATCH_POINTS = 1500;

export const initialTrainingState = (): TrainingState => ({
  status: 'idle',
  datasetId: defaultTrainSettings.datasetId,
  weights: null,
  weightsGraphKey: null,
  weightsGraph: null,
  runGraphKey: null,
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
  silentSince: null,
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
 * The fingerprint results are stamped with: what the model computes (ids, kinds, params, wiring), not positions or
 * names (see `modelFingerprint`). A result is stale when its stamp differs from the current graph's.
 */
export function graphKey(graph: Graph): string {
  return modelFingerprint(graph);
}
