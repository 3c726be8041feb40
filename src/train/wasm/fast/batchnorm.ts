import type * as tfjs from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, type BatchNormTrainAttrs } from '../../../../nodes/lib/batchnorm';
import type { TensorInfo, WasmBackend } from '../backend-types';
import { batchNormSimd, type BatchNormSimd } from './batchnorm-simd';
import { heapOf, offsetOf } from './heap';

/**
 * The wasm kernels of nodes/lib/batchnorm.ts' training batch norm: two passes over the activation forward (per-channel
 * sums of x and x², then y = x · a + b), two backward (per-channel Σdy and Σdy · x, then dx = dy · p + x · q + r), in
 * place of about twenty stock kernels. The passes run in the SIMD loops of ./batchnorm-simd.ts (plain JS loops when
 * the engine has none); sums are folded into float64 every few hundred rows, so E[x²] − mean² stays accurate, and a
 * channel whose variance rounds below zero gets zero.
 */

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
/** Pattern chunks summed in float32 before they are folded into the float64 totals. */
const BLOCK_CHUNKS = 256;

/** Options of the kernels (tests force the JS loops). */
export interface BatchNormOptions { simd: boolean }

/** Per-channel sums Σa and Σa·b over rows of C (b = a when `b` is null): float64 totals. */
function channelSums(be: WasmBackend, simd: BatchNormSimd | null, a: TensorInfo, b: TensorInfo | null, C: number): [Float64Array, Float64Array] {
  const s1 = new Float64Array(C);
  const s2 = new Float64Array(C);
  const n = a.shape.reduce((x, y) => x * y, 1);
  let done = 0;
  if (simd) {
    const P = (C * 4) / gcd(C, 4);
    const chunks = Math.floor(n / P);
    const acc = be.makeOutput([2 * P], 'float32');
    const accOff = offsetOf(be, acc);
    const aOff = offsetOf(be, a);
    const bOff = b ? offsetOf(be, b) : 0;
    for (let c0 = 0; c0 < chunks; c0 += BLOCK_CHUNKS) {
      const cn = Math.min(BLOCK_CHUNKS, chunks - c0);
      const A = be.typedArrayFromHeap(acc);
      A.fill(0);
      if (b) simd.sumDot(aOff + c0 * P * 4, bOff + c0 * P * 4, accOff, accOff + P * 4, cn, P / 4);
      else simd.sumSq(aOff + c0 * P * 4, accOff, accOff + P * 4, cn, P / 4);
      for (let j = 0; j < P; j++) {
        s1[j % C] += A[j];
        s2[j % C] += A[P + j];
      }
    }
    be.disposeData(acc.dataId);
    done = chunks * P;
  }
  const AV = be.typedArrayFromHeap(a);
  const BV = b ? be.typedArrayFromHeap(b) : AV;
  for (let i = done; i < n; i++) {
    const c = i % C;
    s1[c] += AV[i];
    s2[c] += AV[i] * BV[i];
  }
  return [s1, s2];
}

/**
 * out = x · q + r, or out = dy · p + x · q + r when `dy` is given, with per-channel coefficients.
 */
function affine(be: WasmBackend, simd: BatchNormSimd | null, out: TensorInfo, x: TensorInfo, q: Float64Array, r: Float64Array, dy?: TensorInfo, p?: Float64Array): void {
  const C = q.length;
  const n = x.shape.reduce((a, b) => a * b, 1);
  let done = 0;
  if (simd) {
    const P = (C * 4) / gcd(C, 4);
    const chunks = Math.floor(n / P);
    const coef = be.makeOutput([3 * P], 'float32');
    const K = be.typedArrayFromHeap(coef);
    for (let j = 0; j < P; j++) {
      K[j] = p ? p[j % C] : 0;
      K[P + j] = q[j % C];
      K[2 * P + j] = r[j % C];
    }
    const k = offsetOf(be, coef);
    if (dy && p) simd.affine2(offsetOf(be, dy), offsetOf(be, x), k, k + P * 4, k + 2 * P * 4, offsetOf(be, out), chunks, P / 4);
    else simd.affine(offsetOf(be, x), k + P * 4, k + 2 * P * 4, offsetOf(be, out), chunks, P / 4);
    be.disposeData(coef.dataId);
    done = chunks * P;
  }
  const O = be.typedArrayFromHeap(out);
  const X = be.typedArrayFromHeap(x);
  const D = dy ? be.typedArrayFromHeap(dy) : null;
  for (let i = done; i < n; i++) {
    const c = i % C;
    O[i] = (D && p ? D[i] * p[c] : 0) + X[i] * q[c] + r[c];
  }
}

export function batchNormTrainKernel(options: Partial<BatchNormOptions> = {}): tfjs.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const simd = options.simd === false ? null : batchNormSimd(heapOf(be));
    const C = x.shape[x.shape.length - 1];
    const M = x.shape.reduce((a, b) => a * b, 1) / C;
    const y = be.makeOutput(x.shape, 'float32');
    const mean = be.makeOutput([C], 'float32');
    const variance = be.makeOutput([C], 'float32');
    const [s1, s2] = channelSums(be, simd, x, null, C);
    const G = be.typedArrayFromHeap(gamma);
    const B = be.typedArrayFromHeap(beta);
    const mv = be.typedArrayFromHeap(mean);
    const vv = be.typedArrayFromHeap(variance);
    const a = new Float64Array(C);
    const b = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const m = s1[c] / M;
      const v = Math.max(0, s2[c] / M - m * m);
      mv[c] = m;
      vv[c] = v;
      a[c] = G[c] / Math.sqrt(v + epsilon);
      b[c] = B[c] - m * a[c];
    }
    affine(be, simd, y, x, a, b);
    return [y, mean, variance];
  };
}

export function batchNormTrainGradKernel(options: Partial<BatchNormOptions> = {}): tfjs.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as WasmBackend;
    const { dy, x, mean, variance, gamma } = inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; gamma: TensorInfo };
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const simd = options.simd === false ? null : batchNormSimd(heapOf(be));
    const C = x.shape[x.shape.length - 1];
    const M = x.shape.reduce((a, b) => a * b, 1) / C;
    const dx = be.makeOutput(x.shape, 'float32');
    const dGamma = be.makeOutput([C], 'float32');
    const dBeta = be.makeOutput([C], 'float32');
    const [sdy, sdyx] = channelSums(be, simd, dy, x, C);
    const MV = be.typedArrayFromHeap(mean);
    const VV = be.typedArrayFromHeap(variance);
    const G = be.typedArrayFromHeap(gamma);
    const dg = be.typedArrayFromHeap(dGamma);
    const db = be.typedArrayFromHeap(dBeta);
    const p = new Float64Array(C);
    const q = new Float64Array(C);
    const r = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const is = 1 / Math.sqrt(VV[c] + epsilon);
      const m = MV[c];
      // dγ = Σdy · x̂ = is · (Σdy · x − mean · Σdy)
      const gHat = is * (sdyx[c] - m * sdy[c]);
      dg[c] = gHat;
      db[c] = sdy[c];
      // dx = γ · is · (dy − Σdy / M − x̂ · dγ / M), x̂ = (x − mean) · is
      const k = G[c] * is;
      p[c] = k;
      q[c] = (-k * is * gHat) / M;
      r[c] = (-k * sdy[c]) / M + (k * is * gHat * m) / M;
    }
    affine(be, simd, dx, x, q, r, dy, p);
    return [dx, dGamma, dBeta];
  };
}

export function batchNormKernelConfigs(options: Partial<BatchNormOptions> = {}): tfjs.KernelConfig[] {
  return [
    { kernelName: BATCH_NORM_TRAIN_KERNEL, backendName: 'wasm', kernelFunc: batchNormTrainKernel(options) },
    { kernelName: BATCH_NORM_TRAIN_GRAD_KERNEL, backendName: 'wasm', kernelFunc: batchNormTrainGradKernel(options) },
  ];
}
