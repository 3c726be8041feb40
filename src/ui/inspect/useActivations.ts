import { useCallback, useEffect, useState } from 'react';
import { probeActivations, type ActivationProbe } from '../../analysis/activations';
import type { GraphNode } from '../../graph/types';
import type { InspectModel } from './useInspectModel';

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
  error: string | null;
  run(s: Sample): void;
}

/**
 * Feature maps of `nodes` for a sample: runs whenever `sample` or the model changes when `auto`, otherwise on `run`.
 * A result of an earlier model stays until replaced, marked `stale`.
 */
export function useActivations(m: InspectModel, inShape: readonly number[] | undefined, nodes: readonly GraphNode[], sample: Sample | null, auto: boolean): Activations {
  const [held, setHeld] = useState<{ acts: NonNullable<Activations['acts']>; model: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    (s: Sample) => {
      if (m.status !== 'ready' || !m.tf || !m.model || !inShape) return;
      try {
        setHeld({ acts: { ...probeActivations(m.tf, m.model, nodes, s.data, inShape), source: s.source }, model: m.model });
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [m, inShape, nodes],
  );
  useEffect(() => {
    if (sample && auto) run(sample);
  }, [sample, run, auto]);
  return { acts: held?.acts ?? null, stale: !!held && held.model !== m.model, error, run };
}
