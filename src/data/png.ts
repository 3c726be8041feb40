import { decode } from 'fast-png';
import type { DecodedImage } from './types';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

export const isPng = (bytes: Uint8Array): boolean => PNG_MAGIC.every((b, i) => bytes[i] === b);

/**
 * Decodes an 8-bit, non-indexed PNG to RGBA in plain JS (fast-png on fflate): for small images this is several times
 * faster than createImageBitmap + a canvas, and needs no DOM. Returns null for PNGs it leaves to the browser's
 * decoder (16-bit, palette); throws for bytes that are not a readable PNG.
 */
export function decodePngRgba(bytes: Uint8Array): DecodedImage | null {
  const p = decode(bytes);
  if (p.depth !== 8 || p.palette) return null;
  const n = p.width * p.height;
  const out = new Uint8Array(n * 4);
  const src = p.data;
  const ch = p.channels;
  for (let i = 0; i < n; i++) {
    const s = i * ch;
    const g = ch < 3;
    out[i * 4] = src[s];
    out[i * 4 + 1] = g ? src[s] : src[s + 1];
    out[i * 4 + 2] = g ? src[s] : src[s + 2];
    out[i * 4 + 3] = ch === 2 ? src[s + 1] : ch === 4 ? src[s + 3] : 255;
  }
  return { width: p.width, height: p.height, data: out };
}
