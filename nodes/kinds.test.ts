/**
 * Per-kind facts that the conformance grid does not cover: Keras config round trips (ours and tfjs' own
 * model.json), MAC figures worked out by hand, error messages that name the field, summaries and the registry.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fmtShape, getLayerKind, getLayerKindByKerasClass, isError, layerKinds, type LayerKind, type Shape } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const kind = (k: string): LayerKind => {
  const d = getLayerKind(k);
  if (!d) throw new Error(`kind ${k} is not registered`);
  return d;
};

/** Every kind's own samples (`testing.samples` in its file): non-default params with an input shape they fit. */
const samples: Array<{ kind: string; params: Record<string, unknown>; inputs: Shape[] }> = layerKinds.flatMap((k) =>
  (k.testing?.samples ?? []).map((s) => ({ kind: k.kind, params: s.params, inputs: s.inputs })),
);

/** The model.json layer entry tfjs itself writes for one of our nodes (snake_case config, Keras class name). */
function tfjsLayerJson(k: LayerKind, p: unknown, inputs: Shape[]): { class_name: string; config: Record<string, unknown> } {
  const ins = inputs.map((s) => tf.input({ shape: [...s] }));
  const y = k.build(tf, p, 'probe', ins);
  const model = tf.model({ inputs: k.inputs.max === 0 ? y : ins, outputs: y });
  const json = model.toJSON(undefined, false) as unknown as { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
  return json.config.layers.find((l) => l.config.name === 'probe')!;
}

describe('registry', () => {
  it('holds each kind once, with unique Keras classes and aliases', () => {
    const ids = layerKinds.map((k) => k.kind);
    expect(new Set(ids).size).toBe(ids.length);
    const classes = layerKinds.flatMap((k) => [k.kerasClass, ...(k.kerasAliases ?? [])]);
    expect(new Set(classes).size).toBe(classes.length);
    for (const k of layerKinds) expect(getLayerKindByKerasClass(k.kerasClass)).toBe(k);
  });

  it('never loses a kind: project files store these ids', () => {
    const stored = [
      'Input', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPooling1D', 'MaxPooling2D',
      'AveragePooling1D', 'AveragePooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D',
      'GlobalMaxPooling2D', 'ZeroPadding2D', 'BatchNormalization', 'Activation', 'LeakyReLU', 'Dropout', 'SpatialDropout2D',
      'Flatten', 'Reshape', 'Dense', 'Add', 'Concatenate', 'Multiply',
    ];
    expect(layerKinds.map((k) => k.kind)).toEqual(expect.arrayContaining(stored));
  });

  it.each(layerKinds.map((k) => [k.kind, k] as const))('%s carries what the registry-wide tests need (testing.samples, testing.random)', (_name, k) => {
    expect(k.testing, `${k.kind}: add \`testing: { samples, random }\` to its file (see nodes/README.md)`).toBeDefined();
    expect(k.testing!.samples.length, `${k.kind}: testing.samples is empty`).toBeGreaterThan(0);
    for (const s of k.testing!.samples) {
      expect(s.inputs.length, `${k.kind}: a sample needs ${k.inputs.min}…${k.inputs.max} inputs`).toBeGreaterThanOrEqual(k.inputs.min);
      expect(s.inputs.length).toBeLessThanOrEqual(k.inputs.max);
      const r = k.inferShape(s.inputs, k.params.parse(s.params));
      expect(isError(r) ? r.error.message : 'ok', `${k.kind} sample ${JSON.stringify(s.params)}`).toBe('ok');
    }
    expect(k.testing!.random.ranks.length, `${k.kind}: testing.random.ranks is empty`).toBeGreaterThan(0);
    expect(typeof k.testing!.random.params).toBe('function');
  });

  it('indexes aliases: ReLU → Activation, MaxPool2D → MaxPooling2D', () => {
    expect(getLayerKindByKerasClass('ReLU')?.kind).toBe('Activation');
    expect(getLayerKindByKerasClass('MaxPool2D')?.kind).toBe('MaxPooling2D');
    expect(getLayerKindByKerasClass('GlobalAvgPool2D')?.kind).toBe('GlobalAveragePooling2D');
    expect(getLayerKindByKerasClass('NoSuchLayer')).toBeUndefined();
  });

  it('gives every kind defaults, UI metadata and a summary', () => {
    for (const k of layerKinds) {
      const p = k.params.parse({});
      expect(k.ui.label, k.kind).not.toBe('');
      expect(k.ui.description.length, k.kind).toBeGreaterThan(20);
      expect(typeof k.ui.summary(p), k.kind).toBe('string');
      expect(k.inputs.min, k.kind).toBeLessThanOrEqual(k.inputs.max);
    }
  });
});

describe('Keras configs', () => {
  for (const s of samples) {
    it(`${s.kind} ${JSON.stringify(s.params)}: toKeras → fromKeras round trip, and tfjs' own config reads back`, () => {
      const k = kind(s.kind);
      const p = k.params.parse(s.params);
      expect(k.params.parse(k.fromKeras(k.toKeras(p)))).toEqual(p);

      const theirs = tfjsLayerJson(k, p, s.inputs);
      // tfjs 4.22 has no SpatialDropout2D; the stand-in is a Dropout with a per-channel noise shape.
      if (s.kind === 'SpatialDropout2D') {
        expect(theirs.class_name).toBe('Dropout');
        expect(theirs.config.noise_shape).toEqual([null, 1, 1, null]);
        return;
      }
      expect(theirs.class_name).toBe(k.kerasClass);
      const back = k.params.parse(k.fromKeras(theirs.config));
      if (s.kind === 'SeparableConv2D') {
        // tfjs 4.22's SeparableConv2D.getConfig() leaves depth_multiplier out, so a tfjs-saved model.json loses it.
        expect(theirs.config).not.toHaveProperty('depth_multiplier');
        expect({ ...back, depthMultiplier: p.depthMultiplier }).toEqual(p);
      } else expect(back).toEqual(p);
      // Every field both write has the same name and value; every other field tfjs writes is one we deliberately
      // leave out (initialisers, regularisers, constraints: training details that are not part of the design).
      const ours = k.toKeras(p);
      for (const key of Object.keys(ours)) {
        if (key in theirs.config) {
          const want = key === 'target_shape' ? (theirs.config[key] as unknown[]).map((d) => d ?? -1) : theirs.config[key];
          expect(ours[key], `${s.kind}.${key}`).toEqual(want);
        }
      }
      const ignored = /initializer|regularizer|constraint|^(name|trainable|dtype|sparse|seed|batch_input_shape|noise_shape)$/;
      const missing = Object.keys(theirs.config).filter((key) => !(key in ours) && !ignored.test(key));
      expect(missing, `${s.kind}: tfjs fields we do not write`).toEqual([]);
    });
  }

  it('tfjs loads every config we write (as model.json) into a layer with our shape and counts', async () => {
    for (const s of samples) {
      const k = kind(s.kind);
      if (k.inputs.max === 0 || s.kind === 'SpatialDropout2D') continue; // an Input is the model's own; tfjs has no SpatialDropout2D
      const p = k.params.parse(s.params);
      const inputs = s.inputs.map((shape, i) => ({
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name: `in${i}` },
        name: `in${i}`,
        inbound_nodes: [],
      }));
      const probe = {
        class_name: k.kerasClass,
        config: { ...k.toKeras(p), name: 'probe', trainable: true, dtype: 'float32' },
        name: 'probe',
        inbound_nodes: [s.inputs.map((_, i) => [`in${i}`, 0, 0, {}])],
      };
      const topology = {
        class_name: 'Model',
        config: {
          name: 'm',
          layers: [...inputs, probe],
          input_layers: inputs.map((l) => [l.name, 0, 0]),
          output_layers: [['probe', 0, 0]],
        },
      };
      const model = await tf.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
      const layer = model.getLayer('probe');
      const r = k.inferShape(s.inputs, p);
      if (isError(r)) throw new Error(r.error.message);
      const count = k.count?.(s.inputs, r.shape, p) ?? { trainable: 0, nonTrainable: 0 };
      // With an unknown batch size tfjs leaves Reshape's -1 unresolved (null); the conformance grid checks its value.
      const theirs = (layer.outputShape as (number | null)[]).slice(1).map((d, i) => (d === null && s.kind === 'Reshape' ? r.shape[i] : d));
      expect(theirs, s.kind).toEqual([...r.shape]);
      expect(layer.countParams(), s.kind).toBe(count.trainable + count.nonTrainable);
      model.dispose();
    }
  });

  it('Reshape reads tfjs’ null and Keras’ -1 as the free dimension', () => {
    expect(kind('Reshape').fromKeras({ target_shape: [36, null] })).toEqual({ targetShape: [36, -1] });
    expect(kind('Reshape').fromKeras({ target_shape: [36, -1] })).toEqual({ targetShape: [36, -1] });
  });

  it('reads the Keras ReLU layer as Activation relu / relu6, and refuses what it cannot represent', () => {
    const a = kind('Activation');
    expect(a.fromKeras({ max_value: null, negative_slope: 0, threshold: 0 })).toEqual({ activation: 'relu' });
    expect(a.fromKeras({ max_value: 6 })).toEqual({ activation: 'relu6' });
    expect(() => a.fromKeras({ max_value: 4 })).toThrow(/max_value 4/);
    expect(() => a.fromKeras({ negative_slope: 0.1 })).toThrow(/negative_slope/);
    const relu6 = tfjsLayerJson(
      { ...a, build: (t, _p, name, [x]) => t.layers.reLU({ maxValue: 6, name }).apply(x) as ReturnType<typeof t.input> },
      {},
      [[4]],
    );
    expect(relu6.class_name).toBe('ReLU');
    expect(a.params.parse(a.fromKeras(relu6.config))).toEqual({ activation: 'relu6' });
  });

  it('fills Keras defaults for fields a config leaves out (not our palette defaults)', () => {
    expect(kind('Conv2D').params.parse(kind('Conv2D').fromKeras({ filters: 3, kernel_size: [3, 3] })).activation).toBe('linear');
    const t = kind('Conv2DTranspose');
    const p = t.params.parse(t.fromKeras({ filters: 3, kernel_size: [3, 3] }));
    expect([p.strides, p.padding, p.activation]).toEqual([[1, 1], 'valid', 'linear']);
  });

  it('refuses configs Convas cannot reproduce, naming the field', () => {
    expect(() => kind('Conv2D').fromKeras({ filters: 1, kernel_size: 3, data_format: 'channels_first' })).toThrow(/data_format "channels_first"/);
    expect(() => kind('MaxPooling2D').fromKeras({ pool_size: 2, data_format: 'channels_first' })).toThrow(/data_format/);
    expect(() => kind('Conv2D').fromKeras({ filters: 4, kernel_size: 3, groups: 2 })).toThrow(/groups=2/);
    expect(kind('Conv2D').fromKeras({ filters: 4, kernel_size: 3, groups: 1 })).toMatchObject({ filters: 4 });
    expect(() => kind('Conv1D').fromKeras({ filters: 1, kernel_size: 3, padding: 'causal' })).toThrow(/causal/);
    expect(() => kind('DepthwiseConv2D').fromKeras({ kernel_size: 3, dilation_rate: [2, 2] })).toThrow(/dilation_rate/);
    expect(() => kind('Conv2DTranspose').fromKeras({ filters: 1, kernel_size: 3, output_padding: [1, 1] })).toThrow(/output_padding/);
    expect(() => kind('Dropout').fromKeras({ rate: 0.5, noise_shape: [null, 1, 1, 3] })).toThrow(/noise_shape/);
    expect(() => kind('GlobalAveragePooling2D').fromKeras({ keepdims: true })).toThrow(/keepdims/);
    expect(() => kind('BatchNormalization').fromKeras({ axis: [1, 2] })).toThrow(/axis/);
  });
});

/** Runs a chain of kinds from an input shape, returning per-layer shapes, counts and MACs. */
function chain(input: Shape, layers: Array<[string, Record<string, unknown>]>) {
  let x = input;
  return layers.map(([name, params]) => {
    const k = kind(name);
    const p = k.params.parse(params);
    const r = k.inferShape([x], p);
    if (isError(r)) throw new Error(`${name}: ${r.error.message}`);
    const row = { shape: r.shape, count: k.count?.([x], r.shape, p) ?? { trainable: 0, nonTrainable: 0 }, macs: k.macs?.([x], r.shape, p) ?? 0 };
    x = r.shape;
    return row;
  });
}

describe('MACs', () => {
  it('LeNet-5 (Keras variant): 117,600 MACs in conv1, 416,520 in all, 61,706 params', () => {
    const rows = chain([28, 28, 1], [
      ['Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }],
      ['MaxPooling2D', { poolSize: 2 }],
      ['Conv2D', { filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }],
      ['MaxPooling2D', { poolSize: 2 }],
      ['Flatten', {}],
      ['Dense', { units: 120, activation: 'relu' }],
      ['Dense', { units: 84, activation: 'relu' }],
      ['Dense', { units: 10, activation: 'softmax' }],
    ]);
    expect(rows[0].macs).toBe(28 * 28 * 6 * 5 * 5 * 1);
    expect(rows[0].macs).toBe(117_600);
    expect(rows.map((r) => r.shape)).toEqual([[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [10]]);
    expect(rows.reduce((a, r) => a + r.macs, 0)).toBe(416_520);
    expect(rows.reduce((a, r) => a + r.count.trainable + r.count.nonTrainable, 0)).toBe(61_706);
  });

  it('follows the depthwise, separable, transpose, 1-D and dense formulas', () => {
    const one = (name: string, params: Record<string, unknown>, x: Shape) => chain(x, [[name, params]])[0];
    // depthwise: K²·C·Hout·Wout·depth_multiplier (MobileNet's first dw layer: 3×3 on 112×112×32).
    expect(one('DepthwiseConv2D', { kernelSize: 3, padding: 'same' }, [112, 112, 32]).macs).toBe(9 * 32 * 112 * 112);
    expect(one('DepthwiseConv2D', { kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same' }, [8, 8, 3]).macs).toBe(9 * 3 * 4 * 4 * 2);
    // separable: depthwise + pointwise (1×1 from C·m to filters).
    expect(one('SeparableConv2D', { filters: 16, kernelSize: 3, padding: 'same', depthMultiplier: 2 }, [8, 8, 4]).macs).toBe(
      9 * 4 * 2 * 64 + 4 * 2 * 16 * 64,
    );
    // transpose: K²·Cin·Cout·Hin·Win, whatever the output size.
    expect(one('Conv2DTranspose', { filters: 5, kernelSize: 3, strides: 2, padding: 'valid' }, [7, 6, 4]).macs).toBe(9 * 4 * 5 * 7 * 6);
    // Conv1D: K·Cin·Cout·Lout.
    expect(one('Conv1D', { filters: 8, kernelSize: 5, padding: 'valid' }, [100, 3]).macs).toBe(5 * 3 * 8 * 96);
    // Dense on a sequence acts on the last axis: L·Cin·units.
    expect(one('Dense', { units: 7 }, [10, 3]).macs).toBe(10 * 3 * 7);
    // No conv/dense maths: zero MACs (pooling, BN and activations count as elementwise work).
    for (const [name, x] of [['MaxPooling2D', [8, 8, 3]], ['BatchNormalization', [8, 8, 3]], ['Activation', [8, 8, 3]], ['GlobalAveragePooling2D', [8, 8, 3]]] as const) {
      expect(one(name, {}, x).macs, name).toBe(0);
    }
  });

  it('reports elementwise work separately: bias + activation, BN, pooling windows, merges', () => {
    const ew = (name: string, params: Record<string, unknown>, inputs: Shape[]) => {
      const k = kind(name);
      const p = k.params.parse(params);
      const r = k.inferShape(inputs, p);
      if (isError(r)) throw new Error(r.error.message);
      return k.elementwise?.(inputs, r.shape, p) ?? 0;
    };
    expect(ew('Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }, [[28, 28, 1]])).toBe(2 * 28 * 28 * 6);
    expect(ew('Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'linear', useBias: false }, [[28, 28, 1]])).toBe(0);
    expect(ew('BatchNormalization', {}, [[4, 4, 3]])).toBe(2 * 48);
    expect(ew('MaxPooling2D', { poolSize: 2 }, [[4, 4, 3]])).toBe(2 * 2 * 3 * 4);
    expect(ew('GlobalAveragePooling2D', {}, [[4, 4, 3]])).toBe(48);
    expect(ew('Add', {}, [[4, 4, 3], [4, 4, 3], [4, 4, 3]])).toBe(2 * 48);
    expect(ew('Dropout', { rate: 0.5 }, [[4, 4, 3]])).toBe(0);
  });
});

describe('errors name what is wrong', () => {
  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['Conv2D', { filters: 0 }, 'filters'],
    ['Conv2D', { kernelSize: [3, 0] }, 'kernelSize'],
    ['Conv1D', { strides: 1.5 }, 'strides'],
    ['DepthwiseConv2D', { depthMultiplier: -1 }, 'depthMultiplier'],
    ['SeparableConv2D', { padding: 'full' }, 'padding'],
    ['Conv2DTranspose', { activation: 'bogus' }, 'activation'],
    ['MaxPooling2D', { poolSize: 0 }, 'poolSize'],
    ['AveragePooling1D', { strides: 0 }, 'strides'],
    ['ZeroPadding2D', { padding: -1 }, 'padding'],
    ['BatchNormalization', { axis: 0 }, 'axis'],
    ['BatchNormalization', { epsilon: 0 }, 'epsilon'],
    ['BatchNormalization', { momentum: 2 }, 'momentum'],
    ['Activation', { activation: 'hard_sigmoid' }, 'activation'],
    ['LeakyReLU', { alpha: -0.1 }, 'alpha'],
    ['Dropout', { rate: 1 }, 'rate'],
    ['SpatialDropout2D', { rate: -0.1 }, 'rate'],
    ['Reshape', { targetShape: [-1, -1] }, 'targetShape'],
    ['Reshape', { targetShape: [0, 3] }, 'targetShape'],
    ['Concatenate', { axis: 0 }, 'axis'],
    ['Dense', { units: 2.5 }, 'units'],
    ['Input', { shape: [] }, 'shape'],
  ];
  for (const [name, params, field] of invalid) {
    it(`${name} ${JSON.stringify(params)} → ${field}`, () => {
      const r = kind(name).params.safeParse(params);
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0].path[0]).toBe(field);
    });
  }

  const shapeErrors: Array<[string, Record<string, unknown>, Shape[], string | undefined, RegExp]> = [
    ['Conv2D', { kernelSize: 5, padding: 'valid' }, [[3, 3, 1]], 'kernelSize', /kernel 5×5 is larger than the 3×3 input \(padding valid\)/],
    ['Conv2D', { kernelSize: 3, dilationRate: 2 }, [[4, 4, 1]], 'kernelSize', /dilated to 5×5/],
    ['MaxPooling2D', { poolSize: 3 }, [[2, 2, 1]], 'poolSize', /pool 3×3 is larger than the 2×2 input/],
    ['Conv1D', {}, [[8, 8, 3]], undefined, /Conv1D expects an L×C input, got shape 8×8×3/],
    ['Reshape', { targetShape: [10, 10] }, [[7, 7, 3]], 'targetShape', /cannot reshape 7×7×3 \(147 values\) into 10×10 \(100 values\)/],
    ['Reshape', { targetShape: [-1, 10] }, [[7, 7, 3]], 'targetShape', /147 is not a multiple of 10/],
    ['Concatenate', {}, [[4, 4, 3], [4, 4, 2], [4, 5, 2]], undefined, /input 3 \(4×5×2\) does not match input 1 \(4×4×3\)/],
    ['Concatenate', { axis: 4 }, [[4, 4, 3], [4, 4, 2]], 'axis', /axis 4 is out of range/],
    ['Multiply', {}, [[4, 4, 3], [4, 4, 2]], undefined, /Multiply needs inputs of the same shape/],
    ['BatchNormalization', { axis: 3 }, [[10, 3]], 'axis', /axis 3 is out of range for a rank-2 input/],
    ['Flatten', {}, [[6]], undefined, /vector is already flat/],
  ];
  for (const [name, params, inputs, field, message] of shapeErrors) {
    it(`${name} on ${inputs.map(fmtShape).join(', ')}: ${message.source}`, () => {
      const k = kind(name);
      const r = k.inferShape(inputs, k.params.parse(params));
      expect(isError(r)).toBe(true);
      if (isError(r)) {
        expect(r.error.message).toMatch(message);
        expect(r.error.param).toBe(field);
      }
    });
  }
});

describe('summaries', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }, '6@5×5 s1 same relu'],
    ['MaxPooling2D', { poolSize: 2 }, '2×2 s2'],
    ['MaxPooling2D', { poolSize: 3, strides: 2, padding: 'same' }, '3×3 s2 same'],
    ['Dropout', { rate: 0.5 }, 'p=0.5'],
    ['Dense', { units: 120, activation: 'relu' }, '120 relu'],
    ['DepthwiseConv2D', { kernelSize: 3, strides: 2, padding: 'same' }, 'dw 3×3 s2 same'],
    ['Conv1D', { filters: 16, kernelSize: 5 }, '16@5 s1 valid relu'],
    ['MaxPooling1D', { poolSize: 2 }, '2 s2'],
    ['Activation', { activation: 'softmax' }, 'softmax'],
    ['ZeroPadding2D', { padding: 3 }, 'pad 3'],
    ['Reshape', { targetShape: [7, -1] }, '→ 7×?'],
    ['BatchNormalization', {}, 'ε=0.001'],
    ['BatchNormalization', { center: false, axis: 1 }, 'ε=0.001 no β axis 1'],
    ['LeakyReLU', {}, 'α=0.3'],
    ['Concatenate', {}, '‖ channels'],
  ];
  for (const [name, params, text] of cases) {
    it(`${name} ${JSON.stringify(params)} → ${text}`, () => {
      const k = kind(name);
      expect(k.ui.summary(k.params.parse(params))).toBe(text);
    });
  }
});
