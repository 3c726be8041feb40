import type * as tfjs from '@tensorflow/tfjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { probeActivationsInSteps, ProbeCancelled, type ActivationProbe } from '../../analysis/activations';
import type { GraphNode } from '../../graph/types';
import type { WeightSnapshot } from '../../compile/weights';
import { modelWeights, type InspectModel } from './useInspectModel';

/** One input for the Inspect panel: a drawing (one grey plane) or a test image, with its label when known. */
export interface Sample {
  data: Float32Array;
  label?: number;
  source: string;
}

export interface Activations {
  /** The last run's feature maps and output, with the sample's `source`; null until a run. */
  acts: (ActivationProbe & { source: string }) | null;
  /** True when `acts` came from an earlier model than the current one (the design or the weights changed since). */
  stale: boolean;
  /** The weights `acts` were computed with (null: the random draw); undefined before any result. */
  actsWeights: WeightSnapshot | null | undefined;
  error: string | null;
  run(s: Sample): void;
}

type Acts = NonNullable<Activations['acts']>;

/**
 * Feature maps already computed, by model, weights (the model itself stands for its random draw) and sample: going
 * back to an epoch already shown, or to the latest weights, paints at once. Weak keys: a model, snapshot or sample
 * let go of takes its results with it.
 */
const computed = new WeakMap<tfjs.LayersModel, WeakMap<object, WeakMap<Sample, Acts>>>();
function cached(model: tfjs.LayersModel, weights: WeightSnapshot | null, s: Sample): Acts | undefined {
  return computed.get(model)?.get(weights ?? model)?.get(s);
}
function remember(model: tfjs.LayersModel, weights: WeightSnapshot | null, s: Sample, acts: Acts): void {
  let byWeights = computed.get(model);
  if (!byWeights) computed.set(model, (byWeights = new WeakMap()));
  let bySample = byWeights.get(weights ?? model);
  if (!bySample) byWeights.set(weights ?? model, (bySample = new WeakMap()));
  bySample.set(s, acts);
}

/** Hands the thread back for one turn of the event loop (a MessageChannel message: no 4 ms timer clamp). */
const pause = () =>
  new Promise<void>((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });

/**
 * Feature maps of `nodes` for a sample: runs whenever `sample` or the model (or its weights) changes when `auto`,
 * otherwise on `run`. The forward pass goes layer by layer in short slices (`probeActivationsInSteps`), so a large model
 * never holds the page for long; only the newest request finishes (an older one stops at its next slice). A result of
 * an earlier model stays until replaced, marked `stale`.
 */
export function useActivations(m: InspectModel, inShape: readonly number[] | undefined, nodes: readonly GraphNode[], sample: Sample | null, auto: boolean): Activations {
  const [held, setHeld] = useState<{ acts: Acts; model: unknown; weights: WeightSnapshot | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const run = useCallback(
    (s: Sample) => {
      if (m.status !== 'ready' || !m.tf || !m.model || !inShape) return;
      const { tf, model, weights } = m;
      const id = ++latest.current;
      const hit = cached(model, weights, s);
      if (hit) {
        setHeld({ acts: hit, model, weights });
        setError(null);
        return;
      }
      const superseded = () => id !== latest.current || modelWeights.get(model) !== weights;
      probeActivationsInSteps(tf, model, nodes, s.data, inShape, { pause, cancelled: superseded })
        .then((probe) => {
          if (superseded()) return;
          const acts = { ...probe, source: s.source };
          remember(model, weights, s, acts);
          setHeld({ acts, model, weights });
          setError(null);
        })
        .catch((e: unknown) => {
          if (e instanceof ProbeCancelled || superseded()) return;
          setError((e as Error).message);
        });
    },
    [m, inShape, nodes],
  );
  useEffect(() => {
    if (sample && auto) run(sample);
  }, [sample, run, auto]);
  // A model let go of (another graph) cancels what was computing on it.
  useEffect(() => () => void latest.current++, [m.model]);
  return {
    acts: held?.acts ?? null,
    stale: !!held && (held.model !== m.model || held.weights !== m.weights),
    actsWeights: held?.weights,
    error,
    run,
  };
}
