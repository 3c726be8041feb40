import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { broadcastShapes } from './lib/merge';
import { applyLayer } from './lib/keras';
import { torchExpr } from './lib/pytorch';
import { onnxBuilder } from './lib/onnx';

export const add = defineLayerKind({
  kind: 'Add',
  kerasClass: 'Add',
  version: 1,
  params: z.object({}),
  ui: {
    label: 'Add',
    category: 'merge',
    description: 'Elementwise sum of two or more tensors of the same shape — the join of a residual block.',
    summary: () => '+',
  },
  inputs: { min: 2, max: Infinity },
  inferShape: (inputs) => broadcastShapes('Add', inputs),
  elementwise: (inputs, out) => product(out) * (inputs.length - 1),
  build: (tf, _p, name, xs) => applyLayer(tf.layers.add({ name }), xs),
  toKeras: () => ({}),
  fromKeras: () => ({}),
  toPyTorch: (c) => torchExpr(c, c.inputs.join(' + ')),
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    return b.done(c.inputs.slice(1).reduce((acc, x) => b.op('Add', [acc, x]), c.inputs[0]));
  },
  testing: { samples: [{ params: {}, inputs: [[4, 4, 3], [4, 4, 3]] }], random: { ranks: [1, 2, 3], params: () => ({}) } },
});
