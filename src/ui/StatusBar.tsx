import { useInference } from '../store/doc';
import { useUiStore } from '../store/ui';
import { fmtBytes, fmtCompact, fmtInt } from './format';
import './styles/status-bar.css';

/** Always-visible totals of the current graph and its validity. */
export function StatusBar() {
  const inf = useInference();
  const t = inf.totals;
  const errors = Object.values(inf.nodes).filter((n) => n.status === 'error').length;
  const problems = errors + inf.issues.filter((i) => i.code !== 'cycle' && i.code !== 'duplicate-name').length;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span className="stat">
        <span className="stat-label">Layers</span>
        <span className="stat-value" data-testid="layer-count">
          {Object.keys(inf.nodes).length}
        </span>
      </span>
      <span className="stat">
        <span className="stat-label">Params</span>
        <span className="stat-value" data-testid="total-params">
          {fmtInt(t.params)}
        </span>
      </span>
      <span className="stat">
        <span className="stat-label">Trainable</span>
        <span className="stat-value">{fmtInt(t.trainableParams)}</span>
      </span>
      <span className="stat">
        <span className="stat-label">MACs</span>
        <span className="stat-value" data-testid="total-macs" title={fmtInt(t.macs)}>
          {fmtCompact(t.macs)}
        </span>
      </span>
      <span className="stat">
        <span className="stat-label">FLOPs</span>
        <span className="stat-value" title={fmtInt(t.flops)}>
          {fmtCompact(t.flops)}
        </span>
      </span>
      <span className="stat">
        <span className="stat-label">Weights</span>
        <span className="stat-value">{fmtBytes(t.weightsBytesF32)}</span>
      </span>
      <span className="stat-spacer" />
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
        <span
          className="status-pill bad clickable"
          data-testid="graph-status"
          title={`${inf.issues.map((i) => i.message).join('\n')}\nClick for the summary`}
          onClick={() => useUiStore.getState().setTab('summary')}
        >
          {problems ? `${problems} problem${problems === 1 ? '' : 's'}` : inf.issues[0]?.message ?? 'invalid'}
        </span>
      )}
    </footer>
  );
}
