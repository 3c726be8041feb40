/**
 * A data-parallel follower in a Node worker thread, for src/train/replicas.test.ts: the same code path as the
 * browser's follower worker (./../follower.ts), on the wasm backend with the fast kernels. `fail: true` makes its
 * slice computation throw, to test how the leader reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileGraph } from '../../compile/compile';
import type { Graph } from '../../graph/types';
import type { LossKind, TrainSettings } from '../protocol';
import { replicaSeed, withSeededMathRandom } from '../random';
import { replicaLayout, runFollower, warmUpSlice, type ReplicaPlan } from '../replicas';
import { makeOptimizer, replicaStep } from '../trainer';
import { nodeWasm } from '../wasm/node';

interface Data {
  sab: SharedArrayBuffer;
  plan: ReplicaPlan;
  me: number;
  graph: Graph;
  weights: { shape: number[]; data: Float32Array }[];
  settings: TrainSettings;
  kind: LossKind;
  inputShape: number[];
  labelSize: number;
  root: string;
  fail?: boolean;
}

const d = workerData as Data;
const port = parentPort!;
const tf = await nodeWasm(d.root, 1, { fastKernels: true });
await tf.setBackend('wasm');
const model = compileGraph(tf, d.graph);
model.setWeights(d.weights.map((w) => tf.tensor(w.data, w.shape)));
const optimizer = makeOptimizer(tf, d.settings);
const step = replicaStep(tf, model, optimizer, d.kind, d.inputShape, d.labelSize);
// As ../follower.ts does: a warm-up slice, then the initial weights again.
warmUpSlice(d.plan, step.computeSlice);
tf.tidy(() => model.setWeights(d.weights.map((w) => tf.tensor(w.data, w.shape))));
port.postMessage({ type: 'ready' });
try {
  const steps = withSeededMathRandom(replicaSeed(d.settings.seed, d.me), () => runFollower(replicaLayout(d.sab, d.plan), d.me, d.fail ? () => { throw new Error('boom in the follower'); } : step.computeSlice, step.apply));
  port.postMessage({ type: 'done', steps, weights: model.trainableWeights.map((w) => Array.from(w.read().dataSync())) });
} catch (e) {
  port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
