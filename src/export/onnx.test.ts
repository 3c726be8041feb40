import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import pkg from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLayerKind, layerKinds, type Draw, type LayerKind, type Shape } from '../../nodes/index';
import { ONNX_OPSET } from '../../nodes/lib/onnx';
import { getPreset, presetList } from '../../presets/index';
import { compileGraph } from '../compile/compile';
import { snapshotWeights } from '../compile/weights';
import { defaultLayerName, sequentialGraph, uniqueName } from '../graph/build';
import { inferGraph, parseParams } from '../graph/infer';
import type { Graph, GraphEdge, GraphNode } from '../graph/types';
import { nodeWasm } from '../train/wasm/node';
import { exportOnnx, exportOnnxWithTf } from './onnx';
import { compareWithOnnxRuntime } from './testing/onnx-oracle';
import { checkOnnxFiles, findOnnxPython } from './testing/onnx-python';

/**
 * The ONNX export against onnxruntime (onnxruntime-web, in Node) with tfjs as the oracle: every preset, graphs using
 * every kind and parameter the mappings branch on, and random graphs built from each kind's own `testing.random`
 * give the same outputs on the same random batch within 1e-4, with every bias and BatchNorm statistic randomised.
 * Where Python has the `onnx` package, ONNX's own checker (full_check: with shape inference) passes every preset.
 */
const { onnx } = pkg;
const TOLERANCE = 1e-4;
const root = fileURLToPath(new URL('../..', import.meta.url));
const onnxPython = findOnnxPython();
if (!onnxPython.ok) console.warn(`SKIPPED ONNX's checker: ${onnxPython.reason}`);
let dir = '';

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'convas-onnx-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The graph with `f` applied to one node's params. */
const withParams = (g: Graph, pick: (n: GraphNode) => boolean, f: (p: Record<string, unknown>) => Record<string, unknown>): Graph => ({
  ...g,
  nodes: g.nodes.map((n) => (pick(n) ? { ...n, params: f(n.params) } : n)),
});

/**
 * Presets compared on logits: a softmax head squashes a 1000-class output to values near 1e-3, where a wrong mapping
 * could hide under the tolerance. The softmax mapping itself is compared below (kind-rich and random graphs). VGG-16
 * keeps its structure at a 32×32 input (its first Dense then reads 512 values, not 25,088: 15 M parameters instead
 * of 138 M, so the test stays short); every other preset runs as published.
 */
function presetUnderTest(id: string): Graph {
  let g = getPreset(id)!.graph;
  const outputs = new Set(inferGraph(g).outputs);
  g = withParams(g, (n) => outputs.has(n.id) && n.params.activation === 'softmax', (p) => ({ ...p, activation: 'linear' }));
  if (id === 'vgg16') g = withParams(g, (n) => n.kind === 'Input', () => ({ shape: [32, 32, 3] }));
  return g;
}

describe(`ONNX export (opset ${ONNX_OPSET}) computes what tfjs computes, in onnxruntime`, () => {
  const exported = new Map<string, string>();

  it.each(presetList.map((p) => [p.id] as const))('preset %s', async (id) => {
    const r = await compareWithOnnxRuntime(tf, presetUnderTest(id), 7);
    console.log(`${id}: max |onnxruntime − tfjs| = ${r.maxDiff.toExponential(2)} (${(r.bytes / 1e6).toFixed(1)} MB)`);
    expect(r.maxDiff).toBeLessThanOrEqual(TOLERANCE);
    // The preset as published (softmax head: the same weights), for ONNX's checker below.
    const file = join(dir, `${id}.onnx`);
    writeFileSync(file, exportOnnx(id === 'vgg16' ? presetUnderTest(id) : getPreset(id)!.graph, r.weights, { name: id }));
    exported.set(id, file);
  }, 120_000);

  const checker = onnxPython.ok ? `python onnx ${onnxPython.version}` : `SKIPPED: ${onnxPython.reason}`;
  (onnxPython.ok ? it : it.skip)(`ONNX's checker (full_check) passes every preset's export (${checker})`, () => {
    if (!onnxPython.ok) return;
    // The preset tests above write the files (each fails on its own if it cannot); a filtered run checks fewer.
    expect(exported.size).toBeGreaterThan(0);
    // A file with a node reading a tensor nothing defines: the checker must refuse it (it is not blind).
    const broken = onnx.ModelProto.decode(readFileSync([...exported.values()][0]));
    broken.graph!.node![1].input![0] = 'nowhere';
    const brokenFile = join(dir, 'broken.onnx');
    writeFileSync(brokenFile, onnx.ModelProto.encode(broken).finish());
    const lines = checkOnnxFiles(onnxPython.python, [...exported.values(), brokenFile]);
    for (const [id, file] of exported) expect(lines.get(file), id).toMatch(/^ok /);
    expect(lines.get(brokenFile)).toMatch(/^FAIL .*nowhere/);
  }, 300_000);

  const zoo = sequentialGraph([
    { kind: 'Input', params: { shape: [17, 15, 3] } },
    { kind: 'ZeroPadding2D', params: { padding: [[1, 2], [0, 3]] } },
    { kind: 'Conv2D', params: { filters: 5, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'gelu' } },
    { kind: 'BatchNormalization', params: { scale: false } },
    { kind: 'Conv2D', params: { filters: 4, kernelSize: [3, 2], dilationRate: [2, 1], padding: 'same', activation: 'relu6', useBias: false } },
    { kind: 'SeparableConv2D', params: { filters: 6, kernelSize: 3, depthMultiplier: 2, dilationRate: 2, padding: 'same', activation: 'swish' } },
    { kind: 'DepthwiseConv2D', params: { kernelSize: [2, 3], depthMultiplier: 2, strides: 2, padding: 'same', activation: 'selu' } },
    { kind: 'BatchNormalization', params: { center: false, axis: 2 } },
    { kind: 'Conv2DTranspose', params: { filters: 4, kernelSize: 4, strides: [2, 1], padding: 'same', activation: 'elu' } },
    { kind: 'Conv2DTranspose', params: { filters: 3, kernelSize: [1, 2], strides: [2, 3], padding: 'valid', activation: 'linear' } },
    { kind: 'AveragePooling2D', params: { poolSize: [3, 2], strides: [2, 1], padding: 'same' } },
    { kind: 'MaxPooling2D', params: { poolSize: 3, strides: 2, padding: 'same' } },
    { kind: 'SpatialDropout2D', params: { rate: 0.3 } },
    { kind: 'LeakyReLU', params: { alpha: 0.2 } },
    { kind: 'Dense', params: { units: 5, activation: 'tanh' } },
    { kind: 'Reshape', params: { targetShape: [40, 5] } },
    { kind: 'BatchNormalization', params: { axis: 1, center: false, scale: false } },
    { kind: 'AveragePooling1D', params: { poolSize: 2, strides: 1, padding: 'same' } },
    { kind: 'Activation', params: { activation: 'sigmoid' } },
    { kind: 'Flatten' },
    { kind: 'Dropout', params: { rate: 0.5 } },
    { kind: 'BatchNormalization', params: {} },
    { kind: 'Dense', params: { units: 7, activation: 'softmax' } },
  ]);
  const seq1d = sequentialGraph([
    { kind: 'Input', params: { shape: [40, 3] } },
    { kind: 'Conv1D', params: { filters: 6, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' } },
    { kind: 'MaxPooling1D', params: { poolSize: 3, strides: 2, padding: 'same' } },
    { kind: 'Conv1D', params: { filters: 4, kernelSize: 3, dilationRate: 2, useBias: false, activation: 'softmax' } },
    { kind: 'AveragePooling1D', params: { poolSize: 2 } },
    { kind: 'Dense', params: { units: 3, activation: 'gelu' } },
    { kind: 'GlobalMaxPooling1D' },
  ]);

  /** Two inputs, branches of every merge, axes other than channels, global pools and a vector head. */
  function branchy(): Graph {
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    const add = (kind: string, params: Record<string, unknown>, inputs: string[]) => {
      const id = `n${nodes.length}`;
      nodes.push({ id, kind, name: `${kind.toLowerCase()}_${nodes.length}`, params, position: { x: 0, y: 0 } });
      inputs.forEach((source, i) => edges.push({ id: `e${edges.length}`, source, target: id, targetIndex: i }));
      return id;
    };
    const x = add('Input', { shape: [8, 6, 3] }, []);
    const side = add('Input', { shape: [8, 6, 1] }, []);
    const a = add('Conv2D', { filters: 4, kernelSize: 3, padding: 'same' }, [x]);
    const b = add('Conv2D', { filters: 4, kernelSize: 1, padding: 'same', activation: 'linear' }, [x]);
    const s = add('Add', {}, [a, b, a]);
    const gate = add('Multiply', {}, [s, side]);
    const h = add('Concatenate', { axis: 1 }, [gate, s]);
    const w = add('Concatenate', { axis: 2 }, [h, h]);
    const c = add('Concatenate', { axis: -1 }, [w, add('Conv2D', { filters: 2, kernelSize: 1 }, [w])]);
    const g1 = add('GlobalAveragePooling2D', {}, [c]);
    const g2 = add('GlobalMaxPooling2D', {}, [c]);
    const v = add('Concatenate', { axis: -1 }, [g1, g2]);
    add('Dense', { units: 3, activation: 'softmax' }, [add('BatchNormalization', {}, [add('Multiply', {}, [v, v])])]);
    add('GlobalAveragePooling1D', {}, [add('Reshape', { targetShape: [16, -1] }, [c])]);
    return { nodes, edges };
  }

  it.each([
    ['a kind-rich 2-D chain', zoo],
    ['a 1-D chain', seq1d],
    ['merges, concatenation on every axis, two inputs and two outputs', branchy()],
  ] as const)('%s', async (_what, graph) => {
    const r = await compareWithOnnxRuntime(tf, graph, 11);
    expect(r.maxDiff).toBeLessThanOrEqual(TOLERANCE);
  }, 60_000);

  it('every registered kind has an ONNX mapping, and the graphs above use every kind', () => {
    expect(layerKinds.filter((k) => !k.toOnnx).map((k) => k.kind)).toEqual([]);
    const used = new Set([zoo, seq1d, branchy()].flatMap((g) => g.nodes.map((n) => n.kind)));
    expect(layerKinds.map((k) => k.kind).filter((k) => !used.has(k))).toEqual([]);
  });

  it('a wrong weight is caught: the comparison is not blind', async () => {
    const g = presetUnderTest('lenet5');
    const model = compileGraph(tf, g);
    try {
      const w = snapshotWeights(model);
      const x = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => Math.sin(i));
      const want = tf.tidy(() => (model.predict(tf.tensor(x, [2, 28, 28, 1])) as tf.Tensor).dataSync() as Float32Array);
      const run = async (bytes: Uint8Array) => {
        const s = await ort.InferenceSession.create(bytes);
        const out = (await s.run({ [g.nodes[0].name]: new ort.Tensor('float32', x, [2, 28, 28, 1]) }))[g.nodes[g.nodes.length - 1].name].data as Float32Array;
        await s.release();
        return Math.max(...out.map((v, i) => Math.abs(v - want[i])));
      };
      expect(await run(exportOnnx(g, w))).toBeLessThanOrEqual(TOLERANCE);
      // The first conv's kernel with two output channels swapped.
      const k = w.find((l) => l.layer === g.nodes[1].name)!.tensors[0];
      const swapped = k.data.slice();
      const cout = k.shape[3];
      for (let i = 0; i < swapped.length; i += cout) [swapped[i], swapped[i + 1]] = [k.data[i + 1], k.data[i]];
      const broken = w.map((l) => (l === w.find((m) => m.layer === g.nodes[1].name) ? { ...l, tensors: [{ ...k, data: swapped }, ...l.tensors.slice(1)] } : l));
      expect(await run(exportOnnx(g, broken))).toBeGreaterThan(TOLERANCE);
    } finally {
      model.dispose();
    }
  });
});

interface Decoded {
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  docString: string;
  graph: {
    input: { type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[];
    output: Decoded['graph']['input'];
    node: { opType: string; attribute: { name: string; i: number; ints: number[] }[] }[];
  };
}

/** The file as plain data (protobufjs' toObject: numbers for int64, defaults filled in). */
const decode = (bytes: Uint8Array): Decoded =>
  onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: true, arrays: true }) as unknown as Decoded;

describe('the ONNX file', () => {
  it('states opset 13 and Convas, keeps channels-last inputs and outputs with a symbolic batch, and never uses auto_pad', () => {
    const g = getPreset('lenet5')!.graph;
    const model = compileGraph(tf, g);
    const m = decode(exportOnnx(g, snapshotWeights(model)));
    model.dispose();
    expect(m.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 13]]);
    expect(m.producerName).toBe('Convas');
    expect(m.docString).toMatch(/opset 13/);
    const dims = (v: Decoded['graph']['input'][number]) => v.type.tensorType.shape.dim.map((d) => d.dimParam || d.dimValue);
    expect(m.graph.input.map(dims)).toEqual([['N', 28, 28, 1]]);
    expect(m.graph.output.map(dims)).toEqual([['N', 10]]);
    const ops = m.graph.node.map((n) => n.opType);
    // One Transpose in (NHWC → NCHW), one before Flatten; none at the vector output.
    expect(ops.filter((o) => o === 'Transpose')).toHaveLength(2);
    expect(m.graph.node.flatMap((n) => n.attribute.map((a) => a.name))).not.toContain('auto_pad');
    // 'same' padding of lenet5's first 5×5 conv: explicit pads of 2.
    const conv = m.graph.node.find((n) => n.opType === 'Conv')!;
    expect(conv.attribute.find((a) => a.name === 'pads')!.ints).toEqual([2, 2, 2, 2]);
  });

  it("writes TF 'same' padding as asymmetric pads (the extra cell after) and Keras 'same' averages without padded cells", () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 2] } },
      { kind: 'Conv2D', params: { filters: 2, kernelSize: 2, strides: 1, padding: 'same' } },
      { kind: 'AveragePooling2D', params: { poolSize: 3, strides: 2, padding: 'same' } },
    ]);
    const model = compileGraph(tf, g);
    const m = decode(exportOnnx(g, snapshotWeights(model)));
    model.dispose();
    const attr = (op: string, name: string) => m.graph.node.find((n) => n.opType === op)!.attribute.find((a) => a.name === name)!;
    expect(attr('Conv', 'pads').ints).toEqual([0, 0, 1, 1]);
    expect(attr('AveragePool', 'pads').ints).toEqual([0, 0, 1, 1]);
    expect(attr('AveragePool', 'count_include_pad').i).toBe(0);
  });
});

describe('what ONNX export refuses, naming the layer', () => {
  const g = sequentialGraph([
    { kind: 'Input', params: { shape: [6] } },
    { kind: 'Dense', name: 'head', params: { units: 3 } },
    { kind: 'Dropout', name: 'drop', params: { rate: 0.1 } },
  ]);
  const weights = () => {
    const model = compileGraph(tf, g);
    try {
      return snapshotWeights(model);
    } finally {
      model.dispose();
    }
  };

  it('a kind without a mapping', () => {
    const kind = getLayerKind('Dropout') as LayerKind;
    const saved = kind.toOnnx;
    kind.toOnnx = undefined;
    try {
      expect(() => exportOnnx(g, weights())).toThrow('Layer "drop" (Dropout): this kind has no ONNX mapping yet');
    } finally {
      kind.toOnnx = saved;
    }
    expect(exportOnnx(g, weights())).toBeInstanceOf(Uint8Array);
  });

  it('a param ONNX cannot express', () => {
    const kind = getLayerKind('Activation')!;
    const ctx = { p: { activation: 'hard_sigmoid' }, inputs: ['x'], inShapes: [[4]], out: [4], weights: [], name: 'act3', kind: 'Activation', fresh: (h: string) => h };
    expect(() => kind.toOnnx!(ctx)).toThrow('Layer "act3" (Activation): activation hard_sigmoid has no ONNX mapping');
  });

  it('missing, misshapen or foreign weights', () => {
    expect(() => exportOnnx(g)).toThrow('Layer "head" (Dense): weight #0 (6×3) is missing: 0 weights given');
    const w = weights();
    const bad = w.map((l) => ({ ...l, tensors: l.tensors.map((t) => (t.shape.length === 2 ? { ...t, shape: [3, 6] } : t)) }));
    expect(() => exportOnnx(g, bad)).toThrow('Layer "head" (Dense): weight #0 is 3×6, the layer needs 6×3');
    const extra = w.map((l) => ({ ...l, tensors: [...l.tensors, l.tensors[1]] }));
    expect(() => exportOnnx(g, extra)).toThrow('Layer "head" (Dense): 3 weights given, the ONNX mapping uses 2');
  });

  it('nothing when given weights of another design: exportOnnxWithTf refuses them as tfjs does', () => {
    const other = weights().map((l) => ({ ...l, tensors: l.tensors.map((t) => ({ ...t, shape: [...t.shape].reverse() })) }));
    expect(() => exportOnnxWithTf(tf, g, other)).toThrow(/head/);
    expect(exportOnnxWithTf(tf, g, null).length).toBeGreaterThan(6 * 3 * 4);
  });

  it('an invalid graph', () => {
    const bad = withParams(g, (n) => n.kind === 'Input', () => ({ shape: [] }));
    expect(() => exportOnnx(bad, weights())).toThrow(/cannot export an invalid graph/);
  });
});

/* ---- Random graphs, from each kind's own testing.random ---- */

interface Step {
  op: number;
  a: number;
  b: number;
  draws: number[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.nat(1000),
  a: fc.nat(1000),
  b: fc.nat(1000),
  draws: fc.array(fc.nat(1_000_000), { minLength: 8, maxLength: 8 }),
});

function drawFrom(st: Step): Draw {
  let i = 0;
  const next = () => st.draws[i++ % st.draws.length];
  return { int: (min, max) => min + (next() % (max - min + 1)), bool: () => next() % 2 === 0, pick: (xs) => xs[next() % xs.length] };
}

/**
 * A valid random graph: each step adds one kind (its `testing.random` params) to a random tensor, or joins two
 * tensors with a merge, and is dropped again when the kind refuses the shape.
 */
function randomGraph(input: number[], steps: Step[]): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const shapes = new Map<string, Shape>();
  const taken = new Set<string>();
  const add = (kind: string, params: Record<string, unknown>, inputs: string[]): string | undefined => {
    const def = getLayerKind(kind)!;
    const parsed = parseParams(def, params);
    if (!parsed.ok) return undefined;
    const r = def.inferShape(inputs.map((i) => shapes.get(i)!), parsed.value);
    if ('error' in r) return undefined;
    const id = `n${nodes.length}`;
    const name = uniqueName(defaultLayerName(kind), taken);
    taken.add(name);
    nodes.push({ id, kind, name, params, position: { x: 0, y: 0 } });
    inputs.forEach((source, i) => edges.push({ id: `e${edges.length}`, source, target: id, targetIndex: i }));
    shapes.set(id, r.shape);
    return id;
  };
  add('Input', { shape: input }, []);
  const kinds = layerKinds.filter((k) => k.testing && k.inputs.max > 0);
  for (const st of steps) {
    const pool = [...shapes.keys()];
    const x = pool[st.a % pool.length];
    const s = shapes.get(x)!;
    const fits = kinds.filter((k) => k.testing!.random.ranks.includes(s.length));
    const k = fits[st.op % fits.length];
    const params = k.testing!.random.params(drawFrom(st), [s]);
    if (k.inputs.min >= 2) {
      // A merge of x with another tensor when they fit, else with a same-shape branch of x.
      const other = pool[st.b % pool.length];
      if (add(k.kind, params, [x, other]) === undefined) {
        const branch = add('Activation', { activation: 'tanh' }, [x])!;
        add(k.kind, params, [branch, x]);
      }
    } else add(k.kind, params, [x]);
  }
  if (nodes.length === 1) add('Dropout', { rate: 0.1 }, ['n0']);
  return { nodes, edges };
}

const inputShapeArb: fc.Arbitrary<number[]> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 1, max: 3 })) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 6, max: 24 }), fc.integer({ min: 1, max: 3 })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 16 })) },
);

describe("onnxruntime's Pad folding", () => {
  // Found by the random graphs below: onnxruntime folds a zero Pad into the MaxPool after it.
  const padThenPool = (pool: Record<string, unknown>) => sequentialGraph([
    { kind: 'Input', params: { shape: [4, 4, 1] } },
    { kind: 'ZeroPadding2D', params: { padding: 1 } },
    { kind: 'MaxPooling2D', params: pool },
  ]);

  it('does not turn the zeros of a ZeroPadding2D into the ignored cells of the MaxPool after it', async () => {
    const r = await compareWithOnnxRuntime(tf, padThenPool({ poolSize: 2 }), 3);
    expect(r.maxDiff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('does not make a pad as large as the pool window (a model onnxruntime refuses)', async () => {
    const r = await compareWithOnnxRuntime(tf, padThenPool({ poolSize: 1, padding: 'same' }), 3);
    expect(r.maxDiff).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('random graphs', () => {
  it('export to ONNX models that compute what tfjs computes', async () => {
    const kindsSeen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(inputShapeArb, fc.array(stepArb, { minLength: 1, maxLength: 8 }), fc.nat(1000), async (input, steps, seed) => {
        const g = randomGraph(input, steps);
        expect(inferGraph(g).valid).toBe(true);
        for (const n of g.nodes) kindsSeen.add(n.kind);
        const r = await compareWithOnnxRuntime(tf, g, seed);
        expect(r.maxDiff).toBeLessThanOrEqual(TOLERANCE);
      }),
      { numRuns: 80 },
    );
    // Guard against a generator that silently drops most steps.
    expect(kindsSeen.size).toBeGreaterThan(layerKinds.length * 0.75);
  }, 300_000);
});
