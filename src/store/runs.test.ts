import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import type { FromWorker, ToWorker } from '../train/protocol';
import type { WeightSnapshot } from '../compile/weights';
import { createRunStore } from './run-store';
import { canResume, lastKeptEpoch, restoreTrainedWeights, resumeRun, runState, runWritesSettled, startRuns, useRunsStore, refreshRuns } from './runs';
import { createTrainingClient } from './training-client';
import { graphKey, initialTrainingState, updateTrainSettings, useTrainingStore } from './training';
import { useDocStore } from './doc';

class FakeWorker {
  posted: ToWorker[] = [];
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  postMessage(m: ToWorker) { this.posted.push(m); }
  terminate() {}
  emit(m: FromWorker) { this.onmessage?.({ data: m } as MessageEvent<FromWorker>); }
}

let left = 1e9;
const store = createRunStore({ dbName: 'test-recorder', estimate: async () => ({ usage: 1000, quota: 1000 + left, available: left }) });
const workers: FakeWorker[] = [];
const client = createTrainingClient(() => { const w = new FakeWorker(); workers.push(w); return w as unknown as Worker; });
let stop: () => void;
const graph = getPreset('lenet5')!.graph;

beforeAll(() => {
  useDocStore.getState().replaceProject({ format: 'convas-project', version: 1, name: 'LeNet', graph }, 'p-lenet');
  stop = startRuns({ store, client });
});
afterAll(async () => {
  stop();
  await store.close();
});

const w = (v: number): WeightSnapshot => [{ layer: 'dense', tensors: [{ name: 'kernel', shape: [2], data: new Float32Array([v, v]) }] }];
const batch = (epoch: number, b: number) => ({ type: 'batch' as const, epoch, batch: b, batchesPerEpoch: 2, loss: 1, acc: 0.5, smoothLoss: 1 / epoch, smoothAcc: 0.5, seen: 0, total: 0, samplesPerSec: 1, etaSec: 1 });
const started = { type: 'started' as const, backend: { name: 'wasm' as const }, loss: 'categoricalCrossentropy' as const, trainSamples: 10, valSamples: 2, testSamples: 5, batchesPerEpoch: 2, params: 61706 };
/** Lets the recorder's queued writes land (however slow the machine). */
const settle = runWritesSettled;

describe('the run recorder', () => {
  it('keeps a run as it goes; a reload shows it interrupted, restores its weights, and resumes from its last epoch', async () => {
    updateTrainSettings({ epochs: 4, datasetId: 'mnist' });
    client.start(graph);
    const wk = workers[0];
    wk.emit(started);
    wk.emit(batch(1, 1));
    wk.emit(batch(1, 2));
    wk.emit({ type: 'epoch', epoch: 1, loss: 1, acc: 0.5, valLoss: 1, valAcc: 0.6, seconds: 1 });
    wk.emit({ type: 'epoch-weights', epoch: 1, weights: w(1) });
    wk.emit(batch(2, 1));
    wk.emit({ type: 'epoch', epoch: 2, loss: 0.8, acc: 0.6, valLoss: 1.1, valAcc: 0.55, seconds: 1 });
    wk.emit({ type: 'epoch-weights', epoch: 2, weights: w(2) });
    wk.emit(batch(3, 1)); // the page dies in epoch 3
    await settle();

    // As the next page load sees it: nothing recording, the stored records only.
    useRunsStore.setState({ runs: [], activeId: null });
    useTrainingStore.setState(initialTrainingState());
    await refreshRuns();
    const [run] = useRunsStore.getState().runs;
    expect(run).toMatchObject({ name: 'LeNet · run 1', projectId: 'p-lenet', fingerprint: graphKey(graph), params: 61706, macs: 416520, bestEpoch: 1 });
    expect(run.info?.backend.name).toBe('wasm');
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(run.kept.map((k) => k.epoch)).toEqual([1, 2]); // the best (1) and the newest (2)
    expect(runState(run, null)).toBe('interrupted');
    expect(canResume(run, null)).toBe(true);

    expect(await restoreTrainedWeights(graph)).toBe(true);
    const t = useTrainingStore.getState();
    expect(t.weights?.[0].tensors[0].data[0]).toBe(2);
    expect(t.weightsGraphKey).toBe(graphKey(graph));
    expect(t.history.epochs).toHaveLength(2);

    useTrainingStore.setState({ status: 'idle' });
    updateTrainSettings({ epochs: 9, learningRate: 0.5 }); // changed since: the resumed run keeps its own settings
    await resumeRun(run);
    const startMsg = workers[0].posted.at(-1) as Extract<ToWorker, { type: 'start' }>;
    expect(startMsg).toMatchObject({ type: 'start', settings: { epochs: 4, learningRate: 0.001 }, resume: { epochsDone: 2 } });
    expect(startMsg.resume!.weights[0].tensors[0].data[0]).toBe(2);
    expect(useTrainingStore.getState().history.epochs).toHaveLength(2);
    workers[0].emit(started);
    expect(runState(useRunsStore.getState().runs[0], useRunsStore.getState().activeId)).toBe('running');

    workers[0].emit({ type: 'epoch', epoch: 3, loss: 0.5, acc: 0.7, valLoss: 0.5, valAcc: 0.8, seconds: 1 });
    workers[0].emit({ type: 'epoch-weights', epoch: 3, weights: w(3) });
    const confusion = [[3, 1], [0, 1]];
    workers[0].emit({ type: 'done', reason: 'stopped', epochsDone: 3, test: { loss: 0.4, acc: 0.8 }, confusion, weights: w(3), seconds: 1, tensorsBefore: 0, tensorsAfter: 0 });
    await settle();
    const { runs } = await store.listRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'stopped', resumes: 1, bestEpoch: 3, test: { loss: 0.4, acc: 0.8 }, confusion });
    expect(runs[0].epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(runs[0].kept.map((k) => k.epoch)).toEqual([3]);
    expect(lastKeptEpoch(runs[0])).toBe(3);
    expect(useRunsStore.getState().activeId).toBeNull();
  });

  it('says when weights could not be saved, and still keeps the curves', async () => {
    useTrainingStore.setState({ status: 'idle' });
    client.start(graph);
    const wk = workers[0];
    wk.emit(started);
    left = 1;
    wk.emit({ type: 'epoch', epoch: 1, loss: 1, acc: 0.5, seconds: 1 });
    wk.emit({ type: 'epoch-weights', epoch: 1, weights: w(1) });
    await settle();
    expect(useRunsStore.getState().problem).toMatch(/Not enough browser storage to keep the weights of epoch 1 of "LeNet · run 2"/);
    const run = (await store.listRuns()).runs.find((r) => r.name === 'LeNet · run 2')!;
    expect(run.epochs).toHaveLength(1);
    expect(run.kept).toEqual([]);
    left = 1e9;
  });

  it('keeps no run for a start that fails before training (a graph that does not compile)', async () => {
    useTrainingStore.setState({ status: 'idle' });
    const count = (await store.listRuns()).runs.length;
    client.start(graph);
    workers[0].emit({ type: 'error', message: 'conv2d: kernel too big', nodeIds: ['n1'] });
    await settle();
    expect((await store.listRuns()).runs).toHaveLength(count);
    expect(useRunsStore.getState().activeId).toBeNull();
  });

  it('a worker that crashes mid-run leaves the run interrupted at once, with its finished epochs, resumable from there', async () => {
    useTrainingStore.setState({ status: 'idle' });
    updateTrainSettings({ epochs: 3 });
    client.start(graph);
    const wk = workers.at(-1)!;
    wk.emit(started);
    wk.emit({ type: 'epoch', epoch: 1, loss: 1, acc: 0.5, seconds: 1 });
    wk.emit({ type: 'epoch-weights', epoch: 1, weights: w(1) });
    wk.emit(batch(2, 1));
    const id = useRunsStore.getState().activeId!;
    expect(id).toBeTruthy();
    wk.onerror?.({ message: 'out of memory', preventDefault() {} } as ErrorEvent);
    await settle();
    // Right away, without a reload: the page no longer records it, and it says why it stopped.
    expect(useRunsStore.getState().activeId).toBeNull();
    const run = (await store.listRuns()).runs.find((r) => r.id === id)!;
    expect(runState(run, null)).toBe('interrupted');
    expect(run.message).toBe('The training worker crashed (out of memory) during epoch 2.');
    expect(run.kept.map((k) => k.epoch)).toEqual([1]);
    expect(canResume(run, null)).toBe(true);
    expect(useTrainingStore.getState().status).toBe('interrupted');
    await resumeRun(run);
    const startMsg = workers.at(-1)!.posted.at(-1) as Extract<ToWorker, { type: 'start' }>;
    expect(workers.at(-1)).not.toBe(wk);
    expect(startMsg.resume?.epochsDone).toBe(1);
    expect(startMsg.resume?.weights[0].tensors[0].data[0]).toBe(1);
    client.terminate();
  });
});
