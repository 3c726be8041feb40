import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { createDatasetStore, DatasetStoreError, type DatasetStore, type StorageEstimate } from './store';
import type { DatasetMeta, ImportedDataset } from './types';

let dbCount = 0;
const open: DatasetStore[] = [];

function store(opts: Parameters<typeof createDatasetStore>[0] = {}) {
  const dbName = opts.dbName ?? `test-datasets-${++dbCount}`;
  const s = createDatasetStore({ estimate: async () => null, ...opts, dbName });
  open.push(s);
  return { s, dbName };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A small dataset: `n` 4×4×1 samples (uint8 or float32) whose values encode the sample index. */
function tinyDataset(id = 'user-tiny', opts: { nTrain?: number; nTest?: number; dtype?: 'uint8' | 'float32' } = {}): ImportedDataset {
  const { nTrain = 10, nTest = 4, dtype = 'uint8' } = opts;
  const size = 16;
  const split = (n: number, offset: number) => {
    const x = dtype === 'uint8' ? new Uint8Array(n * size) : new Float32Array(n * size);
    for (let i = 0; i < x.length; i++) x[i] = dtype === 'uint8' ? (i + offset) % 256 : (i + offset) / 7;
    const y = new Uint8Array(n).map((_, i) => i % 2);
    return { x, y, n };
  };
  const meta: DatasetMeta = {
    version: 1, id, name: `Tiny ${id}`, format: 'npz', sources: ['tiny.npz'], kind: 'image', inputShape: [4, 4, 1], dtype,
    classNames: ['even', 'odd'], train: { n: nTrain, perClass: [Math.ceil(nTrain / 2), Math.floor(nTrain / 2)] },
    test: { n: nTest, perClass: [Math.ceil(nTest / 2), Math.floor(nTest / 2)] }, split: { from: 'files' },
    stats: { mean: [0.5], std: [0.25] }, standardize: false, notes: [], bytes: (nTrain + nTest) * size * (dtype === 'uint8' ? 1 : 4), createdAt: 1000,
  };
  return { meta, train: split(nTrain, 0), test: split(nTest, 3) };
}

async function rawDb(dbName: string) {
  return openDB(dbName, 1);
}

describe('dataset store', () => {
  it('saves, lists (without samples), loads back bit-exact and deletes, in chunks', async () => {
    const { s, dbName } = store({ chunkBytes: 24 });
    const a = tinyDataset('user-a');
    const b = tinyDataset('user-b', { dtype: 'float32', nTrain: 7, nTest: 0 });
    b.meta.createdAt = 2000;
    const progress: number[] = [];
    await s.saveDataset(a, (p) => progress.push(p.done));
    await s.saveDataset(b);
    expect(progress.at(-1)).toBe(Math.ceil(160 / 24) + 1 + Math.ceil(64 / 24) + 1);
    const list = await s.listDatasets();
    expect(list.skipped).toEqual([]);
    expect(list.datasets.map((d) => d.id)).toEqual(['user-b', 'user-a']);
    expect(list.datasets[1]).toEqual(a.meta);
    const db = await rawDb(dbName);
    const chunks = await db.getAll('chunks');
    expect(Math.max(...chunks.map((c) => c.data.byteLength))).toBeLessThanOrEqual(24);
    db.close();
    const back = await s.loadDataset('user-a');
    expect(back).toEqual(a);
    expect(back.train.x).toBeInstanceOf(Uint8Array);
    const fb = await s.loadDataset('user-b');
    expect(fb.train.x).toBeInstanceOf(Float32Array);
    expect(fb.train.x).toEqual(b.train.x);
    expect(fb.test.n).toBe(0);
    await s.deleteDataset('user-a');
    expect((await s.listDatasets()).datasets.map((d) => d.id)).toEqual(['user-b']);
    const db2 = await rawDb(dbName);
    expect((await db2.getAll('chunks')).every((c) => c.id === 'user-b')).toBe(true);
    db2.close();
    await expect(s.loadDataset('user-a')).rejects.toThrow('There is no stored dataset "user-a"');
  });

  it('refuses samples that disagree with the meta before writing', async () => {
    const { s } = store();
    const ds = tinyDataset('user-bad');
    ds.train.y = ds.train.y.slice(0, 3);
    await expect(s.saveDataset(ds)).rejects.toThrow('Cannot save "Tiny user-bad": the train split has 3 labels for 10 samples.');
    expect((await s.listDatasets()).datasets).toEqual([]);
  });

  it('a put failing midway leaves nothing of that id, and an older copy of the id intact', async () => {
    const { s, dbName } = store({ chunkBytes: 16 });
    const old = tinyDataset('user-x', { nTrain: 2, nTest: 2 });
    await s.saveDataset(old);
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
    const put = proto.put;
    let calls = 0;
    proto.put = function (this: unknown, ...args: unknown[]) {
      if (++calls === 4) throw new Error('disk on fire');
      return put.apply(this, args);
    };
    try {
      await expect(s.saveDataset(tinyDataset('user-x'))).rejects.toThrow('Could not save "Tiny user-x": disk on fire; nothing was stored.');
      calls = 0;
      await expect(s.saveDataset(tinyDataset('user-y'))).rejects.toBeInstanceOf(DatasetStoreError);
    } finally {
      proto.put = put;
    }
    expect(calls).toBe(4);
    expect((await s.listDatasets()).datasets.map((d) => d.id)).toEqual(['user-x']);
    expect(await s.loadDataset('user-x')).toEqual(old);
    const db = await rawDb(dbName);
    expect((await db.getAll('chunks')).filter((c) => c.id !== 'user-x')).toEqual([]);
    db.close();
  });

  it('refuses before writing when the estimate says there is no room, naming the size and the space left', async () => {
    const est: StorageEstimate = { usage: 1000, quota: 1100, available: 100 };
    const { s } = store({ estimate: async () => est });
    const err = await s.saveDataset(tinyDataset('user-big')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetStoreError);
    expect((err as DatasetStoreError).code).toBe('quota');
    expect((err as Error).message).toBe('Not enough storage to save "Tiny user-big": it needs 1 KB and 1 KB is left. Delete datasets you no longer use (or free disk space) and try again; nothing was stored.');
    expect((await s.listDatasets()).datasets).toEqual([]);
  });

  it('a QuotaExceededError during the write gives the same message and leaves nothing behind', async () => {
    const big = 5 * 2 ** 20;
    const { s, dbName } = store({ chunkBytes: 2 ** 20, estimate: async () => ({ usage: 0, quota: 8 * 2 ** 20, available: 8 * 2 ** 20 }) });
    const ds = tinyDataset('user-q', { nTrain: big / 16, nTest: 0 });
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
    const put = proto.put;
    let calls = 0;
    proto.put = function (this: unknown, ...args: unknown[]) {
      if (++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      await expect(s.saveDataset(ds)).rejects.toThrow(/^Not enough storage to save "Tiny user-q": it needs 5\.\d MB and 8\.0 MB is left\./);
    } finally {
      proto.put = put;
    }
    const db = await rawDb(dbName);
    expect(await db.count('chunks')).toBe(0);
    expect(await db.count('meta')).toBe(0);
    db.close();
  });

  it('skips corrupt and future-version records with a message; loading one says why', async () => {
    const { s, dbName } = store();
    await s.saveDataset(tinyDataset('user-ok'));
    const db = await rawDb(dbName);
    await db.put('meta', { ...tinyDataset('user-future').meta, version: 7 });
    await db.put('meta', { id: 'user-broken', name: 'Broken', version: 1, inputShape: 'big' });
    await db.put('meta', { id: 'user-nover', name: 'No version' });
    db.close();
    const { datasets, skipped } = await s.listDatasets();
    expect(datasets.map((d) => d.id)).toEqual(['user-ok']);
    expect(skipped).toHaveLength(3);
    expect(skipped).toContain('Dataset "Tiny user-future" (user-future) was skipped: it was saved by a newer Convas (record version 7; this one reads up to 1).');
    expect(skipped.find((m) => m.startsWith('Dataset "Broken" (user-broken) was skipped: its record is damaged ('))).toMatch(/inputShape/);
    expect(skipped).toContain('Dataset "No version" (user-nover) was skipped: version: expected an integer file version, got nothing.');
    await expect(s.loadDataset('user-future')).rejects.toThrow('newer Convas');
  });

  it('upgrades older records through the migration table on read', async () => {
    const dbName = `test-datasets-${++dbCount}`;
    const v1 = store({ dbName }).s;
    await v1.saveDataset(tinyDataset('user-old'));
    await v1.close();
    // Version 2 renames `notes` to `remarks`: a v1 record is read through the step, a v2 one as it is.
    const v2 = store({ dbName, version: 2, migrations: [{ from: 1, name: 'v1→v2: notes become remarks', up: (d) => ({ ...d, remarks: d.notes }) }] }).s;
    const [m] = (await v2.listDatasets()).datasets as unknown as (DatasetMeta & { remarks: string[] })[];
    expect(m.version).toBe(2);
    expect(m.remarks).toEqual([]);
    expect((await v2.loadDataset('user-old')).train.n).toBe(10);
    const noStep = store({ dbName, version: 2 }).s;
    expect((await noStep.listDatasets()).skipped).toEqual(['Dataset "Tiny user-old" (user-old) was skipped: version: no migration from file version 1; the oldest readable version is 2.']);
  });
});
