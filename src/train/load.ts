/**
 * How the training worker gets its data: built-in datasets as src/train/datasets loads them, imported ones (`user-…`)
 * from the browser's dataset store (src/data/store.ts, IndexedDB), converted by the same loader.
 */
import { isUserDatasetId } from '../data/ids';
import { getDatasetMeta, loadDataset as loadStoredDataset } from '../data/store';
import { loadDataset, type Dataset, type LoadOptions } from './datasets/index';

/** Loads any dataset training can use, by id. */
export function loadTrainingDataset(id: string, opts: Omit<LoadOptions, 'loadUser'> = {}): Promise<Dataset> {
  return loadDataset(id, { ...opts, loadUser: loadStoredDataset });
}

/**
 * What tells two loads of `id` apart, for the worker's cache: imported datasets may be replaced under the same id,
 * so their stored creation time and size count too (read from the meta alone, without the samples).
 */
export async function datasetRevision(id: string): Promise<string> {
  if (!isUserDatasetId(id)) return '';
  const meta = await getDatasetMeta(id);
  return `${meta.createdAt}:${meta.bytes}`;
}
