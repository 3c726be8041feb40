import { create } from 'zustand';
import type { ProjectFileV1 } from '../../graph/types';

/** Where the design compared with the current graph came from. */
export type CompareSource = 'project' | 'file' | 'preset' | 'run';

export interface CompareTarget {
  source: CompareSource;
  /** How the list names it: the project, file or preset name. */
  label: string;
  project: ProjectFileV1;
}

/** View state of "Compare…": never saved, never undone. */
export interface DiffState {
  /** The chooser dialog is open. */
  choosing: boolean;
  /** The design the current graph is compared with; the panel and canvas marks show while it is set. */
  target: CompareTarget | null;
  /** false: target → current graph (what the current graph changed); true: current graph → target. */
  swapped: boolean;
  openChooser(): void;
  closeChooser(): void;
  /** Compares the current graph with `target` (the Runs view can call this with a run's design). */
  compareWith(target: CompareTarget): void;
  swap(): void;
  close(): void;
}

export const useDiffStore = create<DiffState>()((set) => ({
  choosing: false,
  target: null,
  swapped: false,
  openChooser: () => set({ choosing: true }),
  closeChooser: () => set({ choosing: false }),
  compareWith: (target) => set({ target, choosing: false, swapped: false }),
  swap: () => set((s) => ({ swapped: !s.swapped })),
  close: () => set({ target: null, choosing: false }),
}));

/** Opens the "Compare…" chooser (the File menu's entry). */
export const openCompare = (): void => useDiffStore.getState().openChooser();
