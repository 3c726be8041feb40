import type { Graph } from './types';

/** Incoming edges of each node, sorted by input slot; edges to or from unknown nodes are left out. */
export function incomingEdges(graph: Graph) {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const incoming = new Map<string, Graph['edges']>();
  const outgoing = new Map<string, Graph['edges']>();
  for (const n of graph.nodes) {
    incoming.set(n.id, []);
    outgoing.set(n.id, []);
  }
  const dangling: Graph['edges'] = [];
  for (const e of graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) {
      dangling.push(e);
      continue;
    }
    incoming.get(e.target)!.push(e);
    outgoing.get(e.source)!.push(e);
  }
  for (const list of incoming.values()) list.sort((a, b) => a.targetIndex - b.targetIndex);
  return { incoming, outgoing, dangling };
}

/**
 * Kahn's topological order. Nodes on or downstream of a cycle are not in `order`;
 * `cyclic` holds the nodes that lie on a cycle themselves (strongly connected components of size > 1, or self-loops).
 */
export function topologicalOrder(graph: Graph): { order: string[]; cyclic: Set<string> } {
  const { incoming, outgoing } = incomingEdges(graph);
  const indegree = new Map<string, number>();
  for (const [id, list] of incoming) indegree.set(id, list.length);
  const queue: string[] = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    order.push(id);
    for (const e of outgoing.get(id)!) {
      const d = indegree.get(e.target)! - 1;
      indegree.set(e.target, d);
      if (d === 0) queue.push(e.target);
    }
  }
  const cyclic = new Set<string>();
  if (order.length < graph.nodes.length) {
    const placed = new Set(order);
    const rest = graph.nodes.map((n) => n.id).filter((id) => !placed.has(id));
    for (const scc of stronglyConnected(rest, (id) => outgoing.get(id)!.map((e) => e.target).filter((t) => !placed.has(t)))) {
      if (scc.length > 1 || outgoing.get(scc[0])!.some((e) => e.target === scc[0])) scc.forEach((id) => cyclic.add(id));
    }
  }
  return { order, cyclic };
}

/** Tarjan's algorithm, iterative so that long chains cannot overflow the stack. */
function stronglyConnected(ids: string[], next: (id: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; succ: string[]; i: number }> = [];
    const visit = (id: string) => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, succ: next(id), i: 0 });
    };
    visit(root);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++];
        if (!index.has(w)) visit(w);
        else if (onStack.has(w)) low.set(top.id, Math.min(low.get(top.id)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.id)!));
      }
      if (low.get(top.id) === index.get(top.id)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.id);
        out.push(scc);
      }
    }
  }
  return out;
}

/** Would adding an edge source → target close a cycle? (Is source reachable from target?) */
export function wouldCreateCycle(graph: Graph, source: string, target: string): boolean {
  if (source === target) return true;
  const { outgoing } = incomingEdges(graph);
  const seen = new Set<string>([target]);
  const todo = [target];
  while (todo.length) {
    const id = todo.pop()!;
    for (const e of outgoing.get(id) ?? []) {
      if (e.target === source) return true;
      if (!seen.has(e.target)) {
        seen.add(e.target);
        todo.push(e.target);
      }
    }
  }
  return false;
}
