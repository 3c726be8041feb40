import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getPreset } from '../../presets/index';
import { applyWorkerMessage, carriedStart, interruptedText, whereStopped, createTrainingClient, observeTraining, startMessage, type TrainingClientOptions, type TrainingEvent } from './training-client';
import { defaultTrainSettings, type FromWorker, type ToWorker } from '../train/protocol';
import { carryWeights } from '../compile/carry';
import { inferGraph } from '../graph/infer';
import type { WeightSnapshot } from '../compile/weights';
import { appendBatchPoint, graphKey, initialTrainingState, MAX_BATCH_POINTS, updateTrainSettings, useTrainingStore } from './training';

/** A stand-in Worker that records what the client posts. */
class FakeWorker {
  posted: ToWorker[] = [];
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  postMessage(m: ToWorker) { this.posted.push(m); }
  terminate() { this.terminated = true; }
  emit(m: FromWorker) { this.onmessage?.({ data: m } as MessageEvent<FromWorker>); }
}

beforeEach(() => useTrainingStore.setState(initialTrainingState()));

describe('training client and store', () => {
  it('start sends the graph and settings; messages drive status, curves, weights and the NaN message', () => {
    const fake = new FakeWorker();
    const client = createTrainingClient(() => fake as unknown as Worker);
    const graph = getPreset('lenet5')!.graph;
    updateTrainSettings({ datasetId: 'fashion-mnist', learningRate: 0.01 });
    client.start(graph);
    expect(fake.posted[0]).toMatchObject({ type: 'start', settings: { datasetId: 'fashion-mnist', learningRate: 0.01 } });
    expect(useTrainingStore.getState().status).toBe('loading');
    expect(useTrainingStore.getState().runGraphKey).toBe(graphKey(graph));
    client.start(graph); // ignored while a run is active
    expect(fake.posted).toHaveLength(1);

    fake.emit({ type: 'status', phase: 'training', message: 'Training…' });
    const batch = { epoch: 1, batch: 5, batchesPerEpoch: 10, loss: 1, acc: 0.5, smoothLoss: 1.2, smoothAcc: 0.4, seen: 320, total: 640, samplesPerSec: 100, etaSec: 3.2 };
    fake.emit({ type: 'batch', ...batch });
    fake.emit({ type: 'epoch', epoch: 1, loss: 1, acc: 0.5, seconds: 2 });
    const s = useTrainingStore.getState();
    expect(s.status).toBe('training');
    expect(s.history.batches).toEqual([{ x: 0.5, loss: 1.2, acc: 0.4 }]);
    expect(s.history.epochs).toHaveLength(1);
    expect(s.progress?.etaSec).toBe(3.2);

    const weights = [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [1], data: new Float32Array([1]) }] }];
    fake.emit({ type: 'done', reason: 'nan', message: 'The loss became NaN … Try a lower learning rate', epochsDone: 1, weights, seconds: 3, tensorsBefore: 0, tensorsAfter: 0 });
    const d = useTrainingStore.getState();
    expect(d.status).toBe('failed');
    expect(d.message).toEqual({ kind: 'error', text: 'The loss became NaN … Try a lower learning rate' });
    expect(d.weights).toBe(weights);
    expect(d.weightsGraphKey).toBe(graphKey(graph));
    expect(d.weightsGraph).toBe(graph);
  });

  it('a run stamps its curves and weights with the graph it started with, not the one edited meanwhile', () => {
    const fake = new FakeWorker();
    const client = createTrainingClient(() => fake as unknown as Worker);
    const graph = getPreset('lenet5')!.graph;
    client.start(graph);
    const edited = { ...graph, nodes: graph.nodes.map((n) => (n.name === 'dense' ? { ...n, params: { ...n.params, units: 64 } } : n)) };
    expect(graphKey(edited)).not.toBe(graphKey(graph));
    const weights = [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [1], data: new Float32Array([1]) }] }];
    fake.emit({ type: 'done', reason: 'finished', epochsDone: 1, weights, seconds: 1, tensorsBefore: 0, tensorsAfter: 0 });
    const s = useTrainingStore.getState();
    expect(s.runGraphKey).toBe(graphKey(graph));
    expect(s.weightsGraphKey).toBe(graphKey(graph));
    expect(s.weightsGraph).toBe(graph);
    // A stopped run without weights leaves the earlier weights and their stamp alone.
    client.start(edited);
    expect(useTrainingStore.getState().runGraphKey).toBe(graphKey(edited));
    fake.emit({ type: 'done', reason: 'stopped', epochsDone: 0, weights: [], seconds: 1, tensorsBefore: 0, tensorsAfter: 0 });
    expect(useTrainingStore.getState().weightsGraph).toBe(graph);
    expect(useTrainingStore.getState().weights).toBe(weights);
  });

  it('worker errors are shown, never swallowed, and a crashed worker is replaced', () => {
    const workers: FakeWorker[] = [];
    const client = createTrainingClient(() => { const w = new FakeWorker(); workers.push(w); return w as unknown as Worker; });
    client.probe();
    workers[0].onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent);
    expect(useTrainingStore.getState().message?.text).toMatch(/boom/);
    expect(useTrainingStore.getState().status).toBe('failed');
    expect(workers[0].terminated).toBe(true);
    client.probe();
    expect(workers).toHaveLength(2);
    applyWorkerMessage({ type: 'error', message: 'conv2d: kernel too big', nodeIds: ['n1'] }, null);
    expect(useTrainingStore.getState().errorNodeIds).toEqual(['n1']);
  });

  it('graphKey ignores positions and names but not params; batch history is thinned at its cap', () => {
    const g = getPreset('lenet5')!.graph;
    const moved = { ...g, nodes: g.nodes.map((n) => ({ ...n, position: { x: n.position.x + 5, y: 0 } })) };
    expect(graphKey(moved)).toBe(graphKey(g));
    expect(graphKey({ ...g, nodes: g.nodes.map((n) => ({ ...n, name: `${n.name}_x` })) })).toBe(graphKey(g));
    const edited = { ...g, nodes: g.nodes.map((n) => (n.name === 'dense' ? { ...n, params: { ...n.params, units: 99 } } : n)) };
    expect(graphKey(edited)).not.toBe(graphKey(g));
    let pts = Array.from({ length: MAX_BATCH_POINTS }, (_, i) => ({ x: i, loss: i, acc: 0 }));
    pts = appendBatchPoint(pts, { x: -1, loss: 0, acc: 0 });
    expect(pts.length).toBe(MAX_BATCH_POINTS / 2 + 1);
    expect(pts.at(-1)!.x).toBe(-1);
  });
});

describe('a worker that dies mid-run', () => {
  const weights = (v: number) => [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [1], data: new Float32Array([v]) }] }];
  const started = { type: 'started' as const, backend: { name: 'wasm' as const }, loss: 'categoricalCrossentropy' as const, trainSamples: 10, valSamples: 0, testSamples: 5, batchesPerEpoch: 2, params: 1 };
  const batch = (epoch: number) => ({ type: 'batch' as const, epoch, batch: 1, batchesPerEpoch: 2, loss: 1, acc: 0.5, smoothLoss: 1, smoothAcc: 0.5, seen: 1, total: 4, samplesPerSec: 1, etaSec: 1 });
  const events: TrainingEvent[] = [];
  let unobserve: () => void = () => {};
  beforeEach(() => {
    events.length = 0;
    unobserve = observeTraining((e) => events.push(e));
  });
  afterEach(() => {
    unobserve();
    vi.useRealTimers();
  });

  /** A client on a fake worker, one epoch into a run of LeNet-5 and in the next epoch. */
  function oneEpochIn(options?: TrainingClientOptions) {
    const workers: FakeWorker[] = [];
    const client = createTrainingClient(() => { const w = new FakeWorker(); workers.push(w); return w as unknown as Worker; }, options);
    const graph = getPreset('lenet5')!.graph;
    client.start(graph);
    const w = workers[0];
    w.emit(started);
    w.emit(batch(1));
    w.emit({ type: 'epoch', epoch: 1, loss: 1, acc: 0.5, seconds: 1 });
    const kept = weights(1);
    w.emit({ type: 'epoch-weights', epoch: 1, weights: kept });
    w.emit(batch(2));
    return { client, w, workers, kept, graph };
  }

  it('an uncaught error in the worker (its error event) ends the run as interrupted, keeping epoch 1 and its weights', () => {
    const { w, kept, graph } = oneEpochIn();
    w.onerror?.({ message: 'Uncaught RangeError: Array buffer allocation failed', preventDefault() {} } as ErrorEvent);
    const s = useTrainingStore.getState();
    expect(w.terminated).toBe(true);
    expect(s.status).toBe('interrupted');
    expect(s.message?.kind).toBe('warning');
    expect(s.message?.text).toContain('crashed (Uncaught RangeError: Array buffer allocation failed) during epoch 2');
    expect(s.message?.text).toContain('Everything up to epoch 1 is kept');
    expect(s.message?.text).toContain('resume from epoch 2');
    expect(s.weights).toBe(kept);
    expect(s.weightsGraphKey).toBe(graphKey(graph));
    expect(events.at(-1)).toEqual({ type: 'lost', reason: 'crashed (Uncaught RangeError: Array buffer allocation failed)', during: ' during epoch 2', epochsDone: 1 });
  });

  it('a message that cannot be read ends the run the same way; a run that had not finished an epoch keeps nothing', () => {
    const workers: FakeWorker[] = [];
    const client = createTrainingClient(() => { const w = new FakeWorker(); workers.push(w); return w as unknown as Worker; });
    client.start(getPreset('lenet5')!.graph);
    workers[0].emit(started);
    workers[0].onmessageerror?.();
    const s = useTrainingStore.getState();
    expect(s.status).toBe('interrupted');
    expect(s.message?.text).toMatch(/could not be read.*before the first epoch finished, so there is nothing to resume/);
    expect(s.weights).toBeNull();
    expect(workers[0].terminated).toBe(true);
  });

  it('a silent worker (terminated without a word) makes the client ask, and giving up marks the run interrupted', () => {
    vi.useFakeTimers();
    const liveness = { pingMs: 1000, askMs: 5000, declareMs: 60_000 };
    const { client, w } = oneEpochIn({ liveness, visible: () => true });
    vi.advanceTimersByTime(3000);
    expect(w.posted.filter((m) => m.type === 'ping').length).toBe(3);
    expect(useTrainingStore.getState().silentSince).toBeNull();
    vi.advanceTimersByTime(3000);
    const since = useTrainingStore.getState().silentSince;
    expect(since).not.toBeNull();
    // Any word from the worker (a pong) withdraws the question.
    w.emit({ type: 'pong' });
    expect(useTrainingStore.getState().silentSince).toBeNull();
    expect(useTrainingStore.getState().status).toBe('loading'); // still on: no status message came in this stand-in
    vi.advanceTimersByTime(6000);
    expect(useTrainingStore.getState().silentSince).not.toBeNull();
    client.keepWaiting();
    expect(useTrainingStore.getState().silentSince).toBeNull();
    vi.advanceTimersByTime(6000);
    client.giveUp();
    expect(w.terminated).toBe(true);
    expect(useTrainingStore.getState().status).toBe('interrupted');
    expect(useTrainingStore.getState().message?.text).toMatch(/you stopped waiting during epoch 2\. Everything up to epoch 1 is kept/);
    // Nothing is asked or pinged after the run ended.
    const pings = w.posted.length;
    vi.advanceTimersByTime(20_000);
    expect(w.posted.length).toBe(pings);
    expect(useTrainingStore.getState().silentSince).toBeNull();
  });

  it('long silence while the page is shown is declared without asking; time hidden does not count', () => {
    vi.useFakeTimers();
    let shown = false;
    const liveness = { pingMs: 1000, askMs: 5000, declareMs: 20_000 };
    const { w } = oneEpochIn({ liveness, visible: () => shown });
    vi.advanceTimersByTime(60_000);
    expect(useTrainingStore.getState().status).toBe('loading'); // still on: no status message came in this stand-in
    expect(useTrainingStore.getState().silentSince).toBeNull();
    shown = true;
    vi.advanceTimersByTime(10_000);
    expect(useTrainingStore.getState().silentSince).not.toBeNull();
    vi.advanceTimersByTime(15_000);
    expect(useTrainingStore.getState().status).toBe('interrupted');
    expect(useTrainingStore.getState().message?.text).toMatch(/did not answer for 2\d s during epoch 2/);
    expect(w.terminated).toBe(true);
  });

  it('says where the run was: the epoch after the last finished one, or the final test', () => {
    expect(whereStopped(1, 3, 1)).toBe(' during epoch 2'); // killed right after epoch 1 was reported
    expect(whereStopped(1, 3, 2)).toBe(' during epoch 2');
    expect(whereStopped(3, 3, 3)).toBe(' during the final test');
    expect(interruptedText('crashed', ' during the final test', 3, 3)).toContain('All 3 epochs finished and are kept');
    expect(interruptedText('crashed', ' during epoch 3', 2, 3)).toContain('resume from epoch 3');
  });

  it('a run that ends normally stops the liveness check', () => {
    vi.useFakeTimers();
    const { w } = oneEpochIn({ liveness: { pingMs: 1000, askMs: 2000, declareMs: 4000 }, visible: () => true });
    w.emit({ type: 'done', reason: 'finished', epochsDone: 2, weights: weights(2), seconds: 1, tensorsBefore: 0, tensorsAfter: 0 });
    vi.advanceTimersByTime(10_000);
    expect(useTrainingStore.getState().status).toBe('done');
    expect(w.terminated).toBe(false);
  });
});

describe('retraining from the kept layers', () => {
  it('the start message carries the trained weights of the unchanged layers only, as a run from epoch 0', () => {
    const before = getPreset('lenet5')!.graph;
    const inf = inferGraph(before);
    // A full snapshot of the earlier design, each layer's tensors as large as the layer counts.
    const trained: WeightSnapshot = before.nodes
      .filter((n) => inf.nodes[n.id].count.trainable > 0)
      .map((n) => ({ layer: n.name, tensors: [{ name: 'kernel', shape: [inf.nodes[n.id].count.trainable], data: new Float32Array(inf.nodes[n.id].count.trainable).fill(0.5) }] }));
    const after = { ...before, nodes: before.nodes.map((n) => (n.name === 'dense_1' ? { ...n, params: { ...n.params, units: 100 } } : n)) };
    const from = carriedStart(carryWeights(before, after, trained), 'run-1')!;
    expect(from.kept).toEqual(['conv2d', 'conv2d_1', 'dense']);
    expect(from.fresh).toEqual([{ name: 'dense_1', reason: 'params changed' }, { name: 'dense_2', reason: 'input shape changed' }]);
    expect(from.runId).toBe('run-1');

    const m = startMessage(after, defaultTrainSettings, '/', { from });
    expect(m.graph).toBe(after);
    expect(m.resume?.epochsDone).toBe(0);
    expect(m.resume?.weights.map((l) => l.layer)).toEqual(['conv2d', 'conv2d_1', 'dense']);
    expect(m.resume?.weights[0].tensors[0].data).toBe(trained[0].tensors[0].data);
    // Without the option (or with nothing kept) the run starts fresh.
    expect(startMessage(after, defaultTrainSettings, '/').resume).toBeUndefined();
    const everything = { ...after, nodes: after.nodes.map((n) => ({ ...n, id: `${n.id}-new` })), edges: after.edges.map((e) => ({ ...e, source: `${e.source}-new`, target: `${e.target}-new` })) };
    expect(carriedStart(carryWeights(before, everything, trained))).toBeNull();
  });

  it('the client sends that message and tells the recorder which layers were kept', () => {
    const fake = new FakeWorker();
    const client = createTrainingClient(() => fake as unknown as Worker);
    const seen: TrainingEvent[] = [];
    const off = observeTraining((e) => seen.push(e));
    const g = getPreset('lenet5')!.graph;
    const from = { weights: [{ layer: 'conv2d', tensors: [{ name: 'kernel', shape: [1], data: new Float32Array([1]) }] }], kept: ['conv2d'], fresh: [{ name: 'dense', reason: 'params changed' }] };
    client.start(g, undefined, from);
    off();
    expect(fake.posted[0]).toMatchObject({ type: 'start', resume: { epochsDone: 0, weights: from.weights } });
    expect(seen[0]).toMatchObject({ type: 'start', from });
    client.terminate();
  });
});
