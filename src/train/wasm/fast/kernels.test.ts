import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from '../node';
import { randomValues as rand, runKernel as run, worstRelativeError, type KernelInput as Input } from '../../testing/kernels';
import { FAST_KERNEL_NAMES, fastAdam, registerFastKernels } from './index';
import { simdKernels } from './simd';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel, type InputGradOptions } from './conv';
import { sumKernel } from './reduce';
import { maxPoolGradKernel } from './pool';
import { conv2DSingleChannelKernel, fusedConv2DKernel } from './conv1';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, batchNormTraining } from '../../../../nodes/lib/batchnorm';
import { batchNormKernelConfigs } from './batchnorm';
import { implicitFilterGrad, implicitInputGrad } from './implicit';

const root = join(__dirname, '../../../..');

/** Same kernel on cpu and on wasm (fast kernels registered): shapes equal, values within a relative tolerance. */
async function matchesCpu(kernel: string, inputs: Record<string, Input>, attrs: object, tol = 1e-4) {
  const cpu = await run('cpu', kernel, inputs, attrs);
  const before = tf.memory().numTensors;
  const wasm = await run('wasm', kernel, inputs, attrs);
  expect(tf.memory().numTensors).toBe(before);
  expect(wasm.shape).toEqual(cpu.shape);
  expect(wasm.data.length).toBe(cpu.data.length);
  expect(worstRelativeError(wasm.data, cpu.data)).toBeLessThan(tol);
  return cpu;
}

/** Runs `body` with `kernelFunc` registered as the wasm kernel `name` in place of the current one, then restores it. */
async function withKernel(name: string, kernelFunc: tf.KernelFunc, body: () => Promise<void>): Promise<void> {
  const registered = tf.getKernel(name, 'wasm')!;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...registered, kernelFunc });
  try {
    await body();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(registered);
  }
}

let undo: () => void;
/** The wasm kernels registerFastKernels replaces, as they were before it. */
const stockKernels = new Map<string, tf.KernelConfig>();
beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
  for (const name of FAST_KERNEL_NAMES) stockKernels.set(name, tf.getKernel(name, 'wasm')!);
  undo = registerFastKernels(tf);
});
afterAll(() => undo());

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const convGrid: { x: number[]; k: number[]; strides: [number, number]; pad: Pad }[] = [
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [3, 9, 8, 2], k: [3, 2, 2, 5], strides: [2, 2], pad: 'same' },
  { x: [3, 9, 8, 2], k: [3, 2, 2, 5], strides: [2, 3], pad: 'valid' },
  { x: [2, 9, 9, 2], k: [2, 2, 2, 3], strides: [2, 2], pad: 'valid' }, // last row and column in no window
  { x: [1, 10, 10, 1], k: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { x: [2, 6, 7, 4], k: [2, 3, 4, 3], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 5, 5, 2], k: [2, 2, 2, 3], strides: [1, 1], pad: [[0, 0], [3, 1], [0, 2], [0, 0]] }, // pad > kernel − 1
  { x: [4, 12, 12, 6], k: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
  { x: [3, 28, 28, 1], k: [5, 5, 1, 6], strides: [1, 1], pad: 'same' }, // LeNet-5's first layer
  { x: [2, 14, 14, 6], k: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' }, // LeNet-5's second layer
  { x: [1, 11, 13, 17], k: [3, 3, 17, 16], strides: [2, 2], pad: 'same' },
  { x: [1, 9, 8, 3], k: [4, 3, 3, 1], strides: [2, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [2, 5, 6, 16], k: [5, 5, 16, 17], strides: [1, 1], pad: 'same' },
  { x: [1, 12, 11, 1], k: [3, 5, 1, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 7, 7, 6], k: [2, 2, 6, 6], strides: [2, 2], pad: [[0, 0], [0, 3], [3, 0], [0, 0]] }, // pads > kernel − 1
  { x: [1, 7, 7, 3], k: [3, 3, 3, 2], strides: [1, 1], pad: 'valid' }, // an odd number of dy rows (25)
];

function dyShapeOf(x: number[], k: number[], strides: [number, number], pad: Pad): number[] {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, 1, pad as 'same');
  return [x[0], info.outHeight, info.outWidth, k[3]];
}

describe('hand-assembled SIMD module', () => {
  it('compiles against the wasm heap here (so the filter-gradient tests below exercise it), and is refused for a shared heap', async () => {
    await tf.setBackend('wasm');
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    expect(simdKernels(memory)?.filterGrad).toHaveLength(4);
    expect(simdKernels(memory)?.maxPoolGradRow).toBeTypeOf('function');
    expect(simdKernels(memory)?.addPattern).toBeTypeOf('function');
    expect(simdKernels(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }))).toBeNull();
    expect(simdKernels(undefined)).toBeNull();
  });
});

describe('fast Conv2DBackpropFilter on wasm', () => {
  it.each(convGrid)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const dyShape = dyShapeOf(x, k, strides, pad);
    const inputs = { x: [rand(x, 1), x] as Input, dy: [rand(dyShape, 2), dyShape] as Input };
    const cpu = await matchesCpu('Conv2DBackpropFilter', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k });
    expect(cpu.shape).toEqual(k);
  });
});

describe('Conv2DBackpropFilter as a GEMM (the many-channel path, forced for every shape)', () => {
  const deep: typeof convGrid = [
    { x: [3, 8, 8, 40], k: [3, 3, 40, 48], strides: [1, 1], pad: 'same' }, // CO a multiple of 16: dy in place
    { x: [5, 4, 4, 37], k: [3, 3, 37, 33], strides: [1, 1], pad: 'same' }, // CO padded to 48, KK odd
    { x: [2, 9, 7, 18], k: [3, 3, 18, 35], strides: [2, 2], pad: 'same' }, // stride 2, CI not a multiple of 4
    { x: [3, 8, 8, 24], k: [1, 1, 24, 32], strides: [2, 2], pad: 'valid' }, // ResNet's 1×1 stride-2 shortcut
    { x: [2, 6, 6, 16], k: [3, 3, 16, 64], strides: [1, 1], pad: 'valid' },
  ];
  it.each([...convGrid, ...deep])('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const registered = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    // Chunks of 8 KiB of dy: one image or a few per chunk (x [5, 4, 4, 37]: 2, 2, then a partial 1), accumulated.
    tf.registerKernel({ ...registered, kernelFunc: conv2DBackpropFilterKernel(tf, stockKernels.get('Conv2DBackpropFilter'), { gemm: 'always', gemmChunkBytes: 8192, implicit: 'never' }) });
    try {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { x: [rand(x, 40), x] as Input, dy: [rand(dyShape, 41), dyShape] as Input };
      await matchesCpu('Conv2DBackpropFilter', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k });
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      tf.registerKernel(registered);
    }
  });
});

describe('Conv2DBackpropFilter with the single-tap SIMD loop (multi-tap off)', () => {
  it.each(convGrid)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    await withKernel('Conv2DBackpropFilter', conv2DBackpropFilterKernel(tf, stockKernels.get('Conv2DBackpropFilter'), { multiTap: false, implicit: 'never' }), async () => {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { x: [rand(x, 30), x] as Input, dy: [rand(dyShape, 31), dyShape] as Input };
      await matchesCpu('Conv2DBackpropFilter', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k });
    });
  });
});

describe('fast Conv2DBackpropInput on wasm', () => {
  it.each(convGrid)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const dyShape = dyShapeOf(x, k, strides, pad);
    const inputs = { dy: [rand(dyShape, 3), dyShape] as Input, filter: [rand(k, 4), k] as Input };
    const cpu = await matchesCpu('Conv2DBackpropInput', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x });
    expect(cpu.shape).toEqual(x);
  });
});

describe('Conv2DBackpropInput variants on wasm', () => {
  // Each path of the kernel on every grid shape: the GEMM + col2im forced (also where the forward rewrite is chosen),
  // in chunks of one image, and the forward rewrite alone (the path when the SIMD module is unavailable).
  const variants: [string, Partial<InputGradOptions>][] = [
    ['gemm forced', { forceGemm: true, implicit: false }],
    ['gemm forced, stock BatchMatMul', { forceGemm: true, ownGemm: false, implicit: false }],
    ['gemm forced, gemmPairs (not tiled)', { forceGemm: true, tiled: false, implicit: false }],
    ['tiled gemm for stride-1 same too', { tiledSameFrom: 0, implicit: false }],
    ['gemm, one image per chunk', { forceGemm: true, chunkFloats: 1, implicit: false }],
    ['forward conv only', { gemm: false, implicit: false }],
    ['implicit per phase (strided), as registered', {}],
  ];
  const cases = variants.flatMap(([name, options]) => convGrid.map((g) => ({ name, options, ...g })));
  it.each(cases)('$name matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ options, x, k, strides, pad }) => {
    await withKernel('Conv2DBackpropInput', conv2DBackpropInputKernel(tf, stockKernels.get('Conv2DBackpropInput'), stockKernels.get('BatchMatMul'), options), async () => {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { dy: [rand(dyShape, 21), dyShape] as Input, filter: [rand(k, 22), k] as Input };
      const cpu = await matchesCpu('Conv2DBackpropInput', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x });
      expect(cpu.shape).toEqual(x);
    });
  });
});

describe('fast single-input-channel Conv2D on wasm', () => {
  const cases: { x: number[]; k: number[]; strides: number | [number, number]; pad: Pad; dilations?: number }[] = [
    { x: [3, 28, 28, 1], k: [5, 5, 1, 6], strides: 1, pad: 'same' }, // LeNet-5's first layer
    { x: [1, 28, 28, 1], k: [5, 5, 1, 6], strides: 1, pad: 'valid' },
    { x: [2, 7, 9, 1], k: [3, 3, 1, 6], strides: 1, pad: 'same' }, // six channels, odd width: a last block of one pixel
    { x: [2, 9, 7, 1], k: [3, 3, 1, 4], strides: 1, pad: 'same' },
    { x: [1, 9, 7, 1], k: [3, 2, 1, 5], strides: 1, pad: 'same' },
    { x: [2, 8, 11, 1], k: [4, 3, 1, 16], strides: 1, pad: 'valid' },
    { x: [1, 10, 9, 1], k: [3, 5, 1, 7], strides: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
    { x: [1, 6, 6, 1], k: [2, 2, 1, 9], strides: 1, pad: 'same' }, // even kernel: asymmetric same padding
    { x: [2, 12, 13, 1], k: [7, 7, 1, 12], strides: 1, pad: 'same' },
    { x: [1, 6, 6, 1], k: [6, 6, 1, 8], strides: 1, pad: 'valid' }, // a single output position
    { x: [1, 5, 5, 1], k: [3, 3, 1, 17], strides: 1, pad: 'same' }, // more than 16 outputs: the stock kernel by default
    { x: [1, 5, 6, 1], k: [3, 3, 1, 3], strides: 1, pad: 'same' }, // fewer than 4 outputs: the stock kernel
    { x: [2, 9, 9, 1], k: [3, 3, 1, 6], strides: 2, pad: 'same' }, // stride: the stock kernel
    { x: [1, 9, 9, 1], k: [3, 3, 1, 6], strides: 1, pad: 'valid', dilations: 2 }, // dilation: the stock kernel
    { x: [2, 7, 7, 3], k: [3, 3, 3, 6], strides: 1, pad: 'same' }, // three channels: the stock kernel
  ];
  it.each(cases)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad, dilations }) => {
    const inputs = { x: [rand(x, 26), x] as Input, filter: [rand(k, 27), k] as Input };
    const cpu = await matchesCpu('Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: dilations ?? 1, dimRoundingMode: undefined });
    expect([cpu.shape[0], cpu.shape[3]]).toEqual([x[0], k[3]]);
  });
  it.each(cases)('with the generated loop up to 40 output channels, matches cpu: x $x, filter $k, pad $pad', async ({ x, k, strides, pad, dilations }) => {
    await withKernel('Conv2D', conv2DSingleChannelKernel(tf, stockKernels.get('Conv2D')!, { maxChannels: 40 }), async () => {
      const inputs = { x: [rand(x, 28), x] as Input, filter: [rand(k, 29), k] as Input };
      await matchesCpu('Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: dilations ?? 1, dimRoundingMode: undefined });
    });
  });
});

describe('fast Conv2D as im2col + GEMM on wasm', () => {
  const cases: { x: number[]; k: number[]; strides: number | [number, number]; pad: Pad }[] = [
    { x: [3, 14, 14, 6], k: [5, 5, 6, 16], strides: 1, pad: 'valid' }, // LeNet-5's second layer
    { x: [3, 28, 28, 6], k: [5, 5, 6, 16], strides: 1, pad: 'same' }, // two images per chunk of columns: two chunks
    { x: [1, 7, 9, 3], k: [3, 3, 3, 16], strides: 1, pad: 'same' },
    { x: [2, 6, 5, 16], k: [3, 2, 16, 17], strides: 1, pad: 'same' }, // 17 columns: overlapping last block
    { x: [1, 5, 5, 2], k: [3, 3, 2, 32], strides: 1, pad: 'valid' }, // 9 rows: an odd row count
    { x: [1, 8, 7, 5], k: [2, 3, 5, 20], strides: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
    { x: [2, 9, 8, 6], k: [3, 3, 6, 16], strides: [2, 2], pad: 'same' }, // strided: stock by default
    { x: [1, 9, 9, 4], k: [3, 3, 4, 24], strides: [2, 1], pad: 'valid' },
    { x: [1, 6, 6, 4], k: [3, 3, 4, 12], strides: 1, pad: 'same' }, // fewer than 16 outputs: stock
  ];
  it.each(cases)('matches cpu as registered: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    const inputs = { x: [rand(x, 34), x] as Input, filter: [rand(k, 35), k] as Input };
    await matchesCpu('Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
  });
  it.each(cases)('matches cpu with the GEMM path for every stride: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    await withKernel('Conv2D', conv2DSingleChannelKernel(tf, stockKernels.get('Conv2D')!, { gemmChannels: [16, 64], gemmAnyStride: true, implicit: false }), async () => {
      const inputs = { x: [rand(x, 36), x] as Input, filter: [rand(k, 37), k] as Input };
      await matchesCpu('Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
    });
  });
});

// The tiled GEMM paths (./convgemm.ts) forced for every shape, in small chunks so that several chunks and a partial last
// one run: channel counts that are not multiples of 4 or of the tile's 8 columns, odd row counts, strides 1–3, every
// padding kind.
const tiledGrid: typeof convGrid = [
  ...convGrid,
  { x: [3, 8, 8, 40], k: [3, 3, 40, 48], strides: [1, 1], pad: 'same' },
  { x: [5, 4, 4, 37], k: [3, 3, 37, 33], strides: [1, 1], pad: 'same' },
  { x: [2, 9, 7, 18], k: [3, 3, 18, 35], strides: [2, 2], pad: 'same' },
  { x: [3, 8, 8, 24], k: [1, 1, 24, 32], strides: [2, 2], pad: 'valid' },
  { x: [3, 7, 7, 5], k: [3, 3, 5, 9], strides: [1, 1], pad: 'same' },
  { x: [3, 5, 7, 13], k: [2, 3, 13, 13], strides: [1, 2], pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
];

describe('Conv2DBackpropFilter as the implicit GEMM (forced for every shape)', () => {
  const grid: typeof convGrid = [
    ...tiledGrid,
    { x: [2, 6, 5, 3], k: [3, 3, 3, 8], strides: [1, 1], pad: 'same' }, // 9 taps per kernel row: a 1-tap remainder
    { x: [2, 5, 6, 7], k: [1, 1, 7, 11], strides: [2, 2], pad: 'valid' },
    { x: [1, 9, 10, 4], k: [3, 1, 4, 24], strides: [3, 1], pad: 'same' },
    { x: [3, 6, 6, 16], k: [3, 3, 16, 64], strides: [1, 1], pad: 'same' },
    { x: [2, 4, 4, 2], k: [3, 3, 2, 8], strides: [1, 1], pad: [[0, 0], [3, 2], [4, 1], [0, 0]] },
  ];
  // dyBytes 1: one output row per call (every row a separate accumulation); 1 << 20: whole images.
  const cases = [1, 1 << 20].flatMap((dyBytes) => grid.map((g) => ({ dyBytes, ...g })));
  it.each(cases)('dy chunk $dyBytes bytes: x $x, filter $k, strides $strides, pad $pad', async ({ dyBytes, x, k, strides, pad }) => {
    await withKernel('Conv2DBackpropFilter', (args) => {
      const a = args.attrs as unknown as { strides: [number, number]; pad: Pad; filterShape: number[] };
      const inputs = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const c = tf.backend_util.computeConv2DInfo(inputs.x.shape as [number, number, number, number], a.filterShape as [number, number, number, number],
        a.strides, 1, a.pad as 'same');
      const out = implicitFilterGrad(args.backend as never, inputs.x as never, inputs.dy as never, c, { dyBytes });
      if (!out) throw new Error('implicitFilterGrad refused the layer');
      return out;
    }, async () => {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { x: [rand(x, 61), x] as Input, dy: [rand(dyShape, 62), dyShape] as Input };
      await matchesCpu('Conv2DBackpropFilter', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k });
    });
  });
});

describe('Conv2DBackpropInput of strided convolutions as implicit GEMMs per phase (forced)', () => {
  // At least 8 input channels (dx's columns); strides 2 and 3, unequal; odd and even kernels (phases with no tap at all:
  // the 1×1 stride-2 shortcut); every padding kind, pads past the kernel; widths that leave partial tiles.
  const grid: typeof convGrid = [
    { x: [2, 8, 8, 16], k: [3, 3, 16, 32], strides: [2, 2], pad: 'same' }, // ResNet's stage change
    { x: [2, 8, 8, 16], k: [1, 1, 16, 32], strides: [2, 2], pad: 'valid' }, // its shortcut
    { x: [1, 11, 13, 17], k: [3, 3, 17, 16], strides: [2, 2], pad: 'same' },
    { x: [2, 9, 7, 9], k: [3, 2, 9, 5], strides: [2, 3], pad: 'valid' },
    { x: [1, 10, 9, 8], k: [4, 4, 8, 6], strides: [2, 2], pad: 'same' },
    { x: [2, 9, 10, 13], k: [3, 3, 13, 7], strides: [3, 2], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
    { x: [1, 7, 7, 12], k: [2, 2, 12, 6], strides: [2, 2], pad: [[0, 0], [0, 3], [3, 0], [0, 0]] }, // pads > kernel − 1
    { x: [2, 9, 9, 8], k: [2, 2, 8, 3], strides: [2, 2], pad: 'valid' }, // last row and column in no window
    { x: [1, 12, 11, 10], k: [5, 3, 10, 4], strides: [1, 2], pad: 'same' },
    { x: [3, 6, 6, 24], k: [3, 3, 24, 40], strides: [2, 1], pad: 'same' },
  ];
  it.each(grid)('matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad }) => {
    await withKernel('Conv2DBackpropInput', (args) => {
      const a = args.attrs as unknown as { strides: [number, number]; pad: Pad; inputShape: number[] };
      const inputs = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const c = tf.backend_util.computeConv2DInfo(a.inputShape as [number, number, number, number], inputs.filter.shape as [number, number, number, number],
        a.strides, 1, a.pad as 'same');
      const out = implicitInputGrad(args.backend as never, inputs.dy as never, inputs.filter as never, c);
      if (!out) throw new Error('implicitInputGrad refused the layer');
      return out;
    }, async () => {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { dy: [rand(dyShape, 63), dyShape] as Input, filter: [rand(k, 64), k] as Input };
      const cpu = await matchesCpu('Conv2DBackpropInput', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x });
      expect(cpu.shape).toEqual(x);
    });
  });
});

describe('Conv2DBackpropFilter on the tiled GEMM (forced)', () => {
  const variants = [
    ['in place, small chunks', { dyBytes: 2048, colsBytes: 4096, packAbove: 1 << 30 }],
    ['packed, small chunks', { dyBytes: 2048, colsBytes: 4096, packAbove: 0 }],
    ['one chunk', { dyBytes: 1 << 30, colsBytes: 1 << 30 }],
  ] as const;
  const cases = variants.flatMap(([name, tiledOptions]) => tiledGrid.map((g) => ({ name, tiledOptions, ...g })));
  it.each(cases)('$name matches cpu: x $x, filter $k, strides $strides, pad $pad', async ({ tiledOptions, x, k, strides, pad }) => {
    await withKernel('Conv2DBackpropFilter', conv2DBackpropFilterKernel(tf, stockKernels.get('Conv2DBackpropFilter'), { tiled: 'always', tiledOptions, implicit: 'never' }), async () => {
      const dyShape = dyShapeOf(x, k, strides, pad);
      const inputs = { x: [rand(x, 50), x] as Input, dy: [rand(dyShape, 51), dyShape] as Input };
      await matchesCpu('Conv2DBackpropFilter', inputs, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k });
    });
  });
});

describe('Conv2D and FusedConv2D as the implicit GEMM (as registered)', () => {
  // Widths that leave 1–3 pixels after the 4-pixel tiles, channel counts below, at and past the 8-column panels.
  const grid: typeof convGrid = [
    ...tiledGrid.filter((g) => g.k[3] >= 8 && g.x[3] > 1),
    { x: [2, 6, 5, 3], k: [3, 3, 3, 8], strides: [1, 1], pad: 'same' },
    { x: [2, 5, 6, 7], k: [1, 1, 7, 11], strides: [2, 2], pad: 'valid' },
    { x: [1, 9, 10, 4], k: [3, 1, 4, 24], strides: [3, 1], pad: 'same' },
    { x: [1, 6, 6, 16], k: [3, 3, 16, 64], strides: [1, 1], pad: 'same' },
    { x: [2, 4, 4, 2], k: [3, 3, 2, 8], strides: [1, 1], pad: [[0, 0], [3, 2], [4, 1], [0, 0]] },
  ];
  const cases = grid.flatMap((g) => [
    { ...g, fused: false, activation: 'linear' },
    { ...g, fused: true, activation: 'linear' },
    { ...g, fused: true, activation: 'relu' },
  ]);
  it.each(cases)('fused $fused, $activation: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad, fused, activation }) => {
    const inputs: Record<string, Input> = { x: [rand(x, 56), x], filter: [rand(k, 57), k] };
    if (fused) inputs.bias = [rand([k[3]], 58), [k[3]]];
    await matchesCpu(fused ? 'FusedConv2D' : 'Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation });
  });
  it('leaves dilated convolutions and fewer than 8 output channels to the other paths (still matching cpu)', async () => {
    for (const [x, k, dilations] of [[[1, 9, 9, 4], [3, 3, 4, 16], 2], [[2, 7, 7, 5], [3, 3, 5, 6], 1]] as [number[], number[], number][]) {
      const inputs: Record<string, Input> = { x: [rand(x, 59), x], filter: [rand(k, 60), k] };
      await matchesCpu('Conv2D', inputs, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations, dimRoundingMode: undefined });
    }
  });
});

describe('Conv2D and FusedConv2D on the tiled GEMM (forced)', () => {
  const cases = tiledGrid.filter((g) => g.k[3] >= 8 && g.x[3] > 1).flatMap((g) => [
    { ...g, fused: false, activation: 'linear', chunkFloats: 1 << 18 },
    { ...g, fused: true, activation: 'linear', chunkFloats: 1 }, // one image per chunk
    { ...g, fused: true, activation: 'relu', chunkFloats: 300 },
  ]);
  it.each(cases)('fused $fused, $activation, chunk $chunkFloats: x $x, filter $k, strides $strides, pad $pad', async ({ x, k, strides, pad, fused, activation, chunkFloats }) => {
    const name = fused ? 'FusedConv2D' : 'Conv2D';
    const registered = tf.getKernel(name, 'wasm')!;
    tf.unregisterKernel(name, 'wasm');
    const kernelFunc = fused ? fusedConv2DKernel(tf, stockKernels.get('FusedConv2D')!, { tiled: 'always', chunkFloats })
      : conv2DSingleChannelKernel(tf, stockKernels.get('Conv2D')!, { tiled: 'always', chunkFloats });
    tf.registerKernel({ ...registered, kernelFunc });
    try {
      const inputs: Record<string, Input> = { x: [rand(x, 52), x], filter: [rand(k, 53), k] };
      if (fused) inputs.bias = [rand([k[3]], 54), [k[3]]];
      await matchesCpu(name, inputs, { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation });
    } finally {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(registered);
    }
  });
});

describe('fast BatchMatMul on wasm', () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [64, 40], b: [12, 40], ta: false, tb: true },
    { a: [40, 64], b: [40, 12], ta: true, tb: false },
    { a: [9, 5], b: [11, 9], ta: true, tb: true },
    { a: [8, 120], b: [400, 120], ta: false, tb: true }, // a Dense input gradient: computed as (B·Aᵀ)ᵀ
    { a: [1, 8, 120], b: [1, 400, 120], ta: false, tb: true },
    { a: [1, 33, 17], b: [1, 20, 17], ta: false, tb: true },
    { a: [1, 17, 33], b: [17, 20], ta: true, tb: false },
    { a: [3, 4, 5], b: [3, 6, 5], ta: false, tb: true }, // batched: the stock kernel
  ];
  it.each(cases)('matches cpu: a $a, b $b, transposeA $ta, transposeB $tb', async ({ a, b, ta, tb }) => {
    const inputs = { a: [rand(a, 5), a] as Input, b: [rand(b, 6), b] as Input };
    await matchesCpu('BatchMatMul', inputs, { transposeA: ta, transposeB: tb });
  });
});

describe('fast MaxPoolGrad on wasm', () => {
  const cases: { x: number[]; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 28, 28, 6], size: [2, 2], strides: [2, 2], pad: 'valid' },
    { x: [2, 7, 7, 3], size: [2, 2], strides: [2, 2], pad: 'same' },
    { x: [2, 9, 8, 4], size: [3, 3], strides: [2, 2], pad: 'same' },
    { x: [1, 9, 8, 2], size: [3, 2], strides: [1, 2], pad: 'valid' },
    { x: [2, 6, 6, 5], size: [3, 3], strides: [1, 1], pad: 'same' }, // overlapping windows
    { x: [2, 10, 10, 16], size: [2, 2], strides: [2, 2], pad: 'valid' }, // LeNet's second pool
    { x: [2, 9, 7, 17], size: [2, 2], strides: [2, 2], pad: 'same' }, // partial windows, C = 4·4 + 1
    { x: [1, 8, 8, 5], size: [3, 3], strides: [3, 3], pad: 'same' },
    { x: [1, 6, 9, 4], size: [2, 3], strides: [3, 3], pad: 'valid' }, // gaps between windows
    { x: [2, 4, 4, 3], size: [2, 2], strides: [2, 2], pad: 'valid' }, // C < 4: the scalar loop
    { x: [1, 5, 5, 6], size: [2, 2], strides: [3, 2], pad: 'valid' },
  ];
  it.each(cases)('without the vector loop, matches cpu: x $x, pool $size, strides $strides, pad $pad', async ({ x, size, strides, pad }) => {
    await withKernel('MaxPoolGrad', maxPoolGradKernel(tf, { vectors: false }), async () => {
      const xs = rand(x, 24, 4);
      await tf.setBackend('cpu');
      const y = tf.maxPool(tf.tensor4d(xs, x as [number, number, number, number]), size, strides, pad);
      const inputs = { dy: [rand(y.shape, 25), y.shape] as Input, input: [xs, x] as Input, output: [y.dataSync() as Float32Array, y.shape] as Input };
      y.dispose();
      await matchesCpu('MaxPoolGrad', inputs, { filterSize: size, strides, pad, dimRoundingMode: undefined }, 1e-6);
    });
  });
  it.each(cases)('matches cpu, ties included: x $x, pool $size, strides $strides, pad $pad', async ({ x, size, strides, pad }) => {
    const xs = rand(x, 7, 4); // four levels: most windows hold ties, and the first maximum must win
    await tf.setBackend('cpu');
    const y = tf.maxPool(tf.tensor4d(xs, x as [number, number, number, number]), size, strides, pad);
    const yShape = y.shape;
    const ys = y.dataSync() as Float32Array;
    y.dispose();
    const inputs = { dy: [rand(yShape, 8), yShape] as Input, input: [xs, x] as Input, output: [ys, yShape] as Input };
    const cpu = await matchesCpu('MaxPoolGrad', inputs, { filterSize: size, strides, pad, dimRoundingMode: undefined }, 1e-6);
    expect(cpu.shape).toEqual(x);
  });
});

describe('fast AvgPoolGrad on wasm', () => {
  const cases: { x: number[]; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [3, 8, 8, 6], size: [8, 8], strides: [8, 8], pad: 'valid' }, // a global average pool (ResNet's head)
    { x: [2, 7, 7, 3], size: [2, 2], strides: [2, 2], pad: 'same' }, // partial windows: still ÷ 4, as cpu does
    { x: [2, 9, 8, 5], size: [3, 3], strides: [2, 2], pad: 'same' }, // overlapping windows
    { x: [1, 9, 8, 2], size: [3, 2], strides: [1, 2], pad: 'valid' },
    { x: [1, 6, 9, 17], size: [2, 3], strides: [3, 3], pad: 'valid' }, // gaps between windows
  ];
  it.each(cases)('matches cpu: x $x, pool $size, strides $strides, pad $pad', async ({ x, size, strides, pad }) => {
    const info = tf.backend_util.computePool2DInfo(x as [number, number, number, number], size, strides, 1, pad);
    const dyShape = [x[0], info.outHeight, info.outWidth, x[3]];
    await matchesCpu('AvgPoolGrad', { dy: [rand(dyShape, 61), dyShape] as Input, input: [rand(x, 62), x] as Input }, { filterSize: size, strides, pad }, 1e-6);
  });
});

describe('fast depthwise gradients on wasm', () => {
  const cases: { x: number[]; k: number[]; strides: number; pad: 'same' | 'valid'; dilations: number }[] = [
    { x: [2, 7, 7, 8], k: [3, 3, 8, 1], strides: 1, pad: 'same', dilations: 1 }, // the SIMD path
    { x: [3, 8, 9, 12], k: [3, 3, 12, 1], strides: 2, pad: 'same', dilations: 1 },
    { x: [2, 9, 9, 4], k: [3, 2, 4, 1], strides: 1, pad: 'valid', dilations: 1 }, // (tfjs has no depthwise gradient with dilation)
    { x: [1, 4, 4, 32], k: [5, 5, 32, 1], strides: 1, pad: 'same', dilations: 1 }, // taps hanging over every edge
    { x: [2, 6, 6, 6], k: [3, 3, 6, 1], strides: 1, pad: 'same', dilations: 1 }, // C not a multiple of 4: the JS loops
    { x: [2, 6, 6, 4], k: [3, 3, 4, 2], strides: 1, pad: 'same', dilations: 1 }, // channel multiplier 2: the JS loops
  ];
  it.each(cases)('filter gradient matches cpu: x $x, filter $k, strides $strides, pad $pad, dilation $dilations', async ({ x, k, strides, pad, dilations }) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, dilations, pad, undefined, true);
    const dyShape = [x[0], info.outHeight, info.outWidth, info.outChannels];
    await matchesCpu('DepthwiseConv2dNativeBackpropFilter', { x: [rand(x, 71), x] as Input, dy: [rand(dyShape, 72), dyShape] as Input }, { strides, pad, dilations, filterShape: k });
  });
  it.each(cases)('input gradient matches cpu: x $x, filter $k, strides $strides, pad $pad, dilation $dilations', async ({ x, k, strides, pad, dilations }) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], k as [number, number, number, number], strides, dilations, pad, undefined, true);
    const dyShape = [x[0], info.outHeight, info.outWidth, info.outChannels];
    await matchesCpu('DepthwiseConv2dNativeBackpropInput', { dy: [rand(dyShape, 73), dyShape] as Input, filter: [rand(k, 74), k] as Input }, { strides, pad, dilations, inputShape: x });
  });
});

describe('fast MaxPoolGrad edge values', () => {
  it('gives a window of −∞ no gradient and a tie to its first maximum, as cpu does', async () => {
    const x = new Float32Array([-Infinity, -Infinity, 5, 1, -Infinity, -Infinity, 2, 5]);
    const inputs = { dy: [new Float32Array([10, 20]), [1, 1, 2, 1]] as Input, input: [x, [1, 2, 4, 1]] as Input, output: [new Float32Array([-Infinity, 5]), [1, 1, 2, 1]] as Input };
    const cpu = await matchesCpu('MaxPoolGrad', inputs, { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined }, 1e-6);
    expect(Array.from(cpu.data)).toEqual([0, 0, 20, 0, 0, 0, 0, 0]);
  });

  it('the same with four and five channels (the vector loop): −∞ windows, ties, NaN never the maximum', async () => {
    for (const C of [4, 5]) {
      // One image, 2×4 pixels, C channels; channel k of pixel p holds pattern[p] shifted per channel.
      const patterns = [[-Infinity, -Infinity, -Infinity, -Infinity], [3, 3, 3, 3], [NaN, 1, 2, NaN], [-Infinity, 2, -Infinity, 2]];
      const x = new Float32Array(8 * C);
      for (let p = 0; p < 8; p++) for (let k = 0; k < C; k++) x[p * C + k] = patterns[k % 4][(p % 2) + 2 * Math.floor(p / 4)] ?? 0;
      // Window 1 (pixels 2, 3, 6, 7) holds the same values as window 0 except a larger one at pixel 7.
      for (let k = 0; k < C; k++) x[7 * C + k] = 9;
      await tf.setBackend('cpu');
      const y = tf.maxPool(tf.tensor4d(x, [1, 2, 4, C]), 2, 2, 'valid');
      const dy = new Float32Array(2 * C).map((_, i) => i + 1);
      const inputs = { dy: [dy, y.shape] as Input, input: [x, [1, 2, 4, C]] as Input, output: [y.dataSync() as Float32Array, y.shape] as Input };
      y.dispose();
      const cpu = await matchesCpu('MaxPoolGrad', inputs, { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined }, 1e-6);
      // Channel 0 of window 0 is all −∞: no gradient there.
      expect(cpu.data[0]).toBe(0);
    }
  });
});

describe('fast bias Add on wasm', () => {
  const cases: { a: number[]; b: number[] }[] = [
    { a: [8, 28, 28, 6], b: [6] }, // LeNet's first conv bias (pattern of 12 floats)
    { a: [8, 10, 10, 16], b: [16] },
    { a: [3, 5, 9, 7, 5], b: [5] }, // lcm 20, and a tail after the last whole pattern
    { a: [7], b: [7, 9, 11, 7] }, // bias first
    { a: [64, 120], b: [120] },
    { a: [2, 3], b: [3] }, // small: the stock kernel
    { a: [40, 50, 6], b: [40, 50, 6] }, // not a bias: the stock kernel
    { a: [40, 50, 6], b: [50, 1] },
  ];
  it.each(cases)('matches cpu: a $a + b $b', async ({ a, b }) => {
    await matchesCpu('Add', { a: [rand(a, 19), a] as Input, b: [rand(b, 20), b] as Input }, {}, 1e-6);
  });
});

describe('training batch norm on wasm (its two kernels)', () => {
  /** y, mean, variance and the gradients of Σ y·w with respect to x, γ and β, on one backend. */
  async function bnStep(backend: string, shape: number[]) {
    await tf.setBackend(backend);
    const C = shape[shape.length - 1];
    const x = tf.tensor(rand(shape, 51).map((v) => 3 * v + 2), shape); // mean ≈ 2: E[x²] − mean² must not cancel
    const w = tf.tensor(rand(shape, 52), shape);
    const gamma = tf.tensor1d(rand([C], 53).map((v) => v + 1.5));
    const beta = tf.tensor1d(rand([C], 54));
    const stats: tf.Tensor[] = [];
    const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const r = batchNormTraining(tf, xi, gi as tf.Tensor1D, bi as tf.Tensor1D, 1e-3);
      stats.push(r.mean, r.variance);
      return tf.sum(tf.mul(r.y, w));
    };
    const { value, grads } = tf.valueAndGrads(f)([x, gamma, beta]);
    const y = batchNormTraining(tf, x, gamma, beta, 1e-3);
    const out = [y.y, y.mean, y.variance, ...grads].map((t) => Array.from(t.dataSync()));
    tf.dispose([x, w, gamma, beta, value, ...grads, y.y, y.mean, y.variance, ...stats]);
    return out;
  }
  it('uses the registered kernels on wasm', () => {
    expect(tf.getKernel(BATCH_NORM_TRAIN_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(BATCH_NORM_TRAIN_KERNEL, 'cpu')).toBeUndefined();
  });
  // [3, 7, 17]: a pattern of 68 floats; [5, 3]: 15 floats, a tail after the last whole pattern; [600, 2, 2, 4]: more
  // rows than one float32 block of the SIMD sums.
  const shapes = [[4, 5, 5, 6], [3, 7, 17], [64, 2, 2, 3], [9, 1], [2, 8, 8, 64], [5, 3], [600, 2, 2, 4]];
  it.each(shapes.flatMap((shape) => [true, false].map((simd) => ({ shape, simd }))))('matches the composed ops on cpu: x $shape, SIMD loops $simd', async ({ shape, simd }) => {
    const cpu = await bnStep('cpu', shape);
    const registered = [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL].map((k) => tf.getKernel(k, 'wasm')!);
    for (const k of registered) tf.unregisterKernel(k.kernelName, 'wasm');
    for (const k of batchNormKernelConfigs({ simd })) tf.registerKernel(k);
    try {
      const before = tf.memory().numTensors;
      const wasm = await bnStep('wasm', shape);
      expect(tf.memory().numTensors).toBe(before);
      const names = ['y', 'mean', 'variance', 'dx', 'dγ', 'dβ'];
      for (let i = 0; i < cpu.length; i++) expect(worstRelativeError(wasm[i], cpu[i]), names[i]).toBeLessThan(2e-4);
    } finally {
      for (const k of registered) {
        tf.unregisterKernel(k.kernelName, 'wasm');
        tf.registerKernel(k);
      }
    }
  });
});

describe('fast Mean on wasm', () => {
  const cases: { x: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { x: [8, 7, 7, 6], axis: [0, 1, 2], keepDims: true }, // BatchNorm's batch mean: the fast path
    { x: [4, 5, 5, 17], axis: [0, 1, 2], keepDims: false },
    { x: [64, 10], axis: 0, keepDims: false },
    { x: [5, 4, 3], axis: [0, 2], keepDims: false }, // other reductions: the stock kernel
    { x: [5, 4, 3], axis: -1, keepDims: true },
  ];
  it.each(cases)('matches cpu: x $x, axis $axis, keepDims $keepDims', async ({ x, axis, keepDims }) => {
    await matchesCpu('Mean', { x: [rand(x, 37), x] as Input }, { axis, keepDims }, 1e-6);
  });
});

describe('fast Tile on wasm', () => {
  const cases: { x: number[]; reps: number[] }[] = [
    { x: [1, 1, 1, 6], reps: [4, 5, 3, 1] }, // BatchNorm's gradient: a channel vector to the activation's shape
    { x: [1, 1, 1, 17], reps: [2, 3, 3, 1] },
    { x: [2, 3], reps: [3, 2] },
    { x: [3, 1, 2], reps: [1, 4, 1] },
    { x: [2, 3, 4], reps: [1, 1, 1] }, // a copy
    { x: [5], reps: [7] },
    { x: [2, 2, 3, 5], reps: [2, 1, 3, 2] }, // every axis at once, repeated inside and outside
    { x: [2, 3], reps: [0, 2] }, // empty
  ];
  it.each(cases)('matches cpu: x $x, reps $reps', async ({ x, reps }) => {
    await matchesCpu('Tile', { x: [rand(x, 31), x] as Input }, { reps }, 1e-12);
  });
  it('tiles int32 values exactly', async () => {
    const x: Input = [Int32Array.from([1, -2, 3, 40000]) as unknown as Float32Array, [2, 2]];
    const cpu = await run('cpu', 'Tile', { x }, { reps: [2, 3] });
    const wasm = await run('wasm', 'Tile', { x }, { reps: [2, 3] });
    expect(Array.from(wasm.data)).toEqual(Array.from(cpu.data));
  });
});

describe('fast Sum on wasm', () => {
  const cases: { x: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { x: [8, 7, 7, 6], axis: [0, 1, 2], keepDims: false }, // a conv bias gradient: the fast path
    { x: [8, 7, 7, 6], axis: [2, 0, 1], keepDims: true },
    { x: [64, 10], axis: 0, keepDims: false }, // a dense bias gradient
    { x: [5, 4, 3], axis: [0, 2], keepDims: false }, // other reductions: the stock kernel
    { x: [5, 4, 3], axis: -1, keepDims: false },
    { x: [5, 4, 3], axis: [0, 1, 2], keepDims: false },
    { x: [64, 28, 28, 6], axis: [0, 1, 2], keepDims: false }, // LeNet's conv1 bias gradient: many blocks of chunks
    { x: [3, 5, 7, 17], axis: [0, 1, 2], keepDims: false }, // lcm 68 and a partial chunk
    { x: [1, 9, 9, 1], axis: [0, 1, 2], keepDims: true },
    { x: [2, 3], axis: 0, keepDims: false }, // less than one chunk: the JS tail only
    { x: [1, 5, 5, 16], axis: [0, 1, 2], keepDims: false },
    { x: [33, 120], axis: 0, keepDims: true },
  ];
  it.each(cases)('matches cpu: x $x, axis $axis, keepDims $keepDims', async ({ x, axis, keepDims }) => {
    await matchesCpu('Sum', { x: [rand(x, 18), x] as Input }, { axis, keepDims });
  });
  it.each(cases)('the JS path (no SIMD module) matches cpu: x $x, axis $axis', async ({ x, axis, keepDims }) => {
    await withKernel('Sum', sumKernel(tf, stockKernels.get('Sum')!, { simd: false }), async () => {
      await matchesCpu('Sum', { x: [rand(x, 23), x] as Input }, { axis, keepDims });
    });
  });
});

describe('zero-copy Identity and same-dtype Cast on wasm', () => {
  it('share the buffer, survive the original being disposed, and free it with the last reference', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory();
    const x = tf.tensor2d([1.5, -2, 3, 4], [2, 2]);
    const buffers = tf.engine().backend.numDataIds();
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(buffers); // no new buffers on the wasm heap
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1.5, -2, 3, 4]);
    expect(Array.from(await f.data())).toEqual([1.5, -2, 3, 4]);
    c.dispose();
    expect(Array.from(f.dataSync())).toEqual([1.5, -2, 3, 4]);
    f.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
  });

  it('Cast to another dtype still converts (stock kernel)', async () => {
    const cpu = await matchesCpu('Cast', { x: [new Float32Array([1.7, -2.2, 0, 3]), [4]] }, { dtype: 'int32' });
    expect(Array.from(cpu.data)).toEqual([1, -2, 0, 3]);
  });
});

describe('fast kernels in a training step', () => {
  it('give the same gradients as cpu for a small LeNet-like model (conv, pool, dense)', async () => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(rand([4, 12, 12, 1], 9), [4, 12, 12, 1]);
      const w1 = tf.tensor4d(rand([3, 3, 1, 4], 10), [3, 3, 1, 4]);
      const w2 = tf.tensor4d(rand([3, 3, 4, 5], 11), [3, 3, 4, 5]);
      const w3 = tf.tensor2d(rand([20, 3], 12), [20, 3]);
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h1 = tf.maxPool(tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
        const h2 = tf.maxPool(tf.relu(tf.conv2d(h1, b as tf.Tensor4D, 1, 'valid')), 2, 2, 'same');
        return tf.sum(tf.square(tf.matMul(tf.reshape(h2, [4, 20]), c as tf.Tensor2D)));
      };
      const gs = tf.grads(f)([w1, w2, w3]);
      const out = gs.map((g) => Array.from(g.dataSync()));
      tf.dispose([x, w1, w2, w3, ...gs]);
      return out;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (let i = 0; i < cpu.length; i++) {
      const scale = Math.max(...cpu[i].map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let j = 0; j < cpu[i].length; j++) expect(Math.abs(wasm[i][j] - cpu[i][j])).toBeLessThan(1e-4 * scale);
    }
  });
});

describe('registerFastKernels', () => {
  it('replaces the kernels, is idempotent, and its undo restores the previous ones', () => {
    const ours = FAST_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm'));
    expect(registerFastKernels(tf)).toBe(undo);
    undo();
    const restored = FAST_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm'));
    for (let i = 0; i < ours.length; i++) expect(restored[i]).not.toBe(ours[i]);
    expect(restored.every((k) => k !== undefined)).toBe(true);
    undo = registerFastKernels(tf);
    expect(FAST_KERNEL_NAMES.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)).not.toEqual(restored.map((k) => k?.kernelFunc));
  });
});

describe('fastAdam', () => {
  it('follows tfjs Adam on cpu over several steps (weights, moments, iterations), with the fused kernel on wasm', async () => {
    const trainRun = async (backend: string, make: () => tf.Optimizer) => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor2d(rand([6, 5], 13), [6, 5]), true, `w_${backend}_${make.length}`);
      const b = tf.variable(tf.tensor1d(rand([5], 14)), true, `b_${backend}_${make.length}`);
      const x = tf.tensor2d(rand([8, 6], 15), [8, 6]);
      const opt = make();
      const kernelsBefore = tf.getKernel('ConvasFusedAdam', 'wasm') !== undefined;
      for (let step = 0; step < 5; step++) {
        opt.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar, false, [w, b]);
      }
      const weights = await opt.getWeights();
      const res = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()), moments: weights.slice(1).map((nt) => Array.from(nt.tensor.dataSync())), iterations: weights[0].tensor.dataSync()[0], kernelsBefore };
      opt.dispose();
      tf.dispose([w, b, x, weights[0].tensor]);
      return res;
    };
    const ref = await trainRun('cpu', () => tf.train.adam(0.05));
    // tfjs's own Adam leaves a tensor or two behind per run; the fused one must not leave more.
    let before = tf.memory().numTensors;
    await trainRun('wasm', () => tf.train.adam(0.05));
    const stockLeak = tf.memory().numTensors - before;
    before = tf.memory().numTensors;
    const fused = await trainRun('wasm', () => fastAdam(tf, 0.05));
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(stockLeak);
    expect(fused.kernelsBefore).toBe(true);
    expect(fused.iterations).toBe(ref.iterations);
    const near = (a: number[], b: number[]) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[i])));
    };
    near(fused.w, ref.w);
    near(fused.b, ref.b);
    expect(fused.moments.length).toBe(4);
    fused.moments.forEach((m, i) => near(m, ref.moments[i]));
    // The weights moved: the comparison is not between two untouched copies.
    expect(Math.max(...fused.w.map((v, i) => Math.abs(v - rand([6, 5], 13)[i])))).toBeGreaterThan(0.05);
  });

  it('uses the fused kernel on wasm and tfjs Adam elsewhere, carrying its step count over (bias corrections)', async () => {
    const calls: string[] = [];
    const orig = tf.getKernel('ConvasFusedAdam', 'wasm')!;
    tf.unregisterKernel('ConvasFusedAdam', 'wasm');
    tf.registerKernel({ ...orig, kernelFunc: (a) => (calls.push('fused'), orig.kernelFunc(a)) });
    try {
      const w0 = rand([4], 16);
      const train = async (opt: tf.Optimizer, backends: string[]) => {
        await tf.setBackend(backends[0]);
        const w = tf.variable(tf.tensor1d(w0), true, `w_mixed_${calls.length}_${backends.join('_')}`);
        for (const backend of backends) {
          await tf.setBackend(backend);
          opt.minimize(() => tf.sum(tf.square(tf.sub(w, 0.5))) as tf.Scalar, false, [w]);
        }
        const out = Array.from(w.dataSync());
        w.dispose();
        opt.dispose();
        return out;
      };
      const mixed = await train(fastAdam(tf, 0.1), ['wasm', 'wasm', 'wasm', 'cpu', 'cpu']);
      expect(calls.length).toBe(3);
      const ref = await train(tf.train.adam(0.1), ['cpu', 'cpu', 'cpu', 'cpu', 'cpu']);
      for (let i = 0; i < 4; i++) expect(mixed[i]).toBeCloseTo(ref[i], 5);
    } finally {
      tf.unregisterKernel('ConvasFusedAdam', 'wasm');
      tf.registerKernel(orig);
      await tf.setBackend('wasm');
    }
  });
});
