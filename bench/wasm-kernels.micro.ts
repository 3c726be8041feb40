/**
 * Micro-benchmark of single fast kernels against their alternatives on LeNet-5's shapes (CPU time per call, best of a
 * few rounds). Run with `npx tsx bench/wasm-kernels.micro.ts [filter]`; not part of the test suite.
 */
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from '../src/train/wasm/node';
import { registerFastKernels } from '../src/train/wasm/fast/index';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from '../src/train/wasm/fast/conv';
import { sumKernel } from '../src/train/wasm/fast/reduce';
import { conv2DSingleChannelKernel, fusedConv2DKernel } from '../src/train/wasm/fast/conv1';
import { maxPoolGradKernel } from '../src/train/wasm/fast/pool';

// Relaxed SIMD (fused multiply-add) as in Chrome ≥ 114; CONVAS_BENCH_RELAXED=0 measures without it.
if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2] ?? '';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best-of-5 mean CPU ms per call of `f`, which returns tensors to dispose. */
function time(label: string, f: () => tf.Tensor | tf.TensorInfo, reps = 20): void {
  if (only && !label.includes(only)) return;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) {
      const out = f();
      if (out instanceof tf.Tensor) out.dispose();
      else tf.engine().backend.disposeData(out.dataId);
    }
    best = Math.min(best, (cpuMs() - t0) / reps);
  }
  console.log(`${label.padEnd(70)} ${best.toFixed(3)} ms`);
}

/**
 * `npx tsx bench/wasm-kernels.micro.ts cnn [filter]`: the conv shapes of vgg-small and resnet-cifar at batch 64, each
 * kernel's variants measured in interleaved rounds (best CPU time of 5), printed as GMAC/s.
 */
async function cnnShapes(be: tf.KernelBackend, stock: Record<string, tf.KernelConfig>) {
  const filter = process.argv[3] ?? '';
  type Case = { x: [number, number, number, number]; k: [number, number, number, number]; s: number; pad: 'same' | 'valid' };
  const cases: Case[] = [];
  const n = 64;
  for (const [hw, ci, co] of [[32, 3, 64], [32, 64, 64], [16, 64, 128], [16, 128, 128], [8, 128, 256], [8, 256, 256], [4, 256, 512], [4, 512, 512]]) {
    cases.push({ x: [n, hw, hw, ci], k: [3, 3, ci, co], s: 1, pad: 'same' });
  }
  for (const [hw, ci, co, s, k] of [[32, 3, 16, 1, 3], [32, 16, 16, 1, 3], [32, 16, 32, 2, 3], [32, 16, 32, 2, 1], [16, 32, 32, 1, 3], [16, 32, 64, 2, 3], [16, 32, 64, 2, 1], [8, 64, 64, 1, 3]]) {
    cases.push({ x: [n, hw, hw, ci], k: [k, k, ci, co], s, pad: k === 1 ? 'valid' : 'same' });
  }
  const rounds = (label: string, macs: number, variants: [string, () => tf.TensorInfo][]) => {
    if (filter && !label.includes(filter)) return;
    const best = variants.map(() => Infinity);
    const once = (f: () => tf.TensorInfo) => be.disposeData(f().dataId);
    for (const [, f] of variants) { once(f); once(f); }
    for (let round = 0; round < 5; round++) {
      variants.forEach(([, f], i) => {
        const reps = 2;
        const t0 = cpuMs();
        for (let r = 0; r < reps; r++) once(f);
        best[i] = Math.min(best[i], (cpuMs() - t0) / reps);
      });
    }
    console.log(`${label.padEnd(52)} ${variants.map(([v], i) => `${v} ${best[i].toFixed(1)} ms ${(macs / best[i] / 1e6).toFixed(1)}`).join(' | ')}`);
  };
  for (const { x, k, s, pad } of cases) {
    const info = tf.backend_util.computeConv2DInfo(x, k, s, 1, pad);
    const dyShape = [x[0], info.outHeight, info.outWidth, k[3]];
    const macs = x[0] * info.outHeight * info.outWidth * k[0] * k[1] * k[2] * k[3];
    const xs = tf.randomNormal(x);
    const w = tf.randomNormal(k);
    const bias = tf.randomNormal([k[3]]);
    const dy = tf.randomNormal(dyShape);
    const name = `x[${x}] k[${k}] s${s} ${pad}`;
    const fattrs = { strides: s, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation: 'linear' } as unknown as tf.NamedAttrMap;
    const fwd = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, filter: w, bias }, backend: be, attrs: fattrs }) as tf.TensorInfo;
    rounds(`FusedConv2D ${name}`, macs, [
      ['stock', fwd(stock.FusedConv2D.kernelFunc)],
      ['tiled', fwd(fusedConv2DKernel(tf, stock.FusedConv2D, { tiled: 'always' }))],
    ]);
    if (k[2] > 3) {
      const iattrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x } as unknown as tf.NamedAttrMap;
      const inp = (f: tf.KernelFunc) => () => f({ inputs: { dy, filter: w }, backend: be, attrs: iattrs }) as tf.TensorInfo;
      rounds(`Conv2DBackpropInput ${name}`, macs, [
        ['before', inp(conv2DBackpropInputKernel(tf, stock.Conv2DBackpropInput, stock.BatchMatMul, { tiled: false }))],
        ['tiled', inp(conv2DBackpropInputKernel(tf, stock.Conv2DBackpropInput, stock.BatchMatMul, { tiled: true, tiledSameFrom: 0 }))],
      ]);
    }
    const wattrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k } as unknown as tf.NamedAttrMap;
    const fil = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, dy }, backend: be, attrs: wattrs }) as tf.TensorInfo;
    rounds(`Conv2DBackpropFilter ${name}`, macs, [
      ['before', fil(conv2DBackpropFilterKernel(tf, stock.Conv2DBackpropFilter, { tiled: 'never' }))],
      ['tiled', fil(conv2DBackpropFilterKernel(tf, stock.Conv2DBackpropFilter, { tiled: 'always' }))],
      ['tiled packed', fil(conv2DBackpropFilterKernel(tf, stock.Conv2DBackpropFilter, { tiled: 'always', tiledOptions: { packAbove: 0 } }))],
    ]);
    tf.dispose([xs, w, bias, dy]);
  }
}

async function main() {
  await nodeWasm(root);
  await tf.setBackend('wasm');
  if (process.argv[2] === 'cnn') {
    const stock: Record<string, tf.KernelConfig> = {};
    for (const k of ['FusedConv2D', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul']) stock[k] = tf.getKernel(k, 'wasm')!;
    registerFastKernels(tf);
    await cnnShapes(tf.engine().backend, stock);
    return;
  }
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm')!;
  const stockSum = tf.getKernel('Sum', 'wasm')!;
  const stockConv = tf.getKernel('Conv2D', 'wasm')!;
  const stockPool = tf.getKernel('MaxPoolGrad', 'wasm');
  registerFastKernels(tf);
  const be = tf.engine().backend;
  const convCases: { x: [number, number, number, number]; k: [number, number, number, number]; s: number; pad: 'same' | 'valid' }[] = [];
  for (const n of [64, 256]) {
    convCases.push({ x: [n, 14, 14, 6], k: [5, 5, 6, 16], s: 1, pad: 'valid' });
    convCases.push({ x: [n, 28, 28, 6], k: [5, 5, 6, 16], s: 1, pad: 'same' });
    convCases.push({ x: [n, 28, 28, 6], k: [3, 3, 6, 16], s: 2, pad: 'same' });
  }
  for (const { x, k, s, pad } of convCases) {
    const info = tf.backend_util.computeConv2DInfo(x, k, s, 1, pad);
    const dy = tf.randomNormal([x[0], info.outHeight, info.outWidth, k[3]]);
    const w = tf.randomNormal(k);
    const attrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x } as unknown as tf.NamedAttrMap;
    const run = (f: tf.KernelFunc) => () => f({ inputs: { dy, filter: w }, backend: be, attrs }) as tf.TensorInfo;
    const name = `Conv2DBackpropInput x[${x}] k[${k}] s${s} ${pad}`;
    time(`${name} forward-conv`, run(conv2DBackpropInputKernel(tf, stockInput, stockMatMul, { gemm: false })));
    for (let round = 0; round < 2; round++) {
      time(`${name} XNNPACK gemm`, run(conv2DBackpropInputKernel(tf, stockInput, stockMatMul, { ownGemm: false })));
      time(`${name} own gemm`, run(conv2DBackpropInputKernel(tf, stockInput, stockMatMul, { ownGemm: true })));
    }
    tf.dispose([dy, w]);
  }
  for (const n of [64, 256]) {
    for (const [xs, ks, pad] of [[[n, 28, 28, 1], [5, 5, 1, 6], 'same'], [[n, 14, 14, 6], [5, 5, 6, 16], 'valid'], [[n, 16, 16, 16], [3, 3, 16, 32], 'same']] as
      [[number, number, number, number], [number, number, number, number], 'same' | 'valid'][]) {
      const info = tf.backend_util.computeConv2DInfo(xs, ks, 1, 1, pad);
      // Eight input pairs in turn, so they are not in cache (as in a training step).
      const xsList = Array.from({ length: 8 }, () => tf.randomNormal(xs));
      const dys = Array.from({ length: 8 }, () => tf.randomNormal([n, info.outHeight, info.outWidth, ks[3]]));
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: ks } as unknown as tf.NamedAttrMap;
      let turn = 0;
      const run = (f: tf.KernelFunc) => () => f({ inputs: { x: xsList[turn % 8], dy: dys[turn++ % 8] }, backend: be, attrs }) as tf.TensorInfo;
      for (let round = 0; round < 2; round++) {
        time(`Conv2DBackpropFilter x[${xs}] k[${ks}] ${pad} single-tap`, run(conv2DBackpropFilterKernel(tf, undefined, { multiTap: false })));
        for (const maxAccumulators of [4, 6, 8]) {
          time(`Conv2DBackpropFilter x[${xs}] k[${ks}] ${pad} multi-tap, ${maxAccumulators} acc`, run(conv2DBackpropFilterKernel(tf, undefined, { maxAccumulators })));
        }
      }
      tf.dispose([...xsList, ...dys]);
    }
  }
  for (const shape of [[64, 28, 28, 6], [64, 10, 10, 16], [256, 28, 28, 6], [256, 10, 10, 16]]) {
    const x = tf.randomNormal(shape);
    const attrs = { axis: [0, 1, 2], keepDims: false } as unknown as tf.NamedAttrMap;
    const run = (f: tf.KernelFunc) => () => f({ inputs: { x }, backend: be, attrs }) as tf.TensorInfo;
    time(`Sum [${shape}] stock`, run(stockSum.kernelFunc));
    time(`Sum [${shape}] strided JS`, run(sumKernel(tf, stockSum, { simd: false })));
    time(`Sum [${shape}] SIMD`, run(sumKernel(tf, stockSum)));
    x.dispose();
  }
  for (const shape of [[64, 28, 28, 6], [64, 10, 10, 16], [256, 28, 28, 6], [256, 10, 10, 16]] as [number, number, number, number][]) {
    const x = tf.randomNormal(shape) as tf.Tensor4D;
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.randomNormal(y.shape);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
    const run = (f: tf.KernelFunc) => () => f({ inputs: { dy, input: x, output: y }, backend: be, attrs }) as tf.TensorInfo;
    if (stockPool) time(`MaxPoolGrad [${shape}] stock`, run(stockPool.kernelFunc));
    time(`MaxPoolGrad [${shape}] scalar wasm`, run(maxPoolGradKernel(tf, { vectors: false })));
    time(`MaxPoolGrad [${shape}] SIMD`, run(maxPoolGradKernel(tf)));
    tf.dispose([x, y, dy]);
  }
  for (const n of [64, 256]) {
    const extra = process.argv[3] ? [4, 5, 8, 10, 12, 16].map((co) => [[n, 28, 28, 1], [5, 5, 1, co], 'same']) : [];
    for (const [xs, ks, pad] of [[[n, 28, 28, 1], [5, 5, 1, 6], 'same'], ...extra, [[n, 32, 32, 1], [3, 3, 1, 16], 'same'], [[n, 28, 28, 1], [3, 3, 1, 8], 'valid']] as
      [number[], number[], 'same' | 'valid'][]) {
      // Eight inputs in turn, so the input is not in cache (as in a training step).
      const xsList = Array.from({ length: 8 }, () => tf.randomNormal(xs));
      const w = tf.randomNormal(ks);
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      let turn = 0;
      const run = (f: tf.KernelFunc) => () => f({ inputs: { x: xsList[turn++ % 8], filter: w }, backend: be, attrs }) as tf.TensorInfo;
      time(`Conv2D [${xs}]x[${ks}] ${pad} stock`, run(stockConv.kernelFunc));
      time(`Conv2D [${xs}]x[${ks}] ${pad} single-channel`, run(conv2DSingleChannelKernel(tf, stockConv)));
      time(`Conv2D [${xs}]x[${ks}] ${pad} stock (again)`, run(stockConv.kernelFunc));
      tf.dispose([...xsList, w]);
    }
  }
  for (const n of [64, 256]) {
    for (const [xs, ks, pad, s] of [[[n, 14, 14, 6], [5, 5, 6, 16], 'valid', 1], [[n, 16, 16, 16], [3, 3, 16, 16], 'same', 1], [[n, 32, 32, 3], [3, 3, 3, 16], 'same', 1],
      [[n, 16, 16, 16], [3, 3, 16, 32], 'same', 1], [[n, 28, 28, 6], [3, 3, 6, 16], 'same', 2]] as [number[], number[], 'same' | 'valid', number][]) {
      const xsList = Array.from({ length: 8 }, () => tf.randomNormal(xs));
      const w = tf.randomNormal(ks);
      const attrs = { strides: s, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      let turn = 0;
      const run = (f: tf.KernelFunc) => () => f({ inputs: { x: xsList[turn++ % 8], filter: w }, backend: be, attrs }) as tf.TensorInfo;
      for (let round = 0; round < 2; round++) {
        time(`Conv2D [${xs}]x[${ks}] s${s} ${pad} stock`, run(stockConv.kernelFunc));
        time(`Conv2D [${xs}]x[${ks}] s${s} ${pad} im2col + gemmPairs`, run(conv2DSingleChannelKernel(tf, stockConv, { gemmChannels: [16, 64], tiled: 'never' })));
        time(`Conv2D [${xs}]x[${ks}] s${s} ${pad} im2col + tiled GEMM`, run(conv2DSingleChannelKernel(tf, stockConv, { tiled: 'always' })));
      }
      tf.dispose([...xsList, w]);
    }
  }
  for (const [m, k, n] of [[6400, 16, 150], [25600, 16, 150]]) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    time(`stock BatchMatMul [${m},${k}]x[${k},${n}]`, () => stockMatMul.kernelFunc({ inputs: { a, b }, backend: be, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo);
    tf.dispose([a, b]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
