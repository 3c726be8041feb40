import { z } from 'zod';
import { defineLayerKind, product } from '../lib/define';
import { posInt } from '../lib/schema';
import { rankError } from '../lib/conv';
import { applyLayer } from '../lib/keras';
import { py, torchModule } from '../lib/pytorch';

/**
 * A layer kind that exists only for `src/ui/adding-a-kind.test.ts`: a 1×1 channel mix written the way a new kind is
 * written — this one file, nothing elsewhere — to prove that the registry is closed (see nodes/README.md).
 */
export const throwaway = defineLayerKind({
  kind: 'ChannelMix',
  kerasClass: 'ChannelMix',
  version: 1,
  params: z.object({ units: posInt.default(4), useBias: z.boolean().default(true) }),
  ui: {
    label: 'ChannelMix',
    category: 'conv',
    description: 'Test-only: mixes the channels of every pixel with one learned matrix (a 1×1 convolution).',
    summary: (p) => `mix → ${p.units}`,
  },
  spatialFilters: { dims: 2, layout: 'dense' },
  inputs: { min: 1, max: 1 },
  inferShape: ([x], p) => (x.length !== 3 ? rankError('ChannelMix', 'an H×W×C input', x) : { shape: [x[0], x[1], p.units] }),
  count: ([x], _out, p) => ({ trainable: x[2] * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 }),
  macs: ([x], out) => product(out) * x[2],
  build: (tf, p, name, [x]) => applyLayer(tf.layers.conv2d({ filters: p.units, kernelSize: 1, useBias: p.useBias, name }), x),
  toKeras: (p) => ({ units: p.units, use_bias: p.useBias }),
  fromKeras: (c) => ({ units: c.units, useBias: c.use_bias }),
  toPyTorch: (c) => torchModule(c, `nn.Conv2d(${c.inShapes[0][2]}, ${c.p.units}, kernel_size=1, bias=${py(c.p.useBias)})`),
  testing: {
    samples: [{ params: { units: 5, useBias: false }, inputs: [[6, 6, 3]] }],
    random: { ranks: [3], params: (d) => ({ units: d.int(1, 6), useBias: d.bool() }) },
  },
});
