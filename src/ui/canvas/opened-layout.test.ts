import { describe, expect, it } from 'vitest';
import { BLOCK_KIND, type BlockDef } from '../../graph/blocks';
import { NODE_SIZE } from '../../graph/layout';
import type { GraphNode } from '../../graph/types';
import { blockSketch, COLLAPSED, groupSize, inFrame, openedShifts } from './opened-layout';

/** A block whose layers stand in a column, and one with two branches side by side (wider than a collapsed box). */
const column: BlockDef = {
  id: 'col',
  name: 'Column',
  inputs: [],
  outputs: [],
  params: [],
  graph: { nodes: [0, 1, 2].map((k) => ({ id: `l${k}`, kind: 'Dense', name: `l${k}`, params: {}, position: { x: 0, y: k * 120 } })), edges: [] },
};
const branches: BlockDef = {
  ...column,
  id: 'two',
  name: 'Two branches',
  graph: { nodes: [0, 1].map((k) => ({ id: `b${k}`, kind: 'Dense', name: `b${k}`, params: {}, position: { x: k * 300, y: 0 } })), edges: [] },
};
const defs = new Map([column, branches].map((d) => [d.id, d]));

const layer = (id: string, x: number, y: number): GraphNode => ({ id, kind: 'Dense', name: id, params: {}, position: { x, y } });
const instance = (id: string, block: string, x: number, y: number): GraphNode => ({ id, kind: BLOCK_KIND, name: id, params: {}, block, position: { x, y } });

describe('openedShifts', () => {
  const extraDown = (d: BlockDef) => groupSize(d).height - COLLAPSED.height;
  const extraAcross = (d: BlockDef) => groupSize(d).width - COLLAPSED.width;

  it('moves nothing while every instance is collapsed', () => {
    expect(openedShifts([instance('a', 'col', 0, 0), layer('b', 0, 200)], defs, new Set(), 'DOWN').size).toBe(0);
  });

  it('top-down: pushes what follows in the lane down by the frame’s extra height, leaves what precedes it', () => {
    const nodes = [layer('above', 0, -200), instance('a', 'col', 0, 0), layer('below', 0, 200), layer('below2', 10, 400), layer('next', 300, 200)];
    const s = openedShifts(nodes, defs, new Set(['a']), 'DOWN');
    expect(s.get('above')).toBeUndefined();
    expect(s.get('a')).toBeUndefined();
    expect(s.get('below')).toEqual({ x: 0, y: extraDown(column) });
    expect(s.get('below2')).toEqual({ x: 0, y: extraDown(column) });
    // The next column is not pushed down, only over by the frame's padding beyond a collapsed box.
    expect(s.get('next')).toEqual({ x: extraAcross(column), y: 0 });
  });

  it('top-down: a frame wider than a collapsed box moves every later column over, above and below it, and not down', () => {
    const nodes = [instance('a', 'two', 0, 300), layer('next-top', 300, 0), layer('next-low', 300, 900), layer('far', 600, 0)];
    const s = openedShifts(nodes, defs, new Set(['a']), 'DOWN');
    expect(extraAcross(branches)).toBeGreaterThan(0);
    expect(s.get('next-top')).toEqual({ x: extraAcross(branches), y: 0 });
    expect(s.get('next-low')).toEqual({ x: extraAcross(branches), y: 0 });
    expect(s.get('far')).toEqual({ x: extraAcross(branches), y: 0 });
  });

  it('top-down: two wide frames in one lane move later lanes by the wider one; lanes before them add up', () => {
    const nodes = [instance('a', 'two', 0, 0), instance('b', 'two', 0, 1000), instance('c', 'two', 300, 0), layer('end', 600, 0)];
    const s = openedShifts(nodes, defs, new Set(['a', 'b', 'c']), 'DOWN');
    const w = extraAcross(branches);
    expect(s.get('b')).toEqual({ x: 0, y: extraDown(branches) });
    expect(s.get('c')).toEqual({ x: w, y: 0 });
    expect(s.get('end')).toEqual({ x: 2 * w, y: 0 });
  });

  it('left-to-right: the same rules with the axes swapped', () => {
    const tall: BlockDef = { ...branches, id: 'tall', graph: { nodes: [0, 1].map((k) => ({ id: `t${k}`, kind: 'Dense', name: `t${k}`, params: {}, position: { x: 0, y: k * 300 } })), edges: [] } };
    const nodes = [instance('a', 'tall', 0, 0), layer('after', 300, 0), layer('below', 0, 300)];
    const s = openedShifts(nodes, new Map([[tall.id, tall]]), new Set(['a']), 'RIGHT');
    const size = groupSize(tall);
    expect(s.get('after')).toEqual({ x: size.width - COLLAPSED.width, y: 0 });
    expect(s.get('below')).toEqual({ x: 0, y: size.height - COLLAPSED.height });
    expect(size.height).toBeGreaterThan(COLLAPSED.height + NODE_SIZE.height);
  });
});

describe('blockSketch', () => {
  const categoryOf = (kind: string) => (kind === 'Dense' ? 'dense' : undefined);
  const nested: BlockDef = {
    ...column,
    id: 'nest',
    graph: {
      nodes: [
        { id: 'a', kind: 'Dense', name: 'a', params: {}, position: { x: -100, y: -50 } },
        { id: 'b', kind: BLOCK_KIND, name: 'b', params: {}, block: 'col', position: { x: -100, y: 150 } },
        { id: 'c', kind: 'Mystery', name: 'c', params: {}, position: { x: 200, y: 150 } },
      ],
      edges: [
        { id: 'e1', source: 'a', target: 'b', sourceIndex: 0, targetIndex: 0 },
        { id: 'e2', source: 'a', target: 'c', sourceIndex: 0, targetIndex: 0 },
        { id: 'gone', source: 'a', target: 'missing', sourceIndex: 0, targetIndex: 0 },
      ],
    },
  };

  it('draws each layer where the opened frame puts it, in its category, inside the frame', () => {
    const s = blockSketch(nested, 'DOWN', categoryOf);
    const size = groupSize(nested);
    expect([s.width, s.height]).toEqual([size.width, size.height]);
    // The top-left layer sits at the frame's padding, below the header; the others keep their offsets from it.
    const [a, b, c] = s.boxes;
    expect({ x: a.x, y: a.y }).toEqual(inFrame({ x: -100, y: -50 }, size.x0, size.y0));
    expect(a.x).toBeGreaterThan(0);
    expect({ x: b.x - a.x, y: b.y - a.y }).toEqual({ x: 0, y: 200 });
    expect({ x: c.x - a.x, y: c.y - a.y }).toEqual({ x: 300, y: 200 });
    expect(s.boxes.map((x) => x.category)).toEqual(['dense', 'block', 'unknown']);
    for (const x of s.boxes) {
      expect(x.x + NODE_SIZE.width).toBeLessThanOrEqual(s.width);
      expect(x.y + NODE_SIZE.height).toBeLessThanOrEqual(s.height);
    }
  });

  it('runs wires from the outgoing side to the incoming side, by direction, and skips wires to missing layers', () => {
    const down = blockSketch(nested, 'DOWN', categoryOf);
    const [a, b] = down.boxes;
    expect(down.wires).toHaveLength(2);
    expect(down.wires[0]).toEqual({ x1: a.x + NODE_SIZE.width / 2, y1: a.y + NODE_SIZE.height, x2: b.x + NODE_SIZE.width / 2, y2: b.y });
    const right = blockSketch(nested, 'RIGHT', categoryOf);
    expect(right.wires[0]).toEqual({ x1: a.x + NODE_SIZE.width, y1: a.y + NODE_SIZE.height / 2, x2: b.x, y2: b.y + NODE_SIZE.height / 2 });
  });
});
