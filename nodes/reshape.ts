import { z } from 'zod';
import { defineLayerKind, fmtShape, product } from './lib/define';
import { applyLayer } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { ints, onnxBuilder, toChannelsFirst, toChannelsLast } from './lib/onnx';

const dim = z
  .number()
  .int('targetShape entries must be whole numbers')
  .refine((d) => d === -1 || d >= 1, 'targetShape entries must be ≥ 1, or -1 for "whatever is left"');

/** `[7, -1]` → `7×?`. */
const fmtTarget = (s: readonly number[]) => s.map((d) => (d === -1 ? '?' : d)).join('×');

export const reshape = defineLayerKind({
  kind: 'Reshape',
  kerasClass: 'Reshape',
  version: 1,
  params: z.object({
    targetShape: z
      .array(dim)
      .min(1, 'targetShape needs at least one dimension')
      .max(4, 'targetShape has at most 4 dimensions')
      .refine((s) => s.filter((d) => d === -1).length <= 1, 'targetShape may contain -1 only once')
      .default([-1]),
  }),
  ui: {
    label: 'Reshape',
    category: 'reshape',
    description: 'Rearranges the values into `targetShape` (batch left out); one entry may be -1 to take whatever is left.',
    summary: (p) => `→ ${fmtTarget(p.targetShape)}`,
  },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    const total = product(x);
    const known = product(p.targetShape.filter((d) => d !== -1));
    const free = p.targetShape.indexOf(-1);
    const target = fmtTarget(p.targetShape);
    if (free === -1 ? known !== total : total % known !== 0) {
      return {
        error: {
          code: 'size-mismatch',
          message:
            free === -1
              ? `cannot reshape ${fmtShape(x)} (${total} values) into ${target} (${known} values)`
              : `cannot reshape ${fmtShape(x)} (${total} values) into ${target}: ${total} is not a multiple of ${known}`,
          param: 'targetShape',
        },
      };
    }
    return { shape: p.targetShape.map((d) => (d === -1 ? total / known : d)) };
  },
  // A copy: tfjs' Reshape rewrites -1 to null in the array it is given.
  build: (tf, p, name, [x]) => applyLayer(tf.layers.reshape({ targetShape: [...p.targetShape], name }), x),
  toKeras: (p) => ({ target_shape: p.targetShape }),
  // tfjs writes the free dimension as null, Keras as -1.
  fromKeras: (c) => ({ targetShape: Array.isArray(c.target_shape) ? c.target_shape.map((d) => (d === null ? -1 : d)) : c.target_shape }),
  toPyTorch: (c) => torchExpr(c, `to_first(to_last(${c.inputs[0]}).reshape(-1, ${[...c.out].join(', ')}))`, ['layout']),
  // Keras reshapes the channels-last values: transpose there, reshape, and back to channels-first.
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const r = c.inShapes[0].length;
    const x = r >= 2 ? b.op('Transpose', [c.inputs[0]], { perm: ints(toChannelsLast(r)) }, 'to_channels_last') : c.inputs[0];
    const y = b.op('Reshape', [x, b.int64('shape', [-1, ...c.out])]);
    return b.done(c.out.length >= 2 ? b.op('Transpose', [y], { perm: ints(toChannelsFirst(c.out.length)) }, 'to_channels_first') : y);
  },
  testing: {
    samples: [{ params: { targetShape: [36, -1] }, inputs: [[12, 12, 3]] }],
    // No -1 here: with an unknown batch size tfjs leaves it unresolved in the compiled model's shapes.
    random: { ranks: [2, 3], params: (d, [x]) => ({ targetShape: d.bool() ? [product(x)] : [x[0], product(x.slice(1))] }) },
  },
});
