/**
 * `npm run bench:train`: a preset (LeNet-5 unless CONVAS_BENCH_PRESET names another) in headless Chromium, through the
 * app's own training worker, on the first menu dataset it fits as it is, else on random data of its input shape and
 * class count (`datasetId: 'random'`).
 *  1. samples/s per backend (wasm, webgl, cpu) at batch 64 and 256, on a fixed number of samples after a warm-up; on
 *     wasm with the stock kernels, with Convas' kernels on one worker, and with one data-parallel worker per core
 *     (the app's default), with where a data-parallel step's time goes;
 *  2. (not on random data) 5 epochs on the full training set with the fastest backend, at batch 64 and 256: test
 *     accuracy after every epoch, training and wall time; for LeNet-5 on MNIST, when 98.70% is first reached.
 * Serves the repository with Vite's dev server on its own port (COOP/COEP headers from vite.config.ts: the page is
 * cross-origin isolated, so SharedArrayBuffer works), or the production build with CONVAS_BENCH_BUILD=1; Chromium
 * flags match playwright.config.ts. Env: CONVAS_BENCH_PRESET (preset id), CONVAS_BENCH_SAMPLES (samples per
 * throughput measurement, every backend), CONVAS_BENCH_PORT, CONVAS_BENCH_EPOCHS,
 * CONVAS_BENCH_BACKENDS (comma list), CONVAS_BENCH_SKIP_FULL=1, CONVAS_BENCH_FULL_RUNS (the 5-epoch runs),
 * CONVAS_BENCH_BUILD=1 (production build).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, createServer, preview } from 'vite';
import type { BenchRun } from './train-page';
import { getPreset, presetList } from '../presets/index';
import { inferGraph } from '../src/graph/infer';
import { fittingDataset } from '../src/train/compat';
import type { TrainSettings } from '../src/train/protocol';
import { loadavg } from 'node:os';
import { torchSamplesPerSec, torchUnavailable } from './torch-side';
import { benchGraph, benchInputShape } from './preset-graph';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4327);
const EPOCHS = Number(process.env.CONVAS_BENCH_EPOCHS ?? 5);
/** CONVAS_BENCH_BUILD=1: measure the production build (vite build + vite preview) instead of the dev server. */
const BUILD = process.env.CONVAS_BENCH_BUILD === '1';
/**
 * The 5-epoch runs, as batch:learning-rate pairs (CONVAS_BENCH_FULL_RUNS, default "64:0.001,256:0.003"): batch 64
 * with Adam's default rate, the setting the PyTorch comparison uses; batch 256 with the rate scaled up (checked on two
 * seeds to reach TARGET_ACC no later than batch 64 at 1e-3), the fastest setting.
 */
const FULL_RUNS = (process.env.CONVAS_BENCH_FULL_RUNS ?? '64:0.001,256:0.003').split(',').map((p) => {
  const [b, lr] = p.split(':').map(Number);
  return { batchSize: b, learningRate: lr };
});
const PRESET = process.env.CONVAS_BENCH_PRESET ?? 'lenet5';
/** CONVAS_BENCH_INPUT (e.g. 32,32,3): the preset with its Input resized (./preset-graph.ts). */
const INPUT = benchInputShape();
/** The Keras reference's test accuracy for LeNet-5 on MNIST after 5 epochs. */
const TARGET_ACC = 0.987;
const BACKENDS = (process.env.CONVAS_BENCH_BACKENDS ?? 'wasm,webgl,cpu').split(',');
/** Samples per throughput measurement: enough for a steady rate, few enough for the slow backends (LeNet-5 sizes). */
const SAMPLES: Record<string, number> = { wasm: 8192, webgl: 1536, cpu: 1024 };
/** CONVAS_BENCH_STOCK=0 leaves out the stock-kernel wasm runs (slow on the larger presets). */
const STOCK = process.env.CONVAS_BENCH_STOCK !== '0';
const SAMPLES_ALL = process.env.CONVAS_BENCH_SAMPLES ? Number(process.env.CONVAS_BENCH_SAMPLES) : undefined;
/**
 * CONVAS_BENCH_WORKER_PAIRS=N: only compare the default workers with one worker (wasm), N times per batch size, in
 * the order one, default, default, one, … so that a load that rises or falls during the bench weighs on both alike.
 */
const PAIRS = Number(process.env.CONVAS_BENCH_WORKER_PAIRS ?? 0);

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** What the preset trains on: the first menu dataset it fits as it is, else random data shaped like its input and head. */
function benchData(presetId: string): { patch: Pick<TrainSettings, 'datasetId' | 'randomSpec'>; label: string; random: boolean } {
  const graph = benchGraph(presetId, INPUT);
  const inf = inferGraph(graph);
  const fit = fittingDataset(graph, inf);
  if (fit) return { patch: { datasetId: fit.id }, label: `${fit.id} ${fit.inputShape.join('×')}, ${fit.numClasses} classes`, random: false };
  const inputShape = inf.inputs.length === 1 ? inf.nodes[inf.inputs[0]].outputShape : undefined;
  const out = inf.outputs.length === 1 ? inf.nodes[inf.outputs[0]].outputShape : undefined;
  if (!inputShape || !out) throw new Error(`preset ${presetId}: needs one input and one output with known shapes to train on random data`);
  const numClasses = Math.max(2, out[out.length - 1]);
  return {
    patch: { datasetId: 'random', randomSpec: { inputShape: [...inputShape], numClasses } },
    label: `random ${inputShape.join('×')}, ${numClasses} classes`,
    random: true,
  };
}

/** The default workers against one worker, interleaved (see PAIRS); prints each pair's ratio, the load and the median. */
async function workerPairs(train: (p: Partial<TrainSettings>) => Promise<BenchRun>, load: () => string): Promise<void> {
  const samples = SAMPLES_ALL ?? SAMPLES.wasm ?? 1024;
  await train({ backend: 'wasm', batchSize: 64, trainLimit: Math.min(256, samples), testLimit: 1, epochs: 1, validationSplit: 0 }); // warm-up
  console.log(`\nDefault workers against one worker (wasm, fast kernels, ${fmt(samples)} samples a run), interleaved:`);
  for (const batchSize of [64, 256].filter((b) => b <= samples)) {
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const run = (workers?: number) => train({ backend: 'wasm', batchSize, trainLimit: samples, testLimit: 1, epochs: 1, validationSplit: 0, ...(workers ? { workers } : {}) });
      const [one, dflt] = i % 2 === 0 ? [await run(1), await run()] : (([d, o]) => [o, d])([await run(), await run(1)]);
      ratios.push(dflt.samplesPerSec / one.samplesPerSec);
      const p = dflt.parallel;
      const how = p ? `${p.soloSteps} of ${p.steps} steps solo${p.retiredAfter ? `, one worker after step ${p.retiredAfter}` : ''}` : 'one worker';
      console.log(`  batch ${String(batchSize).padStart(3)} pair ${i + 1}: one ${fmt(one.samplesPerSec).padStart(6)} · default ${fmt(dflt.samplesPerSec).padStart(6)} samples/s → ${ratios[i].toFixed(2)}× (${how}; load ${load()})`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`  batch ${String(batchSize).padStart(3)} · default workers / one worker, median of ${PAIRS}: ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}× (range ${sorted[0].toFixed(2)}–${sorted[sorted.length - 1].toFixed(2)})`);
  }
}

async function main() {
  const data = benchData(PRESET);
  const presetName = presetList.find((p) => p.id === PRESET)!.name;
  execFileSync('node', [join(root, 'scripts/prepare.mjs')], { stdio: 'inherit' });
  const configFile = join(root, 'vite.config.ts');
  let server: { close(): Promise<void> };
  if (BUILD) {
    // The production build (minified, as `npm run build` ships it) with the bench page as an extra entry.
    const outDir = join(root, 'node_modules/.cache/convas-bench-dist');
    await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true, rollupOptions: { input: { index: join(root, 'index.html'), bench: join(root, 'bench/train.html') } } } });
    const p = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { port: PORT, strictPort: true, host: '127.0.0.1' } });
    server = { close: () => new Promise<void>((r) => p.httpServer.close(() => r())) };
  } else {
    const dev = await createServer({ root, configFile, logLevel: 'warn', server: { port: PORT, strictPort: true, host: '127.0.0.1', hmr: false, watch: null } }); // no reloads when files change mid-run
    await dev.listen();
    server = dev;
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`http://127.0.0.1:${PORT}/bench/train.html`, { timeout: 120_000 }); // the dev server optimises deps on a first visit
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, null, { timeout: 120_000 });
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    console.log(`${BUILD ? 'production build (vite preview)' : 'dev server'} · Chromium ${browser.version()} · crossOriginIsolated=${isolated} · hardwareConcurrency=${cores}`);
    const train = (patch: Partial<TrainSettings>) =>
      page.evaluate(([id, p, input]) => (window as unknown as { benchTrain(preset: string, p: object, input?: number[]): Promise<BenchRun> }).benchTrain(id, p, input), [PRESET, { ...data.patch, ...patch }, INPUT] as const);

    console.log(`preset ${PRESET}${INPUT ? ` with its Input resized to ${INPUT.join('×')}` : ''} · data: ${data.label}`);
    // PyTorch right before and right after Convas' runs (CONVAS_BENCH_TORCH=0 skips it).
    const noTorch = process.env.CONVAS_BENCH_TORCH === '0' ? 'CONVAS_BENCH_TORCH=0' : torchUnavailable(root);
    const torchRuns: Map<number, number>[] = [];
    const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
    if (!noTorch) torchRuns.push(torchSamplesPerSec(root, PRESET, INPUT));
    console.log(`\n${presetName} on ${data.random ? 'random data' : data.patch.datasetId}, training throughput (validation and test passes excluded)`);
    const rates: { backend: string; batch: number; rate: number; workers?: number }[] = [];
    if (PAIRS > 0) {
      await workerPairs(train, load);
      return;
    }
    for (const backend of BACKENDS) {
      try {
        await train({ backend: backend as TrainSettings['backend'], batchSize: 64, trainLimit: Math.min(256, SAMPLES_ALL ?? 256), testLimit: 1, epochs: 1, validationSplit: 0 }); // warm-up
      } catch (e) {
        console.log(`  ${backend.padEnd(6)} unavailable: ${(e as Error).message}`);
        continue;
      }
      // On wasm: the stock tfjs kernels (+ our missing gradients) in one worker, then the fast training kernels in one
      // worker, then the app's default (fast kernels, one data-parallel worker per core).
      const configs: { fastKernels?: boolean; workers?: number; label: string }[] = backend === 'wasm'
        ? [...(STOCK ? [{ fastKernels: false, workers: 1, label: 'stock kernels' }] : []), { fastKernels: true, workers: 1, label: 'fast kernels' }, { fastKernels: true, label: 'fast kernels' }]
        : [{ label: '' }];
      for (const { label, ...config } of configs) {
        const samples = SAMPLES_ALL ?? SAMPLES[backend] ?? 1024;
        // A batch larger than the samples would be measured as one smaller batch: those sizes are left out.
        for (const batchSize of [64, 256].filter((b) => b <= samples).concat(samples < 64 ? [samples] : [])) {
          const r = await train({ backend: backend as TrainSettings['backend'], batchSize, trainLimit: samples, testLimit: 1, epochs: 1, validationSplit: 0, ...config });
          const extra = r.backend === 'wasm' ? ` (${label}, SIMD ${r.simd ? 'on' : 'off'}, ${r.workers ?? 1} worker${r.workers === 1 ? '' : 's'} × ${r.threads} thread${r.threads === 1 ? '' : 's'})` : '';
          console.log(`  ${r.backend.padEnd(6)} batch ${String(batchSize).padStart(3)}: ${fmt(r.samplesPerSec).padStart(6)} samples/s over ${fmt(r.trainSamples)} samples${extra}`);
          if (r.parallel) console.log(`         per step: ${r.parallel.ownMs.toFixed(1)} ms own slice, ${r.parallel.waitMs.toFixed(1)} ms waiting for the other workers, ${r.parallel.updateMs.toFixed(1)} ms averaging + update; a follower's slice ${r.parallel.followerMs.toFixed(1)} ms (after ${(r.parallel.followerApplyMs ?? 0).toFixed(1)} ms applying the previous update and ${(r.parallel.followerIdleMs ?? 0).toFixed(1)} ms until it started); ${r.parallel.soloSteps} of ${r.parallel.steps} steps solo${r.parallel.retiredAfter ? `, then one worker (followers stopped after step ${r.parallel.retiredAfter})` : ''}`);
          if (config.fastKernels !== false) rates.push({ backend: r.backend, batch: batchSize, rate: r.samplesPerSec, workers: config.workers });
        }
      }
    }
    if (noTorch) console.log(`\nNo PyTorch comparison: ${noTorch}.`);
    else {
      torchRuns.push(torchSamplesPerSec(root, PRESET, INPUT));
      console.log(`\nSide by side with PyTorch ${'1.13'} CPU (2 threads, the same network from Convas' PyTorch export, random data; load average ${load()}):`);
      for (const batch of [...new Set(rates.map((r) => r.batch))]) {
        const torch = torchRuns.map((t) => t.get(batch)).filter((v): v is number => v !== undefined);
        if (torch.length === 0) continue;
        const mean = torch.reduce((a, b) => a + b, 0) / torch.length;
        for (const r of rates.filter((x) => x.batch === batch)) {
          const who = r.backend === 'wasm' ? (r.workers === 1 ? 'wasm, one worker' : 'wasm, default workers') : r.backend;
          console.log(`  batch ${String(batch).padStart(3)} · ${who.padEnd(22)} ${fmt(r.rate).padStart(6)} samples/s vs PyTorch ${torch.map(fmt).join(' / ')} (before / after): ${(r.rate / mean).toFixed(2)}×`);
        }
      }
    }
    for (const batch of [...new Set(rates.map((r) => r.batch))]) {
      const one = rates.find((r) => r.backend === 'wasm' && r.batch === batch && r.workers === 1);
      const dflt = rates.find((r) => r.backend === 'wasm' && r.batch === batch && r.workers === undefined);
      if (one && dflt) console.log(`  batch ${String(batch).padStart(3)} · default workers / one worker: ${(dflt.rate / one.rate).toFixed(2)}×`);
    }
    if (process.env.CONVAS_BENCH_SKIP_FULL === '1' || rates.length === 0) return;
    if (data.random) {
      console.log('\nNo accuracy runs on random data.');
      return;
    }
    const target = PRESET === 'lenet5' && data.patch.datasetId === 'mnist' ? TARGET_ACC : undefined;
    const best = rates.reduce((a, b) => (b.rate > a.rate ? b : a));
    console.log(`\nFastest: ${best.backend} (batch ${best.batch}${best.workers === 1 ? ', one worker' : ''}).`);
    for (const { batchSize, learningRate } of FULL_RUNS) {
      const at = rates.filter((r) => r.backend === best.backend && r.batch === (batchSize >= 256 ? 256 : 64)).reduce((a, b) => (b.rate > a.rate ? b : a), best);
      console.log(`${EPOCHS} epochs on ${at.backend}, batch ${batchSize}, Adam ${learningRate}, the full ${data.patch.datasetId} training set, no validation split, seed 1:`);
      const t0 = Date.now();
      const r = await train({ backend: at.backend as TrainSettings['backend'], workers: at.workers, batchSize, learningRate, epochs: EPOCHS, validationSplit: 0, testEachEpoch: true, seed: 1 });
      const wall = (Date.now() - t0) / 1000;
      let trainSec = 0;
      let reached = '';
      for (const e of r.epochs) {
        trainSec += e.seconds;
        console.log(`  epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}, train acc ${(e.acc * 100).toFixed(2)}%, test acc ${((e.testAcc ?? NaN) * 100).toFixed(2)}%, ${e.seconds.toFixed(1)} s`);
        if (target && !reached && (e.testAcc ?? 0) >= target) reached = `${(target * 100).toFixed(2)}% test accuracy first reached after epoch ${e.epoch}, ${trainSec.toFixed(1)} s of training`;
      }
      console.log(`  training time ${trainSec.toFixed(1)} s (${fmt((r.trainSamples * r.epochs.length) / trainSec)} samples/s), wall time ${wall.toFixed(1)} s including data loading and test passes`);
      const goal = target ? `${reached || `${(target * 100).toFixed(2)}% test accuracy not reached`} · ` : '';
      console.log(`  ${goal}final ${((r.test?.acc ?? NaN) * 100).toFixed(2)}% · tensors before/after ${r.tensorsBefore}/${r.tensorsAfter}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
