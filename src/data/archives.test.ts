import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { gunzipChecked, readTar, readZip } from './archives';
import { tar } from './testing/fixtures';
import { DatasetImportError } from './types';
import { resolveLimits } from './util';

const text = (s: string) => new TextEncoder().encode(s);
const limits = resolveLimits();

describe('readZip', () => {
  it('lists files lazily, without directories or hidden files, deflated and stored', async () => {
    const zip = zipSync({
      'set/a/1.txt': text('one'),
      'set/b/2.txt': [text('two'.repeat(100)), { level: 0 }],
      'set/.DS_Store': text('x'),
      '__MACOSX/set/._1.txt': text('x'),
      'set/empty/': new Uint8Array(0),
    });
    const files = readZip(zip, 'set.zip', limits);
    expect(files.map(f => f.path)).toEqual(['set/a/1.txt', 'set/b/2.txt']);
    expect(new TextDecoder().decode(await files[0].bytes())).toBe('one');
    expect((await files[1].bytes()).length).toBe(300);
    expect(files[1].size).toBe(300);
  });

  it('names the file of a corrupt zip', () => {
    const zip = zipSync({ 'a.txt': text('hello') });
    expect(() => readZip(zip.subarray(0, zip.length - 10), 'broken.zip', limits)).toThrow(/broken\.zip: not a readable zip/);
    expect(() => readZip(text('not a zip at all, just text'), 'text.zip', limits)).toThrow(DatasetImportError);
  });

  it('names the entry whose compressed data is corrupt', async () => {
    const zip = zipSync({ 'a.txt': text('hello hello hello hello hello hello') });
    const bad = zip.slice();
    bad.fill(0xff, 30 + 5, 30 + 5 + 8);
    const [f] = readZip(bad, 'c.zip', limits);
    await expect(f.bytes()).rejects.toThrow(/c\.zip: a\.txt: corrupt compressed data/);
  });

  it('refuses an entry that declares more than the limit, before inflating', () => {
    const zip = zipSync({ 'big.bin': new Uint8Array(1000) });
    const dv = new DataView(zip.buffer);
    const cd = zip.length - 22 - (46 + 'big.bin'.length);
    expect(dv.getUint32(cd, true)).toBe(0x02014b50);
    dv.setUint32(cd + 24, 0xfffffff0, true);
    expect(() => readZip(zip, 'bomb.zip', limits)).toThrow(/bomb\.zip: big\.bin: declares 4\.00 GiB uncompressed, over the limit of 2\.00 GiB: refused as a possible zip bomb/);
  });

  it('refuses highly compressible zeros over the ratio and total limits', () => {
    const zeros = zipSync({ 'zeros.bin': new Uint8Array(1.5 * 2 ** 20) });
    expect(() => readZip(zeros, 'z.zip', resolveLimits({ maxCompressionRatio: 100 }))).toThrow(/ratio \d+:1, over the limit of 100:1/);
    const many = zipSync({ 'a.bin': new Uint8Array(600), 'b.bin': new Uint8Array(600) });
    expect(() => readZip(many, 'm.zip', resolveLimits({ maxInputBytes: 1000 }))).toThrow(/m\.zip: its files add up to more than 1000 B/);
    expect(() => readZip(many, 'm.zip', resolveLimits({ maxSamples: 0 }))).toThrow(/m\.zip: holds 2 entries, far over the limit of 0 samples/);
  });
});

describe('tar and gzip', () => {
  it('reads ustar regular files', () => {
    const t = tar({ 'dir/a.bin': new Uint8Array([1, 2, 3]), 'dir/b.txt': text('x'.repeat(700)) });
    const files = readTar(t, 't.tar');
    expect(files.map(f => [f.path, f.size])).toEqual([['dir/a.bin', 3], ['dir/b.txt', 700]]);
  });

  it('refuses a truncated tar and a gzip declaring more than the limit', () => {
    const t = tar({ 'a.bin': new Uint8Array(2000) });
    expect(() => readTar(t.subarray(0, 1024), 't.tar')).toThrow(/t\.tar: truncated tar archive/);
    const gz = gzipSync(new Uint8Array(5000));
    expect(gunzipChecked(gz, 'g.gz', limits).length).toBe(5000);
    expect(() => gunzipChecked(gz, 'g.gz', resolveLimits({ maxInputBytes: 4000 }))).toThrow(/g\.gz: declares/);
  });
});
