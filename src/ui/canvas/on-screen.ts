/** A rectangle in canvas coordinates, named by the node it frames. */
export interface Frame {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The ids of the frames that overlap the screen widened by `margin` screen sizes on every side, in the frames' order.
 * `transform` is React Flow's [x, y, zoom]: a canvas point p is drawn at p · zoom + (x, y).
 */
export function framesOnScreen(frames: readonly Frame[], transform: readonly [number, number, number], width: number, height: number, margin: number): string[] {
  const [tx, ty, zoom] = transform;
  const x0 = (-tx - width * margin) / zoom;
  const y0 = (-ty - height * margin) / zoom;
  const x1 = (width - tx + width * margin) / zoom;
  const y1 = (height - ty + height * margin) / zoom;
  return frames.filter((f) => f.x < x1 && f.x + f.width > x0 && f.y < y1 && f.y + f.height > y0).map((f) => f.id);
}
