import { describe, expect, it } from 'vitest';
import { buildModule, MULTI_TAPS, relaxedSimdSupported, simdKernels } from './simd';

describe('the SIMD kernels module', () => {
  it('validates, imports only the heap, and binds every kernel SimdKernels names', () => {
    expect(WebAssembly.validate(buildModule(false))).toBe(true);
    // The fused loops need relaxed SIMD (behind a flag in Node 20; ./relaxed.test.ts runs them).
    if (relaxedSimdSupported()) expect(WebAssembly.validate(buildModule(true))).toBe(true);
    const mod = new WebAssembly.Module(buildModule(false));
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const k = simdKernels(new WebAssembly.Memory({ initial: 1 }))!;
    expect(k).not.toBeNull();
    expect(k.filterGradMulti.map((row) => row.length)).toEqual([...MULTI_TAPS]);
    const fns = [...k.filterGrad, k.maxPoolGradRow, k.addPattern, k.col2im, k.sumPattern, k.maxPoolGradRowSimd, ...k.filterGradMulti.flat(), k.gemmPairs, k.gemmPairsAcc, k.im2col];
    for (const f of fns) expect(typeof f).toBe('function');
    expect(WebAssembly.Module.exports(mod)).toHaveLength(fns.length);
  });
});
