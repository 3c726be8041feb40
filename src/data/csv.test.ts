import { describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { decodePng, files, opts } from './testing/fixtures';

const deps = { decodeImage: decodePng };
const csv = (text: string, o = {}) => importDataset(files({ 'data.csv': text }), opts({ testFraction: 0, ...o }), deps);

describe('CSV', () => {
  it('reads a header, finds the label column by name, series [L, 1]', async () => {
    const ds = await csv('a,b,label,c\n1,2,0,3\n4,5,1,6\n7,8,1,9\n');
    expect(ds.meta.format).toBe('csv');
    expect(ds.meta.inputShape).toEqual([3, 1]);
    expect(ds.meta.kind).toBe('series');
    expect(Array.from(ds.train.y)).toEqual([0, 1, 1]);
    expect(Array.from(ds.train.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ds.meta.classNames).toEqual(['class 0', 'class 1']);
  });

  it('reads rows without a header, the first column as label, as square uint8 images', async () => {
    const row = (l: number, v: number) => [l, v, v, v, v].join(',');
    const ds = await csv([row(0, 0), row(1, 255), row(2, 10)].join('\r\n'), { csvLayout: 'image' });
    expect(ds.meta.inputShape).toEqual([2, 2, 1]);
    expect(ds.meta.kind).toBe('image');
    expect(ds.train.x).toBeInstanceOf(Uint8Array);
    expect(Array.from(ds.train.x.subarray(4, 8))).toEqual([255, 255, 255, 255]);
  });

  it('takes string labels as sorted class names, and the label column by index', async () => {
    const ds = await csv('0.5,dog,1\n0.25,cat,2\n1,dog,3\n', { labelColumn: 1 });
    expect(ds.meta.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(ds.train.y)).toEqual([1, 0, 1]);
    expect(Array.from(ds.train.x)).toEqual([0.5, 1, 0.25, 2, 1, 3]);
  });

  it('refuses ragged rows and non-numeric cells, naming row and column', async () => {
    await expect(csv('label,x,y\n0,1,2\n1,2\n')).rejects.toThrow(/data\.csv: row 3 has 2 cells, expected 3/);
    await expect(csv('label,x,y\n0,1,2\n1,abc,2\n')).rejects.toThrow(/data\.csv: row 3, column 'x' \(2\): 'abc' is not a number/);
    await expect(csv('0,1,2\n1,2,\n')).rejects.toThrow(/row 2, column 3: '' is not a number/);
    await expect(csv('label,x\n0,1\n1,2\n', { labelColumn: 'kind' })).rejects.toThrow(/has no column named 'kind'/);
    await expect(csv('0,1,2\n1,2,3\n', { csvLayout: 'image' })).rejects.toThrow(/not a square image/);
    await expect(csv('cat,1\ncat,2\n')).rejects.toThrow(/only one class, 'cat'/);
  });
});
