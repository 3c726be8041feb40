import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../missing-gradients';
import { registerFastKernels } from './index';

const root = join(__dirname, '../../../..');

// Its own file (own worker): the wasm backend must not be initialised before registerFastKernels runs.
describe('registerFastKernels before the wasm backend initialises', () => {
  it('keeps the replaced kernels working (their setup runs at initialisation) and wins over the gradient kernels registered after it', async () => {
    setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
    setThreadsCount(1);
    const undo = registerFastKernels(tf);
    const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(registerWasmGradients(tf)).not.toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(ours);
    await tf.setBackend('wasm');
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 0, 2, 1, 0, 3], [2, 3]);
    expect(Array.from(tf.matMul(a, b, false, true).dataSync())).toEqual([7, 10, 16, 22]);
    expect(Array.from(tf.matMul(a, b, true, false).dataSync())).toEqual([5, 0, 14, 7, 0, 19, 9, 0, 24]);
    const x = tf.ones([1, 4, 4, 1]);
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(g.dataSync())).toEqual(new Array(9).fill(4));
    undo();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });
});
