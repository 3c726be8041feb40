/// <reference lib="webworker" />
/**
 * A data-parallel follower of the training worker (see ./replicas.ts): started by the training worker, it builds the
 * same model from the graph and the leader's initial weights, then computes the gradients of its slice of every batch
 * and applies the averaged update, blocking in ./replicas.ts's loop until the run ends. Then it disposes the model and
 * waits for the next run. wasm backend with the fast kernels only (the leader replicates only then).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../compile/compile';
import type { FollowerInit, FromFollower, ToFollower } from './protocol';
import { replicaLayout, runFollower, warmUpSlice } from './replicas';
import { replicaSeed, withSeededMathRandom } from './random';
import { sharedAttempt } from './shared-attempt';
import { disposeOptimizer, makeOptimizer, replicaStep } from './trainer';
import { configureBrowserWasm } from './wasm/browser';
import { registerFastKernels } from './wasm/fast/index';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromFollower) => scope.postMessage(m);
let configured = false;

/** Loads the wasm backend once; the warm-up and a run's init may ask at the same time (see ./shared-attempt.ts). */
const ready = sharedAttempt(async (baseUrl: string) => {
  if (!configured) {
    configured = true;
    configureBrowserWasm(tf, baseUrl, scope.location.href);
    registerFastKernels(tf);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend could not start in a training worker');
});

async function run(init: FollowerInit) {
  await ready(init.baseUrl);
  const model = compileGraph(tf, init.graph);
  const optimizer = makeOptimizer(tf, init.settings);
  try {
    const setInitial = () => tf.tidy(() => model.setWeights(init.weights.map((w) => tf.tensor(w.data, w.shape))));
    setInitial();
    const step = replicaStep(tf, model, optimizer, init.loss, init.inputShape, init.labelSize);
    // The weights are set again after the warm-up slice: BatchNorm statistics move in a training pass.
    warmUpSlice(init.plan, step.computeSlice);
    setInitial();
    post({ type: 'ready' });
    // Each replica its own dropout masks, the same on every run with this seed.
    const steps = withSeededMathRandom(replicaSeed(init.settings.seed, init.me), () => runFollower(replicaLayout(init.buffer, init.plan), init.me, step.computeSlice, step.apply));
    post({ type: 'finished', steps });
  } finally {
    model.dispose();
    disposeOptimizer(optimizer);
  }
}

scope.onmessage = (e: MessageEvent<ToFollower>) => {
  // `warm` (sent when the Train panel opens) loads tfjs's wasm module ahead of the first run.
  (e.data.type === 'warm' ? ready(e.data.baseUrl) : run(e.data)).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message || err.name : String(err) }));
};
scope.onerror = (ev) => post({ type: 'error', message: typeof ev === 'string' ? ev : (ev as ErrorEvent).message });
