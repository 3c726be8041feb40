import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNpy, toFloat32, type NpyType } from './npy';
import { npy } from './testing/fixtures';
import { DatasetImportError } from './types';

describe('parseNpy', () => {
  const cases: [NpyType, number[]][] = [
    ['f4', [1.5, -2, 0]],
    ['f8', [1e-300, 3.25, -7]],
    ['u1', [0, 128, 255]],
    ['i8', [-5, 0, 2 ** 40]],
    ['i4', [-1, 2, 3]],
    ['b1', [1, 0, 1]],
  ];
  it.each(cases)('reads %s', (type, values) => {
    const a = parseNpy(npy(type, [3], values), 'a.npy');
    expect(a.type).toBe(type);
    expect(a.shape).toEqual([3]);
    expect(Array.from(a.data, Number)).toEqual(values);
  });

  it.each([1, 2, 3] as const)('reads format version %i.0 headers', version => {
    const a = parseNpy(npy('f4', [2, 3], [1, 2, 3, 4, 5, 6], version), 'a.npy');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(toFloat32(a))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads a scalar shape and an empty array', () => {
    expect(parseNpy(npy('f4', [], [7]), 's.npy').shape).toEqual([]);
    expect(parseNpy(npy('f4', [0, 4], []), 'e.npy').data.length).toBe(0);
  });

  it('copies data that is not aligned to its element size', () => {
    const bytes = npy('f8', [2], [1.25, -3]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(parseNpy(shifted.subarray(1), 'a.npy').data as Float64Array)).toEqual([1.25, -3]);
  });

  it('refuses what it cannot read, naming the file', () => {
    expect(() => parseNpy(new Uint8Array(20), 'z.npy')).toThrow(/z\.npy: not a NumPy/);
    expect(() => parseNpy(npy('f4', [2], [1, 2], 1, true), 'f.npy')).toThrow(/Fortran-ordered/);
    const be = new TextDecoder('latin1').decode(npy('f4', [2], [1, 2])).replace("'<f4'", "'>f4'");
    expect(() => parseNpy(Uint8Array.from(be, c => c.charCodeAt(0)), 'b.npy')).toThrow(/big-endian/);
    const cplx = new TextDecoder('latin1').decode(npy('f8', [1], [1])).replace("'<f8'", "'<c8'");
    expect(() => parseNpy(Uint8Array.from(cplx, c => c.charCodeAt(0)), 'c.npy')).toThrow(/'<c8' is not supported/);
    const full = npy('f4', [4], [1, 2, 3, 4]);
    expect(() => parseNpy(full.subarray(0, full.length - 3), 't.npy')).toThrow(DatasetImportError);
    expect(() => parseNpy(full.subarray(0, full.length - 3), 't.npy')).toThrow(/needs 16/);
  });

  it('round-trips random shapes and dtypes (property)', () => {
    const types: NpyType[] = ['b1', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f4', 'f8'];
    const range: Record<NpyType, [number, number]> = {
      b1: [0, 1], u1: [0, 255], i1: [-128, 127], u2: [0, 65535], i2: [-32768, 32767], u4: [0, 2 ** 32 - 1],
      i4: [-(2 ** 31), 2 ** 31 - 1], u8: [0, 2 ** 53 - 1], i8: [-(2 ** 53), 2 ** 53 - 1], f4: [-1e6, 1e6], f8: [-1e6, 1e6],
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        fc.constantFrom(1 as const, 2 as const, 3 as const),
        fc.integer(),
        (type, shape, version, seed) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const [lo, hi] = range[type];
          const values = Array.from({ length: n }, (_, i) => {
            const v = lo + (Math.abs(Math.sin(seed + i * 12.9898)) * (hi - lo));
            return type === 'f4' ? Math.fround(v) : type === 'f8' ? v : Math.floor(v);
          });
          const a = parseNpy(npy(type, shape, values, version), 'p.npy');
          expect(a.type).toBe(type);
          expect(a.shape).toEqual(shape);
          expect(Array.from(a.data, Number)).toEqual(values);
        },
      ),
      { numRuns: 200 },
    );
  });
});
