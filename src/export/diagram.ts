import { getLayerKind } from '../../nodes/index';
import { fmtShape } from '../../nodes/lib/define';
import { incomingEdges } from '../graph/topo';
import type { Graph, GraphInference } from '../graph/types';

/** layout.ts' NODE_SIZE, repeated so that this module does not pull elkjs into the editor bundle (a test keeps them equal). */
export const CARD_SIZE = { width: 240, height: 96 };

/** Category colours, as in the editor's stylesheet. */
export const CATEGORY_COLORS: Record<string, string> = {
  input: '#495057',
  conv: '#3b5bdb',
  pool: '#0c8599',
  norm: '#7048e8',
  activation: '#e67700',
  regularization: '#868e96',
  reshape: '#5c940d',
  dense: '#c2255c',
  merge: '#1098ad',
  unknown: '#adb5bd',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmtInt = (n: number) => n.toLocaleString('en-US');

/**
 * The graph as a standalone SVG document, drawn from the document's node positions (the same layout as the canvas):
 * one card per layer (kind, name, summary, output shape, params) and a curve per edge, numbered on merge inputs.
 * Independent of the DOM, so it is the same in the browser, in Node and in tests; the PNG export rasterises it.
 */
export function diagramSvg(graph: Graph, inference: GraphInference, title?: string): string {
  const { width: W, height: H } = CARD_SIZE;
  const pad = 24;
  const top = title ? 52 : 0;
  if (graph.nodes.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60"><text x="12" y="34" font-family="sans-serif" font-size="14">Empty graph</text></svg>`;
  }
  const xs = graph.nodes.map((n) => n.position.x);
  const ys = graph.nodes.map((n) => n.position.y);
  const minX = Math.min(...xs) - pad;
  const minY = Math.min(...ys) - pad - top;
  const width = Math.max(...xs) + W + pad - minX;
  const height = Math.max(...ys) + H + pad - minY;
  const pos = new Map(graph.nodes.map((n) => [n.id, { x: n.position.x - minX, y: n.position.y - minY }]));
  const { incoming } = incomingEdges(graph);
  // Vertical flow when most edges go down, horizontal otherwise (as the editor's handles do).
  let down = 0;
  for (const e of graph.edges) {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    if (a && b) down += Math.abs(b.y - a.y) >= Math.abs(b.x - a.x) ? 1 : -1;
  }
  const vertical = down >= 0;

  const edges: string[] = [];
  for (const n of graph.nodes) {
    const ins = incoming.get(n.id) ?? [];
    ins.forEach((e, slot) => {
      const a = pos.get(e.source)!;
      const b = pos.get(e.target)!;
      const off = ins.length > 1 ? ((slot + 1) / (ins.length + 1) - 0.5) * (vertical ? W : H) * 0.8 : 0;
      const [x1, y1, x2, y2] = vertical ? [a.x + W / 2, a.y + H, b.x + W / 2 + off, b.y] : [a.x + W, a.y + H / 2, b.x, b.y + H / 2 + off];
      const c = vertical ? Math.max(30, Math.abs(y2 - y1) / 2) : Math.max(30, Math.abs(x2 - x1) / 2);
      const d = vertical ? `M${x1},${y1} C${x1},${y1 + c} ${x2},${y2 - c} ${x2},${y2}` : `M${x1},${y1} C${x1 + c},${y1} ${x2 - c},${y2} ${x2},${y2}`;
      edges.push(`<path d="${d}" fill="none" stroke="#868e96" stroke-width="1.6" marker-end="url(#arrow)"/>`);
      if (ins.length > 1) edges.push(`<text x="${x2 + 4}" y="${y2 - 4}" font-size="10" fill="#495057">${slot + 1}</text>`);
    });
  }

  const cards = graph.nodes.map((n) => {
    const p = pos.get(n.id)!;
    const kind = getLayerKind(n.kind);
    const color = CATEGORY_COLORS[kind?.ui.category ?? 'unknown'];
    const inf = inference.nodes[n.id];
    let summary = '';
    if (kind && inf?.params) {
      try {
        summary = kind.ui.summary(inf.params);
      } catch {
        summary = '';
      }
    }
    const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
    const bad = inf && inf.status !== 'ok';
    const shape = inf?.outputShape ? fmtShape(inf.outputShape) : bad ? (inf.status === 'error' ? 'error' : 'blocked') : '';
    return [
      `<g transform="translate(${p.x},${p.y})">`,
      `<rect width="${W}" height="${H}" rx="8" fill="#fff" stroke="${bad ? '#e03131' : '#ced4da'}" stroke-width="${bad ? 2 : 1}"/>`,
      `<rect width="6" height="${H}" rx="3" fill="${color}"/>`,
      `<text x="16" y="22" font-size="12" font-weight="600" fill="${color}">${esc(kind?.ui.label ?? n.kind)}</text>`,
      `<text x="${W - 10}" y="22" font-size="12" text-anchor="end" fill="#212529">${esc(n.name)}</text>`,
      summary ? `<text x="16" y="44" font-size="12" fill="#495057">${esc(summary)}</text>` : '',
      `<text x="16" y="${H - 14}" font-size="12" fill="#212529">${esc(shape)}</text>`,
      params ? `<text x="${W - 10}" y="${H - 14}" font-size="11" text-anchor="end" fill="#868e96">${fmtInt(params)} params</text>` : '',
      '</g>',
    ].join('');
  });

  const t = inference.totals;
  const heading = title
    ? `<text x="${pad}" y="${pad + 8}" font-size="16" font-weight="600" fill="#212529">${esc(title)}</text><text x="${pad}" y="${pad + 28}" font-size="12" fill="#495057">${fmtInt(t.params)} params · ${fmtInt(t.macs)} MACs</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, system-ui, sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#868e96"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#f8f9fa"/>`,
    heading,
    ...edges,
    ...cards,
    '</svg>',
  ].join('\n');
}
