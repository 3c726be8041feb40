import { z } from 'zod';
import { defineLayerKind } from './lib/define';
import { rankError } from './lib/conv';
import { applyLayer, requireChannelsLast } from './lib/keras';
import { py, torchModule } from './lib/pytorch';
import { onnxBuilder } from './lib/onnx';

const nonNeg = z.number().int().min(0);
type Pad = [[number, number], [number, number]];

/** Keras' three spellings: `n`, `[h, w]` (symmetric) or `[[top, bottom], [left, right]]`; normalised to the last. */
const padSpec = z
  .union([nonNeg, z.tuple([nonNeg, nonNeg]), z.tuple([z.tuple([nonNeg, nonNeg]), z.tuple([nonNeg, nonNeg])])])
  .default(1)
  .transform((v): Pad => {
    if (typeof v === 'number') return [[v, v], [v, v]];
    if (typeof v[0] === 'number') return [[v[0], v[0]], [v[1] as number, v[1] as number]];
    const [h, w] = v as Pad;
    return [[h[0], h[1]], [w[0], w[1]]];
  });

export const zeroPadding2d = defineLayerKind({
  kind: 'ZeroPadding2D',
  kerasClass: 'ZeroPadding2D',
  version: 1,
  params: z.object({ padding: padSpec }),
  ui: {
    label: 'ZeroPadding2D',
    category: 'reshape',
    description: 'Adds rows and columns of zeros around the image: n, [h, w] or [[top, bottom], [left, right]].',
    summary: ({ padding: [[t, b], [l, r]] }) => (t === b && l === r ? (t === l ? `pad ${t}` : `pad ${t}×${l}`) : `pad ${t},${b},${l},${r}`),
  },
  inputs: { min: 1, max: 1 },
  inferShape: ([x], { padding: [[t, b], [l, r]] }) =>
    x.length !== 3 ? rankError('ZeroPadding2D', 'an H×W×C input', x) : { shape: [x[0] + t + b, x[1] + l + r, x[2]] },
  build: (tf, p, name, [x]) => applyLayer(tf.layers.zeroPadding2d({ padding: p.padding, name }), x),
  toKeras: (p) => ({ padding: p.padding, data_format: 'channels_last' }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'ZeroPadding2D');
    return { padding: c.padding };
  },
  toPyTorch: (c) => {
    const [[t, b], [l, r]] = c.p.padding;
    return torchModule(c, `nn.ZeroPad2d(${py([l, r, t, b])})`);
  },
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const [[t, bottom], [l, r]] = c.p.padding;
    return b.done(b.op('Pad', [c.inputs[0], b.int64('pads', [0, 0, t, l, 0, 0, bottom, r])]));
  },
  testing: {
    samples: [{ params: { padding: [[1, 2], [0, 3]] }, inputs: [[12, 12, 3]] }],
    random: { ranks: [3], params: (d) => ({ padding: d.bool() ? d.int(0, 2) : [[d.int(0, 2), d.int(0, 2)], [d.int(0, 2), d.int(0, 2)]] }) },
  },
});
