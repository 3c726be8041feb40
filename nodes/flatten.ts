import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { rankError } from './lib/conv';
import { applyLayer, requireChannelsLast } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { int, ints, onnxBuilder, toChannelsLast } from './lib/onnx';

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
  // Keras flattens H×W×C (channels last); permuting first keeps Dense weights interchangeable with Keras.
  toPyTorch: (c) => torchExpr(c, `torch.flatten(to_last(${c.inputs[0]}), 1)`, ['layout']),
  // Back to channels-last first, so that the following Dense weights keep Keras' H×W×C order.
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const last = b.op('Transpose', [c.inputs[0]], { perm: ints(toChannelsLast(c.inShapes[0].length)) }, 'to_channels_last');
    return b.done(b.op('Flatten', [last], { axis: int(1) }));
  },
  testing: { samples: [{ params: {}, inputs: [[12, 12, 3]] }], random: { ranks: [2, 3], params: () => ({}) } },
});
