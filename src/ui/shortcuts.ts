import { useEffect } from 'react';
import { useUiStore } from '../store/ui';
import * as act from './actions';

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/** The editor's keyboard shortcuts (listed in the help overlay); ignored while typing in a field. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target)) return;
      const ui = useUiStore.getState();
      if (ui.showHelp || ui.showProjects || ui.showShare) return;
      const cmd = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      let handled = true;
      if (cmd && k === 'z' && !e.shiftKey) act.undo();
      else if ((cmd && k === 'z' && e.shiftKey) || (cmd && k === 'y')) act.redo();
      else if (cmd && k === 'c') {
        if (!act.copySelection()) handled = false;
      } else if (cmd && k === 'v') act.paste();
      else if (cmd && k === 'd') act.duplicateSelection();
      else if (cmd && k === 'a') act.selectAll();
      else if (cmd && k === 's') act.exportProject();
      else if (cmd && k === 'o') (document.querySelector('[data-testid="import-file"]') as HTMLInputElement | null)?.click();
      else if (cmd || e.altKey) handled = false;
      else if (e.key === 'Delete' || e.key === 'Backspace') act.deleteSelection();
      else if (e.key === '?') ui.set({ showHelp: true });
      else if (e.key === 'Escape') ui.select([]);
      else if (k === 'l') void act.layout(e.shiftKey ? 'RIGHT' : 'DOWN');
      else if (k === 'f') act.fitView();
      else if (k === 'm') ui.set({ showMinimap: !ui.showMinimap });
      // A focused node is moved by React Flow itself; this covers selections made elsewhere (summary, Ctrl+A).
      else if (e.key.startsWith('Arrow') && ui.selectedNodes.length && !(e.target as HTMLElement | null)?.closest?.('.react-flow__node')) {
        const step = e.shiftKey ? 50 : 10;
        const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key] ?? [0, 0];
        act.nudgeSelection(d[0], d[1]);
      } else if (k === 'n') act.newProject();
      else if (k === 'p') (document.querySelector('[data-testid="menu-presets"]') as HTMLButtonElement | null)?.click();
      else if (e.key === '/') (document.querySelector('[data-testid="palette-search"]') as HTMLInputElement | null)?.focus();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
