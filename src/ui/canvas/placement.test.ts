import { describe, expect, it } from 'vitest';
import { sequentialGraph } from '../../graph/build';
import { NODE_SIZE } from '../../graph/layout';
import { dropSpot, freeSpot } from './placement';
import { openingViewport } from './Canvas';

const column = (n: number, gap = 150) =>
  sequentialGraph(Array.from({ length: n }, (_, i) => ({ kind: i ? 'Dense' : 'Input' }))).nodes.map((node, i) => ({ ...node, position: { x: 0, y: i * gap } }));

describe('opening viewport', () => {
  it('lets React Flow fit a graph that stays readable when fitted', () => {
    expect(openingViewport(column(9), 800, 790)).toBeUndefined();
    expect(openingViewport([], 800, 790)).toBeUndefined();
  });

  it('shows the top of a tall graph, centred, at a readable zoom', () => {
    const vp = openingViewport(column(180), 800, 790)!;
    expect(vp.zoom).toBeGreaterThanOrEqual(0.45);
    expect(vp.zoom).toBeLessThanOrEqual(0.8);
    expect(vp.y).toBe(24);
    // The column's centre lands on the canvas' centre line.
    expect(vp.x + (NODE_SIZE.width / 2) * vp.zoom).toBeCloseTo(400);
  });
});

describe('free spot for an appended layer', () => {
  it('keeps the spot when nothing covers it and steps aside past every layer that does', () => {
    const nodes = column(2);
    expect(freeSpot(nodes, { x: 0, y: 600 }, true)).toEqual({ x: 0, y: 600 });
    const taken = freeSpot(nodes, { x: 0, y: 150 }, true);
    expect(taken).toEqual({ x: NODE_SIZE.width + 40, y: 150 });
    expect(freeSpot(nodes, { x: 0, y: 150 }, false).x).toBe(0);
  });
});

describe('spot for a dropped layer', () => {
  it('stays under the cursor on free canvas', () => {
    expect(dropSpot(column(2), { x: 500, y: 0 }, true)).toEqual({ x: 500, y: 0 });
    expect(dropSpot([], { x: -80, y: 33 }, true)).toEqual({ x: -80, y: 33 });
  });

  it('moves on along the flow past the layers it would cover, so no two layers overlap', () => {
    const nodes = column(3, NODE_SIZE.height + 40);
    const down = dropSpot(nodes, { x: 10, y: 20 }, true);
    expect(down.x).toBe(10);
    expect(down.y).toBeGreaterThanOrEqual(2 * (NODE_SIZE.height + 40) + NODE_SIZE.height);
    const right = dropSpot(nodes, { x: 10, y: 20 }, false);
    expect(right.y).toBe(20);
    expect(right.x).toBeGreaterThanOrEqual(NODE_SIZE.width);
    for (const spot of [down, right]) {
      for (const n of nodes) {
        const apart = Math.abs(n.position.x - spot.x) >= NODE_SIZE.width || Math.abs(n.position.y - spot.y) >= NODE_SIZE.height;
        expect(apart).toBe(true);
      }
    }
  });
});
