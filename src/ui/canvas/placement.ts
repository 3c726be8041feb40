import { NODE_SIZE } from '../../graph/layout';
import type { GraphNode, XY } from '../../graph/types';

/** Where new layers go on the canvas (pure; tested in placement.test.ts). */

/** The first place at or beside `pos` (to the right when the graph flows down, below otherwise) that no layer covers. */
export function freeSpot(nodes: readonly GraphNode[], pos: XY, down: boolean): XY {
  const p = { ...pos };
  const covered = () =>
    nodes.some((n) => Math.abs(n.position.x - p.x) < NODE_SIZE.width + 20 && Math.abs(n.position.y - p.y) < NODE_SIZE.height + 10);
  for (let i = 0; i < 50 && covered(); i++) {
    if (down) p.x += NODE_SIZE.width + 40;
    else p.y += NODE_SIZE.height + 40;
  }
  return p;
}

/**
 * Where a layer dropped with its top-centre at `pos` goes: there, or moved on along the graph's flow (down, or right
 * for a left-to-right graph) past every layer it would cover, so a drop never hides a layer under another.
 */
export function dropSpot(nodes: readonly GraphNode[], pos: XY, down: boolean): XY {
  return freeSpot(nodes, pos, !down);
}

