import { pooling2d } from './lib/pool';

export const maxPooling2d = pooling2d('MaxPooling2D');
