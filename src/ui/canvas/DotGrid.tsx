import { useStore } from '@xyflow/react';
import { dotGridPlacement } from './dot-grid';

/**
 * The canvas' dot grid. React Flow's <Background> moves an SVG pattern as the view pans, so the whole pane was painted
 * again on every frame of a pan (with thousands of dots at a low zoom, most of a frame's time). Here the dots are one
 * tile image on an element moved by a transform, which is its own compositing layer while the pane is dragged
 * (canvas.css): such a pan is composited, without painting the dots again.
 */
export function DotGrid({ gap, radius, color }: { gap: number; radius: number; color: string }) {
  const x = useStore((s) => s.transform[0]);
  const y = useStore((s) => s.transform[1]);
  const zoom = useStore((s) => s.transform[2]);
  const { step, dx, dy } = dotGridPlacement(x, y, zoom, gap);
  const r = radius * zoom;
  return (
    <div
      className="canvas-dots"
      data-testid="canvas-dots"
      style={{
        width: `calc(100% + ${2 * step}px)`,
        height: `calc(100% + ${2 * step}px)`,
        backgroundSize: `${step}px ${step}px`,
        // An edge half a pixel wide around the radius: antialiased like the SVG circle it replaces.
        backgroundImage: `radial-gradient(circle, ${color} ${Math.max(0, r - 0.25)}px, transparent ${r + 0.25}px)`,
        transform: `translate(${dx}px, ${dy}px)`,
      }}
    />
  );
}
