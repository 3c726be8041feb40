import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { rankError, windowOutput } from './lib/conv';
import { applyLayer, convPadding, requireChannelsLast } from './lib/keras';

export const depthwiseConv2d = defineLayerKind({
  kind: 'DepthwiseConv2D',
  kerasClass: 'DepthwiseConv2D',
  version: 1,
  params: z.object({
    kernelSize: pair(3),
    strides: pair(1),
    padding,
    depthMultiplier: posInt.default(1),
    activation: activation('linear'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'DepthwiseConv2D',
    category: 'conv',
    description: 'One K×K filter per input channel (times depth_multiplier); channels are not mixed — the first half of a separable conv.',
    summary: (p) => {
      const s = p.strides[0] === p.strides[1] ? `s${p.strides[0]}` : `s${fmtPair(p.strides)}`;
      const m = p.depthMultiplier > 1 ? ` ×${p.depthMultiplier}` : '';
      return `dw ${fmtPair(p.kernelSize)} ${s} ${p.padding}${m}${p.activation === 'linear' ? '' : ` ${p.activation}`}`;
    },
  },
  spatialFilters: { dims: 2, layout: 'depthwise' },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length !== 3) return rankError('DepthwiseConv2D', 'an H×W×C input', x);
    const r = windowOutput(x.slice(0, 2), p.kernelSize, p.strides, p.padding);
    return 'error' in r ? r : { shape: [...r.dims, x[2] * p.depthMultiplier] };
  },
  count: ([x], _out, p) => ({
    trainable: p.kernelSize[0] * p.kernelSize[1] * x[2] * p.depthMultiplier + (p.useBias ? x[2] * p.depthMultiplier : 0),
    nonTrainable: 0,
  }),
  // K²·C·Hout·Wout·depth_multiplier = K² per output value.
  macs: (_in, out, p) => product(out) * p.kernelSize[0] * p.kernelSize[1],
  elementwise: (_in, out, p) => product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1)),
  build: (tf, p, name, [x]) =>
    applyLayer(
      tf.layers.depthwiseConv2d({
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
        depthMultiplier: p.depthMultiplier,
        activation: p.activation,
        useBias: p.useBias,
        name,
      }),
      x,
    ),
  toKeras: (p) => ({
    kernel_size: p.kernelSize,
    strides: p.strides,
    padding: p.padding,
    depth_multiplier: p.depthMultiplier,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: p.activation,
    use_bias: p.useBias,
  }),
  fromKeras: (c) => {
    requireChannelsLast(c, 'DepthwiseConv2D');
    // tfjs 4.22's DepthwiseConv2D ignores dilation_rate (shape and maths), so a dilated one cannot be reproduced.
    const d = c.dilation_rate;
    if (d !== undefined && d !== null && d !== 1 && !(Array.isArray(d) && d.every((v) => v === 1))) {
      throw new Error(`DepthwiseConv2D dilation_rate ${JSON.stringify(d)} is not supported (tfjs 4.22 ignores it)`);
    }
    return {
      kernelSize: c.kernel_size,
      strides: c.strides,
      padding: convPadding(c.padding, 'DepthwiseConv2D'),
      depthMultiplier: c.depth_multiplier,
      activation: c.activation,
      useBias: c.use_bias,
    };
  },
});
