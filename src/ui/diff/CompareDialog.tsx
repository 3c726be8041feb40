import { useEffect, useMemo, useRef, useState } from 'react';
import { importText } from '../../graph/import';
import { useDocStore } from '../../store/doc';
import { flushAutosave, listProjects, loadProject } from '../../store/persist';
import { getPreset, presetList } from '../presets';
import { useDiffStore } from './state';

/** The file limit of imports, read here before the text is (a huge file is refused without reading it). */
const MAX_BYTES = 20 * 1024 * 1024;

/** Chooses what to compare the current graph with: another saved project, a file, or a preset. Nothing here changes the document. */
export function CompareDialog() {
  const { closeChooser, compareWith } = useDiffStore.getState();
  const current = useDocStore((s) => s.projectId);
  const fileInput = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const projects = useMemo(() => {
    flushAutosave();
    return listProjects().filter((p) => p.id !== current);
  }, [current]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeChooser();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closeChooser]);

  const pickProject = (id: string, name: string) => {
    const p = loadProject(id);
    if (!p) setError(`The saved project “${name}” could not be read from browser storage.`);
    else compareWith({ source: 'project', label: p.name, project: p });
  };
  const pickFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(`${file.name}: the file is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB`);
      return;
    }
    const r = importText(await file.text(), file.name);
    if (!r.ok) setError(r.errors.length > 1 ? `${r.errors[0]} (and ${r.errors.length - 1} more)` : r.errors[0]);
    else compareWith({ source: 'file', label: file.name, project: r.value.project });
  };
  const pickPreset = (id: string) => {
    const p = getPreset(id);
    if (p) compareWith({ source: 'preset', label: `preset ${p.name}`, project: p });
  };

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && closeChooser()}>
      <div className="dialog compare-dialog" role="dialog" aria-label="Compare with…" data-testid="compare-dialog">
        <div className="dialog-head">
          <h2>Compare the current design with…</h2>
          <button className="btn icon" onClick={closeChooser} aria-label="Close">
            ×
          </button>
        </div>
        <p className="hint" style={{ marginTop: 0 }}>
          Layers are matched by their place in the network, so renamed layers still pair up. Nothing in your project changes.
        </p>
        {error && (
          <div className="compare-error" role="alert" data-testid="compare-error">
            {error}
          </div>
        )}
        <h3 className="compare-h">Another saved project</h3>
        <ul className="project-list">
          {projects.map((p) => (
            <li key={p.id} className="project-row" data-testid="compare-project">
              <div className="grow">
                <div className="title">{p.name}</div>
                <div className="sub">
                  {p.nodeCount} layers · edited {new Date(p.updatedAt).toLocaleString()}
                </div>
              </div>
              <button className="btn outline" onClick={() => pickProject(p.id, p.name)} data-testid="compare-project-pick">
                Compare
              </button>
            </li>
          ))}
          {!projects.length && <li className="muted">No other saved projects.</li>}
        </ul>
        <h3 className="compare-h">A file</h3>
        <div className="compare-file">
          <button className="btn outline" onClick={() => fileInput.current?.click()} data-testid="compare-file-button">
            Choose a file…
          </button>
          <span className="muted">a .convas.json project or a Keras/tfjs model.json</span>
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            style={{ display: 'none' }}
            data-testid="compare-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              void pickFile(f);
            }}
          />
        </div>
        <h3 className="compare-h">A preset</h3>
        <div className="compare-presets">
          {presetList.map((p) => (
            <button key={p.id} className="btn" onClick={() => pickPreset(p.id)} data-testid={`compare-preset-${p.id}`}>
              {p.name}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
