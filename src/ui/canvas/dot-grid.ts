/**
 * Where the canvas' dot grid sits for a view (React Flow's transform: x, y, zoom): dots every `gap` flow units, so
 * `step` = gap × zoom screen px apart, one on the flow origin. The grid is a tile pattern on an element one step
 * larger than the pane on every side, shifted by (dx, dy) (each in [-step, 0)) so that a tile's centre lands on a dot.
 * A pan changes only dx and dy: a transform, which the compositor applies to a picture painted once per zoom.
 */
export function dotGridPlacement(x: number, y: number, zoom: number, gap: number): { step: number; dx: number; dy: number } {
  const step = gap * zoom;
  const shift = (v: number) => (((v - step / 2) % step) + step) % step - step;
  return { step, dx: shift(x), dy: shift(y) };
}
