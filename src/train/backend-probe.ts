import { z } from 'zod';
import { BACKENDS, type BackendCacheEntries, type BackendDecision, type BackendDropped, type BackendName, type BackendTiming } from './protocol';

/**
 * How `auto` picks a backend: the decision side of the probe (pure; the worker measures, ./backend-measure.ts).
 *
 * On each candidate that initialises here, a few real training steps of the run's model at its batch size are timed:
 * one warm-up step (shader compilation, kernel set-up; not counted), then up to `timedSteps` steps while the backend's
 * time stays under `backendCapMs`. A backend that throws, or whose warm-up alone passes the cap, is dropped with its
 * reason; the fastest by samples/s wins. cpu is never probed: it is the last resort when nothing else runs. A single
 * step cannot be interrupted, so the caps are checked between steps; the overall cap skips the backends not yet
 * started once it is spent.
 *
 * The decision is remembered per device and model size (see {@link backendCacheKey}) in localStorage, so a model of
 * the same size on the same machine trains at once next time.
 */
export const PROBE_LIMITS = {
  warmupSteps: 1,
  timedSteps: 3,
  backendCapMs: 3000,
  totalCapMs: 10_000,
} as const;
export type ProbeLimits = { [K in keyof typeof PROBE_LIMITS]: number };

/** Probed in this order (wasm first: the usual winner on a CPU-only machine gives the others a figure to beat). */
export const PROBE_CANDIDATES: readonly BackendName[] = ['wasm', 'webgpu', 'webgl'];

/** What the probe loop does after a step: another step, stop with a figure, or drop the backend. */
export type ProbeNext =
  | { kind: 'step' }
  | { kind: 'done'; timing: BackendTiming }
  | { kind: 'drop'; reason: string };

/**
 * Given the durations of the steps run so far on `backend` (warm-up steps first), says what to do next.
 * Pure: the worker calls it after every step with real timings; tests call it with fake ones.
 */
export function nextProbeStep(backend: BackendName, stepMs: readonly number[], batchSize: number, limits: ProbeLimits = PROBE_LIMITS): ProbeNext {
  const spent = stepMs.reduce((a, b) => a + b, 0);
  const timed = stepMs.slice(limits.warmupSteps);
  if (timed.length === 0) return spent > limits.backendCapMs ? { kind: 'drop', reason: overCap('warm-up', spent, limits) } : { kind: 'step' };
  const slowest = Math.max(...timed);
  if (slowest > limits.backendCapMs) return { kind: 'drop', reason: overCap('one step', slowest, limits) };
  if (timed.length >= limits.timedSteps || spent >= limits.backendCapMs) {
    const ms = timed.reduce((a, b) => a + b, 0);
    return { kind: 'done', timing: { backend, steps: timed.length, ms, samplesPerSec: (batchSize * timed.length) / Math.max(1e-6, ms / 1000) } };
  }
  return { kind: 'step' };
}

function overCap(what: string, ms: number, limits: ProbeLimits): string {
  return `dropped: ${what} took ${seconds(ms)}, over the ${seconds(limits.backendCapMs)} cap`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** Picks the fastest measured backend; cpu (`fallback`) when none could be measured. */
export function decideBackend(timings: BackendTiming[], dropped: BackendDropped[], probeMs: number, key?: string): BackendDecision {
  const best = timings.reduce<BackendTiming | null>((a, t) => (a === null || t.samplesPerSec > a.samplesPerSec ? t : a), null);
  if (!best) return { backend: 'cpu', how: 'fallback', timings, dropped, probeMs, key };
  return { backend: best.backend, how: 'probed', timings, dropped, probeMs, key };
}

/** The decision for an explicit choice in the Backend select. */
export function yourChoice(backend: BackendName): BackendDecision {
  return { backend, how: 'yours', timings: [], dropped: [], probeMs: 0 };
}

const rate = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The Train panel's "why" line:
 * "webgpu chosen: 410 samples/s vs wasm 95, webgl 120 (probed 2.1 s, cached)",
 * "wasm chosen: 1,450 samples/s (probed 0.6 s); webgpu unavailable (no adapter)", "webgl: chosen by you".
 */
export function describeDecision(d: BackendDecision): string {
  if (d.how === 'yours') return `${d.backend}: chosen by you`;
  const others = d.dropped.map((x) => `${x.backend} ${x.reason}`).join('; ');
  if (d.how === 'fallback') return `cpu: nothing else could train here${others ? ` (${others})` : ''}`;
  const mine = d.timings.find((t) => t.backend === d.backend);
  const vs = d.timings.filter((t) => t.backend !== d.backend).map((t) => `${t.backend} ${rate(t.samplesPerSec)}`);
  const unit = d.backend === 'wasm' ? ' (one worker)' : '';
  return `${d.backend} chosen: ${mine ? rate(mine.samplesPerSec) : '?'} samples/s${unit}${vs.length ? ` vs ${vs.join(', ')}` : ''} ` +
    `(probed ${seconds(d.probeMs)}${d.how === 'cached' ? ', cached' : ''})${others ? `; ${others}` : ''}`;
}

// ---- the cache key ----

/** The model size a probe is valid for. */
export interface ModelSize {
  params: number;
  macs: number;
  inputShape: readonly number[];
  batchSize: number;
}

/** Rounds to two significant figures: models within a few per cent of each other share a probe. */
export function roundSignificant(n: number, digits = 2): number {
  if (!Number.isFinite(n) || n <= 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(n)) - digits + 1);
  return Math.round(n / p) * p;
}

export function sizeBucket(m: ModelSize): string {
  return `params ${roundSignificant(m.params)} · MACs ${roundSignificant(m.macs)} · input ${m.inputShape.join('×')} · batch ${m.batchSize}`;
}

/**
 * Whether a WebGL renderer or WebGPU adapter name is a software rasteriser (SwiftShader, llvmpipe, Microsoft's Basic
 * Render Driver): it runs on the same CPU cores as wasm, many times slower, and its first step alone can take longer
 * than the probe's caps (shaders compile on the CPU), so the probe drops it without measuring.
 */
export function softwareRenderer(name: string): boolean {
  return softwareRendererName(name) !== null;
}

/** The software rasteriser's short name in a renderer or adapter string ("SwiftShader"), or null for a real GPU. */
export function softwareRendererName(name: string): string | null {
  const m = /swiftshader|llvmpipe|softpipe|basic render driver|software/i.exec(name);
  if (!m) return null;
  const known: Record<string, string> = { swiftshader: 'SwiftShader', llvmpipe: 'llvmpipe', softpipe: 'softpipe', 'basic render driver': 'Microsoft Basic Render Driver' };
  return known[m[0].toLowerCase()] ?? 'a software renderer';
}

/** What identifies the device: the WebGPU adapter, the WebGL renderer, and the core count. */
export interface DeviceInfo {
  /** "google swiftshader", or why there is none ("no adapter", "no navigator.gpu"). */
  webgpu: string;
  /** The unmasked WebGL renderer string, or "none". */
  webgl: string;
  cores: number;
}

export function deviceSignature(d: DeviceInfo): string {
  return `webgpu ${d.webgpu} · webgl ${d.webgl} · ${d.cores} cores`;
}

export function backendCacheKey(device: DeviceInfo, m: ModelSize): string {
  return `${deviceSignature(device)} | ${sizeBucket(m)}`;
}

// ---- the cache in localStorage (zod at the boundary) ----

export const BACKEND_CACHE_STORAGE_KEY = 'convas.backend-choice.v1';
/** Entries kept; the oldest go first. */
export const BACKEND_CACHE_MAX = 32;

const backendName = z.enum(BACKENDS);
const timingSchema = z.object({
  backend: backendName,
  samplesPerSec: z.number().positive().finite(),
  steps: z.number().int().min(1),
  ms: z.number().nonnegative().finite(),
}) satisfies z.ZodType<BackendTiming>;
const droppedSchema = z.object({ backend: backendName, reason: z.string().max(500) }) satisfies z.ZodType<BackendDropped>;
export const backendCacheEntrySchema = z.object({
  backend: backendName,
  timings: z.array(timingSchema).max(BACKENDS.length),
  dropped: z.array(droppedSchema).max(BACKENDS.length),
  probeMs: z.number().nonnegative().finite(),
  at: z.number().finite(),
}).refine((e) => e.timings.some((t) => t.backend === e.backend), { message: 'the chosen backend has no timing' });

/**
 * Reads the stored cache. Anything that is not an object of valid entries is ignored: a corrupt entry alone, or the
 * whole value when it is not JSON or not an object.
 */
export function parseBackendCache(raw: string | null | undefined): BackendCacheEntries {
  if (!raw) return {};
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const out: BackendCacheEntries = {};
  for (const [key, value] of Object.entries(data)) {
    const e = backendCacheEntrySchema.safeParse(value);
    if (e.success) out[key] = e.data;
  }
  return out;
}

/** The cache with a fresh probe decision added (and the oldest entries past BACKEND_CACHE_MAX dropped). */
export function withDecision(cache: BackendCacheEntries, d: BackendDecision, now: number, max = BACKEND_CACHE_MAX): BackendCacheEntries {
  if (d.how !== 'probed' || !d.key) return cache;
  const next: BackendCacheEntries = { ...cache, [d.key]: { backend: d.backend, timings: d.timings, dropped: d.dropped, probeMs: d.probeMs, at: now } };
  const keys = Object.keys(next).sort((a, b) => next[b].at - next[a].at);
  for (const k of keys.slice(max)) delete next[k];
  return next;
}

/** A remembered decision for `key`, as the run reports it. */
export function cachedDecision(cache: BackendCacheEntries | undefined, key: string): BackendDecision | null {
  const e = cache?.[key];
  if (!e) return null;
  const ok = backendCacheEntrySchema.safeParse(e); // the worker checks what it is sent, too
  if (!ok.success) return null;
  return { backend: e.backend, how: 'cached', timings: e.timings, dropped: e.dropped, probeMs: e.probeMs, key };
}

/** localStorage, or null where it is missing or refused (private modes, workers, Node). */
function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadBackendCache(store: Pick<Storage, 'getItem'> | null = storage()): BackendCacheEntries {
  try {
    return parseBackendCache(store?.getItem(BACKEND_CACHE_STORAGE_KEY));
  } catch {
    return {};
  }
}

export function rememberDecision(d: BackendDecision, store: Pick<Storage, 'getItem' | 'setItem'> | null = storage(), now = Date.now()): void {
  if (!store || d.how !== 'probed') return;
  try {
    store.setItem(BACKEND_CACHE_STORAGE_KEY, JSON.stringify(withDecision(loadBackendCache(store), d, now)));
  } catch {
    // quota or a refused storage: the probe runs again next time
  }
}

/** Forgets every remembered decision: the next `auto` run probes again. */
export function forgetBackendCache(store: Pick<Storage, 'removeItem'> | null = storage()): void {
  try {
    store?.removeItem(BACKEND_CACHE_STORAGE_KEY);
  } catch {
    // nothing stored, or storage refused
  }
}
