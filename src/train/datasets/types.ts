import type { ImportedDataset } from '../../data/types';

/** Ids of the datasets built into Convas. */
export const DATASET_IDS = ['mnist', 'fashion-mnist', 'xo', 'timeseries'] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

/**
 * One split of a dataset: `n` samples, `x` holds n × prod(inputShape) values, `y` class indices. Float32 values are
 * what the model sees (pixels in [0, 1], series as they are); uint8 values are pixel bytes, scaled by 1/255 when a
 * batch is built.
 */
export interface DatasetSplit<X extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  x: X;
  y: Uint8Array;
  n: number;
}

/** A classification dataset held in memory, channels-last, without the batch dimension in `inputShape`. */
export interface Dataset {
  /** A built-in {@link DatasetId} or an imported dataset's `user-…` id. */
  id: string;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  train: DatasetSplit;
  test: DatasetSplit;
  /**
   * Per-channel standardisation applied when batches are built, on the scaled values: (v − mean[c]) / std[c], c the
   * last axis. Absent: values are used as they are.
   */
  standardize?: { mean: number[]; std: number[] };
}

/** Reads a file of the prepared dataset folder (public/datasets/<id>/<name>) as bytes. */
export type FileReader = (id: DatasetId, name: string) => Promise<Uint8Array>;

export interface LoadOptions {
  /** Keep only the first `trainLimit` training samples (small runs, tests). */
  trainLimit?: number;
  /** Keep only the first `testLimit` test samples. */
  testLimit?: number;
  /** Seed of generated datasets (xo, timeseries). Default 1. */
  seed?: number;
  /** How prepared files are read: defaults to `fetch(<baseUrl>datasets/<id>/<name>)`; Node tests pass an fs reader. */
  readFile?: FileReader;
  /** URL prefix for the default fetch reader, e.g. `/` or `import.meta.env.BASE_URL`. Default `/`. */
  baseUrl?: string;
  /**
   * Reads an imported dataset (`user-…` ids) from wherever it is stored: the training worker passes the IndexedDB
   * store's loader (src/train/load.ts), so this folder never touches IndexedDB itself.
   */
  loadUser?: (id: string) => Promise<ImportedDataset>;
}

/** What the UI lists about a dataset before loading it. */
export interface DatasetInfo {
  id: string;
  name: string;
  inputShape: number[];
  numClasses: number;
  description: string;
}
