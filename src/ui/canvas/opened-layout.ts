import { isInstance, type BlockDef } from '../../graph/blocks';
import { NODE_SIZE } from '../../graph/layout';
import type { GraphNode, XY } from '../../graph/types';
import { GROUP_PAD } from './block-view';

/** The size of an opened instance: its layers as the block lays them out, with room for the header. */
export function groupSize(def: BlockDef): { width: number; height: number; x0: number; y0: number } {
  const xs = def.graph.nodes.map((n) => n.position.x);
  const ys = def.graph.nodes.map((n) => n.position.y);
  const x0 = Math.min(0, ...xs);
  const y0 = Math.min(0, ...ys);
  return {
    width: Math.max(...xs, 0) - x0 + NODE_SIZE.width + 2 * GROUP_PAD.x,
    height: Math.max(...ys, 0) - y0 + NODE_SIZE.height + GROUP_PAD.top + GROUP_PAD.bottom,
    x0,
    y0,
  };
}

/** Where a block's layer at `position` is drawn inside its opened instance's frame (`x0`, `y0` from groupSize). */
export function inFrame(position: XY, x0: number, y0: number): XY {
  return { x: position.x - x0 + GROUP_PAD.x, y: position.y - y0 + GROUP_PAD.top };
}

/** Roughly the size of a collapsed instance box. */
export const COLLAPSED = { width: NODE_SIZE.width + 20, height: NODE_SIZE.height + 30 };

/**
 * Display offsets (never stored) that make room for opened instances. Along the flow (down, or right in a
 * left-to-right layout), every box at or past an opened instance in its lane moves on by the room the frame takes
 * beyond a collapsed box. Across the flow, every box in a later lane moves over by the widest opened frame's extra
 * width in each lane before it, so a frame wider than a collapsed box (a bottleneck with a projection branch) never
 * covers the next column. Several opened instances add up.
 */
export function openedShifts(nodes: readonly GraphNode[], defs: ReadonlyMap<string, BlockDef>, expanded: ReadonlySet<string>, direction: string): Map<string, XY> {
  const shifts = new Map<string, XY>();
  if (!expanded.size) return shifts;
  const down = direction === 'DOWN';
  const along = (p: XY) => (down ? p.y : p.x);
  const across = (p: XY) => (down ? p.x : p.y);
  const boxAcross = down ? NODE_SIZE.width : NODE_SIZE.height;
  const collapsedAcross = down ? COLLAPSED.width : COLLAPSED.height;
  const add = (id: string, dAlong: number, dAcross: number) => {
    const d = shifts.get(id) ?? { x: 0, y: 0 };
    shifts.set(id, down ? { x: d.x + dAcross, y: d.y + dAlong } : { x: d.x + dAlong, y: d.y + dAcross });
  };
  /** Lanes with an opened instance: where the lane starts across the flow, and its widest frame's extra width. */
  const lanes: Array<{ start: number; extra: number }> = [];
  for (const inst of nodes) {
    const def = expanded.has(inst.id) && isInstance(inst) && inst.block !== undefined ? defs.get(inst.block) : undefined;
    if (!def) continue;
    const size = groupSize(def);
    const extraAlong = down ? size.height - COLLAPSED.height : size.width - COLLAPSED.width;
    const extraAcross = (down ? size.width : size.height) - collapsedAcross;
    const start = across(inst.position);
    for (const n of nodes) {
      if (n.id === inst.id) continue;
      const inLane = across(n.position) + boxAcross > start && across(n.position) < start + collapsedAcross;
      if (inLane && along(n.position) >= along(inst.position)) add(n.id, extraAlong, 0);
    }
    if (extraAcross <= 0) continue;
    const lane = lanes.find((l) => Math.abs(l.start - start) < collapsedAcross);
    if (lane) lane.extra = Math.max(lane.extra, extraAcross);
    else lanes.push({ start, extra: extraAcross });
  }
  for (const lane of lanes) {
    for (const n of nodes) if (across(n.position) >= lane.start + collapsedAcross) add(n.id, 0, lane.extra);
  }
  return shifts;
}

/** A box of an opened instance's sketch: where its layer is drawn inside the frame, and what colours it. */
export interface SketchBox {
  /** The layer's id inside the block. */
  id: string;
  name: string;
  x: number;
  y: number;
  /** The layer kind's palette category ('block' for a block inside the block). */
  category: string;
}

/** The picture of an opened instance drawn when it is too small on screen to work in: its layers' boxes and wires. */
export interface Sketch {
  width: number;
  height: number;
  boxes: SketchBox[];
  /** Wires from the middle of the source's outgoing side to the middle of the target's incoming side. */
  wires: Array<{ x1: number; y1: number; x2: number; y2: number }>;
}

/**
 * Where an opened instance draws its layers (frame coordinates, boxes of NODE_SIZE as laid out) and the wires between
 * them. `categoryOf` names a layer kind's category.
 */
export function blockSketch(def: BlockDef, direction: string, categoryOf: (kind: string) => string | undefined): Sketch {
  const { width, height, x0, y0 } = groupSize(def);
  const at = new Map<string, XY>();
  const boxes = def.graph.nodes.map((n) => {
    const p = inFrame(n.position, x0, y0);
    at.set(n.id, p);
    return { id: n.id, name: n.name, x: p.x, y: p.y, category: isInstance(n) ? 'block' : (categoryOf(n.kind) ?? 'unknown') };
  });
  const down = direction === 'DOWN';
  const { width: w, height: h } = NODE_SIZE;
  const wires = def.graph.edges.flatMap((e) => {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (!s || !t) return [];
    return down ? [{ x1: s.x + w / 2, y1: s.y + h, x2: t.x + w / 2, y2: t.y }] : [{ x1: s.x + w, y1: s.y + h / 2, x2: t.x, y2: t.y + h / 2 }];
  });
  return { width, height, boxes, wires };
}
