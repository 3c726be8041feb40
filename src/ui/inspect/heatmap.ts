/** Colour maps and canvas drawing for feature maps, filters and images. */

export type Rgb = [number, number, number];

// Viridis at 9 stops: perceptually even, readable in grey print.
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** t in [0, 1] → viridis. */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** t in [−1, 1] → blue (negative) / white / red (positive): for signed weights. */
export function diverging(t: number): Rgb {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  return x < 0 ? [255 + 85 * x, 255 + 55 * x, 255] : [255, 255 - 200 * x, 255 - 210 * x];
}

export function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * Draws an h×w plane into `canvas` (its intrinsic size becomes w×h; CSS scales it, pixelated).
 * `at(i)` gives the value of pixel i (row-major); `mode` chooses viridis over [lo, hi] or diverging over ±max|v|.
 */
export function drawPlane(canvas: HTMLCanvasElement, h: number, w: number, at: (i: number) => number, mode: 'viridis' | 'diverging' = 'viridis', fixed?: [number, number]): void {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const n = h * w;
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = at(i);
  const [lo, hi] = fixed ?? range(vals);
  const img = ctx.createImageData(w, h);
  const amp = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let i = 0; i < n; i++) {
    const c = mode === 'viridis' ? viridis(hi > lo ? (vals[i] - lo) / (hi - lo) : 0) : diverging(vals[i] / amp);
    img.data[4 * i] = c[0];
    img.data[4 * i + 1] = c[1];
    img.data[4 * i + 2] = c[2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws an h×w×c channels-last image (c = 1 grey, c = 3 RGB, else channel 0) scaled to [0, 1] by its own range. */
export function drawImage(canvas: HTMLCanvasElement, data: ArrayLike<number>, h: number, w: number, c: number): void {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const [lo, hi] = range(data);
  const s = hi > lo ? 255 / (hi - lo) : 0;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const px = (k: number) => (data[i * c + k] - lo) * s;
    const [r, g, b] = c === 3 ? [px(0), px(1), px(2)] : [px(0), px(0), px(0)];
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws a 1-D signal as a line (channel 0 of an L×C series), for sequence inputs. */
export function drawSeries(canvas: HTMLCanvasElement, data: ArrayLike<number>, length: number, channels: number): void {
  const W = 256;
  const H = 96;
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const vals = Array.from({ length }, (_v, i) => data[i * channels]);
  const [lo, hi] = range(vals);
  const y = (v: number) => (hi > lo ? H - 6 - ((v - lo) / (hi - lo)) * (H - 12) : H / 2);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#3b5bdb';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  vals.forEach((v, i) => (i ? ctx.lineTo((i / (length - 1 || 1)) * W, y(v)) : ctx.moveTo(0, y(v))));
  ctx.stroke();
}
