import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * Canvases drawn only once on (or near) the screen: a ResNet's feature maps are ~600 tiles, of which a panel shows a
 * few dozen; drawing them all at every replayed epoch kept the page busy for half a second. A tile off screen keeps its
 * newest drawing pending and draws it when scrolled to.
 */
const pending = new WeakMap<Element, () => void>();
const onScreen = new WeakSet<Element>();
let observer: IntersectionObserver | null | undefined;
function visibility(): IntersectionObserver | null {
  if (observer === undefined) {
    observer = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) {
          onScreen.delete(e.target);
          continue;
        }
        onScreen.add(e.target);
        const draw = pending.get(e.target);
        pending.delete(e.target);
        draw?.();
      }
    }, { rootMargin: '300px' });
  }
  return observer;
}

/** A small canvas drawn by `draw`; clicking it opens the same drawing enlarged. */
export function Tile({ draw, label, title, size = 56, height, testid }: { draw(c: HTMLCanvasElement): void; label?: ReactNode; title: string; size?: number; height?: number; testid?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(false);
  useEffect(() => {
    const c = ref.current;
    const io = visibility();
    if (!c || !io) return;
    io.observe(c);
    return () => {
      io.unobserve(c);
      onScreen.delete(c);
      pending.delete(c);
    };
  }, []);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    // Before the observer's first report a tile counts as off screen: the report follows within a frame.
    if (!visibility() || onScreen.has(c)) draw(c);
    else pending.set(c, () => draw(c));
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
