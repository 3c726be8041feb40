import { create } from 'zustand';
import type { WeightSnapshot } from './weights';

export type TrainingStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'stopped' | 'failed';

/** Training state shared by the Train and Inspect panels. H5 extends this; keep these fields. */
export interface TrainingState {
  status: TrainingStatus;
  datasetId: string;
  /** Weights of the last trained model, with the graph fingerprint they belong to. */
  weights: WeightSnapshot | null;
  weightsGraphKey: string | null;
}

export const useTrainingStore = create<TrainingState>(() => ({
  status: 'idle',
  datasetId: 'mnist',
  weights: null,
  weightsGraphKey: null,
}));
