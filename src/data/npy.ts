import { DatasetImportError } from './types';

/** Element types of .npy arrays Convas reads (numpy `descr` without the byte-order mark). */
export type NpyType = 'b1' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'u8' | 'i8' | 'f4' | 'f8';

export interface NpyArray {
  type: NpyType;
  shape: number[];
  /** The values, in C order; 64-bit integers as BigInt64Array/BigUint64Array. */
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
}

type ArrayView = new (buffer: ArrayBuffer, byteOffset: number, length: number) => NpyArray['data'];

/** The typed array of each element type. */
export const NPY_ARRAYS: Record<NpyType, ArrayView & { BYTES_PER_ELEMENT: number }> = {
  b1: Uint8Array,
  u1: Uint8Array,
  i1: Int8Array,
  u2: Uint16Array,
  i2: Int16Array,
  u4: Uint32Array,
  i4: Int32Array,
  u8: BigUint64Array,
  i8: BigInt64Array,
  f4: Float32Array,
  f8: Float64Array,
};

/**
 * Parses a NumPy .npy file (format versions 1.0, 2.0 and 3.0): little-endian (or byte-order-free) numeric dtypes,
 * C order only. The data is viewed in place when aligned, copied otherwise. Errors name `file`.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (m: string) => new DatasetImportError(m, file);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw fail('not a NumPy .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail('truncated .npy header');
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else throw fail(`.npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0, 3.0 are)`);
  if (start + headerLen > bytes.length) throw fail('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw fail(`unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw fail('Fortran-ordered arrays are not supported: save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '')
    .map(s => (/^\d+L?$/.test(s) ? parseInt(s, 10) : NaN));
  if (shape.some(d => !Number.isSafeInteger(d))) throw fail(`unreadable .npy shape (${shapeText})`);
  const m = /^([<>|=]?)([a-z])(\d+)$/.exec(descr);
  const type = m ? (`${m[2]}${m[3]}` as NpyType) : undefined;
  if (!m || !type || !(type in NPY_ARRAYS)) throw fail(`dtype '${descr}' is not supported (bool, int8–int64, uint8–uint64, float32 and float64 are)`);
  if (m[1] === '>' && NPY_ARRAYS[type].BYTES_PER_ELEMENT > 1) throw fail(`dtype '${descr}' is big-endian: save as little-endian ('<${type}')`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const need = count * NPY_ARRAYS[type].BYTES_PER_ELEMENT;
  if (bytes.length - offset < need)
    throw fail(`holds ${bytes.length - offset} data bytes, but shape (${shape.join(', ')}) of ${descr} needs ${need}`);
  let buf = bytes.buffer as ArrayBuffer;
  let at = bytes.byteOffset + offset;
  if (at % NPY_ARRAYS[type].BYTES_PER_ELEMENT !== 0) {
    buf = bytes.slice(offset, offset + need).buffer as ArrayBuffer;
    at = 0;
  }
  return { type, shape, data: new NPY_ARRAYS[type](buf, at, count) };
}

/** The values as float32 (64-bit integers through Number). */
export function toFloat32(a: NpyArray): Float32Array {
  if (a.data instanceof Float32Array) return a.data;
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) {
    const out = new Float32Array(a.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(a.data[i]);
    return out;
  }
  return Float32Array.from(a.data);
}

/** Value `i` as a number. */
export function valueAt(a: NpyArray, i: number): number {
  return Number(a.data[i]);
}

/** A float32 array as a NumPy .npy file (format 1.0, little-endian, C order), as `numpy.save` writes it. */
export function npyFloat32(shape: readonly number[], data: Float32Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The header (magic, version, length and dict) ends on a 64-byte boundary, with a newline.
  dict += ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const head = new TextEncoder().encode(dict);
  const out = new Uint8Array(10 + head.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + head.length);
  return out;
}
