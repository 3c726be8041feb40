import { describe, expect, it } from 'vitest';
import { describeBackend } from './format';

describe('describeBackend', () => {
  it('names the workers that train in parallel', () => {
    expect(describeBackend({ name: 'wasm', simd: true, threads: 1, workers: 2 })).toBe('wasm (SIMD, 2 workers in parallel)');
  });
  it('on one worker, names its threads and why there is only one', () => {
    expect(describeBackend({ name: 'wasm', simd: true, threads: 1, workers: 1 })).toBe('wasm (SIMD, 1 worker, 1 thread)');
    expect(describeBackend({ name: 'wasm', simd: false, threads: 1, workers: 1, workersNote: 'training worker 2 failed: boom' }))
      .toBe('wasm (no SIMD, 1 worker, 1 thread) — one worker because training worker 2 failed: boom');
  });
  it('other backends are named alone', () => {
    expect(describeBackend({ name: 'cpu' })).toBe('cpu');
  });
});
