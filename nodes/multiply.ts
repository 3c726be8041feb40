import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { broadcastShapes } from './lib/merge';
import { applyLayer } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { onnxBuilder } from './lib/onnx';

export const multiply = defineLayerKind({
  kind: 'Multiply',
  kerasClass: 'Multiply',
  version: 1,
  params: z.object({}),
  ui: {
    label: 'Multiply',
    category: 'merge',
    description: 'Elementwise product of two or more tensors of the same shape (a dimension of 1 broadcasts) — e.g. attention gates.',
    summary: () => '×',
  },
  inputs: { min: 2, max: Infinity },
  inferShape: (inputs) => broadcastShapes('Multiply', inputs),
  elementwise: (inputs, out) => product(out) * (inputs.length - 1),
  build: (tf, _p, name, xs) => applyLayer(tf.layers.multiply({ name }), xs),
  toKeras: () => ({}),
  fromKeras: () => ({}),
  toPyTorch: (c) => torchExpr(c, c.inputs.join(' * ')),
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    return b.done(c.inputs.slice(1).reduce((acc, x) => b.op('Mul', [acc, x]), c.inputs[0]));
  },
  testing: { samples: [{ params: {}, inputs: [[4, 4, 3], [4, 4, 1]] }], random: { ranks: [1, 2, 3], params: () => ({}) } },
});
