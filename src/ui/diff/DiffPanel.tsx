import { useState, type ReactNode } from 'react';
import { layerLines } from '../../cli/diff';
import { kindLabel, type GraphDiff, type LayerDiff, type LayerEntry } from '../../graph/diff';
import type { GraphTotals } from '../../graph/types';
import { useUiStore } from '../../store/ui';
import { fmtBytes, fmtCompact, fmtInt, fmtShapeX } from '../format';
import type { DiffMark } from './DiffOverlay';
import type { CompareTarget } from './state';

const SOURCE_TEXT: Record<CompareTarget['source'], string> = { project: 'saved project', file: 'file', preset: 'preset', run: 'run' };

/** Selects a layer of the current graph and brings it into view. */
function reveal(id: string): void {
  const ui = useUiStore.getState();
  ui.select([id]);
  ui.requestView({ type: 'center', nodeId: id });
}

function Row({ mark, name, kind, lines, onCanvas, id, ghost }: { mark: DiffMark; name: string; kind: string; lines: string[]; onCanvas: boolean; id: string; ghost?: boolean }) {
  const body = (
    <>
      <div className="diff-row-head">
        <span className={`diff-dot diff-${mark}`} aria-hidden />
        <span className="diff-row-name">{name}</span>
        <span className="diff-row-kind">{kindLabel(kind)}</span>
        {ghost && <span className="diff-row-ghost">not in this design</span>}
      </div>
      {lines.length > 0 && (
        <ul className="diff-row-lines">
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
    </>
  );
  return onCanvas ? (
    <button className={`diff-row diff-${mark}`} onClick={() => reveal(id)} title="Show this layer on the canvas" data-testid={`diff-row-${name}`} data-mark={mark}>
      {body}
    </button>
  ) : (
    <div className={`diff-row diff-${mark}${ghost ? ' ghost' : ''}`} data-testid={`diff-row-${name}`} data-mark={mark}>
      {body}
    </div>
  );
}

function Section({ title, count, children, testid }: { title: string; count: number; children: ReactNode; testid: string }) {
  if (!count) return null;
  return (
    <section className="diff-section" data-testid={testid}>
      <h4>
        {title} <span className="muted">{count}</span>
      </h4>
      {children}
    </section>
  );
}

const signed = (n: number, f: (n: number) => string) => (n > 0 ? `+${f(n)}` : n < 0 ? `−${f(-n)}` : '±0');

/** Totals as the panel shows them: params exact (the figure people compare), MACs, FLOPs and bytes compact. */
function totalRows(t: GraphDiff['totals']): Array<[string, string, string, string]> {
  const rows: Array<[keyof GraphTotals, string, (n: number) => string]> = [
    ['params', 'params', fmtInt],
    ['trainableParams', 'trainable', fmtInt],
    ['nonTrainableParams', 'non-trainable', fmtInt],
    ['macs', 'MACs', fmtCompact],
    ['flops', 'FLOPs', fmtCompact],
    ['weightsBytesF32', 'weights', fmtBytes],
    ['activationBytes', 'activations', fmtBytes],
  ];
  return rows
    .filter(([k]) => k === 'params' || k === 'macs' || t.delta[k] !== 0)
    .filter(([k]) => !(k === 'trainableParams' && t.before.nonTrainableParams === 0 && t.after.nonTrainableParams === 0))
    .map(([k, label, f]) => [label, f(t.before[k]), f(t.after[k]), signed(t.delta[k], f)]);
}

const entryLines = (l: LayerEntry) => [
  `${l.inputs.length ? `after ${l.inputs.join(', ')} · ` : ''}${fmtShapeX(l.outputShape ?? undefined)} · ${fmtInt(l.params)} params${l.macs ? ` · ${fmtInt(l.macs)} MACs` : ''}`,
];

/**
 * The comparison as a list: totals delta, then changed layers (settings old → new and what they move), added and
 * removed ones, knock-on changes and connections. Layers of the current graph are buttons that reveal them on the
 * canvas; those only in the other design are listed as ghosts.
 */
export function DiffPanel({ diff, currentIs, target, onSwap, onClose }: { diff: GraphDiff; currentIs: 'a' | 'b'; target: CompareTarget; onSwap(): void; onClose(): void }) {
  const other = `${target.label}`;
  const [from, to] = currentIs === 'b' ? [other, 'this design'] : ['this design', other];
  const here = (d: LayerDiff) => (currentIs === 'b' ? d.b : d.a);
  const rows = totalRows(diff.totals);
  const [folded, setFolded] = useState(false);
  const edgeCount = diff.edges.added.length + diff.edges.removed.length;
  return (
    <aside className={`diff-panel${folded ? ' folded' : ''}`} data-testid="diff-panel" aria-label="Comparison">
      <div className="diff-head">
        <div className="diff-title">
          <strong>Compare</strong>
          <div className="diff-direction" data-testid="diff-direction" title={`${SOURCE_TEXT[target.source]} ${target.label}`}>
            <span>{from}</span> → <span>{to}</span>
          </div>
        </div>
        <button className="btn" onClick={onSwap} title="Swap which design is before and which after" data-testid="diff-swap">
          ⇄ Swap
        </button>
        <button
          className="btn icon"
          onClick={() => setFolded((f) => !f)}
          aria-label={folded ? 'Show the list' : 'Fold the list away (the marks stay on the canvas)'}
          title={folded ? 'Show the list' : 'Fold the list away (the marks stay on the canvas)'}
          aria-expanded={!folded}
          data-testid="diff-fold"
        >
          {folded ? '▾' : '▴'}
        </button>
        <button className="btn icon" onClick={onClose} aria-label="Close the comparison" data-testid="diff-close">
          ×
        </button>
      </div>
      <div className="diff-summary">
        {diff.equal ? (
          <p className="diff-same" data-testid="diff-same">
            The same design: all {fmtInt(diff.matches.length)} layers match, with the same settings and connections.
          </p>
        ) : (
          <div className="diff-counts" data-testid="diff-counts">
            <span className="diff-chip diff-changed">{diff.changed.length} changed</span>
            <span className="diff-chip diff-added">{diff.added.length} added</span>
            <span className="diff-chip diff-removed">{diff.removed.length} removed</span>
            {diff.affected.length > 0 && <span className="diff-chip diff-affected">{diff.affected.length} knock-on</span>}
          </div>
        )}
      </div>
      <div className="diff-body" hidden={folded}>
        <table className="diff-totals" data-testid="diff-totals">
          <tbody>
            {rows.map(([label, before, after, delta]) => (
              <tr key={label} data-testid={`diff-total-${label.split(' ')[0]}`}>
                <th>{label}</th>
                <td>{before}</td>
                <td>→</td>
                <td>{after}</td>
                <td className="delta">{delta}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Section title="Changed" count={diff.changed.length} testid="diff-changed">
          {diff.changed.map((c) => (
            <Row key={c.a.id} mark="changed" id={here(c).id} name={here(c).name} kind={c.b.kind} lines={layerLines(c)} onCanvas />
          ))}
        </Section>
        <Section title="Added" count={diff.added.length} testid="diff-added">
          {diff.added.map((l) => (
            <Row key={l.id} mark="added" id={l.id} name={l.name} kind={l.kind} lines={entryLines(l)} onCanvas={currentIs === 'b'} ghost={currentIs !== 'b'} />
          ))}
        </Section>
        <Section title="Removed" count={diff.removed.length} testid="diff-removed">
          {diff.removed.map((l) => (
            <Row key={l.id} mark="removed" id={l.id} name={l.name} kind={l.kind} lines={entryLines(l)} onCanvas={currentIs === 'a'} ghost={currentIs !== 'a'} />
          ))}
        </Section>
        <Section title="Knock-on: same settings, changed upstream" count={diff.affected.length} testid="diff-affected">
          {diff.affected.map((c) => (
            <Row key={c.a.id} mark="affected" id={here(c).id} name={here(c).name} kind={c.b.kind} lines={layerLines(c)} onCanvas />
          ))}
        </Section>
        <Section title="Connections" count={edgeCount} testid="diff-edges">
          <ul className="diff-edges">
            {diff.edges.removed.map((e) => (
              <li key={`r${e.source}>${e.target}>${e.slot}`} className="diff-removed">
                − {e.source} → {e.target} (input {e.slot + 1})
              </li>
            ))}
            {diff.edges.added.map((e) => (
              <li key={`a${e.source}>${e.target}>${e.slot}`} className="diff-added">
                + {e.source} → {e.target} (input {e.slot + 1})
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </aside>
  );
}
