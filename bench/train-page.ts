// Bench page (bench/train.html): runs the app's own training worker on a preset and returns what it reported.
import { getPreset } from '../presets/index';
import type { EpochMetrics, FromWorker, TrainSettings } from '../src/train/protocol';
import { defaultTrainSettings } from '../src/train/protocol';

export interface BenchRun {
  backend: string;
  simd?: boolean;
  threads?: number;
  multithread?: boolean;
  workers?: number;
  samplesPerSec: number;
  trainSamples: number;
  epochs: EpochMetrics[];
  test?: { loss: number; acc: number };
  reason: string;
  message?: string;
  seconds: number;
  tensorsBefore: number;
  tensorsAfter: number;
  parallel?: { ownMs: number; waitMs: number; updateMs: number; followerMs: number; followerApplyMs?: number; followerIdleMs?: number; steps: number; soloSteps: number; retiredAfter?: number };
}

let worker: Worker | null = null;

function run(preset: string, patch: Partial<TrainSettings>, input?: number[]): Promise<BenchRun> {
  worker ??= new Worker(new URL('../src/train/worker.ts', import.meta.url), { type: 'module' });
  const w = worker;
  const presetGraph = getPreset(preset)!.graph;
  // The Input resized as bench/preset-graph.ts does (CONVAS_BENCH_INPUT).
  const graph = input ? { ...presetGraph, nodes: presetGraph.nodes.map((n) => (n.kind === 'Input' ? { ...n, params: { ...n.params, shape: input } } : n)) } : presetGraph;
  return new Promise((resolve, reject) => {
    const out: Partial<BenchRun> & { epochs: EpochMetrics[] } = { epochs: [] };
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'started') Object.assign(out, { backend: m.backend.name, simd: m.backend.simd, threads: m.backend.threads, multithread: m.backend.multithread, workers: m.backend.workers ?? 1, trainSamples: m.trainSamples });
      else if (m.type === 'batch') out.samplesPerSec = m.samplesPerSec;
      else if (m.type === 'epoch') out.epochs.push(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'done') resolve({ ...out, test: m.test, reason: m.reason, message: m.message, seconds: m.seconds, tensorsBefore: m.tensorsBefore, tensorsAfter: m.tensorsAfter, parallel: m.parallel } as BenchRun);
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage({ type: 'start', graph, settings: { ...defaultTrainSettings, ...patch }, baseUrl: '/' });
  });
}

(window as unknown as { benchTrain: typeof run }).benchTrain = run;
(window as unknown as { benchReady: boolean }).benchReady = true;
