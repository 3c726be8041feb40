import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { rankError, windowOutput } from './lib/conv';
import { applyLayer, convPadding, requireChannelsLast } from './lib/keras';

export const separableConv2d = defineLayerKind({
  kind: 'SeparableConv2D',
  kerasClass: 'SeparableConv2D',
  kerasAliases: ['SeparableConvolution2D'],
  version: 1,
  params: z.object({
    filters: posInt.default(32),
    kernelSize: pair(3),
    strides: pair(1),
    padding,
    depthMultiplier: posInt.default(1),
    dilationRate: pair(1),
    activation: activation('relu'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'SeparableConv2D',
    category: 'conv',
    description: 'A depthwise K×K conv per channel followed by a 1×1 pointwise conv to `filters` channels: far fewer weights than Conv2D.',
    summary: (p) => {
      const s = p.strides[0] === p.strides[1] ? `s${p.strides[0]}` : `s${fmtPair(p.strides)}`;
      const d = p.dilationRate[0] > 1 || p.dilationRate[1] > 1 ? ` d${p.dilationRate[0]}` : '';
      return `${p.filters}@${fmtPair(p.kernelSize)} sep ${s}${d} ${p.padding}${p.activation === 'linear' ? '' : ` ${p.activation}`}`;
    },
  },
  spatialFilters: { dims: 2, layout: 'separable' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('SeparableConv2D', 'an H×W×C input', x);
    if ((p.strides[0] > 1 || p.strides[1] > 1) && (p.dilationRate[0] > 1 || p.dilationRate[1] > 1)) {
      return { error: { code: 'strides-and-dilation', message: 'strides > 1 cannot be combined with dilation > 1', param: 'dilationRate' } };
    }
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
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    applyLayer(
      tf.layers.separableConv2d({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
        depthMultiplier: p.depthMultiplier,
        dilationRate: p.dilationRate,
        activation: p.activation,
        useBias: p.useBias,
        name,
      }),
      x,
    ),
  toKeras: (p) => ({
    filters: p.filters,
    kernel_size: p.kernelSize,
    strides: p.strides,
    padding: p.padding,
    data_format: 'channels_last',
    depth_multiplier: p.depthMultiplier,
    dilation_rate: p.dilationRate,
    activation: p.activation,
    use_bias: p.useBias,
  }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'SeparableConv2D');
    return {
      filters: c.filters,
      kernelSize: c.kernel_size,
      strides: c.strides,
      padding: convPadding(c.padding, 'SeparableConv2D'),
      depthMultiplier: c.depth_multiplier,
      dilationRate: c.dilation_rate,
      activation: c.activation ?? 'linear',
      useBias: c.use_bias,
    };
  },
});
