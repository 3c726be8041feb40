import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { ACTIVATIONS, activation as activationParam } from './lib/schema';
import { applyLayer } from './lib/keras';
import { torchActivation, torchExpr } from './lib/pytorch';
import { onnxBuilder } from './lib/onnx';

/**
 * Reads Keras' `ReLU` layer config (`max_value`, `negative_slope`, `threshold`) as an Activation:
 * plain ReLU → `relu`, `max_value` 6 → `relu6`; anything else has no Activation equivalent.
 */
function fromReluLayer(c: Record<string, unknown>): Record<string, unknown> {
  const slope = c.negative_slope ?? 0;
  const threshold = c.threshold ?? 0;
  if (slope !== 0) throw new Error(`ReLU negative_slope ${String(slope)} is not supported; use a LeakyReLU layer`);
  if (threshold !== 0) throw new Error(`ReLU threshold ${String(threshold)} is not supported`);
  const max = c.max_value ?? null;
  if (max === null) return { activation: 'relu' };
  if (max === 6) return { activation: 'relu6' };
  throw new Error(`ReLU max_value ${String(max)} is not supported (only none → relu and 6 → relu6)`);
}

export const activation = defineLayerKind({
  kind: 'Activation',
  kerasClass: 'Activation',
  kerasAliases: ['ReLU'],
  version: 1,
  params: z.object({ activation: activationParam('relu') }),
  ui: {
    label: 'Activation',
    category: 'activation',
    description: 'Applies a nonlinearity elementwise (softmax along the last axis); no parameters.',
    summary: (p) => p.activation,
  },
  inputs: { min: 1, max: 1 },
  inferShape: ([x]) => ({ shape: x }),
  // One op per element; softmax counts exp, sum and divide.
  elementwise: (_in, out, p) => product(out) * (p.activation === 'linear' ? 0 : p.activation === 'softmax' ? 3 : 1),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.activation({ activation: p.activation, name }), x),
  toKeras: (p) => ({ activation: p.activation }),
  fromKeras: (c) => ('activation' in c ? { activation: c.activation } : fromReluLayer(c)),
  toPyTorch: (c) => torchExpr(c, torchActivation(c.p.activation, c.inputs[0], c.name)),
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    return b.done(b.activation(c.inputs[0], c.p.activation));
  },
  testing: {
    samples: [{ params: { activation: 'elu' }, inputs: [[12, 12, 3]] }],
    random: { ranks: [1, 2, 3], params: (d) => ({ activation: d.pick(ACTIVATIONS) }) },
  },
});
