/// <reference lib="webworker" />
import { layoutPositions, type LayoutDirection } from '../../graph/layout';
import type { Graph } from '../../graph/types';

type Request = { id: number; graph: Graph; direction: LayoutDirection };

/**
 * Runs ELK off the main thread: on ResNet-50 a layered layout takes about a second.
 * elk.bundled.js, seeing a worker global, installs its own `self.onmessage` when it first runs (during the first
 * layout), so the handler is put back after every layout.
 */
const handle = async (e: MessageEvent<Request>) => {
  const { id, graph, direction } = e.data;
  try {
    const positions = await layoutPositions(graph, direction);
    self.onmessage = handle;
    self.postMessage({ id, positions });
  } catch (err) {
    self.onmessage = handle;
    self.postMessage({ id, error: (err as Error).message });
  }
};
self.onmessage = handle;
