/// <reference lib="webworker" />
import { decodeBrowserImage } from './decode-browser';
import { decodePngRgba, isPng } from './png';

/** A decoding helper of the import worker (./decode-pool.ts): one image per message, pixels back as RGBA. */
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (e: MessageEvent<{ id: number; bytes: Uint8Array; path: string }>) => {
  const { id, bytes, path } = e.data;
  try {
    const img = (isPng(bytes) ? decodePngRgba(bytes) : null) ?? (await decodeBrowserImage(bytes, path));
    const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    scope.postMessage({ id, width: img.width, height: img.height, data }, [data.buffer]);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
