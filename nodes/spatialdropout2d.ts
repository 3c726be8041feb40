import { z } from 'zod';
import { defineLayerKind, type SymbolicTensor } from './lib/define';
import { rankError } from './lib/conv';
import { applyLayer, requireChannelsLast } from './lib/keras';
import { dropoutRate } from './dropout';
import { torchModule } from './lib/pytorch';
import { onnxDropout } from './lib/onnx';

export const spatialDropout2d = defineLayerKind({
  kind: 'SpatialDropout2D',
  kerasClass: 'SpatialDropout2D',
  version: 1,
  params: z.object({ rate: dropoutRate }),
  ui: {
    label: 'SpatialDropout2D',
    category: 'regularization',
    description: 'Like Dropout, but drops whole feature maps (channels) at once, which suits correlated neighbouring pixels.',
    summary: (p) => `p=${p.rate} ch`,
  },
  inputs: { min: 1, max: 1 },
  inferShape: ([x]) => (x.length !== 3 ? rankError('SpatialDropout2D', 'an H×W×C input', x) : { shape: x }),
  // tfjs 4.22 has no SpatialDropout2D; Dropout with noise shape [batch, 1, 1, C] is the same operation
  // (null entries take the input's size), so the compiled tfjs layer is a Dropout.
  build: (tf, p, name, [x]): SymbolicTensor =>
    applyLayer(tf.layers.dropout({ rate: p.rate, noiseShape: [null, 1, 1, null] as unknown as number[], name }), x),
  toKeras: (p) => ({ rate: p.rate, data_format: 'channels_last', noise_shape: null, seed: null }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'SpatialDropout2D');
    return { rate: c.rate };
  },
  toPyTorch: (c) => torchModule(c, `nn.Dropout2d(p=${c.p.rate})`),
  // Dropout only acts in training; the export is an inference graph.
  toOnnx: (c) => onnxDropout(c, c.p.rate),
  testing: {
    samples: [{ params: { rate: 0.2 }, inputs: [[12, 12, 3]] }],
    random: { ranks: [3], params: (d) => ({ rate: d.int(0, 9) / 10 }) },
  },
});
