import { describe, expect, it, vi } from 'vitest';
import type { FromImportWorker, ToImportWorker } from '../data/import-protocol';
import type { DatasetMeta } from '../data/types';
import { createDatasetsStore, defaultImportChoice, describeSource, importOptionsFor, type DatasetsDeps } from './datasets';

const meta = (id: string, name = id): DatasetMeta => ({
  version: 1, id, name, format: 'zip', sources: [`${name}.zip`], kind: 'image', inputShape: [8, 8, 1], dtype: 'uint8', classNames: ['a', 'b'],
  train: { n: 4, perClass: [2, 2] }, test: { n: 2, perClass: [1, 1] }, split: { from: 'seeded', testFraction: 0.2, seed: 1 },
  stats: { mean: [0.5], std: [0.2] }, standardize: false, notes: [], bytes: 390, createdAt: 1,
});

/** A worker stand-in: answers each message with what `reply` returns, a tick later, as a real worker would. */
function fakeWorker(reply: (m: ToImportWorker) => FromImportWorker[]) {
  const sent: ToImportWorker[] = [];
  const w = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    onerror: null,
    postMessage(m: ToImportWorker) {
      sent.push(m);
      setTimeout(() => reply(m).forEach((r) => w.onmessage?.({ data: r } as MessageEvent)), 0);
    },
    terminate() {},
  };
  return { w, sent };
}

function store(reply: (m: ToImportWorker) => FromImportWorker[], stored: DatasetMeta[] = []) {
  const { w, sent } = fakeWorker(reply);
  let list = [...stored];
  const deps: DatasetsDeps = {
    createWorker: () => w as unknown as Worker,
    list: async () => ({ datasets: list, skipped: ['Dataset "old" (user-old) was skipped: its record is damaged.'] }),
    remove: async (id) => void (list = list.filter((d) => d.id !== id)),
    estimate: async () => ({ usage: 1000, quota: 10_000, available: 9000 }),
  };
  return { s: createDatasetsStore(deps), sent };
}

const file = (path: string) => ({ path, file: new File([new Uint8Array(3)], path.split('/').pop()!) });

describe('datasets store', () => {
  it('loads the stored list, the skipped records and the storage estimate', async () => {
    const { s } = store(() => [], [meta('user-a')]);
    await s.getState().load();
    expect(s.getState().datasets?.map((d) => d.id)).toEqual(['user-a']);
    expect(s.getState().skipped[0]).toContain('was skipped');
    expect(s.getState().estimate?.available).toBe(9000);
  });

  it('imports through the worker: progress while it runs, then the dataset listed first and previewed', async () => {
    const m = meta('user-new', 'shapes');
    const { s, sent } = store(() => [
      { type: 'progress', phase: 'decoding', done: 5, total: 10 },
      { type: 'imported', meta: m, examples: { id: m.id, perClass: [[new Uint8Array(64)], []] } },
    ], [meta('user-a')]);
    await s.getState().load();
    const done = s.getState().import([file('shapes.zip')], { testFraction: 0.2, seed: 1, standardize: false });
    expect(s.getState().importing).toMatchObject({ source: 'shapes.zip', phase: 'reading' });
    expect(await done).toEqual(m);
    expect(sent[0]).toMatchObject({ type: 'import', options: { testFraction: 0.2 } });
    const st = s.getState();
    expect(st.importing).toBeNull();
    expect(st.datasets?.map((d) => d.id)).toEqual(['user-new', 'user-a']);
    expect(st.previewId).toBe('user-new');
    expect(st.examples['user-new']).toBeDefined();
  });

  it('keeps a failed import in `error`, naming the file, and leaves the list as it was', async () => {
    const { s } = store(() => [{ type: 'error', message: 'broken.zip: not a zip archive', file: 'broken.zip' }], [meta('user-a')]);
    await s.getState().load();
    expect(await s.getState().import([file('broken.zip')], { testFraction: 0.2, seed: 1, standardize: false })).toBeNull();
    expect(s.getState().error).toEqual({ message: 'broken.zip: not a zip archive', file: 'broken.zip' });
    expect(s.getState().datasets?.map((d) => d.id)).toEqual(['user-a']);
    expect(s.getState().importing).toBeNull();
  });

  it('refuses a worker answer that does not parse, as an error', async () => {
    const { s } = store(() => [{ type: 'imported', meta: { nope: 1 } } as unknown as FromImportWorker]);
    expect(await s.getState().import([file('x.zip')], { testFraction: 0.2, seed: 1, standardize: false })).toBeNull();
    expect(s.getState().error?.message).toMatch(/cannot be read/);
  });

  it('removes a dataset and its preview; asks the worker for examples of a listed one', async () => {
    const { s, sent } = store((m) => (m.type === 'examples' ? [{ type: 'examples', examples: { id: m.id, perClass: [[], []] } }] : []), [meta('user-a'), meta('user-b')]);
    await s.getState().load();
    s.getState().preview('user-b');
    await vi.waitFor(() => expect(s.getState().examples['user-b']).toEqual({ id: 'user-b', perClass: [[], []] }));
    expect(sent).toEqual([{ type: 'examples', id: 'user-b' }]);
    await s.getState().remove('user-b');
    expect(s.getState().datasets?.map((d) => d.id)).toEqual(['user-a']);
    expect(s.getState().previewId).toBeNull();
  });
});

describe('import options from the choice', () => {
  it('matches the Input layer when it is H×W×C with 1 or 3 channels, else keeps the files’ size', () => {
    expect(importOptionsFor(defaultImportChoice, [28, 28, 1]).imageShape).toEqual([28, 28, 1]);
    expect(importOptionsFor(defaultImportChoice, [128, 1]).imageShape).toBeUndefined();
    expect(importOptionsFor({ ...defaultImportChoice, size: 'files' }, [28, 28, 1]).imageShape).toBeUndefined();
    expect(importOptionsFor({ ...defaultImportChoice, size: 'custom', custom: [16, 12, 3] }, undefined).imageShape).toEqual([16, 12, 3]);
  });

  it('turns percent into a fraction and a numeric label column into an index', () => {
    const o = importOptionsFor({ ...defaultImportChoice, testPercent: 25, labelColumn: '3' }, undefined);
    expect(o).toMatchObject({ testFraction: 0.25, labelColumn: 3 });
    expect(importOptionsFor({ ...defaultImportChoice, labelColumn: ' species ' }, undefined).labelColumn).toBe('species');
  });

  it('describes what was picked', () => {
    expect(describeSource([file('shapes/a/1.png'), file('shapes/b/2.png')])).toBe('shapes');
    expect(describeSource([file('x.npy'), file('y.npy')])).toBe('2 files');
  });
});
