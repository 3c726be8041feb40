import { gunzipSync, inflateSync } from 'fflate';
import { DatasetImportError, type ImportLimits, type InputFile } from './types';
import { count, formatBytes, isHidden, memoryFile, normalizePath } from './util';

/** Below this many bytes an entry is not judged by its compression ratio (small runs of zeros compress very well). */
const RATIO_FLOOR = 2 ** 20;

/** Refuses an entry (or a whole archive's content) that would inflate past the limits: checked from declared sizes, before inflating. */
export function checkInflate(limits: ImportLimits, file: string, size: number, compressed: number): void {
  if (size > limits.maxInputBytes)
    throw new DatasetImportError(
      `declares ${formatBytes(size)} uncompressed, over the limit of ${formatBytes(limits.maxInputBytes)}: refused as a possible zip bomb`,
      file,
    );
  if (size > RATIO_FLOOR && size > compressed * limits.maxCompressionRatio)
    throw new DatasetImportError(
      `compresses ${formatBytes(size)} into ${formatBytes(compressed)} (ratio ${Math.round(size / Math.max(1, compressed))}:1, over the limit of ${limits.maxCompressionRatio}:1): refused as a possible zip bomb`,
      file,
    );
}

/**
 * Lists a zip archive's files (directories and hidden files left out) as lazily inflated InputFiles, reading only the
 * central directory. Declared sizes are checked against the limits first, each entry and the total; an entry
 * inflates into a buffer of its declared size, so a lying header cannot make it larger. Stored and deflated entries
 * are read; zip64 is understood.
 */
export function readZip(zip: Uint8Array, file: string, limits: ImportLimits): InputFile[] {
  const fail = (m: string) => new DatasetImportError(m, file);
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => u32(o) + u32(o + 4) * 2 ** 32;
  let eocd = -1;
  for (let o = zip.length - 22; o >= Math.max(0, zip.length - 22 - 0xffff); o--)
    if (u32(o) === 0x06054b50) {
      eocd = o;
      break;
    }
  if (eocd < 0) throw fail('not a readable zip archive (no end-of-central-directory record; is it truncated?)');
  let entries = u16(eocd + 10);
  let cdOffset = u32(eocd + 16);
  if ((entries === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const z = u64(eocd - 12);
    if (z + 56 > zip.length || u32(z) !== 0x06064b50) throw fail('corrupt zip64 end-of-central-directory record');
    entries = u64(z + 32);
    cdOffset = u64(z + 48);
  }
  if (entries > 4 * limits.maxSamples)
    throw fail(`holds ${count(entries, 'entry', 'entries')}, far over the limit of ${limits.maxSamples.toLocaleString('en-US')} samples`);
  const names = new TextDecoder();
  const files: InputFile[] = [];
  let total = 0;
  let o = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (o + 46 > zip.length || u32(o) !== 0x02014b50) throw fail('corrupt zip central directory');
    const flags = u16(o + 8);
    const method = u16(o + 10);
    let compressed = u32(o + 20);
    let size = u32(o + 24);
    const nameLen = u16(o + 28);
    const extraLen = u16(o + 30);
    let local = u32(o + 42);
    const path = normalizePath(names.decode(zip.subarray(o + 46, o + 46 + nameLen)));
    for (let x = o + 46 + nameLen; x + 4 <= o + 46 + nameLen + extraLen; ) {
      const id = u16(x);
      const len = u16(x + 2);
      if (id === 1) {
        let p = x + 4;
        if (size === 0xffffffff) (size = u64(p)), (p += 8);
        if (compressed === 0xffffffff) (compressed = u64(p)), (p += 8);
        if (local === 0xffffffff) local = u64(p);
      }
      x += 4 + len;
    }
    o += 46 + nameLen + extraLen + u16(o + 32);
    if (path.endsWith('/') || path === '' || isHidden(path)) continue;
    const where = `${file}: ${path}`;
    if (flags & 1) throw new DatasetImportError('is encrypted; Convas reads unencrypted zips only', where);
    if (method !== 0 && method !== 8)
      throw new DatasetImportError(`uses compression method ${method}; only stored and deflated entries are read`, where);
    checkInflate(limits, where, size, compressed);
    total += size;
    if (total > limits.maxInputBytes)
      throw fail(
        `its files add up to more than ${formatBytes(limits.maxInputBytes)} uncompressed (the limit) after ${count(files.length + 1, 'entry', 'entries')}: refused`,
      );
    const data = () => {
      if (local + 30 > zip.length || u32(local) !== 0x04034b50) throw new DatasetImportError('corrupt local header', where);
      const start = local + 30 + u16(local + 26) + u16(local + 28);
      if (start + compressed > zip.length) throw new DatasetImportError('truncated entry', where);
      const raw = zip.subarray(start, start + compressed);
      if (method === 0) return raw;
      try {
        return inflateSync(raw, { out: new Uint8Array(size) });
      } catch (err) {
        throw new DatasetImportError(`corrupt compressed data (${(err as Error).message})`, where);
      }
    };
    files.push({ path, size, bytes: async () => data(), head: async () => data() });
  }
  return files;
}

/** Whether bytes start like a zip archive (a local file header, or the end record of an empty one). */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Gunzips after checking the size the gzip trailer declares against the limits; output is bounded by that size. */
export function gunzipChecked(gz: Uint8Array, file: string, limits: ImportLimits): Uint8Array {
  if (gz.length < 18) throw new DatasetImportError('truncated gzip file', file);
  const size = new DataView(gz.buffer, gz.byteOffset, gz.byteLength).getUint32(gz.length - 4, true);
  checkInflate(limits, file, size, gz.length);
  try {
    return gunzipSync(gz, { out: new Uint8Array(size) });
  } catch (err) {
    throw new DatasetImportError(`corrupt gzip data (${(err as Error).message})`, file);
  }
}

/**
 * Reads a tar archive (POSIX ustar, GNU long names, pax `path` records): its regular files, as in-memory InputFiles
 * viewing `tar`. Hidden files are left out.
 */
export function readTar(tar: Uint8Array, file: string): InputFile[] {
  const text = new TextDecoder();
  const str = (o: number, n: number) => {
    const b = tar.subarray(o, o + n);
    const z = b.indexOf(0);
    return text.decode(z < 0 ? b : b.subarray(0, z));
  };
  const files: InputFile[] = [];
  let longName: string | null = null;
  for (let o = 0; o + 512 <= tar.length; ) {
    if (tar[o] === 0 && tar.subarray(o, o + 512).every(b => b === 0)) break;
    const sizeText = str(o + 124, 12).trim();
    const size = parseInt(sizeText || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new DatasetImportError(`corrupt tar header at byte ${o}`, file);
    const type = String.fromCharCode(tar[o + 156] || 0x30);
    const isUstar = str(o + 257, 5) === 'ustar';
    let name = str(o, 100);
    if (isUstar && tar[o + 345]) name = `${str(o + 345, 155)}/${name}`;
    const start = o + 512;
    if (start + size > tar.length) throw new DatasetImportError(`truncated tar archive (in ${name})`, file);
    const body = tar.subarray(start, start + size);
    o = start + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = text.decode(body).replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(text.decode(body));
      if (m) longName = m[1];
      continue;
    }
    if (longName !== null) (name = longName), (longName = null);
    if (type !== '0' && type !== '7') continue;
    const path = normalizePath(name);
    if (!isHidden(path)) files.push(memoryFile(path, body));
  }
  return files;
}
