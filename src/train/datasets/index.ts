import { timeseriesDataset, xoDataset } from './generated';
import { loadPrepared } from './prepared';
import { isUserDatasetId } from '../../data/ids';
import type { Dataset, DatasetId, DatasetInfo, LoadOptions } from './types';
import { datasetFromImported } from './user';

export type { Dataset, DatasetId, DatasetInfo, DatasetSplit, FileReader, LoadOptions } from './types';
export { DATASET_IDS } from './types';
export { datasetFromImported, datasetInfoFromMeta } from './user';
export { fetchReader } from './prepared';
export { generateTimeseries, generateXO } from './generated';

/** Every dataset, in menu order. */
export const datasetList: DatasetInfo[] = [
  { id: 'mnist', name: 'MNIST digits', inputShape: [28, 28, 1], numClasses: 10, description: 'Handwritten digits, 60,000 train / 10,000 test' },
  { id: 'fashion-mnist', name: 'Fashion-MNIST', inputShape: [28, 28, 1], numClasses: 10, description: 'Clothing images, 60,000 train / 10,000 test (fixed split)' },
  { id: 'xo', name: 'X vs O (9×9)', inputShape: [9, 9, 1], numClasses: 2, description: 'Generated letters, shifted, rotated and noisy' },
  { id: 'timeseries', name: 'Waveforms (1D)', inputShape: [128, 1], numClasses: 4, description: 'Generated sine / square / sawtooth / noise series for Conv1D' },
];

export function isDatasetId(id: string): id is DatasetId {
  return datasetList.some((d) => d.id === id);
}

function limited(ds: Dataset, opts: LoadOptions): Dataset {
  const cut = (s: Dataset['train'], limit: number | undefined) => {
    if (limit === undefined || limit >= s.n) return s;
    const n = Math.max(0, Math.floor(limit));
    const size = s.x.length / Math.max(1, s.n);
    return { x: s.x.slice(0, n * size), y: s.y.slice(0, n), n };
  };
  return { ...ds, train: cut(ds.train, opts.trainLimit), test: cut(ds.test, opts.testLimit) };
}

/**
 * Loads a dataset by id. MNIST and Fashion-MNIST come from the files scripts/prepare.mjs writes to public/datasets
 * (fetched in the browser, or read through `opts.readFile` in Node); X/O and waveforms are generated from `opts.seed`;
 * imported datasets (`user-…`) come from `opts.loadUser`. Throws naming the id when it is unknown.
 */
export async function loadDataset(id: string, opts: LoadOptions = {}): Promise<Dataset> {
  if (isUserDatasetId(id)) {
    if (!opts.loadUser) throw new Error(`dataset "${id}" is an imported one, and no loader of imported datasets was given`);
    return limited(datasetFromImported(await opts.loadUser(id)), opts);
  }
  if (!isDatasetId(id)) throw new Error(`unknown dataset "${id}" (known: ${datasetList.map((d) => d.id).join(', ')}, or an imported user-… id)`);
  if (id === 'xo') return limited(xoDataset(opts.seed ?? 1), opts);
  if (id === 'timeseries') return limited(timeseriesDataset(opts.seed ?? 1), opts);
  return loadPrepared(id, opts);
}
