/// <reference lib="webworker" />
/**
 * The training worker: loads tfjs and the dataset, compiles the graph, trains, and posts metrics. The main thread
 * talks to it only through the messages of ./protocol (see ./client.ts). One run at a time; `stop` ends a run between
 * two batches, `pause`/`resume` hold it there.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { product } from '../../nodes/lib/define';
import { compileGraph, CompileError } from '../compile/compile';
import type { Dataset } from './datasets/index';
import { BACKENDS, defaultTrainSettings, trainSettingsSchema, type BackendName, type BackendReport, type FollowerInit, type FromFollower, type FromWorker, type LossKind, type ToFollower, type ToWorker, type TrainSettings } from './protocol';
import { ModeChooser, ReplicaLeader, replicaBufferBytes, replicaCount, replicaLayout, type ReplicaPlan } from './replicas';
import { augmentationProblem } from './augment';
import { datasetRevision, loadTrainingDataset } from './load';
import { replicaSeed, withSeededMathRandom, withSeededMathRandomAsync } from './random';
import { lossForModel, splitIndices, trainModel } from './trainer';
import { registerFastKernels } from './wasm/fast/index';
import { registerCpuGradients } from './cpu/filter-gradient';
import { configureBrowserWasm } from './wasm/browser';
import { applyWeights, snapshotWeights } from '../compile/weights';
import { inferGraph } from '../graph/infer';
import { estimateTrainingMemory, sharedBufferNote } from './memory';
import { backendCacheKey, cachedDecision, decideBackend, PROBE_CANDIDATES, PROBE_LIMITS, softwareRendererName, yourChoice, type DeviceInfo } from './backend-probe';
import { measureTrainingSteps } from './backend-measure';
import type { BackendDecision, BackendDropped, BackendTiming } from './protocol';
import type { Graph, GraphInference } from '../graph/types';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/**
 * Everything this worker remembers between messages. The message handler flips the run flags; the run in progress
 * reads them between batches (through the TrainControl it is given).
 */
interface RunState {
  /** A run is past its settings check and has not finished. */
  running: boolean;
  /** A start is queued behind a probe (or another task) and has not finished. */
  starting: boolean;
  paused: boolean;
  /** Stop was asked for: the run ends at its next check. */
  stop: boolean;
  /** The paused run's waits, released by resume or stop. */
  resumeWaiters: (() => void)[];
  /** The wasm paths and the cpu gradient kernel are set up (once per worker, before the backend initialises). */
  wasmConfigured: boolean;
  /** Restores the stock wasm kernels, when the fast ones are registered. */
  undoFastKernels: (() => void) | null;
  /** The last dataset loaded (built-in or imported): a second run on the same data skips the fetch or IndexedDB read. */
  cachedDataset: { key: string; ds: Dataset } | null;
  /** The backends that initialise here, once probed. */
  probed: BackendName[] | null;
}

const run: RunState = {
  running: false, starting: false, paused: false, stop: false, resumeWaiters: [],
  wasmConfigured: false, undoFastKernels: null, cachedDataset: null, probed: null,
};

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
  if (run.wasmConfigured) return;
  run.wasmConfigured = true;
  configureBrowserWasm(tf, baseUrl, scope.location.href);
  registerCpuGradients(tf);
}

/** Idle data-parallel followers, kept between runs (each has loaded tfjs and its wasm module once). */
const followers: Worker[] = [];

function replicasFor(s: TrainSettings, backend: BackendName): number {
  return replicaCount({
    backend, fastKernels: s.fastKernels, workers: s.workers, batchSize: s.batchSize, cores: navigator.hardwareConcurrency,
    sharedMemory: scope.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined',
  });
}

/**
 * Starts (or reuses) `replicas − 1` followers with the model's initial weights and waits until every one is ready.
 * Returns the leader's side of the shared buffer. A follower that fails to start is dropped and the error rethrown.
 */
async function startFollowers(replicas: number, model: tf.LayersModel, msg: Extract<ToWorker, { type: 'start' }>, s: TrainSettings, ds: Dataset, loss: LossKind): Promise<ReplicaLeader> {
  spawnFollowers(replicas - 1);
  const plan = planFor(replicas, model, s, ds, loss);
  const labelSize = plan.labelSize;
  const buffer = new SharedArrayBuffer(replicaBufferBytes(plan));
  const weights = model.getWeights().map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  const active = followers.slice(0, replicas - 1);
  await Promise.all(active.map((w, i) => new Promise<void>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<FromFollower>) => {
      const m = e.data;
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') {
        // Before the run: refuse the start. During the run the leader reads the error from the shared buffer.
        reject(new Error(`training worker ${i + 2} failed: ${m.message}`));
        dropFollower(w);
      }
    };
    w.onerror = (ev) => {
      reject(new Error(`training worker ${i + 2} failed: ${ev.message}`));
      dropFollower(w);
    };
    const init: FollowerInit = { type: 'init', buffer, plan, me: i + 1, graph: msg.graph, weights, settings: s, loss, inputShape: ds.inputShape, labelSize, baseUrl: msg.baseUrl };
    w.postMessage(init);
  })));
  return s.reproducible ? new ReplicaLeader(replicaLayout(buffer, plan), ModeChooser.fixed('split'), false) : new ReplicaLeader(replicaLayout(buffer, plan));
}

function planFor(replicas: number, model: tf.LayersModel, s: TrainSettings, ds: Dataset, loss: LossKind): ReplicaPlan {
  return {
    replicas,
    varSizes: model.trainableWeights.map((w) => w.read().size),
    sampleSize: product(ds.inputShape),
    labelSize: loss === 'binaryCrossentropy' ? 1 : ds.numClasses,
    maxRows: s.batchSize, // rows are balanced by speed: one follower may take most of a batch
  };
}

function spawnFollowers(n: number) {
  while (followers.length < n) {
    followers.push(new Worker(new URL('./follower.ts', import.meta.url), { type: 'module', name: `convas-train-${followers.length + 2}` }));
  }
}

function dropFollower(w: Worker) {
  w.terminate();
  const i = followers.indexOf(w);
  if (i >= 0) followers.splice(i, 1);
}

/** tfjs-backend-webgpu is imported the first time WebGPU is tried, so a run that never uses it never loads it. */
let webgpuModule: Promise<unknown> | null = null;

/**
 * Why WebGPU cannot run here ("no navigator.gpu", "no adapter"), or null when an adapter is offered. Asked once per
 * worker: the adapter does not come and go, and every extra request makes an adapter object for nothing.
 */
let webgpuCheck: Promise<{ why: string | null; name: string }> | null = null;
function webgpuAdapter(): Promise<{ why: string | null; name: string }> {
  webgpuCheck ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    if (!gpu) return { why: 'no navigator.gpu', name: 'no navigator.gpu' };
    try {
      const a = await gpu.requestAdapter();
      if (!a) return { why: 'no adapter', name: 'no adapter' };
      const i = a.info;
      return { why: null, name: [i?.vendor, i?.architecture, i?.device, i?.description].filter(Boolean).join(' ') || 'adapter' };
    } catch (e) {
      const why = `requestAdapter failed: ${describe(e)}`;
      return { why, name: why };
    }
  })();
  return webgpuCheck;
}
const webgpuUnavailable = async () => (await webgpuAdapter()).why;

async function trySetBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      if (await webgpuUnavailable()) return false;
      webgpuModule ??= import('@tensorflow/tfjs-backend-webgpu').catch((e: unknown) => {
        webgpuModule = null;
        throw e;
      });
      await webgpuModule;
    }
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** The device half of the probe cache key, found once per worker. */
let device: Promise<DeviceInfo> | null = null;
function deviceInfo(): Promise<DeviceInfo> {
  device ??= (async () => {
    const webgpu = (await webgpuAdapter()).name;
    let webgl = 'none';
    try {
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
      if (gl) {
        const ext = gl.getExtension('WEBGL_debug_renderer_info');
        webgl = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
        gl.getExtension('WEBGL_lose_context')?.loseContext();
      }
    } catch {
      // no WebGL in this worker
    }
    return { webgpu, webgl, cores: navigator.hardwareConcurrency || 1 };
  })();
  return device;
}

async function report(name: BackendName): Promise<BackendReport> {
  if (name !== 'wasm') return { name };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const mt = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { name, simd, multithread: mt, threads: getThreadsCount() };
}

/**
 * Picks the backend and says why: the one asked for (`chosen by you`), or for `auto` the one a cached probe of a model
 * of this size on this device chose, or else the fastest of a fresh probe (./backend-probe.ts): a few real training
 * steps of this model on each candidate that initialises here. Leaves the chosen backend active.
 */
async function chooseBackend(msg: Extract<ToWorker, { type: 'start' }>, s: TrainSettings, inference: GraphInference): Promise<{ backend: BackendName; decision: BackendDecision }> {
  if (s.backend !== 'auto') {
    if (await trySetBackend(s.backend)) return { backend: s.backend, decision: yourChoice(s.backend) };
    throw new Error(s.backend === 'webgpu'
      ? `the webgpu backend could not start here (${(await webgpuUnavailable()) ?? 'it failed to initialise'}); pick another one`
      : `the ${s.backend} backend could not start here; pick another one`);
  }
  const shape = probeShape(inference);
  if (!shape) {
    // An invalid graph: compileGraph reports it; any backend does for that.
    for (const b of [...PROBE_CANDIDATES, 'cpu' as const]) if (await trySetBackend(b)) return { backend: b, decision: { ...yourChoice(b), how: 'fallback' } };
    throw new Error('no tfjs backend could start (wasm, webgpu, webgl and cpu all failed)');
  }
  const key = backendCacheKey(await deviceInfo(), { params: inference.totals.params, macs: inference.totals.macs, inputShape: shape.inputShape, batchSize: s.batchSize });
  const cached = cachedDecision(msg.backendCache, key);
  if (cached && (await trySetBackend(cached.backend))) return { backend: cached.backend, decision: cached };
  post({ type: 'status', phase: 'compiling', message: 'Measuring the backends on this model…' });
  const decision = await probeBackends(msg.graph, s, inference, shape, key);
  if (await trySetBackend(decision.backend)) return { backend: decision.backend, decision };
  throw new Error(`no tfjs backend could start (${decision.dropped.map((d) => `${d.backend} ${d.reason}`).join('; ')}; cpu failed too)`);
}

/** The input shape and class count a probe trains on, from the graph (the dataset is not loaded yet). */
function probeShape(inference: GraphInference): { inputShape: number[]; numClasses: number } | null {
  if (!inference.valid || inference.inputs.length !== 1 || inference.outputs.length !== 1) return null;
  const input = inference.nodes[inference.inputs[0]]?.outputShape;
  const output = inference.nodes[inference.outputs[0]]?.outputShape;
  if (!input || !output) return null;
  const units = output[output.length - 1];
  return { inputShape: [...input], numClasses: units === 1 ? 2 : units };
}

async function probeBackends(graph: Graph, s: TrainSettings, inference: GraphInference, shape: { inputShape: number[]; numClasses: number }, key: string): Promise<BackendDecision> {
  const t0 = performance.now();
  const timings: BackendTiming[] = [];
  const dropped: BackendDropped[] = [];
  for (const b of PROBE_CANDIDATES) {
    if (performance.now() - t0 > PROBE_LIMITS.totalCapMs) {
      dropped.push({ backend: b, reason: `skipped: the probe's ${PROBE_LIMITS.totalCapMs / 1000} s were spent` });
      continue;
    }
    if (b === 'webgpu') {
      const why = await webgpuUnavailable();
      if (why) {
        dropped.push({ backend: b, reason: `unavailable (${why})` });
        continue;
      }
    }
    if (b === 'webgpu' || b === 'webgl') {
      const dev = await deviceInfo();
      const software = softwareRendererName(b === 'webgpu' ? dev.webgpu : dev.webgl);
      if (software) {
        dropped.push({ backend: b, reason: `skipped: software rendering (${software}), no GPU` });
        continue;
      }
    }
    if (!(await trySetBackend(b))) {
      dropped.push({ backend: b, reason: 'unavailable (did not initialise)' });
      continue;
    }
    const memory = estimateTrainingMemory(graph, inference, s, b, 1);
    if (!memory.fits) {
      dropped.push({ backend: b, reason: `would not fit: ${memory.message}` });
      continue;
    }
    const r = await measureTrainingSteps({ tf, graph, settings: s, backend: b, inputShape: shape.inputShape, numClasses: shape.numClasses });
    if ('timing' in r) timings.push(r.timing);
    else dropped.push(r.dropped);
    await yieldToEvents();
    if (run.stop) break;
  }
  return decideBackend(timings, dropped, performance.now() - t0, key);
}

/** Initialises each backend once to see which work here; leaves the previously active backend active. */
async function probe(baseUrl: string) {
  configureWasm(baseUrl);
  if (!run.probed) {
    const before = tf.getBackend() as BackendName | null;
    const available: BackendName[] = [];
    for (const b of BACKENDS) if (await trySetBackend(b)) available.push(b);
    if (before) await trySetBackend(before);
    run.probed = available;
    // The followers a default run will use load their wasm module now, not when Train is pressed.
    const n = replicasFor({ ...defaultTrainSettings }, 'wasm');
    if (available.includes('wasm') && n > 1) {
      spawnFollowers(n - 1);
      for (const w of followers) w.postMessage({ type: 'warm', baseUrl } satisfies ToFollower);
    }
  }
  post({ type: 'backends', available: run.probed, preferred: run.probed[0] ?? null });
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
  run.running = true;
  let model: tf.LayersModel | null = null;
  let leader: ReplicaLeader | undefined;
  const t0 = performance.now();
  let tensorsBefore = 0;
  try {
    configureWasm(msg.baseUrl);
    if (s.fastKernels === false) run.undoFastKernels?.();
    else run.undoFastKernels = registerFastKernels(tf);
    const inference = inferGraph(msg.graph);
    const { backend, decision } = await chooseBackend(msg, s, inference);
    // Refuse a step that cannot fit before the dataset, the model or any follower takes memory (an invalid graph is
    // reported by compileGraph below).
    const memory = inference.valid ? estimateTrainingMemory(msg.graph, inference, s, backend, replicasFor(s, backend)) : undefined;
    if (memory && !memory.fits) throw new Error(memory.message);
    tensorsBefore = tf.memory().numTensors;
    post({ type: 'status', phase: 'loading-data', message: `Loading ${s.datasetId}…` });
    const dsKey = JSON.stringify([s.datasetId, await datasetRevision(s.datasetId), s.randomSpec, s.trainLimit, s.testLimit, s.seed, msg.baseUrl]);
    if (run.cachedDataset?.key !== dsKey) {
      run.cachedDataset = null; // let the old arrays go before the new ones arrive
      run.cachedDataset = { key: dsKey, ds: await loadTrainingDataset(s.datasetId, { baseUrl: msg.baseUrl, trainLimit: s.trainLimit, testLimit: s.testLimit, seed: s.seed, random: s.randomSpec }) };
    }
    const ds = run.cachedDataset.ds;
    const augProblem = augmentationProblem(s.augment, ds.inputShape, `"${s.datasetId}"`);
    if (augProblem) throw new Error(augProblem); // before any follower starts
    if (run.stop) throw new StopBeforeStart();
    post({ type: 'status', phase: 'compiling', message: 'Compiling the graph…' });
    // Seeded weight initialisation (this worker's own Math.random).
    model = withSeededMathRandom(s.seed, () => compileGraph(tf, msg.graph));
    // A resumed run: its weights, and only the epochs left (numbered as in the run).
    const done = msg.resume ? Math.min(msg.resume.epochsDone, s.epochs - 1) : 0;
    if (msg.resume) applyWeights(tf, model, msg.resume.weights);
    const runSettings = done ? { ...s, epochs: s.epochs - done } : s;
    const loss = lossForModel(model, ds.numClasses);
    const { trainIdx, valIdx } = splitIndices(ds.train.n, s.validationSplit, s.seed);
    let replicas = replicasFor(s, backend);
    let workersNote = sharedBufferNote(replicas > 1 ? replicaBufferBytes(planFor(replicas, model, s, ds, loss)) : 0);
    if (workersNote) replicas = 1;
    if (replicas > 1) {
      post({ type: 'status', phase: 'compiling', message: `Starting ${replicas - 1} more training worker${replicas > 2 ? 's' : ''}…` });
      try {
        leader = await startFollowers(replicas, model, msg, runSettings, ds, loss);
      } catch (e) {
        // Training still works in this worker alone: say why it is slower, and go on.
        console.warn('training on one worker:', describe(e));
        workersNote = describe(e);
        followers.splice(0).forEach((w) => w.terminate()); // the others may be waiting on the abandoned buffer
        replicas = 1;
      }
    }
    post({
      type: 'started', backend: { ...(await report(backend)), workers: replicas, workersNote, decision }, loss, trainSamples: trainIdx.length, valSamples: valIdx.length,
      testSamples: ds.test.n, batchesPerEpoch: Math.ceil(trainIdx.length / s.batchSize), params: model.countParams(),
    });
    post({ type: 'status', phase: 'training', message: 'Training…' });
    // Dropout masks (tfjs draws their seeds from Math.random) follow the seed too.
    const compiled = model;
    const res = await withSeededMathRandomAsync(replicaSeed(s.seed, 0), () => trainModel({
      tf, model: compiled, ds, settings: runSettings,
      control: {
        stopRequested: () => run.stop,
        waitWhilePaused: () => (run.paused && !run.stop ? new Promise<void>((r) => run.resumeWaiters.push(r)) : Promise.resolve()),
        yieldToEvents,
      },
      callbacks: {
        onBatch: (m) => post({ type: 'batch', ...m, epoch: m.epoch + done }),
        onEpoch: (m) => {
          post({ type: 'epoch', ...m, epoch: m.epoch + done });
          // Cloned, not transferred: on webgl and cpu dataSync() hands out the backend's own cached arrays, which a
          // transfer would detach from the model still training.
          post({ type: 'epoch-weights', epoch: m.epoch + done, weights: snapshotWeights(compiled) });
        },
      },
      prepared: { loss, trainIdx, valIdx },
      parallel: leader,
      evaluationBatch: memory?.evaluationBatch,
    }));
    const parallel = leader && leader.timing.steps > 0
      ? { ownMs: leader.timing.own / leader.timing.steps, waitMs: leader.timing.wait / leader.timing.steps, updateMs: leader.timing.update / leader.timing.steps, followerMs: leader.timing.followers / Math.max(1, leader.timing.steps - leader.timing.soloSteps), followerApplyMs: leader.timing.followerApply / Math.max(1, leader.timing.steps - leader.timing.soloSteps), followerIdleMs: leader.timing.followerIdle / Math.max(1, leader.timing.steps - leader.timing.soloSteps), steps: leader.timing.steps, soloSteps: leader.timing.soloSteps, ...(leader.timing.retiredAfter ? { retiredAfter: leader.timing.retiredAfter } : {}) }
      : undefined;
    leader?.quit();
    leader = undefined;
    // Diverged weights (NaN/Inf) are not worth keeping: the previous snapshot, if any, stays in the store.
    const weights = res.reason === 'nan' ? [] : snapshotWeights(model);
    model.dispose();
    model = null;
    post({
      type: 'done', reason: res.reason, message: res.message, epochsDone: res.epochsDone + done, test: res.test && { loss: res.test.loss, acc: res.test.acc }, confusion: res.test?.confusion, weights,
      seconds: (performance.now() - t0) / 1000, tensorsBefore, tensorsAfter: tf.memory().numTensors, parallel,
    }, weights.flatMap((l) => l.tensors.map((t) => t.data.buffer)));
  } catch (e) {
    if (e instanceof StopBeforeStart) {
      post({ type: 'done', reason: 'stopped', epochsDone: 0, weights: [], seconds: (performance.now() - t0) / 1000, tensorsBefore, tensorsAfter: tf.memory().numTensors });
    } else {
      console.error(e instanceof Error ? e.stack : e); // the stack, for the developer console
      post({ type: 'error', message: describe(e), nodeIds: e instanceof CompileError ? e.nodeIds : undefined });
    }
  } finally {
    if (leader) {
      // The run failed mid-step: the followers may be anywhere in a step; start fresh ones next time.
      leader.quit();
      followers.splice(0).forEach((w) => w.terminate());
    }
    model?.dispose();
    run.running = false;
    run.paused = false;
  }
}

class StopBeforeStart extends Error {}

function release() {
  const w = run.resumeWaiters;
  run.resumeWaiters = [];
  w.forEach((r) => r());
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'start':
      if (run.running || run.starting) post({ type: 'error', message: 'A training run is already in progress; stop it first.' });
      else {
        run.starting = true;
        run.stop = false;
        run.paused = false;
        enqueue(() => start(msg).finally(() => (run.starting = false)));
      }
      break;
    case 'pause':
      if (run.running && !run.paused) {
        run.paused = true;
        post({ type: 'paused' });
      }
      break;
    case 'resume':
      if (run.paused) {
        run.paused = false;
        release();
        post({ type: 'resumed' });
      }
      break;
    case 'stop':
      run.stop = true;
      run.paused = false;
      release();
      break;
    case 'probe':
      enqueue(() => probe(msg.baseUrl));
      break;
    case 'ping':
      post({ type: 'pong' });
      break;
  }
};

// An uncaught error reaches the main thread as the Worker's `error` event (no handler here cancels it), which ends
// this worker and marks its run interrupted. An uncaught rejection is reported, never swallowed.
scope.onunhandledrejection = (ev: PromiseRejectionEvent) => post({ type: 'error', message: describe(ev.reason) });
