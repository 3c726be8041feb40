import { useEffect, useRef, useState, type ReactNode } from 'react';
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

function Btn({ title, onClick, disabled, children, testid, active }: { title: string; onClick(): void; disabled?: boolean; children: ReactNode; testid?: string; active?: boolean }) {
  return (
    <button className={`btn icon${active ? ' active' : ''}`} title={title} aria-label={title} onClick={onClick} disabled={disabled} data-testid={testid}>
      {children}
    </button>
  );
}

/** Top bar: project, presets, edit commands, layout and view. */
export function Toolbar({ extra }: { extra?: ReactNode }) {
  const canUndo = useStore(useDocStore.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(useDocStore.temporal, (s) => s.futureStates.length > 0);
  const hasSel = useUiStore((s) => s.selectedNodes.length + s.selectedEdges.length > 0);
  const hasNodeSel = useUiStore((s) => s.selectedNodes.length > 0);
  const showMinimap = useUiStore((s) => s.showMinimap);
  const layingOut = useUiStore((s) => s.layingOut);
  const fileInput = useRef<HTMLInputElement>(null);
  const set = useUiStore((s) => s.set);

  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden />
        Convas
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
            <MenuItem title="Import…" sub="A .convas.json project or a Keras/tfjs model.json (or drop it on the canvas)" onClick={() => (close(), fileInput.current?.click())} testid="action-import" />
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
        accept=".json,application/json"
        style={{ display: 'none' }}
        data-testid="import-file"
        onChange={(e) => {
          const files = e.target.files ? [...e.target.files] : [];
          e.target.value = '';
          void act.importFiles(files);
        }}
      />
      <span className="tb-sep" />
      <Btn title={`Undo (${mod}+Z)`} onClick={act.undo} disabled={!canUndo} testid="undo">
        <Icon name="undo" />
      </Btn>
      <Btn title={`Redo (${mod}+Shift+Z / ${mod}+Y)`} onClick={act.redo} disabled={!canRedo} testid="redo">
        <Icon name="redo" />
      </Btn>
      <span className="tb-sep" />
      <Btn title={`Copy (${mod}+C)`} onClick={act.copySelection} disabled={!hasNodeSel} testid="copy">
        <Icon name="copy" />
      </Btn>
      <Btn title={`Paste (${mod}+V)`} onClick={act.paste} testid="paste">
        <Icon name="paste" />
      </Btn>
      <Btn title={`Duplicate (${mod}+D)`} onClick={act.duplicateSelection} disabled={!hasNodeSel} testid="duplicate">
        <Icon name="duplicate" />
      </Btn>
      <Btn title="Delete (Delete / Backspace)" onClick={act.deleteSelection} disabled={!hasSel} testid="delete">
        <Icon name="trash" />
      </Btn>
      <Btn title={`Select all (${mod}+A)`} onClick={act.selectAll} testid="select-all">
        <Icon name="selectAll" />
      </Btn>
      <span className="tb-sep" />
      <button className="btn" title="Auto-layout top to bottom (L)" onClick={() => void act.layout('DOWN')} disabled={layingOut} data-testid="layout-tb">
        <Icon name="layoutDown" /> Layout
      </button>
      <button className="btn" title="Auto-layout left to right (Shift+L)" onClick={() => void act.layout('RIGHT')} disabled={layingOut} data-testid="layout-lr">
        <Icon name="layoutRight" /> Layout
      </button>
      <Btn title="Fit view (F)" onClick={act.fitView} testid="fit-view">
        <Icon name="fit" />
      </Btn>
      <Btn title="Minimap (M)" onClick={() => set({ showMinimap: !showMinimap })} active={showMinimap} testid="toggle-minimap">
        <Icon name="minimap" />
      </Btn>
      <span className="tb-spacer" />
      {extra}
      <button className="btn outline" onClick={() => set({ showShare: true })} data-testid="share">
        Share
      </button>
      <Btn title="Keyboard shortcuts (?)" onClick={() => set({ showHelp: true })} testid="help">
        ?
      </Btn>
    </header>
  );
}
