// `npx tsx bench/diff.bench.ts`: how long diffGraphs takes (inference passed in, as the Compare panel does), for the
// same graph, a one-param edit, and the same graph under new ids and names (the alignment's worst case: nothing
// anchors by id or name). Prints figures; no targets.
import { getPreset } from '../presets/index';
import { diffGraphs } from '../src/graph/diff';
import { inferGraph } from '../src/graph/infer';
import type { Graph } from '../src/graph/types';
import { residualTower } from './infer.bench';

function renamed(g: Graph): Graph {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `r${i}`]));
  return {
    nodes: [...g.nodes].reverse().map((n) => ({ ...n, id: ids.get(n.id)!, name: `${n.name}_r` })),
    edges: g.edges.map((e) => ({ ...e, source: ids.get(e.source)!, target: ids.get(e.target)! })),
  };
}

function edited(g: Graph): Graph {
  const at = g.nodes.findIndex((n) => n.kind === 'Conv2D');
  return { ...g, nodes: g.nodes.map((n, i) => (i === at ? { ...n, params: { ...n.params, filters: 7 } } : n)) };
}

function time(a: Graph, b: Graph, runs: number): { median: number; max: number; check: string } {
  const ia = inferGraph(a);
  const ib = inferGraph(b);
  const ms: number[] = [];
  let check = '';
  for (let i = -2; i < runs; i++) {
    const t = performance.now();
    const d = diffGraphs(a, b, { a: ia, b: ib });
    if (i >= 0) ms.push(performance.now() - t);
    check = `${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed`;
  }
  ms.sort((x, y) => x - y);
  return { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1], check };
}

const graphs: Array<[string, Graph, number]> = [
  ['LeNet-5', getPreset('lenet5')!.graph, 50],
  ['ResNet-20', getPreset('resnet-cifar')!.graph, 20],
  ['ResNet-50', getPreset('resnet50')!.graph, 10],
  ['2,000-node residual tower', residualTower(2000), 3],
];
for (const [label, g, runs] of graphs) {
  for (const [what, b] of [
    ['same', structuredClone(g)],
    ['one param edited', edited(g)],
    ['new ids and names', renamed(g)],
  ] as const) {
    const r = time(g, b, runs);
    console.log(`${label.padEnd(26)} ${String(g.nodes.length).padStart(5)} nodes  ${what.padEnd(18)} median ${r.median.toFixed(1).padStart(8)} ms  max ${r.max.toFixed(1).padStart(8)} ms  (${r.check})`);
  }
}
