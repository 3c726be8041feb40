import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { deconvOutputLength, rankError } from './lib/conv';
import { applyLayer, convPadding, requireChannelsLast } from './lib/keras';

const isOnes = (v: unknown) => v === undefined || v === null || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

export const conv2dTranspose = defineLayerKind({
  kind: 'Conv2DTranspose',
  kerasClass: 'Conv2DTranspose',
  kerasAliases: ['Convolution2DTranspose'],
  version: 1,
  params: z.object({
    filters: posInt.default(32),
    kernelSize: pair(3),
    strides: pair(2),
    padding: padding.default('same'),
    activation: activation('relu'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'Conv2DTranspose',
    category: 'conv',
    description: 'Transposed ("de-") convolution: each input pixel scatters a K×K patch, growing H×W by the stride — for upsampling.',
    summary: (p) => {
      const s = p.strides[0] === p.strides[1] ? `s${p.strides[0]}` : `s${fmtPair(p.strides)}`;
      return `${p.filters}@${fmtPair(p.kernelSize)}ᵀ ${s} ${p.padding}${p.activation === 'linear' ? '' : ` ${p.activation}`}`;
    },
  },
  spatialFilters: { dims: 2, layout: 'transposed' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('Conv2DTranspose', 'an H×W×C input', x);
    return {
      shape: [
        deconvOutputLength(x[0], p.kernelSize[0], p.strides[0], p.padding),
        deconvOutputLength(x[1], p.kernelSize[1], p.strides[1], p.padding),
        p.filters,
      ],
    };
  },
  count: ([x], _out, p) => ({
    trainable: p.kernelSize[0] * p.kernelSize[1] * x[2] * p.filters + (p.useBias ? p.filters : 0),
    nonTrainable: 0,
  }),
  // K²·Cin·Cout per input pixel (every input pixel scatters a full K×K×Cout patch).
  macs: ([x], _out, p) => x[0] * x[1] * x[2] * p.kernelSize[0] * p.kernelSize[1] * p.filters,
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    applyLayer(
      tf.layers.conv2dTranspose({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
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
    dilation_rate: [1, 1],
    output_padding: null,
    activation: p.activation,
    use_bias: p.useBias,
  }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'Conv2DTranspose');
    // tfjs 4.22's Conv2DTranspose has neither dilation nor output_padding.
    if (!isOnes(c.dilation_rate)) throw new Error(`Conv2DTranspose dilation_rate ${JSON.stringify(c.dilation_rate)} is not supported (tfjs 4.22 has none)`);
    if (c.output_padding !== undefined && c.output_padding !== null) {
      throw new Error(`Conv2DTranspose output_padding ${JSON.stringify(c.output_padding)} is not supported (tfjs 4.22 has none)`);
    }
    return {
      filters: c.filters,
      kernelSize: c.kernel_size,
      strides: c.strides ?? 1,
      padding: convPadding(c.padding ?? 'valid', 'Conv2DTranspose'),
      activation: c.activation ?? 'linear',
      useBias: c.use_bias,
    };
  },
});
