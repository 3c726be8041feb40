import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLayerKind } from '../../nodes/index';
import { getPreset, presetList } from '../../presets/index';
import { BLOCK_KIND, flattenProject, type BlockDef } from '../graph/blocks';
import { inferGraph } from '../graph/infer';
import { newProject, serializeProject } from '../graph/project';
import { tinyModel } from '../graph/formats/testing/onnx-models';
import { graphToKerasModelJson } from '../graph/keras';
import type { Graph, ProjectFileV1 } from '../graph/types';
import { snapshotWeights, type WeightSnapshot } from '../compile/weights';
import { buildModel } from '../export/artifacts';
import { kerasScript } from '../export/keras-script';
import { pytorchScript } from '../export/pytorch-script';
import { npzBytes, pytorchStateDict } from '../export/pytorch-weights';
import { withSeededMathRandom } from '../train/random';
import { npzPathFor, parseExportArgs } from './export';
import { unfedBlockProject, writeInvalidProject, writeUnfedBlockProject } from './fixtures/invalid-project';
import { main } from './main';
import type { SummaryJson } from './summary';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/convas.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'convas-export-'));
const presetPath = (id: string) => join(root, 'presets', `${id}.json`);
const fixture = (name: string) => join(root, 'src/cli/fixtures', `${name}.model.json`);
let dirs = 0;
const freshDir = () => join(scratch, `d${++dirs}`);

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
});

/** Runs main() in this process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Runs the real bin with node from a directory outside the repo. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: scratch, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A tfjs model read back from the files the export wrote (model.json + the .bin files it lists). */
async function loadWritten(jsonPath: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  const dir = join(jsonPath, '..');
  const data = json.weightsManifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(join(dir, p)))));
  const joined = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
  data.reduce((at, d) => (joined.set(d, at), at + d.length), 0);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: joined.buffer }));
}

/** The weights a model built with `seed` starts with: what the CLI must write without input weights. */
function seededWeights(project: ProjectFileV1, seed: number): WeightSnapshot {
  const model = withSeededMathRandom(seed, () => buildModel(tf, project.graph, null));
  try {
    return snapshotWeights(model);
  } finally {
    model.dispose();
  }
}

/** The model's output on `x` (batch first, channels last). */
function predict(model: tf.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

/** onnxruntime's output of an exported model (its inputs stay channels-last, as Convas' are). */
async function runOnnx(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, shape) });
    return res[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

const binOf = (dir: string) => readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.weights.bin'))!));

// Small presets: one plain, one built of blocks (expanded on the way out), one 1-D.
describe.each(['lenet5', 'resnet-cifar', 'conv1d-timeseries'])('convas export of preset %s', (id) => {
  const info = presetList.find((p) => p.id === id)!;
  const flat = flattenProject(getPreset(id)!);

  it('keras-json: the Keras topology, which summary reads back with the preset’s totals', async () => {
    const out = join(freshDir(), 'model.json');
    const r = await cli(['export', presetPath(id), '--to', 'keras-json', '-o', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${out} (${(readFileSync(out).length / 1024).toFixed(1)} KB): Keras topology\n`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(graphToKerasModelJson(flat.graph, flat.name))));
    const back = await cli(['summary', out, '--json']);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.out) as SummaryJson).totals).toEqual({ ...info.expected, flops: 2 * info.expected.macs });
  });

  it('keras-py and pytorch: the app’s scripts, named after the project inside a directory OUT', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    expect((await cli(['export', presetPath(id), '--to', 'keras-py', '-o', dir])).code).toBe(0);
    expect((await cli(['export', presetPath(id), '--to=pytorch', `--out=${dir}`])).code).toBe(0);
    const base = flat.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
    expect(readdirSync(dir).sort()).toEqual([`${base}_keras.py`, `${base}_pytorch.py`].sort());
    expect(readFileSync(join(dir, `${base}_keras.py`), 'utf8')).toBe(kerasScript(flat));
    expect(readFileSync(join(dir, `${base}_pytorch.py`), 'utf8')).toBe(pytorchScript(flat));
  });

  it('tfjs: model.json + weights that tfjs loads, with the params of the preset and the initial weights of --seed', async () => {
    const dir = freshDir();
    const r = await cli(['export', presetPath(id), '--to', 'tfjs', '-o', dir, '--seed', '7']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^wrote ${dir}/model.json .*\nwrote ${dir}/.*\\.weights\\.bin .*\nweights: initial, drawn with seed 7\n$`));
    const model = await loadWritten(join(dir, 'model.json'));
    try {
      expect(model.countParams()).toBe(info.expected.params);
      expect(model.name).toBe(flat.name);
      const want = seededWeights(flat, 7);
      const got = snapshotWeights(model);
      expect(got.map((l) => l.layer)).toEqual(want.map((l) => l.layer));
      got.forEach((l, i) => l.tensors.forEach((t, j) => expect(t.data).toEqual(want[i].tensors[j].data)));
    } finally {
      model.dispose();
    }
  });
});

describe('convas export: weights', () => {
  const lenet = presetPath('lenet5');

  it('the same seed writes the same bytes, another seed other weights; the default seed is stated', async () => {
    const [a, b, c] = [freshDir(), freshDir(), freshDir()];
    expect((await cli(['export', lenet, '--to', 'tfjs', '-o', a, '--seed', '3'])).code).toBe(0);
    expect((await cli(['export', lenet, '--to', 'tfjs', '-o', b, '--seed=3'])).code).toBe(0);
    // OUT ending in .json names the model.json; the .bin goes next to it.
    const byDefault = await cli(['export', lenet, '--to', 'tfjs', '-o', join(c, 'lenet.json')]);
    expect(byDefault.out).toContain('weights: initial, drawn with seed 1 (the default; --seed N picks another)\n');
    expect(readdirSync(c).sort()).toEqual(['LeNet-5.weights.bin', 'lenet.json']);
    expect(binOf(a).equals(binOf(b))).toBe(true);
    expect(binOf(a).equals(binOf(c))).toBe(false);
    expect(readFileSync(join(a, 'model.json'), 'utf8')).toBe(readFileSync(join(b, 'model.json'), 'utf8'));
  });

  it('a tfjs model.json brings its weights: tfjs → tfjs keeps every byte, tfjs → pytorch --weights writes their state dict', async () => {
    const first = freshDir();
    expect((await cli(['export', lenet, '--to', 'tfjs', '-o', first, '--seed', '5'])).code).toBe(0);
    const again = freshDir();
    const r = await cli(['export', join(first, 'model.json'), '--to', 'tfjs', '-o', again, '--seed', '99']);
    expect(r.err).toBe('');
    expect(r.out).toContain(`weights: from ${join(first, 'model.json')}'s weights files\n`);
    expect(binOf(again).equals(binOf(first))).toBe(true);

    const script = join(freshDir(), 'lenet_pytorch.py');
    const py = await cli(['export', join(first, 'model.json'), '--to', 'pytorch', '--weights', '-o', script]);
    expect(py.code).toBe(0);
    const npz = npzPathFor(script);
    expect(npz).toBe(join(script, '..', 'lenet.weights.npz'));
    expect(py.out).toContain(`wrote ${npz} `);
    expect(py.out).toContain('(python3 lenet_pytorch.py --weights lenet.weights.npz)');
    // The state dict of the weights saved in `first`, laid out for PyTorch.
    const model = await loadWritten(join(first, 'model.json'));
    const imported = flattenProject(getPreset('lenet5')!);
    const want = npzBytes(pytorchStateDict({ ...imported }, snapshotWeights(model)));
    model.dispose();
    const got = unzipSync(new Uint8Array(readFileSync(npz)));
    const expected = unzipSync(want);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expect(Buffer.from(got[k]).equals(Buffer.from(expected[k]))).toBe(true);
    // The weights differ from a fresh draw, so the test above could not pass by re-drawing seed 5 by accident.
    const fresh = await cli(['export', join(first, 'model.json'), '--to', 'pytorch', '--weights', '--fresh-weights', '--seed', '6', '-o', join(freshDir(), 'x.py')]);
    expect(fresh.out).toContain('weights: initial, drawn with seed 6\n');
  });

  it('a model.json whose weights file is missing: exit 2 naming it, unless --fresh-weights; formats without weights do not need it', async () => {
    const out = freshDir();
    const missing = await cli(['export', fixture('tfjs-functional'), '--to', 'tfjs', '-o', out]);
    expect(missing.code).toBe(2);
    expect(missing.out).toBe('');
    expect(missing.err).toBe(
      `convas: ${fixture('tfjs-functional')}: its weights file ${join(root, 'src/cli/fixtures/model.weights.bin')} cannot be read (no such file); put it next to the model.json, or pass --fresh-weights to export initial weights instead\n`,
    );
    expect(existsSync(out)).toBe(false);
    const fresh = await cli(['export', fixture('tfjs-functional'), '--to', 'tfjs', '-o', out, '--fresh-weights']);
    expect(fresh.code).toBe(0);
    const model = await loadWritten(join(out, 'model.json'));
    expect(model.name).toBe('tiny_residual');
    model.dispose();
    const script = await cli(['export', fixture('tfjs-functional'), '--to', 'keras-py', '-o', join(out, 'k.py')]);
    expect(script.code).toBe(0);
    expect(script.err).toContain('warning: the weights manifest was ignored');
  });
});

describe('convas export: bad input and arguments', () => {
  it('exit 2, one line, on a missing file, a directory, garbage, and an unknown layer class', async () => {
    const missing = await cli(['export', 'nope.json', '--to', 'tfjs', '-o', freshDir()]);
    expect(missing).toEqual({ code: 2, out: '', err: 'convas: nope.json: cannot read the file (no such file)\n' });
    const dir = await cli(['export', scratch, '--to', 'keras-py', '-o', freshDir()]);
    expect(dir.code).toBe(2);
    expect(dir.err).toBe(`convas: ${scratch}: is a directory, not a file\n`);
    const junk = join(scratch, 'junk.json');
    writeFileSync(junk, '{"format": "convas-project", ');
    const garbage = await cli(['export', junk, '--to', 'keras-py', '-o', freshDir()]);
    expect(garbage.code).toBe(2);
    expect(garbage.err).toMatch(/^convas: cannot read .*junk\.json:\n {2}- .*junk\.json: not valid JSON/);
    const lambda = join(scratch, 'lambda.json');
    writeFileSync(lambda, JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'l', batch_input_shape: [null, 3] } }] } }));
    const refused = await cli(['export', lambda, '--to', 'pytorch', '-o', freshDir()]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('unknown layer class "Lambda"');
  });

  it('exit 1 on an invalid graph, naming every bad layer, and nothing is written', async () => {
    const file = writeInvalidProject(scratch);
    for (const to of ['tfjs', 'keras-json', 'keras-py', 'pytorch']) {
      const out = freshDir();
      const r = await cli(['export', file, '--to', to, '-o', out]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toBe(
        `convas: cannot export ${file}: the graph is invalid (2 problems):\n` +
          '  - too_big (Conv2D): kernel 7×7 is larger than the 4×4 input (padding valid) [kernelSize]\n' +
          '  - zero_units (Dense): Units must be a whole number ≥ 1; 0 is below 1 [units]\n',
      );
      expect(existsSync(out)).toBe(false);
    }
  });

  it('exit 1 on a block instance with an input port nothing feeds, though the flat graph alone would be valid', async () => {
    const file = writeUnfedBlockProject(scratch);
    // The Add of two inputs left would infer and build: the refusal comes from the block's own check.
    expect(inferGraph(flattenProject(unfedBlockProject()).graph).valid).toBe(true);
    const out = freshDir();
    const r = await cli(['export', file, '--to', 'pytorch', '-o', out]);
    expect(r).toEqual({ code: 1, out: '', err: `convas: cannot export ${file}: the graph is invalid (1 problem):\n  - input “in2” of first is not connected\n` });
    expect(existsSync(out)).toBe(false);
  });

  it('exit 4 when OUT cannot be written, saying why', async () => {
    const file = join(scratch, 'a-file.txt');
    writeFileSync(file, 'x');
    const under = await cli(['export', presetPath('lenet5'), '--to', 'keras-py', '-o', join(file, 'x.py')]);
    expect(under).toEqual({ code: 4, out: '', err: `convas: cannot write ${join(file, 'x.py')} (a part of the path is a file, not a directory)\n` });
    const tfjsIntoFile = await cli(['export', presetPath('lenet5'), '--to', 'tfjs', '-o', file]);
    expect(tfjsIntoFile.code).toBe(4);
    expect(tfjsIntoFile.err).toBe(`convas: cannot write ${join(file, 'model.json')} (a part of the path is a file, not a directory)\n`);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('exit 2 with one line for wrong arguments', async () => {
    const lenet = presetPath('lenet5');
    const cases: Array<[string[], string]> = [
      [[], 'export needs an input file'],
      [[lenet, '-o', 'x'], 'export needs --to FORMAT (onnx, tfjs, keras-json, keras-py, pytorch)'],
      [[lenet, '--to', 'caffe', '-o', 'x'], 'unknown format "caffe"; --to takes onnx, tfjs, keras-json, keras-py, pytorch'],
      [[lenet, '--to', 'tfjs'], 'export needs -o OUT (a directory)'],
      [[lenet, lenet, '--to', 'tfjs', '-o', 'x'], `export reads one file at a time, got 2: ${lenet}, ${lenet}`],
      [[lenet, '--to', 'tfjs', '-o', 'x', '--seed', '-1'], '--seed needs a whole number from 0 to 4294967295, got "-1"'],
      [[lenet, '--to', 'tfjs', '-o', 'x', '--seed', 'abc'], '--seed needs a whole number from 0 to 4294967295, got "abc"'],
      [[lenet, '--to', 'tfjs', '-o', 'x', '--fast'], 'unknown option --fast'],
      [[lenet, '--to', 'keras-py', '-o', 'x', '--weights'], '--weights goes with --to pytorch (keras-py holds no weights)'],
      [[lenet, '--to', 'tfjs', '-o', '-'], '-o - (stdout) takes one text file; tfjs is two files'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['export', ...args]);
      expect(r, args.join(' ')).toEqual({ code: 2, out: '', err: `convas: ${message} (see convas export --help)\n` });
    }
    expect(parseExportArgs(['m.json', '-t', 'onnx', '--out', 'o.onnx'])).toEqual({ input: 'm.json', to: 'onnx', out: 'o.onnx', seed: null, weights: false, freshWeights: false });
  });

  it('-o - writes a text format to stdout', async () => {
    const r = await cli(['export', presetPath('basic-cnn'), '--to', 'keras-json', '-o', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(graphToKerasModelJson(getPreset('basic-cnn')!.graph, getPreset('basic-cnn')!.name))));
  });

  it('--seed on a format without weights is a warning, not an error', async () => {
    const r = await cli(['export', presetPath('basic-cnn'), '--to', 'pytorch', '-o', join(freshDir(), 'b.py'), '--seed', '2']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('convas: warning: --seed has no effect: pytorch without --weights holds no weights\n');
  });

});

describe('convas export: ONNX out and in', () => {
  // A plain CNN and one built of blocks (residual Adds, BatchNorm).
  it.each(['lenet5', 'resnet-cifar'])('%s → .onnx (seeded weights, as onnxruntime runs them) → summary and → tfjs, the same model', async (id) => {
    const info = presetList.find((p) => p.id === id)!;
    const flat = flattenProject(getPreset(id)!);
    const dir = freshDir();
    // A trailing slash makes OUT a directory even before it exists.
    const r = await cli(['export', presetPath(id), '--to', 'onnx', '-o', `${dir}/`, '--seed', '4']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = join(dir, `${flat.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '')}.onnx`);
    expect(r.out).toMatch(new RegExp(`^wrote ${file} \\(.*\\): ONNX model, opset \\d+\nweights: initial, drawn with seed 4\n$`));
    const seeded = withSeededMathRandom(4, () => buildModel(tf, flat.graph, null));
    const shape = [1, ...(seeded.inputs[0].shape.slice(1) as number[])];
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_v, i) => Math.sin(i * 0.37));
    const want = predict(seeded, x, shape);
    seeded.dispose();
    expect(maxDiff(await runOnnx(new Uint8Array(readFileSync(file)), x, shape), want)).toBeLessThan(1e-4);

    // Read back by the CLI: the preset's totals.
    const summary = await cli(['summary', file, '--json']);
    expect(summary.code).toBe(0);
    expect((JSON.parse(summary.out) as SummaryJson).totals).toEqual({ ...info.expected, flops: 2 * info.expected.macs });

    // .onnx in: its weights come along (the seed is not used).
    const back = freshDir();
    const t = await cli(['export', file, '--to', 'tfjs', '-o', back, '--seed', '99']);
    expect(t.code).toBe(0);
    expect(t.out).toContain(`weights: from ${file}\n`);
    const model = await loadWritten(join(back, 'model.json'));
    expect(model.countParams()).toBe(info.expected.params);
    expect(maxDiff(predict(model, x, shape), want)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('a PyTorch-exported .onnx → pytorch --weights and keras-json, with PyTorch’s parameter count', async () => {
    const src = join(root, 'src/graph/formats/fixtures/onnx/lenet5.onnx');
    const total = (JSON.parse(readFileSync(join(root, 'src/graph/formats/fixtures/onnx/lenet5.json'), 'utf8')) as { params: { total: number } }).params.total;
    const dir = freshDir();
    const py = await cli(['export', src, '--to', 'pytorch', '--weights', '-o', join(dir, 'lenet5_pytorch.py')]);
    expect(py.err).toBe('');
    expect(py.code).toBe(0);
    expect(py.out).toContain(`weights: from ${src}\n`);
    expect(Object.keys(unzipSync(new Uint8Array(readFileSync(join(dir, 'lenet5.weights.npz'))))).length).toBeGreaterThan(0);
    const kj = await cli(['export', src, '--to', 'keras-json', '-o', join(dir, 'lenet5.model.json')]);
    expect(kj.code).toBe(0);
    const s = await cli(['summary', join(dir, 'lenet5.model.json'), '--json']);
    expect((JSON.parse(s.out) as SummaryJson).totals.params).toBe(total);
  });

  it('an .onnx with an operator Convas has no layer for: exit 2, one line naming node and op; garbage: exit 2', async () => {
    const file = join(scratch, 'hardswish.onnx');
    writeFileSync(file, tinyModel([1, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { name: 'act/HardSwish', op: 'HardSwish', inputs: ['r'], outputs: ['y'] }]));
    const out = freshDir();
    const r = await cli(['export', file, '--to', 'tfjs', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^convas: ${file}: node "act/HardSwish" \\(HardSwish\\): operator HardSwish is not supported[^\n]*\n$`));
    expect(existsSync(out)).toBe(false);
    const junk = join(scratch, 'junk.onnx');
    writeFileSync(junk, 'not protobuf at all, just text');
    const garbage = await cli(['export', junk, '--to', 'keras-py', '-o', freshDir()]);
    expect(garbage.code).toBe(2);
    expect(garbage.err).toMatch(/^convas: .*junk\.onnx: not an ONNX model/);
  });

  it('a layer ONNX cannot express: exit 1 naming it, nothing written', async () => {
    const dense = getLayerKind('Dense')!;
    const toOnnx = dense.toOnnx;
    // As a kind without a mapping would be: the CLI must say which layer, not crash.
    dense.toOnnx = undefined;
    try {
      const out = freshDir();
      const r = await cli(['export', presetPath('lenet5'), '--to', 'onnx', '-o', out]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^convas: cannot export .*lenet5\.json to onnx: Layer "\w+" \(Dense\): this kind has no ONNX mapping yet\n$/);
      expect(existsSync(out)).toBe(false);
    } finally {
      dense.toOnnx = toOnnx;
    }
  });
});

describe('convas export through the real bin', () => {
  it('--help documents the formats and the exit codes', async () => {
    const r = await run(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: convas export /);
    for (const f of ['tfjs', 'onnx', 'keras-json', 'keras-py', 'pytorch']) expect(r.stdout).toMatch(new RegExp(`^ {2}${f} `, 'm'));
    expect(r.stdout).toMatch(/^ {2}4 {2}OUT cannot be written/m);
  });

  it('converts from outside the repo, quietly (no tfjs banner), and fails without a stack trace', async () => {
    const out = join(scratch, 'bin-out');
    const ok = await run(['export', presetPath('lenet5'), '--to', 'tfjs', '-o', out, '--seed', '7']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['LeNet-5.weights.bin', 'model.json']);
    // The same seed in another process: the same bytes.
    const want = seededWeights(flattenProject(getPreset('lenet5')!), 7);
    const model = await loadWritten(join(out, 'model.json'));
    expect(snapshotWeights(model)[0].tensors[0].data).toEqual(want[0].tensors[0].data);
    model.dispose();
    const bad = await run(['export', 'missing.json', '--to', 'keras-py', '-o', out]);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'convas: missing.json: cannot read the file (no such file)\n' });
  });
});
