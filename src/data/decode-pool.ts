import type { DecodedImage, ImageDecoder } from './types';

type Reply = { id: number; width: number; height: number; data: Uint8Array } | { id: number; error: string };

/**
 * Decodes images in `size` helper workers (./decode.worker.ts), each image sent to the least busy one: the import
 * worker keeps reading the archive and converting while the helpers decode on the other cores. The helpers start with
 * the first image.
 */
export function createDecodePool(size: number, createWorker: () => Worker): { decodeImage: ImageDecoder; terminate(): void } {
  const pending = new Map<number, { resolve(d: DecodedImage): void; reject(e: Error): void; worker: number }>();
  const busy = new Array<number>(size).fill(0);
  let seq = 0;
  let workers: Worker[] | null = null;
  const start = () => Array.from({ length: size }, (_, k) => {
    const w = createWorker();
    w.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      busy[k]--;
      if ('error' in r) p.reject(new Error(r.error));
      else p.resolve({ width: r.width, height: r.height, data: r.data });
    };
    w.onerror = (e) => {
      e.preventDefault();
      for (const [id, p] of pending) {
        if (p.worker !== k) continue;
        pending.delete(id);
        p.reject(new Error(`an image decoding worker failed: ${e.message || 'unknown error'}`));
      }
      busy[k] = 0;
    };
    return w;
  });
  return {
    decodeImage: (bytes, path) =>
      new Promise<DecodedImage>((resolve, reject) => {
        let k = 0;
        for (let i = 1; i < size; i++) if (busy[i] < busy[k]) k = i;
        const id = ++seq;
        pending.set(id, { resolve, reject, worker: k });
        busy[k]++;
        // A copy: the bytes may be a view into the whole archive, which must not be detached.
        const own = bytes.slice();
        workers ??= start();
        workers[k].postMessage({ id, bytes: own, path }, [own.buffer]);
      }),
    terminate() {
      for (const w of workers ?? []) w.terminate();
      for (const p of pending.values()) p.reject(new Error('the import was cancelled'));
      pending.clear();
    },
  };
}
