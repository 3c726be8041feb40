/**
 * Imported datasets kept in this browser (IndexedDB, through idb). Works in the main thread and in workers alike.
 *
 * Layout (IndexedDB database `convas-datasets`, schema version 1):
 * - `meta`: one {@link DatasetMeta} per dataset, keyed by `id`. Listing reads only this store.
 * - `chunks`: the samples, keyed by `[id, part, index]` with part `train.x`, `train.y`, `test.x` or `test.y`; each
 *   record holds `data`, a typed array of at most {@link CHUNK_BYTES} bytes, so a 600 MB set is never one giant clone.
 *
 * A save is one transaction over both stores: it either stores every chunk and the meta or nothing at all. Records
 * carry `version` (the record version, not IndexedDB's schema version) and are upgraded on read by the steps of
 * {@link datasetMigrations}, as project files are (src/graph/project.ts); a record that cannot be read is skipped
 * by {@link listDatasets} with a message, never thrown.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { migrateProject, type ProjectMigration } from '../graph/project';
import { isUserDatasetId } from './ids';
import type { DatasetMeta, ImportedDataset, ImportProgress, SampleSplit } from './types';

/** The record version this build writes and reads up to. */
export const DATASET_RECORD_VERSION = 1;

/** Upgrade steps of stored records, oldest first (`up` turns version `from` into `from + 1`). Empty: version 1 is the first. */
export const datasetMigrations: readonly ProjectMigration[] = [];

/** Largest chunk of samples stored in one record. */
export const CHUNK_BYTES = 64 * 2 ** 20;

/** A refusal of the store, worded for the user. `code` lets the UI tell the cases apart. */
export class DatasetStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'quota' | 'not-found' | 'unreadable' | 'invalid' | 'failed',
  ) {
    super(message);
    this.name = 'DatasetStoreError';
  }
}

/** Bytes used and offered to this origin, and what is left (from `navigator.storage.estimate()`). */
export interface StorageEstimate {
  usage: number;
  quota: number;
  available: number;
}

type Part = 'train.x' | 'train.y' | 'test.x' | 'test.y';
const PARTS: Part[] = ['train.x', 'train.y', 'test.x', 'test.y'];

interface ChunkRecord {
  id: string;
  part: Part;
  index: number;
  data: Uint8Array | Float32Array;
}

interface Schema extends DBSchema {
  meta: { key: string; value: Record<string, unknown> };
  chunks: { key: [string, Part, number]; value: ChunkRecord };
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
const count = z.number().int().min(0);

/** What a record must hold once migrated to the current version (fields a later version adds are kept). */
const metaSchema = z.looseObject({
  version: z.number().int(),
  id: z.string().regex(/^user-/, 'must start with user-'),
  name: z.string(),
  format: z.enum(['image-folder', 'zip', 'cifar-10', 'cifar-100', 'npy', 'npz', 'csv']),
  sources: z.array(z.string()),
  kind: z.enum(['image', 'series', 'array']),
  inputShape: z.array(z.number().int().min(1)).min(1),
  dtype: z.enum(['uint8', 'float32']),
  classNames: z.array(z.string()).min(1),
  train: z.object({ n: count, perClass: z.array(count) }),
  test: z.object({ n: count, perClass: z.array(count) }),
  split: z.union([z.object({ from: z.literal('files') }), z.object({ from: z.literal('seeded'), testFraction: z.number(), seed: z.number() })]),
  stats: z.object({ mean: z.array(finite), std: z.array(finite) }),
  standardize: z.boolean(),
  conversion: z.string().optional(),
  notes: z.array(z.string()),
  bytes: count,
  createdAt: z.number(),
});

/** Options of {@link createDatasetStore}; the defaults are what the app uses. Tests pass their own. */
export interface DatasetStoreOptions {
  dbName?: string;
  chunkBytes?: number;
  /** Space left for this origin, or null when the browser cannot say. */
  estimate?: () => Promise<StorageEstimate | null>;
  migrations?: readonly ProjectMigration[];
  version?: number;
}

/** Asks `navigator.storage.estimate()` where there is one (main thread and workers); null elsewhere. */
export async function storageEstimate(): Promise<StorageEstimate | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (!storage?.estimate) return null;
  const { usage = 0, quota } = await storage.estimate();
  if (quota === undefined) return null;
  return { usage, quota, available: Math.max(0, quota - usage) };
}

const mb = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`);

function quotaError(name: string, needed: number, left: number | undefined): DatasetStoreError {
  const space = left === undefined ? 'the browser refused to store more' : `${mb(left)} is left`;
  return new DatasetStoreError(
    `Not enough storage to save "${name}": it needs ${mb(needed)} and ${space}. Delete datasets you no longer use (or free disk space) and try again; nothing was stored.`,
    'quota',
  );
}

function isQuotaError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

const describe = (e: unknown) => (e instanceof Error ? e.message || e.name : String(e));

/** The chunks of one dataset, in key order. */
const rangeOf = (id: string) => IDBKeyRange.bound([id], [id, []]);

function splitOf(ds: ImportedDataset, part: Part): Uint8Array | Float32Array {
  const [split, field] = part.split('.') as ['train' | 'test', 'x' | 'y'];
  return ds[split][field];
}

/** Checks that the samples are what the meta says, before anything is written. */
function checkSamples(ds: ImportedDataset): void {
  const { meta } = ds;
  const bad = (what: string) => new DatasetStoreError(`Cannot save "${meta.name}": ${what}.`, 'invalid');
  if (!isUserDatasetId(meta.id)) throw bad(`its id "${meta.id}" is not a user-… id`);
  const size = meta.inputShape.reduce((a, b) => a * b, 1);
  for (const split of ['train', 'test'] as const) {
    const s: SampleSplit = ds[split];
    const wantType = meta.dtype === 'uint8' ? Uint8Array : Float32Array;
    if (!(s.x instanceof wantType)) throw bad(`the ${split} samples are not ${meta.dtype}`);
    if (s.n !== meta[split].n) throw bad(`the ${split} split has ${s.n} samples but the meta says ${meta[split].n}`);
    if (s.x.length !== s.n * size) throw bad(`the ${split} split has ${s.x.length} values, expected ${s.n} × ${size}`);
    if (s.y.length !== s.n) throw bad(`the ${split} split has ${s.y.length} labels for ${s.n} samples`);
  }
}

/** Upgrades and checks one raw meta record; the error is a sentence naming the dataset when it can. */
function readMeta(raw: unknown, migrations: readonly ProjectMigration[], target: number): { ok: true; meta: DatasetMeta } | { ok: false; message: string } {
  const rec = raw as Record<string, unknown> | null;
  const id = typeof rec?.id === 'string' ? rec.id : undefined;
  const label = rec && typeof rec.name === 'string' ? `Dataset "${rec.name}"${id ? ` (${id})` : ''}` : `Stored dataset ${id ?? 'without an id'}`;
  const skip = (why: string) => ({ ok: false as const, message: `${label} was skipped: ${why}.` });
  if (!rec || typeof rec !== 'object') return skip('its record is not an object');
  if (typeof rec.version === 'number' && rec.version > target) {
    return skip(`it was saved by a newer Convas (record version ${rec.version}; this one reads up to ${target})`);
  }
  const migrated = migrateProject(rec, migrations, target);
  if (!migrated.ok) return skip(migrated.errors.join('; '));
  const parsed = metaSchema.safeParse(migrated.value);
  if (!parsed.success) return skip(`its record is damaged (${parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ')})`);
  return { ok: true, meta: parsed.data as unknown as DatasetMeta };
}

/** A dataset store over one IndexedDB database. The module's own functions use the default one. */
export function createDatasetStore(options: DatasetStoreOptions = {}) {
  const dbName = options.dbName ?? 'convas-datasets';
  const chunkBytes = Math.max(4, Math.floor((options.chunkBytes ?? CHUNK_BYTES) / 4) * 4);
  const estimate = options.estimate ?? storageEstimate;
  const migrations = options.migrations ?? datasetMigrations;
  const target = options.version ?? DATASET_RECORD_VERSION;
  let dbp: Promise<IDBPDatabase<Schema>> | null = null;

  const open = () =>
    (dbp ??= openDB<Schema>(dbName, 1, {
      upgrade(db) {
        db.createObjectStore('meta', { keyPath: 'id' });
        db.createObjectStore('chunks', { keyPath: ['id', 'part', 'index'] });
      },
      // Another tab upgrading the database: let it, and open again next time.
      blocking() {
        void dbp?.then((db) => db.close());
        dbp = null;
      },
    }));

  async function meta(id: string, db: IDBPDatabase<Schema>): Promise<DatasetMeta> {
    const raw = await db.get('meta', id);
    if (raw === undefined) throw new DatasetStoreError(`There is no stored dataset "${id}"; it may have been deleted.`, 'not-found');
    const r = readMeta(raw, migrations, target);
    if (!r.ok) throw new DatasetStoreError(r.message, 'unreadable');
    return r.meta;
  }

  return {
    /**
     * Stores a dataset (replacing one of the same id) in one transaction: on any failure nothing of it is left and an
     * older copy of the same id stays as it was. Refuses, naming the size needed and the space left, when the browser
     * says there is not enough room, and says the same when the write runs out of quota.
     */
    async saveDataset(ds: ImportedDataset, onProgress?: ImportProgress): Promise<void> {
      checkSamples(ds);
      const record = { ...ds.meta, version: target };
      const needed = PARTS.reduce((sum, p) => sum + splitOf(ds, p).byteLength, 0);
      const est = await estimate().catch(() => null);
      if (est && needed > est.available) throw quotaError(ds.meta.name, needed, est.available);
      const chunks = PARTS.map((part) => {
        const a = splitOf(ds, part);
        const per = chunkBytes / a.BYTES_PER_ELEMENT;
        return { part, a, per, count: Math.ceil(a.length / per) };
      });
      const total = chunks.reduce((s, c) => s + c.count, 0);
      const db = await open();
      const tx = db.transaction(['meta', 'chunks'], 'readwrite');
      const store = tx.objectStore('chunks');
      try {
        await store.delete(rangeOf(record.id));
        let done = 0;
        onProgress?.({ phase: 'storing', done, total });
        for (const { part, a, per, count } of chunks) {
          for (let index = 0; index < count; index++) {
            // slice, not subarray: a view would clone its whole buffer.
            await store.put({ id: record.id, part, index, data: a.slice(index * per, (index + 1) * per) });
            onProgress?.({ phase: 'storing', done: ++done, total });
          }
        }
        await tx.objectStore('meta').put(record);
        await tx.done;
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already aborted by the failed request
        }
        await tx.done.catch(() => {});
        if (isQuotaError(e) || isQuotaError(tx.error)) throw quotaError(ds.meta.name, needed, (await estimate().catch(() => null))?.available);
        throw new DatasetStoreError(`Could not save "${ds.meta.name}": ${describe(e)}; nothing was stored.`, 'failed');
      }
    },

    /** Every readable stored dataset, newest first, without reading samples; unreadable records are skipped with a message. */
    async listDatasets(): Promise<{ datasets: DatasetMeta[]; skipped: string[] }> {
      const db = await open();
      const datasets: DatasetMeta[] = [];
      const skipped: string[] = [];
      for (const raw of await db.getAll('meta')) {
        const r = readMeta(raw, migrations, target);
        if (r.ok) datasets.push(r.meta);
        else skipped.push(r.message);
      }
      datasets.sort((a, b) => b.createdAt - a.createdAt);
      return { datasets, skipped };
    },

    /** The meta of one dataset (no samples). Throws a {@link DatasetStoreError} when it is missing or unreadable. */
    async getDatasetMeta(id: string): Promise<DatasetMeta> {
      return meta(id, await open());
    },

    /** Reads a whole dataset back; each split is assembled chunk by chunk into one array. */
    async loadDataset(id: string): Promise<ImportedDataset> {
      const db = await open();
      const m = await meta(id, db);
      const size = m.inputShape.reduce((a, b) => a * b, 1);
      const tx = db.transaction('chunks', 'readonly');
      const read = async (part: Part, out: Uint8Array | Float32Array) => {
        for (let index = 0, at = 0; at < out.length; index++) {
          const c = await tx.store.get([id, part, index]);
          const data = c?.data;
          if (!data || data.BYTES_PER_ELEMENT !== out.BYTES_PER_ELEMENT || at + data.length > out.length) {
            throw new DatasetStoreError(`Dataset "${m.name}" (${id}) is damaged: chunk ${index} of ${part} is ${data ? 'the wrong size or type' : 'missing'}. Delete it and import it again.`, 'unreadable');
          }
          out.set(data, at);
          at += data.length;
        }
        return out;
      };
      const X = m.dtype === 'uint8' ? Uint8Array : Float32Array;
      const split = async (s: 'train' | 'test'): Promise<SampleSplit> => {
        const n = m[s].n;
        return { x: await read(`${s}.x`, new X(n * size)), y: (await read(`${s}.y`, new Uint8Array(n))) as Uint8Array, n };
      };
      const train = await split('train');
      const test = await split('test');
      await tx.done;
      return { meta: m, train, test };
    },

    /** Deletes a dataset's meta and samples in one transaction; nothing happens when there is no such id. */
    async deleteDataset(id: string): Promise<void> {
      const db = await open();
      const tx = db.transaction(['meta', 'chunks'], 'readwrite');
      await Promise.all([tx.objectStore('meta').delete(id), tx.objectStore('chunks').delete(rangeOf(id)), tx.done]);
    },

    /** Closes the connection (tests delete the database afterwards). */
    async close(): Promise<void> {
      const p = dbp;
      dbp = null;
      (await p)?.close();
    },
  };
}

export type DatasetStore = ReturnType<typeof createDatasetStore>;

const defaultStore = createDatasetStore();

export const { saveDataset, listDatasets, getDatasetMeta, loadDataset, deleteDataset } = defaultStore;
