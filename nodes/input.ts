import { z } from 'zod';
import { defineLayerKind, fmtShape } from './lib/define';
import { posInt } from './lib/schema';
import { ints, onnxBuilder, toChannelsFirst } from './lib/onnx';

export const input = defineLayerKind({
  kind: 'Input',
  kerasClass: 'InputLayer',
  version: 1,
  params: z.object({
    shape: z.array(posInt).min(1, 'shape needs at least one dimension').max(3, 'shape has at most 3 dimensions (H×W×C)').default([28, 28, 1]),
  }),
  ui: {
    label: 'Input',
    category: 'input',
    description: 'The model input: H×W×C images, L×C sequences or a flat vector (batch dimension left out).',
    summary: (p) => fmtShape(p.shape),
  },
  inputs: { min: 0, max: 0 },
  inferShape: (_inputs, p) => ({ shape: p.shape }),
  build: (tf, p, name) => tf.input({ shape: [...p.shape], name }),
  toKeras: (p) => ({ batch_input_shape: [null, ...p.shape], dtype: 'float32', sparse: false }),
  fromKeras: (c) => {
    const batchShape = (c.batch_input_shape ?? c.batch_shape) as unknown;
    if (!Array.isArray(batchShape)) throw new Error('InputLayer config has no batch_input_shape');
    const shape = batchShape.slice(1);
    if (shape.some((d) => typeof d !== 'number')) {
      throw new Error(`InputLayer shape ${JSON.stringify(batchShape)} has an unknown dimension; Convas needs fixed sizes`);
    }
    return { shape };
  },
  // The input itself; the script's forward() takes it as an argument.
  toPyTorch: () => ({ init: [], forward: [] }),
  // The graph input keeps the channels-last shape; the graph inside is channels-first.
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const r = c.p.shape.length;
    return b.done(r >= 2 ? b.op('Transpose', [c.inputs[0]], { perm: ints(toChannelsFirst(r)) }, 'to_channels_first') : c.inputs[0]);
  },
  testing: {
    samples: [{ params: { shape: [20, 3] }, inputs: [] }],
    random: { ranks: [1, 2, 3], params: (_d, [x]) => ({ shape: [...x].reverse() }) },
  },
});
