import { useCallback } from 'react';
import { useStore, ViewportPortal, type ReactFlowState } from '@xyflow/react';
import { NODE_SIZE } from '../../graph/layout';

/** How a layer of the current graph differs from the compared design. */
export type DiffMark = 'added' | 'removed' | 'changed' | 'affected';

export const MARK_LABEL: Record<DiffMark, string> = {
  added: 'added',
  removed: 'removed',
  changed: 'changed',
  affected: 'knock-on',
};

/**
 * Rings around the current graph's layers that differ, drawn in the canvas' own coordinates (React Flow's viewport
 * portal), so they pan and zoom with the nodes and never touch the document or the node components.
 */
export function DiffOverlay({ marks }: { marks: Map<string, { mark: DiffMark; name: string }> }) {
  // One string of every marked node's box: the overlay re-renders only when one of them moved or resized.
  const boxes = useStore(
    useCallback(
      (s: ReactFlowState) => {
        const out: string[] = [];
        for (const id of marks.keys()) {
          const n = s.nodeLookup.get(id);
          if (!n) continue;
          const p = n.internals.positionAbsolute;
          out.push(`${id}\u0000${p.x}\u0000${p.y}\u0000${n.measured.width ?? NODE_SIZE.width}\u0000${n.measured.height ?? NODE_SIZE.height}`);
        }
        return out.join('\u0001');
      },
      [marks],
    ),
  );
  if (!boxes) return null;
  return (
    <ViewportPortal>
      {boxes.split('\u0001').map((b) => {
        const [id, x, y, w, h] = b.split('\u0000');
        const m = marks.get(id)!;
        const pad = 6;
        return (
          <div
            key={id}
            className={`diff-ring diff-${m.mark}`}
            data-testid={`diff-mark-${m.name}`}
            data-mark={m.mark}
            style={{ transform: `translate(${Number(x) - pad}px, ${Number(y) - pad}px)`, width: Number(w) + 2 * pad, height: Number(h) + 2 * pad }}
          >
            <span className="diff-ring-tag">{MARK_LABEL[m.mark]}</span>
          </div>
        );
      })}
    </ViewportPortal>
  );
}
