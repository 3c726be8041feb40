import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { broadcastShapes } from './lib/merge';

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
  build: (tf, _p, name, xs) => tf.layers.add({ name }).apply(xs) as ReturnType<typeof tf.input>,
  toKeras: () => ({}),
  fromKeras: () => ({}),
});

