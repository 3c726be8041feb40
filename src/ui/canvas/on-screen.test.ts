import { describe, expect, it } from 'vitest';
import { framesOnScreen, type Frame } from './on-screen';

const column: Frame[] = [0, 1, 2, 3, 4].map((k) => ({ id: `b${k}`, x: 0, y: k * 1000, width: 300, height: 900 }));

describe('framesOnScreen', () => {
  it('keeps the frames that overlap the screen, at zoom 1 and no margin', () => {
    // The screen shows canvas y 1500..2300.
    expect(framesOnScreen(column, [0, -1500, 1], 1000, 800, 0)).toEqual(['b1', 'b2']);
  });

  it('widens the screen by the margin on every side', () => {
    // Half a screen (400 px) above and below: canvas y 1100..2700.
    expect(framesOnScreen(column, [0, -1500, 1], 1000, 800, 0.5)).toEqual(['b1', 'b2']);
    // A whole screen: canvas y 700..3100.
    expect(framesOnScreen(column, [0, -1500, 1], 1000, 800, 1)).toEqual(['b0', 'b1', 'b2', 'b3']);
  });

  it('converts the screen into canvas coordinates with the zoom', () => {
    // At zoom 0.5 the same 800 px tall screen shows 1600 canvas px: y 0..1600.
    expect(framesOnScreen(column, [0, 0, 0.5], 1000, 800, 0)).toEqual(['b0', 'b1']);
    // Panned 500 px to the right: canvas x from -1000, so a frame at x 1800 (drawn at 1400 px) is off screen.
    expect(framesOnScreen([{ id: 'r', x: 1800, y: 0, width: 300, height: 100 }], [500, 0, 0.5], 1000, 800, 0)).toEqual([]);
    expect(framesOnScreen([{ id: 'r', x: 900, y: 0, width: 300, height: 100 }], [500, 0, 0.5], 1000, 800, 0)).toEqual(['r']);
  });

  it('drops a frame that only touches the screen edge', () => {
    expect(framesOnScreen([{ id: 'edge', x: 1000, y: 0, width: 10, height: 10 }], [0, 0, 1], 1000, 800, 0)).toEqual([]);
  });
});
