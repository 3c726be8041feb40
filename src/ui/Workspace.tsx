import { useRef, useSyncExternalStore, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { defaultPanelLayout, PANEL_LIMITS, useUiStore, type PanelLayout } from '../store/ui';

/** Width of a folded panel: the rail with its re-open button (and, for the side panel, its tabs). */
export const RAIL_WIDTH = 40;
/** The canvas keeps at least this much of the window when panels are wide. */
const CANVAS_MIN = 240;

function subscribeResize(onChange: () => void): () => void {
  window.addEventListener('resize', onChange);
  return () => window.removeEventListener('resize', onChange);
}

export function useWindowWidth(): number {
  return useSyncExternalStore(subscribeResize, () => window.innerWidth, () => 1440);
}

/** Tabs whose content (charts, tables, image grids) wants a wider side panel. */
export const useWideTab = () => useUiStore((s) => s.tab === 'data' || s.tab === 'train' || s.tab === 'inspect' || s.tab === 'runs');

/**
 * The widths the panels get in a window `windowWidth` px wide: the remembered ones, narrowed so that the canvas keeps
 * {@link CANVAS_MIN} px (the side panel keeps its width first: it holds the forms and the training).
 */
export function panelWidths(p: PanelLayout, wide: boolean, windowWidth: number): { palette: number; side: number } {
  const sideWanted = p.sideOpen ? (wide ? p.sideWideWidth : p.sideWidth) : RAIL_WIDTH;
  const side = p.sideOpen ? Math.max(PANEL_LIMITS.side.min, Math.min(sideWanted, windowWidth - RAIL_WIDTH - CANVAS_MIN)) : RAIL_WIDTH;
  const palette = p.paletteOpen ? Math.max(PANEL_LIMITS.palette.min, Math.min(p.paletteWidth, windowWidth - side - CANVAS_MIN)) : RAIL_WIDTH;
  return { palette, side };
}

/** Palette, canvas and side panel in three columns sized from the remembered panel layout and the window. */
export function Workspace({ children }: { children: ReactNode }) {
  const wide = useWideTab();
  const panels = useUiStore((s) => s.panels);
  const w = panelWidths(panels, wide, useWindowWidth());
  return (
    <div className={`workspace${wide ? ' wide' : ''}`} style={{ gridTemplateColumns: `${w.palette}px minmax(0, 1fr) ${w.side}px` }}>
      {children}
    </div>
  );
}

const STEP = 16;

/**
 * The draggable inner edge of a panel (a separator, also moved with the arrow keys); the width is remembered when the
 * drag ends. Double-click goes back to the default width.
 */
export function PanelResizer({ panel, label }: { panel: 'palette' | 'side'; label: string }) {
  const wide = useWideTab();
  const key: keyof PanelLayout = panel === 'palette' ? 'paletteWidth' : wide ? 'sideWideWidth' : 'sideWidth';
  const stored = useUiStore((s) => s.panels[key]) as number;
  const limits = PANEL_LIMITS[panel];
  // The palette grows to the right, the side panel to the left.
  const sign = panel === 'palette' ? 1 : -1;
  const drag = useRef<{ x: number; width: number } | null>(null);
  const clamp = (v: number) => Math.round(Math.min(limits.max, Math.max(limits.min, v)));
  const shownWidth = (el: Element) => el.parentElement?.getBoundingClientRect().width ?? stored;
  const setWidth = (v: number, remember: boolean) => useUiStore.getState().setPanels({ [key]: clamp(v) }, remember);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, width: shownWidth(e.currentTarget) };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current) setWidth(drag.current.width + sign * (e.clientX - drag.current.x), false);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    setWidth(drag.current.width + sign * (e.clientX - drag.current.x), true);
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const now = shownWidth(e.currentTarget);
    const by: Record<string, number> = { ArrowLeft: -STEP * sign, ArrowRight: STEP * sign, Home: limits.min - now, End: limits.max - now };
    if (!(e.key in by)) return;
    e.preventDefault();
    e.stopPropagation();
    setWidth(now + by[e.key], true);
  };
  return (
    <div
      className={`panel-resizer for-${panel}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuemin={limits.min}
      aria-valuemax={limits.max}
      aria-valuenow={stored}
      tabIndex={0}
      title={`${label} (drag, or arrow keys; double-click for the default width)`}
      data-testid={`${panel}-resizer`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (drag.current = null)}
      onKeyDown={onKeyDown}
      onDoubleClick={() => setWidth(defaultPanelLayout(window.innerWidth)[key] as number, true)}
    />
  );
}
