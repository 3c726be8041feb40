/** Display helpers shared by the canvas, the summary and the status bar. */

import { fmtShape } from '../../nodes/index';

// One formatter: `toLocaleString` builds a new Intl.NumberFormat on every call, which shows up while dragging.
const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 61706 → "61,706". */
export const fmtInt = (n: number): string => intFormat.format(Math.round(n));

/** 416520 → "416.5 K", 15470000000 → "15.47 G". */
export function fmtCompact(n: number): string {
  const a = Math.abs(n);
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [v, u] of units) if (a >= v) return `${trim(n / v)} ${u}`;
  return String(Math.round(n));
}

function trim(x: number): string {
  const s = x.toFixed(Math.abs(x) >= 100 ? 1 : 2);
  return s.replace(/\.?0+$/, '');
}

/** Bytes in KB/MB/GB (powers of 1024): the graph's own formatter, so warnings and totals print sizes alike. */
export { fmtBytes } from '../graph/messages';

export const fmtShapeX = (s: readonly number[] | undefined): string => (s ? fmtShape(s) : '—');

/** Descriptions mark code with backticks; plain-text places (tooltips) drop them. */
export const plainText = (s: string): string => s.replace(/`/g, '');
