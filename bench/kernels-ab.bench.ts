/**
 * Old against new fast kernels in one process, alternated: `CONVAS_AB_BASE=<dir> npx tsx bench/kernels-ab.bench.ts`,
 * where <dir> (inside this checkout, so that it shares node_modules and tfjs) holds the src/ and nodes/ of the base
 * commit, e.g. `mkdir .base && git archive <commit> src nodes | tar -x -C .base`. Trains the preset
 * (CONVAS_BENCH_PRESET, default resnet-cifar) on random data in Node, one thread, with each side's kernels registered in
 * turn (base, new, new, base, …: a load that drifts weighs on both alike), CONVAS_AB_STEPS steps per turn, and prints
 * the CPU ms per step of every turn and the medians. The ratio is what to read; the machine's load moves the rest.
 */
import { setFlagsFromString } from 'node:v8';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../src/compile/compile';
import { benchGraph, benchInputShape } from './preset-graph';
import { loadDataset } from '../src/train/datasets/index';
import { fsReader } from '../src/train/datasets/node';
import { nodeWasm } from '../src/train/wasm/node';
import { defaultTrainSettings } from '../src/train/protocol';
import { trainModel } from '../src/train/trainer';
import { registerFastKernels } from '../src/train/wasm/fast/index';
import { inferGraph } from '../src/graph/infer';

if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = process.env.CONVAS_AB_BASE;
if (!base) throw new Error('CONVAS_AB_BASE: a directory holding the base commit\'s src/ and nodes/');
const PRESET = process.env.CONVAS_BENCH_PRESET ?? 'resnet-cifar';
const BATCH = Number(process.env.CONVAS_BENCH_BATCH ?? 64);
const STEPS = Number(process.env.CONVAS_AB_STEPS ?? 6);
const PAIRS = Number(process.env.CONVAS_AB_PAIRS ?? 4);
const control = { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} };
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function main() {
  const baseIndex = (await import(resolve(base!, 'src/train/wasm/fast/index.ts'))) as { registerFastKernels: typeof registerFastKernels };
  await nodeWasm(root);
  await tf.setBackend('wasm');
  const graph = benchGraph(PRESET, benchInputShape());
  const inf = inferGraph(graph);
  const inputShape = inf.nodes[inf.inputs[0]].outputShape!;
  const out = inf.nodes[inf.outputs[0]].outputShape!;
  const ds = await loadDataset('random', { readFile: fsReader(root), trainLimit: BATCH * STEPS, testLimit: 10,
    random: { inputShape: [...inputShape], numClasses: out[out.length - 1] } });
  const settings = { ...defaultTrainSettings, epochs: 1, batchSize: BATCH, validationSplit: 0, backend: 'wasm' as const, fastKernels: true };
  const sides = { base: baseIndex.registerFastKernels, new: registerFastKernels };
  const times: Record<keyof typeof sides, number[]> = { base: [], new: [] };
  const turn = async (side: keyof typeof sides, record: boolean) => {
    const undo = sides[side](tf);
    const model = compileGraph(tf, graph);
    try {
      await trainModel({ tf, model, ds: { ...ds, train: { ...ds.train, n: BATCH, x: ds.train.x.subarray(0, ds.train.x.length / ds.train.n * BATCH), y: ds.train.y.subarray(0, BATCH) } }, settings, control });
      const t0 = cpuMs();
      await trainModel({ tf, model, ds, settings, control });
      const ms = (cpuMs() - t0) / STEPS;
      if (record) times[side].push(ms);
      console.log(`  ${side.padEnd(4)} ${ms.toFixed(1)} ms/step`);
    } finally {
      model.dispose();
      undo();
    }
  };
  console.log(`${PRESET}, batch ${BATCH}, ${STEPS} steps per turn, ${PAIRS} pairs (CPU ms per step, one thread, Node)`);
  await turn('base', false);
  await turn('new', false);
  for (let p = 0; p < PAIRS; p++) {
    const order: (keyof typeof sides)[] = p % 2 ? ['new', 'base'] : ['base', 'new'];
    for (const side of order) await turn(side, true);
  }
  const b = median(times.base);
  const n = median(times.new);
  console.log(`median: base ${b.toFixed(1)} ms/step, new ${n.toFixed(1)} ms/step, new/base ${(n / b).toFixed(3)} (${((1 - n / b) * 100).toFixed(1)}% less time)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
