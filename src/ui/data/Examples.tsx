import { memo, useEffect, useRef } from 'react';

/** One image sample (h×w×c, uint8 0–255 or float) drawn pixel for pixel on a small canvas, scaled up by CSS. */
export const ImageSample = memo(function ImageSample({ x, shape, title }: { x: Uint8Array | Float32Array; shape: number[]; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w, c] = shape;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    let lo = 0;
    let hi = 255;
    if (x instanceof Float32Array) {
      lo = Infinity;
      hi = -Infinity;
      for (const v of x) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    const img = ctx.createImageData(w, h);
    for (let p = 0; p < h * w; p++) {
      for (let ch = 0; ch < 3; ch++) img.data[p * 4 + ch] = (x[p * c + (c === 3 ? ch : 0)] - lo) * k;
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [x, h, w, c]);
  return <canvas ref={ref} width={w} height={h} className="data-thumb" title={title} />;
});

const PLOT_W = 72;
const PLOT_H = 36;
const COLOURS = ['#3b5bdb', '#c2255c', '#2b8a3e', '#e67700'];

/** One series sample ([length, c] or flat) as a small line plot, one line per channel (first four). */
export const SeriesSample = memo(function SeriesSample({ x, shape, title }: { x: Uint8Array | Float32Array; shape: number[]; title: string }) {
  const len = shape[0];
  const c = shape.length > 1 ? shape[shape.length - 1] : 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const step = Math.max(1, Math.floor(len / PLOT_W));
  const lines = Array.from({ length: Math.min(c, COLOURS.length) }, (_, ch) => {
    const pts: string[] = [];
    for (let i = 0; i < len; i += step) pts.push(`${((i / Math.max(1, len - 1)) * PLOT_W).toFixed(1)},${(PLOT_H - 2 - ((x[i * c + ch] - lo) / span) * (PLOT_H - 4)).toFixed(1)}`);
    return <polyline key={ch} points={pts.join(' ')} fill="none" stroke={COLOURS[ch]} strokeWidth={1} />;
  });
  return (
    <svg className="data-plot" width={PLOT_W} height={PLOT_H} viewBox={`0 0 ${PLOT_W} ${PLOT_H}`} role="img" aria-label={title}>
      <title>{title}</title>
      {lines}
    </svg>
  );
});
