/**
 * ResNet-20's convolutions at batch 64, each kernel (forward, input gradient, filter gradient) as registered by the base
 * commit's fast kernels and by this checkout's, alternated in rounds (median CPU ms, GMAC/s). The base's src/ and
 * nodes/ go in a directory inside this checkout (as for bench/kernels-ab.bench.ts):
 * `CONVAS_AB_BASE=.base npx tsx bench/resnet-conv-ab.micro.ts [label filter]`.
 */
import { setFlagsFromString } from 'node:v8';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from '../src/train/wasm/node';
import { registerFastKernels } from '../src/train/wasm/fast/index';
import { convCase, cpuMs, median, RESNET20_CONVS } from './conv-cases';

if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = process.env.CONVAS_AB_BASE;
if (!base) throw new Error('CONVAS_AB_BASE: a directory holding the base commit\'s src/ and nodes/');
const filter = process.argv[2] ?? '';
const ROUNDS = Number(process.env.ROUNDS ?? 15);

async function main() {
  const baseIndex = (await import(resolve(base!, 'src/train/wasm/fast/index.ts'))) as { registerFastKernels: typeof registerFastKernels };
  await nodeWasm(root);
  await tf.setBackend('wasm');
  const be = tf.engine().backend as tf.KernelBackend & { disposeData(id: object): void };
  const sides = { base: baseIndex.registerFastKernels, new: registerFastKernels };
  const n = 64;
  for (const shape of RESNET20_CONVS) {
    const { x, kshape, s, pad, macs, xs, w, bias, dy, name: shapeName, tensors } = convCase(tf, shape, n);
    const kernels: [string, string, object, tf.NamedAttrMap][] = [
      ['fwd', 'FusedConv2D', { x: xs, filter: w, bias }, { strides: s, pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' } as unknown as tf.NamedAttrMap],
      ['dx ', 'Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad, dataFormat: 'NHWC', inputShape: x } as unknown as tf.NamedAttrMap],
      ['dw ', 'Conv2DBackpropFilter', { x: xs, dy }, { strides: s, pad, dataFormat: 'NHWC', filterShape: kshape } as unknown as tf.NamedAttrMap],
    ];
    for (const [label, name, inputs, attrs] of kernels) {
      const full = `${label} ${shapeName}`;
      if (filter && !full.includes(filter)) continue;
      const times = { base: [] as number[], new: [] as number[] };
      for (let round = -1; round < ROUNDS; round++) {
        for (const side of (round % 2 ? ['base', 'new'] : ['new', 'base']) as ('base' | 'new')[]) {
          const undo = sides[side](tf);
          const f = tf.getKernel(name, 'wasm')!.kernelFunc;
          const run = () => be.disposeData((f({ inputs: inputs as tf.NamedTensorInfoMap, backend: be, attrs }) as tf.TensorInfo).dataId);
          run();
          const t0 = cpuMs();
          run();
          if (round >= 0) times[side].push(cpuMs() - t0);
          undo();
        }
      }
      const b = median(times.base);
      const m = median(times.new);
      console.log(`${full.padEnd(32)} base ${b.toFixed(1).padStart(5)} ms ${(macs / b / 1e6).toFixed(1).padStart(5)} GMAC/s | new ${m.toFixed(1).padStart(5)} ms ${(macs / m / 1e6).toFixed(1).padStart(5)} GMAC/s | ${(b / m).toFixed(2)}×`);
    }
    tf.dispose(tensors);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
