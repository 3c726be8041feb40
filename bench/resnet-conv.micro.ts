/**
 * ResNet-20's convolutions at batch 64 (forward, input gradient, filter gradient), each kernel's variants timed in
 * interleaved rounds: median CPU ms of ROUNDS (default 7) rounds, GMAC/s, and each variant's largest difference from the
 * first one's output. `npx tsx bench/resnet-conv.micro.ts [label filter]`; TILES=4x2x1,2x4x2 adds implicit-GEMM tiles
 * (MR x NV x U); FWD_ONLY=1 runs vgg-small's and LeNet-5's layers instead (forward and filter gradient).
 */
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const { nodeWasm } = await import('../src/train/wasm/node');
const { registerFastKernels } = await import('../src/train/wasm/fast/index');
const { fusedConv2DKernel } = await import('../src/train/wasm/fast/conv1');
const { conv2DBackpropInputKernel } = await import('../src/train/wasm/fast/conv');
const { implicitConv, implicitFilterGrad } = await import('../src/train/wasm/fast/implicit');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const { convCase, cpuMs, median, RESNET20_CONVS } = await import('./conv-cases');

await nodeWasm(root);
await tf.setBackend('wasm');
const stock: Record<string, tf.KernelConfig> = {};
for (const k of ['FusedConv2D', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul']) stock[k] = tf.getKernel(k, 'wasm')!;
registerFastKernels(tf);
const be = tf.engine().backend as unknown as tf.KernelBackend & { disposeData(id: object): void; readSync(id: object): Float32Array };
const reg = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc;

type V = [string, () => tf.TensorInfo];
function rounds(label: string, macs: number, variants: V[]) {
  if (filter && !label.includes(filter)) return;
  const times = variants.map(() => [] as number[]);
  const outs = variants.map(([, f]) => f());
  const ref = be.readSync(outs[0].dataId) as Float32Array;
  const diffs = outs.map((o) => { const d = be.readSync(o.dataId) as Float32Array; let m = 0; for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i] - ref[i])); return m; });
  outs.forEach((o) => be.disposeData(o.dataId));
  for (let round = 0; round < ROUNDS; round++) {
    variants.forEach(([, f], i) => {
      const t0 = cpuMs();
      be.disposeData(f().dataId);
      times[i].push(cpuMs() - t0);
    });
  }
  console.log(`${label.padEnd(44)} ${variants.map(([v], i) => `${v} ${median(times[i]).toFixed(1)} ms ${(macs / median(times[i]) / 1e6).toFixed(1)}${i ? ` (Δ${diffs[i].toExponential(0)})` : ''}`).join(' | ')}`);
}

const n = 64;
if (process.env.FWD_ONLY) {
  // vgg-small's layers, then LeNet-5's (5×5 'valid'), at batch 64 and one at 256.
  for (const [hw, ci, co, s, k, nb] of [[32, 3, 64, 1, 3, 64], [32, 64, 64, 1, 3, 64], [16, 64, 128, 1, 3, 64], [16, 128, 128, 1, 3, 64], [8, 128, 256, 1, 3, 64],
    [8, 256, 256, 1, 3, 64], [4, 256, 512, 1, 3, 64], [4, 512, 512, 1, 3, 64], [28, 1, 6, 1, 5, 64], [14, 6, 16, 1, 5, 64], [14, 6, 16, 1, 5, 256], [12, 16, 120, 1, 5, 64], [28, 6, 16, 2, 3, 64]]) {
    const { kshape, pad, info, macs, xs, w, bias, dy, tensors } = convCase(tf, [hw, ci, co, s, k], nb, k === 5 ? 'valid' : 'same');
    const fattrs = { strides: s, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation: 'linear' } as unknown as tf.NamedAttrMap;
    const fwd = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, filter: w, bias }, backend: be, attrs: fattrs }) as tf.TensorInfo;
    const wattrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: kshape } as unknown as tf.NamedAttrMap;
    const fil = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, dy }, backend: be, attrs: wattrs }) as tf.TensorInfo;
    rounds(`dw  ${nb}x${hw}x${hw}x${ci}→${co} ${k}x${k} s${s}`, macs, [['registered', fil(reg('Conv2DBackpropFilter'))],
      ['implicit', () => implicitFilterGrad(be as never, xs as never, dy as never, info)!]]);
    rounds(`fwd ${nb}x${hw}x${hw}x${ci}→${co} ${k}x${k} s${s}`, macs, [
      ['old', fwd(fusedConv2DKernel(tf, stock.FusedConv2D))],
      ['stock', fwd(stock.FusedConv2D.kernelFunc)],
      ['implicit', () => implicitConv(be as never, xs as never, w as never, bias as never, info)!],
    ]);
    tf.dispose(tensors);
  }
  process.exit(0);
}
for (const shape of RESNET20_CONVS) {
  const { x, kshape, s, pad, info, macs, xs, w, bias, dy, name, tensors } = convCase(tf, shape, n);
  const fattrs = { strides: s, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation: 'linear' } as unknown as tf.NamedAttrMap;
  const fwd = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, filter: w, bias }, backend: be, attrs: fattrs }) as tf.TensorInfo;
  rounds(`fwd ${name}`, macs, [
    ['old', fwd(fusedConv2DKernel(tf, stock.FusedConv2D))],
    ['implicit', () => implicitConv(be as never, xs as never, w as never, bias as never, info)!],
    ...(process.env.TILES ? process.env.TILES.split(',').map((t) => { const [MR, NV, U = 1] = t.split('x').map(Number);
      return [`implicit ${t}`, () => implicitConv(be as never, xs as never, w as never, bias as never, info, { MR, NV, U })!] as V; }) : []),
  ]);
  {
    const iattrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x } as unknown as tf.NamedAttrMap;
    const inp = (f: tf.KernelFunc) => () => f({ inputs: { dy, filter: w }, backend: be, attrs: iattrs }) as tf.TensorInfo;
    rounds(`dx  ${name}`, macs, [['registered', inp(reg('Conv2DBackpropInput'))],
      ['old', inp(conv2DBackpropInputKernel(tf, stock.Conv2DBackpropInput, stock.BatchMatMul, { implicit: false }))]]);
  }
  const wattrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: kshape } as unknown as tf.NamedAttrMap;
  const fil = (f: tf.KernelFunc) => () => f({ inputs: { x: xs, dy }, backend: be, attrs: wattrs }) as tf.TensorInfo;
  rounds(`dw  ${name}`, macs, [['registered', fil(reg('Conv2DBackpropFilter'))],
    ...[1 << 12, 1 << 14].map((dyBytes) => [`implicit ${dyBytes >> 10}K`, () => implicitFilterGrad(be as never, xs as never, dy as never, info, { dyBytes })!] as V),
    ...(process.env.TILES ? process.env.TILES.split(',').map((t) => { const [MR, NV, U = 1] = t.split('x').map(Number);
      return [`implicit ${t}`, () => implicitFilterGrad(be as never, xs as never, dy as never, info, { tile: { MR, NV, U } })!] as V; }) : []),
  ]);
  tf.dispose(tensors);
}
