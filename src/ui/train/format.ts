import type { BackendReport } from '../../train/protocol';

/** Small display helpers for the Train panel (pure, tested in Node). */

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function formatPercent(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export function formatRate(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} samples/s` : '–';
}

/** Parses a user-typed number; undefined when it is not a finite number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * The backend line's detail: `wasm (SIMD, 2 workers in parallel)`, or on one worker its threads and, when the settings
 * asked for more workers, why there is only one.
 */
export function describeBackend(b: BackendReport): string {
  if (b.name !== 'wasm') return b.name;
  const workers = b.workers ?? 1;
  const threads = b.threads ?? 1;
  const how = workers > 1 ? `${workers} workers in parallel` : `1 worker, ${threads} thread${threads > 1 ? 's' : ''}`;
  return `wasm (${b.simd ? 'SIMD' : 'no SIMD'}, ${how})${b.workersNote ? ` — one worker because ${b.workersNote}` : ''}`;
}
