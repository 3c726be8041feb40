import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { getPreset } from '../../presets/index';
import { sequentialGraph } from '../graph/build';
import type { Graph } from '../graph/types';
import { loadDataset } from './datasets/index';
import { fsReader } from './datasets/node';
import type { Dataset } from './datasets/types';
import { defaultTrainSettings, type TrainSettings } from './protocol';
import { averageGradients, balanceRows, ModeChooser, ReplicaLeader, replicaCount, replicaBufferBytes, replicaLayout, splitRows, type ReplicaPlan } from './replicas';
import { replicaSeed, withSeededMathRandomAsync } from './random';
import { lossForModel, splitIndices, trainModel } from './trainer';
import { nodeWasm } from './wasm/node';

const root = join(__dirname, '../..');
const control = { stopRequested: () => false, waitWhilePaused: async () => {}, yieldToEvents: async () => {} };
const settings: TrainSettings = { ...defaultTrainSettings, batchSize: 64, epochs: 1, validationSplit: 0, shuffle: false, backend: 'wasm' };

let ds: Dataset;
const workers: Worker[] = [];

beforeAll(async () => {
  await nodeWasm(root, 1, { fastKernels: true });
  await tf.setBackend('wasm');
  ds = await loadDataset('mnist', { readFile: fsReader(root), trainLimit: 200, testLimit: 1 });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

describe('splitRows', () => {
  it('splits a batch as evenly as possible, the leader (first) never getting more than a follower', () => {
    expect(splitRows(64, 2)).toEqual([32, 32]);
    expect(splitRows(65, 2)).toEqual([32, 33]);
    expect(splitRows(7, 3)).toEqual([2, 2, 3]);
    expect(splitRows(1, 2)).toEqual([0, 1]);
    for (const [b, r] of [[1, 4], [13, 3], [256, 4]]) expect(splitRows(b, r).reduce((a, c) => a + c, 0)).toBe(b);
  });
});

describe('replicaCount', () => {
  const base = { backend: 'wasm', sharedMemory: true, cores: 2, batchSize: 64 };
  it('uses one worker per core (up to 4) on wasm with shared memory, or the number asked for', () => {
    expect(replicaCount(base)).toBe(2);
    expect(replicaCount({ ...base, cores: 16 })).toBe(4);
    expect(replicaCount({ ...base, workers: 3 })).toBe(3);
    expect(replicaCount({ ...base, workers: 8, batchSize: 5 })).toBe(5);
  });
  it('stays at one worker without shared memory, off wasm, or with the stock kernels', () => {
    expect(replicaCount({ ...base, sharedMemory: false })).toBe(1);
    expect(replicaCount({ ...base, backend: 'webgl' })).toBe(1);
    expect(replicaCount({ ...base, fastKernels: false })).toBe(1);
    expect(replicaCount({ ...base, cores: 1 })).toBe(1);
  });
});

describe('ModeChooser', () => {
  function run(msOf: (mode: 'split' | 'solo') => number, steps: number) {
    const c = new ModeChooser(120, 12, 2);
    const modes: string[] = [];
    for (let i = 0; i < steps; i++) {
      const m = c.next();
      modes.push(m);
      c.record(64, msOf(m));
    }
    return { c, last: modes.slice(-120) };
  }
  it('keeps splitting batches while that is faster, trying solo for a short stretch of every period', () => {
    const { c, last } = run((m) => (m === 'split' ? 10 : 16), 360);
    expect(last.filter((m) => m === 'split').length).toBe(108);
    expect(c.rates().split).toBeCloseTo(6.4);
    expect(c.rates().solo).toBeCloseTo(4);
  });
  it('switches to solo when the split steps are slower (busy cores), and back when they recover', () => {
    let busy = true;
    const { c, last } = run((m) => (m === 'split' ? (busy ? 30 : 10) : 16), 360);
    expect(last.filter((m) => m === 'solo').length).toBe(108);
    busy = false;
    const after: string[] = [];
    for (let i = 0; i < 240; i++) {
      const m = c.next();
      after.push(m);
      c.record(64, m === 'split' ? (busy ? 30 : 10) : 16);
    }
    expect(after.slice(-120).filter((m) => m === 'split').length).toBe(108);
  });
  it('decides within the first two short stretches (warm-up + 3 steps each): on busy cores it goes solo after 10 steps', () => {
    const c = new ModeChooser(120, 12, 2);
    const modes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const m = c.next();
      modes.push(m);
      c.record(64, m === 'split' ? 30 : 16);
    }
    expect(modes.slice(0, 5).every((m) => m === 'split')).toBe(true);
    expect(modes.slice(5, 10).every((m) => m === 'solo')).toBe(true);
    expect(modes.slice(10).every((m) => m === 'solo')).toBe(true);
    expect(c.retire()).toBe(true); // solo won by far more than 10%: on in one worker
  });
  describe('solo estimated from the leader’s own slice', () => {
    /** Split steps of a 64-row batch: the leader's 32 rows take `ownMs`, it waits `waitMs`, the update takes 2 ms. */
    function firstModes(ownMs: number, waitMs: number, soloMs: number, steps = 30) {
      const c = new ModeChooser(120, 12, 2);
      const modes: string[] = [];
      for (let i = 0; i < steps; i++) {
        const m = c.next();
        modes.push(m);
        if (m === 'split') c.record(64, ownMs + waitMs + 2, { rows: 32, ms: ownMs, updateMs: 2 });
        else c.record(64, soloMs);
      }
      return { c, modes };
    }
    it('settles on solo after warm-up + 2 split steps when they are clearly slower than the leader alone would be', () => {
      // Starved follower: 40 ms waits on 5 ms slices; the leader alone would take 2 · 5 + 2 = 12 ms a step.
      const { c, modes } = firstModes(5, 40, 12);
      expect(modes.slice(0, 4)).toEqual(['split', 'split', 'split', 'split']);
      expect(modes.slice(4).every((m) => m === 'solo')).toBe(true);
      expect(c.retire()).toBe(true);
      expect(c.rates()).toEqual({ split: 64 / 47, solo: 64 / 12, estimated: true });
    });
    it('keeps comparing by trial when split is not clearly slower than the estimate', () => {
      // Waits of 6 ms: 13 ms a split step against an estimated 12 ms solo step, inside the 15% margin.
      const { c, modes } = firstModes(5, 6, 20);
      expect(modes.slice(0, 5).every((m) => m === 'split')).toBe(true);
      expect(modes.slice(5, 10).every((m) => m === 'solo')).toBe(true); // the usual solo trial
      expect(modes.slice(10, 30).every((m) => m === 'split')).toBe(true);
      expect(c.rates().estimated).toBe(false);
      expect(c.retire()).toBe(false); // solo (20 ms) lost the trial
    });
    it('on an idle machine (followers start at once) never retires from the estimate', () => {
      const { c, modes } = firstModes(5, 0.5, 14, 200);
      expect(c.rates().estimated).toBe(false);
      expect(c.retire()).toBe(false);
      expect(modes.slice(-100).filter((m) => m === 'split').length).toBeGreaterThan(80);
    });
    it("never settles on split from the estimate: the leader's slice, timed beside the followers on shared cores, overstates what one worker alone would take", () => {
      // Split steps of 7.5 ms against an estimated 12 ms solo step: the solo trial still runs (and loses).
      const { modes } = firstModes(5, 0.5, 14, 12);
      expect(modes.slice(0, 5).every((m) => m === 'split')).toBe(true);
      expect(modes.slice(5, 10).every((m) => m === 'solo')).toBe(true);
    });
    it('without the leader’s slice timing it falls back to trying both modes', () => {
      const c = new ModeChooser(120, 12, 2);
      const modes: string[] = [];
      for (let i = 0; i < 30; i++) {
        const m = c.next();
        modes.push(m);
        c.record(64, m === 'split' ? 47 : 12);
      }
      expect(modes.slice(0, 5).every((m) => m === 'split')).toBe(true);
      expect(modes[5]).toBe('solo'); // a solo trial, not a decision after four split steps
      expect(c.rates().estimated).toBe(false);
    });
  });
  it('brings the solo trial forward when load comes after the first comparison', () => {
    const c = new ModeChooser(200, 8, 2);
    const modes: string[] = [];
    for (let i = 0; i < 60; i++) {
      const m = c.next();
      modes.push(m);
      const loaded = i >= 20;
      c.record(64, m === 'split' ? (loaded ? 30 : 10) : 16);
    }
    expect(modes.slice(0, 5)).toEqual(['split', 'split', 'split', 'split', 'split']);
    expect(modes.slice(10, 20).every((m) => m === 'split')).toBe(true); // split won the first comparison
    // At most five loaded split steps (from step 20), then the solo trial, not 200 steps later.
    const trial = modes.indexOf('solo', 20);
    expect(trial).toBeGreaterThan(20);
    expect(trial).toBeLessThanOrEqual(25);
    expect(c.retire()).toBe(true); // solo won it clearly
    // Noise of one slow split step among fast ones does not do it.
    const calm = new ModeChooser(200, 8, 2);
    const calmModes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const m = calm.next();
      calmModes.push(m);
      calm.record(64, m === 'split' ? (i >= 10 && i % 7 === 3 ? 40 : 10) : 16);
    }
    expect(calmModes.slice(10).every((m) => m === 'split')).toBe(true);
  });
  it('retires the followers after a solo win of the first comparison, later after a clear one or two narrow ones in a row', () => {
    const firstNarrow = new ModeChooser(40, 8, 2);
    for (let i = 0; i < 16; i++) firstNarrow.record(64, firstNarrow.next() === 'split' ? 10.5 : 10); // solo 5% faster
    expect(firstNarrow.retire()).toBe(true);
    // Split wins the first comparison; then the load comes and solo is 5% faster in each later one.
    const later = new ModeChooser(40, 8, 2);
    const wins: boolean[] = [];
    for (let i = 0; i < 136; i++) {
      const m = later.next();
      later.record(64, m === 'split' ? (i < 16 ? 9 : 10.5) : 10);
      wins.push(later.retire());
    }
    expect(wins[15]).toBe(false); // first comparison (8 + 8 steps): split
    expect(wins[55]).toBe(false); // second (after a 40-step period): solo, narrowly
    expect(wins[135]).toBe(true); // third: solo again
    const splitWins = new ModeChooser(40, 8, 2);
    for (let i = 0; i < 120; i++) splitWins.record(64, splitWins.next() === 'split' ? 10 : 10.5);
    expect(splitWins.retire()).toBe(false);
  });
  it('with slow steps (a large model) decides after short stretches and re-decides every periodMs', () => {
    const c = new ModeChooser(200, 10, 2, 60_000);
    const modes: string[] = [];
    for (let i = 0; i < 80; i++) {
      const m = c.next();
      modes.push(m);
      c.record(64, m === 'split' ? 2_000 : 3_000); // splitting pays
    }
    // First comparison: split for the run's warm-up (2) and one measured step of 2 s, then solo for one warm-up step
    // and one measured (0.05 · 60 s / 2 s rounds to 2 steps, and a step of a second or more is sample enough).
    expect(modes.slice(0, 5)).toEqual(['split', 'split', 'split', 'solo', 'solo']);
    // Then split for 60 s (30 steps of 2 s), then a solo trial again: not after 196 steps as a step count alone would.
    expect(modes.slice(5, 35).every((m) => m === 'split')).toBe(true);
    expect(modes.slice(35, 37)).toEqual(['solo', 'solo']);
    expect(modes[37]).toBe('split');
    expect(c.rates()).toEqual({ split: 64 / 2_000, solo: 64 / 3_000, estimated: false });
    expect(modes.filter((m) => m === 'solo').length).toBeLessThan(0.2 * modes.length);
  });
  it('checks a narrow split win of the first comparison again after a trial stretch, not a whole period later', () => {
    const modes = (c: ModeChooser, msOf: (m: 'split' | 'solo') => number) => {
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        const m = c.next();
        out.push(m);
        c.record(64, msOf(m));
      }
      return out;
    };
    const narrow = new ModeChooser(120, 12, 2);
    const seen = modes(narrow, (m) => (m === 'split' ? 10 : 11.5)); // split ahead by 15%
    // First comparison: 5 split, 5 solo; then 12 split steps and a solo trial of 12; then split for the period.
    expect(seen.slice(0, 5).every((m) => m === 'split')).toBe(true);
    expect(seen.slice(5, 10).every((m) => m === 'solo')).toBe(true);
    expect(seen.slice(10, 22).every((m) => m === 'split')).toBe(true);
    expect(seen.slice(22, 34).every((m) => m === 'solo')).toBe(true);
    expect(seen.slice(34).every((m) => m === 'split')).toBe(true);
    expect(narrow.retire()).toBe(false);
    // When solo wins that check, even narrowly, the run goes on in one worker, as after a solo win of the first comparison.
    // Here the cores get busy after the first comparison: split steps slow down to 8% behind solo.
    const turned = new ModeChooser(120, 12, 2);
    const after: string[] = [];
    for (let i = 0; i < 34; i++) {
      const m = turned.next();
      after.push(m);
      turned.record(64, m === 'split' ? (i < 10 ? 10 : 12.5) : 11.5);
      if (i === 21) expect(turned.retire()).toBe(false);
    }
    expect(after.join()).toBe(seen.slice(0, 34).join());
    expect(turned.retire()).toBe(true);
    // A clear split win (1.6×) waits the whole period for its next comparison.
    const clear = modes(new ModeChooser(120, 12, 2), (m) => (m === 'split' ? 10 : 16));
    expect(clear.slice(10).every((m) => m === 'split')).toBe(true);
  });
  it('with slow steps, the solo stretch skips its first step as warm-up and measures the next alone', () => {
    const c = new ModeChooser(200, 10, 2, 60_000);
    const modes: string[] = [];
    let solos = 0;
    for (let i = 0; i < 6; i++) {
      const m = c.next();
      modes.push(m);
      // The first solo step is slow (new shapes to allocate); it must not count against solo.
      c.record(64, m === 'split' ? 2_000 : solos++ === 0 ? 9_000 : 1_500);
    }
    expect(modes).toEqual(['split', 'split', 'split', 'solo', 'solo', 'solo']);
    expect(c.rates().solo).toBeCloseTo(64 / 1_500);
    expect(c.retire()).toBe(true); // solo won the first comparison
  });
  it('a fixed chooser always answers its mode', () => {
    const c = ModeChooser.fixed('solo');
    for (let i = 0; i < 50; i++) {
      expect(c.next()).toBe('solo');
      c.record(64, 1);
    }
  });
});

describe('balanceRows', () => {
  it('splits in proportion to speed, sums to the batch, caps followers at maxRows and falls back to an even split', () => {
    expect(balanceRows(64, [1, 1], 64)).toEqual([32, 32]);
    expect(balanceRows(64, [3, 1], 64)).toEqual([48, 16]);
    expect(balanceRows(64, [1, 3], 40)).toEqual([24, 40]);
    expect(balanceRows(10, [0, 0, 0], 10)).toEqual(splitRows(10, 3));
    expect(balanceRows(10, [NaN, 2, 2], 10)).toEqual([4, 3, 3]); // an unknown speed counts as the mean
    for (const [b, sp] of [[7, [1.3, 0.2, 5]], [1, [2, 1]], [257, [0.9, 1.1, 1, 1]]] as const) {
      const rows = balanceRows(b, [...sp], b);
      expect(rows.reduce((a, v) => a + v, 0)).toBe(b);
      expect(rows.every((v) => v >= 0)).toBe(true);
    }
  });
});

describe('averageGradients', () => {
  it('weights every replica by its rows, so the result is the gradient of the mean loss over the whole batch', () => {
    const plan: ReplicaPlan = { replicas: 3, varSizes: [2, 1], sampleSize: 1, labelSize: 1, maxRows: 4 };
    const l = replicaLayout(new SharedArrayBuffer(replicaBufferBytes(plan)), plan);
    // Step 1 (odd parity): rows 1, 2, 0 — the third replica's gradients must not count.
    const rowsSlot = (r: number) => 4 + 5 * r + 1;
    [1, 2, 0].forEach((rows, r) => (l.ctl[rowsSlot(r)] = rows));
    l.grads[1][0].set([3, 0, 9]);
    l.grads[1][1].set([0, 3, 0]);
    l.grads[1][2].set([100, 100, 100]);
    const out = new Float32Array(3);
    averageGradients(l, 1, out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });
});

function tsThread(file: string, workerData: unknown): Worker {
  // Worker threads do not inherit Vitest's TypeScript transform: tsx's loader is registered inside the thread first.
  const href = new URL(file, import.meta.url).href;
  const w = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(href)}); });`, { eval: true, workerData });
  workers.push(w);
  return w;
}

describe('the step barrier', () => {
  /** A follower thread on step 1 of a 2-replica buffer whose leader already published step 1 (and `leaderDone`). */
  async function raceStep(leaderDone: number, quitDuringSlice: boolean): Promise<number[] | null> {
    const plan: ReplicaPlan = { replicas: 2, varSizes: [2], sampleSize: 1, labelSize: 1, maxRows: 2 };
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const l = replicaLayout(sab, plan);
    const slotOf = (r: number, field: number) => 4 + 5 * r + field;
    // Step 1 (odd parity): 1 row each; the leader's gradients (all 4) are in place.
    l.ctl[slotOf(0, 1)] = 1;
    l.ctl[slotOf(1, 1)] = 1;
    l.grads[1][0].fill(4);
    l.ctl[slotOf(0, 2)] = leaderDone;
    l.ctl[0] = 1;
    const w = tsThread('./testing/race-thread.ts', { sab, plan, me: 1, grad: 2, quitDuringSlice });
    const applied = await new Promise<number[] | null>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      w.on('message', (m: { type: string; avg: number[] }) => {
        // A follower that waits forever never answers: give up 10 s after it started (not after it was spawned).
        if (m.type === 'loaded') timer = setTimeout(() => resolve(null), 10_000);
        if (m.type === 'applied' || m.type === 'quit') {
          clearTimeout(timer);
          resolve(m.type === 'applied' ? m.avg : null);
        }
      });
      w.on('error', reject);
    });
    Atomics.store(l.ctl, 1, 1); // QUIT
    Atomics.notify(l.ctl, 0);
    await w.terminate();
    return applied;
  }

  it('lets a follower through when the leader is already one step ahead (it was descheduled after publishing)', async () => {
    expect(await raceStep(2, false)).toEqual([3, 3]); // (4 + 2) / 2: it averaged step 1 instead of waiting forever
  }, 90_000);

  it('lets a follower finish the last step when the leader ended the run meanwhile', async () => {
    expect(await raceStep(1, true)).toEqual([3, 3]); // not skipped: it would end one update behind the leader
  }, 90_000);
});

interface FollowerResult { steps: number; weights: number[][] }

function startFollower(sab: SharedArrayBuffer, plan: ReplicaPlan, me: number, model: tf.LayersModel, kind: string, fail = false, graph: Graph = getPreset('lenet5')!.graph, runSettings: TrainSettings = settings) {
  const w = tsThread('./testing/follower-thread.ts', {
    sab, plan, me, graph, settings: runSettings, kind, inputShape: ds.inputShape, labelSize: ds.numClasses, root, fail,
    weights: model.getWeights().map((t) => ({ shape: t.shape, data: t.dataSync() })),
  });
  let ready!: () => void;
  let notReady!: (e: Error) => void;
  const readyP = new Promise<void>((res, rej) => ((ready = res), (notReady = rej)));
  const done = new Promise<FollowerResult>((resolve, reject) => {
    w.on('message', (m: { type: string; message?: string } & FollowerResult) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'done') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
    });
    w.on('error', (e: Error) => {
      notReady(e);
      reject(e);
    });
  });
  done.catch(() => {});
  return { ready: readyP, done };
}

function planFor(model: tf.LayersModel, replicas: number): ReplicaPlan {
  return {
    replicas, varSizes: model.trainableWeights.map((w) => w.read().size), sampleSize: 784, labelSize: ds.numClasses,
    maxRows: settings.batchSize,
  };
}

describe('data-parallel training (leader here, followers in worker threads)', () => {
  it('trains LeNet-5 to the same weights as one worker, and every replica ends with bit-identical weights', async () => {
    const single = compileGraph(tf, getPreset('lenet5')!.graph);
    const initial = single.getWeights().map((t) => t.clone());
    const kind = lossForModel(single, ds.numClasses);
    const prepared = { loss: kind, ...splitIndices(ds.train.n, 0, 1) };
    // Plain SGD: its update is proportional to the gradient, so the split batch's float rounding stays at rounding size.
    // Adam divides by the gradient's own size: a weight whose gradient is nearly zero moves by ±lr on rounding alone,
    // and the comparison below would then depend on how the slices happened to round.
    const sgd: TrainSettings = { ...settings, optimizer: 'sgd', learningRate: 0.05 };
    const one = await trainModel({ tf, model: single, ds, settings: sgd, control, prepared });

    const leaderModel = compileGraph(tf, getPreset('lenet5')!.graph);
    leaderModel.setWeights(initial);
    const plan = planFor(leaderModel, 3);
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const followers = [1, 2].map((me) => startFollower(sab, plan, me, leaderModel, kind, false, getPreset('lenet5')!.graph, sgd));
    await Promise.all(followers.map((f) => f.ready));
    // Split every step: on a loaded machine the default chooser may retire the followers early (their step count
    // below would then be short); its decisions are pinned by the ModeChooser tests.
    const leader = new ReplicaLeader(replicaLayout(sab, plan), ModeChooser.fixed('split'));
    const epochs: number[] = [];
    const many = await trainModel({ tf, model: leaderModel, ds, settings: sgd, control, callbacks: { onEpoch: (e) => epochs.push(e.loss) }, prepared, parallel: leader });
    leader.quit();
    const results = await Promise.all(followers.map((f) => f.done));

    expect(one.reason).toBe('finished');
    expect(many.reason).toBe('finished');
    // 200 samples at batch 64: 4 steps (the last of 8 rows) on each follower.
    for (const r of results) expect(r.steps).toBe(4);
    const a = single.trainableWeights.map((w) => w.read().dataSync());
    const b = leaderModel.trainableWeights.map((w) => w.read().dataSync());
    let maxDiff = 0;
    let moved = 0;
    a.forEach((wa, i) => wa.forEach((v, j) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j]));
    }));
    const start = compileGraph(tf, getPreset('lenet5')!.graph);
    start.setWeights(initial);
    start.trainableWeights.forEach((w, i) => w.read().dataSync().forEach((v, j) => (moved = Math.max(moved, Math.abs(v - a[i][j])))));
    expect(moved).toBeGreaterThan(1e-3); // training did move the weights…
    expect(maxDiff).toBeLessThan(1e-5); // …and the split batch moved them the same way (float rounding apart)
    for (const r of results) {
      r.weights.forEach((w, i) => expect(Float32Array.from(w)).toEqual(b[i]));
    }
    single.dispose();
    leaderModel.dispose();
    start.dispose();
    tf.dispose(initial);
  }, 120_000);

  it('keeps replicas of a model with BatchNormalization and Dropout in step (each its own dropout masks and batch statistics)', async () => {
    const graph = batchNormDropoutGraph;
    const model = compileGraph(tf, graph);
    const kind = lossForModel(model, ds.numClasses);
    const plan = planFor(model, 2);
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const follower = startFollower(sab, plan, 1, model, kind, false, graph);
    await follower.ready;
    // Split every step: the default chooser may retire the follower after a few steps on a loaded machine.
    const leader = new ReplicaLeader(replicaLayout(sab, plan), ModeChooser.fixed('split'));
    const res = await trainModel({ tf, model, ds, settings: { ...settings, batchSize: 32 }, control, parallel: leader });
    leader.quit();
    const done = await follower.done;
    expect(res.reason).toBe('finished');
    expect(done.steps).toBe(7); // 200 samples at batch 32
    const mine = model.trainableWeights.map((w) => w.read().dataSync());
    done.weights.forEach((w, i) => expect(Float32Array.from(w)).toEqual(mine[i]));
    model.dispose();
  }, 120_000);

  it('solo steps (the leader computes every row, followers only update) keep the replicas in step to the last step', async () => {
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const kind = lossForModel(model, ds.numClasses);
    const plan = planFor(model, 2);
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const follower = startFollower(sab, plan, 1, model, kind);
    await follower.ready;
    const alwaysSolo = ModeChooser.fixed('solo');
    const leader = new ReplicaLeader(replicaLayout(sab, plan), alwaysSolo);
    await trainModel({ tf, model, ds, settings, control, parallel: leader });
    leader.quit();
    const done = await follower.done;
    expect(leader.timing.soloSteps).toBe(4);
    expect(done.steps).toBe(4);
    const mine = model.trainableWeights.map((w) => w.read().dataSync());
    done.weights.forEach((w, i) => expect(Float32Array.from(w)).toEqual(mine[i]));
    model.dispose();
  }, 120_000);

  it('a leader that settles on solo stops its followers and trains on alone, like one worker', async () => {
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const kind = lossForModel(model, ds.numClasses);
    const plan = planFor(model, 2);
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const follower = startFollower(sab, plan, 1, model, kind);
    await follower.ready;
    const initial = model.getWeights().map((w) => w.clone());
    const leader = new ReplicaLeader(replicaLayout(sab, plan), ModeChooser.fixed('solo', true));
    const r = await trainModel({ tf, model, ds, settings, control, parallel: leader });
    leader.quit(); // already quit when it retired; a regression then fails below instead of leaving the follower waiting
    const done = await follower.done;
    expect(r.reason).toBe('finished');
    expect(leader.timing.retiredAfter).toBe(1);
    expect(leader.timing.steps).toBe(1); // the other three steps ran in the leader alone
    expect(done.steps).toBe(1);
    // The same run in one worker from the same weights: the same weights at the end, up to float rounding.
    const alone = compileGraph(tf, getPreset('lenet5')!.graph);
    alone.setWeights(initial);
    await trainModel({ tf, model: alone, ds, settings, control });
    const a = alone.getWeights().map((w) => w.dataSync());
    model.getWeights().forEach((w, i) => expect(worstDiff(w.dataSync(), a[i])).toBeLessThan(1e-4));
    tf.dispose(initial);
    alone.dispose();
    model.dispose();
  }, 120_000);

  it('a reproducible run (even split, no solo switching, seeded dropout) ends with the same weights every time', async () => {
    const graph = batchNormDropoutGraph;
    const model = compileGraph(tf, graph);
    const kind = lossForModel(model, ds.numClasses);
    const initial = model.getWeights().map((w) => w.clone());
    const run = async (seed: number) => {
      model.setWeights(initial);
      const s = { ...settings, batchSize: 32, seed, reproducible: true };
      const plan = planFor(model, 2);
      const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
      const follower = startFollower(sab, plan, 1, model, kind, false, graph, s);
      await follower.ready;
      // What the training worker builds for a reproducible run (src/train/worker.ts).
      const leader = new ReplicaLeader(replicaLayout(sab, plan), ModeChooser.fixed('split'), false);
      await withSeededMathRandomAsync(replicaSeed(seed, 0), () => trainModel({ tf, model, ds, settings: s, control, parallel: leader }));
      leader.quit();
      await follower.done;
      return model.getWeights().map((w) => w.dataSync().slice());
    };
    const first = await run(5);
    const again = await run(5);
    const otherSeed = await run(6);
    first.forEach((w, i) => expect(again[i]).toEqual(w));
    // Not equal by accident: another seed draws other dropout masks, and the weights end elsewhere.
    expect(first.some((w, i) => worstDiff(w, otherSeed[i]) > 1e-6)).toBe(true);
    tf.dispose(initial);
    model.dispose();
  }, 120_000);

  it("a follower's failure ends the run with its message, at the leader", async () => {
    const model = compileGraph(tf, getPreset('lenet5')!.graph);
    const kind = lossForModel(model, ds.numClasses);
    const plan = planFor(model, 2);
    const sab = new SharedArrayBuffer(replicaBufferBytes(plan));
    const follower = startFollower(sab, plan, 1, model, kind, true);
    await follower.ready;
    const leader = new ReplicaLeader(replicaLayout(sab, plan), ModeChooser.fixed('split')); // the follower computes a slice
    const before = tf.memory().numTensors;
    await expect(trainModel({ tf, model, ds, settings, control, parallel: leader })).rejects.toThrow(/training worker 2 failed: boom in the follower/);
    leader.quit();
    await expect(follower.done).rejects.toThrow(/boom/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 120_000);
});

/** A small CNN with BatchNormalization and Dropout: per-replica batch statistics and dropout masks. */
const batchNormDropoutGraph = sequentialGraph([
  { kind: 'Input', params: { shape: [28, 28, 1] } },
  { kind: 'Conv2D', params: { filters: 4, kernelSize: 3 } },
  { kind: 'BatchNormalization' },
  { kind: 'Activation', params: { activation: 'relu' } },
  { kind: 'MaxPooling2D', params: { poolSize: 2 } },
  { kind: 'Flatten' },
  { kind: 'Dropout', params: { rate: 0.3 } },
  { kind: 'Dense', params: { units: 10, activation: 'softmax' } },
]);

function worstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}
