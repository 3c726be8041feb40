import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useDocStore } from '../store/doc';
import { flushAutosave, listProjects } from '../store/persist';
import { useUiStore } from '../store/ui';
import * as act from './actions';
import { mod } from './Toolbar';
import './styles/overlays.css';

function Dialog({ title, onClose, children, testid }: { title: string; onClose(): void; children: ReactNode; testid: string }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-label={title} data-testid={testid}>
        <div className="dialog-head">
          <h2>{title}</h2>
          <button className="btn icon" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

/** Every shortcut, as the help overlay lists it; `useShortcuts` implements the same table. */
export const SHORTCUTS: Array<[string, string[]]> = [
  ['New project', ['N']],
  ['Presets menu', ['P']],
  ['Undo', [`${mod}+Z`]],
  ['Redo', [`${mod}+Shift+Z`, `${mod}+Y`]],
  ['Copy', [`${mod}+C`]],
  ['Paste', [`${mod}+V`]],
  ['Duplicate', [`${mod}+D`]],
  ['Delete selection', ['Delete', 'Backspace']],
  ['Select all', [`${mod}+A`]],
  ['Auto-layout top to bottom', ['L']],
  ['Auto-layout left to right', ['Shift+L']],
  ['Fit view', ['F']],
  ['Toggle minimap', ['M']],
  ['Export project', [`${mod}+S`]],
  ['Import file', [`${mod}+O`]],
  ['Search layers', ['/']],
  ['Walk the palette', ['↑', '↓']],
  ['Add the focused palette layer', ['Enter']],
  ['Multi-select', ['Shift+drag', `${mod}+click`]],
  ['Nudge selected layers', ['Arrows', 'Shift+Arrows']],
  ['This help', ['?']],
  ['Close dialogs', ['Esc']],
];

function Help() {
  const close = () => useUiStore.getState().set({ showHelp: false });
  return (
    <Dialog title="Keyboard shortcuts" onClose={close} testid="help-overlay">
      <div className="shortcuts">
        {SHORTCUTS.map(([what, keys]) => (
          <div className="shortcut" key={what}>
            <span>{what}</span>
            <span>
              {keys.map((k) => (
                <kbd key={k}>{k}</kbd>
              ))}
            </span>
          </div>
        ))}
      </div>
      <p className="hint" style={{ marginTop: 14 }}>
        Drag from a layer’s bottom handle to another layer’s top handle to connect them. Merge layers (Add, Concatenate, Multiply) show one handle
        per input, in order, plus a free one for the next connection.
      </p>
    </Dialog>
  );
}

function Projects() {
  const close = () => useUiStore.getState().set({ showProjects: false });
  const current = useDocStore((s) => s.projectId);
  const [version, setVersion] = useState(0);
  const list = useMemo(() => {
    flushAutosave(); // the list reads storage: include edits still waiting for the debounce
    return listProjects();
  }, [version, current]);
  return (
    <Dialog title="Projects" onClose={close} testid="projects-dialog">
      <p className="hint" style={{ marginTop: 0 }}>
        Projects are saved in this browser as you work.
      </p>
      <ul className="project-list">
        {list.map((p) => (
          <li key={p.id} className={`project-row${p.id === current ? ' current' : ''}`} data-testid="project-row">
            <div className="grow">
              <div className="title">{p.name}</div>
              <div className="sub">
                {p.nodeCount} layers · edited {new Date(p.updatedAt).toLocaleString()}
              </div>
            </div>
            {p.id === current ? (
              <span className="muted">open</span>
            ) : (
              <button
                className="btn outline"
                onClick={() => {
                  act.openSaved(p.id);
                  close();
                }}
              >
                Open
              </button>
            )}
            <button
              className="btn"
              title="Delete this project"
              onClick={() => {
                if (window.confirm(`Delete “${p.name}”? This cannot be undone.`)) {
                  act.removeSaved(p.id);
                  setVersion((v) => v + 1);
                }
              }}
            >
              Delete
            </button>
          </li>
        ))}
        {!list.length && <li className="muted">No saved projects yet.</li>}
      </ul>
      <div style={{ marginTop: 14 }}>
        <button
          className="btn primary"
          onClick={() => {
            act.newProject();
            close();
          }}
        >
          New project
        </button>
      </div>
    </Dialog>
  );
}

function Share() {
  const close = () => useUiStore.getState().set({ showShare: false });
  const url = useMemo(() => act.currentShareUrl(), []);
  const [copied, setCopied] = useState(false);
  return (
    <Dialog title="Share this design" onClose={close} testid="share-dialog">
      <p className="hint" style={{ marginTop: 0 }}>
        The whole graph is compressed into the link ({url.length.toLocaleString('en-US')} characters); nothing is uploaded. Opening it creates a
        separate project and keeps the recipient’s own work.
      </p>
      <div style={{ display: 'flex', gap: 8 }}>
        <input className="palette-search" style={{ margin: 0, flex: 1 }} readOnly value={url} aria-label="Share link" data-testid="share-url" onFocus={(e) => e.target.select()} />
        <button
          className="btn primary"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </Dialog>
  );
}

export function Dialogs() {
  const help = useUiStore((s) => s.showHelp);
  const projects = useUiStore((s) => s.showProjects);
  const share = useUiStore((s) => s.showShare);
  return (
    <>
      {help && <Help />}
      {projects && <Projects />}
      {share && <Share />}
    </>
  );
}
