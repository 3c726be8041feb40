import { globalPooling } from './lib/pool';

export const globalMaxPooling1d = globalPooling('GlobalMaxPooling1D');
