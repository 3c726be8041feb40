import type { DatasetMeta, ImportedDataset } from '../../data/types';
import type { Dataset, DatasetInfo } from './types';

/** What the Train panel and {@link checkCompatibility} need to know about an imported dataset, from its stored meta. */
export function datasetInfoFromMeta(meta: DatasetMeta): DatasetInfo {
  const what = meta.kind === 'image' ? 'Imported images' : meta.kind === 'series' ? 'Imported series' : 'Imported arrays';
  return {
    id: meta.id,
    name: meta.name,
    inputShape: [...meta.inputShape],
    numClasses: meta.classNames.length,
    description: `${what}, ${meta.train.n.toLocaleString('en-US')} train / ${meta.test.n.toLocaleString('en-US')} test`,
  };
}

/** Channels whose standard deviation is below this are only centred: a constant channel must not divide by 0. */
const MIN_STD = 1e-6;

/**
 * An imported dataset as training reads it: the same sample arrays (uint8 stays uint8, scaled when batches are built)
 * and the standardisation of the meta when it is on. Throws naming the dataset when labels or stats do not fit.
 */
export function datasetFromImported(imp: ImportedDataset): Dataset {
  const { meta } = imp;
  const numClasses = meta.classNames.length;
  for (const split of ['train', 'test'] as const) {
    const y = imp[split].y;
    for (let i = 0; i < y.length; i++) {
      if (y[i] >= numClasses) throw new Error(`dataset "${meta.name}": ${split} sample ${i} has label ${y[i]}, but there are only ${numClasses} classes`);
    }
  }
  let standardize: Dataset['standardize'];
  if (meta.standardize) {
    const channels = meta.inputShape[meta.inputShape.length - 1];
    const { mean, std } = meta.stats;
    if (mean.length !== channels || std.length !== channels) {
      throw new Error(`dataset "${meta.name}": standardisation needs a mean and std for each of its ${channels} channels, got ${mean.length} and ${std.length}`);
    }
    standardize = { mean: [...mean], std: std.map((s) => (s < MIN_STD ? 1 : s)) };
  }
  return {
    id: meta.id,
    inputShape: [...meta.inputShape],
    numClasses,
    classNames: [...meta.classNames],
    train: imp.train,
    test: imp.test,
    ...(standardize ? { standardize } : {}),
  };
}
