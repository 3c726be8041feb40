import type { LayerKind } from './lib/define';
import { input } from './input';
import { conv2d } from './conv2d';
import { depthwiseConv2d } from './depthwiseconv2d';
import { maxPooling2d } from './maxpooling2d';
import { averagePooling2d } from './averagepooling2d';
import { globalAveragePooling2d } from './globalaveragepooling2d';
import { zeroPadding2d } from './zeropadding2d';
import { batchNormalization } from './batchnormalization';
import { activation } from './activation';
import { dropout } from './dropout';
import { flatten } from './flatten';
import { dense } from './dense';
import { add } from './add';

export * from './lib/define';

/** Every layer kind, in palette order. Adding a kind means adding its file and one entry here. */
export const layerKinds: readonly LayerKind[] = [
  input,
  conv2d,
  depthwiseConv2d,
  maxPooling2d,
  averagePooling2d,
  globalAveragePooling2d,
  zeroPadding2d,
  batchNormalization,
  activation,
  dropout,
  flatten,
  dense,
  add,
];

const byKind = new Map(layerKinds.map((k) => [k.kind, k]));
const byKerasClass = new Map<string, LayerKind>();
for (const k of layerKinds) byKerasClass.set(k.kerasClass, k);
for (const k of layerKinds) for (const a of k.kerasAliases ?? []) if (!byKerasClass.has(a)) byKerasClass.set(a, k);

/** The kind definition for a kind id, or undefined. */
export const getLayerKind = (kind: string): LayerKind | undefined => byKind.get(kind);

/** The kind definition for a Keras class name (its own class first, then `kerasAliases` such as `ReLU` → Activation), or undefined. */
export const getLayerKindByKerasClass = (cls: string): LayerKind | undefined => byKerasClass.get(cls);
