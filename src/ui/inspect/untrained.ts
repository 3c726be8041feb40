import type { Graph } from '../../graph/types';
import type { WeightSnapshot } from '../../train/weights';

/**
 * The random initial weights the Inspect panel drew for a graph (by document identity), so that exporting an
 * untrained model saves the very model the user has been looking at rather than a new random draw.
 */
export const untrainedWeights = new WeakMap<Graph, WeightSnapshot>();
