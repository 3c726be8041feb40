import { useEffect, useRef, useState, type ReactNode } from 'react';

/** A small canvas drawn by `draw`; clicking it opens the same drawing enlarged. */
export function Tile({ draw, label, title, size = 56, height, testid }: { draw(c: HTMLCanvasElement): void; label?: ReactNode; title: string; size?: number; height?: number; testid?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(false);
  useEffect(() => {
    if (ref.current) draw(ref.current);
  }, [draw]);
  return (
    <figure className="ins-tile" data-testid={testid}>
      <button className="ins-tile-btn" title={`${title} — click to enlarge`} onClick={() => setZoom(true)}>
        <canvas ref={ref} className="ins-canvas" style={{ width: size, height: height ?? size }} />
      </button>
      {label !== undefined && <figcaption>{label}</figcaption>}
      {zoom && <Zoom title={title} draw={draw} onClose={() => setZoom(false)} />}
    </figure>
  );
}

/** A modal with one enlarged drawing; closes on Escape, on the backdrop or the button. */
export function Zoom({ title, draw, onClose }: { title: string; draw(c: HTMLCanvasElement): void; onClose(): void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) draw(ref.current);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [draw, onClose]);
  return (
    <div className="ins-zoom" role="dialog" aria-label={title} onClick={onClose} data-testid="inspect-zoom">
      <div className="ins-zoom-body" onClick={(e) => e.stopPropagation()}>
        <div className="ins-zoom-head">
          <strong>{title}</strong>
          <button className="btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <canvas ref={ref} className="ins-canvas" style={{ width: 320, height: 'auto', minHeight: 60, maxHeight: 320, aspectRatio: 'auto' }} />
      </div>
    </div>
  );
}
