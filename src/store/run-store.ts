/**
 * Training runs kept in this browser (IndexedDB, through idb), so a reload or a crash loses at most the epoch in
 * progress. Works in the main thread; nothing here knows about React.
 *
 * Layout (IndexedDB database `convas-runs`, schema version 1):
 * - `runs`: one {@link RunRecord} per run, keyed by `id`: the design, settings, curves, metrics and which epochs'
 *   weights are kept. Small (curves are thinned), so it is rewritten whole at every epoch.
 * - `weights`: one {@link WeightsRecord} per kept epoch, keyed by `[runId, epoch]`.
 *
 * Records carry `version` (the record version, not IndexedDB's schema version) and are upgraded on read by
 * {@link runMigrations}, as project files are (src/graph/project.ts); a record that cannot be read is skipped with a
 * message, never thrown, and never deleted: only the user deletes runs.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { graphSchema, migrateProject, type ProjectMigration } from '../graph/project';
import type { Graph } from '../graph/types';
import type { WeightSnapshot } from '../compile/weights';
import { storageEstimate, type StorageEstimate } from '../data/store';
import type { BatchPoint } from './training';
import type { EpochMetrics, RunInfo, TrainSettings } from '../train/protocol';

/** The record version this build writes and reads up to. */
export const RUN_RECORD_VERSION = 1;

/** Upgrade steps of stored run records, oldest first. Empty: version 1 is the first. */
export const runMigrations: readonly ProjectMigration[] = [];

/**
 * `running` is what a run in progress writes; read back after a reload (or by another tab) it means the run was
 * interrupted. The others are how the run ended.
 */
export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed';

/** One kept epoch's weights, as the run record lists them (the tensors live in the `weights` store). */
export interface KeptWeights {
  epoch: number;
  bytes: number;
}

/** Everything about one training run except its weights. */
export interface RunRecord {
  version: number;
  id: string;
  name: string;
  /** The project it was trained from (browser storage key and name at the time). */
  projectId: string;
  projectName: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  /** The design it trained, and its fingerprint (`graphKey`): weights apply to a graph with the same fingerprint. */
  graph: Graph;
  fingerprint: string;
  settings: TrainSettings;
  params: number;
  macs: number;
  /** What the worker reported at the start (backend, loss, sample counts); absent until training started. */
  info?: RunInfo;
  batches: BatchPoint[];
  epochs: EpochMetrics[];
  test?: { loss: number; acc: number };
  /** confusion[true][pred] on the test set: from the run's final test pass (or Inspect, for runs without one). */
  confusion?: number[][];
  /** Training wall time, summed over sessions when resumed. */
  seconds: number;
  /** Keep the weights of every epoch (playback) instead of only the last and the best. */
  keepEveryEpoch: boolean;
  /** Epochs whose weights are stored, ascending. */
  kept: KeptWeights[];
  /** The epoch with the best validation accuracy (training accuracy without a validation split). */
  bestEpoch?: number;
  /** Why the run ended badly, and anything that could not be saved. */
  message?: string;
  problems: string[];
  /** Times the run was resumed after an interruption (optimizer slots restarted each time). */
  resumes: number;
  /**
   * A run that started from the trained weights of an earlier design's unchanged layers: those layers (this design's
   * names), the layers that started fresh and why, and the run the weights came from when known.
   */
  startedFrom?: { runId?: string; kept: string[]; fresh: { name: string; reason: string }[] };
}

export interface WeightsRecord {
  runId: string;
  epoch: number;
  weights: WeightSnapshot;
}

/** A refusal of the run store, worded for the user. */
export class RunStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'quota' | 'not-found' | 'unreadable' | 'failed',
  ) {
    super(message);
    this.name = 'RunStoreError';
  }
}

interface Schema extends DBSchema {
  runs: { key: string; value: Record<string, unknown> };
  weights: { key: [string, number]; value: Record<string, unknown> };
}

const num = z.number();
const finiteOrNull = z.number().nullable().optional();
const epochSchema = z.looseObject({
  epoch: z.number().int().min(1), loss: num, acc: num, valLoss: finiteOrNull, valAcc: finiteOrNull, testLoss: finiteOrNull, testAcc: finiteOrNull, seconds: num,
});

/** What a run record must hold once migrated to the current version (fields a later version adds are kept). */
const runSchema = z.looseObject({
  version: z.number().int(),
  id: z.string().min(1),
  name: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  createdAt: num,
  updatedAt: num,
  status: z.enum(['running', 'finished', 'stopped', 'failed']),
  graph: graphSchema,
  fingerprint: z.string(),
  settings: z.looseObject({ datasetId: z.string(), epochs: z.number().int().min(1), batchSize: z.number().int(), optimizer: z.string(), learningRate: num }),
  params: num,
  macs: num,
  info: z.looseObject({ backend: z.looseObject({ name: z.string() }), trainSamples: num, valSamples: num, testSamples: num }).optional(),
  batches: z.array(z.object({ x: num, loss: num, acc: num })),
  epochs: z.array(epochSchema),
  test: z.object({ loss: num, acc: num }).optional(),
  confusion: z.array(z.array(z.number().int().min(0))).optional(),
  seconds: num,
  keepEveryEpoch: z.boolean(),
  kept: z.array(z.object({ epoch: z.number().int().min(1), bytes: z.number().int().min(0) })),
  bestEpoch: z.number().int().optional(),
  message: z.string().optional(),
  problems: z.array(z.string()),
  resumes: z.number().int().min(0),
  startedFrom: z.object({ runId: z.string().optional(), kept: z.array(z.string()), fresh: z.array(z.object({ name: z.string(), reason: z.string() })) }).optional(),
});

const weightsSchema = z.object({
  runId: z.string(),
  epoch: z.number().int(),
  weights: z.array(
    z.object({
      layer: z.string(),
      tensors: z.array(
        z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), data: z.instanceof(Float32Array) })
          .refine((t) => t.data.length === t.shape.reduce((a, b) => a * b, 1), 'data length does not match the shape'),
      ),
    }),
  ),
});

/** Bytes of the tensors of a snapshot. */
export function snapshotBytes(w: WeightSnapshot): number {
  return w.reduce((s, l) => s + l.tensors.reduce((t, x) => t + x.data.byteLength, 0), 0);
}

/** Rough bytes of a run record (its JSON), for the storage figures. */
export function recordBytes(r: RunRecord): number {
  return JSON.stringify(r).length;
}

const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`);
export { size as formatBytes };

function isQuotaError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'QuotaExceededError';
}
const describe = (e: unknown) => (e instanceof Error ? e.message || e.name : String(e));

/** Upgrades and checks one raw run record; the error is a sentence naming the run when it can. */
export function readRunRecord(raw: unknown, migrations: readonly ProjectMigration[] = runMigrations, target = RUN_RECORD_VERSION): { ok: true; run: RunRecord } | { ok: false; message: string } {
  const rec = raw as Record<string, unknown> | null;
  const id = rec && typeof rec.id === 'string' ? rec.id : undefined;
  const label = rec && typeof rec.name === 'string' ? `Run "${rec.name}"${id ? ` (${id})` : ''}` : `Stored run ${id ?? 'without an id'}`;
  const skip = (why: string) => ({ ok: false as const, message: `${label} was skipped: ${why}.` });
  if (!rec || typeof rec !== 'object') return skip('its record is not an object');
  if (typeof rec.version === 'number' && rec.version > target) {
    return skip(`it was saved by a newer Convas (record version ${rec.version}; this one reads up to ${target})`);
  }
  const migrated = migrateProject(rec, migrations, target);
  if (!migrated.ok) return skip(migrated.errors.join('; '));
  const parsed = runSchema.safeParse(migrated.value);
  if (!parsed.success) return skip(`its record is damaged (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ')})`);
  return { ok: true, run: parsed.data as unknown as RunRecord };
}

/** The epochs whose weights a run keeps after `epoch` was added: all, or the newest and the best. */
export function epochsToKeep(run: Pick<RunRecord, 'keepEveryEpoch' | 'bestEpoch'>, stored: readonly number[], epoch: number): number[] {
  const all = [...new Set([...stored, epoch])].sort((a, b) => a - b);
  if (run.keepEveryEpoch) return all;
  return all.filter((e) => e === epoch || e === run.bestEpoch);
}

export interface RunStoreOptions {
  dbName?: string;
  /** Space left for this origin, or null when the browser cannot say. */
  estimate?: () => Promise<StorageEstimate | null>;
  migrations?: readonly ProjectMigration[];
  version?: number;
}

/** A run store over one IndexedDB database. The app uses {@link runStore}; tests make their own. */
export function createRunStore(options: RunStoreOptions = {}) {
  const dbName = options.dbName ?? 'convas-runs';
  const estimate = options.estimate ?? storageEstimate;
  const migrations = options.migrations ?? runMigrations;
  const target = options.version ?? RUN_RECORD_VERSION;
  let dbp: Promise<IDBPDatabase<Schema>> | null = null;

  const open = () =>
    (dbp ??= openDB<Schema>(dbName, 1, {
      upgrade(db) {
        db.createObjectStore('runs', { keyPath: 'id' });
        db.createObjectStore('weights', { keyPath: ['runId', 'epoch'] });
      },
      blocking() {
        void dbp?.then((db) => db.close());
        dbp = null;
      },
    }));

  const failure = (what: string, e: unknown, needed?: number) =>
    isQuotaError(e)
      ? new RunStoreError(`Not enough browser storage to save ${what}${needed ? ` (${size(needed)})` : ''}. Delete runs or their weights in the Runs tab to make room.`, 'quota')
      : new RunStoreError(`Could not save ${what}: ${describe(e)}.`, 'failed');

  return {
    /** Writes a run record (not its weights). Throws a {@link RunStoreError} saying what could not be saved. */
    async putRun(run: RunRecord): Promise<void> {
      const db = await open();
      try {
        await db.put('runs', { ...run, version: target } as unknown as Record<string, unknown>);
      } catch (e) {
        throw failure(`run "${run.name}"`, e);
      }
    },

    /**
     * Stores one epoch's weights with the updated run record in one transaction, then keeps only the epochs
     * {@link epochsToKeep} names (the run's own policy: the newest and the best, or every epoch). Checks the quota
     * first: when the weights do not fit, nothing is written and older epochs stay.
     * Returns the run record as stored.
     */
    async putEpochWeights(run: RunRecord, epoch: number, weights: WeightSnapshot): Promise<RunRecord> {
      const bytes = snapshotBytes(weights);
      const est = await estimate().catch(() => null);
      if (est && bytes > est.available) {
        throw new RunStoreError(`Not enough browser storage to keep the weights of epoch ${epoch} of "${run.name}": they need ${size(bytes)} and ${size(est.available)} is left. Delete runs or their weights in the Runs tab; the curves are still saved.`, 'quota');
      }
      const keep = epochsToKeep(run, run.kept.map((k) => k.epoch), epoch);
      const byEpoch = new Map(run.kept.map((k) => [k.epoch, k.bytes]));
      byEpoch.set(epoch, bytes);
      const next: RunRecord = { ...run, version: target, kept: keep.map((e) => ({ epoch: e, bytes: byEpoch.get(e) ?? 0 })), updatedAt: Date.now() };
      const db = await open();
      const tx = db.transaction(['runs', 'weights'], 'readwrite');
      try {
        const ws = tx.objectStore('weights');
        await ws.put({ runId: run.id, epoch, weights } as unknown as Record<string, unknown>);
        for (const k of run.kept) if (!keep.includes(k.epoch)) await ws.delete([run.id, k.epoch]);
        await tx.objectStore('runs').put(next as unknown as Record<string, unknown>);
        await tx.done;
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already aborted by the failed request
        }
        await tx.done.catch(() => {});
        throw failure(`the weights of epoch ${epoch} of "${run.name}"`, isQuotaError(tx.error) ? tx.error : e, bytes);
      }
      return next;
    },

    /** Every readable run, newest first; unreadable records are skipped with a message (and left where they are). */
    async listRuns(): Promise<{ runs: RunRecord[]; skipped: string[] }> {
      const db = await open();
      const runs: RunRecord[] = [];
      const skipped: string[] = [];
      for (const raw of await db.getAll('runs')) {
        const r = readRunRecord(raw, migrations, target);
        if (r.ok) runs.push(r.run);
        else skipped.push(r.message);
      }
      runs.sort((a, b) => b.createdAt - a.createdAt);
      return { runs, skipped };
    },

    async getRun(id: string): Promise<RunRecord> {
      const raw = await (await open()).get('runs', id);
      if (raw === undefined) throw new RunStoreError(`There is no stored run "${id}"; it may have been deleted.`, 'not-found');
      const r = readRunRecord(raw, migrations, target);
      if (!r.ok) throw new RunStoreError(r.message, 'unreadable');
      return r.run;
    },

    /** One kept epoch's weights. Throws when they are missing or damaged. */
    async getWeights(runId: string, epoch: number): Promise<WeightSnapshot> {
      const raw = await (await open()).get('weights', [runId, epoch]);
      if (raw === undefined) throw new RunStoreError(`The weights of epoch ${epoch} of run ${runId} are not stored (deleted, or never saved).`, 'not-found');
      const parsed = weightsSchema.safeParse(raw);
      if (!parsed.success) throw new RunStoreError(`The weights of epoch ${epoch} of run ${runId} are damaged (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`, 'unreadable');
      return parsed.data.weights;
    },

    /** Deletes a run and all its weights. */
    async deleteRun(id: string): Promise<void> {
      const db = await open();
      const tx = db.transaction(['runs', 'weights'], 'readwrite');
      await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('weights').delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity])), tx.done]);
    },

    /** Deletes only a run's weights; the record (curves, metrics, design) stays. Returns the record as stored. */
    async deleteRunWeights(run: RunRecord): Promise<RunRecord> {
      const db = await open();
      const next: RunRecord = { ...run, kept: [], updatedAt: Date.now() };
      const tx = db.transaction(['runs', 'weights'], 'readwrite');
      await Promise.all([
        tx.objectStore('weights').delete(IDBKeyRange.bound([run.id, -Infinity], [run.id, Infinity])),
        tx.objectStore('runs').put(next as unknown as Record<string, unknown>),
        tx.done,
      ]);
      return next;
    },

    /** Bytes used by the origin and offered to it, when the browser says. */
    estimate: () => estimate().catch(() => null),

    async close(): Promise<void> {
      const p = dbp;
      dbp = null;
      (await p)?.close();
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;

/** The app's run store. */
export const runStore: RunStore = createRunStore();
