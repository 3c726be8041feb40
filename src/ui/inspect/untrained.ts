import type { Graph } from '../../graph/types';
import type { WeightSnapshot } from '../../compile/weights';

/** What makes two graphs the same model: layers, params and wiring — not positions or object identity. */
export function modelKey(graph: Graph): string {
  const nodes = [...graph.nodes].sort((a, b) => (a.id < b.id ? -1 : 1)).map((n) => [n.id, n.kind, n.name, n.params]);
  const edges = [...graph.edges].map((e) => [e.source, e.target, e.targetIndex]).sort((a, b) => (String(a) < String(b) ? -1 : 1));
  return JSON.stringify([nodes, edges]);
}

const cache = new Map<string, WeightSnapshot>();

/**
 * The random initial weights the Inspect panel drew for a model, so that exporting an untrained model saves the very
 * model the user has been looking at rather than a new random draw. Keeps the last few models only.
 */
export const untrainedWeights = {
  get: (graph: Graph): WeightSnapshot | undefined => cache.get(modelKey(graph)),
  set(graph: Graph, w: WeightSnapshot): void {
    const key = modelKey(graph);
    cache.delete(key);
    cache.set(key, w);
    while (cache.size > 4) cache.delete(cache.keys().next().value!);
  },
};
