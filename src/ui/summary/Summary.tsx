import { Fragment, memo, useMemo, type ReactNode } from 'react';
import { getLayerKind } from '../../../nodes/index';
import { BLOCK_SEP } from '../../graph/blocks';
import type { NodeInference } from '../../graph/types';
import type { LayerMeta } from '../../store/inference';
import { useInference, useInstanceProblems, useLayerList } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { partialNote } from '../../graph/messages';
import { fmtBytes, fmtCompact, fmtInt, fmtShapeX } from '../format';
import { ProblemItems } from '../problems/ProblemsList';
import { problemEntries } from '../problems/problems';
import './summary.css';

/** A layer name with a line-break opportunity after each block instance's prefix. */
function breakAfterPrefixes(name: string): ReactNode {
  const parts = name.split(BLOCK_SEP);
  return parts.length === 1 ? name : parts.map((p, i) => (i < parts.length - 1 ? <Fragment key={i}>{p}{BLOCK_SEP}<wbr /></Fragment> : p));
}

const Row = memo(function Row({ node, inf, selected }: { node: LayerMeta; inf: NodeInference | undefined; selected: boolean }) {
  const kind = getLayerKind(node.kind);
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  // A layer left out of the totals has no known counts: a dash, not a 0 that reads as "no weights".
  const known = inf?.status === 'ok';
  const onClick = () => {
    const ui = useUiStore.getState();
    ui.select([node.id]);
    ui.requestView({ type: 'center', nodeId: node.id });
  };
  return (
    <tr className={`row status-${inf?.status ?? 'ok'}${selected ? ' selected' : ''}`} onClick={onClick} data-testid={`summary-row-${node.name}`}>
      <td>
        <span className="lname">{breakAfterPrefixes(node.name)}</span>
        <span className="lkind">{kind?.ui.label ?? node.kind}</span>
      </td>
      <td className="shape" title={inf?.errors?.map((e) => e.message).join('\n')}>
        {inf?.status === 'ok' ? fmtShapeX(inf.outputShape) : inf?.status === 'error' ? 'error' : '—'}
      </td>
      <td className="num">{known ? fmtInt(params) : '—'}</td>
      <td className="num" title={fmtInt(inf?.flops ?? 0)}>
        {!known ? '—' : inf?.flops ? fmtCompact(inf.flops) : '0'}
      </td>
    </tr>
  );
});

/** A Keras `model.summary()`-like table with totals; clicking a row selects its layer. */
export function Summary() {
  const layers = useLayerList();
  const inference = useInference();
  const selected = useUiStore((s) => s.selectedNodes);
  const rows = useMemo(() => {
    const byId = new Map(layers.map((n) => [n.id, n]));
    const placed = new Set(inference.order);
    return [...inference.order.map((id) => byId.get(id)!).filter(Boolean), ...layers.filter((n) => !placed.has(n.id))];
  }, [layers, inference.order]);
  const sel = new Set(selected);
  const t = inference.totals;
  const instanceProblems = useInstanceProblems();
  const entries = useMemo(() => problemEntries(layers, inference, instanceProblems), [layers, inference, instanceProblems]);
  const leftOut = inference.leftOut.length;
  // A bad layer hides its own figures and those after it, so what is summed is a lower bound: marked, never 0 as if final.
  const ge = leftOut ? '≥ ' : '';
  return (
    <div data-testid="summary">
      <div className="section">
        <h3>Totals</h3>
        {leftOut > 0 && (
          <p className="totals-partial" title={partialNote(leftOut)} data-testid="summary-partial">
            <strong>
              ≥ {fmtInt(t.params)} params — partial: {leftOut} layer{leftOut === 1 ? '' : 's'} left out
            </strong>
            <span className="muted"> Only layers whose shapes could be inferred are counted; a layer with an error and every layer after it are not.</span>
          </p>
        )}
        <dl className={`totals${leftOut ? ' partial' : ''}`} title={leftOut ? partialNote(leftOut) : undefined}>
          <dt>Total params</dt>
          <dd data-testid="summary-total-params">{ge}{fmtInt(t.params)}</dd>
          <dt>Trainable params</dt>
          <dd data-testid="summary-trainable-params">{ge}{fmtInt(t.trainableParams)}</dd>
          <dt>Non-trainable params</dt>
          <dd data-testid="summary-nontrainable-params">{ge}{fmtInt(t.nonTrainableParams)}</dd>
          <dt>MACs (conv + dense)</dt>
          <dd data-testid="summary-macs" title={fmtInt(t.macs)}>
            {ge}
            {fmtCompact(t.macs)}
          </dd>
          <dt>FLOPs (2 × MACs)</dt>
          <dd data-testid="summary-flops" title={fmtInt(t.flops)}>
            {ge}
            {fmtCompact(t.flops)}
          </dd>
          <dt>Elementwise FLOPs</dt>
          <dd title={fmtInt(t.elementwiseFlops)}>
            {ge}
            {fmtCompact(t.elementwiseFlops)}
          </dd>
          <dt>Weights, float32</dt>
          <dd data-testid="summary-weights-f32">
            {ge}
            {fmtBytes(t.weightsBytesF32)}
          </dd>
          <dt>Weights, int8</dt>
          <dd data-testid="summary-weights-int8">
            {ge}
            {fmtBytes(t.weightsBytesInt8)}
          </dd>
          <dt>Activation memory / sample</dt>
          <dd data-testid="summary-activations">
            {ge}
            {fmtBytes(t.activationBytes)}
          </dd>
        </dl>
        {entries.length > 0 && (
          <div className="summary-problems" data-testid="graph-issues">
            <h3>Problems</h3>
            <ProblemItems entries={entries} testid="summary-problem" />
          </div>
        )}
      </div>
      <table className="summary-table" data-testid="summary-table">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Output shape</th>
            <th className="num">Params</th>
            <th className="num">FLOPs</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <Row key={n.id} node={n} inf={inference.nodes[n.id]} selected={sel.has(n.id)} />
          ))}
        </tbody>
      </table>
      {!rows.length && <p className="section muted">No layers yet.</p>}
    </div>
  );
}
