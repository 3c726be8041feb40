import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { LayerKind } from '../../../nodes/index';
import { NODE_SIZE } from '../../graph/layout';
import type { GraphNode, XY } from '../../graph/types';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { KIND_MIME } from '../canvas/Canvas';
import { plainText } from '../format';
import { BlocksSection } from './BlocksSection';
import { CATEGORY_LABELS, paletteGroups } from './groups';
import './palette.css';

export { CATEGORY_LABELS };

/** The first place at or beside `pos` (to the right when the graph flows down, below otherwise) that no layer covers. */
export function freeSpot(nodes: readonly GraphNode[], pos: XY, down: boolean): XY {
  const p = { ...pos };
  const covered = () =>
    nodes.some((n) => Math.abs(n.position.x - p.x) < NODE_SIZE.width + 20 && Math.abs(n.position.y - p.y) < NODE_SIZE.height + 10);
  for (let i = 0; i < 50 && covered(); i++) {
    if (down) p.x += NODE_SIZE.width + 40;
    else p.y += NODE_SIZE.height + 40;
  }
  return p;
}

/**
 * Adds a layer where the user will see it: below the single selected layer (wired to it when it can take an input),
 * otherwise at the centre of the visible canvas.
 */
export function useAddLayer() {
  const flow = useReactFlow();
  return (kind: LayerKind) => {
    const doc = useDocStore.getState();
    const ui = useUiStore.getState();
    const sel = ui.selectedNodes.length === 1 ? doc.project.graph.nodes.find((n) => n.id === ui.selectedNodes[0]) : undefined;
    let id: string;
    if (sel && kind.inputs.max > 0) {
      const down = ui.direction === 'DOWN';
      const pos = down ? { x: sel.position.x, y: sel.position.y + NODE_SIZE.height + 40 } : { x: sel.position.x + NODE_SIZE.width + 60, y: sel.position.y };
      id = doc.addNode(kind.kind, freeSpot(doc.project.graph.nodes, pos, down));
      useDocStore.getState().connect(sel.id, id, 0);
    } else {
      const el = document.querySelector('.canvas')?.getBoundingClientRect();
      const centre = el ? flow.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
      const jitter = (doc.project.graph.nodes.length % 5) * 18;
      id = doc.addNode(kind.kind, { x: Math.round(centre.x - NODE_SIZE.width / 2 + jitter), y: Math.round(centre.y - 40 + jitter) });
    }
    ui.select([id]);
    if (ui.tab === 'summary') ui.setTab('layer');
    ui.requestView({ type: 'center', nodeId: id });
  };
}

/** Every layer kind, grouped by category and searchable; drag onto the canvas, double-click or press Enter to add. */
export function Palette() {
  const [query, setQuery] = useState('');
  const add = useAddLayer();
  const groups = useMemo(() => paletteGroups(query), [query]);

  const onDragStart = (e: DragEvent, kind: LayerKind) => {
    e.dataTransfer.setData(KIND_MIME, kind.kind);
    e.dataTransfer.effectAllowed = 'move';
  };
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && groups.length) add(groups[0].kinds[0]);
    if (e.key === 'Escape') setQuery('');
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      document.querySelector<HTMLButtonElement>('.palette-item')?.focus();
    }
  };
  // Up/down walk the list (and stay out of the canvas' nudge shortcut).
  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const items = [...document.querySelectorAll<HTMLButtonElement>('.palette-item')];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowUp' && i <= 0) document.querySelector<HTMLInputElement>('.palette-search')?.focus();
    else items[Math.min(items.length - 1, e.key === 'ArrowDown' ? i + 1 : i - 1)]?.focus();
  };

  return (
    <aside className="palette" data-testid="palette">
      <input
        className="palette-search"
        type="search"
        placeholder="Search layers…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onSearchKey}
        data-testid="palette-search"
        aria-label="Search layers"
      />
      <div className="palette-list" onKeyDown={onListKey}>
        <BlocksSection query={query} />
        {groups.map((g) => (
          <div key={g.cat} className={`palette-group cat-${g.cat}`}>
            <div className="palette-group-title">{CATEGORY_LABELS[g.cat]}</div>
            {g.kinds.map((k) => (
              <button
                key={k.kind}
                className={`palette-item cat-${k.ui.category}`}
                draggable
                onDragStart={(e) => onDragStart(e, k)}
                onDoubleClick={() => add(k)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    add(k);
                  }
                }}
                title={`${plainText(k.ui.description)}\nDrag onto the canvas, double-click or press Enter to add.`}
                data-testid={`palette-${k.kind}`}
              >
                <span className="dot" />
                <span>{k.ui.label}</span>
              </button>
            ))}
          </div>
        ))}
        {!groups.length && <div className="palette-empty">No layer matches “{query}”.</div>}
      </div>
      <div className="palette-hint">Drag a layer onto the canvas, or select a layer and double-click / press Enter here to append after it.</div>
    </aside>
  );
}
