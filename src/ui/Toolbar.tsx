import { Fragment, useEffect, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useStore } from 'zustand';
import { useDocStore } from '../store/doc';
import { useUiStore } from '../store/ui';
import * as act from './actions';
import { fmtInt } from './format';
import { openCompare } from './diff/state';
import { Icon } from './Icon';
import { Menu, MenuItem } from './Menu';
import { presetList } from './presets';
import './styles/toolbar.css';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const mod = isMac ? '⌘' : 'Ctrl';

function ProjectName() {
  const name = useDocStore((s) => s.project.name);
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  const commit = () => {
    const t = text.trim();
    if (t && t !== name) useDocStore.getState().setProjectName(t);
    else setText(name);
  };
  return (
    <input
      className="project-name"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        if (e.key === 'Escape') setText(name);
      }}
      aria-label="Project name"
      data-testid="project-name"
      spellCheck={false}
    />
  );
}

function SaveState() {
  const savedAt = useUiStore((s) => s.savedAt);
  const error = useUiStore((s) => s.saveError);
  const name = useDocStore((s) => s.project.name);
  useEffect(() => {
    document.title = `${name} — Convas`;
  }, [name]);
  if (error) {
    return (
      <span className="save-state bad" title={error} data-testid="save-state">
        not saved
      </span>
    );
  }
  return (
    <span className="save-state" data-testid="save-state" title="Projects are saved in this browser as you work">
      {savedAt ? `saved ${new Date(savedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : 'autosave on'}
    </span>
  );
}

/** A toolbar action that folds into the More menu when the toolbar runs out of room. */
interface Action {
  id: string;
  /** Name in the More menu (and the button's accessible name). */
  title: string;
  /** Shortcut or detail, shown under the title in the More menu. */
  sub?: string;
  icon: Parameters<typeof Icon>[0]['name'];
  /** Visible text beside the icon on the toolbar (icon-only buttons have none). */
  text?: string;
  run(): void;
  disabled?: boolean;
  active?: boolean;
}

/**
 * How many of `count` groups (in folding order) are folded so that the toolbar fits its width. A group folds when the
 * last toolbar item overflows the right edge; it comes back when the free space (the spacer) holds its last measured
 * width again.
 */
function useFolding(bar: RefObject<HTMLElement | null>, spacer: RefObject<HTMLElement | null>, count: number): number {
  const [folded, setFolded] = useState(0);
  const widths = useRef<number[]>([]);
  useLayoutEffect(() => {
    const el = bar.current;
    const gap = spacer.current;
    if (!el || !gap) return;
    const check = () => {
      for (const g of el.querySelectorAll<HTMLElement>('[data-fold]')) widths.current[Number(g.dataset.fold)] = g.getBoundingClientRect().width;
      const last = el.lastElementChild?.getBoundingClientRect();
      const edge = el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight);
      const over = last !== undefined && last.right > edge + 0.5;
      if (over && folded < count) setFolded(folded + 1);
      // + the flex gap, and some room to spare so that a group does not fold and unfold in turn.
      else if (!over && folded > 0 && gap.getBoundingClientRect().width > (widths.current[folded - 1] ?? 160) + 12) setFolded(folded - 1);
    };
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, [bar, spacer, folded, count]);
  return folded;
}

function ActionButton({ a }: { a: Action }) {
  return (
    <button className={`btn${a.text ? '' : ' icon'}${a.active ? ' active' : ''}`} title={a.sub ? `${a.title} (${a.sub})` : a.title} aria-label={a.text ? undefined : a.title} aria-pressed={a.active} onClick={a.run} disabled={a.disabled} data-testid={a.id}>
      <Icon name={a.icon} />
      {a.text}
    </button>
  );
}

/**
 * Top bar: project, presets, edit commands, layout and view. When the window is too narrow, the edit, layout and view
 * groups fold (view first) into a More menu; File, Presets, Export, Share and Help always stay on the bar.
 */
export function Toolbar({ extra }: { extra?: ReactNode }) {
  const canUndo = useStore(useDocStore.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(useDocStore.temporal, (s) => s.futureStates.length > 0);
  const hasSel = useUiStore((s) => s.selectedNodes.length + s.selectedEdges.length > 0);
  const hasNodeSel = useUiStore((s) => s.selectedNodes.length > 0);
  const showMinimap = useUiStore((s) => s.showMinimap);
  const layingOut = useUiStore((s) => s.layingOut);
  const fileInput = useRef<HTMLInputElement>(null);
  const bar = useRef<HTMLElement>(null);
  const spacer = useRef<HTMLSpanElement>(null);
  const set = useUiStore((s) => s.set);

  // In the order they fold: the view group first, undo/redo last.
  const groups: Array<{ id: string; label: string; actions: Action[] }> = [
    {
      id: 'view',
      label: 'View',
      actions: [
        { id: 'fit-view', title: 'Fit view', sub: 'F', icon: 'fit', run: act.fitView },
        { id: 'toggle-minimap', title: 'Minimap', sub: 'M', icon: 'minimap', run: () => set({ showMinimap: !showMinimap }), active: showMinimap },
      ],
    },
    {
      id: 'layout',
      label: 'Auto-layout',
      actions: [
        { id: 'layout-tb', title: 'Auto-layout top to bottom', sub: 'L', icon: 'layoutDown', text: 'Top-down', run: () => void act.layout('DOWN'), disabled: layingOut },
        { id: 'layout-lr', title: 'Auto-layout left to right', sub: 'Shift+L', icon: 'layoutRight', text: 'Left-right', run: () => void act.layout('RIGHT'), disabled: layingOut },
      ],
    },
    {
      id: 'edit',
      label: 'Edit',
      actions: [
        { id: 'copy', title: 'Copy', sub: `${mod}+C`, icon: 'copy', run: act.copySelection, disabled: !hasNodeSel },
        { id: 'paste', title: 'Paste', sub: `${mod}+V`, icon: 'paste', run: act.paste },
        { id: 'duplicate', title: 'Duplicate', sub: `${mod}+D`, icon: 'duplicate', run: act.duplicateSelection, disabled: !hasNodeSel },
        { id: 'delete', title: 'Delete', sub: 'Delete / Backspace', icon: 'trash', run: act.deleteSelection, disabled: !hasSel },
        { id: 'select-all', title: 'Select all', sub: `${mod}+A`, icon: 'selectAll', run: act.selectAll },
      ],
    },
    {
      id: 'history',
      label: 'History',
      actions: [
        { id: 'undo', title: 'Undo', sub: `${mod}+Z`, icon: 'undo', run: act.undo, disabled: !canUndo },
        { id: 'redo', title: 'Redo', sub: `${mod}+Shift+Z / ${mod}+Y`, icon: 'redo', run: act.redo, disabled: !canRedo },
      ],
    },
  ];
  const folded = useFolding(bar, spacer, groups.length);
  const inline = groups.slice(folded).reverse();
  const inMenu = groups.slice(0, folded).reverse();

  return (
    <header className="toolbar" data-testid="toolbar" ref={bar} data-folded={folded}>
      <div className="brand">
        <span className="brand-mark" aria-hidden />
        <span className="brand-name">Convas</span>
      </div>
      <ProjectName />
      <SaveState />
      <Menu label="File" testid="menu-file">
        {(close) => (
          <>
            <MenuItem title="New project" sub="An empty canvas; the current project stays saved (N)" onClick={() => (close(), act.newProject())} testid="action-new" />
            <MenuItem title="Projects…" sub="Open, switch or delete saved projects" onClick={() => (close(), set({ showProjects: true }))} testid="action-projects" />
            <MenuItem title="Compare…" sub="Diff this design with a saved project, a file or a preset" onClick={() => (close(), openCompare())} testid="action-compare" />
            <div className="menu-label">File</div>
            <MenuItem title="Export project file" sub=".convas.json with graph, names, params, positions" onClick={() => (close(), act.exportProject())} testid="action-export" />
            <MenuItem title="Import…" sub="A .convas.json project, a Keras/tfjs model.json or an .onnx model (or drop it on the canvas)" onClick={() => (close(), fileInput.current?.click())} testid="action-import" />
            <MenuItem title="Share link…" sub="The graph compressed into a URL" onClick={() => (close(), set({ showShare: true }))} testid="action-share" />
          </>
        )}
      </Menu>
      <Menu label="Presets" title="Open a preset (P)" testid="menu-presets">
        {(close) => (
          <>
            <div className="menu-label">Open a preset as a new project</div>
            {presetList.map((p) => (
              <MenuItem
                key={p.id}
                title={p.name}
                sub={`${p.description} · ${fmtInt(p.expected.params)} params`}
                onClick={() => (close(), act.openPreset(p.id))}
                testid={`preset-${p.id}`}
                data={{ 'data-preset-id': p.id, 'data-expected-params': String(p.expected.params) }}
              />
            ))}
          </>
        )}
      </Menu>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json,.onnx"
        style={{ display: 'none' }}
        data-testid="import-file"
        onChange={(e) => {
          const files = e.target.files ? [...e.target.files] : [];
          e.target.value = '';
          void act.importFiles(files);
        }}
      />
      {inline.map((g) => (
        <div key={g.id} className="tb-group" role="group" aria-label={g.label} data-fold={groups.indexOf(g)}>
          <span className="tb-sep" />
          {g.actions.map((a) => (
            <ActionButton key={a.id} a={a} />
          ))}
        </div>
      ))}
      <span className="tb-spacer" ref={spacer} />
      {inMenu.length > 0 && (
        <Menu label={<><Icon name="more" /> More</>} title="More commands" testid="toolbar-more" align="right">
          {(close) =>
            inMenu.map((g) => (
              <Fragment key={g.id}>
                <div className="menu-label">{g.label}</div>
                {g.actions.map((a) => (
                  <MenuItem key={a.id} title={<span className="menu-item-row">{a.title}{a.active ? ' (on)' : ''}{a.sub && <kbd>{a.sub}</kbd>}</span>} disabled={a.disabled} onClick={() => (close(), a.run())} testid={`more-${a.id}`} />
                ))}
              </Fragment>
            ))
          }
        </Menu>
      )}
      {extra}
      <button className="btn outline" onClick={() => set({ showShare: true })} data-testid="share">
        Share
      </button>
      <button className="btn icon" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onClick={() => set({ showHelp: true })} data-testid="help">
        ?
      </button>
    </header>
  );
}
