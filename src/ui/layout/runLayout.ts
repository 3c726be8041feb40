import { layoutPositions, type LayoutDirection } from '../../graph/layout';
import type { Graph, XY } from '../../graph/types';

type Reply = { id: number; positions?: Record<string, XY>; error?: string };

const TIMEOUT_MS = 20_000;

let worker: Worker | null | undefined;
let seq = 0;
const pending = new Map<number, { resolve(p: Record<string, XY>): void; reject(e: Error): void }>();

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<Reply>) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      if (e.data.positions) p.resolve(e.data.positions);
      else p.reject(new Error(e.data.error ?? 'layout failed'));
    };
    worker.onerror = () => {
      // A worker that cannot start (old browser, blocked script): fall back to the main thread from now on.
      worker?.terminate();
      worker = null;
      for (const [, p] of pending) p.reject(new Error('layout worker failed'));
      pending.clear();
    };
  } catch {
    worker = null;
  }
  return worker;
}

/** ELK positions for `graph`, computed in a worker so the editor stays responsive; on the main thread if need be. */
export async function layoutInBackground(graph: Graph, direction: LayoutDirection): Promise<Record<string, XY>> {
  const w = getWorker();
  if (!w) return layoutPositions(graph, direction);
  const id = ++seq;
  try {
    return await new Promise<Record<string, XY>>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('layout worker did not answer'));
      }, TIMEOUT_MS);
      pending.set(id, {
        resolve: (p) => (clearTimeout(timer), resolve(p)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      w.postMessage({ id, graph, direction });
    });
  } catch {
    return layoutPositions(graph, direction);
  }
}
