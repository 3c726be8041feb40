import { describe, expect, it } from 'vitest';
import {
  BACKEND_CACHE_MAX, BACKEND_CACHE_STORAGE_KEY, backendCacheKey, cachedDecision, decideBackend, describeDecision, forgetBackendCache,
  loadBackendCache, nextProbeStep, parseBackendCache, PROBE_LIMITS, rememberDecision, roundSignificant, softwareRenderer, softwareRendererName, withDecision, yourChoice,
  type DeviceInfo, type ProbeNext,
} from './backend-probe';
import type { BackendDecision, BackendName, BackendTiming } from './protocol';

/** Feeds fake step durations to the probe loop's decision until it stops; returns what it stopped with and the steps run. */
function probeWith(backend: BackendName, durations: number[], batch = 64): { next: ProbeNext; steps: number } {
  const done: number[] = [];
  for (const d of durations) {
    done.push(d);
    const next = nextProbeStep(backend, done, batch);
    if (next.kind !== 'step') return { next, steps: done.length };
  }
  throw new Error('the probe wanted more steps than the fake timings give');
}

const timing = (backend: BackendName, samplesPerSec: number): BackendTiming => ({ backend, samplesPerSec, steps: 3, ms: 300 });

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) { return this.data.get(k) ?? null; }
  setItem(k: string, v: string) { this.data.set(k, v); }
  removeItem(k: string) { this.data.delete(k); }
}

describe('the probe loop (fake timings)', () => {
  it('runs one warm-up and three timed steps, and rates by the timed steps only', () => {
    const { next, steps } = probeWith('wasm', [900, 40, 50, 60, 1, 1]);
    expect(steps).toBe(1 + PROBE_LIMITS.timedSteps);
    expect(next).toEqual({ kind: 'done', timing: { backend: 'wasm', steps: 3, ms: 150, samplesPerSec: (64 * 3) / 0.15 } });
  });

  it('drops a backend whose warm-up alone passes the cap, before any timed step', () => {
    const { next, steps } = probeWith('webgl', [3500, 10]);
    expect(steps).toBe(1);
    expect(next).toEqual({ kind: 'drop', reason: 'dropped: warm-up took 3.5 s, over the 3.0 s cap' });
  });

  it('stops timing when the cap is reached, keeping the steps done', () => {
    const { next, steps } = probeWith('webgpu', [2000, 700, 700, 700]);
    expect(steps).toBe(3); // 2.0 + 0.7 + 0.7 = 3.4 s ≥ 3 s
    expect(next.kind).toBe('done');
    if (next.kind === 'done') expect(next.timing).toMatchObject({ steps: 2, ms: 1400 });
  });

  it('drops a backend whose one timed step is longer than the cap', () => {
    const { next } = probeWith('webgpu', [100, 3200]);
    expect(next).toEqual({ kind: 'drop', reason: 'dropped: one step took 3.2 s, over the 3.0 s cap' });
  });
});

describe('the decision', () => {
  it('picks the fastest measured backend, whatever the order', () => {
    const d = decideBackend([timing('wasm', 95), timing('webgpu', 410), timing('webgl', 120)], [], 2100, 'k');
    expect(d).toMatchObject({ backend: 'webgpu', how: 'probed', key: 'k' });
    expect(describeDecision(d)).toBe('webgpu chosen: 410 samples/s vs wasm 95, webgl 120 (probed 2.1 s)');
    expect(describeDecision({ ...d, how: 'cached' })).toBe('webgpu chosen: 410 samples/s vs wasm 95, webgl 120 (probed 2.1 s, cached)');
  });

  it('a slow software WebGPU loses to wasm: the probe measures, it does not trust the name', () => {
    const d = decideBackend([timing('wasm', 1450), timing('webgpu', 60)], [{ backend: 'webgl', reason: 'dropped: warm-up took 3.4 s, over the 3.0 s cap' }], 5200);
    expect(d.backend).toBe('wasm');
    expect(describeDecision(d)).toBe('wasm chosen: 1,450 samples/s (one worker) vs webgpu 60 (probed 5.2 s); webgl dropped: warm-up took 3.4 s, over the 3.0 s cap');
  });

  it('says why the others were left out', () => {
    const d = decideBackend([timing('wasm', 1450)], [{ backend: 'webgpu', reason: 'unavailable (no adapter)' }], 600);
    expect(describeDecision(d)).toBe('wasm chosen: 1,450 samples/s (one worker) (probed 0.6 s); webgpu unavailable (no adapter)');
  });

  it('falls back to cpu when nothing could be measured', () => {
    const d = decideBackend([], [{ backend: 'wasm', reason: 'failed: out of memory' }, { backend: 'webgpu', reason: 'unavailable (no navigator.gpu)' }], 800);
    expect(d).toMatchObject({ backend: 'cpu', how: 'fallback' });
    expect(describeDecision(d)).toBe('cpu: nothing else could train here (wasm failed: out of memory; webgpu unavailable (no navigator.gpu))');
  });

  it('an explicit choice is the user\'s, without a probe', () => {
    expect(describeDecision(yourChoice('webgl'))).toBe('webgl: chosen by you');
  });
});

describe('the cache key', () => {
  const device: DeviceInfo = { webgpu: 'google swiftshader', webgl: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))', cores: 2 };
  const lenet = { params: 61_706, macs: 416_520, inputShape: [28, 28, 1], batchSize: 64 };

  it('rounds params and MACs to two significant figures, so models of about one size share a probe', () => {
    expect(roundSignificant(61_706)).toBe(62_000);
    expect(roundSignificant(416_520)).toBe(420_000);
    expect(roundSignificant(0)).toBe(0);
    expect(backendCacheKey(device, lenet)).toBe(backendCacheKey(device, { ...lenet, params: 61_900 }));
  });

  it('differs by device, batch size, input shape and size', () => {
    const k = backendCacheKey(device, lenet);
    expect(backendCacheKey({ ...device, cores: 8 }, lenet)).not.toBe(k);
    expect(backendCacheKey({ ...device, webgpu: 'no adapter' }, lenet)).not.toBe(k);
    expect(backendCacheKey(device, { ...lenet, batchSize: 256 })).not.toBe(k);
    expect(backendCacheKey(device, { ...lenet, inputShape: [32, 32, 3] })).not.toBe(k);
    expect(backendCacheKey(device, { ...lenet, macs: 2 * lenet.macs })).not.toBe(k);
  });
});

describe('the cache in localStorage (zod at the boundary)', () => {
  const probed: BackendDecision = decideBackend([timing('wasm', 1450), timing('webgl', 170)], [{ backend: 'webgpu', reason: 'unavailable (no adapter)' }], 1200, 'key-a');

  it('round-trips a probed decision, which then reads back as cached', () => {
    const store = new MemoryStorage();
    rememberDecision(probed, store, 1000);
    const cache = loadBackendCache(store);
    expect(cachedDecision(cache, 'key-a')).toEqual({ ...probed, how: 'cached' });
    expect(cachedDecision(cache, 'key-b')).toBeNull();
  });

  it('does not remember an explicit choice or a fallback', () => {
    const store = new MemoryStorage();
    rememberDecision(yourChoice('webgl'), store);
    rememberDecision({ ...decideBackend([], [], 10), key: 'k' }, store);
    expect(store.data.size).toBe(0);
  });

  it('ignores a corrupt entry and keeps the good ones; ignores a value that is not JSON or not an object', () => {
    const good = withDecision({}, probed, 5)['key-a'];
    const raw = JSON.stringify({
      'key-a': good,
      'bad-backend': { ...good, backend: 'metal' },
      'bad-rate': { ...good, timings: [{ backend: 'wasm', samplesPerSec: -1, steps: 3, ms: 10 }] },
      'not-measured': { ...good, backend: 'webgpu' }, // chosen without a timing of its own
      'missing-fields': { backend: 'wasm' },
      'a-string': 'wasm',
    });
    expect(Object.keys(parseBackendCache(raw))).toEqual(['key-a']);
    expect(parseBackendCache('{not json')).toEqual({});
    expect(parseBackendCache('[1,2]')).toEqual({});
    expect(parseBackendCache('null')).toEqual({});
    expect(parseBackendCache(null)).toEqual({});
    const store = new MemoryStorage();
    store.setItem(BACKEND_CACHE_STORAGE_KEY, '{"x": 1');
    expect(loadBackendCache(store)).toEqual({});
    // A corrupt store is replaced by a valid one on the next probe.
    rememberDecision(probed, store, 7);
    expect(Object.keys(loadBackendCache(store))).toEqual(['key-a']);
  });

  it('the worker re-checks what it is sent', () => {
    const forged = { k: { backend: 'webgpu', timings: [], dropped: [], probeMs: 1, at: 1 } } as unknown as Parameters<typeof cachedDecision>[0];
    expect(cachedDecision(forged, 'k')).toBeNull();
  });

  it('keeps the newest entries only', () => {
    let cache = {};
    for (let i = 0; i < BACKEND_CACHE_MAX + 5; i++) cache = withDecision(cache, { ...probed, key: `k${i}` }, i);
    const keys = Object.keys(cache);
    expect(keys).toHaveLength(BACKEND_CACHE_MAX);
    expect(keys).not.toContain('k0');
    expect(keys).toContain(`k${BACKEND_CACHE_MAX + 4}`);
  });

  it('forgetting empties it', () => {
    const store = new MemoryStorage();
    rememberDecision(probed, store);
    forgetBackendCache(store);
    expect(loadBackendCache(store)).toEqual({});
  });

  it('works without localStorage (Node, workers): nothing is read or written', () => {
    expect(loadBackendCache(null)).toEqual({});
    expect(() => rememberDecision(probed, null)).not.toThrow();
    expect(() => forgetBackendCache(null)).not.toThrow();
  });
});

describe('softwareRenderer', () => {
  it('knows the software rasterisers by name, and not real GPUs', () => {
    for (const n of ['google swiftshader', 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver']) {
      expect(softwareRenderer(n), n).toBe(true);
    }
    for (const n of ['ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Apple M2', 'nvidia ampere', 'no adapter', 'none']) {
      expect(softwareRenderer(n), n).toBe(false);
    }
    expect(softwareRendererName('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('SwiftShader');
    expect(softwareRendererName('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('llvmpipe');
    expect(softwareRendererName('Apple M2')).toBeNull();
  });
});
