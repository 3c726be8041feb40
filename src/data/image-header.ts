/** Image formats Convas imports, told apart by their magic bytes. */
export type ImageType = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

export const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jfif', 'gif', 'bmp', 'webp']);

/** How many leading bytes `readImageHeader` wants (JPEG's size can sit behind large EXIF blocks). */
export const HEADER_BYTES = 65536;

export interface ImageHeader {
  type: ImageType;
  /** 0 when the header is too short to tell. */
  width: number;
  height: number;
  /** True when the header says single-channel (PNG grey / grey + alpha, one-component JPEG); false when it says colour or cannot tell. */
  gray: boolean;
}

/** The type, size and (where the header says) greyness of an image from its first bytes; null when they are no image's. */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  const n = b.length;
  const be16 = (o: number) => (o + 2 <= n ? (b[o] << 8) | b[o + 1] : 0);
  const le16 = (o: number) => (o + 2 <= n ? b[o] | (b[o + 1] << 8) : 0);
  const be32 = (o: number) => (o + 4 <= n ? be16(o) * 65536 + be16(o + 2) : 0);
  const le32 = (o: number) => (o + 4 <= n ? le16(o) + le16(o + 2) * 65536 : 0);
  const ascii = (o: number, s: string) => o + s.length <= n && [...s].every((ch, i) => b[o + i] === ch.charCodeAt(0));
  if (n >= 8 && b[0] === 0x89 && ascii(1, 'PNG\r\n\x1a\n')) {
    const colorType = n > 25 ? b[25] : 2;
    return { type: 'png', width: be32(16), height: be32(20), gray: colorType === 0 || colorType === 4 };
  }
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b, be16);
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return { type: 'gif', width: le16(6), height: le16(8), gray: false };
  if (ascii(0, 'BM') && n >= 18) {
    const dib = le32(14);
    if (dib === 12) return { type: 'bmp', width: le16(18), height: le16(20), gray: false };
    const h = le32(22);
    return { type: 'bmp', width: le32(18), height: h >= 2 ** 31 ? 2 ** 32 - h : h, gray: false };
  }
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) {
    if (ascii(12, 'VP8 ')) return { type: 'webp', width: le16(26) & 0x3fff, height: le16(28) & 0x3fff, gray: false };
    if (ascii(12, 'VP8L') && n >= 25) {
      const bits = le32(21);
      return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, gray: false };
    }
    if (ascii(12, 'VP8X') && n >= 30)
      return { type: 'webp', width: (b[24] | (b[25] << 8) | (b[26] << 16)) + 1, height: (b[27] | (b[28] << 8) | (b[29] << 16)) + 1, gray: false };
    return { type: 'webp', width: 0, height: 0, gray: false };
  }
  return null;
}

function jpegHeader(b: Uint8Array, be16: (o: number) => number): ImageHeader {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) break;
    const m = b[o + 1];
    if (m === 0xff) {
      o++;
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      o += 2;
      continue;
    }
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && o + 10 <= b.length) return { type: 'jpeg', height: be16(o + 5), width: be16(o + 7), gray: b[o + 9] === 1 };
    if (m === 0xd9 || m === 0xda) break;
    o += 2 + be16(o + 2);
  }
  return { type: 'jpeg', width: 0, height: 0, gray: false };
}
