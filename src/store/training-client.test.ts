import { beforeEach, describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { applyWorkerMessage, createTrainingClient } from './training-client';
import type { FromWorker, ToWorker } from '../train/protocol';
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
