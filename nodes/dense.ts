import { z } from 'zod';
import { defineLayerKind, product } from './lib/define';
import { ACTIVATIONS, activation, posInt } from './lib/schema';
import { biasActivationElementwise, rankError } from './lib/conv';
import { applyLayer } from './lib/keras';
import { py, torchActivation, type PyTorchWeight } from './lib/pytorch';
import { convKernel, int, ints, onnxBuilder } from './lib/onnx';

export const dense = defineLayerKind({
  kind: 'Dense',
  kerasClass: 'Dense',
  version: 1,
  params: z.object({
    units: posInt.default(10),
    activation: activation('linear'),
    useBias: z.boolean().default(true),
  }),
  ui: {
    label: 'Dense',
    category: 'dense',
    description: 'Fully connected layer; on inputs of rank > 1 it acts on the last axis.',
    summary: (p) => `${p.units}${p.activation === 'linear' ? '' : ` ${p.activation}`}`,
  },
  denseKernel: true,
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length < 1) return rankError('Dense', 'an input of rank ≥ 1', x);
    return { shape: [...x.slice(0, -1), p.units] };
  },
  count: ([x], _out, p) => ({ trainable: x[x.length - 1] * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 }),
  macs: ([x], out) => product(out) * x[x.length - 1],
  elementwise: (_in, out, p) => biasActivationElementwise(out, p),
  build: (tf, p, name, [x]) => applyLayer(tf.layers.dense({ units: p.units, activation: p.activation, useBias: p.useBias, name }), x),
  toKeras: (p) => ({ units: p.units, activation: p.activation, use_bias: p.useBias }),
  fromKeras: (c) => ({ units: c.units, activation: c.activation, useBias: c.use_bias }),
  toPyTorch: ({ p, inShapes, inputs, self, v, name }) => {
    const x = inShapes[0];
    const init = [`${self} = nn.Linear(${x[x.length - 1]}, ${p.units}, bias=${py(p.useBias)})`];
    const weights: PyTorchWeight[] = [{ key: `${v}.weight`, from: 0, layout: 'kernel' }, ...(p.useBias ? [{ key: `${v}.bias`, from: 1, layout: 'copy' as const }] : [])];
    if (x.length === 1) return { init, forward: [`${v} = ${torchActivation(p.activation, `${self}(${inputs[0]})`, name)}`], weights };
    // Keras' Dense on rank > 1 acts on the last (channel) axis.
    return { init, forward: [`${v} = ${torchActivation(p.activation, `to_first(${self}(to_last(${inputs[0]})))`, name)}`], helpers: ['layout'], weights };
  },
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const { p } = c;
    const x = c.inShapes[0];
    const cin = x[x.length - 1];
    const w = b.weight(0, [cin, p.units]);
    const bias = p.useBias ? [b.weightConst('bias', 1, [p.units])] : [];
    let y: string;
    if (x.length === 1) {
      y = b.op('Gemm', [c.inputs[0], b.const('kernel', w.shape, w.data), ...bias], undefined, 'gemm');
    } else {
      // On rank > 1 Keras' Dense acts on the channel axis, which is axis 1 here: a 1×1 convolution, no transposes.
      const ones = new Array<number>(x.length - 1).fill(1);
      const k = convKernel({ shape: [...ones, cin, p.units], data: w.data });
      y = b.op('Conv', [c.inputs[0], b.const('kernel', k.dims, k.data), ...bias], { kernel_shape: ints(ones), group: int(1) }, 'dense');
    }
    return b.done(b.activation(y, p.activation));
  },
  testing: {
    samples: [{ params: { units: 120, activation: 'selu', useBias: false }, inputs: [[400]] }],
    random: { ranks: [1, 2, 3], params: (d) => ({ units: d.int(1, 6), activation: d.pick(ACTIVATIONS) }) },
  },
});
