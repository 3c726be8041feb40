/** Fixture makers for the data tests (Node only): PNGs, .npy files, tar archives, CIFAR records, in-memory files. */
import { encode } from 'fast-png';
import { NPY_ARRAYS, type NpyType } from '../npy';
import { decodePngRgba } from '../png';
import { defaultImportOptions, type DecodedImage, type ImageDecoder, type ImportOptions, type InputFile } from '../types';
import { memoryFile } from '../util';

export const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ ...defaultImportOptions, ...o });

/** A w×h PNG of 1 (grey), 3 (RGB) or 4 (RGBA) channels, pixel value `f(x, y, channel)`. */
export function png(w: number, h: number, channels: 1 | 3 | 4, f: (x: number, y: number, c: number) => number): Uint8Array {
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = f(x, y, c);
  return encode({ width: w, height: h, data, channels, depth: 8 });
}

/** A Node decoder for PNGs (8-bit), standing in for the browser's. */
export const decodePng: ImageDecoder = async (bytes): Promise<DecodedImage> => {
  const img = decodePngRgba(bytes);
  if (!img) throw new Error('test decoder: 8-bit non-indexed PNGs only');
  return img;
};

export function files(tree: Record<string, Uint8Array | string>): InputFile[] {
  return Object.entries(tree).map(([path, d]) => memoryFile(path, typeof d === 'string' ? new TextEncoder().encode(d) : d));
}

/** A .npy file as numpy writes it: magic, version, a padded header dict, little-endian data. */
export function npy(type: NpyType, shape: number[], values: ArrayLike<number>, version: 1 | 2 | 3 = 1, fortran = false): Uint8Array {
  const descr = type.endsWith('1') ? `|${type}` : `<${type}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  dict += ' '.repeat(63 - ((pre + dict.length) % 64)) + '\n';
  const head = new TextEncoder().encode(dict);
  const Ctor = NPY_ARRAYS[type];
  const data = new Ctor(new ArrayBuffer(values.length * Ctor.BYTES_PER_ELEMENT), 0, values.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) data[i] = big ? BigInt(values[i]) : values[i];
  const out = new Uint8Array(pre + head.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, head.length, true);
  else dv.setUint32(8, head.length, true);
  out.set(head, pre);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + head.length);
  return out;
}

/** A ustar archive of regular files. */
export function tar(entries: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(entries)) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(new TextEncoder().encode(s), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    put('        ', 148);
    const sum = h.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of blocks) out.set(b, (o += b.length) - b.length);
  return out;
}

/** CIFAR binary records: label byte(s) then R, G, B planes of 32×32; pixel (r, c, ch) = f(i, r, c, ch). */
export function cifarBatch(labels: number[][], f: (i: number, r: number, c: number, ch: number) => number): Uint8Array {
  const lb = labels[0].length;
  const rec = lb + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((l, i) => {
    out.set(l, i * rec);
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) out[i * rec + lb + ch * 1024 + r * 32 + c] = f(i, r, c, ch);
  });
  return out;
}
