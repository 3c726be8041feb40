import type { DecodedImage, ImageDecoder } from './types';

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', jfif: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', webp: 'image/webp' };

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

/**
 * The browser's image decoder (the only DOM-touching file of src/data; works in a worker): createImageBitmap on a
 * Blob, drawn on a reused OffscreenCanvas and read back with getImageData. PNG, JPEG, WebP, BMP and GIF (first
 * frame). Colour-space conversion and premultiplication are turned off so pixels arrive as stored.
 */
export const decodeBrowserImage: ImageDecoder = async (bytes, path): Promise<DecodedImage> => {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], MIME[ext] ? { type: MIME[ext] } : {});
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    if (!canvas || canvas.width < width || canvas.height < height) {
      canvas = new OffscreenCanvas(Math.max(width, canvas?.width ?? 0), Math.max(height, canvas?.height ?? 0));
      context = canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!context) throw new Error('no 2D context on OffscreenCanvas');
    context.clearRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, width, height).data;
    return { width, height, data };
  } finally {
    bitmap.close();
  }
};
