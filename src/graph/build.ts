import type { Graph, GraphEdge, GraphNode } from './types';

/** Keras-style unique layer name: `conv2d`, then `conv2d_1`, `conv2d_2`, … */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Keras' default layer name for a kind: `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
export function defaultLayerName(kind: string): string {
  return kind
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/(\d)D$/, '$1d')
    .toLowerCase();
}

export interface LayerSpec {
  kind: string;
  name?: string;
  params?: Record<string, unknown>;
}

/** A chain of layers wired one after another, laid out top to bottom. Handy for tests and presets. */
export function sequentialGraph(layers: LayerSpec[]): Graph {
  const taken = new Set<string>();
  // Next suffix to try per base name, so many layers of one kind stay linear rather than quadratic.
  const nextSuffix = new Map<string, number>();
  const nodes: GraphNode[] = layers.map((l, i) => {
    let name = l.name;
    if (name === undefined) {
      const base = defaultLayerName(l.kind);
      let k = nextSuffix.get(base) ?? 0;
      const at = (i: number) => (i === 0 ? base : `${base}_${i}`);
      while (taken.has(at(k))) k++;
      name = at(k);
      nextSuffix.set(base, k + 1);
    }
    taken.add(name);
    return { id: `n${i}`, kind: l.kind, name, params: l.params ?? {}, position: { x: 0, y: i * 100 } };
  });
  const edges: GraphEdge[] = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id, targetIndex: 0 }));
  return { nodes, edges };
}
