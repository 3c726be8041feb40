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
  /** The last run's feature maps and output, with the sample's `source`; null until a run or after the model changed. */
  acts: (ActivationProbe & { source: string }) | null;
  error: string | null;
  run(s: Sample): void;
}

/**
 * Feature maps of `nodes` for a sample: runs whenever `sample` changes when `auto`, otherwise on `run`.
 * Forgets the result when the model is rebuilt.
 */
export function useActivations(m: InspectModel, inShape: readonly number[] | undefined, nodes: readonly GraphNode[], sample: Sample | null, auto: boolean): Activations {
  const [acts, setActs] = useState<Activations['acts']>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setActs(null), [m.model]);
  const run = useCallback(
    (s: Sample) => {
      if (m.status !== 'ready' || !m.tf || !m.model || !inShape) return;
      try {
        setActs({ ...probeActivations(m.tf, m.model, nodes, s.data, inShape), source: s.source });
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
  return { acts, error, run };
}
