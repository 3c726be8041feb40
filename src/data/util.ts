import {
  DatasetImportError,
  IMPORT_LIMITS,
  type ImportDeps,
  type ImportLimits,
  type ImportOptions,
  type ImportProgress,
  type InputFile,
} from './types';

/** What every format's importer is handed: files with normalised paths, hidden ones gone, archives opened. */
export interface ImportContext {
  files: InputFile[];
  opts: ImportOptions;
  deps: ImportDeps;
  limits: ImportLimits;
  sources: string[];
  name: string;
  /** The files came out of a zip archive. */
  fromZip: boolean;
}

/** Codepoint order, as Python's `sorted` (torchvision's class order). */
export const byCodepoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);


/** Forward slashes, no leading `./` or `/`. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function extension(path: string): string {
  const b = baseName(path);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i + 1).toLowerCase();
}

/** macOS resource forks, `.DS_Store`, dot files and folders, Windows thumbnails: ignored without a word. */
export function isHidden(path: string): boolean {
  return path
    .split('/')
    .some(s => s.startsWith('.') || s === '__MACOSX' || s === 'Thumbs.db' || s === 'desktop.ini');
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "a.png, b.png, c.png and 4 more". */
export function nameFew(names: string[], few = 3): string {
  const shown = names.slice(0, few).join(', ');
  return names.length > few ? `${shown} and ${names.length - few} more` : shown;
}

export function resolveLimits(over?: Partial<ImportLimits>): ImportLimits {
  return { ...IMPORT_LIMITS, ...over };
}

/**
 * Refuses a dataset over the limits before its samples are allocated: `samples` samples of `sampleBytes` bytes,
 * `classes` classes.
 */
export function checkLimits(limits: ImportLimits, samples: number, sampleBytes: number, classes: number, file?: string): void {
  if (samples > limits.maxSamples)
    throw new DatasetImportError(`${count(samples, 'sample')} is over the limit of ${limits.maxSamples.toLocaleString('en-US')}`, file);
  const bytes = samples * sampleBytes;
  if (bytes > limits.maxSampleBytes)
    throw new DatasetImportError(
      `the samples would take ${formatBytes(bytes)}, over the limit of ${formatBytes(limits.maxSampleBytes)}`,
      file,
    );
  if (classes > limits.maxClasses)
    throw new DatasetImportError(`${count(classes, 'class', 'classes')} is over the limit of ${limits.maxClasses}`, file);
}

/**
 * Reports progress at least every 1% or 200 units, and lets the event loop run (a macrotask, so a worker can
 * handle messages) about every 50 ms.
 */
export class Ticker {
  private last = 0;
  private step: number;
  private yieldedAt = now();
  constructor(
    private onProgress: ImportProgress | undefined,
    readonly phase: string,
    readonly total: number,
  ) {
    this.step = Math.max(1, Math.min(200, Math.floor(total / 100)));
    onProgress?.({ phase, done: 0, total });
  }
  async tick(done: number): Promise<void> {
    if (done - this.last >= this.step || done === this.total) {
      this.last = done;
      this.onProgress?.({ phase: this.phase, done, total: this.total });
    }
    if (now() - this.yieldedAt > 50) {
      await new Promise<void>(r => setTimeout(r, 0));
      this.yieldedAt = now();
    }
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** An in-memory file. */
export function memoryFile(path: string, data: Uint8Array): InputFile {
  return { path, size: data.length, bytes: async () => data, head: async () => data };
}

/** The first `n` bytes of a file, through `head` when it has one. */
export function readHead(file: InputFile, n: number): Promise<Uint8Array> {
  return file.head ? file.head(n) : file.bytes();
}

export function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}
