import type { ProjectFileV1 } from '../graph/types';

/** What the presets menu shows (the shape of `presets/index.ts`' `PresetInfo`). */
export interface PresetInfo {
  id: string;
  name: string;
  description: string;
  dataset?: string;
  expected: { params: number; trainableParams: number; nonTrainableParams: number; macs: number };
}

interface PresetModule {
  presetList: PresetInfo[];
  getPreset(id: string): ProjectFileV1 | undefined;
}

// Bridge until presets/index.ts is in git: an eager glob is empty (not a type error) while the file is missing.
const mod = Object.values(import.meta.glob<PresetModule>('../../presets/index.ts', { eager: true }))[0];

export const presetList: PresetInfo[] = mod?.presetList ?? [];
export const getPreset = (id: string): ProjectFileV1 | undefined => mod?.getPreset(id);
