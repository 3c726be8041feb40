import { z } from 'zod';
import { defineLayerKind } from './lib/define';
import { applyLayer } from './lib/keras';
import { torchModule } from './lib/pytorch';
import { onnxDropout } from './lib/onnx';

/** Dropout rate: Keras allows [0, 1]; 1 would drop everything, so Convas asks for [0, 1). */
export const dropoutRate = z.number().min(0, 'rate must be ≥ 0').lt(1, 'rate must be < 1').default(0.5);

export const dropout = defineLayerKind({
  kind: 'Dropout',
  kerasClass: 'Dropout',
  version: 1,
  params: z.object({ rate: dropoutRate }),
  ui: {
    label: 'Dropout',
    category: 'regularization',
    description: 'During training, zeroes a random fraction `rate` of the values (and rescales the rest); identity at inference.',
    summary: (p) => `p=${p.rate}`,
  },
  inputs: { min: 1, max: 1 },
  inferShape: ([x]) => ({ shape: x }),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.dropout({ rate: p.rate, name }), x),
  toKeras: (p) => ({ rate: p.rate, noise_shape: null, seed: null }),
  fromKeras: (c) => {
    if (c.noise_shape !== undefined && c.noise_shape !== null) {
      throw new Error(`Dropout noise_shape ${JSON.stringify(c.noise_shape)} is not supported (use SpatialDropout2D to drop whole channels)`);
    }
    return { rate: c.rate };
  },
  toPyTorch: (c) => torchModule(c, `nn.Dropout(p=${c.p.rate})`),
  // Dropout only acts in training; the export is an inference graph.
  toOnnx: (c) => onnxDropout(c, c.p.rate),
  testing: {
    samples: [{ params: { rate: 0.25 }, inputs: [[12, 12, 3]] }],
    random: { ranks: [1, 2, 3], params: (d) => ({ rate: d.int(0, 9) / 10 }) },
  },
});
