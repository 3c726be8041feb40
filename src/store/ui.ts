import { create } from 'zustand';
import type { LayoutDirection } from '../graph/layout';
import type { Graph } from '../graph/types';

export type PanelTab = 'layer' | 'summary' | 'data' | 'train' | 'inspect' | 'runs';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
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

  select(nodes: string[], edges?: string[]): void;
  setTab(tab: PanelTab): void;
  toast(kind: Toast['kind'], text: string): void;
  dismissToast(id: number): void;
  requestView(r: ViewRequest): void;
  set(patch: Partial<Pick<UiState, 'showMinimap' | 'showHelp' | 'showProjects' | 'showShare' | 'direction' | 'savedAt' | 'saveError' | 'layingOut'>>): void;
}

let toastSeq = 0;
let viewSeq = 0;
const TOAST_MS = 5000;

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
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text }] }));
    setTimeout(() => get().dismissToast(id), kind === 'error' ? TOAST_MS * 1.6 : TOAST_MS);
  },
  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  requestView(r) {
    set({ viewRequest: { ...r, seq: ++viewSeq } });
  },
  set(patch) {
    set(patch);
  },
}));

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
