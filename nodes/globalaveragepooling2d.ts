import { globalPooling } from './lib/pool';

export const globalAveragePooling2d = globalPooling('GlobalAveragePooling2D');
