import { stableJson } from '../graph/fingerprint';
import { inferGraph } from '../graph/infer';
import type { Graph, GraphInference } from '../graph/types';
import type { WeightSnapshot } from './weights';

/** Why a layer with weights does not take its trained ones after an edit. */
export type FreshReason = 'new layer' | 'kind changed' | 'params changed' | 'input shape changed' | 'not trained' | 'weights do not fit';

export interface WeightCarry {
  /** The trained weights that still apply, renamed to the edited graph's layer names (ready for `applyWeights`). */
  snapshot: WeightSnapshot;
  /** Layers (of the edited graph, in its order) that keep their trained weights. */
  kept: { id: string; name: string }[];
  /** Layers with weights that start from fresh initial weights, and why. */
  fresh: { id: string; name: string; reason: FreshReason }[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Which layers of an edited graph can keep the weights trained for an earlier version of it. A layer keeps its weights
 * when the same node (by id: renaming or moving it changes nothing) is still there with the same kind, the same params
 * (defaults filled in) and the same input shapes, and the snapshot holds weights of the size the layer counts. Anything
 * else starts fresh. Wiring upstream may change as long as the shapes a layer sees do not (after the separable rewrite
 * of one conv, the layers after it keep theirs): kept weights are a starting point for retraining, not a claim that
 * results computed before still hold (see `modelFingerprint`).
 *
 * Pure: `weights` is keyed by the layer names of `before`; the result's snapshot by those of `after`, sharing the
 * tensor arrays (never copied, never modified). Layers without weights (pooling, activations, …) appear in neither list.
 */
export function carryWeights(
  before: Graph,
  after: Graph,
  weights: WeightSnapshot,
  inferBefore: GraphInference = inferGraph(before),
  inferAfter: GraphInference = inferGraph(after),
): WeightCarry {
  const oldById = new Map(before.nodes.map((n) => [n.id, n]));
  const byName = new Map(weights.map((l) => [l.layer, l]));
  const out: WeightCarry = { snapshot: [], kept: [], fresh: [] };
  for (const node of after.nodes) {
    const inf = inferAfter.nodes[node.id];
    const count = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
    if (!inf || count === 0) continue;
    const fresh = (reason: FreshReason) => out.fresh.push({ id: node.id, name: node.name, reason });
    const old = oldById.get(node.id);
    const oldInf = old && inferBefore.nodes[old.id];
    if (!old || !oldInf) fresh('new layer');
    else if (old.kind !== node.kind) fresh('kind changed');
    else if (inf.status !== 'ok' || oldInf.status !== 'ok' || stableJson(oldInf.params) !== stableJson(inf.params)) fresh('params changed');
    else if (stableJson(oldInf.inputShapes) !== stableJson(inf.inputShapes)) fresh('input shape changed');
    else {
      const layer = byName.get(old.name);
      if (!layer) fresh('not trained');
      else if (layer.tensors.reduce((a, t) => a + size(t.shape), 0) !== count) fresh('weights do not fit');
      else {
        out.kept.push({ id: node.id, name: node.name });
        out.snapshot.push(layer.layer === node.name ? layer : { ...layer, layer: node.name });
      }
    }
  }
  return out;
}

