import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerFastKernels } from './fast/index';
import { registerWasmGradients } from './missing-gradients';

/**
 * Makes the wasm backend usable in Node (tests, benches): points it at the package's own .wasm files and registers
 * the missing gradient kernels (and, with `fastKernels`, the fast training kernels the worker uses). Returns the tfjs module; call `tf.setBackend('wasm')` as needed.
 */
export async function nodeWasm(root: string, threads = 1, opts: { fastKernels?: boolean } = {}): Promise<typeof tf> {
  setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  setThreadsCount(threads);
  registerWasmGradients(tf);
  if (opts.fastKernels) registerFastKernels(tf);
  await tf.ready();
  return tf;
}
