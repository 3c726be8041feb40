import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from '../node';
import { randomValues as rand } from '../../testing/kernels';
import { registerFastKernels } from './index';
import { relaxedSimdSupported } from './simd';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './conv';
import { fusedConv2DKernel } from './conv1';
import { runKernel, worstRelativeError } from '../../testing/kernels';

// Its own file (own worker): relaxed SIMD is switched on before the SIMD module is first compiled, as Chrome ≥ 114
// has it by default, so the fused multiply-add loops (filter gradient, the GEMM of the input gradient and of Conv2D) are
// the ones under test here.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const root = join(__dirname, '../../../..');

/** One of the two conv gradients on `backend`, from seeded random inputs. */
async function convGrad(kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', backend: string, x: number[], k: number[], strides: number, pad: 'same' | 'valid') {
  await tf.setBackend(backend);
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, 1, pad);
  const dyShape = [x[0], info.outHeight, info.outWidth, k[3]];
  const dy = tf.tensor(rand(dyShape, 2), dyShape);
  const other: Record<string, tf.Tensor> = kernel === 'Conv2DBackpropFilter' ? { x: tf.tensor(rand(x, 1), x) } : { filter: tf.tensor(rand(k, 3), k) };
  const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k, inputShape: x } as unknown as tf.NamedAttrMap;
  const out = tf.engine().runKernel(kernel, { ...other, dy }, attrs) as tf.Tensor;
  const data = await out.data();
  tf.dispose([dy, ...Object.values(other), out]);
  return data;
}

let undo: () => void;
beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
  undo = registerFastKernels(tf);
});
afterAll(() => undo());

describe('fast kernels with relaxed SIMD', () => {
  it('detects relaxed SIMD once the engine has it', () => {
    expect(relaxedSimdSupported()).toBe(true);
  });

  const cases: { x: number[]; k: number[]; strides: number; pad: 'same' | 'valid' }[] = [
    { x: [3, 28, 28, 1], k: [5, 5, 1, 6], strides: 1, pad: 'same' },
    { x: [2, 14, 14, 6], k: [5, 5, 6, 16], strides: 1, pad: 'valid' },
    { x: [1, 11, 13, 17], k: [3, 3, 17, 16], strides: 2, pad: 'same' },
    { x: [2, 9, 8, 3], k: [3, 2, 3, 5], strides: 2, pad: 'valid' },
    { x: [1, 7, 7, 2], k: [3, 3, 2, 33], strides: 1, pad: 'same' },
    { x: [1, 7, 7, 3], k: [3, 3, 3, 2], strides: 1, pad: 'valid' },
  ];
  const kernels = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
  it.each(kernels.flatMap((kernel) => cases.map((c) => ({ kernel, ...c }))))(
    '$kernel (fused multiply-add) matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ kernel, x, k, strides, pad }) => {
      const cpu = await convGrad(kernel, 'cpu', x, k, strides, pad);
      const wasm = await convGrad(kernel, 'wasm', x, k, strides, pad);
      expect(wasm.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu[i])));
    });

  it.each([
    { x: [3, 14, 14, 6], k: [5, 5, 6, 16], pad: 'valid' as const },
    { x: [1, 5, 5, 2], k: [3, 3, 2, 17], pad: 'same' as const },
  ])('Conv2D as im2col + GEMM (fused multiply-add) matches cpu: x $x, filter $k, pad $pad', async ({ x, k, pad }) => {
    const conv = async (backend: string) => {
      await tf.setBackend(backend);
      const xs = tf.tensor4d(rand(x, 4), x as [number, number, number, number]);
      const w = tf.tensor4d(rand(k, 5), k as [number, number, number, number]);
      const y = tf.conv2d(xs, w, 1, pad);
      const data = await y.data();
      tf.dispose([xs, w, y]);
      return data;
    };
    const cpu = await conv('cpu');
    const wasm = await conv('wasm');
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu[i])));
  });

  // The tiled GEMM (./gemm.ts) with relaxed_madd, forced on each conv kernel: strides 1 and 2, same/valid/explicit
  // pads, channel counts off the 4- and 8-multiples, small chunks with a partial last one.
  const tiled: { x: number[]; k: number[]; strides: number; pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] }[] = [
    { x: [3, 9, 9, 5], k: [3, 3, 5, 9], strides: 1, pad: 'same' },
    { x: [3, 11, 13, 17], k: [3, 3, 17, 16], strides: 2, pad: 'same' },
    { x: [5, 4, 4, 37], k: [3, 3, 37, 33], strides: 1, pad: 'valid' },
    { x: [2, 8, 7, 6], k: [2, 3, 6, 20], strides: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  ];
  it.each(tiled)('the tiled GEMM kernels (fused multiply-add) match cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, 1, pad as 'same');
    const dyShape = [x[0], info.outHeight, info.outWidth, k[3]];
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, filterShape: k, inputShape: x, activation: 'linear' };
    const xs = [rand(x, 6), x] as [Float32Array, number[]];
    const ws = [rand(k, 7), k] as [Float32Array, number[]];
    const dys = [rand(dyShape, 8), dyShape] as [Float32Array, number[]];
    const bs = [rand([k[3]], 9), [k[3]]] as [Float32Array, number[]];
    const runs: [string, Record<string, [Float32Array, number[]]>, tf.KernelFunc][] = [
      ['FusedConv2D', { x: xs, filter: ws, bias: bs }, fusedConv2DKernel(tf, tf.getKernel('FusedConv2D', 'wasm')!, { tiled: 'always', chunkFloats: 1 })],
      ['Conv2DBackpropInput', { dy: dys, filter: ws }, conv2DBackpropInputKernel(tf, undefined, tf.getKernel('BatchMatMul', 'wasm')!, { forceGemm: true, chunkFloats: 1 })],
      ['Conv2DBackpropFilter', { x: xs, dy: dys }, conv2DBackpropFilterKernel(tf, undefined, { tiled: 'always', tiledOptions: { dyBytes: 2048, colsBytes: 4096 } })],
    ];
    for (const [name, inputs, kernelFunc] of runs) {
      const cpu = await runKernel('cpu', name, inputs, attrs);
      const registered = tf.getKernel(name, 'wasm')!;
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel({ ...registered, kernelFunc });
      try {
        const wasm = await runKernel('wasm', name, inputs, attrs);
        expect(wasm.shape).toEqual(cpu.shape);
        expect(worstRelativeError(wasm.data, cpu.data)).toBeLessThan(1e-4);
      } finally {
        tf.unregisterKernel(name, 'wasm');
        tf.registerKernel(registered);
      }
    }
  });
});
