import { useMemo } from 'react';
import { modelFingerprint } from '../../graph/fingerprint';
import type { Graph, GraphInference } from '../../graph/types';
import { useTrainingStore } from '../../store/training';
import { StaleBanner } from '../stale';

/**
 * The Train tab's mark on a run of an earlier design: its curves, epoch table and test accuracy stay as they were
 * (a record of that run, left as it was), with a banner saying the design changed since and a Retrain button.
 */
export function StaleRun({ graph, inference, blocked, onRetrain, fromKept }: { graph: Graph; inference: GraphInference; blocked: boolean; onRetrain(): void; fromKept: boolean }) {
  const runKey = useTrainingStore((s) => s.runGraphKey);
  const status = useTrainingStore((s) => s.status);
  const key = useMemo(() => modelFingerprint(graph, inference), [graph, inference]);
  if (runKey === null || runKey === key) return null;
  const active = status === 'training' || status === 'loading' || status === 'paused';
  if (active) {
    return (
      <StaleBanner sticky testid="train-stale">
        The design changed since this run started; the run goes on training the design it started with.
      </StaleBanner>
    );
  }
  return (
    <StaleBanner
      sticky
      testid="train-stale"
      action="Retrain"
      onAction={onRetrain}
      disabled={blocked}
      actionTitle={blocked ? 'Fix the problems above first' : fromKept ? 'Train the design as it is now, its unchanged layers from their trained weights' : 'Train the design as it is now (every layer from fresh weights)'}
    >
      The design changed since this run: the curves and test figures below are of the earlier design.
    </StaleBanner>
  );
}
