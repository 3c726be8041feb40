import type * as tfjs from '@tensorflow/tfjs';
import { product, type Tf } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';
import { simdKernels, type SimdKernels } from './simd';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Chunks summed in float32 before a block's partial sums are added up in float64 (bounds the rounding error). */
const BLOCK_CHUNKS = 1024;

/**
 * Column sums of x viewed as [rows, C], in one pass: the SIMD loop adds whole chunks of lcm(C, 4) floats (the channel
 * pattern repeats every chunk, so every vector lane stays on one channel) into as many accumulators, block by block;
 * each block's accumulators are folded into the C channels in float64, and the tail of a partial chunk in JS.
 */
function sumRowsSimd(be: WasmBackend, x: TensorInfo, out: TensorInfo, C: number, sumPattern: SimdKernels['sumPattern']): void {
  const P = (C * 4) / gcd(C, 4);
  const acc = be.makeOutput([P], 'float32');
  const n = product(x.shape);
  const chunks = Math.floor(n / P);
  const totals = new Float64Array(C);
  const xOff = offsetOf(be, x);
  const accOff = offsetOf(be, acc);
  for (let c0 = 0; c0 < chunks; c0 += BLOCK_CHUNKS) {
    const cn = Math.min(BLOCK_CHUNKS, chunks - c0);
    const as = be.typedArrayFromHeap(acc);
    as.fill(0);
    sumPattern(xOff + c0 * P * 4, accOff, cn, P / 4);
    for (let j = 0; j < P; j++) totals[j % C] += as[j];
  }
  const xs = be.typedArrayFromHeap(x);
  for (let i = chunks * P; i < n; i++) totals[i % C] += xs[i];
  be.typedArrayFromHeap(out).set(totals);
  be.disposeData(acc.dataId);
}

/**
 * `Sum` over every axis but the last, the bias gradient of each Conv2D and Dense layer (dy summed over batch and
 * positions). The stock wasm kernel first transposes the reduced axes innermost (a full copy of dy); this reads dy
 * in place: with the SIMD module in one pass ({@link sumRowsSimd}), else one strided JS pass per channel. Any other
 * reduction goes to the stock kernel.
 */
export function sumKernel(tf: Tf, stock: tfjs.KernelConfig, options: { simd?: boolean } = {}): tfjs.KernelFunc {
  const useSimd = options.simd ?? true;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const leading = r >= 2 && axes.length === r - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock.kernelFunc(args);
    const be = backend as unknown as WasmBackend;
    const C = x.shape[r - 1];
    const out = be.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C], 'float32');
    const simd = useSimd ? simdKernels(heapOf(be)) : null;
    if (simd) {
      sumRowsSimd(be, x, out, C, simd.sumPattern);
      return out;
    }
    const xs = be.typedArrayFromHeap(x);
    const os = be.typedArrayFromHeap(out);
    // Per channel, a strided pass with four independent running sums (the add latency, not the loads, bounds a
    // single chain).
    const n = xs.length;
    const step = 4 * C;
    for (let c = 0; c < C; c++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = c;
      for (; i + 3 * C < n; i += step) {
        s0 += xs[i];
        s1 += xs[i + C];
        s2 += xs[i + 2 * C];
        s3 += xs[i + 3 * C];
      }
      for (; i < n; i += C) s0 += xs[i];
      os[c] = s0 + s1 + (s2 + s3);
    }
    return out;
  };
}

/**
 * `Mean` over every axis but the last (BatchNorm's batch statistics, twice per layer and step): the {@link sumKernel}
 * pass divided by the count, instead of the stock kernel's transpose and reduction. Any other mean goes to `stock`.
 */
export function meanKernel(tf: Tf, stockMean: tfjs.KernelConfig, sum: tfjs.KernelFunc): tfjs.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis } = args.attrs as unknown as { axis: number | number[] };
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const leading = r >= 2 && axes.length === r - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stockMean.kernelFunc(args);
    const out = sum(args) as TensorInfo;
    const os = (args.backend as unknown as WasmBackend).typedArrayFromHeap(out);
    const count = product(x.shape) / x.shape[r - 1];
    for (let c = 0; c < os.length; c++) os[c] /= count;
    return out;
  };
}
