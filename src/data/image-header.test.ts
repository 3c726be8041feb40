import { describe, expect, it } from 'vitest';
import { readImageHeader } from './image-header';
import { png } from './testing/fixtures';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap(p => (typeof p === 'string' ? [...p].map(c => c.charCodeAt(0)) : p)));

describe('readImageHeader', () => {
  it('reads PNG size and greyness', () => {
    expect(readImageHeader(png(5, 3, 1, () => 0))).toEqual({ type: 'png', width: 5, height: 3, gray: true });
    expect(readImageHeader(png(2, 7, 4, () => 0))).toEqual({ type: 'png', width: 2, height: 7, gray: false });
  });

  it('reads JPEG SOF after an APP segment, GIF, BMP (bottom-up and top-down) and the three WebP kinds', () => {
    const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 6], 'JFIF', [0xff, 0xc0, 0, 11, 8, 0, 20, 0, 30, 1, 1, 0x11, 0]);
    expect(readImageHeader(jpeg)).toEqual({ type: 'jpeg', width: 30, height: 20, gray: true });
    expect(readImageHeader(bytes('GIF89a', [10, 0, 4, 1]))).toMatchObject({ type: 'gif', width: 10, height: 260 });
    const bmp = (h: number[]) => bytes('BM', new Array(12).fill(0), [40, 0, 0, 0], [16, 0, 0, 0], h);
    expect(readImageHeader(bmp([8, 0, 0, 0]))).toMatchObject({ type: 'bmp', width: 16, height: 8 });
    expect(readImageHeader(bmp([0xf8, 0xff, 0xff, 0xff]))).toMatchObject({ type: 'bmp', width: 16, height: 8 });
    const riff = (chunk: string, body: number[]) => bytes('RIFF', [0, 0, 0, 0], 'WEBP', chunk, [0, 0, 0, 0], body);
    expect(readImageHeader(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 64, 0, 48, 0]))).toMatchObject({ width: 64, height: 48 });
    const vp8l = (63 & 0x3fff) | ((31 & 0x3fff) << 14);
    expect(readImageHeader(riff('VP8L', [0x2f, vp8l & 255, (vp8l >> 8) & 255, (vp8l >> 16) & 255, vp8l >>> 24]))).toMatchObject({ width: 64, height: 32 });
    expect(readImageHeader(riff('VP8X', [0, 0, 0, 0, 99, 0, 0, 9, 0, 0]))).toMatchObject({ type: 'webp', width: 100, height: 10 });
  });

  it('returns null for bytes that are no image', () => {
    expect(readImageHeader(bytes('hello world'))).toBeNull();
    expect(readImageHeader(new Uint8Array(0))).toBeNull();
  });
});
