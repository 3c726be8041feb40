/**
 * A follower in a Node worker thread with stand-in slice and update functions, for the barrier tests of
 * src/train/replicas.test.ts: it reports each update it applies, with the average it got.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { replicaLayout, runFollower, type ReplicaPlan } from '../replicas';

const { sab, plan, me, grad } = workerData as { sab: SharedArrayBuffer; plan: ReplicaPlan; me: number; grad: number };
const steps = runFollower(
  replicaLayout(sab, plan),
  me,
  (_xs, _ys, _rows, into) => {
    into.fill(grad);
    return { loss: 1, correct: 0, raw: 1 };
  },
  (avg) => parentPort!.postMessage({ type: 'applied', avg: Array.from(avg) }),
);
parentPort!.postMessage({ type: 'quit', steps });
