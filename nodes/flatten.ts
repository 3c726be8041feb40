import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { rankError } from './lib/conv';
import { applyLayer, requireChannelsLast } from './lib/keras';

export const flatten = defineLayerKind({
  kind: 'Flatten',
  kerasClass: 'Flatten',
  version: 1,
  params: z.object({}),
  ui: {
    label: 'Flatten',
    category: 'reshape',
    description: 'Unrolls every axis into one vector (H×W×C → H·W·C), typically before Dense layers.',
    summary: () => '→ 1D',
  },
  inputs: { min: 1, max: 1 },
  // tfjs' Flatten requires rank ≥ 3 with the batch axis, i.e. rank ≥ 2 here; a vector is already flat.
  inferShape: ([x]) => (x.length < 2 ? rankError('Flatten', 'an input of rank ≥ 2 (a vector is already flat)', x) : { shape: [product(x)] }),
  build: (tf, _p, name, [x]) => applyLayer(tf.layers.flatten({ name }), x),
  toKeras: () => ({ data_format: 'channels_last' }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'Flatten');
    return {};
  },
});
