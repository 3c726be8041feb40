import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dotGridPlacement } from './dot-grid';

describe('dotGridPlacement', () => {
  it('puts a tile centre (a dot) on the flow origin, wherever the view is', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e5, max: 1e5, noNaN: true }), fc.double({ min: -1e5, max: 1e5, noNaN: true }), fc.double({ min: 0.3, max: 4, noNaN: true }), (x, y, zoom) => {
        const { step, dx, dy } = dotGridPlacement(x, y, zoom, 20);
        expect(step).toBeCloseTo(20 * zoom, 9);
        for (const d of [dx, dy]) {
          expect(d).toBeGreaterThanOrEqual(-step);
          expect(d).toBeLessThan(1e-9);
        }
        // The origin (screen x, y) is a whole number of steps from a tile centre.
        for (const [origin, d] of [[x, dx], [y, dy]]) {
          const k = (origin - (d + step / 2)) / step;
          expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6);
        }
      }),
    );
  });

  it('moves with a pan of less than a step and wraps after a whole step', () => {
    // x = 100: the tile centres at dx + 10 = 0, 20, …, 100; y = 50: at dy + 10 = -10, 10, 30, 50.
    expect(dotGridPlacement(100, 50, 1, 20)).toEqual({ step: 20, dx: -10, dy: -20 });
    expect(dotGridPlacement(103, 50, 1, 20).dx).toBeCloseTo(-7);
    expect(dotGridPlacement(109, 50, 1, 20).dx).toBeCloseTo(-1);
    expect(dotGridPlacement(110, 50, 1, 20).dx).toBeCloseTo(-20); // a whole step back: the next dot takes the place
    expect(dotGridPlacement(120, 50, 1, 20).dx).toBeCloseTo(-10);
    expect(dotGridPlacement(100, 50, 0.5, 20)).toEqual({ step: 10, dx: -5, dy: -5 });
  });
});
