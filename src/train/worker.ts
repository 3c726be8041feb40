/// <reference lib="webworker" />
/**
 * The training worker: loads tfjs and the dataset, compiles the graph, trains, and posts metrics. The main thread
 * talks to it only through the messages of ./protocol (see ./client.ts). One run at a time; `stop` ends a run between
 * two batches, `pause`/`resume` hold it there.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compileGraph, CompileError } from '../compile/compile';
import { loadDataset, type Dataset } from './datasets/index';
import { BACKENDS, trainSettingsSchema, type BackendName, type BackendReport, type FromWorker, type ToWorker } from './protocol';
import { mulberry32 } from './random';
import { lossForModel, splitIndices, trainModel } from './trainer';
import { registerFastKernels } from './wasm/fast/index';
import { registerWasmGradients } from './wasm/kernels';
import { snapshotWeights } from './weights';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

let running = false;
/** A start is queued behind a probe. */
let starting = false;
let paused = false;
let stop = false;
let resumeWaiters: (() => void)[] = [];
let wasmConfigured = false;
let undoFastKernels: (() => void) | null = null;
/** The last dataset loaded: a second run on the same data skips the 50 MB fetch and conversion. */
let cachedDataset: { key: string; ds: Dataset } | null = null;
const nativeRandom = Math.random;

/** One event-loop turn without setTimeout's 4 ms clamp. */
const channel = new MessageChannel();
let channelWaiters: (() => void)[] = [];
channel.port1.onmessage = () => {
  const w = channelWaiters;
  channelWaiters = [];
  w.forEach((r) => r());
};
const yieldToEvents = () => new Promise<void>((r) => {
  channelWaiters.push(r);
  channel.port2.postMessage(null);
});

function configureWasm(baseUrl: string) {
  if (wasmConfigured) return;
  wasmConfigured = true;
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  setWasmPaths(new URL(`${base}tfjs-wasm/`, scope.location.href).href);
  // The threaded wasm build stays off, although the page is cross-origin isolated, because it is slower here.
  // Why it breaks when bundled: tfjs hands its pthread workers `new Blob(['var WasmBackendModuleThreadedSimd = ' +
  // factory.toString()])`, a function that reads its enclosing closure's `_scriptDir` behind
  // `typeof _scriptDir !== "undefined"`. The minifier (oxc, `build.minify`) mangles `_scriptDir` to `e` and, since the
  // binding is declared in its scope, folds the guard to `e !== void 0`, which throws in the pthread worker where the
  // closure does not exist: "Uncaught ReferenceError: e is not defined" (tensorflow/tfjs#4528 added that guard for
  // webworkers; #4107 and #4539 report the same class of failure). A worker bundle minified without compression
  // (vite.config `worker.rolldownOptions.output.minify: { compress: false, mangle: true, codegen: true }`, +4% size)
  // keeps the `typeof` guard, and the threaded build then loads and trains in `vite preview`.
  // Why it stays off (LeNet-5, MNIST, production build, fast kernels, samples/s at batch 64 / 256, 2 shared cores):
  //   this build, non-threaded, minified ........................ 3,300 / 3,560–3,720
  //   non-threaded, worker uncompressed .......................... 2,940 / 3,240
  //   threaded, worker uncompressed, 1 thread (tfjs's cap) ....... 2,300–2,500 / 2,700
  //   threaded, + setThreadsCount(2) and hardwareConcurrency 4 ... 2,760 / 3,260 (2 threads)
  // setThreadsCount(2) alone still gives 1 thread: tfjs caps the pool at half of navigator.hardwareConcurrency. The
  // threaded build's heap is a shared memory, where ./wasm/fast/simd.ts's SIMD kernels (unshared memory import) do not
  // bind and their slower fallbacks run instead; only XNNPACK ops use the second thread; and the uncompressed worker
  // bundle alone costs about 10%. Revisit with shared-memory SIMD kernels or more cores.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmGradients(tf);
}

async function trySetBackend(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function report(name: BackendName): Promise<BackendReport> {
  if (name !== 'wasm') return { name };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const mt = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { name, simd, multithread: mt, threads: getThreadsCount() };
}

/** Picks the backend: the one asked for, or for `auto` the first of wasm, webgl, cpu that initialises. */
async function chooseBackend(choice: BackendName | 'auto'): Promise<BackendName> {
  const order = choice === 'auto' ? [...BACKENDS] : [choice];
  for (const b of order) if (await trySetBackend(b)) return b;
  throw new Error(choice === 'auto' ? 'no tfjs backend could start (wasm, webgl and cpu all failed)' : `the ${choice} backend could not start here; pick another one`);
}

let probed: BackendName[] | null = null;

/** Initialises each backend once to see which work here; leaves the previously active backend active. */
async function probe(baseUrl: string) {
  configureWasm(baseUrl);
  if (!probed) {
    const before = tf.getBackend() as BackendName | null;
    const available: BackendName[] = [];
    for (const b of BACKENDS) if (await trySetBackend(b)) available.push(b);
    if (before) await trySetBackend(before);
    probed = available;
  }
  post({ type: 'backends', available: probed, preferred: probed[0] ?? null });
}

/**
 * Probes and runs are serialised: a probe switches the global tfjs backend, so one still running when a run starts
 * would pull the backend from under the run (a cpu kernel handed wasm tensors).
 */
let queue: Promise<void> = Promise.resolve();
function enqueue(task: () => Promise<void>): void {
  queue = queue.then(task).catch((err: unknown) => post({ type: 'error', message: describe(err) }));
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

async function start(msg: Extract<ToWorker, { type: 'start' }>) {
  const parsed = trainSettingsSchema.safeParse(msg.settings);
  if (!parsed.success) {
    post({ type: 'error', message: `Bad training settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    return;
  }
  const s = parsed.data;
  running = true;
  let model: tf.LayersModel | null = null;
  const t0 = performance.now();
  let tensorsBefore = 0;
  try {
    configureWasm(msg.baseUrl);
    if (s.fastKernels === false) undoFastKernels?.();
    else undoFastKernels = registerFastKernels(tf);
    const backend = await chooseBackend(s.backend);
    tensorsBefore = tf.memory().numTensors;
    post({ type: 'status', phase: 'loading-data', message: `Loading ${s.datasetId}…` });
    const dsKey = JSON.stringify([s.datasetId, s.trainLimit, s.testLimit, s.seed, msg.baseUrl]);
    if (cachedDataset?.key !== dsKey) {
      cachedDataset = null; // let the old arrays go before the new ones arrive
      cachedDataset = { key: dsKey, ds: await loadDataset(s.datasetId, { baseUrl: msg.baseUrl, trainLimit: s.trainLimit, testLimit: s.testLimit, seed: s.seed }) };
    }
    const ds = cachedDataset.ds;
    if (stop) throw new StopBeforeStart();
    post({ type: 'status', phase: 'compiling', message: 'Compiling the graph…' });
    // Seeded weight initialisation: tfjs initialisers draw their seeds from Math.random (this worker's own global).
    Math.random = mulberry32(s.seed * 7919 + 17);
    try {
      model = compileGraph(tf, msg.graph);
    } finally {
      Math.random = nativeRandom;
    }
    const loss = lossForModel(model, ds.numClasses);
    const { trainIdx, valIdx } = splitIndices(ds.train.n, s.validationSplit, s.seed);
    post({
      type: 'started', backend: await report(backend), loss, trainSamples: trainIdx.length, valSamples: valIdx.length,
      testSamples: ds.test.n, batchesPerEpoch: Math.ceil(trainIdx.length / s.batchSize), params: model.countParams(),
    });
    post({ type: 'status', phase: 'training', message: 'Training…' });
    const res = await trainModel(tf, model, ds, s, {
      stopRequested: () => stop,
      waitWhilePaused: () => (paused && !stop ? new Promise<void>((r) => resumeWaiters.push(r)) : Promise.resolve()),
      yieldToEvents,
    }, {
      onBatch: (m) => post({ type: 'batch', ...m }),
      onEpoch: (m) => post({ type: 'epoch', ...m }),
    }, { loss, trainIdx, valIdx });
    // Diverged weights (NaN/Inf) are not worth keeping: the previous snapshot, if any, stays in the store.
    const weights = res.reason === 'nan' ? [] : snapshotWeights(model);
    model.dispose();
    model = null;
    post({
      type: 'done', reason: res.reason, message: res.message, epochsDone: res.epochsDone, test: res.test, weights,
      seconds: (performance.now() - t0) / 1000, tensorsBefore, tensorsAfter: tf.memory().numTensors,
    }, weights.flatMap((l) => l.tensors.map((t) => t.data.buffer)));
  } catch (e) {
    if (e instanceof StopBeforeStart) {
      post({ type: 'done', reason: 'stopped', epochsDone: 0, weights: [], seconds: (performance.now() - t0) / 1000, tensorsBefore, tensorsAfter: tf.memory().numTensors });
    } else {
      console.error(e instanceof Error ? e.stack : e); // the stack, for the developer console
      post({ type: 'error', message: describe(e), nodeIds: e instanceof CompileError ? e.nodeIds : undefined });
    }
  } finally {
    model?.dispose();
    running = false;
    paused = false;
  }
}

class StopBeforeStart extends Error {}

function release() {
  const w = resumeWaiters;
  resumeWaiters = [];
  w.forEach((r) => r());
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'start':
      if (running || starting) post({ type: 'error', message: 'A training run is already in progress; stop it first.' });
      else {
        starting = true;
        stop = false;
        paused = false;
        enqueue(() => start(msg).finally(() => (starting = false)));
      }
      break;
    case 'pause':
      if (running && !paused) {
        paused = true;
        post({ type: 'paused' });
      }
      break;
    case 'resume':
      if (paused) {
        paused = false;
        release();
        post({ type: 'resumed' });
      }
      break;
    case 'stop':
      stop = true;
      paused = false;
      release();
      break;
    case 'probe':
      enqueue(() => probe(msg.baseUrl));
      break;
  }
};

// Errors outside a run (a failed import, an uncaught rejection) are reported, never swallowed.
scope.onerror = (ev) => post({ type: 'error', message: typeof ev === 'string' ? ev : (ev as ErrorEvent).message });
scope.onunhandledrejection = (ev: PromiseRejectionEvent) => post({ type: 'error', message: describe(ev.reason) });
