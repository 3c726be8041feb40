import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { createRunStore, epochsToKeep, RunStoreError, type RunRecord, type RunStore } from './run-store';
import { defaultTrainSettings } from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';

let dbCount = 0;
const opened: RunStore[] = [];

function store(opts: Parameters<typeof createRunStore>[0] = {}) {
  const dbName = opts.dbName ?? `test-runs-${++dbCount}`;
  const s = createRunStore({ estimate: async () => null, ...opts, dbName });
  opened.push(s);
  return { s, dbName };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function run(id = 'run-a', patch: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1, id, name: `Run ${id}`, projectId: 'p1', projectName: 'LeNet', createdAt: 1000, updatedAt: 1000, status: 'running',
    graph: { nodes: [{ id: 'n1', kind: 'Input', name: 'input', params: { shape: [28, 28, 1] }, position: { x: 0, y: 0 } }], edges: [] },
    fingerprint: 'abc-1', settings: { ...defaultTrainSettings }, params: 10, macs: 20, batches: [{ x: 0.5, loss: 2, acc: 0.1 }],
    epochs: [], seconds: 0, keepEveryEpoch: false, kept: [], problems: [], resumes: 0, ...patch,
  };
}

/** A snapshot of one layer whose values encode `seed`. */
function weights(seed: number, n = 6): WeightSnapshot {
  return [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [2, n / 2], data: Float32Array.from({ length: n }, (_, i) => seed + i) }] }];
}

const epoch = (e: number, valAcc: number) => ({ epoch: e, loss: 1 / e, acc: valAcc, valLoss: 1 / e, valAcc, seconds: 1 });

async function rawDb(dbName: string) {
  return openDB(dbName, 1);
}

describe('run store', () => {
  it('keeps a run and reads it back as written', async () => {
    const { s } = store();
    await s.putRun(run());
    const { runs, skipped } = await s.listRuns();
    expect(skipped).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: 'run-a', fingerprint: 'abc-1', batches: [{ x: 0.5, loss: 2, acc: 0.1 }] });
  });

  it('keeps the newest and the best epoch weights, deleting only the others of the same run', async () => {
    const { s } = store();
    let r = run();
    await s.putRun(r);
    const other = await s.putEpochWeights(run('run-b'), 1, weights(100));
    r = await s.putEpochWeights({ ...r, epochs: [epoch(1, 0.5)], bestEpoch: 1 }, 1, weights(1));
    r = await s.putEpochWeights({ ...r, epochs: [epoch(1, 0.5), epoch(2, 0.9)], bestEpoch: 2 }, 2, weights(2));
    r = await s.putEpochWeights({ ...r, epochs: [epoch(1, 0.5), epoch(2, 0.9), epoch(3, 0.7)], bestEpoch: 2 }, 3, weights(3));
    expect(r.kept.map((k) => k.epoch)).toEqual([2, 3]);
    expect(r.kept[0].bytes).toBe(24);
    expect((await s.getWeights('run-a', 3))[0].tensors[0].data[0]).toBe(3);
    expect((await s.getWeights('run-a', 2))[0].tensors[0].data[0]).toBe(2);
    await expect(s.getWeights('run-a', 1)).rejects.toMatchObject({ code: 'not-found' });
    expect((await s.getWeights('run-b', 1))[0].tensors[0].data[0]).toBe(100);
    expect((await s.getRun('run-a')).kept.map((k) => k.epoch)).toEqual([2, 3]);
    expect(other.kept).toEqual([{ epoch: 1, bytes: 24 }]);
  });

  it('keeps every epoch when the run asks for it', () => {
    expect(epochsToKeep({ keepEveryEpoch: true, bestEpoch: 1 }, [1, 2], 3)).toEqual([1, 2, 3]);
    expect(epochsToKeep({ keepEveryEpoch: false, bestEpoch: 1 }, [1, 2], 3)).toEqual([1, 3]);
  });

  it('refuses weights that do not fit the quota before writing, and keeps what was there', async () => {
    let left = 1e9;
    const { s } = store({ estimate: async () => ({ usage: 0, quota: left, available: left }) });
    const r = await s.putEpochWeights(run(), 1, weights(1));
    left = 10;
    const err = await s.putEpochWeights({ ...r, bestEpoch: 2 }, 2, weights(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunStoreError);
    expect((err as RunStoreError).code).toBe('quota');
    expect((err as Error).message).toMatch(/weights of epoch 2 of "Run run-a": they need 1 KB and 1 KB is left/);
    expect((await s.getRun('run-a')).kept.map((k) => k.epoch)).toEqual([1]);
    expect((await s.getWeights('run-a', 1))[0].tensors[0].data[0]).toBe(1);
    await expect(s.getWeights('run-a', 2)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('says the write ran out of quota when the browser refuses it, and nothing of the epoch is stored', async () => {
    const { s } = store();
    const r = await s.putEpochWeights(run(), 1, weights(1));
    const quota = Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      if (this.name === 'weights') throw quota;
      return put.apply(this, args);
    };
    try {
      await expect(s.putEpochWeights({ ...r, bestEpoch: 2 }, 2, weights(2))).rejects.toMatchObject({ code: 'quota', message: expect.stringMatching(/Not enough browser storage.*epoch 2/) });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect((await s.getRun('run-a')).kept.map((k) => k.epoch)).toEqual([1]);
    expect((await s.getWeights('run-a', 1))[0].tensors[0].data[0]).toBe(1);
  });

  it('skips a corrupt record with a message naming it, lists the others, and leaves it stored', async () => {
    const { s, dbName } = store();
    await s.putRun(run('good'));
    await s.putRun(run('bad'));
    await s.close();
    const db = await rawDb(dbName);
    const bad = (await db.get('runs', 'bad')) as Record<string, unknown>;
    await db.put('runs', { ...bad, epochs: 'not a list' });
    await db.put('runs', { id: 'junk', version: 'one' });
    db.close();
    const { runs, skipped } = await s.listRuns();
    expect(runs.map((r) => r.id)).toEqual(['good']);
    expect(skipped).toHaveLength(2);
    expect(skipped.join('\n')).toMatch(/Run "Run bad" \(bad\) was skipped: its record is damaged \(epochs/);
    expect(skipped.join('\n')).toMatch(/Stored run junk was skipped: version/);
    await expect(s.getRun('bad')).rejects.toMatchObject({ code: 'unreadable' });
    const again = await rawDb(dbName);
    expect(await again.get('runs', 'bad')).toBeDefined();
    again.close();
  });

  it('skips damaged weights with a clear error', async () => {
    const { s, dbName } = store();
    await s.putEpochWeights(run(), 1, weights(1));
    await s.close();
    const db = await rawDb(dbName);
    await db.put('weights', { runId: 'run-a', epoch: 1, weights: [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [5], data: new Float32Array(2) }] }] });
    db.close();
    await expect(s.getWeights('run-a', 1)).rejects.toMatchObject({ code: 'unreadable', message: expect.stringMatching(/damaged/) });
  });

  it('upgrades records of an older version on read, and refuses ones from a newer build', async () => {
    const { s, dbName } = store();
    await s.putRun(run('old'));
    await s.close();
    // A version 2 of the record renames `name` to `title`; its reader upgrades version 1 records.
    const v2 = createRunStore({
      dbName, estimate: async () => null, version: 2,
      migrations: [{ from: 1, name: 'v1→v2: name becomes title', up: (d) => ({ ...d, title: d.name }) }],
    });
    opened.push(v2);
    const { runs } = await v2.listRuns();
    expect(runs[0]).toMatchObject({ id: 'old', version: 2, title: 'Run old' });
    await v2.putRun({ ...runs[0], id: 'new' });
    await v2.close();
    const { runs: v1runs, skipped } = await s.listRuns();
    expect(v1runs.map((r) => r.id)).toEqual(['old']);
    expect(skipped).toEqual([expect.stringMatching(/\(new\) was skipped: it was saved by a newer Convas \(record version 2; this one reads up to 1\)/)]);
  });

  it('deletes only what it is asked to: a run’s weights, or a whole run', async () => {
    const { s } = store();
    let a = await s.putEpochWeights(run('a'), 1, weights(1));
    await s.putEpochWeights(run('b'), 1, weights(2));
    a = await s.deleteRunWeights(a);
    expect(a.kept).toEqual([]);
    expect((await s.getRun('a')).kept).toEqual([]);
    await expect(s.getWeights('a', 1)).rejects.toMatchObject({ code: 'not-found' });
    await s.deleteRun('b');
    expect((await s.listRuns()).runs.map((r) => r.id)).toEqual(['a']);
    await expect(s.getWeights('b', 1)).rejects.toMatchObject({ code: 'not-found' });
  });
});
