import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { ACTIVATIONS, activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { biasActivationElementwise, convFromKeras, fmtActivation, convToKeras, convToPyTorch, fmtStrides, rankError, tfConvArgs, windowOutput } from './lib/conv';
import { applyLayer } from './lib/keras';
import { convToOnnx } from './lib/onnx';

const params = z.object({
  kernelSize: pair(3),
  strides: pair(1),
  padding,
  depthMultiplier: posInt.default(1),
  activation: activation('linear'),
  useBias: z.boolean().default(true),
});

export const depthwiseConv2d = defineLayerKind({
  kind: 'DepthwiseConv2D',
  kerasClass: 'DepthwiseConv2D',
  version: 1,
  params,
  ui: {
    label: 'DepthwiseConv2D',
    category: 'conv',
    description: 'One K×K filter per input channel (times depth_multiplier); channels are not mixed — the first half of a separable conv.',
    summary: (p) => {
      const m = p.depthMultiplier > 1 ? ` ×${p.depthMultiplier}` : '';
      return `dw ${fmtPair(p.kernelSize)} ${fmtStrides(p.strides)} ${p.padding}${m}${fmtActivation(p.activation)}`;
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
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.depthwiseConv2d(tfConvArgs(p, name)), x),
  toKeras: (p) => convToKeras(p),
  fromKeras: (c) =>
    convFromKeras(c, 'DepthwiseConv2D', params, {
      dims: 2,
      // tfjs 4.22's DepthwiseConv2D ignores dilation_rate (shape and maths), so a dilated one cannot be reproduced.
      refuse: (c) => {
        const d = c.dilation_rate;
        if (d !== undefined && d !== null && d !== 1 && !(Array.isArray(d) && d.every((v) => v === 1))) {
          throw new Error(`DepthwiseConv2D dilation_rate ${JSON.stringify(d)} is not supported (tfjs 4.22 ignores it)`);
        }
      },
    }),
  toPyTorch: (c) => convToPyTorch(c, 'depthwise'),
  toOnnx: (c) => convToOnnx(c, 'depthwise'),
  testing: {
    samples: [
      { params: { kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu6', useBias: false }, inputs: [[12, 12, 3]] },
    ],
    random: {
      ranks: [3],
      params: (d) => ({ kernelSize: d.int(1, 4), strides: d.int(1, 2), padding: d.pick(['same', 'valid']), depthMultiplier: d.int(1, 2), useBias: d.bool(), activation: d.pick(ACTIVATIONS) }),
    },
  },
});
