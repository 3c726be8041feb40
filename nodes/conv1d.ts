import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, padding, posInt } from './lib/schema';
import { rankError, windowOutput } from './lib/conv';
import { applyLayer, convPadding, requireChannelsLast, unwrap1 } from './lib/keras';

export const conv1d = defineLayerKind({
  kind: 'Conv1D',
  kerasClass: 'Conv1D',
  kerasAliases: ['Convolution1D'],
  version: 1,
  params: z.object({
    filters: posInt.default(32),
    kernelSize: posInt.default(3),
    strides: posInt.default(1),
    padding,
    dilationRate: posInt.default(1),
    activation: activation('relu'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'Conv1D',
    category: 'conv',
    description: 'Learns `filters` kernels that slide along a sequence (L×C); each output channel is one feature track.',
    summary: (p) =>
      `${p.filters}@${p.kernelSize} s${p.strides}${p.dilationRate > 1 ? ` d${p.dilationRate}` : ''} ${p.padding}${p.activation === 'linear' ? '' : ` ${p.activation}`}`,
  },
  spatialFilters: { dims: 1, layout: 'dense' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 2) return rankError('Conv1D', 'an L×C input', x);
    if (p.strides > 1 && p.dilationRate > 1) {
      return { error: { code: 'strides-and-dilation', message: 'strides > 1 cannot be combined with dilation > 1', param: 'dilationRate' } };
    }
    const r = windowOutput([x[0]], [p.kernelSize], [p.strides], p.padding, [p.dilationRate]);
    return 'error' in r ? r : { shape: [r.dims[0], p.filters] };
  },
  count: ([x], _out, p) => ({ trainable: p.kernelSize * x[1] * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 }),
  macs: ([x], out, p) => product(out) * p.kernelSize * x[1],
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    applyLayer(
      tf.layers.conv1d({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
        dilationRate: p.dilationRate,
        activation: p.activation,
        useBias: p.useBias,
        name,
      }),
      x,
    ),
  toKeras: (p) => ({
    filters: p.filters,
    kernel_size: [p.kernelSize],
    strides: [p.strides],
    padding: p.padding,
    data_format: 'channels_last',
    dilation_rate: [p.dilationRate],
    activation: p.activation,
    use_bias: p.useBias,
  }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'Conv1D');
    return {
      filters: c.filters,
      kernelSize: unwrap1(c.kernel_size),
      strides: unwrap1(c.strides),
      padding: convPadding(c.padding, 'Conv1D'),
      dilationRate: unwrap1(c.dilation_rate),
      activation: c.activation ?? 'linear',
      useBias: c.use_bias,
    };
  },
});
