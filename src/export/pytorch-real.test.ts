import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset, presetList } from '../../presets/index';
import { compileGraph } from '../compile/compile';
import { snapshotWeights } from '../compile/weights';
import { npyFloat32 } from '../data/npy';
import { sequentialGraph } from '../graph/build';
import type { ProjectFileV1 } from '../graph/types';
import { mulberry32 } from '../train/random';
import { nodeWasm } from '../train/wasm/node';
import { npzBytes, pytorchStateDict } from './pytorch-weights';
import { pytorchScript } from './pytorch-script';
import { findTorchPython, torchEnv } from './testing/torch-python';

/**
 * The PyTorch export against real PyTorch (Debian's python3-torch; the test command installs it when missing): every
 * preset's generated script builds, passes its own check, loads the weights Convas exports (.npz) and then computes
 * the same outputs as tfjs on a fixed input, and trains one epoch on random data; a preset runs one epoch under
 * `torchrun` with two processes (gloo). Skipped, with the reason printed, where no Python has PyTorch.
 */
const torch = findTorchPython();
if (!torch.ok) console.warn(`SKIPPED the real-PyTorch tests: ${torch.reason}`);
const root = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('./fixtures/realtorch/run_models.py', import.meta.url));
const TOLERANCE = 1e-4;
/**
 * torchrun of PyTorch 1.13 on Python 3.11 fails before starting a worker ("'NoneType' object has no attribute 'get'":
 * its Std flag parsing meets Python 3.11's enum changes) unless --redirects and --tee name a stream.
 */
const TORCHRUN_STD_BUG = torch.ok && /^1\./.test(torch.version) && torch.pythonMinor >= 11;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'convas-realtorch-'));
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Gives BatchNorm layers non-trivial statistics and affine weights, so that their mapping is really checked. */
function perturbBatchNorm(model: tf.LayersModel, rnd: () => number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const next = layer.weights.map((w) => {
      const name = w.originalName;
      const base = /variance|gamma/.test(name) ? 1 : 0;
      const spread = /variance|gamma/.test(name) ? 0.5 : 0.2;
      const t = w.read();
      const data = Float32Array.from({ length: t.size }, () => base + spread * (2 * rnd() - 1));
      return tf.tensor(data, t.shape);
    });
    layer.setWeights(next);
    tf.dispose(next);
  }
}

interface Job { name: string; script: string; cls: string; weights: string; input: string; expected: string; tolerance: number; samples: number }

/** Writes a project's script, exported weights, a fixed input and tfjs' output on it; returns the runner's job. */
function prepare(name: string, project: ProjectFileV1, seed: number): Job {
  const rnd = mulberry32(seed);
  const model = compileGraph(tf, project.graph);
  try {
    perturbBatchNorm(model, rnd);
    const shape = [2, ...(model.inputs[0].shape.slice(1) as number[])];
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd());
    const y = tf.tidy(() => model.predict(tf.tensor(x, shape)) as tf.Tensor);
    const out = y.dataSync() as Float32Array;
    const outShape = y.shape;
    y.dispose();
    const script = pytorchScript(project);
    const files = {
      script: join(dir, `${name}.py`),
      weights: join(dir, `${name}.weights.npz`),
      input: join(dir, `${name}.input.npy`),
      expected: join(dir, `${name}.expected.npy`),
    };
    writeFileSync(files.script, script);
    writeFileSync(files.weights, npzBytes(pytorchStateDict(project, snapshotWeights(model))));
    writeFileSync(files.input, npyFloat32(shape, x));
    writeFileSync(files.expected, npyFloat32(outShape, out));
    const cls = [...script.matchAll(/^class (\w+)\(nn\.Module\):$/gm)].pop()![1];
    return { name, cls, ...files, tolerance: TOLERANCE, samples: 4 };
  } finally {
    model.dispose();
  }
}

function runJobs(jobs: Job[]): Map<string, string> {
  if (!torch.ok) throw new Error('unreachable');
  const manifest = join(dir, `jobs-${jobs[0].name}.json`);
  writeFileSync(manifest, JSON.stringify(jobs));
  const out = execFileSync(torch.python, [runner, manifest], { encoding: 'utf8', env: torchEnv(), maxBuffer: 64 << 20, timeout: 600_000 });
  return new Map(out.trim().split('\n').map((line) => [line.replace(/^(ok|FAIL) ([^ :]+).*$/, '$2'), line]));
}

// VGG-16 at 224×224 carries 138 M params (553 MB of weights): its script is checked, its weights are not exported here.
const WEIGHTED = presetList.filter((p) => p.id !== 'vgg16');

const zoo = sequentialGraph([
  { kind: 'Input', params: { shape: [17, 15, 3] } },
  { kind: 'Conv2D', params: { filters: 5, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' } },
  { kind: 'BatchNormalization', params: { scale: false, momentum: 0.9 } },
  { kind: 'SeparableConv2D', params: { filters: 6, kernelSize: 3, depthMultiplier: 2, padding: 'same' } },
  { kind: 'DepthwiseConv2D', params: { kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'tanh' } },
  { kind: 'Conv2DTranspose', params: { filters: 4, kernelSize: 3, strides: 2, padding: 'same' } },
  { kind: 'BatchNormalization', params: { center: false } },
  { kind: 'Flatten' },
  { kind: 'Dense', params: { units: 7, activation: 'softmax' } },
]);
const seq1d = sequentialGraph([
  { kind: 'Input', params: { shape: [40, 3] } },
  { kind: 'Conv1D', params: { filters: 6, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' } },
  { kind: 'BatchNormalization' },
  { kind: 'Conv1D', params: { filters: 4, kernelSize: 3, dilationRate: 2, useBias: false } },
  { kind: 'Flatten' },
  { kind: 'Dense', params: { units: 1, activation: 'sigmoid' } },
]);
const project = (name: string, graph: ProjectFileV1['graph']): ProjectFileV1 => ({ format: 'convas-project', version: 1, name, graph });

describe.runIf(torch.ok)(`the PyTorch export in real PyTorch (${torch.ok ? `${torch.python}, torch ${torch.version}` : 'none'})`, () => {
  // One Python process for every model (importing torch is the slow part): each test then reads its line.
  let lines = new Map<string, string>();
  beforeAll(() => {
    const jobs = [...WEIGHTED.map((p) => prepare(p.id, getPreset(p.id)!, 7)), prepare('zoo', project('zoo', zoo), 11), prepare('seq1d', project('seq1d', seq1d), 12)];
    // A wrong mapping must be caught: the last Dense kernel exported with its rows reversed.
    const broken = prepare('lenet5-broken', getPreset('lenet5')!, 3);
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const sd = pytorchStateDict(getPreset('lenet5')!, snapshotWeights(model));
    model.dispose();
    sd.filter((t) => t.key.endsWith('.weight') && t.shape.length === 2).pop()!.data.reverse();
    writeFileSync(broken.weights, npzBytes(sd));
    lines = runJobs([...jobs, broken]);
  }, 900_000);

  it.each(WEIGHTED.map((p) => [p.id] as const))('%s: the script with exported weights computes what tfjs computes, and trains', (id) => {
    const line = lines.get(id);
    expect(line, line).toMatch(/^ok /);
    console.log(`${id}: max |PyTorch − tfjs| = ${line!.split(' ')[2]}`);
  });

  it('a kind-rich graph (separable, depthwise, transposed conv, BatchNorm without scale or center, 1D convs) maps every weight', () => {
    for (const name of ['zoo', 'seq1d']) expect(lines.get(name), lines.get(name)).toMatch(/^ok /);
  });

  it('a wrong mapping is caught: a Dense kernel with its rows reversed makes the outputs differ', () => {
    expect(lines.get('lenet5-broken')).toMatch(/^FAIL lenet5-broken: .*outputs differ from tfjs/);
  });

  it('runs unchanged under torchrun: two processes (gloo) train one epoch of LeNet-5 on random data, rank 0 logs', () => {
    const script = join(dir, 'lenet5_ddp.py');
    const ckpt = join(dir, 'lenet5_ddp.pt');
    writeFileSync(script, pytorchScript(getPreset('lenet5')!));
    // The command the script's header gives, with the workaround it names for PyTorch 1.13 on Python 3.11.
    const workaround = TORCHRUN_STD_BUG ? ['--redirects', '1', '--tee', '1'] : [];
    const r = spawnSync(torch.ok ? torch.python : 'python3', ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', ...workaround, script, '--random-data', '256', '--epochs', '1', '--checkpoint', ckpt], {
      encoding: 'utf8', env: { ...torchEnv(), OMP_NUM_THREADS: '1' }, timeout: 300_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    // Rank 0 alone prints: one epoch line, one test line (torchrun's --tee prefixes each line with its rank).
    expect(r.stdout.match(/^(\[default0\]:)?epoch 1: loss/gm)?.length).toBe(1);
    expect(r.stdout.match(/^(\[default\d\]:)?epoch 1: loss/gm)?.length).toBe(1);
    expect(r.stdout.match(/^(\[default\d\]:)?test /gm)?.length).toBe(1);
    const saved = spawnSync(torch.ok ? torch.python : 'python3', ['-c', `import torch; sd = torch.load(${JSON.stringify(ckpt)}); print(len(sd))`], { encoding: 'utf8', env: torchEnv() });
    expect(Number(saved.stdout.trim())).toBe(10); // 5 layers with weights, each weight and bias
  }, 300_000);
});

if (!torch.ok) {
  describe('the PyTorch export in real PyTorch', () => {
    it.skip(`skipped: ${torch.reason}`, () => {});
  });
}
