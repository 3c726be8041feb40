/**
 * `npm run bench:kernels`: LeNet-5 training throughput on the tfjs wasm backend in Node (1 thread, SIMD), through the
 * app's own training loop (`trainModel`, Adam, categorical cross-entropy) on real MNIST images, at batch 64 and 256,
 * in three modes: `stock` (tfjs 4.22 wasm + the gradient kernels of src/train/wasm/missing-gradients.ts, tfjs Adam), `kernels`
 * (the fast kernels of src/train/wasm/fast registered, tfjs Adam) and `fast` (those kernels and the fused Adam update:
 * what the worker runs, the trainer's `fastKernels` setting). Then a per-kernel profile
 * of a few training steps for each: every wasm kernel is wrapped by a timer (kernels are synchronous on wasm, so the
 * time is exact), and what is left of a step is tfjs's own JS (autodiff bookkeeping, tape, tensor creation).
 *
 * Env: CONVAS_BENCH_SAMPLES (per measurement, default 6400), CONVAS_BENCH_MODES (comma list of stock,kernels,fast),
 * CONVAS_BENCH_BATCHES (comma list, default 64,256), CONVAS_BENCH_PROFILE=0 to skip the profile,
 * CONVAS_BENCH_THROUGHPUT=0 to skip the throughput runs, CONVAS_BENCH_BY_SHAPE=1 to split the profile by input shapes,
 * CONVAS_BENCH_ACCURACY=<n> to train one epoch on the first n MNIST images per mode and print the test accuracy
 * (10,000 test images): the modes must learn alike.
 */
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../src/compile/compile';
import { benchGraph, benchInputShape } from './preset-graph';
import { loadDataset } from '../src/train/datasets/index';
import { fsReader } from '../src/train/datasets/node';
import { nodeWasm } from '../src/train/wasm/node';
import { defaultTrainSettings } from '../src/train/protocol';
import { trainModel } from '../src/train/trainer';
import type { Dataset } from '../src/train/datasets/types';
import { registerFastKernels } from '../src/train/wasm/fast/index';
import { inferGraph } from '../src/graph/infer';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Relaxed SIMD (fused multiply-add), on by default in Chrome ≥ 114 where the app runs; Node 20 needs the flag.
// CONVAS_BENCH_RELAXED=0 measures without it.
if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const SAMPLES = Number(process.env.CONVAS_BENCH_SAMPLES ?? 6400);
type Mode = 'stock' | 'kernels' | 'fast';
const MODES = (process.env.CONVAS_BENCH_MODES ?? 'stock,kernels,fast').split(',') as Mode[];
const BATCHES = (process.env.CONVAS_BENCH_BATCHES ?? '64,256').split(',').map(Number);
const PROFILE = process.env.CONVAS_BENCH_PROFILE !== '0';
const THROUGHPUT = process.env.CONVAS_BENCH_THROUGHPUT !== '0';
const BY_SHAPE = process.env.CONVAS_BENCH_BY_SHAPE === '1';
/** Training samples for the accuracy check (one epoch, batch 64, seed 1, per mode); 0 skips it. */
const ACCURACY = Number(process.env.CONVAS_BENCH_ACCURACY ?? 0);
/** The preset to train (CONVAS_BENCH_PRESET): LeNet-5 on MNIST, any other on random data of its input shape. */
const PRESET = process.env.CONVAS_BENCH_PRESET ?? 'lenet5';
const presetGraph = () => benchGraph(PRESET, benchInputShape());

const control = { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} };
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The first `n` training samples only. */
function head(ds: Dataset, n: number): Dataset {
  const size = ds.train.x.length / ds.train.n;
  return { ...ds, train: { n, x: ds.train.x.subarray(0, n * size), y: ds.train.y.subarray(0, n) } };
}

/**
 * Samples/s of one epoch over `ds` (after one warm-up batch): as the trainer itself measures it (wall clock, training
 * steps only), and per CPU-second of this process (robust when other processes share the cores).
 */
function settingsFor(mode: Mode, batchSize: number) {
  return { ...defaultTrainSettings, epochs: 1, batchSize, validationSplit: 0, backend: 'wasm' as const, fastKernels: mode === 'fast' };
}

async function throughput(ds: Dataset, mode: Mode, batchSize: number): Promise<{ wall: number; cpu: number }> {
  const model = compileGraph(tf, presetGraph());
  const settings = settingsFor(mode, batchSize);
  await trainModel({ tf, model, ds: head(ds, batchSize), settings, control });
  let wall = 0;
  const c0 = process.cpuUsage();
  await trainModel({ tf, model, ds, settings, control, callbacks: { onBatch: (b) => (wall = b.samplesPerSec) } });
  const c = process.cpuUsage(c0);
  model.dispose();
  return { wall, cpu: ds.train.n / ((c.user + c.system) / 1e6) };
}

interface KernelTiming { ms: number; calls: number }

/**
 * This process's CPU time in ms. The profile uses CPU time, not wall time: with several processes sharing the two
 * cores, wall time charges whatever kernel happened to be running to the scheduler's preemptions.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Wraps every wasm kernel with a timer; returns the table and an undo function. */
function instrument(): { table: Map<string, KernelTiming>; undo(): void } {
  const table = new Map<string, KernelTiming>();
  let childMs = 0;
  const originals = tf.getKernelsForBackend('wasm');
  for (const k of originals) {
    const f = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        // Self time: a kernel that calls another (through tf.getKernel) is not charged for the callee.
        const t0 = cpuMs();
        const outerChildren = childMs;
        childMs = 0;
        const out = f(args);
        const dt = cpuMs() - t0;
        const key = BY_SHAPE ? `${k.kernelName} ${Object.values(args.inputs).filter((i) => i != null).map((i) => `[${i.shape.join(',')}]`).join(' ')}` : k.kernelName;
        const t = table.get(key) ?? { ms: 0, calls: 0 };
        t.ms += dt - childMs;
        t.calls++;
        table.set(key, t);
        childMs = outerChildren + dt;
        return out;
      },
    });
  }
  return {
    table,
    undo() {
      for (const k of originals) {
        tf.unregisterKernel(k.kernelName, 'wasm');
        tf.registerKernel(k);
      }
    },
  };
}

async function profile(ds: Dataset, mode: Mode, batchSize: number, steps: number): Promise<void> {
  const model = compileGraph(tf, presetGraph());
  const settings = settingsFor(mode, batchSize);
  await trainModel({ tf, model, ds: head(ds, batchSize * 2), settings, control });
  const { table, undo } = instrument();
  const t0 = cpuMs();
  // The steps actually run (the dataset may hold fewer than asked).
  steps = Math.min(steps, Math.floor(ds.train.n / batchSize));
  try {
    await trainModel({ tf, model, ds: head(ds, batchSize * steps), settings, control });
  } finally {
    undo();
    model.dispose();
  }
  const total = cpuMs() - t0;
  const rows = [...table].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((s, [, t]) => s + t.ms, 0);
  const per = (ms: number) => (ms / steps).toFixed(2).padStart(7);
  console.log(`  CPU time per step (batch ${batchSize}, ${steps} steps): total ${per(total)} ms, in kernels ${per(inKernels)} ms, JS/engine ${per(total - inKernels)} ms`);
  for (const [name, t] of rows.slice(0, Number(process.env.CONVAS_BENCH_ROWS ?? 18))) {
    console.log(`    ${name.padEnd(BY_SHAPE ? 60 : 30)} ${per(t.ms)} ms ${(t.calls / steps).toFixed(1).padStart(6)} calls  ${((100 * t.ms) / total).toFixed(1).padStart(5)}%`);
  }
}

async function main() {
  await nodeWasm(root);
  await tf.setBackend('wasm');
  let full: Dataset;
  if (PRESET === 'lenet5') {
    full = await loadDataset('mnist', { readFile: fsReader(root), trainLimit: SAMPLES, testLimit: 10 });
  } else {
    const inf = inferGraph(presetGraph());
    const inputShape = inf.nodes[inf.inputs[0]].outputShape!;
    const out = inf.nodes[inf.outputs[0]].outputShape!;
    full = await loadDataset('random', { readFile: fsReader(root), trainLimit: SAMPLES, testLimit: 10, random: { inputShape: [...inputShape], numClasses: out[out.length - 1] } });
  }
  console.log(`${PRESET} on wasm in Node (${SAMPLES} ${PRESET === 'lenet5' ? 'MNIST' : 'random'} samples per measurement, Adam, 1 thread)`);
  for (const mode of MODES) {
    const undo = mode === 'stock' ? undefined : registerFastKernels(tf);
    if (THROUGHPUT) {
      for (const b of BATCHES) {
        const r = await throughput(full, mode, b);
        console.log(`${mode.padEnd(7)} batch ${String(b).padStart(3)}: ${fmt(r.wall).padStart(6)} samples/s wall, ${fmt(r.cpu).padStart(6)} samples per CPU-second`);
      }
    }
    if (ACCURACY > 0) {
      const ds = await loadDataset('mnist', { readFile: fsReader(root), trainLimit: ACCURACY });
      const model = compileGraph(tf, presetGraph());
      const r = await trainModel({ tf, model, ds, settings: settingsFor(mode, 64), control });
      model.dispose();
      console.log(`${mode.padEnd(7)} 1 epoch on ${fmt(ACCURACY)} images: test accuracy ${(100 * (r.test?.acc ?? NaN)).toFixed(2)}% (loss ${r.test?.loss.toFixed(4)})`);
    }
    if (PROFILE) {
      console.log(`${mode} profile:`);
      for (const b of BATCHES) await profile(full, mode, b, Math.max(4, Math.round(1280 / b)));
    }
    undo?.();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
