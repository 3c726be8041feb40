import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { applyLayer } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { float, onnxUnary } from './lib/onnx';

export const leakyRelu = defineLayerKind({
  kind: 'LeakyReLU',
  kerasClass: 'LeakyReLU',
  version: 1,
  params: z.object({ alpha: z.number().min(0, 'alpha must be ≥ 0').default(0.3) }),
  ui: {
    label: 'LeakyReLU',
    category: 'activation',
    description: 'ReLU that lets a small slope `alpha` through for negative inputs: f(x) = x if x > 0, else alpha·x.',
    summary: (p) => `α=${p.alpha}`,
  },
  inputs: { min: 1, max: 1 },
  inferShape: ([x]) => ({ shape: x }),
  elementwise: (_in, out) => product(out),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.leakyReLU({ alpha: p.alpha, name }), x),
  toKeras: (p) => ({ alpha: p.alpha }),
  // Keras 3 renamed alpha to negative_slope.
  fromKeras: (c) => ({ alpha: c.alpha ?? c.negative_slope }),
  toPyTorch: (c) => torchExpr(c, `F.leaky_relu(${c.inputs[0]}, negative_slope=${c.p.alpha})`),
  toOnnx: (c) => onnxUnary(c, 'LeakyRelu', { alpha: float(c.p.alpha) }),
  testing: {
    samples: [{ params: { alpha: 0.1 }, inputs: [[12, 12, 3]] }],
    random: { ranks: [1, 2, 3], params: (d) => ({ alpha: d.int(0, 5) / 10 }) },
  },
});
