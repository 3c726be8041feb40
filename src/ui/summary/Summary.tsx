import { memo, useMemo } from 'react';
import { getLayerKind } from '../../../nodes/index';
import type { NodeInference } from '../../graph/types';
import type { LayerMeta } from '../../store/inference';
import { useInference, useLayerList } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { fmtBytes, fmtCompact, fmtInt, fmtShapeX } from '../format';
import './summary.css';

const Row = memo(function Row({ node, inf, selected }: { node: LayerMeta; inf: NodeInference | undefined; selected: boolean }) {
  const kind = getLayerKind(node.kind);
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  const onClick = () => {
    const ui = useUiStore.getState();
    ui.select([node.id]);
    ui.requestView({ type: 'center', nodeId: node.id });
  };
  return (
    <tr className={`row status-${inf?.status ?? 'ok'}${selected ? ' selected' : ''}`} onClick={onClick} data-testid={`summary-row-${node.name}`}>
      <td>
        <span className="lname">{node.name}</span>
        <span className="lkind">{kind?.ui.label ?? node.kind}</span>
      </td>
      <td className="shape">{inf?.status === 'ok' ? fmtShapeX(inf.outputShape) : inf?.status === 'error' ? 'error' : '—'}</td>
      <td className="num">{fmtInt(params)}</td>
      <td className="num" title={fmtInt(inf?.flops ?? 0)}>
        {inf?.flops ? fmtCompact(inf.flops) : '0'}
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
  return (
    <div data-testid="summary">
      <div className="section">
        <h3>Totals</h3>
        <dl className="totals">
          <dt>Total params</dt>
          <dd data-testid="summary-total-params">{fmtInt(t.params)}</dd>
          <dt>Trainable params</dt>
          <dd data-testid="summary-trainable-params">{fmtInt(t.trainableParams)}</dd>
          <dt>Non-trainable params</dt>
          <dd data-testid="summary-nontrainable-params">{fmtInt(t.nonTrainableParams)}</dd>
          <dt>MACs (conv + dense)</dt>
          <dd data-testid="summary-macs" title={fmtInt(t.macs)}>
            {fmtCompact(t.macs)}
          </dd>
          <dt>FLOPs (2 × MACs)</dt>
          <dd data-testid="summary-flops" title={fmtInt(t.flops)}>
            {fmtCompact(t.flops)}
          </dd>
          <dt>Elementwise FLOPs</dt>
          <dd title={fmtInt(t.elementwiseFlops)}>{fmtCompact(t.elementwiseFlops)}</dd>
          <dt>Weights, float32</dt>
          <dd data-testid="summary-weights-f32">{fmtBytes(t.weightsBytesF32)}</dd>
          <dt>Weights, int8</dt>
          <dd data-testid="summary-weights-int8">{fmtBytes(t.weightsBytesInt8)}</dd>
          <dt>Activation memory / sample</dt>
          <dd data-testid="summary-activations">{fmtBytes(t.activationBytes)}</dd>
        </dl>
        {inference.issues.length > 0 && (
          <ul className="issues" data-testid="graph-issues" style={{ marginTop: 12 }}>
            {inference.issues.map((i) => (
              <li key={i.code}>{i.message}</li>
            ))}
          </ul>
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
