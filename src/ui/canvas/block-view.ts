import { create } from 'zustand';

/** Which block instances the canvas shows opened (their inner layers drawn in a group). View state: never saved nor undone. */
export interface BlockViewState {
  expanded: ReadonlySet<string>;
  setExpanded(id: string, open: boolean): void;
  /** Opens or closes every instance of `ids` at once. */
  setAll(ids: readonly string[], open: boolean): void;
}

export const useBlockView = create<BlockViewState>()((set) => ({
  expanded: new Set(),
  setExpanded(id, open) {
    set((s) => {
      if (s.expanded.has(id) === open) return s;
      const next = new Set(s.expanded);
      if (open) next.add(id);
      else next.delete(id);
      return { expanded: next };
    });
  },
  setAll(ids, open) {
    set((s) => {
      const next = new Set(s.expanded);
      for (const id of ids) if (open) next.add(id);
      else next.delete(id);
      return { expanded: next };
    });
  },
}));

/** Room around the inner layers of an opened instance, and its header's height. */
export const GROUP_PAD = { x: 24, top: 118, bottom: 24 };
