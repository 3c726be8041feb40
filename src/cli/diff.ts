import { fmtShape, type Shape } from '../../nodes/index';
import { kindLabel, paramText, type Change, type GraphDiff, type LayerDiff, type LayerEntry } from '../graph/diff';
import type { GraphTotals } from '../graph/types';
import { bytes, human } from './summary';

const int = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${int(n)}` : n < 0 ? `−${int(-n)}` : '±0');

const shapeText = (s: Shape | null) => (s ? fmtShape(s) : '(error)');
const counted = (label: string, c: Change<number>) => `${label}: ${int(c.before)} → ${int(c.after)} (${signed(c.after - c.before)})`;

/** The lines under one changed or affected layer: settings first, then what they do to its figures. */
export function layerLines(d: LayerDiff): string[] {
  const lines: string[] = [];
  if (d.renamed) lines.push(`renamed: ${d.a.name} → ${d.b.name}`);
  for (const p of d.params) lines.push(`${p.key}: ${paramText(p.before)} → ${paramText(p.after)}`);
  if (d.inputs) lines.push(`inputs: ${d.inputs.before.join(', ') || '(none)'} → ${d.inputs.after.join(', ') || '(none)'}${d.inputs.reordered ? ' (reordered)' : ''}`);
  if (d.outputShape) lines.push(`output: ${shapeText(d.outputShape.before)} → ${shapeText(d.outputShape.after)}`);
  if (d.paramCount) lines.push(counted('params', d.paramCount));
  if (d.macs) lines.push(counted('MACs', d.macs));
  return lines;
}

const title = (name: string, kind: string) => `${name} (${kindLabel(kind)})`;

function entryLine(mark: string, l: LayerEntry): string {
  const from = l.inputs.length ? ` after ${l.inputs.join(', ')}` : '';
  return `  ${mark} ${title(l.name, l.kind)}${from}: ${shapeText(l.outputShape)}, ${int(l.params)} params${l.macs ? `, ${int(l.macs)} MACs` : ''}`;
}

const TOTAL_ROWS: Array<[keyof GraphTotals, string, (n: number) => string]> = [
  ['params', 'params', int],
  ['trainableParams', 'trainable', int],
  ['nonTrainableParams', 'non-trainable', int],
  ['macs', 'MACs', int],
  ['flops', 'FLOPs', int],
  ['weightsBytesF32', 'weights (float32)', bytes],
  ['activationBytes', 'activations', bytes],
];

/** Rows of the totals table: name, before, after, delta (params, MACs and the figures that changed, unless `all`). */
export function totalsRows(t: GraphDiff['totals'], all = false): Array<[string, string, string, string]> {
  return TOTAL_ROWS.filter(([k]) => all || k === 'params' || k === 'macs' || t.delta[k] !== 0).map(([k, label, f]) => {
    const d = t.delta[k];
    const delta = f === int ? signed(d) : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${bytes(Math.abs(d))}`;
    return [label, f(t.before[k]), f(t.after[k]), delta];
  });
}

export interface DiffLabels {
  a: string;
  b: string;
}

/**
 * `convas diff` as text: a header per side with its totals, then changed, added and removed layers, knock-on changes
 * (same settings, new shapes or counts), connections, and the totals that moved.
 */
export function formatDiff(d: GraphDiff, labels: DiffLabels, layerCounts: { a: number; b: number }): string {
  const side = (mark: string, label: string, n: number, t: GraphTotals) =>
    `${mark} ${label}: ${int(n)} layers, ${int(t.params)} params, ${int(t.macs)} MACs (${human(t.macs)})`;
  const out = [side('---', labels.a, layerCounts.a, d.totals.before), side('+++', labels.b, layerCounts.b, d.totals.after), ''];
  if (d.equal) {
    out.push(`The designs are the same: all ${int(d.matches.length)} layers match, with the same settings and connections (positions are not compared).`);
    return `${out.join('\n')}\n`;
  }
  const section = (name: string, n: number) => out.push(`${name} (${n}):`);
  if (d.changed.length) {
    section('Changed', d.changed.length);
    for (const c of d.changed) {
      out.push(`  ~ ${title(c.b.name, c.b.kind)}`);
      for (const l of layerLines(c)) out.push(`      ${l}`);
    }
  }
  if (d.added.length) {
    section('Added', d.added.length);
    for (const l of d.added) out.push(entryLine('+', l));
  }
  if (d.removed.length) {
    section('Removed', d.removed.length);
    for (const l of d.removed) out.push(entryLine('-', l));
  }
  if (d.affected.length) {
    section('Knock-on (same settings, changed by a change upstream)', d.affected.length);
    for (const c of d.affected) out.push(`  · ${title(c.b.name, c.b.kind)}: ${layerLines(c).join('; ')}`);
  }
  if (d.edges.added.length || d.edges.removed.length) {
    section('Connections', d.edges.added.length + d.edges.removed.length);
    for (const e of d.edges.removed) out.push(`  - ${e.source} → ${e.target} (input ${e.slot + 1})`);
    for (const e of d.edges.added) out.push(`  + ${e.source} → ${e.target} (input ${e.slot + 1})`);
  }
  const rows = totalsRows(d.totals);
  out.push('Totals:');
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) out.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])} → ${r[2].padStart(widths[2])}  (${r[3]})`);
  return `${out.join('\n')}\n`;
}
