import { useEffect, useMemo, useState } from 'react';
import { analyseCompression, type ConvCompression } from '../../analysis/compression';
import { BLOCK_SEP } from '../../graph/blocks';
import type { SeparableOptions } from '../../graph/transform';
import type { Graph, GraphInference } from '../../graph/types';
import type { WeightSnapshot } from '../../compile/weights';

const fmt = (n: number) => n.toLocaleString('en-US');

/** Layers already analysed, by weights and design: a replayed epoch shown again needs no SVD again. */
const analysedFor = new WeakMap<WeightSnapshot, WeakMap<GraphInference, Map<string, ConvCompression>>>();
/**
 * The analysis starts once the weights stayed the same this long: scrubbing a replay passes several epochs a second,
 * and an SVD per layer for each of them would compete with the feature maps the user is watching.
 */
const SETTLE_MS = 800;
const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/**
 * Per conv layer: effective rank of the filters (SVD, 99% energy), near-duplicate filter pairs (|cos| > 0.9), weight
 * sparsity (|w| < 1e-3) — from the trained weights — and what a depthwise-separable replacement saves, with the
 * one-click transform (one undo step in the editor).
 */
export function Compression({
  graph,
  inference,
  weights,
  onMakeSeparable,
}: {
  graph: Graph;
  inference: GraphInference;
  weights: WeightSnapshot | null;
  onMakeSeparable(nodeId: string, opts: SeparableOptions): { ok: true } | { ok: false; reason: string };
}) {
  const [bn, setBn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = useMemo(() => analyseCompression(graph, inference, null), [graph, inference]);
  // SVDs of big layers take a while: analyse one layer per frame so that the page stays responsive.
  const [analysed, setAnalysed] = useState<Map<string, ConvCompression>>(new Map());
  useEffect(() => {
    if (!weights) {
      setAnalysed(new Map());
      return;
    }
    let byInference = analysedFor.get(weights);
    if (!byInference) analysedFor.set(weights, (byInference = new WeakMap()));
    let done = byInference.get(inference);
    if (!done) byInference.set(inference, (done = new Map()));
    const kept = done;
    setAnalysed(new Map(kept));
    let cancelled = false;
    let i = 0;
    const next = () => {
      while (i < base.length && kept.has(base[i].nodeId)) i++;
      if (cancelled || i >= base.length) return;
      const id = base[i++].nodeId;
      const [row] = analyseCompression(graph, inference, weights, { nodeIds: new Set([id]) });
      if (row) {
        kept.set(id, row);
        setAnalysed((m) => new Map(m).set(id, row));
      }
      timer = setTimeout(next, 0);
    };
    let timer = setTimeout(next, kept.size ? 0 : SETTLE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [graph, inference, weights, base]);
  const rows = weights ? base.map((r) => analysed.get(r.nodeId) ?? { ...r, weightsNote: 'analysing…' }) : base;
  const total = inference.totals.params;
  return (
    <div className="ins-compress">
      <p className="muted">
        Model: <strong data-testid="inspect-total-params" data-value={total}>{fmt(total)}</strong> params, {fmt(inference.totals.macs)} MACs.
        {!weights && ' Rank, duplicates and sparsity need trained weights (Train tab, or import a tfjs model).'}
      </p>
      <label className="ins-check">
        <input type="checkbox" checked={bn} onChange={(e) => setBn(e.target.checked)} data-testid="separable-bn" /> add BatchNormalization between depthwise and 1×1 (MobileNet style)
      </label>
      {error && <p className="ins-error">{error}</p>}
      {rows.length === 0 && <p className="muted">No Conv2D/Conv1D layers.</p>}
      {rows.length > 0 && (
        <table className="ins-table">
          <colgroup>
            <col style={{ width: '27%' }} />
            <col style={{ width: '14%' }} />
            <col style={{ width: '12%' }} />
            <col style={{ width: '13%' }} />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th>Layer</th>
              <th title="Fewest singular values holding 99% of the filters' energy, of the filter count">Rank 99%</th>
              <th title="Pairs of filters with |cosine| > 0.9">Dup.</th>
              <th title="Kernel weights with |w| < 0.001">Sparse</th>
              <th>Separable saves</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const s = r.separable ? (bn ? r.separable.withBatchNorm : r.separable.plain) : undefined;
              return (
                <tr key={r.nodeId} data-testid={`compress-row-${r.name}`}>
                  <td className="ins-wrap">
                    {r.name}
                    <div className="muted small">{r.kind}</div>
                  </td>
                  {r.weights ? (
                    <>
                      <td data-testid={`rank-${r.name}`}>
                        {r.weights.effectiveRank}/{r.weights.filters}
                      </td>
                      <td title={r.weights.duplicates.slice(0, 12).map((d) => `#${d.a} ~ #${d.b} (cos ${d.cosine.toFixed(3)})`).join('\n') || 'none'}>
                        {r.weights.duplicates.length}
                      </td>
                      <td>{pct(r.weights.sparsity)}</td>
                    </>
                  ) : (
                    <td colSpan={3} className="muted small ins-wrap">
                      {r.weightsNote}
                    </td>
                  )}
                  <td data-testid={`separable-saving-${r.name}`} data-params={s?.params ?? ''} data-macs={s?.macs ?? ''} className="ins-wrap">
                    {s ? (
                      <>
                        {fmt(s.params)} params ({pct(s.params / s.paramsBefore)})
                        <div className="muted small">
                          {fmt(s.macs)} MACs ({pct(s.macs / Math.max(1, s.macsBefore))})
                        </div>
                        <button
                          className="btn outline small"
                          data-testid={`make-separable-${r.name}`}
                          title={
                            r.nodeId.includes(BLOCK_SEP)
                              ? 'Replace by DepthwiseConv2D + Conv2D 1×1 in the block: every instance of the block changes (Ctrl+Z undoes)'
                              : 'Replace by DepthwiseConv2D + Conv2D 1×1 (Ctrl+Z undoes)'
                          }
                          onClick={() => {
                            const done = onMakeSeparable(r.nodeId, { batchNorm: bn });
                            setError(done.ok ? null : done.reason);
                          }}
                        >
                          Make separable
                        </button>
                      </>
                    ) : (
                      <span className="muted small" title={r.separableNote}>
                        {r.separableNote?.includes('already a 1×1') ? 'already 1×1' : r.separableNote}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
