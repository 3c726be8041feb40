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
  /** Why the trained weights were not used, or why no model could be built. */
  note?: string;
}

/**
 * A tfjs model of the graph for inspection, rebuilt when the graph or the trained weights change and disposed when
 * replaced. `weights` may cover only some layers (those that kept their trained weights after an edit): the others
 * keep this graph's random draw, remembered in `untrainedWeights` so that Export saves the very model shown. Unless
 * `complete` (the weights cover every layer), which skips that copy. Weights that do not fit are dropped with a note.
 */
export function useInspectModel(graph: Graph, inference: GraphInference, weights: WeightSnapshot | null, enabled = true, complete = false): InspectModel {
  const [state, setState] = useState<InspectModel>({ status: 'idle', trained: false });
  useEffect(() => {
    if (!enabled) {
      setState({ status: 'idle', trained: false });
      return;
    }
    if (!inference.valid) {
      setState({ status: 'error', trained: false, note: 'Fix the errors in the graph to inspect it.' });
      return;
    }
    let cancelled = false;
    let built: tfjs.LayersModel | undefined;
    // The previous model is disposed by the cleanup below: never keep a reference to it.
    setState({ status: 'loading', trained: false });
    loadTf()
      .then((tf) => {
        if (cancelled) return;
        let note: string | undefined;
        built = buildModel(tf, graph, null);
        // Reuse this graph's earlier random draw (StrictMode, tab switches) and let Export save the same one.
        const random = () => {
          const earlier = untrainedWeights.get(graph);
          if (earlier) applyWeights(tf, built!, earlier);
          else untrainedWeights.set(graph, snapshotWeights(built!));
        };
        if (!weights || !complete) random();
        if (weights) {
          try {
            applyWeights(tf, built, weights);
          } catch (e) {
            note = `The trained weights do not fit the edited graph (${(e as Error).message}); showing fresh random weights — train again.`;
            // A snapshot may fail halfway: start again from a clean model rather than mix.
            built.dispose();
            built = buildModel(tf, graph, null);
            random();
          }
        }
        setState({ status: 'ready', tf, model: built, trained: !!weights && !note, note });
      })
      .catch((e: unknown) => !cancelled && setState({ status: 'error', trained: false, note: `Could not build the model: ${(e as Error).message}` }));
    return () => {
      cancelled = true;
      built?.dispose();
    };
  }, [graph, inference.valid, weights, enabled, complete]);
  return state;
}
