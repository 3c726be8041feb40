import type { DragEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { NODE_SIZE } from '../../graph/layout';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { BLOCK_MIME } from '../canvas/Canvas';
import { freeSpot } from '../canvas/placement';

/** Places an instance of a block: after the single selected layer (wired to it), otherwise at the centre of the view. */
function useAddInstance() {
  const flow = useReactFlow();
  return (blockId: string) => {
    const doc = useDocStore.getState();
    const ui = useUiStore.getState();
    const sel = ui.selectedNodes.length === 1 ? doc.project.graph.nodes.find((n) => n.id === ui.selectedNodes[0]) : undefined;
    const down = ui.direction === 'DOWN';
    let pos;
    if (sel) pos = down ? { x: sel.position.x, y: sel.position.y + NODE_SIZE.height + 40 } : { x: sel.position.x + NODE_SIZE.width + 60, y: sel.position.y };
    else {
      const el = document.querySelector('.canvas')?.getBoundingClientRect();
      const c = el ? flow.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
      pos = { x: Math.round(c.x - NODE_SIZE.width / 2), y: Math.round(c.y - 40) };
    }
    const r = doc.addInstance(blockId, freeSpot(doc.project.graph.nodes, pos, down));
    if (!r.ok) {
      ui.toast('error', r.reason);
      return;
    }
    if (sel) useDocStore.getState().connect(sel.id, r.id!, 0);
    ui.select([r.id!]);
    if (ui.tab === 'summary') ui.setTab('layer');
    ui.requestView({ type: 'center', nodeId: r.id! });
  };
}

/** The project's blocks, listed above the layer kinds: drag one onto the canvas, double-click or press Enter to place an instance. */
export function BlocksSection({ query = '' }: { query?: string }) {
  const blocks = useDocStore((s) => s.project.blocks);
  const add = useAddInstance();
  const q = query.trim().toLowerCase();
  const shown = (blocks ?? []).filter((b) => !q || b.name.toLowerCase().includes(q));
  if (!shown.length) return null;
  const onDragStart = (e: DragEvent, id: string) => {
    e.dataTransfer.setData(BLOCK_MIME, id);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <div className="palette-group palette-blocks" data-testid="palette-blocks">
      <div className="palette-group-title">Blocks in this project</div>
      {shown.map((b) => (
        <button
          key={b.id}
          className="palette-item palette-block"
          draggable
          onDragStart={(e) => onDragStart(e, b.id)}
          onDoubleClick={() => add(b.id)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add(b.id);
            }
          }}
          title={`${b.graph.nodes.length} layers${b.params.length ? `; set per instance: ${b.params.map((p) => p.name).join(', ')}` : ''}\nDrag onto the canvas, double-click or press Enter to place an instance.`}
          data-testid={`palette-block-${b.name}`}
        >
          <span className="dot" />
          <span>{b.name}</span>
          <span className="palette-block-count">{b.graph.nodes.length}</span>
        </button>
      ))}
    </div>
  );
}
