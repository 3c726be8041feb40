import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { ACTIVATIONS, activation, fmtPair, pair, padding, posInt } from './lib/schema';
import {
  biasActivationElementwise,
  convFromKeras,
  convSummaryTail,
  convToKeras,
  convToPyTorch,
  fmtStrides,
  rankError,
  stridesDilationError,
  tfConvArgs,
  windowOutput,
} from './lib/conv';
import { applyLayer } from './lib/keras';
import { convToOnnx } from './lib/onnx';

const params = z.object({
  filters: posInt.default(32),
  kernelSize: pair(3),
  strides: pair(1),
  padding,
  dilationRate: pair(1),
  activation: activation('relu'),
  useBias: z.boolean().default(true),
});

export const conv2d = defineLayerKind({
  kind: 'Conv2D',
  kerasClass: 'Conv2D',
  version: 1,
  params,
  ui: {
    label: 'Conv2D',
    category: 'conv',
    description: 'Learns `filters` kernels that slide over the image; each output channel is one feature map.',
    summary: (p) => `${p.filters}@${fmtPair(p.kernelSize)} ${fmtStrides(p.strides)}${convSummaryTail(p)}`,
  },
  spatialFilters: { dims: 2, layout: 'dense' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('Conv2D', 'an H×W×C input', x);
    const sd = stridesDilationError(p);
    if (sd) return sd;
    const r = windowOutput(x.slice(0, 2), p.kernelSize, p.strides, p.padding, p.dilationRate);
    return 'error' in r ? r : { shape: [...r.dims, p.filters] };
  },
  count: ([x], _out, p) => ({
    trainable: p.kernelSize[0] * p.kernelSize[1] * x[2] * p.filters + (p.useBias ? p.filters : 0),
    nonTrainable: 0,
  }),
  macs: ([x], out, p) => product(out) * p.kernelSize[0] * p.kernelSize[1] * x[2],
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.conv2d(tfConvArgs(p, name)), x),
  toKeras: (p) => convToKeras(p),
  fromKeras: (c) =>
    convFromKeras(c, 'Conv2D', params, {
      dims: 2,
      kerasDefaults: { activation: 'linear' },
      // Grouped convolutions change the weight shape; tfjs has no such layer, so refuse rather than miscount.
      refuse: (c) => {
        if (c.groups !== undefined && c.groups !== 1) throw new Error(`Conv2D: groups=${String(c.groups)} is not supported (only 1)`);
      },
    }),
  toPyTorch: (c) => convToPyTorch(c, 'dense'),
  toOnnx: (c) => convToOnnx(c, 'dense'),
  testing: {
    samples: [{ params: { filters: 6, kernelSize: [5, 3], strides: [2, 1], padding: 'same', activation: 'gelu' }, inputs: [[12, 12, 3]] }],
    random: {
      ranks: [3],
      params: (d) =>
        d.bool()
          ? { filters: d.int(1, 6), kernelSize: d.int(1, 4), strides: d.int(1, 2), padding: d.pick(['same', 'valid']), activation: d.pick(ACTIVATIONS), useBias: d.bool() }
          : { filters: d.int(1, 6), kernelSize: [d.int(1, 4), 1], dilationRate: 2, padding: d.pick(['same', 'valid']) },
    },
  },
});
