import type { LayerKind } from './lib/define';
import { input } from './input';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { add } from './add';

export * from './lib/define';

/** Every layer kind, in palette order. Adding a kind means adding its file and one entry here. */
export const layerKinds: readonly LayerKind[] = [input, conv2d, dense, add];

const byKind = new Map(layerKinds.map((k) => [k.kind, k]));
const byKerasClass = new Map(layerKinds.map((k) => [k.kerasClass, k]));

/** The kind definition for a kind id, or undefined. */
export const getLayerKind = (kind: string): LayerKind | undefined => byKind.get(kind);

/** The kind definition for a Keras class name, or undefined. */
export const getLayerKindByKerasClass = (cls: string): LayerKind | undefined => byKerasClass.get(cls);
