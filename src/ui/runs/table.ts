import type { RunRecord } from '../../store/run-store';
import { bestAccuracy, runBytes, runState, type RunState } from '../../store/runs';

/** One row of the Runs table: what is shown and sorted on, derived from the stored record. */
export interface RunRow {
  id: string;
  name: string;
  project: string;
  state: RunState;
  fingerprint: string;
  dataset: string;
  params: number;
  macs: number;
  /** Finished epochs / planned epochs. */
  epochs: number;
  plannedEpochs: number;
  bestVal: number | undefined;
  test: number | undefined;
  seconds: number;
  backend: string;
  /** Weights kept (epochs) and bytes of the whole run in storage. */
  keptEpochs: number[];
  bytes: number;
  createdAt: number;
}

export function rowOf(run: RunRecord, activeId: string | null): RunRow {
  return {
    id: run.id,
    name: run.name,
    project: run.projectName,
    state: runState(run, activeId),
    fingerprint: run.fingerprint,
    dataset: run.settings.datasetId,
    params: run.params,
    macs: run.macs,
    epochs: run.epochs.at(-1)?.epoch ?? 0,
    plannedEpochs: run.settings.epochs,
    bestVal: bestAccuracy(run),
    test: run.test?.acc,
    seconds: run.seconds,
    backend: run.info?.backend.name ?? '',
    keptEpochs: run.kept.map((k) => k.epoch),
    bytes: runBytes(run),
    createdAt: run.createdAt,
  };
}

export type SortKey = 'name' | 'state' | 'fingerprint' | 'dataset' | 'params' | 'macs' | 'epochs' | 'bestVal' | 'test' | 'seconds' | 'backend' | 'bytes' | 'createdAt';

/** Sorted copy; missing values (no validation, no test yet) go last either way. */
export function sortRows(rows: readonly RunRow[], key: SortKey, dir: 'asc' | 'desc'): RunRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csv = (header: string[], lines: unknown[][]) => [header, ...lines].map((l) => l.map(csvCell).join(',')).join('\n') + '\n';

/** The table as CSV, one line per run, as shown (accuracies as fractions, time in seconds). */
export function tableCsv(rows: readonly RunRow[]): string {
  return csv(
    ['id', 'name', 'project', 'state', 'fingerprint', 'dataset', 'params', 'macs', 'epochs', 'planned_epochs', 'best_val_acc', 'test_acc', 'seconds', 'backend', 'kept_weight_epochs', 'bytes'],
    rows.map((r) => [r.id, r.name, r.project, r.state, r.fingerprint, r.dataset, r.params, r.macs, r.epochs, r.plannedEpochs, r.bestVal, r.test, r.seconds.toFixed(1), r.backend, r.keptEpochs.join(' '), r.bytes]),
  );
}

/** Per-epoch curves of the runs as CSV, one line per run and epoch. */
export function curvesCsv(runs: readonly RunRecord[]): string {
  return csv(
    ['run_id', 'run', 'epoch', 'loss', 'acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'seconds'],
    runs.flatMap((r) => r.epochs.map((e) => [r.id, r.name, e.epoch, e.loss, e.acc, e.valLoss, e.valAcc, e.testLoss, e.testAcc, e.seconds])),
  );
}

/** The runs as JSON: every field of the records (design, settings, curves, metrics) but no weights. */
export function runsJson(runs: readonly RunRecord[]): string {
  return JSON.stringify({ format: 'convas-runs', version: 1, runs: runs.map((r) => ({ ...r, keptWeightEpochs: r.kept.map((k) => k.epoch) })) }, null, 2);
}

/** Epoch-indexed points of several runs for one chart: `{ epoch, [runId]: value }`. */
export function overlay(runs: readonly RunRecord[], metric: 'loss' | 'acc' | 'valLoss' | 'valAcc'): Array<Record<string, number>> {
  const byEpoch = new Map<number, Record<string, number>>();
  for (const r of runs) {
    for (const e of r.epochs) {
      const v = e[metric];
      if (typeof v !== 'number') continue;
      const p = byEpoch.get(e.epoch) ?? { epoch: e.epoch };
      p[r.id] = v;
      byEpoch.set(e.epoch, p);
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

