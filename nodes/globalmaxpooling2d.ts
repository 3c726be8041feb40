import { globalPooling } from './lib/pool';

export const globalMaxPooling2d = globalPooling('GlobalMaxPooling2D');
