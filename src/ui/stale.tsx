import { useMemo, type ReactNode } from 'react';
import { carryWeights, type WeightCarry } from '../compile/carry';
import { modelFingerprint } from '../graph/fingerprint';
import type { Graph, GraphInference } from '../graph/types';
import { useTrainingStore } from '../store/training';
import './styles/stale.css';

export interface TrainedWeights {
  /** Fingerprint of the current graph (`modelFingerprint`). */
  key: string;
  /** The trained weights that apply to the current graph, or null before any training (or import). */
  carry: WeightCarry | null;
  /** True when the current graph is not the one the weights were trained for. */
  designChanged: boolean;
}

/** How the trained weights in the training store fit `graph`: which layers keep them, which start fresh. */
export function useTrainedWeights(graph: Graph, inference: GraphInference): TrainedWeights {
  const weights = useTrainingStore((s) => s.weights);
  const weightsGraph = useTrainingStore((s) => s.weightsGraph);
  const weightsKey = useTrainingStore((s) => s.weightsGraphKey);
  return useMemo(() => {
    const key = modelFingerprint(graph, inference);
    if (!weights) return { key, carry: null, designChanged: false };
    const carry = carryWeights(weightsGraph ?? graph, graph, weights, undefined, inference);
    return { key, carry, designChanged: weightsGraph !== null && weightsKey !== key };
  }, [graph, inference, weights, weightsGraph, weightsKey]);
}

/** "conv2d, dense and 3 more". */
export function nameList(names: string[], max = 4): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

const layers = (n: number) => `${n} layer${n === 1 ? '' : 's'}`;

/** "weights kept for 4 layers; conv2d_1_dw, conv2d_1_pw start fresh" (what an edit did to the trained weights). */
export function describeCarry(c: WeightCarry): string {
  if (c.kept.length === 0) return 'no layer keeps its trained weights: every layer starts fresh';
  if (c.fresh.length === 0) return `trained weights kept for all ${layers(c.kept.length)}`;
  const fresh = c.fresh.map((f) => f.name);
  return `trained weights kept for ${layers(c.kept.length)}; ${nameList(fresh)} start${fresh.length === 1 ? 's' : ''} fresh`;
}

/**
 * The mark on a result computed for an earlier version of the design: what changed since, and the button that brings
 * it up to date. The result itself stays visible beneath, dimmed (`.stale-result`).
 */
export function StaleBanner({ testid, children, action, onAction, disabled, actionTitle, sticky }: {
  testid: string;
  /** Stays in view at the top of the scrolling panel (the panel-wide marks; a section's own mark scrolls with it). */
  sticky?: boolean;
  children: ReactNode;
  action?: string;
  onAction?(): void;
  disabled?: boolean;
  actionTitle?: string;
}) {
  return (
    <div className={`stale-banner${sticky ? ' sticky' : ''}`} role="status" data-testid={testid}>
      <span className="stale-tag">stale</span>
      <span className="stale-text">{children}</span>
      {action && onAction && (
        <button type="button" className="btn small stale-action" onClick={onAction} disabled={disabled} title={actionTitle} data-testid={`${testid}-action`}>
          {action}
        </button>
      )}
    </div>
  );
}
