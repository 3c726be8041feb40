import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { decodePng, files, opts, png } from './testing/fixtures';
import { DatasetImportError, type InputFile } from './types';

const deps = { decodeImage: decodePng };
/** Class k's images are flat grey 40·(k+1) (or coloured (k, 2k, 3k)·40 when rgb). */
const img = (k: number, size = 4, rgb = false) => png(size, size, rgb ? 3 : 1, (_x, _y, c) => (rgb ? (k + 1) * 20 * (c + 1) : 40 * (k + 1)));

function tree(classes: string[], per: number, prefix = '', rgb = false): Record<string, Uint8Array> {
  const t: Record<string, Uint8Array> = {};
  classes.forEach((c, k) => {
    for (let i = 0; i < per; i++) t[`${prefix}${c}/${i}.png`] = img(k, 4, rgb);
  });
  return t;
}

describe('image folders', () => {
  it('reads class folders under a common root, sorted classes, seeded split', async () => {
    const ds = await importDataset(files(tree(['dogs', 'cats', 'birds'], 5, 'pets/')), opts({ testFraction: 0.2, seed: 3 }), deps);
    const m = ds.meta;
    expect(m.format).toBe('image-folder');
    expect(m.classNames).toEqual(['birds', 'cats', 'dogs']);
    expect(m.inputShape).toEqual([4, 4, 1]);
    expect(m.kind).toBe('image');
    expect(m.dtype).toBe('uint8');
    expect(m.split).toEqual({ from: 'seeded', testFraction: 0.2, seed: 3 });
    expect(m.train.perClass).toEqual([4, 4, 4]);
    expect(m.test.perClass).toEqual([1, 1, 1]);
    expect(m.id).toMatch(/^user-[0-9a-f]{16}$/);
    expect(m.name).toBe('pets');
    expect(m.sources).toEqual(['pets']);
    expect(m.bytes).toBe(15 * 16 + 15);
    const given = ['dogs', 'cats', 'birds'];
    for (let i = 0; i < ds.train.n; i++) expect(ds.train.x[i * 16 + 5]).toBe(40 * (given.indexOf(m.classNames[ds.train.y[i]]) + 1));
    expect(m.stats.mean[0]).toBeCloseTo(80 / 255);
    expect(m.stats.std[0]).toBeCloseTo(Math.sqrt((40 * 40 * 2) / 3) / 255);
    const again = await importDataset(files(tree(['dogs', 'cats', 'birds'], 5, 'pets/')), opts({ testFraction: 0.2, seed: 3 }), deps);
    expect(Array.from(again.test.x)).toEqual(Array.from(ds.test.x));
  });

  it('honours train/ and test/ (or val/) folders', async () => {
    const t = { ...tree(['a', 'b'], 3, 'train/'), ...tree(['a', 'b'], 2, 'test/'), 'train/labels.txt': 'a b' };
    const ds = await importDataset(files(t), opts(), deps);
    expect(ds.meta.split).toEqual({ from: 'files' });
    expect([ds.train.n, ds.test.n]).toEqual([6, 4]);
    expect(ds.meta.classNames).toEqual(['a', 'b']);
    expect(ds.meta.notes.join(' ')).toMatch(/outside any class folder: train\/labels\.txt/);
    const v = await importDataset(files({ ...tree(['a', 'b'], 3, 'root/train/'), ...tree(['a', 'b'], 1, 'root/val/') }), opts(), deps);
    expect([v.train.n, v.test.n, v.meta.split.from]).toEqual([6, 2, 'files']);
  });

  it('reads the same layout from a zip, ignoring __MACOSX and .DS_Store', async () => {
    const t: Record<string, Uint8Array> = { ...tree(['a', 'b'], 3, 'set/'), 'set/.DS_Store': new Uint8Array(9), '__MACOSX/set/a/._0.png': new Uint8Array(9) };
    const zip = zipSync(t);
    const ds = await importDataset(files({ 'set.zip': zip }), opts({ testFraction: 0 }), deps);
    expect(ds.meta.format).toBe('zip');
    expect(ds.meta.name).toBe('set');
    expect(ds.train.n).toBe(6);
    expect(ds.meta.notes).toEqual([]);
  });

  it('refuses a corrupt zip naming it, and a zip bomb', async () => {
    const zip = zipSync(tree(['a', 'b'], 2));
    await expect(importDataset(files({ 'x.zip': zip.subarray(0, zip.length - 30) }), opts(), deps)).rejects.toThrow(/x\.zip: not a readable zip/);
    const bomb = zipSync({ 'a/zeros.png': new Uint8Array(3 * 2 ** 20), 'b/1.png': img(1) });
    await expect(importDataset(files({ 'b.zip': bomb }), opts(), deps)).rejects.toThrow(/b\.zip: a\/zeros\.png: .*ratio.*refused as a possible zip bomb/);
  });

  it('skips and names non-images and corrupt images', async () => {
    const good = tree(['a', 'b'], 3);
    const broken = img(0).slice(0, 40);
    const ds = await importDataset(files({ ...good, 'a/notes.txt': 'hello', 'b/bad.png': broken, 'b/fake.png': 'not a png', 'README.md': '#' }), opts(), deps);
    expect(ds.train.n + ds.test.n).toBe(6);
    const notes = ds.meta.notes.join(' ');
    expect(notes).toMatch(/1 file outside any class folder: README\.md/);
    expect(notes).toMatch(/2 files that are not images: a\/notes\.txt, b\/fake\.png/);
    expect(notes).toMatch(/1 image that could not be decoded: b\/bad\.png/);
  });

  it('resizes mixed sizes to the most common and says so', async () => {
    const t = { ...tree(['a', 'b'], 3), 'a/big.png': png(8, 8, 1, () => 40), 'b/small.png': png(2, 2, 1, () => 80), 'b/wide.png': png(6, 3, 1, () => 80) };
    const ds = await importDataset(files(t), opts({ testFraction: 0 }), deps);
    expect(ds.meta.inputShape).toEqual([4, 4, 1]);
    expect(ds.meta.notes.join(' ')).toMatch(/Resized 3 images of 3 other sizes \(8×8: 1, 2×2: 1, 3×6: 1\) to 4×4/);
    expect(ds.meta.conversion).toMatch(/bilinear resize/);
    const x = ds.train.x;
    for (let i = 0; i < x.length; i++) expect(x[i]).toBe(40 * (ds.train.y[Math.floor(i / 16)] + 1));
    const fixed = await importDataset(files(t), opts({ imageShape: [2, 2, 3], testFraction: 0 }), deps);
    expect(fixed.meta.inputShape).toEqual([2, 2, 3]);
    expect(fixed.meta.conversion).toMatch(/grayscale → RGB/);
    expect(fixed.train.x.length).toBe(9 * 12);
  });

  it('keeps RGB, converts to grey when asked, and finds grey images saved as RGB', async () => {
    const rgb = await importDataset(files(tree(['a', 'b'], 2, '', true)), opts({ testFraction: 0 }), deps);
    expect(rgb.meta.inputShape).toEqual([4, 4, 3]);
    expect(Array.from(rgb.train.x.subarray(0, 3))).toEqual([20, 40, 60]);
    expect(rgb.meta.stats.mean.length).toBe(3);
    const gray = await importDataset(files(tree(['a', 'b'], 2, '', true)), opts({ testFraction: 0, imageShape: [4, 4, 1] }), deps);
    expect(gray.train.x[0]).toBe(Math.round(0.299 * 20 + 0.587 * 40 + 0.114 * 60));
    expect(gray.meta.conversion).toMatch(/RGB → grayscale/);
    const t = { 'a/1.png': png(4, 4, 3, () => 10), 'a/2.png': png(4, 4, 4, () => 10), 'b/1.png': png(4, 4, 3, () => 30) };
    const g = await importDataset(files(t), opts({ testFraction: 0 }), deps);
    expect(g.meta.inputShape).toEqual([4, 4, 1]);
    expect(g.train.x.length).toBe(48);
  });

  it('refuses a single class, and sets over the limits before decoding', async () => {
    await expect(importDataset(files(tree(['cats'], 3, 'pets/')), opts(), deps)).rejects.toThrow(
      "only one class, 'cats', was found: a classifier needs at least two",
    );
    let decoded = 0;
    const counting = { decodeImage: (b: Uint8Array, p: string) => (decoded++, decodePng(b, p)) };
    await expect(importDataset(files(tree(['a', 'b'], 3)), opts(), { ...counting, limits: { maxSamples: 5 } })).rejects.toThrow(
      /6 samples is over the limit of 5/,
    );
    await expect(importDataset(files(tree(['a', 'b'], 3)), opts(), { ...counting, limits: { maxSampleBytes: 50 } })).rejects.toThrow(
      /the samples would take 96 B, over the limit of 50 B/,
    );
    expect(decoded).toBe(0);
    const err = await importDataset(files({ 'a.txt': 'x' }), opts(), deps).catch(e => e);
    expect(err).toBeInstanceOf(DatasetImportError);
  });

  it('reads small files once: the header pass keeps them for decoding', async () => {
    let whole = 0;
    const f = files(tree(['a', 'b'], 3)).map(x => ({ ...x, bytes: () => (whole++, x.bytes()) }));
    const ds = await importDataset(f, opts(), deps);
    expect(ds.train.n + ds.test.n).toBe(6);
    expect(whole).toBe(0);
  });

  it('refuses an image shape that is not [h, w, 1 or 3]', async () => {
    await expect(importDataset(files(tree(['a', 'b'], 1)), opts({ imageShape: [4, 4, 2] }), deps)).rejects.toThrow(/image shape \[4, 4, 2\] is not/);
  });

  it('reports progress', async () => {
    const seen: string[] = [];
    const f: InputFile[] = files(tree(['a', 'b'], 150));
    await importDataset(f, opts(), { ...deps, onProgress: p => seen.push(`${p.phase} ${p.done}/${p.total}`) });
    expect(seen).toContain('reading 300/300');
    expect(seen).toContain('decoding 300/300');
    expect(seen.filter(s => s.startsWith('decoding')).length).toBeGreaterThanOrEqual(100);
  });
});
