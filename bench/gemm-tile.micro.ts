/**
 * Raw GEMM micro-kernels on a plain wasm memory (no tfjs): the tile geometries of src/train/wasm/fast/gemm.ts against
 * gemmPairs, on the products the convolutions make (GMAC/s of CPU time, best of rounds). `npx tsx bench/gemm-tile.micro.ts`.
 */
import { setFlagsFromString } from 'node:v8';
if (process.env.CONVAS_BENCH_RELAXED !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const { gemmFor, runGemm, packB } = await import('../src/train/wasm/fast/gemm');
const { simdKernels } = await import('../src/train/wasm/fast/simd');

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const mem = new WebAssembly.Memory({ initial: 3200 });
const f = new Float32Array(mem.buffer);
for (let i = 0; i < f.length; i++) f[i] = (i % 97) * 0.01;
const simd = simdKernels(mem)!;

// [M, K, N]: forward (M pixels, K = KK, N = CO), input grad (K = CO, N = KK), filter grad (M = CO, K = pixels, N = KK)
const shapes: [string, number, number, number][] = [
  ['vgg fwd 32x32x64', 1024 * 4, 576, 64],
  ['vgg fwd 8x8x256', 64 * 16, 2304, 256],
  ['vgg fwd 4x4x512', 16 * 64, 4608, 512],
  ['res fwd 32x32x16', 1024 * 4, 144, 16],
  ['res fwd 16x16x32', 256 * 8, 288, 32],
  ['vgg dx 16x16x128', 256 * 4, 128, 1152],
  ['res dx 32x32x16', 1024 * 4, 16, 144],
  ['res dw 32x32x16', 16, 4096, 144],
  ['vgg dw 8x8x256', 256, 1024, 2304],
];
const A = 0, B = 64 << 20, C = 128 << 20, PK = 160 << 20;
const tiles = (process.env.TILES ?? '4x2x1,2x4x1,3x3x1').split(',').map((s) => s.split('x').map(Number));
const transposed: [string, number, number, number][] = [
  ['res dwT 32x32x16', 144, 4096, 16],
  ['res dwT 8x8x64', 576, 4096, 64],
  ['vgg dwT 8x8x256', 2304, 256, 256],
  ['vgg dwT 32x32x64', 576, 1024, 64],
];
for (const [label, M, K, N, tr] of [...shapes, ...transposed.map((s) => [...s, true] as const)] as [string, number, number, number, boolean?][]) {
  const macs = M * K * N;
  const reps = Math.max(1, Math.round(1e8 / macs));
  const variants: [string, () => void][] = [];
  if (N >= 16 && !tr) variants.push(['pairs', () => {
    const half = M >> 1;
    simd.gemmPairs(A, A + half * K * 4, B, C, C + half * N * 4, half, K, N, Math.ceil(N / 16), (N - 16) * 4);
  }]);
  for (const [MR, NV, U] of tiles) {
    if (N < 4 * NV) continue;
    const lay = tr ? { lda: 1, ldak: M } : { lda: K };
    if (!tr) {
      const gi = gemmFor(mem, { ...lay, ldb: N, ldc: N, accumulate: false }, { MR, NV, U })!;
      variants.push([`${MR}x${4 * NV}u${U}`, () => runGemm(gi, A, B, C, M, N, K, K, N, false)]);
    }
    const gp = gemmFor(mem, { ...lay, ldb: 4 * NV, ldc: N, accumulate: tr ?? false }, { MR, NV, U })!;
    packB(f, B / 4, N, K, N, 4 * NV, f, PK / 4);
    variants.push([`${MR}x${4 * NV}u${U}p`, () => runGemm(gp, A, PK, C, M, N, K, tr ? 1 : K, N, true)]);
    const go = gemmFor(mem, { ...lay, ldb: 4 * NV, ldc: N, accumulate: tr ?? false, rowsOuter: true }, { MR, NV, U })!;
    variants.push([`${MR}x${4 * NV}u${U}pR`, () => runGemm(go, A, PK, C, M, N, K, tr ? 1 : K, N, true)]);
  }
  const best = variants.map(() => Infinity);
  for (const [, run] of variants) run();
  for (let round = 0; round < 7; round++) {
    variants.forEach(([, run], i) => {
      const t0 = cpuMs();
      for (let r = 0; r < reps; r++) run();
      best[i] = Math.min(best[i], (cpuMs() - t0) / reps);
    });
  }
  console.log(`${label.padEnd(20)} ${variants.map(([n], i) => `${n} ${(macs / best[i] / 1e6).toFixed(1)}`).join('  ')}`);
}
