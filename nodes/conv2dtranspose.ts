import { z } from 'zod';
import { defineLayerKind } from './lib/define';
import { activation, fmtPair, pair, padding, posInt } from './lib/schema';
import { biasActivationElementwise, convFromKeras, convSummaryTail, convToKeras, deconvOutputLength, fmtStrides, rankError, tfConvArgs } from './lib/conv';
import { applyLayer } from './lib/keras';
import { py, torchActivation, type PyTorchWeight } from './lib/pytorch';
import { int, ints, onnxBuilder, transposedKernel } from './lib/onnx';

const isOnes = (v: unknown) => v === undefined || v === null || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

const params = z.object({
  filters: posInt.default(32),
  kernelSize: pair(3),
  strides: pair(2),
  padding: padding.default('same'),
  activation: activation('relu'),
  useBias: z.boolean().default(true),
});

export const conv2dTranspose = defineLayerKind({
  kind: 'Conv2DTranspose',
  kerasClass: 'Conv2DTranspose',
  kerasAliases: ['Convolution2DTranspose'],
  version: 1,
  params,
  ui: {
    label: 'Conv2DTranspose',
    category: 'conv',
    description: 'Transposed ("de-") convolution: each input pixel scatters a K×K patch, growing H×W by the stride — for upsampling.',
    summary: (p) => `${p.filters}@${fmtPair(p.kernelSize)}ᵀ ${fmtStrides(p.strides)}${convSummaryTail(p)}`,
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
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.conv2dTranspose(tfConvArgs(p, name)), x),
  toKeras: (p) => convToKeras(p, { output_padding: null }),
  fromKeras: (c) =>
    convFromKeras(c, 'Conv2DTranspose', params, {
      dims: 2,
      kerasDefaults: { activation: 'linear', strides: 1, padding: 'valid' },
      // tfjs 4.22's Conv2DTranspose has neither dilation nor output_padding.
      refuse: (c) => {
        if (!isOnes(c.dilation_rate)) throw new Error(`Conv2DTranspose dilation_rate ${JSON.stringify(c.dilation_rate)} is not supported (tfjs 4.22 has none)`);
        if (c.output_padding !== undefined && c.output_padding !== null) {
          throw new Error(`Conv2DTranspose output_padding ${JSON.stringify(c.output_padding)} is not supported (tfjs 4.22 has none)`);
        }
      },
    }),
  toPyTorch: ({ p, inShapes, inputs, self, v, name }) => {
    const [h, w, cin] = inShapes[0];
    const k = p.kernelSize;
    const s = p.strides;
    const op = [Math.max(s[0] - k[0], 0), Math.max(s[1] - k[1], 0)];
    const init = [
      `${self} = nn.ConvTranspose2d(${cin}, ${p.filters}, kernel_size=${py(k)}, stride=${py(s)}${op.some((q) => q > 0) ? `, output_padding=${py(op)}` : ''}, bias=${py(p.useBias)})`,
    ];
    let e = `${self}(${inputs[0]})`;
    if (p.padding === 'same') {
      // TF crops floor((k - s) / 2) from the start and keeps n·s; PyTorch's `padding` would crop the other way for odd k - s.
      const t = Math.floor(Math.max(k[0] - s[0], 0) / 2);
      const le = Math.floor(Math.max(k[1] - s[1], 0) / 2);
      if (Math.max(k[0] - s[0], 0) > 0 || Math.max(k[1] - s[1], 0) > 0) e = `${e}[:, :, ${t}:${t + h * s[0]}, ${le}:${le + w * s[1]}]`;
    }
    const weights: PyTorchWeight[] = [{ key: `${v}.weight`, from: 0, layout: 'kernel' }, ...(p.useBias ? [{ key: `${v}.bias`, from: 1, layout: 'copy' as const }] : [])];
    return { init, forward: [`${v} = ${torchActivation(p.activation, e, name)}`], weights };
  },
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const { p } = c;
    const cin = c.inShapes[0][2];
    const k = p.kernelSize;
    const s = p.strides;
    // TF keeps n·s (same) or n·s + max(k − s, 0) (valid): crop floor((k − s)/2) first for 'same', and pad the end
    // with output_padding when the kernel is shorter than the stride.
    const crop = [0, 1].map((i) => (p.padding === 'same' ? Math.max(k[i] - s[i], 0) : 0));
    const begin = crop.map((t) => Math.floor(t / 2));
    const w = b.weightConst('kernel', 0, [k[0], k[1], p.filters, cin], transposedKernel);
    const bias = p.useBias ? [b.weightConst('bias', 1, [p.filters])] : [];
    const y = b.op('ConvTranspose', [c.inputs[0], w, ...bias], {
      kernel_shape: ints(k),
      strides: ints(s),
      pads: ints([...begin, ...crop.map((t, i) => t - begin[i])]),
      output_padding: ints([0, 1].map((i) => Math.max(s[i] - k[i], 0))),
      group: int(1),
    }, 'conv_transpose');
    return b.done(b.activation(y, p.activation));
  },
  testing: {
    samples: [{ params: { filters: 4, kernelSize: 3, strides: [2, 1], padding: 'valid', activation: 'sigmoid' }, inputs: [[6, 6, 3]] }],
    random: {
      ranks: [3],
      params: (d) => ({ filters: d.int(1, 6), kernelSize: d.int(1, 4), strides: d.int(1, 2), padding: d.pick(['same', 'valid']) }),
    },
  },
});
