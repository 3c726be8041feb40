import { describe, expect, it } from 'vitest';
import { sequentialGraph } from '../../graph/build';
import { NODE_SIZE } from '../../graph/layout';
import { freeSpot } from '../palette/Palette';
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
