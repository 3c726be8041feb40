import type { DataPanel as DataPanelImpl } from '../data/DataPanel';
import type { InspectPanel as InspectPanelImpl } from '../inspect/InspectPanel';
import type { TrainPanel as TrainPanelImpl } from '../train/TrainPanel';
import { lazyPart } from './Loading';

/*
 * The side-panel tabs that the editor's first screen does not show (Data, Train, Inspect), with their charts
 * (recharts) and analysis code, as chunks fetched when a tab is first opened. Same names and props as the real
 * panels; only type imports of them here, so their code stays out of the entry chunk (scripts/first-load-budget.mjs).
 */

export const DataPanel = lazyPart<Parameters<typeof DataPanelImpl>[0]>(
  () => import('../data/DataPanel').then((m) => m.DataPanel),
  'the Data panel',
  'Loading datasets…',
  'loading-data',
);

export const TrainPanel = lazyPart<Parameters<typeof TrainPanelImpl>[0]>(
  () => import('../train/TrainPanel').then((m) => m.TrainPanel),
  'the Train panel',
  'Loading training and charts…',
  'loading-train',
);

export const InspectPanel = lazyPart<Parameters<typeof InspectPanelImpl>[0]>(
  () => import('../inspect/InspectPanel').then((m) => m.InspectPanel),
  'the Inspect panel',
  'Loading inspection…',
  'loading-inspect',
);

export const RunsPanel = lazyPart<Record<string, never>>(
  () => import('../runs/RunsPanel').then((m) => m.RunsPanel),
  'the Runs panel',
  'Loading the kept runs…',
  'loading-runs',
);
