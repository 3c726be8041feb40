import { inferGraph } from '../graph/infer';
import type { Graph, GraphInference } from '../graph/types';

/** The graph's inference, or throws for an invalid graph naming its first bad layer: no exporter writes a broken file. */
export function exportableInference(graph: Graph): GraphInference {
  const inference = inferGraph(graph);
  if (!inference.valid) {
    const bad = Object.values(inference.nodes).find((n) => n.status === 'error');
    const node = bad && graph.nodes.find((n) => n.id === bad.id);
    const why = bad && node ? `layer "${node.name}": ${bad.error?.message}` : inference.issues.map((i) => i.message).join('; ');
    throw new Error(`cannot export an invalid graph — ${why || 'fix the errors shown in the editor first'}`);
  }
  return inference;
}
