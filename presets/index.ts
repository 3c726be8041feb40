import type { ProjectFileV1 } from '../src/graph/types';
import lenet5 from './lenet5.json';

/** A preset in the menu, with the totals inferGraph (and tfjs) must give for it. */
export interface PresetInfo {
  id: string;
  name: string;
  description: string;
  /** The dataset the preset trains on as it is, if any. */
  dataset?: 'mnist' | 'fashion-mnist' | 'xo' | 'timeseries';
  /** Keras' counting convention (BatchNormalization: 2·C trainable + 2·C non-trainable); MACs of conv and dense only. */
  expected: { params: number; trainableParams: number; nonTrainableParams: number; macs: number };
}

// The JSON files are written by scripts/make-presets.ts (`npm run presets`); edit the builder there, not the files.
const files: Record<string, unknown> = {
  lenet5,
};

/** Every preset, in menu order; lenet5 first. */
export const presetList: PresetInfo[] = [
  {
    id: 'lenet5',
    name: 'LeNet-5',
    description: 'LeNet-5 as usually written in Keras: 28×28×1 digits, two conv + max-pool stages, three dense layers.',
    dataset: 'mnist',
    expected: { params: 61_706, trainableParams: 61_706, nonTrainableParams: 0, macs: 416_520 },
  },
];

/**
 * The project document of a preset, or undefined for an unknown id. A fresh deep copy on every call,
 * so callers may hand it to a store or mutate it freely.
 *
 * @example
 * const project = getPreset('lenet5'); // 9 nodes, 61,706 params
 */
export function getPreset(id: string): ProjectFileV1 | undefined {
  const file = Object.hasOwn(files, id) ? files[id] : undefined;
  return file === undefined ? undefined : (structuredClone(file) as ProjectFileV1);
}
