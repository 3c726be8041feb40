import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import pkg from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from '../../compile/compile';
import { applyWeights } from '../../compile/weights';
import { inferGraph } from '../infer';
import { importOnnx, importOnnxLaidOut, ONNX_LIMITS, type OnnxImported } from './onnx-import';
import { seeded, tinyModel, type TinyInit, type TinyNode } from './testing/onnx-models';

const { onnx } = pkg;
const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(join(here, 'fixtures', 'onnx', `${name}.onnx`)));

interface Expected {
  ops: string[];
  params: { total: number; trainable: number; nonTrainable: number };
  macs: number;
  inputShape: number[];
  outputShape: number[];
  input: number[];
  output: number[];
}
const expected = (name: string): Expected => JSON.parse(readFileSync(join(here, 'fixtures', 'onnx', `${name}.json`), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
});

/** NCHW values → NHWC, for feeding the same input to the channels-last model. */
function nchwToNhwc(data: ArrayLike<number>, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  }
  return out;
}

/** [N, C, ...spatial] values → [N, ...spatial, C]. */
function channelsLast(data: ArrayLike<number>, shape: number[]): Float32Array {
  if (shape.length === 4) return nchwToNhwc(data, shape);
  const [n, c, l] = shape;
  return nchwToNhwc(data, [n, c, l, 1]);
}

/** onnxruntime's output of `bytes` for an input of `shape` (NCHW as the model takes it). */
async function runOrt(bytes: Uint8Array, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, shape) });
    return res[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The imported graph compiled by tfjs with the imported weights, run on `input`. */
function runImported(imp: OnnxImported, input: Float32Array, shape: number[]): Float32Array {
  const model = compileGraph(tf, imp.project.graph);
  try {
    applyWeights(tf, model, imp.weights);
    return tf.tidy(() => (model.predict(tf.tensor(input, shape)) as tf.Tensor).dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

function expectClose(actual: ArrayLike<number>, wanted: ArrayLike<number>, tol = 1e-4) {
  expect(actual.length).toBe(wanted.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - wanted[i]));
  expect(worst).toBeLessThan(tol);
}

describe('importOnnx on models exported by PyTorch (scripts/make-onnx-fixtures.py)', () => {
  it.each(['lenet5', 'resnet_small', 'mobilenet_block'])('%s: the counts, shapes and outputs of the original', async (name) => {
    const bytes = fixture(name);
    const exp = expected(name);
    const r = importOnnx(bytes, `${name}.onnx`);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const { project, weights } = r.value;
    expect(project.name).toBe(name);
    const inf = inferGraph(project.graph);
    expect(inf.valid).toBe(true);
    expect(inf.totals.params).toBe(exp.params.total);
    expect(inf.totals.trainableParams).toBe(exp.params.trainable);
    expect(inf.totals.nonTrainableParams).toBe(exp.params.nonTrainable);
    expect(inf.totals.macs).toBe(exp.macs);
    const [n, c, h, w] = exp.inputShape;
    const input = project.graph.nodes.find((x) => x.kind === 'Input')!;
    expect(input.params.shape).toEqual([h, w, c]);
    expect(inf.outputs).toHaveLength(1);
    expect(inf.nodes[inf.outputs[0]].outputShape).toEqual(exp.outputShape.slice(1));
    // Every weight the graph counts is in the snapshot.
    expect(weights.flatMap((l) => l.tensors).reduce((a, t) => a + t.data.length, 0)).toBe(exp.params.total);

    const nchw = Float32Array.from(exp.input);
    const theirs = await runOrt(bytes, nchw, exp.inputShape);
    expectClose(theirs, exp.output);
    const ours = runImported(r.value, nchwToNhwc(nchw, exp.inputShape), [n, h, w, c]);
    expectClose(ours, theirs);
    // A second input, not the one the fixture was made with.
    const other = Float32Array.from(seeded(nchw.length, 99));
    expectClose(runImported(r.value, nchwToNhwc(other, exp.inputShape), [n, h, w, c]), await runOrt(bytes, other, exp.inputShape));
  });

  it('keeps Conv and BatchNormalization apart when the exporter did (resnet_small) and reads folded ones as a biased conv (mobilenet_block)', () => {
    const kinds = (name: string) => {
      const r = importOnnx(fixture(name));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return r.value.project.graph.nodes.map((x) => x.kind);
    };
    const resnet = kinds('resnet_small');
    expect(resnet.filter((k) => k === 'BatchNormalization')).toHaveLength(8);
    expect(resnet.filter((k) => k === 'Add')).toHaveLength(3);
    // PyTorch's symmetric pads on strided layers are not TF 'same': explicit ZeroPadding2D + valid.
    expect(resnet.filter((k) => k === 'ZeroPadding2D')).toHaveLength(2);
    const mobile = kinds('mobilenet_block');
    expect(mobile.filter((k) => k === 'DepthwiseConv2D')).toHaveLength(2);
    expect(mobile).not.toContain('BatchNormalization');
    // The Linear between two Transposes is one Dense on the channels; the Transposes themselves vanish.
    expect(mobile.filter((k) => k === 'Dense')).toHaveLength(2);
    expect(mobile).toContain('LeakyReLU');
  });

  it('lays the graph out with ELK without changing it', async () => {
    const plain = importOnnx(fixture('resnet_small'));
    const laid = await importOnnxLaidOut(fixture('resnet_small'));
    if (!plain.ok || !laid.ok) throw new Error('import failed');
    expect(laid.value.project.graph.edges).toEqual(plain.value.project.graph.edges);
    const ys = new Set(laid.value.project.graph.nodes.map((x) => x.position.y));
    expect(ys.size).toBeGreaterThan(10);
  });
});

/** Imports a tiny model and compares tfjs with onnxruntime on a seeded input. */
async function sameAsOrt(inputShape: number[], nodes: TinyNode[], inits: TinyInit[] = [], opset = 13): Promise<OnnxImported> {
  const bytes = tinyModel(inputShape, nodes, inits, opset);
  const r = importOnnx(bytes, 'tiny.onnx');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const x = Float32Array.from(seeded(inputShape.reduce((a, b) => a * b, 1), 5));
  const theirs = await runOrt(bytes, x, inputShape);
  const cf = inputShape.length >= 3;
  const last = cf ? channelsLast(x, inputShape) : x;
  const shape = cf ? [inputShape[0], ...inputShape.slice(2), inputShape[1]] : inputShape;
  const ours = runImported(r.value, last, shape);
  // Outputs that stay channels-first in ONNX come out channels-last from Convas.
  const outInf = inferGraph(r.value.project.graph);
  const outShape = outInf.nodes[outInf.outputs[0]].outputShape!;
  const back = cf && outShape.length >= 2 ? channelsLast(theirs, [1, outShape[outShape.length - 1], ...outShape.slice(0, -1)]) : theirs;
  expectClose(ours, back);
  return r.value;
}

const w = (name: string, dims: number[], seed: number): TinyInit => ({ name, dims, values: seeded(dims.reduce((a, b) => a * b, 1), seed) });

describe('importOnnx: operators beyond the fixtures, each against onnxruntime', () => {
  it('Pad + Conv (valid), SAME_UPPER pooling, Sigmoid, Tanh, Elu, Mul and Concat on channels', async () => {
    const imp = await sameAsOrt([1, 2, 7, 7], [
      { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'] },
      { op: 'Conv', inputs: ['p', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3] } },
      { op: 'Sigmoid', inputs: ['c1'], outputs: ['s'] },
      { op: 'Tanh', inputs: ['c1'], outputs: ['t'] },
      { op: 'Mul', inputs: ['s', 't'], outputs: ['m'] },
      { op: 'Elu', inputs: ['c1'], outputs: ['e'] },
      { op: 'Concat', inputs: ['m', 'e'], outputs: ['cat'], attrs: { axis: 1 } },
      { op: 'AveragePool', inputs: ['cat'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
      { op: 'MaxPool', inputs: ['ap'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] } },
    ], [{ name: 'pads', dims: [8], values: [0, 0, 1, 2, 0, 0, 1, 0], int64: true }, w('w1', [3, 2, 3, 3], 1), w('b1', [3], 2)]);
    const kinds = imp.project.graph.nodes.map((n) => n.kind);
    expect(kinds).toContain('ZeroPadding2D');
    expect(kinds).toContain('Concatenate');
  });

  it('a dilated conv with TF-same pads, depth multiplier 2, Dropout, Gemm without transB, alpha and beta', async () => {
    await sameAsOrt([1, 3, 9, 9], [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2], kernel_shape: [3, 3] } },
      { op: 'Conv', inputs: ['c1', 'w2', 'b2'], outputs: ['c2'], attrs: { group: 3, pads: [1, 1, 1, 1], strides: [1, 1] } },
      { op: 'Dropout', inputs: ['c2', 'ratio'], outputs: ['d'] },
      { op: 'GlobalMaxPool', inputs: ['d'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'w3', 'b3'], outputs: ['y'], attrs: { alpha: { f: 0.5 }, beta: { f: 2 } } },
    ], [w('w1', [3, 3, 3, 3], 3), w('w2', [6, 1, 3, 3], 4), w('b2', [6], 5), { name: 'ratio', dims: [], values: [0.25] }, w('w3', [6, 4], 6), w('b3', [4], 7)]);
  });

  it('Flatten of a feature map followed by Reshape-free Gemm: rows reordered from C·H·W to H·W·C', async () => {
    await sameAsOrt([1, 2, 3, 4], [
      { op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { op: 'Flatten', inputs: ['r'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attrs: { transB: 1 } },
    ], [w('w', [5, 24], 8), w('b', [5], 9)]);
  });

  it('1-D: Conv1d on NCL data with PyTorch pads, MaxPool1d, BatchNorm, GlobalAveragePool over L, Gemm', async () => {
    const imp = await sameAsOrt([1, 3, 20], [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [5], pads: [2, 2] } },
      { op: 'BatchNormalization', inputs: ['c1', 'g', 'b', 'm', 'v'], outputs: ['bn'] },
      { op: 'Relu', inputs: ['bn'], outputs: ['r'] },
      { op: 'MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2], strides: [2] } },
      { op: 'Conv', inputs: ['p', 'w2'], outputs: ['c2'], attrs: { kernel_shape: [3], strides: [2] } },
      { op: 'GlobalAveragePool', inputs: ['c2'], outputs: ['g2'] },
      { op: 'Flatten', inputs: ['g2'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'w3'], outputs: ['y'], attrs: { transB: 1 } },
    ], [w('w1', [4, 3, 5], 1), w('b1', [4], 2), w('g', [4], 3), w('b', [4], 4), w('m', [4], 5), { name: 'v', dims: [4], values: [1, 0.5, 2, 1.5] }, w('w2', [6, 4, 3], 6), w('w3', [2, 6], 7)]);
    expect(imp.project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Conv1D', 'BatchNormalization', 'Activation', 'MaxPooling1D', 'Conv1D', 'GlobalAveragePooling1D', 'Dense']);
    expect(imp.project.graph.nodes[0].params.shape).toEqual([20, 3]);
  });

  it('BatchNormalization on a vector, LeakyRelu, Clip(0, ∞) and Softmax', async () => {
    await sameAsOrt([1, 6], [
      { op: 'BatchNormalization', inputs: ['x', 'g', 'b', 'm', 'v'], outputs: ['bn'], attrs: { epsilon: { f: 1e-3 } } },
      { op: 'LeakyRelu', inputs: ['bn'], outputs: ['l'], attrs: { alpha: { f: 0.2 } } },
      { op: 'Clip', inputs: ['l', 'zero'], outputs: ['c'] },
      { op: 'Softmax', inputs: ['c'], outputs: ['y'] },
    ], [w('g', [6], 1), w('b', [6], 2), w('m', [6], 3), { name: 'v', dims: [6], values: [0.5, 1, 1.5, 2, 0.7, 0.9] }, { name: 'zero', dims: [], values: [0] }]);
  });
});

describe('importOnnx: exporter patterns', () => {
  const c = (name: string, v: number): TinyInit => ({ name, dims: [], values: [v] });

  it('GELU as PyTorch < 2.1 exports it (Div √2, Erf, Add 1, Mul x, Mul ½) becomes one gelu Activation; the Gelu op of opset 20 too', async () => {
    const imp = await sameAsOrt([1, 6], [
      { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Div', inputs: ['h', 'sqrt2'], outputs: ['d'] },
      { op: 'Erf', inputs: ['d'], outputs: ['e'] },
      { op: 'Add', inputs: ['e', 'one'], outputs: ['a'] },
      { op: 'Mul', inputs: ['h', 'a'], outputs: ['m'] },
      { op: 'Mul', inputs: ['m', 'half'], outputs: ['y'] },
    ], [w('w', [5, 6], 1), w('b', [5], 2), c('sqrt2', Math.SQRT2), c('one', 1), c('half', 0.5)]);
    expect(imp.project.graph.nodes.map((n) => [n.kind, n.params.activation])).toContainEqual(['Activation', 'gelu']);
    expect(imp.project.graph.nodes).toHaveLength(3);
    const op = await sameAsOrt([1, 6], [{ op: 'Gelu', inputs: ['x'], outputs: ['y'] }], [], 20);
    expect(op.project.graph.nodes[1].params).toEqual({ activation: 'gelu' });
  });

  it('a squeeze-and-excitation block: global pooling → 1×1 convs → Sigmoid → Mul with the map', async () => {
    const imp = await sameAsOrt([1, 4, 5, 5], [
      { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
      { op: 'Conv', inputs: ['g', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r'] },
      { op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [1, 1] } },
      { op: 'Sigmoid', inputs: ['c2'], outputs: ['s'] },
      { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
    ], [w('w1', [2, 4, 1, 1], 1), w('b1', [2], 2), w('w2', [4, 2, 1, 1], 3), w('b2', [4], 4)]);
    expect(imp.warnings.join()).toContain('channels-last');
  });

  it('opset 11: Squeeze axes as an attribute, Clip bounds as inputs, Dropout ratio as an attribute, Softmax over axis 1', async () => {
    await sameAsOrt([1, 3, 4, 4], [
      { op: 'Clip', inputs: ['x', 'zero', 'six'], outputs: ['c'] },
      { op: 'GlobalMaxPool', inputs: ['c'], outputs: ['g'] },
      { op: 'Squeeze', inputs: ['g'], outputs: ['s'], attrs: { axes: [2, 3] } },
      { op: 'Dropout', inputs: ['s'], outputs: ['d'], attrs: { ratio: { f: 0.3 } } },
      { op: 'Gemm', inputs: ['d', 'w'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Softmax', inputs: ['h'], outputs: ['y'] },
    ], [c('zero', 0), c('six', 6), w('w', [5, 3], 1)], 11);
  });

  it('Reshape of flat data by an initializer shape, then a Linear on the last axis (MatMul + Add)', async () => {
    const imp = await sameAsOrt([1, 12], [
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
      { op: 'MatMul', inputs: ['r', 'w'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'b'], outputs: ['a'] },
      { op: 'Identity', inputs: ['a'], outputs: ['y'] },
    ], [{ name: 'shape', dims: [3], values: [-1, 3, 4], int64: true }, w('w', [4, 2], 1), w('b', [2], 2)]);
    expect(imp.project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Reshape', 'Dense']);
  });

  it('average pooling with PyTorch pads that count the padding (count_include_pad 1): ZeroPadding2D + valid', async () => {
    const imp = await sameAsOrt([1, 2, 6, 6], [
      { op: 'AveragePool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
    ]);
    expect(imp.project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'ZeroPadding2D', 'AveragePooling2D']);
  });

  it('an NHWC input transposed at once (tf2onnx style) stays NHWC, and the Transposes vanish', async () => {
    const bytes = tinyModel([1, 5, 5, 2], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['t', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Transpose', inputs: ['c'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
    ], [w('w', [3, 2, 3, 3], 1)]);
    const r = importOnnx(bytes);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.value.project.graph.nodes.map((n) => n.kind)).toEqual(['Input', 'Conv2D']);
    expect(r.value.project.graph.nodes[0].params.shape).toEqual([5, 5, 2]);
    const x = Float32Array.from(seeded(50, 3));
    expectClose(runImported(r.value, x, [1, 5, 5, 2]), await runOrt(bytes, x, [1, 5, 5, 2]));
  });
});

describe('importOnnx refuses what it cannot represent, naming the node and never returning a partial graph', () => {
  const refused = (bytes: Uint8Array) => {
    const r = importOnnx(bytes, 'bad.onnx');
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error('imported');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^bad\.onnx: /);
    expect('value' in r).toBe(false);
    return r.errors[0];
  };

  it('an unsupported operator, by node name and op type', () => {
    const e = refused(tinyModel([1, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { name: 'weird_one', op: 'HardSwish', inputs: ['r'], outputs: ['y'] }]));
    expect(e).toContain('node "weird_one" (HardSwish)');
    expect(e).toContain('operator HardSwish is not supported');
  });

  it('an operator from another domain', () => {
    const e = refused(tinyModel([1, 4], [{ name: 'fused', op: 'FusedGemm', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }]));
    expect(e).toContain('node "fused" (FusedGemm): operator com.microsoft.FusedGemm is not supported');
  });

  it('an unsupported attribute, naming it', () => {
    const e = refused(tinyModel([1, 2, 8, 8], [{ name: 'pool', op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [2, 2], dilations: [2, 2] } }]));
    expect(e).toContain('node "pool" (MaxPool): attribute "dilations"');
    const e2 = refused(tinyModel([1, 4], [{ name: 'act', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: { mystery: 3 } }]));
    expect(e2).toContain('node "act" (Relu): attribute "mystery" is not supported');
  });

  it('a grouped convolution that is neither plain nor depthwise', () => {
    const e = refused(tinyModel([1, 4, 6, 6], [{ name: 'gconv', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2 } }], [w('w', [4, 2, 3, 3], 1)]));
    expect(e).toContain('node "gconv" (Conv): attribute "group"=2 is not supported');
  });

  it('a Clip other than 0..6 or 0..∞, a max pool whose zero padding would change negative maxima', () => {
    const e = refused(tinyModel([1, 4], [{ name: 'clip', op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }], [{ name: 'lo', dims: [], values: [-1] }, { name: 'hi', dims: [], values: [1] }]));
    expect(e).toContain('node "clip" (Clip): Clip(-1, 1) has no Convas activation');
    const e2 = refused(tinyModel([1, 2, 8, 8], [{ name: 'mp', op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }]));
    expect(e2).toContain('node "mp" (MaxPool): attribute "pads"');
  });

  it('weights that are computed rather than stored', () => {
    const e = refused(tinyModel([1, 4], [{ name: 'mm', op: 'MatMul', inputs: ['x', 'x'], outputs: ['y'] }]));
    expect(e).toContain('node "mm" (MatMul): the weight ("x") must be a constant');
  });

  it('corrupt, truncated, empty and non-ONNX bytes, with a clear message', () => {
    const good = fixture('lenet5');
    expect(refused(good.slice(0, 5000))).toContain('not a readable ONNX model: the file is cut short or damaged');
    expect(refused(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))).toMatch(/not (a readable|an) ONNX model/);
    expect(refused(new Uint8Array())).toContain('the file is empty');
    expect(refused(new TextEncoder().encode('{"format": "convas-project"}'))).toContain('not an ONNX model');
    const flipped = good.slice();
    for (let i = 100; i < flipped.length; i += 97) flipped[i] ^= 0x5a;
    const r = importOnnx(flipped, 'bad.onnx');
    expect(r.ok).toBe(false);
  });

  it('damaged copies of a real model never throw: each is imported whole or refused with a message', () => {
    const good = fixture('resnet_small');
    const rand = seeded(150 * 3, 11);
    let refusedCount = 0;
    for (let k = 0; k < 150; k++) {
      const bad = good.slice();
      const at = Math.floor(((rand[3 * k] + 1) / 2) * bad.length);
      bad[at] = Math.floor(((rand[3 * k + 1] + 1) / 2) * 256);
      const cut = rand[3 * k + 2] > 0.8 ? bad.subarray(0, at + 1) : bad;
      const r = importOnnx(cut);
      if (!r.ok) {
        refusedCount++;
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0].length).toBeGreaterThan(10);
      } else expect(inferGraph(r.value.project.graph).valid).toBe(true);
    }
    expect(refusedCount).toBeGreaterThan(10);
  });

  it('files over the size limit are refused before decoding, graphs over the node limit before converting', () => {
    const huge = new Uint8Array(8);
    Object.defineProperty(huge, 'length', { value: ONNX_LIMITS.maxBytes + 1 });
    expect(refused(huge)).toContain(`the limit is ${ONNX_LIMITS.maxBytes / 1048576} MB`);
    const many: TinyNode[] = Array.from({ length: ONNX_LIMITS.maxNodes + 1 }, (_, i) => ({ op: 'Relu', inputs: [i ? `r${i - 1}` : 'x'], outputs: [`r${i}`] }));
    expect(refused(tinyModel([1, 4], many))).toContain(`nodes; the limit is ${ONNX_LIMITS.maxNodes.toLocaleString('en-US')}`);
  });

  it('structure-aware damage (op types, attribute values, dims, wiring) never throws and never yields an invalid graph', () => {
    const model = onnx.ModelProto.decode(fixture('mobilenet_block'));
    const ops = ['Conv', 'Relu', 'Gemm', 'HardSwish', 'Transpose', 'Reshape', 'Add', 'Concat', 'Softmax', 'MaxPool', ''];
    const values = [-1, 0, 1, 2, 3, 7, 1e6, 2 ** 31, -(2 ** 40)];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(10_000), fc.nat(10_000)), { minLength: 1, maxLength: 3 }), (muts) => {
        const m = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
        const g = m.graph!;
        for (const [kind, a, b] of muts) {
          const node = g.node![a % g.node!.length];
          if (kind === 0) node.opType = ops[b % ops.length];
          else if (kind === 1 && node.attribute?.length) {
            const at = node.attribute[b % node.attribute.length];
            if (at.ints?.length) at.ints[b % at.ints.length] = values[a % values.length];
            else at.i = values[a % values.length];
          } else if (kind === 2) {
            const t = g.initializer![b % g.initializer!.length];
            if (t.dims?.length) t.dims[a % t.dims.length] = values[b % values.length];
          } else if (node.input?.length) node.input[b % node.input.length] = g.node![b % g.node!.length].output![0];
        }
        const r = importOnnx(onnx.ModelProto.encode(m).finish(), 'm.onnx');
        if (r.ok) expect(inferGraph(r.value.project.graph).valid).toBe(true);
        else expect(r.errors).toHaveLength(1);
      }),
      { numRuns: 120, seed: 7 },
    );
  });

  it('a tensor whose data does not match its dims', () => {
    const e = refused(tinyModel([1, 4], [{ name: 'fc', op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'] }], [{ name: 'w', dims: [4, 3], values: [1, 2, 3] }]));
    expect(e).toContain('initializer "w": holds 3 values, its dims need 12');
  });
});
