import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import { saveDataset } from '../data/store';
import type { DatasetMeta, ImportedDataset } from '../data/types';
import { checkCompatibility } from './compat';
import { datasetFromImported, datasetInfoFromMeta, loadDataset } from './datasets/index';
import { datasetRevision, loadTrainingDataset } from './load';
import { defaultTrainSettings, trainSettingsSchema, type TrainSettings } from './protocol';
import { mulberry32 } from './random';
import { trainModel } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 8×8 grey images whose upper or lower half is brighter (classes "up" and "down"), as an import would store them. */
function brightHalves(id: string, nTrain: number, nTest: number, seed = 1): ImportedDataset {
  const rnd = mulberry32(seed);
  const split = (n: number) => {
    const x = new Uint8Array(n * 64);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let p = 0; p < 64; p++) {
        const bright = (p < 32) === (y[i] === 0);
        x[i * 64 + p] = Math.min(255, Math.floor((bright ? 150 : 60) + rnd() * 80));
      }
    }
    return { x, y, n };
  };
  const train = split(nTrain);
  const test = split(nTest);
  let sum = 0;
  let sq = 0;
  for (const v of train.x) {
    sum += v / 255;
    sq += (v / 255) ** 2;
  }
  const mean = sum / train.x.length;
  const meta: DatasetMeta = {
    version: 1, id, name: 'Bright halves', format: 'image-folder', sources: ['halves/'], kind: 'image', inputShape: [8, 8, 1], dtype: 'uint8',
    classNames: ['up', 'down'], train: { n: nTrain, perClass: [nTrain / 2, nTrain / 2] }, test: { n: nTest, perClass: [nTest / 2, nTest / 2] },
    split: { from: 'seeded', testFraction: 0.2, seed }, stats: { mean: [mean], std: [Math.sqrt(sq / train.x.length - mean ** 2)] }, standardize: true,
    notes: [], bytes: (nTrain + nTest) * 65, createdAt: 1,
  };
  return { meta, train, test };
}

describe('training on an imported dataset', () => {
  it('trains a tiny model on a uint8 set stored in IndexedDB, standardised and augmented, through the worker’s loader: the loss falls', async () => {
    const imported = brightHalves('user-halves', 256, 64);
    await saveDataset(imported);
    const ds = await loadTrainingDataset('user-halves');
    expect(ds.train.x).toBeInstanceOf(Uint8Array);
    expect(ds.standardize).toEqual(imported.meta.stats);
    const graph = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 1] } },
      { kind: 'Flatten' },
      { kind: 'Dense', params: { units: 16, activation: 'relu' } },
      { kind: 'Dense', params: { units: 2, activation: 'softmax' } },
    ]);
    expect(checkCompatibility(graph, inferGraph(graph), datasetInfoFromMeta(imported.meta))).toEqual([]);
    const settings = trainSettingsSchema.parse({
      ...defaultTrainSettings, datasetId: 'user-halves', batchSize: 16, epochs: 5, learningRate: 0.01, validationSplit: 0.125,
      augment: { flip: true, shift: 1, rotate: 10 },
    } satisfies TrainSettings);
    const model = compileGraph(tf, graph);
    const epochs: number[] = [];
    const res = await trainModel({
      tf, model, ds, settings,
      control: { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} },
      callbacks: { onEpoch: (m) => epochs.push(m.loss) },
    });
    model.dispose();
    expect(res.reason).toBe('finished');
    expect(epochs).toHaveLength(5);
    expect(epochs.at(-1)!).toBeLessThan(epochs[0] * 0.7);
    expect(res.test!.acc).toBeGreaterThan(0.9);
  });

  it('applies trainLimit/testLimit, tells revisions apart, and names a missing dataset', async () => {
    await saveDataset(brightHalves('user-limited', 20, 10));
    const before = await datasetRevision('user-limited');
    const ds = await loadTrainingDataset('user-limited', { trainLimit: 6, testLimit: 4 });
    expect([ds.train.n, ds.train.x.length, ds.test.n, ds.test.y.length]).toEqual([6, 6 * 64, 4, 4]);
    const again = brightHalves('user-limited', 20, 10);
    again.meta.createdAt = 2;
    await saveDataset(again);
    expect(await datasetRevision('user-limited')).not.toBe(before);
    expect(await datasetRevision('xo')).toBe('');
    expect((await loadTrainingDataset('xo', { trainLimit: 10 })).train.n).toBe(10);
    await expect(loadTrainingDataset('user-gone')).rejects.toThrow('There is no stored dataset "user-gone"');
    await expect(loadDataset('user-halves')).rejects.toThrow('no loader of imported datasets');
  });

  it('refuses labels beyond the classes and stats that do not fit the channels; a constant channel is only centred', () => {
    const bad = brightHalves('user-bad', 4, 2);
    bad.train.y[3] = 2;
    expect(() => datasetFromImported(bad)).toThrow('dataset "Bright halves": train sample 3 has label 2, but there are only 2 classes');
    const stats = brightHalves('user-stats', 4, 2);
    stats.meta.stats = { mean: [0.5, 0.5], std: [1, 1] };
    expect(() => datasetFromImported(stats)).toThrow('needs a mean and std for each of its 1 channels, got 2 and 2');
    const flat = brightHalves('user-flat', 4, 2);
    flat.meta.stats = { mean: [0.5], std: [0] };
    expect(datasetFromImported(flat).standardize).toEqual({ mean: [0.5], std: [1] });
    flat.meta.standardize = false;
    expect(datasetFromImported(flat).standardize).toBeUndefined();
  });

  it('datasetInfoFromMeta gives checkCompatibility the shape and classes, and its fixes', () => {
    const info = datasetInfoFromMeta(brightHalves('user-info', 4, 2).meta);
    expect(info).toEqual({ id: 'user-info', name: 'Bright halves', inputShape: [8, 8, 1], numClasses: 2, description: 'Imported images, 4 train / 2 test' });
    const graph = sequentialGraph([{ kind: 'Input', params: { shape: [28, 28, 1] } }, { kind: 'Flatten' }, { kind: 'Dense', params: { units: 10, activation: 'softmax' } }]);
    const issues = checkCompatibility(graph, inferGraph(graph), info);
    expect(issues.map((i) => i.fix?.label)).toEqual(['Set Input to 8×8×1', 'Set dense units to 2']);
  });
});

describe('trainSettingsSchema', () => {
  const parse = (patch: Record<string, unknown>) => trainSettingsSchema.safeParse({ ...defaultTrainSettings, ...patch });
  const message = (patch: Record<string, unknown>) => {
    const r = parse(patch);
    return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  it('takes built-in ids and user-… ids, and names what it expected otherwise', () => {
    expect(parse({ datasetId: 'xo' }).success).toBe(true);
    expect(parse({ datasetId: 'user-lq3x-9ab2c1' }).success).toBe(true);
    expect(message({ datasetId: 'cifar' })).toBe('datasetId: expected a built-in dataset (mnist, fashion-mnist, xo, timeseries) or an imported one (user-…), got "cifar"');
    expect(parse({ datasetId: 'user-' }).success).toBe(false);
    expect(parse({ datasetId: 'user-a/b' }).success).toBe(false);
  });

  it('bounds augmentation: shift an integer 0–16 px, rotate 0–45°', () => {
    expect(parse({ augment: { flip: true, shift: 16, rotate: 45 } }).success).toBe(true);
    expect(message({ augment: { flip: true, shift: 17, rotate: 0 } })).toMatch(/^augment\.shift: /);
    expect(message({ augment: { flip: true, shift: 1.5, rotate: 0 } })).toMatch(/^augment\.shift: /);
    expect(message({ augment: { flip: false, shift: 0, rotate: 46 } })).toMatch(/^augment\.rotate: /);
    expect(message({ augment: { flip: 'yes', shift: 0, rotate: 0 } })).toMatch(/^augment\.flip: /);
  });
});
