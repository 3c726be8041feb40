import { flattenProject } from '../src/graph/blocks';
import type { ProjectFileV1 } from '../src/graph/types';
import basicCnn from './basic-cnn.json';
import calorimeterCnn from './calorimeter-cnn.json';
import conv1dTimeseries from './conv1d-timeseries.json';
import jetImageCnn from './jet-image-cnn.json';
import lenet5 from './lenet5.json';
import lenet5Classic from './lenet5-classic.json';
import mobilenet from './mobilenet.json';
import resnet18 from './resnet18.json';
import resnet50 from './resnet50.json';
import resnetCifar from './resnet-cifar.json';
import vgg16 from './vgg16.json';
import vggSmall from './vgg-small.json';

/** A preset in the menu, with the totals inferGraph (and tfjs) must give for it. */
export interface PresetInfo {
  id: string;
  name: string;
  description: string;
  /** The dataset the preset trains on as it is, if any: a built-in dataset id (presets.test.ts checks it exists). */
  dataset?: string;
  /** Keras' counting convention (BatchNormalization: 2·C trainable + 2·C non-trainable); MACs of conv and dense only. */
  expected: { params: number; trainableParams: number; nonTrainableParams: number; macs: number };
}

// The JSON files are written by scripts/make-presets.ts (`npm run presets`); edit the builder there, not the files.
const files: Record<string, unknown> = {
  lenet5,
  'lenet5-classic': lenet5Classic,
  'basic-cnn': basicCnn,
  'vgg-small': vggSmall,
  vgg16,
  'resnet-cifar': resnetCifar,
  resnet18,
  resnet50,
  mobilenet,
  'calorimeter-cnn': calorimeterCnn,
  'jet-image-cnn': jetImageCnn,
  'conv1d-timeseries': conv1dTimeseries,
};

// Expected totals: the published figures where there are any (Keras applications, torchvision, keras.io's
// ResNet-20), worked out by hand otherwise; presets.test.ts holds inferGraph and tfjs to them.
const table: Array<Omit<PresetInfo, 'name' | 'description'>> = [
  {
    id: 'lenet5',
    dataset: 'mnist',
    expected: { params: 61_706, trainableParams: 61_706, nonTrainableParams: 0, macs: 416_520 },
  },
  {
    id: 'lenet5-classic',
    expected: { params: 61_706, trainableParams: 61_706, nonTrainableParams: 0, macs: 416_520 },
  },
  {
    id: 'basic-cnn',
    dataset: 'xo',
    expected: { params: 1_282, trainableParams: 1_282, nonTrainableParams: 0, macs: 32_360 },
  },
  {
    id: 'vgg-small',
    expected: { params: 5_747_274, trainableParams: 5_743_434, nonTrainableParams: 3_840, macs: 210_441_216 },
  },
  {
    id: 'vgg16',
    expected: { params: 138_357_544, trainableParams: 138_357_544, nonTrainableParams: 0, macs: 15_470_264_320 },
  },
  {
    id: 'resnet-cifar',
    expected: { params: 274_442, trainableParams: 273_066, nonTrainableParams: 1_376, macs: 40_813_184 },
  },
  {
    id: 'resnet18',
    // torchvision's 11,689,512 leaves BN running statistics out; Keras counts them as 9,600 non-trainable params.
    expected: { params: 11_699_112, trainableParams: 11_689_512, nonTrainableParams: 9_600, macs: 1_814_073_344 },
  },
  {
    id: 'resnet50',
    expected: { params: 25_636_712, trainableParams: 25_583_592, nonTrainableParams: 53_120, macs: 3_857_973_248 },
  },
  {
    id: 'mobilenet',
    expected: { params: 4_253_864, trainableParams: 4_231_976, nonTrainableParams: 21_888, macs: 568_740_352 },
  },
  {
    id: 'calorimeter-cnn',
    dataset: 'calorimeter',
    expected: { params: 89_444, trainableParams: 89_444, nonTrainableParams: 0, macs: 2_867_456 },
  },
  {
    id: 'jet-image-cnn',
    dataset: 'jet-images',
    expected: { params: 261_829, trainableParams: 261_829, nonTrainableParams: 0, macs: 12_544_640 },
  },
  {
    id: 'conv1d-timeseries',
    dataset: 'timeseries',
    expected: { params: 11_108, trainableParams: 11_108, nonTrainableParams: 0, macs: 372_864 },
  },
];

/** Every preset, in menu order; lenet5 first. Name and description come from the preset's file. */
export const presetList: PresetInfo[] = table.map((t) => {
  const file = files[t.id] as ProjectFileV1;
  return { ...t, name: file.name, description: file.description ?? '' };
});

/**
 * The project document of a preset as the editor opens it (ResNet, VGG and MobileNet made of block instances),
 * or undefined for an unknown id. A fresh deep copy on every call, so callers may hand it to a store or mutate it.
 */
export function presetDocument(id: string): ProjectFileV1 | undefined {
  const file = Object.hasOwn(files, id) ? files[id] : undefined;
  return file === undefined ? undefined : (structuredClone(file) as ProjectFileV1);
}

/**
 * The network of a preset as inference, compile, training and export see it: blocks expanded into plain layers
 * named `instance/layer` (see {@link presetDocument} for the document with its blocks), or undefined for an unknown id.
 * A fresh deep copy on every call, so callers may hand it to a store or mutate it freely.
 *
 * @example
 * const project = getPreset('lenet5'); // 9 nodes, 61,706 params
 */
export function getPreset(id: string): ProjectFileV1 | undefined {
  const doc = presetDocument(id);
  return doc && flattenProject(doc);
}
