import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { cifarBatch, decodePng, files, opts, tar } from './testing/fixtures';

const deps = { decodeImage: decodePng };
/** Pixel (r, c, ch) of record i: distinct enough to catch a transposition. */
const px = (i: number, r: number, c: number, ch: number) => (i * 7 + r * 3 + c * 5 + ch * 80) % 256;
const NAMES = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n';

describe('CIFAR binaries', () => {
  it('reads CIFAR-10 batches into channels-last HWC with the test batch as the test split', async () => {
    const ds = await importDataset(
      files({
        'cifar-10-batches-bin/data_batch_1.bin': cifarBatch([[3], [5], [0]], px),
        'cifar-10-batches-bin/data_batch_2.bin': cifarBatch([[9]], (i, r, c, ch) => px(i + 3, r, c, ch)),
        'cifar-10-batches-bin/test_batch.bin': cifarBatch([[1], [2]], (i, r, c, ch) => px(i + 4, r, c, ch)),
        'cifar-10-batches-bin/batches.meta.txt': NAMES,
      }),
      opts(),
      deps,
    );
    const m = ds.meta;
    expect(m.format).toBe('cifar-10');
    expect(m.inputShape).toEqual([32, 32, 3]);
    expect(m.classNames[3]).toBe('cat');
    expect(m.classNames).toHaveLength(10);
    expect(m.split).toEqual({ from: 'files' });
    expect(Array.from(ds.train.y)).toEqual([3, 5, 0, 9]);
    expect(Array.from(ds.test.y)).toEqual([1, 2]);
    const at = (x: Uint8Array | Float32Array, i: number, r: number, c: number, ch: number) => x[i * 3072 + (r * 32 + c) * 3 + ch];
    expect(at(ds.train.x, 1, 7, 19, 2)).toBe(px(1, 7, 19, 2));
    expect(at(ds.train.x, 3, 31, 0, 1)).toBe(px(3, 31, 0, 1));
    expect(at(ds.test.x, 1, 2, 30, 0)).toBe(px(5, 2, 30, 0));
    expect(m.notes).toEqual([]);
  });

  it('reads CIFAR-100 fine labels and names, and a tar.gz of the batches', async () => {
    const fine = Array.from({ length: 100 }, (_, k) => `fine${k}`).join('\n');
    const t = tar({
      'cifar-100-binary/train.bin': cifarBatch([[1, 42], [2, 7], [1, 99]], px),
      'cifar-100-binary/test.bin': cifarBatch([[0, 7]], px),
      'cifar-100-binary/fine_label_names.txt': new TextEncoder().encode(fine),
      'cifar-100-binary/coarse_label_names.txt': new TextEncoder().encode('c0\nc1\nc2'),
    });
    const ds = await importDataset(files({ 'cifar-100-binary.tar.gz': gzipSync(t) }), opts(), deps);
    expect(ds.meta.format).toBe('cifar-100');
    expect(ds.meta.name).toBe('cifar-100-binary');
    expect(Array.from(ds.train.y)).toEqual([42, 7, 99]);
    expect(Array.from(ds.test.y)).toEqual([7]);
    expect(ds.meta.classNames[42]).toBe('fine42');
    expect(ds.train.x[2 * 3072 + (4 * 32 + 6) * 3 + 1]).toBe(px(2, 4, 6, 1));
  });

  it('names classes class k without the names file, and draws a split when only training batches come', async () => {
    const ds = await importDataset(files({ 'data_batch_1.bin': cifarBatch([[0], [1], [0], [1], [0]], px) }), opts({ testFraction: 0.4 }), deps);
    expect(ds.meta.classNames[9]).toBe('class 9');
    expect(ds.meta.split.from).toBe('seeded');
    expect([ds.train.n, ds.test.n]).toEqual([3, 2]);
    expect(ds.meta.notes.join(' ')).toMatch(/batches\.meta\.txt/);
  });

  it('refuses a truncated file naming it, and a single class', async () => {
    const b = cifarBatch([[0], [1]], px);
    await expect(importDataset(files({ 'data_batch_1.bin': b.subarray(0, b.length - 100) }), opts(), deps)).rejects.toThrow(
      /data_batch_1\.bin: 6046 bytes is not a whole number of CIFAR-10 records \(3073 bytes each/,
    );
    await expect(importDataset(files({ 'data_batch_1.bin': cifarBatch([[4], [4]], px), 'batches.meta.txt': NAMES }), opts(), deps)).rejects.toThrow(
      "only one class, 'deer', was found",
    );
  });

  it('converts to a requested image shape', async () => {
    const ds = await importDataset(files({ 'test_batch.bin': cifarBatch([[0], [1]], () => 100) }), opts({ imageShape: [16, 16, 1], testFraction: 0 }), deps);
    expect(ds.meta.inputShape).toEqual([16, 16, 1]);
    expect(ds.train.x.length).toBe(2 * 256);
    expect(ds.train.x[17]).toBe(100);
  });
});
