import { create } from 'zustand';
import { z } from 'zod';
import type { LayoutDirection } from '../graph/layout';
import type { Graph } from '../graph/types';

export type PanelTab = 'layer' | 'summary' | 'data' | 'train' | 'inspect' | 'runs';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
  /** How many times this same message was raised while shown (an error repeated three times shows once, ×3). */
  count: number;
}

/** Informational toasts leave by themselves after this long; errors stay until dismissed. */
export const TOAST_MS = 4000;
/** Most informational toasts shown at once (errors are never dropped). */
const MAX_INFO_TOASTS = 3;

/** Widths and open state of the palette and side panel, remembered in this browser. */
export interface PanelLayout {
  paletteOpen: boolean;
  sideOpen: boolean;
  paletteWidth: number;
  /** The side panel's width on the Layer and Summary tabs. */
  sideWidth: number;
  /** Its width on the Data, Train and Inspect tabs, which hold charts and tables. */
  sideWideWidth: number;
}

export const PANEL_LIMITS = {
  palette: { min: 150, max: 420 },
  side: { min: 280, max: 900 },
} as const;

const panelLayoutSchema = z.object({
  paletteOpen: z.boolean(),
  sideOpen: z.boolean(),
  paletteWidth: z.number().min(PANEL_LIMITS.palette.min).max(PANEL_LIMITS.palette.max),
  sideWidth: z.number().min(PANEL_LIMITS.side.min).max(PANEL_LIMITS.side.max),
  sideWideWidth: z.number().min(PANEL_LIMITS.side.min).max(PANEL_LIMITS.side.max),
});

export const PANEL_LAYOUT_KEY = 'convas.panels.v1';

/** Widths that suit a window `width` px wide when nothing is remembered: narrow windows get narrower panels. */
export function defaultPanelLayout(width: number): PanelLayout {
  const small = width < 1000;
  return { paletteOpen: true, sideOpen: true, paletteWidth: small ? 170 : 232, sideWidth: small ? 340 : 380, sideWideWidth: small ? 360 : 480 };
}

/** The remembered panel layout, or the defaults when there is none or it does not pass the schema (never throws). */
export function readPanelLayout(storage: Pick<Storage, 'getItem'> | null, width: number): PanelLayout {
  const fallback = defaultPanelLayout(width);
  try {
    const raw = storage?.getItem(PANEL_LAYOUT_KEY);
    if (!raw) return fallback;
    const parsed = panelLayoutSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function savePanelLayout(layout: PanelLayout): void {
  try {
    browserStorage()?.setItem(PANEL_LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or refused: the layout simply is not remembered.
  }
}

/** A one-shot request to the canvas (which owns React Flow's imperative API). */
export type ViewRequest =
  | { type: 'fit' }
  /** A freshly opened graph: fitted when that stays readable, otherwise its top at a readable zoom. */
  | { type: 'open' }
  | { type: 'center'; nodeId: string }
  | { type: 'set'; x: number; y: number; zoom: number };

/** View state: selection, panels, toasts. Never undone and never saved with the project. */
export interface UiState {
  selectedNodes: string[];
  selectedEdges: string[];
  tab: PanelTab;
  toasts: Toast[];
  showMinimap: boolean;
  showHelp: boolean;
  showProjects: boolean;
  showShare: boolean;
  direction: LayoutDirection;
  viewRequest: (ViewRequest & { seq: number }) | null;
  /** When the current project was last written to browser storage (ms since epoch). */
  savedAt: number | null;
  /** An auto-layout is running (in a worker). */
  layingOut: boolean;
  saveError: string | null;
  panels: PanelLayout;
  /** The canvas' context menu, at a point of the page (right click or long press). */
  contextMenu: { x: number; y: number; nodeId?: string } | null;

  select(nodes: string[], edges?: string[]): void;
  setTab(tab: PanelTab): void;
  toast(kind: Toast['kind'], text: string): void;
  dismissToast(id: number): void;
  /** Changes the panel layout; `remember` writes it to browser storage (false while a drag is under way). */
  setPanels(patch: Partial<PanelLayout>, remember?: boolean): void;
  openContextMenu(menu: UiState['contextMenu']): void;
  requestView(r: ViewRequest): void;
  set(patch: Partial<Pick<UiState, 'showMinimap' | 'showHelp' | 'showProjects' | 'showShare' | 'direction' | 'savedAt' | 'saveError' | 'layingOut'>>): void;
}

let toastSeq = 0;
let viewSeq = 0;
const toastTimers = new Map<number, ReturnType<typeof setTimeout>>();

export const useUiStore = create<UiState>()((set, get) => ({
  selectedNodes: [],
  selectedEdges: [],
  tab: 'summary',
  toasts: [],
  showMinimap: true,
  showHelp: false,
  showProjects: false,
  showShare: false,
  direction: 'DOWN',
  viewRequest: null,
  savedAt: null,
  layingOut: false,
  saveError: null,
  panels: readPanelLayout(browserStorage(), typeof window === 'undefined' ? 1440 : window.innerWidth),
  contextMenu: null,

  select(nodes, edges = []) {
    const s = get();
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (same(s.selectedNodes, nodes) && same(s.selectedEdges, edges)) return;
    set({ selectedNodes: nodes, selectedEdges: edges });
  },
  setTab(tab) {
    set({ tab });
  },
  toast(kind, text) {
    const id = ++toastSeq;
    // The same message again is one toast with a counter, moved to the end under a new id (it is the newest news).
    const same = get().toasts.find((t) => t.kind === kind && t.text === text);
    if (same) clearToastTimer(same.id);
    let toasts = [...get().toasts.filter((t) => t !== same), { id, kind, text, count: (same?.count ?? 0) + 1 }];
    const infos = toasts.filter((t) => t.kind !== 'error');
    if (infos.length > MAX_INFO_TOASTS) {
      const drop = new Set(infos.slice(0, infos.length - MAX_INFO_TOASTS));
      drop.forEach((t) => clearToastTimer(t.id));
      toasts = toasts.filter((t) => !drop.has(t));
    }
    set({ toasts });
    if (kind !== 'error') toastTimers.set(id, setTimeout(() => get().dismissToast(id), TOAST_MS));
  },
  dismissToast(id) {
    clearToastTimer(id);
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  setPanels(patch, remember = true) {
    const panels = { ...get().panels, ...patch };
    set({ panels });
    if (remember) savePanelLayout(panels);
  },
  openContextMenu(contextMenu) {
    set({ contextMenu });
  },
  requestView(r) {
    set({ viewRequest: { ...r, seq: ++viewSeq } });
  },
  set(patch) {
    set(patch);
  },
}));

function clearToastTimer(id: number): void {
  const t = toastTimers.get(id);
  if (t !== undefined) clearTimeout(t);
  toastTimers.delete(id);
}

/** Which way a saved graph flows, judged from its positions, so handles sit where its wires run. */
export function guessDirection(graph: Graph): LayoutDirection {
  const pos = new Map(graph.nodes.map((n) => [n.id, n.position]));
  let dx = 0;
  let dy = 0;
  for (const e of graph.edges) {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    if (!a || !b) continue;
    dx += Math.abs(b.x - a.x);
    dy += Math.abs(b.y - a.y);
  }
  return dx > dy * 1.5 ? 'RIGHT' : 'DOWN';
}
