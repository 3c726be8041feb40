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
  depthMultiplier: posInt.default(1),
  dilationRate: pair(1),
  activation: activation('relu'),
  useBias: z.boolean().default(true),
});

export const separableConv2d = defineLayerKind({
  kind: 'SeparableConv2D',
  kerasClass: 'SeparableConv2D',
  kerasAliases: ['SeparableConvolution2D'],
  version: 1,
  params,
  ui: {
    label: 'SeparableConv2D',
    category: 'conv',
    description: 'A depthwise K×K conv per channel followed by a 1×1 pointwise conv to `filters` channels: far fewer weights than Conv2D.',
    summary: (p) => `${p.filters}@${fmtPair(p.kernelSize)} sep ${fmtStrides(p.strides)}${convSummaryTail(p)}`,
  },
  spatialFilters: { dims: 2, layout: 'separable' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('SeparableConv2D', 'an H×W×C input', x);
    const sd = stridesDilationError(p);
    if (sd) return sd;
    const r = windowOutput(x.slice(0, 2), p.kernelSize, p.strides, p.padding, p.dilationRate);
    return 'error' in r ? r : { shape: [...r.dims, p.filters] };
  },
  count: ([x], _out, p) => {
    const mid = x[2] * p.depthMultiplier;
    return { trainable: p.kernelSize[0] * p.kernelSize[1] * mid + mid * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  // depthwise K²·C·m per output pixel, then pointwise C·m·filters per output pixel.
  macs: ([x], out, p) => {
    const pixels = out[0] * out[1];
    const mid = x[2] * p.depthMultiplier;
    return pixels * (p.kernelSize[0] * p.kernelSize[1] * mid + mid * p.filters);
  },
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.separableConv2d(tfConvArgs(p, name)), x),
  toKeras: (p) => convToKeras(p),
  fromKeras: (c) => convFromKeras(c, 'SeparableConv2D', params, { dims: 2, kerasDefaults: { activation: 'linear' } }),
  toPyTorch: (c) => convToPyTorch(c, 'separable'),
  toOnnx: (c) => convToOnnx(c, 'separable'),
  testing: {
    samples: [{ params: { filters: 7, kernelSize: [3, 2], depthMultiplier: 2, dilationRate: 2, activation: 'swish' }, inputs: [[12, 12, 3]] }],
    random: {
      ranks: [3],
      params: (d) => ({ filters: d.int(1, 6), kernelSize: d.int(1, 4), padding: d.pick(['same', 'valid']), depthMultiplier: d.int(1, 2) }),
    },
  },
});
