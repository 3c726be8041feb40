import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { ACTIVATIONS, activation, padding, posInt } from './lib/schema';
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
  kernelSize: posInt.default(3),
  strides: posInt.default(1),
  padding,
  dilationRate: posInt.default(1),
  activation: activation('relu'),
  useBias: z.boolean().default(true),
});

export const conv1d = defineLayerKind({
  kind: 'Conv1D',
  kerasClass: 'Conv1D',
  kerasAliases: ['Convolution1D'],
  version: 1,
  params,
  ui: {
    label: 'Conv1D',
    category: 'conv',
    description: 'Learns `filters` kernels that slide along a sequence (L×C); each output channel is one feature track.',
    summary: (p) => `${p.filters}@${p.kernelSize} ${fmtStrides(p.strides)}${convSummaryTail(p)}`,
  },
  spatialFilters: { dims: 1, layout: 'dense' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 2) return rankError('Conv1D', 'an L×C input', x);
    const sd = stridesDilationError(p);
    if (sd) return sd;
    const r = windowOutput([x[0]], [p.kernelSize], [p.strides], p.padding, [p.dilationRate]);
    return 'error' in r ? r : { shape: [r.dims[0], p.filters] };
  },
  count: ([x], _out, p) => ({ trainable: p.kernelSize * x[1] * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 }),
  macs: ([x], out, p) => product(out) * p.kernelSize * x[1],
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.conv1d(tfConvArgs(p, name)), x),
  toKeras: (p) => convToKeras(p),
  fromKeras: (c) => convFromKeras(c, 'Conv1D', params, { dims: 1, kerasDefaults: { activation: 'linear' } }),
  toPyTorch: (c) => convToPyTorch(c, 'dense'),
  toOnnx: (c) => convToOnnx(c, 'dense'),
  testing: {
    samples: [
      { params: { filters: 5, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh', useBias: false }, inputs: [[20, 3]] },
      { params: { filters: 2, kernelSize: 3, dilationRate: 2, activation: 'linear' }, inputs: [[20, 3]] },
    ],
    random: {
      ranks: [2],
      params: (d) => ({ filters: d.int(1, 6), kernelSize: d.int(2, 5), strides: d.int(1, 2), padding: d.pick(['same', 'valid']), activation: d.pick(ACTIVATIONS) }),
    },
  },
});
