import { useCallback, useEffect, useRef } from 'react';

/**
 * A h×w drawing pad (28×28 for MNIST) shown large: white strokes on black like MNIST digits, with a soft brush so
 * that strokes have the antialiased edges the models were trained on. Calls `onChange` with values in [0, 1] after
 * each stroke.
 */
export function DrawPad({ h, w, onChange, size = 160 }: { h: number; w: number; onChange(data: Float32Array): void; size?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const data = useRef(new Float32Array(h * w));
  const drawing = useRef(false);
  const last = useRef<[number, number] | null>(null);

  const paint = useCallback(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = w;
    c.height = h;
    const img = ctx.createImageData(w, h);
    data.current.forEach((v, i) => {
      const g = Math.round(v * 255);
      img.data.set([g, g, g, 255], 4 * i);
    });
    ctx.putImageData(img, 0, 0);
  }, [h, w]);

  useEffect(() => {
    data.current = new Float32Array(h * w);
    paint();
  }, [h, w, paint]);

  const brush = (x: number, y: number) => {
    const r = Math.max(0.8, Math.min(h, w) / 20);
    for (let i = Math.floor(y - r - 1); i <= Math.ceil(y + r + 1); i++) {
      for (let j = Math.floor(x - r - 1); j <= Math.ceil(x + r + 1); j++) {
        if (i < 0 || j < 0 || i >= h || j >= w) continue;
        const d = Math.hypot(i + 0.5 - y, j + 0.5 - x);
        const v = Math.min(1, Math.max(0, (r + 0.5 - d) / 1.0));
        const k = i * w + j;
        data.current[k] = Math.max(data.current[k], v);
      }
    }
  };

  const at = (e: React.PointerEvent<HTMLCanvasElement>): [number, number] => {
    const rect = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - rect.left) / rect.width) * w, ((e.clientY - rect.top) / rect.height) * h];
  };

  const stroke = (p: [number, number]) => {
    const q = last.current ?? p;
    const steps = Math.max(1, Math.ceil(Math.hypot(p[0] - q[0], p[1] - q[1]) * 3));
    for (let s = 1; s <= steps; s++) brush(q[0] + ((p[0] - q[0]) * s) / steps, q[1] + ((p[1] - q[1]) * s) / steps);
    last.current = p;
    paint();
  };

  return (
    <div className="ins-pad">
      <canvas
        ref={ref}
        className="ins-canvas ins-pad-canvas"
        style={{ width: size, height: (size * h) / w }}
        data-testid="draw-pad"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          drawing.current = true;
          last.current = null;
          stroke(at(e));
        }}
        onPointerMove={(e) => drawing.current && stroke(at(e))}
        onPointerUp={() => {
          if (!drawing.current) return;
          drawing.current = false;
          onChange(Float32Array.from(data.current));
        }}
      />
      <button
        className="btn"
        data-testid="draw-clear"
        onClick={() => {
          data.current = new Float32Array(h * w);
          paint();
          onChange(Float32Array.from(data.current));
        }}
      >
        Clear
      </button>
    </div>
  );
}
