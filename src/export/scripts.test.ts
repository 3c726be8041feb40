import { product } from '../../nodes/index';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getPreset, presetList } from '../../presets/index';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import type { Graph, GraphNode, ProjectFileV1 } from '../graph/types';
import { kerasScript } from './keras-script';
import { readTraining } from './python';
import { pytorchScript, tfSamePads } from './pytorch-script';

const project = (name: string, graph: Graph, training?: Record<string, unknown>): ProjectFileV1 => ({
  format: 'convas-project',
  version: 1,
  name,
  graph,
  ...(training ? { training } : {}),
});

/** A graph from nodes `[id, kind, params]` and edges `[source, target]` (slots in listed order). */
function dag(nodes: Array<[string, string, Record<string, unknown>?]>, edges: Array<[string, string]>): Graph {
  const slot = new Map<string, number>();
  const gn: GraphNode[] = nodes.map(([id, kind, params], i) => ({ id, kind, name: id, params: params ?? {}, position: { x: 0, y: i * 100 } }));
  return {
    nodes: gn,
    edges: edges.map(([s, t], i) => {
      const k = slot.get(t) ?? 0;
      slot.set(t, k + 1);
      return { id: `e${i}`, source: s, target: t, targetIndex: k };
    }),
  };
}

/** Every kind, odd sizes so that 'same' padding is asymmetric, strides > 1, branches into Add/Multiply/Concatenate. */
const zoo = dag(
  [
    ['img', 'Input', { shape: [17, 17, 3] }],
    ['pad', 'ZeroPadding2D', { padding: [[1, 0], [2, 1]] }],
    ['c1', 'Conv2D', { filters: 8, kernelSize: 3, strides: 2, padding: 'same' }],
    ['bn', 'BatchNormalization', { center: false, momentum: 0.9, epsilon: 0.01 }],
    ['lrelu', 'LeakyReLU', { alpha: 0.1 }],
    ['sep', 'SeparableConv2D', { filters: 12, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 }],
    ['dw', 'DepthwiseConv2D', { kernelSize: 5, strides: 1, padding: 'same' }],
    ['up', 'Conv2DTranspose', { filters: 6, kernelSize: 4, strides: 2, padding: 'same' }],
    ['mp', 'MaxPooling2D', { poolSize: 3, strides: 2, padding: 'same' }],
    ['ap', 'AveragePooling2D', { poolSize: 2, strides: 1, padding: 'same' }],
    ['a', 'Conv2D', { filters: 4, kernelSize: 1, activation: 'linear', useBias: false }],
    ['b', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'tanh' }],
    ['sum', 'Add'],
    ['prod', 'Multiply'],
    ['cat', 'Concatenate', {}],
    ['sd', 'SpatialDropout2D', { rate: 0.2 }],
    ['rs', 'Reshape', { targetShape: [-1, 14] }],
    ['dn', 'Dense', { units: 5, activation: 'relu' }],
    ['fl', 'Flatten'],
    ['dr', 'Dropout', { rate: 0.3 }],
    ['out', 'Dense', { units: 10 }],
    ['sm', 'Activation', { activation: 'softmax' }],
  ],
  [
    ['img', 'pad'], ['pad', 'c1'], ['c1', 'bn'], ['bn', 'lrelu'], ['lrelu', 'sep'], ['sep', 'dw'], ['dw', 'up'], ['up', 'mp'], ['mp', 'ap'],
    ['ap', 'a'], ['ap', 'b'], ['a', 'sum'], ['b', 'sum'], ['a', 'prod'], ['b', 'prod'], ['sum', 'cat'], ['prod', 'cat'], ['ap', 'cat'],
    ['cat', 'sd'], ['sd', 'rs'], ['rs', 'dn'], ['dn', 'fl'], ['fl', 'dr'], ['dr', 'out'], ['out', 'sm'],
  ],
);

const seq1d = sequentialGraph([
  { kind: 'Input', params: { shape: [50, 3] } },
  { kind: 'Conv1D', params: { filters: 8, kernelSize: 4, strides: 2, padding: 'same' } },
  { kind: 'MaxPooling1D', params: { poolSize: 3, strides: 2, padding: 'same' } },
  { kind: 'AveragePooling1D', params: { poolSize: 2, padding: 'same' } },
  { kind: 'GlobalMaxPooling1D' },
  { kind: 'Dense', params: { units: 1, activation: 'sigmoid' } },
]);

const projects: ProjectFileV1[] = [
  ...presetList.map((p) => getPreset(p.id)!),
  project('zoo', zoo, { optimizer: 'sgd', learningRate: 0.05, batchSize: 32, epochs: 3, momentum: 0.8 }),
  project('seq 1d', seq1d, { optimizer: 'rmsprop' }),
];

interface Row {
  name: string;
  cls: string;
  shape: number[];
  params: number;
}

function readTable(src: string): { rows: Row[]; total: number; trainable: number; macs: number } {
  const body = /^LAYERS = \[\n([\s\S]*?)\n\]/m.exec(src)![1];
  const rows = body.split('\n').map((line) => {
    const m = /^\s+\("([^"]+)", "([^"]+)", \(([^)]*)\), (\d+)\),$/.exec(line);
    if (!m) throw new Error(`unreadable table row: ${line}`);
    return { name: m[1], cls: m[2], shape: m[3].split(',').map((s) => s.trim()).filter(Boolean).map(Number), params: Number(m[4]) };
  });
  const num = (k: string) => Number(new RegExp(`^${k} = (\\d+)`, 'm').exec(src)![1]);
  return { rows, total: num('EXPECTED_PARAMS'), trainable: num('EXPECTED_TRAINABLE_PARAMS'), macs: num('EXPECTED_MACS') };
}

const ints = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);

/** Params of the modules the PyTorch script declares, read from their constructor arguments (independent of the table). */
function torchParams(src: string): { total: number; trainable: number } {
  let trainable = 0;
  let buffers = 0;
  for (const line of src.split('\n')) {
    let m;
    if ((m = /nn\.Conv([12])d\((\d+), (\d+), kernel_size=(?:\(([\d, ]+)\)|(\d+))(.*)\)$/.exec(line))) {
      const [cin, cout] = [Number(m[2]), Number(m[3])];
      const k = m[4] ? product(ints(m[4])) : Number(m[5]) ** Number(m[1]);
      const groups = Number(/groups=(\d+)/.exec(m[6])?.[1] ?? 1);
      trainable += (cin / groups) * cout * k + (/bias=True/.test(m[6]) ? cout : 0);
    } else if ((m = /nn\.ConvTranspose2d\((\d+), (\d+), kernel_size=\(([\d, ]+)\)(.*)\)$/.exec(line))) {
      trainable += Number(m[1]) * Number(m[2]) * product(ints(m[3])) + (/bias=True/.test(m[4]) ? Number(m[2]) : 0);
    } else if ((m = /nn\.Linear\((\d+), (\d+), bias=(True|False)\)/.exec(line))) {
      trainable += Number(m[1]) * Number(m[2]) + (m[3] === 'True' ? Number(m[2]) : 0);
    } else if ((m = /nn\.BatchNorm[12]d\((\d+),(.*)\)/.exec(line))) {
      buffers += 2 * Number(m[1]);
      if (!/affine=False/.test(m[2])) trainable += 2 * Number(m[1]);
    } else if ((m = /nn\.Parameter\(torch\.(?:ones|zeros)\((\d+)\)\)/.exec(line))) {
      trainable += Number(m[1]);
    }
  }
  return { total: trainable + buffers, trainable };
}

describe('tfSamePads', () => {
  it('matches TensorFlow: the odd extra pixel goes after', () => {
    expect(tfSamePads(28, 5, 1)).toEqual([2, 2]);
    expect(tfSamePads(28, 5, 2)).toEqual([1, 2]); // out 14: 13·2 + 5 − 28 = 3
    expect(tfSamePads(7, 3, 2)).toEqual([1, 1]);
    expect(tfSamePads(8, 3, 2)).toEqual([0, 1]); // out 4: 3·2 + 3 − 8 = 1
    expect(tfSamePads(4, 2, 1)).toEqual([0, 1]);
    expect(tfSamePads(10, 3, 1, 2)).toEqual([2, 2]); // dilated: effective kernel 5
    expect(tfSamePads(5, 1, 3)).toEqual([0, 0]);
  });
});

describe('readTraining', () => {
  it('keeps valid settings and replaces odd ones by defaults', () => {
    const t = readTraining({ optimizer: 'SGD', learningRate: -1, batchSize: 12.5, epochs: 7, datasetId: 'mnist' });
    expect(t).toMatchObject({ optimizer: 'sgd', learningRate: 0.001, batchSize: 64, epochs: 7, dataset: 'mnist' });
  });
});

describe.each(projects.map((p) => [p.name, p] as const))('scripts for %s', (_name, p) => {
  const inf = inferGraph(p.graph);
  const byName = new Map(p.graph.nodes.map((n) => [n.name, n]));
  const keras = kerasScript(p);
  const torch = pytorchScript(p);

  it.each([
    ['keras', keras],
    ['pytorch', torch],
  ])('%s script lists every layer with its shape and params, and the totals', (_which, src) => {
    const t = readTable(src);
    expect(t.rows.map((r) => r.name)).toEqual(inf.order.map((id) => p.graph.nodes.find((n) => n.id === id)!.name));
    for (const r of t.rows) {
      const node = inf.nodes[byName.get(r.name)!.id];
      expect(r.shape, r.name).toEqual([...node.outputShape!]);
      expect(r.params, r.name).toBe(node.count.trainable + node.count.nonTrainable);
    }
    expect(t.total).toBe(inf.totals.params);
    expect(t.trainable).toBe(inf.totals.trainableParams);
    expect(t.macs).toBe(inf.totals.macs);
    expect(t.rows.reduce((a, r) => a + r.params, 0)).toBe(inf.totals.params);
  });

  it('keras script declares one layer call per node', () => {
    for (const n of p.graph.nodes) expect(keras).toContain(`name="${n.name}"`);
  });

  it('pytorch modules hold exactly the params the graph counts', () => {
    expect(torchParams(torch)).toEqual({ total: inf.totals.params, trainable: inf.totals.trainableParams });
  });
});

/** Runs fixtures/<stand-in>/run_check.py on the files; returns its report (it exits non-zero when one fails). */
function runPython(standIn: 'faketorch' | 'fakekeras', files: string[]): string {
  const runner = fileURLToPath(new URL(`./fixtures/${standIn}/run_check.py`, import.meta.url));
  try {
    return execFileSync('python3', [runner, ...files], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? String(e);
  }
}

describe('generated Python', () => {
  it('compiles (python3 -m py_compile) for every preset and the synthetic graphs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convas-py-'));
    const files = projects.flatMap((p, i) => {
      const k = join(dir, `keras_${i}.py`);
      const t = join(dir, `torch_${i}.py`);
      writeFileSync(k, kerasScript(p));
      writeFileSync(t, pytorchScript(p));
      return [k, t];
    });
    expect(() => execFileSync('python3', ['-m', 'py_compile', ...files], { stdio: 'pipe' })).not.toThrow();
  });

  it('PyTorch modules run: check_model() passes (totals, output shapes) under a shape-only torch stand-in', () => {
    // fixtures/faketorch implements PyTorch's shape formulas and parameter/buffer counting without values, so the
    // generated forward() really executes: wrong padding, channels or Flatten order fail here.
    const dir = mkdtempSync(join(tmpdir(), 'convas-torch-'));
    const files = projects.map((p, i) => {
      const f = join(dir, `model_${i}.py`);
      writeFileSync(f, pytorchScript(p));
      return f;
    });
    const out = runPython('faketorch', files);
    expect(out).not.toContain('FAIL');
    expect(out.match(/^ok /gm)?.length).toBe(projects.length);
  });

  it('the torch stand-in is not a rubber stamp: a script with a wrong padding fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convas-torch-'));
    const f = join(dir, 'broken.py');
    writeFileSync(f, pytorchScript(getPreset('lenet5')!).replace(', padding=(2, 2)', ''));
    const out = runPython('faketorch', [f]);
    expect(out).toMatch(/FAIL .*linear expects … × 400, got \(2, 256\)/);
  });

  it('Keras models build: build_model() + check_model() pass (every layer shape and param count) under a shape-only Keras stand-in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convas-keras-'));
    const files = projects.map((p, i) => {
      const f = join(dir, `model_${i}.py`);
      writeFileSync(f, kerasScript(p));
      return f;
    });
    const report = runPython('fakekeras', files);
    expect(report).not.toContain('FAIL');
    expect(report.match(/^ok /gm)?.length).toBe(projects.length);
  });

  it('the Keras stand-in catches a wrong argument: valid instead of same padding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convas-keras-'));
    const f = join(dir, 'broken.py');
    writeFileSync(f, kerasScript(getPreset('lenet5')!).replace('padding="same"', 'padding="valid"'));
    expect(runPython('fakekeras', [f])).toMatch(/FAIL .*conv2d: output shape \(24, 24, 6\), designer says \(28, 28, 6\)/);
  });

  it('writes the training settings', () => {
    const p = project('zoo', zoo, { optimizer: 'sgd', learningRate: 0.05, batchSize: 32, epochs: 3, momentum: 0.8 });
    for (const src of [kerasScript(p), pytorchScript(p)]) {
      expect(src).toMatch(/^LEARNING_RATE = 0\.05$/m);
      expect(src).toMatch(/^BATCH_SIZE = 32$/m);
      expect(src).toMatch(/^EPOCHS = 3$/m);
      expect(src).toContain('momentum=0.8');
    }
  });

  it('writes TF same padding explicitly, BN momentum converted, Flatten in H×W×C order', () => {
    const src = pytorchScript(project('zoo', zoo));
    // c1 sees 18×20 after padding; k3 s2 'same': 8·2 + 3 − 18 = 1 row and 9·2 + 3 − 20 = 1 column, both after.
    expect(src).toContain('self.c1_pad = nn.ConstantPad2d((0, 1, 0, 1), 0.0)');
    expect(src).toContain('nn.BatchNorm2d(8, eps=0.01, momentum=0.1, affine=False)');
    expect(src).toContain('torch.flatten(to_last(dn), 1)');
    expect(src).toContain('torch.cat([sum_, prod, ap], dim=1)');
    expect(src).toContain("nn.ConstantPad2d((0, 1, 0, 1), float('-inf'))");
  });

  it('refuses an invalid graph, naming the layer', () => {
    const bad = sequentialGraph([{ kind: 'Input', params: { shape: [4, 4, 1] } }, { kind: 'Conv2D', name: 'too_big', params: { kernelSize: 7 } }]);
    expect(() => kerasScript(project('bad', bad))).toThrow(/too_big/);
    expect(() => pytorchScript(project('bad', bad))).toThrow(/too_big/);
  });
});
