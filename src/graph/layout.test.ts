import { describe, expect, it } from 'vitest';
import { autoLayout, NODE_SIZE } from './layout';
import { sequentialGraph } from './build';

describe('autoLayout', () => {
  it('puts each layer of a chain below the previous one without overlap', async () => {
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Conv2D' }, { kind: 'Dense' }]);
    g.nodes.forEach((n) => (n.position = { x: 0, y: 0 }));
    const laid = await autoLayout(g, 'DOWN');
    const ys = laid.nodes.map((n) => n.position.y);
    expect(ys[1] - ys[0]).toBeGreaterThanOrEqual(NODE_SIZE.height);
    expect(ys[2] - ys[1]).toBeGreaterThanOrEqual(NODE_SIZE.height);
    const right = await autoLayout(g, 'RIGHT');
    expect(right.nodes[1].position.x - right.nodes[0].position.x).toBeGreaterThanOrEqual(NODE_SIZE.width);
    expect(g.nodes[1].position).toEqual({ x: 0, y: 0 });
  });
});
