import { z } from 'zod';
import { defineLayerKind, fmtShape, type InferResult, type Shape } from './lib/define';
import { applyLayer } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { int, onnxAxis, onnxBuilder } from './lib/onnx';

/** Joins inputs along Keras `axis` (the batch axis is 0, so axis k ≥ 1 is our index k − 1; negatives count from the end). */
function concatShapes(inputs: Shape[], axis: number): InferResult {
  const [first] = inputs;
  const rank = first.length;
  const i = axis < 0 ? rank + axis : axis - 1;
  if (i < 0 || i >= rank) {
    return {
      error: {
        code: 'invalid-axis',
        message: `axis ${axis} is out of range for rank-${rank} inputs (Keras counts the batch axis as 0; valid: 1…${rank} or -1…-${rank})`,
        param: 'axis',
      },
    };
  }
  const out = [...first];
  for (let n = 1; n < inputs.length; n++) {
    const s = inputs[n];
    const bad = s.length !== rank || s.some((d, j) => j !== i && d !== first[j]);
    if (bad) {
      return {
        error: {
          code: 'shape-mismatch',
          message: `Concatenate on axis ${axis}: input ${n + 1} (${fmtShape(s)}) does not match input 1 (${fmtShape(first)}); all other dimensions must be equal`,
        },
      };
    }
    out[i] += s[i];
  }
  return { shape: out };
}

export const concatenate = defineLayerKind({
  kind: 'Concatenate',
  kerasClass: 'Concatenate',
  version: 1,
  params: z.object({ axis: z.number().int().refine((a) => a !== 0, 'axis 0 is the batch axis; use -1 for channels').default(-1) }),
  ui: {
    label: 'Concatenate',
    category: 'merge',
    description: 'Joins two or more tensors along `axis` (default -1: channels); every other dimension must match.',
    summary: (p) => (p.axis === -1 ? '‖ channels' : `‖ axis ${p.axis}`),
  },
  inputs: { min: 2, max: Infinity },
  inferShape: (inputs, p) => concatShapes(inputs, p.axis),
  build: (tf, p, name, xs) => applyLayer(tf.layers.concatenate({ axis: p.axis, name }), xs),
  toKeras: (p) => ({ axis: p.axis }),
  fromKeras: (c) => ({ axis: c.axis }),
  toPyTorch: (c) => {
    const r = c.inShapes[0].length;
    const a = c.p.axis;
    const i = a < 0 ? r + 1 + a : a;
    const dim = r === 1 || i === r ? 1 : i + 1;
    return torchExpr(c, `torch.cat([${c.inputs.join(', ')}], dim=${dim})`);
  },
  // The Keras axis maps onto the channels-first tensor; no transposes.
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const r = c.inShapes[0].length;
    const i = c.p.axis < 0 ? r + c.p.axis : c.p.axis - 1;
    return b.done(b.op('Concat', c.inputs, { axis: int(onnxAxis(i, r)) }));
  },
  testing: {
    samples: [{ params: { axis: 2 }, inputs: [[4, 4, 3], [4, 2, 3]] }],
    random: { ranks: [1, 2, 3], params: (d, [x]) => ({ axis: d.bool() ? -1 : d.int(1, x.length) }) },
  },
});
