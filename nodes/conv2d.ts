import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { rankError, windowOutput } from './lib/conv';
import { convPadding, requireChannelsLast } from './lib/keras';

export const conv2d = defineLayerKind({
  kind: 'Conv2D',
  kerasClass: 'Conv2D',
  version: 1,
  params: z.object({
    filters: posInt.default(32),
    kernelSize: pair(3),
    strides: pair(1),
    padding,
    dilationRate: pair(1),
    activation: activation('relu'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'Conv2D',
    category: 'conv',
    description: 'Learns `filters` kernels that slide over the image; each output channel is one feature map.',
    summary: (p) => {
      const s = p.strides[0] === p.strides[1] ? `s${p.strides[0]}` : `s${fmtPair(p.strides)}`;
      const d = p.dilationRate[0] > 1 || p.dilationRate[1] > 1 ? ` d${p.dilationRate[0]}` : '';
      return `${p.filters}@${fmtPair(p.kernelSize)} ${s}${d} ${p.padding}${p.activation === 'linear' ? '' : ` ${p.activation}`}`;
    },
  },
  spatialFilters: { dims: 2, layout: 'dense' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('Conv2D', 'an H×W×C input', x);
    if ((p.strides[0] > 1 || p.strides[1] > 1) && (p.dilationRate[0] > 1 || p.dilationRate[1] > 1)) {
      return { error: { code: 'strides-and-dilation', message: 'strides > 1 cannot be combined with dilation > 1', param: 'dilationRate' } };
    }
    const r = windowOutput(x.slice(0, 2), p.kernelSize, p.strides, p.padding, p.dilationRate);
    return 'error' in r ? r : { shape: [...r.dims, p.filters] };
  },
  count: ([x], _out, p) => ({
    trainable: p.kernelSize[0] * p.kernelSize[1] * x[2] * p.filters + (p.useBias ? p.filters : 0),
    nonTrainable: 0,
  }),
  macs: ([x], out, p) => product(out) * p.kernelSize[0] * p.kernelSize[1] * x[2],
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    tf.layers
      .conv2d({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
        dilationRate: p.dilationRate,
        activation: p.activation,
        useBias: p.useBias,
        name,
      })
      .apply(x) as ReturnType<typeof tf.input>,
  toKeras: (p) => ({
    filters: p.filters,
    kernel_size: p.kernelSize,
    strides: p.strides,
    padding: p.padding,
    data_format: 'channels_last',
    dilation_rate: p.dilationRate,
    activation: p.activation,
    use_bias: p.useBias,
  }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'Conv2D');
    // Grouped convolutions change the weight shape; tfjs has no such layer, so refuse rather than miscount.
    if (c.groups !== undefined && c.groups !== 1) throw new Error(`Conv2D: groups=${String(c.groups)} is not supported (only 1)`);
    return {
      filters: c.filters,
      kernelSize: c.kernel_size,
      strides: c.strides,
      padding: convPadding(c.padding, 'Conv2D'),
      dilationRate: c.dilation_rate,
      activation: c.activation ?? 'linear',
      useBias: c.use_bias,
    };
  },
});
