import type ELKType from 'elkjs/lib/elk.bundled.js';
import type { Graph, XY } from './types';

/** The size the canvas draws a layer node at; layout keeps this much room for each. */
export const NODE_SIZE = { width: 240, height: 96 };

export type LayoutDirection = 'DOWN' | 'RIGHT';

let elk: Promise<InstanceType<typeof ELKType>> | undefined;

/** ELK is 1.4 MB of script; the editor's first screen needs NODE_SIZE from this file but never ELK, so it loads on first use. */
function loadElk(): Promise<InstanceType<typeof ELKType>> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK());
  return elk;
}

/**
 * Positions for every node from ELK's layered algorithm (top to bottom or left to right).
 * Pure apart from the CPU it takes: returns new positions, the graph is left as it is.
 */
export async function layoutPositions(graph: Graph, direction: LayoutDirection = 'DOWN'): Promise<Record<string, XY>> {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const res = await (await loadElk()).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.nodeNode': '36',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
    },
    children: graph.nodes.map((n, i) => ({
      id: n.id,
      ...NODE_SIZE,
      layoutOptions: { 'elk.position': `(${i},${i})` },
    })),
    edges: graph.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out: Record<string, XY> = {};
  for (const c of res.children ?? []) out[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return out;
}

/** The graph with ELK positions applied. */
export async function autoLayout(graph: Graph, direction: LayoutDirection = 'DOWN'): Promise<Graph> {
  const pos = await layoutPositions(graph, direction);
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })) };
}
