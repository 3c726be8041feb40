import { useCallback, useMemo, useState } from 'react';
import { partialNote } from '../graph/messages';
import { useInference, useInstanceProblems, useLayerList } from '../store/doc';
import { fmtBytes, fmtCompact, fmtInt } from './format';
import { ProblemsList } from './problems/ProblemsList';
import { countOf, problemEntries } from './problems/problems';
import './styles/status-bar.css';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Always-visible totals of the current graph, its validity, and the list of its problems. */
export function StatusBar() {
  const inf = useInference();
  const layers = useLayerList();
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const instanceProblems = useInstanceProblems();
  const entries = useMemo(() => problemEntries(layers, inf, instanceProblems), [layers, inf, instanceProblems]);
  const problems = countOf(entries, 'error');
  const warnings = countOf(entries, 'warning');
  const t = inf.totals;
  const leftOut = inf.leftOut.length;
  // A bad layer hides its own figures and those after it: what is shown is a lower bound, and says so.
  const ge = leftOut ? '≥ ' : '';
  const why = leftOut ? partialNote(leftOut) : undefined;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span className="stat">
        <span className="stat-label">Layers</span>
        <span className="stat-value" data-testid="layer-count">
          {Object.keys(inf.nodes).length}
        </span>
      </span>
      <span className="stat" title={why}>
        <span className="stat-label">Params</span>
        <span className="stat-value" data-testid="total-params">
          {ge}
          {fmtInt(t.params)}
        </span>
      </span>
      <span className="stat stat-optional" title={why}>
        <span className="stat-label">Trainable</span>
        <span className="stat-value">
          {ge}
          {fmtInt(t.trainableParams)}
        </span>
      </span>
      <span className="stat" title={why ?? fmtInt(t.macs)}>
        <span className="stat-label">MACs</span>
        <span className="stat-value" data-testid="total-macs">
          {ge}
          {fmtCompact(t.macs)}
        </span>
      </span>
      <span className="stat stat-optional" title={why ?? fmtInt(t.flops)}>
        <span className="stat-label">FLOPs</span>
        <span className="stat-value">
          {ge}
          {fmtCompact(t.flops)}
        </span>
      </span>
      <span className="stat" title={why}>
        <span className="stat-label">Weights</span>
        <span className="stat-value" data-testid="total-weights">
          {ge}
          {fmtBytes(t.weightsBytesF32)}
        </span>
      </span>
      {leftOut > 0 && (
        <span className="stat stat-partial" title={why} data-testid="totals-partial">
          partial<span className="stat-partial-detail">: {plural(leftOut, 'layer')} left out</span>
        </span>
      )}
      <span className="stat-spacer" />
      {warnings > 0 && (
        <button
          type="button"
          className="status-pill warn clickable"
          data-testid="graph-warnings"
          data-problems-toggle
          aria-expanded={open}
          title="Sizes a browser cannot hold or train; the graph stays valid. Click for the list."
          onClick={() => setOpen((o) => !o)}
        >
          {plural(warnings, 'warning')}
        </button>
      )}
      {Object.keys(inf.nodes).length === 0 ? (
        // An empty canvas is a start, not a problem: the empty state on the canvas says how to begin.
        <span className="status-pill neutral" data-testid="graph-status" data-empty>
          empty canvas
        </span>
      ) : inf.valid ? (
        <span className="status-pill ok" data-testid="graph-status">
          valid
        </span>
      ) : (
        <button
          type="button"
          className="status-pill bad clickable"
          data-testid="graph-status"
          data-problems-toggle
          aria-expanded={open}
          title="Click for the list of problems; each entry shows its layer"
          onClick={() => setOpen((o) => !o)}
        >
          {problems ? plural(problems, 'problem') : (inf.issues[0]?.message ?? 'invalid')}
        </button>
      )}
      {open && entries.length > 0 && <ProblemsList entries={entries} onClose={close} />}
    </footer>
  );
}
