import type { LayerKind } from './lib/define';
import { input } from './input';
import { conv1d } from './conv1d';
import { conv2d } from './conv2d';
import { depthwiseConv2d } from './depthwiseconv2d';
import { separableConv2d } from './separableconv2d';
import { conv2dTranspose } from './conv2dtranspose';
import { maxPooling1d } from './maxpooling1d';
import { maxPooling2d } from './maxpooling2d';
import { averagePooling1d } from './averagepooling1d';
import { averagePooling2d } from './averagepooling2d';
import { globalAveragePooling1d } from './globalaveragepooling1d';
import { globalAveragePooling2d } from './globalaveragepooling2d';
import { globalMaxPooling1d } from './globalmaxpooling1d';
import { globalMaxPooling2d } from './globalmaxpooling2d';
import { zeroPadding2d } from './zeropadding2d';
import { batchNormalization } from './batchnormalization';
import { activation } from './activation';
import { leakyRelu } from './leakyrelu';
import { dropout } from './dropout';
import { spatialDropout2d } from './spatialdropout2d';
import { flatten } from './flatten';
import { reshape } from './reshape';
import { dense } from './dense';
import { add } from './add';
import { concatenate } from './concatenate';
import { multiply } from './multiply';

export * from './lib/define';

/** Every layer kind, in palette order. Adding a kind means adding its file and one entry here. */
export const layerKinds: readonly LayerKind[] = [
  input,
  conv1d,
  conv2d,
  depthwiseConv2d,
  separableConv2d,
  conv2dTranspose,
  maxPooling1d,
  maxPooling2d,
  averagePooling1d,
  averagePooling2d,
  globalAveragePooling1d,
  globalAveragePooling2d,
  globalMaxPooling1d,
  globalMaxPooling2d,
  zeroPadding2d,
  batchNormalization,
  activation,
  leakyRelu,
  dropout,
  spatialDropout2d,
  flatten,
  reshape,
  dense,
  add,
  concatenate,
  multiply,
];

const byKind = new Map(layerKinds.map((k) => [k.kind, k]));
const byKerasClass = new Map<string, LayerKind>();
for (const k of layerKinds) byKerasClass.set(k.kerasClass, k);
for (const k of layerKinds) for (const a of k.kerasAliases ?? []) if (!byKerasClass.has(a)) byKerasClass.set(a, k);

/** The kind definition for a kind id, or undefined. */
export const getLayerKind = (kind: string): LayerKind | undefined => byKind.get(kind);

/** The kind definition for a Keras class name (its own class first, then `kerasAliases` such as `ReLU` → Activation), or undefined. */
export const getLayerKindByKerasClass = (cls: string): LayerKind | undefined => byKerasClass.get(cls);
