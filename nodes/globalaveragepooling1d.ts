import { globalPooling } from './lib/pool';

export const globalAveragePooling1d = globalPooling('GlobalAveragePooling1D');
