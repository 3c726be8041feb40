import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { LayerKind } from '../../../nodes/index';
import { NODE_SIZE } from '../../graph/layout';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { KIND_MIME } from '../canvas/Canvas';
import { appendInsideBlock } from '../canvas/block-drop';
import { dropSpot, freeSpot } from '../canvas/placement';
import { plainText } from '../format';
import { Icon } from '../Icon';
import { PanelResizer } from '../Workspace';
import { BlocksSection } from './BlocksSection';
import { CATEGORY_LABELS, paletteGroups } from './groups';
import './palette.css';

export { CATEGORY_LABELS };

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
    // After a layer inside an opened block: into the block.
    const inside = !sel && ui.selectedNodes.length === 1 && kind.inputs.max > 0 ? appendInsideBlock(ui.selectedNodes[0], kind.kind, ui.direction === 'DOWN') : undefined;
    if (inside === null) return;
    let id: string;
    if (inside) id = inside;
    else if (sel && kind.inputs.max > 0) {
      const down = ui.direction === 'DOWN';
      const pos = down ? { x: sel.position.x, y: sel.position.y + NODE_SIZE.height + 40 } : { x: sel.position.x + NODE_SIZE.width + 60, y: sel.position.y };
      id = doc.addNode(kind.kind, freeSpot(doc.project.graph.nodes, pos, down));
      useDocStore.getState().connect(sel.id, id, 0);
    } else {
      const el = document.querySelector('.canvas')?.getBoundingClientRect();
      const centre = el ? flow.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
      const spot = dropSpot(doc.project.graph.nodes, { x: Math.round(centre.x - NODE_SIZE.width / 2), y: Math.round(centre.y - 40) }, ui.direction === 'DOWN');
      id = doc.addNode(kind.kind, spot);
    }
    ui.select([id]);
    if (ui.tab === 'summary') ui.setTab('layer');
    ui.requestView({ type: 'center', nodeId: id });
  };
}

/** The folded palette: a rail whose button opens it again. */
function PaletteRail() {
  return (
    <aside className="palette rail" data-testid="palette" aria-label="Layer palette (hidden)">
      <button className="btn icon rail-btn" title="Show the layer palette" aria-label="Show the layer palette" aria-expanded={false} data-testid="palette-open" onClick={() => useUiStore.getState().setPanels({ paletteOpen: true })}>
        <Icon name="panelRight" />
      </button>
      <span className="rail-label" aria-hidden>
        Layers
      </span>
    </aside>
  );
}

/**
 * Every layer kind, grouped by category and searchable; drag onto the canvas, double-click or press Enter to add.
 * The list is one Tab stop (the arrow keys walk it), so Tab goes on to the canvas instead of through 30 layer kinds.
 */
export function Palette() {
  const open = useUiStore((s) => s.panels.paletteOpen);
  return open ? <PaletteOpen /> : <PaletteRail />;
}

function PaletteOpen() {
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState<string | null>(null);
  const add = useAddLayer();
  const groups = useMemo(() => paletteGroups(query), [query]);
  const tabStop = groups.some((g) => g.kinds.some((k) => k.kind === current)) ? current : groups[0]?.kinds[0]?.kind;

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
  // Up/down walk the list (and stay out of the canvas' nudge shortcut); Home/End jump to its ends.
  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    e.stopPropagation();
    const items = [...document.querySelectorAll<HTMLButtonElement>('.palette-item')];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Home') items[0]?.focus();
    else if (e.key === 'End') items.at(-1)?.focus();
    else if (e.key === 'ArrowUp' && i <= 0) document.querySelector<HTMLInputElement>('.palette-search')?.focus();
    else items[Math.min(items.length - 1, e.key === 'ArrowDown' ? i + 1 : i - 1)]?.focus();
  };

  return (
    <aside className="palette" data-testid="palette" aria-label="Layer palette">
      <div className="palette-head">
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
        <button className="btn icon" title="Hide the layer palette" aria-label="Hide the layer palette" aria-expanded data-testid="palette-close" onClick={() => useUiStore.getState().setPanels({ paletteOpen: false })}>
          <Icon name="panelLeft" />
        </button>
      </div>
      <div className="palette-list" onKeyDown={onListKey}>
        <BlocksSection query={query} />
        {groups.map((g) => (
          <div key={g.cat} className={`palette-group cat-${g.cat}`} role="group" aria-label={CATEGORY_LABELS[g.cat]}>
            <div className="palette-group-title" aria-hidden>
              {CATEGORY_LABELS[g.cat]}
            </div>
            {g.kinds.map((k) => (
              <button
                key={k.kind}
                className={`palette-item cat-${k.ui.category}`}
                draggable
                tabIndex={k.kind === tabStop ? 0 : -1}
                onFocus={() => setCurrent(k.kind)}
                onDragStart={(e) => onDragStart(e, k)}
                onDoubleClick={() => add(k)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
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
      <div className="palette-hint">Drag a layer onto the canvas, or press Enter on it (↑↓ to move) to add it; with a layer selected, it is appended after it.</div>
      <PanelResizer panel="palette" label="Resize the layer palette" />
    </aside>
  );
}
