import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import * as act from '../actions';
import { mod } from '../Toolbar';
import { portCommands } from './block-ports';

/** How long a finger rests on the canvas before the context menu opens (about what iOS and Android use). */
export const LONG_PRESS_MS = 550;
/** A finger that moves farther than this is panning, not pressing. */
const LONG_PRESS_SLOP = 10;

/**
 * Long-press on touch screens: the canvas' context menu where the finger rests, on the layer under it if any. A second
 * finger (a pinch) or a move cancels it. Returns pointer handlers for the canvas' element.
 */
export function useLongPress() {
  const press = useRef<{ id: number; x: number; y: number; timer: number } | null>(null);
  const cancel = () => {
    if (press.current) window.clearTimeout(press.current.timer);
    press.current = null;
  };
  useEffect(() => cancel, []);
  return {
    onPointerDown(e: ReactPointerEvent<HTMLElement>) {
      if (e.pointerType !== 'touch' || !e.isPrimary) return cancel();
      cancel();
      const target = e.target as Element;
      if (target.closest('.react-flow__handle, .react-flow__controls, .react-flow__minimap')) return;
      const nodeId = target.closest('.react-flow__node')?.getAttribute('data-id') ?? undefined;
      const { clientX: x, clientY: y } = e;
      press.current = {
        id: e.pointerId,
        x,
        y,
        timer: window.setTimeout(() => {
          press.current = null;
          openContextMenuAt(x, y, nodeId);
        }, LONG_PRESS_MS),
      };
    },
    onPointerMove(e: ReactPointerEvent<HTMLElement>) {
      const p = press.current;
      if (p && (e.pointerId !== p.id || Math.hypot(e.clientX - p.x, e.clientY - p.y) > LONG_PRESS_SLOP)) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
  };
}

/** Opens the canvas menu at a page point; on a layer, that layer becomes the selection the commands act on. */
export function openContextMenuAt(x: number, y: number, nodeId?: string): void {
  const ui = useUiStore.getState();
  if (nodeId && !ui.selectedNodes.includes(nodeId)) ui.select([nodeId]);
  ui.openContextMenu({ x, y, nodeId });
}

interface Item {
  id: string;
  label: string;
  hint?: string;
  run(): void;
  disabled?: boolean;
  /** Why a disabled command cannot be used. */
  title?: string;
}

/** The canvas' context menu (right click, long press, or the Menu key / Shift+F10 on a focused layer). */
export function CanvasContextMenu() {
  const menu = useUiStore((s) => s.contextMenu);
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  const close = () => useUiStore.getState().openContextMenu(null);

  useLayoutEffect(() => {
    if (!menu || !ref.current) return setPos(null);
    // Keep the whole menu on screen, also near the right and bottom edges of a small window.
    const r = ref.current.getBoundingClientRect();
    setPos({ left: Math.max(4, Math.min(menu.x, window.innerWidth - r.width - 4)), top: Math.max(4, Math.min(menu.y, window.innerHeight - r.height - 4)) });
    ref.current.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [menu]);

  useEffect(() => {
    if (!menu) return;
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close();
      }
    };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('keydown', onKey, true);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('keydown', onKey, true);
      window.removeEventListener('resize', close);
    };
  }, [menu]);

  if (!menu) return null;
  const ui = useUiStore.getState();
  const hasNodes = useDocStore.getState().project.graph.nodes.length > 0;
  const items: Item[] = menu.nodeId
    ? [
        { id: 'edit', label: 'Edit in the side panel', run: () => (ui.setTab('layer'), ui.setPanels({ sideOpen: true })) },
        { id: 'duplicate', label: 'Duplicate', hint: `${mod}+D`, run: act.duplicateSelection },
        { id: 'copy', label: 'Copy', hint: `${mod}+C`, run: () => void act.copySelection() },
        // Inside an opened block: its ports.
        ...portCommands(menu.nodeId),
        { id: 'delete', label: 'Delete', hint: 'Del', run: act.deleteSelection },
      ]
    : [
        { id: 'paste', label: 'Paste', hint: `${mod}+V`, run: act.paste },
        { id: 'add', label: 'Add a layer…', hint: '/', run: () => (ui.setPanels({ paletteOpen: true }), requestAnimationFrame(() => document.querySelector<HTMLInputElement>('[data-testid="palette-search"]')?.focus())) },
        { id: 'select-all', label: 'Select all', hint: `${mod}+A`, run: act.selectAll, disabled: !hasNodes },
        { id: 'layout', label: 'Auto-layout top to bottom', hint: 'L', run: () => void act.layout('DOWN'), disabled: !hasNodes },
        { id: 'fit', label: 'Fit view', hint: 'F', run: act.fitView, disabled: !hasNodes },
      ];
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(i + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
  };
  return (
    <div
      ref={ref}
      className="menu context-menu"
      role="menu"
      aria-label={menu.nodeId ? 'Layer commands' : 'Canvas commands'}
      data-testid="context-menu"
      style={{ position: 'fixed', left: pos?.left ?? menu.x, top: pos?.top ?? menu.y, visibility: pos ? 'visible' : 'hidden' }}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      {items.map((it) => (
        <button
          key={it.id}
          className="menu-item context-item"
          role="menuitem"
          disabled={it.disabled}
          title={it.title}
          data-testid={`context-${it.id}`}
          onClick={() => {
            close();
            it.run();
          }}
        >
          <span className="menu-item-title">
            {it.label}
            {it.disabled && it.title && <span className="menu-item-sub context-item-why">{it.title}</span>}
          </span>
          {it.hint && <kbd>{it.hint}</kbd>}
        </button>
      ))}
    </div>
  );
}
