import type { GraphInference } from '../../graph/types';
import type { InstanceProblemMeta as InstanceProblem } from '../../store/doc';

/** What the list needs of a layer. */
export interface NamedLayer {
  id: string;
  name: string;
  kind: string;
}

/** One line of the problems list: a layer with its problems, or a problem of the graph as a whole. */
export interface ProblemEntry {
  key: string;
  severity: 'error' | 'warning';
  /** The layers to select and centre on when the entry is clicked (the first is centred). */
  nodeIds: string[];
  /** The layer's name, or undefined for a graph-level entry. */
  layer?: string;
  kind?: string;
  messages: string[];
}

// Cycles and duplicate names are already on their layers; other graph issues stand on their own.
const ON_LAYERS = new Set(['cycle', 'duplicate-name']);

/**
 * Every problem the user can act on, errors first, in the graph's order: a layer's errors together under its name,
 * then each warning of a layer or of the model. Pure, so the list and its counts are tested without a browser.
 */
export function problemEntries(layers: readonly NamedLayer[], inf: GraphInference, instances: readonly InstanceProblem[] = []): ProblemEntry[] {
  const byId = new Map(layers.map((n) => [n.id, n]));
  const placed = new Set(inf.order);
  const ids = [...inf.order, ...layers.map((n) => n.id).filter((id) => !placed.has(id))];
  const errors: ProblemEntry[] = [];
  const warnings: ProblemEntry[] = [];
  for (const id of ids) {
    const n = inf.nodes[id];
    const node = byId.get(id);
    if (!n || !node) continue;
    if (n.status === 'error') {
      const list = n.errors ?? (n.error ? [n.error] : []);
      errors.push({ key: `e:${id}`, severity: 'error', nodeIds: [id], layer: node.name, kind: node.kind, messages: list.map((e) => e.message) });
    }
    if (n.warnings?.length) {
      warnings.push({ key: `w:${id}`, severity: 'warning', nodeIds: [id], layer: node.name, kind: node.kind, messages: n.warnings.map((w) => w.message) });
    }
  }
  // An instance's problems are on its box, which the canvas draws red: the list says so too.
  const byInstance = new Map<string, InstanceProblem[]>();
  for (const p of instances) byInstance.set(p.nodeId, [...(byInstance.get(p.nodeId) ?? []), p]);
  for (const [id, list] of byInstance) {
    errors.push({ key: `b:${id}`, severity: 'error', nodeIds: [id], layer: list[0].name, kind: 'Block', messages: [...new Set(list.map((p) => p.message))] });
  }
  for (const issue of inf.issues) {
    if (ON_LAYERS.has(issue.code)) continue;
    errors.push({ key: `g:${issue.code}`, severity: 'error', nodeIds: issue.nodeIds, messages: [issue.message] });
  }
  for (const w of inf.warnings ?? []) {
    warnings.push({ key: `gw:${w.code}`, severity: 'warning', nodeIds: w.nodeIds, messages: [w.message] });
  }
  return [...errors, ...warnings];
}

/** How many problems of a severity the list holds (each message counts: a layer with two bad fields has two). */
export const countOf = (entries: ProblemEntry[], severity: ProblemEntry['severity']): number =>
  entries.filter((e) => e.severity === severity).reduce((a, e) => a + e.messages.length, 0);
