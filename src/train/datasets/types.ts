/** Ids of the datasets Convas can train on. */
export type DatasetId = 'mnist' | 'fashion-mnist' | 'xo' | 'timeseries';

/** One split of a dataset: `n` samples, `x` holds n × prod(inputShape) floats in [0, 1] (or ±, for series), `y` class indices. */
export interface DatasetSplit {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** A classification dataset held in memory, channels-last, without the batch dimension in `inputShape`. */
export interface Dataset {
  id: DatasetId;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  train: DatasetSplit;
  test: DatasetSplit;
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
}

/** What the UI lists about a dataset before loading it. */
export interface DatasetInfo {
  id: DatasetId;
  name: string;
  inputShape: number[];
  numClasses: number;
  description: string;
}
