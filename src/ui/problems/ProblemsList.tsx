import { useEffect, useRef } from 'react';
import { useUiStore } from '../../store/ui';
import type { ProblemEntry } from './problems';
import './problems.css';

/** Selects an entry's layers and centres the canvas on the first. */
function jumpTo(entry: ProblemEntry) {
  if (!entry.nodeIds.length) return;
  const ui = useUiStore.getState();
  ui.select(entry.nodeIds);
  ui.requestView({ type: 'center', nodeId: entry.nodeIds[0] });
}

/** The entries as a list of buttons; used by the popover and the Summary. */
export function ProblemItems({ entries, testid = 'problem' }: { entries: ProblemEntry[]; testid?: string }) {
  return (
    <ul className="problem-items">
      {entries.map((e) => (
        <li key={e.key}>
          <button
            className={`problem-entry ${e.severity}`}
            onClick={() => jumpTo(e)}
            disabled={!e.nodeIds.length}
            title={e.nodeIds.length ? 'Select this layer and show it on the canvas' : undefined}
            data-testid={`${testid}-${e.layer ?? 'graph'}`}
            data-severity={e.severity}
          >
            <span className="problem-where">
              {e.layer ? (
                <>
                  <span className="problem-layer">{e.layer}</span> <span className="problem-kind">{e.kind}</span>
                </>
              ) : (
                <span className="problem-layer">{e.severity === 'warning' ? 'Model size' : 'Graph'}</span>
              )}
              <span className="problem-tag">{e.severity}</span>
            </span>
            {e.messages.map((m, i) => (
              <span key={i} className="problem-msg">
                {m}
              </span>
            ))}
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * The problems list: each bad layer by name with all its problems, then the graph's own problems, then warnings in
 * their own colour. Clicking an entry selects its layer and centres the canvas on it; Escape or a click outside closes.
 */
export function ProblemsList({ entries, onClose }: { entries: ProblemEntry[]; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Escape closes the list and nothing else (the editor's own Escape would clear the selection the list just made).
    const key = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      onClose();
    };
    const down = (e: PointerEvent) => {
      const t = e.target as Element | null;
      if (ref.current && t && !ref.current.contains(t) && !t.closest('[data-problems-toggle]')) onClose();
    };
    window.addEventListener('keydown', key, { capture: true });
    window.addEventListener('pointerdown', down);
    return () => {
      window.removeEventListener('keydown', key, { capture: true });
      window.removeEventListener('pointerdown', down);
    };
  }, [onClose]);
  return (
    <div className="problems-popover" ref={ref} role="dialog" aria-label="Problems" data-testid="problems-list">
      <div className="problems-head">
        <span>Problems</span>
        <button className="problems-close" onClick={onClose} aria-label="Close the problems list">
          ×
        </button>
      </div>
      {entries.length === 0 && <p className="problems-empty">No problems.</p>}
      <ProblemItems entries={entries} />
    </div>
  );
}
