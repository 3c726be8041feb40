import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, posInt } from './lib/schema';
import { rankError } from './lib/conv';

export const dense = defineLayerKind({
  kind: 'Dense',
  kerasClass: 'Dense',
  version: 1,
  params: z.object({
    units: posInt.default(10),
    activation: activation('linear'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'Dense',
    category: 'dense',
    description: 'Fully connected layer; on inputs of rank > 1 it acts on the last axis.',
    summary: (p) => `${p.units}${p.activation === 'linear' ? '' : ` ${p.activation}`}`,
  },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length < 1) return rankError('Dense', 'an input of rank ≥ 1', x);
    return { shape: [...x.slice(0, -1), p.units] };
  },
  count: ([x], _out, p) => ({ trainable: x[x.length - 1] * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 }),
  macs: ([x], out) => product(out) * x[x.length - 1],
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    tf.layers.dense({ units: p.units, activation: p.activation, useBias: p.useBias, name }).apply(x) as ReturnType<typeof tf.input>,
  toKeras: (p) => ({ units: p.units, activation: p.activation, use_bias: p.useBias }),
  fromKeras: (c) => ({ units: c.units, activation: c.activation, useBias: c.use_bias }),
});
