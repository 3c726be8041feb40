import { z } from 'zod';
import { defineLayerKind, product, type Shape } from './lib/define';
import { applyLayer, unwrap1 } from './lib/keras';
import { batchNormalizationLayer } from './lib/batchnorm';
import type { PyTorchWeight } from './lib/pytorch';
import { float, onnxAxis, onnxBuilder } from './lib/onnx';

/** Keras' `axis` counts the batch axis as 0, so `axis` k ≥ 1 is our shape index k − 1; negative axes count from the end. */
function axisIndex(axis: number, rank: number): number | undefined {
  const i = axis < 0 ? rank + axis : axis - 1;
  return i >= 0 && i < rank ? i : undefined;
}

const features = (x: Shape, axis: number) => x[axisIndex(axis, x.length)!];

export const batchNormalization = defineLayerKind({
  kind: 'BatchNormalization',
  kerasClass: 'BatchNormalization',
  version: 1,
  params: z.object({
    axis: z.number().int().refine((a) => a !== 0, 'axis 0 is the batch axis; use -1 for channels').default(-1),
    momentum: z.number().min(0).max(1).default(0.99),
    epsilon: z.number().positive().default(0.001),
    center: z.boolean().default(true),
    scale: z.boolean().default(true),
  }),
  ui: {
    label: 'BatchNorm',
    category: 'norm',
    description: 'Normalises each channel with batch statistics, then scales (γ) and shifts (β); keeps moving mean/variance for inference.',
    summary: (p) => `ε=${p.epsilon}${p.center ? '' : ' no β'}${p.scale ? '' : ' no γ'}${p.axis === -1 ? '' : ` axis ${p.axis}`}`,
  },
  inputs: { min: 1, max: 1 },
  inferShape([x], p) {
    if (x.length < 1) return { error: { code: 'rank-mismatch', message: 'BatchNormalization needs an input of rank ≥ 1' } };
    if (axisIndex(p.axis, x.length) === undefined) {
      return {
        error: {
          code: 'invalid-axis',
          message: `axis ${p.axis} is out of range for a rank-${x.length} input (Keras counts the batch axis as 0; valid: 1…${x.length} or -1…-${x.length})`,
          param: 'axis',
        },
      };
    }
    return { shape: x };
  },
  count: ([x], _out, p) => {
    const c = features(x, p.axis);
    return { trainable: c * ((p.center ? 1 : 0) + (p.scale ? 1 : 0)), nonTrainable: 2 * c };
  },
  // At inference BN folds into one multiply and one add per element.
  elementwise: (_in, out) => 2 * product(out),
  build: (tf, p, name, [x]) =>
    applyLayer(batchNormalizationLayer(tf, { axis: p.axis, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale, name }), x),
  toKeras: (p) => ({
    axis: p.axis,
    momentum: p.momentum,
    epsilon: p.epsilon,
    center: p.center,
    scale: p.scale,
    beta_initializer: { class_name: 'Zeros', config: {} },
    gamma_initializer: { class_name: 'Ones', config: {} },
    moving_mean_initializer: { class_name: 'Zeros', config: {} },
    moving_variance_initializer: { class_name: 'Ones', config: {} },
  }),
  fromKeras: (c) => {
    const axis = unwrap1(c.axis);
    if (Array.isArray(axis)) throw new Error(`BatchNormalization axis ${JSON.stringify(c.axis)} (several axes) is not supported; Convas normalises over one axis`);
    return { axis, momentum: c.momentum, epsilon: c.epsilon, center: c.center, scale: c.scale };
  },
  toPyTorch: ({ p, inShapes, inputs, self, v, name }) => {
    const rank = inShapes[0].length;
    if (p.axis !== -1 && p.axis !== rank) {
      throw new Error(`layer "${name}": BatchNormalization over axis ${p.axis} (not the channel axis) has no PyTorch BatchNorm equivalent`);
    }
    const c = inShapes[0][rank - 1];
    const bn = rank === 3 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d';
    // Keras keeps momentum for the old value (0.99); PyTorch's momentum weighs the new batch (0.01).
    const mom = +(1 - p.momentum).toPrecision(12);
    const affine = p.center && p.scale;
    const init = [`${self} = ${bn}(${c}, eps=${p.epsilon}, momentum=${mom}${affine ? '' : ', affine=False'})`];
    let e = `${self}(${inputs[0]})`;
    const view = rank === 3 ? '.view(1, -1, 1, 1)' : rank === 2 ? '.view(1, -1, 1)' : '';
    if (!affine && p.scale) {
      init.push(`${self}_gamma = nn.Parameter(torch.ones(${c}))`);
      e = `${e} * ${self}_gamma${view}`;
    }
    if (!affine && p.center) {
      init.push(`${self}_beta = nn.Parameter(torch.zeros(${c}))`);
      e = `${e} + ${self}_beta${view}`;
    }
    // tfjs weight order: gamma (scale), beta (center), moving mean, moving variance.
    const weights: PyTorchWeight[] = [];
    let from = 0;
    if (p.scale) weights.push({ key: affine ? `${v}.weight` : `${v}_gamma`, from: from++, layout: 'copy' });
    if (p.center) weights.push({ key: affine ? `${v}.bias` : `${v}_beta`, from: from++, layout: 'copy' });
    weights.push({ key: `${v}.running_mean`, from: from++, layout: 'copy' }, { key: `${v}.running_var`, from: from++, layout: 'copy' });
    return { init, forward: [`${v} = ${e}`], weights };
  },
  toOnnx: (c) => {
    const b = onnxBuilder(c);
    const { p } = c;
    const x = c.inShapes[0];
    const i = axisIndex(p.axis, x.length)!;
    const n = x[i];
    let k = 0;
    const gamma = p.scale ? b.weight(k++, [n]).data : new Float32Array(n).fill(1);
    const beta = p.center ? b.weight(k++, [n]).data : new Float32Array(n);
    const mean = b.weight(k++, [n]).data;
    const variance = b.weight(k++, [n]).data;
    if (i === x.length - 1) {
      const ins = [gamma, beta, mean, variance].map((v, j) => b.const(['scale', 'bias', 'mean', 'var'][j], [n], v));
      return b.done(b.op('BatchNormalization', [c.inputs[0], ...ins], { epsilon: float(p.epsilon), momentum: float(p.momentum) }, 'batchnorm'));
    }
    // Another axis than channels: ONNX's BatchNormalization only normalises axis 1, so fold into a multiply and an add
    // broadcast along that axis.
    const a = onnxAxis(i, x.length);
    const dims = [n, ...new Array<number>(x.length - a).fill(1)];
    const scale = Float32Array.from(gamma, (g, j) => g / Math.sqrt(variance[j] + p.epsilon));
    const shift = Float32Array.from(beta, (bt, j) => bt - mean[j] * scale[j]);
    const y = b.op('Mul', [c.inputs[0], b.const('scale', dims, scale)], undefined, 'batchnorm_scale');
    return b.done(b.op('Add', [y, b.const('shift', dims, shift)], undefined, 'batchnorm'));
  },
  testing: {
    samples: [{ params: { momentum: 0.9, epsilon: 1e-5, center: false, scale: true }, inputs: [[12, 12, 3]] }],
    random: { ranks: [1, 2, 3], params: (d) => (d.bool() ? {} : { center: d.bool(), scale: d.bool() }) },
  },
});
