import { describe, expect, it } from 'vitest';
import { droppedFiles, isDatasetDrop, isDatasetFile, pickedFromList, type Dropped } from './files';

const f = (name: string, rel = '') => Object.defineProperty(new File(['x'], name), 'webkitRelativePath', { value: rel });

describe('dataset files', () => {
  it('tells dataset files from project files by extension', () => {
    for (const n of ['a.zip', 'data_batch_1.bin', 'cifar-10-binary.tar.gz', 'x.npy', 'd.npz', 't.csv', 'cat.PNG', 'x.jpeg']) expect(isDatasetFile(n), n).toBe(true);
    for (const n of ['lenet.convas.json', 'model.json', 'notes.txt']) expect(isDatasetFile(n), n).toBe(false);
  });

  it('a drop is a dataset when it holds a folder or only dataset files', () => {
    const drop = (files: File[], hasFolder = false): Dropped => ({ entries: [], files, hasFolder });
    expect(isDatasetDrop(drop([f('a.zip')]))).toBe(true);
    expect(isDatasetDrop(drop([f('shapes')], true))).toBe(true);
    expect(isDatasetDrop(drop([f('model.json'), f('weights.bin')]))).toBe(false);
    expect(isDatasetDrop(drop([f('p.convas.json')]))).toBe(false);
  });

  it('keeps the paths under a picked folder', async () => {
    expect(pickedFromList([f('1.png', 'shapes/circle/1.png'), f('x.zip')]).map((p) => p.path)).toEqual(['shapes/circle/1.png', 'x.zip']);
    expect((await droppedFiles({ entries: [], files: [f('x.npz')], hasFolder: false })).map((p) => p.path)).toEqual(['x.npz']);
  });
});
