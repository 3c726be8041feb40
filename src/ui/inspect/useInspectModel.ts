import type * as tfjs from '@tensorflow/tfjs';
import { useEffect, useState } from 'react';
import { buildModel } from '../../export/artifacts';
import type { Graph, GraphInference } from '../../graph/types';
import type { WeightSnapshot } from '../../compile/weights';
import { loadTf, type Tf } from './tf';
import { untrainedWeights } from './untrained';
import { applyWeights, snapshotWeights } from '../../compile/weights';

export interface InspectModel {
  status: 'idle' | 'loading' | 'ready' | 'error';
  tf?: Tf;
  model?: tfjs.LayersModel;
  /** True when the trained weights were loaded; false means fresh random initial weights. */
  trained: boolean;
  /**
   * The snapshot the model holds now (null: this graph's random draw). Results computed from the model hold for these
   * weights: the model object stays the same when only the weights change (a replayed epoch).
   */
  weights: WeightSnapshot | null;
  /** Why the trained weights were not used, or why no model could be built. */
  note?: string;
}

/**
 * The weights each built model holds right now (null: its random draw). A computation spread over several tasks
 * (an evaluation, a stepped probe) checks it to notice weights swapped under it.
 */
export const modelWeights = new WeakMap<tfjs.LayersModel, WeightSnapshot | null>();

/**
 * A tfjs model of the graph for inspection: built once per graph (and disposed when replaced); other weights — a
 * replayed epoch, the next training — are swapped into the same model (`setWeights`), which costs a copy of the
 * weights instead of a rebuild. `weights` may cover only some layers (those that kept their trained weights after an
 * edit): the others keep this graph's random draw, remembered in `untrainedWeights` so that Export saves the very model
 * shown. Unless `complete` (the weights cover every layer), which skips resetting to that draw. Weights that do not fit
 * are dropped with a note.
 */
export function useInspectModel(graph: Graph, inference: GraphInference, weights: WeightSnapshot | null, enabled = true, complete = false): InspectModel {
  const [state, setState] = useState<InspectModel>({ status: 'idle', trained: false, weights: null });
  const [built, setBuilt] = useState<{ tf: Tf; model: tfjs.LayersModel; graph: Graph } | null>(null);

  useEffect(() => {
    setBuilt(null);
    if (!enabled) {
      setState({ status: 'idle', trained: false, weights: null });
      return;
    }
    if (!inference.valid) {
      setState({ status: 'error', trained: false, weights: null, note: 'Fix the errors in the graph to inspect it.' });
      return;
    }
    let cancelled = false;
    let model: tfjs.LayersModel | undefined;
    // The previous model is disposed by the cleanup below: never keep a reference to it.
    setState({ status: 'loading', trained: false, weights: null });
    loadTf()
      .then((tf) => {
        if (cancelled) return;
        model = buildModel(tf, graph, null);
        // Reuse this graph's earlier random draw (StrictMode, tab switches) and let Export save the same one.
        const earlier = untrainedWeights.get(graph);
        if (earlier) applyWeights(tf, model, earlier);
        else untrainedWeights.set(graph, snapshotWeights(model));
        modelWeights.set(model, null);
        setBuilt({ tf, model, graph });
      })
      .catch((e: unknown) => !cancelled && setState({ status: 'error', trained: false, weights: null, note: `Could not build the model: ${(e as Error).message}` }));
    return () => {
      cancelled = true;
      if (model) {
        // Computations still going on this model see it is gone (its weights no longer what they started with).
        modelWeights.delete(model);
        model.dispose();
      }
    };
  }, [graph, inference.valid, enabled]);

  useEffect(() => {
    // A graph change disposes the model (the build effect's cleanup runs first) before `built` catches up: wait for the new one.
    if (!built || !modelWeights.has(built.model)) return;
    const { tf, model } = built;
    const random = untrainedWeights.get(built.graph)!;
    let note: string | undefined;
    try {
      // Layers the weights do not cover show the random draw, whatever an earlier snapshot left in them.
      if ((!weights || !complete) && modelWeights.get(model) !== null) applyWeights(tf, model, random);
      if (weights) applyWeights(tf, model, weights);
    } catch (e) {
      note = `The trained weights do not fit the edited graph (${(e as Error).message}); showing fresh random weights — train again.`;
      // A snapshot may fail halfway: go back to the clean draw rather than mix.
      try {
        applyWeights(tf, model, random);
      } catch (again) {
        setState({ status: 'error', trained: false, weights: null, note: `Could not build the model: ${(again as Error).message}` });
        return;
      }
    }
    const held = weights && !note ? weights : null;
    modelWeights.set(model, held);
    setState({ status: 'ready', tf, model, trained: held !== null, weights: held, note });
  }, [built, weights, complete]);
  return state;
}
