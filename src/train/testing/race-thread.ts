/**
 * A follower in a Node worker thread with stand-in slice and update functions, for the barrier tests of
 * src/train/replicas.test.ts: it reports each update it applies, with the average it got. `quitDuringSlice` ends the
 * run (sets QUIT) while it computes its slice.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { replicaLayout, runFollower, type ReplicaPlan } from '../replicas';

const { sab, plan, me, grad, quitDuringSlice } = workerData as { sab: SharedArrayBuffer; plan: ReplicaPlan; me: number; grad: number; quitDuringSlice?: boolean };
const layout = replicaLayout(sab, plan);
// Loading this thread (tsx compiles it) can take long on a busy machine: the test's clock starts from here.
parentPort!.postMessage({ type: 'loaded' });
const steps = runFollower(
  layout,
  me,
  (_xs, _ys, _rows, into) => {
    into.fill(grad);
    // The leader finishing the last step and ending the run before this follower gets to that step's average.
    if (quitDuringSlice) Atomics.store(layout.ctl, 1, 1);
    return { loss: 1, correct: 0, raw: 1 };
  },
  (avg) => parentPort!.postMessage({ type: 'applied', avg: Array.from(avg) }),
);
parentPort!.postMessage({ type: 'quit', steps });
