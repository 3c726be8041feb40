import { describe, expect, it } from 'vitest';
import { fromImportWorkerSchema, pickExamples, toImportWorkerSchema } from './import-protocol';
import type { ImportedDataset } from './types';

describe('import worker messages', () => {
  it('picks the first samples of each class, from train then test', () => {
    const ds = {
      meta: { id: 'user-x', inputShape: [2], classNames: ['a', 'b', 'c'] },
      train: { x: Uint8Array.from([1, 1, 2, 2, 3, 3]), y: Uint8Array.from([0, 0, 1]), n: 3 },
      test: { x: Uint8Array.from([4, 4, 5, 5]), y: Uint8Array.from([2, 1]), n: 2 },
    } as unknown as ImportedDataset;
    const ex = pickExamples(ds, 2);
    expect(ex.perClass.map((c) => c.map((x) => [...x]))).toEqual([[[1, 1], [2, 2]], [[3, 3], [5, 5]], [[4, 4]]]);
  });

  it('validates what crosses the boundary', () => {
    expect(toImportWorkerSchema.safeParse({ type: 'import', files: [], options: { testFraction: 0.2, seed: 1, standardize: false } }).success).toBe(false);
    expect(toImportWorkerSchema.safeParse({ type: 'import', files: [{ path: 'a.zip', file: new File(['x'], 'a.zip') }], options: { testFraction: 0.2, seed: 1, standardize: false } }).success).toBe(true);
    expect(fromImportWorkerSchema.safeParse({ type: 'error', message: 'a.zip: not a zip', file: 'a.zip' }).success).toBe(true);
    expect(fromImportWorkerSchema.safeParse({ type: 'progress', phase: 'x' }).success).toBe(false);
  });
});
