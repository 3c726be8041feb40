import { pooling2d } from './lib/pool';

export const averagePooling2d = pooling2d('AveragePooling2D');
