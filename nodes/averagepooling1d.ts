import { pooling1d } from './lib/pool';

export const averagePooling1d = pooling1d('AveragePooling1D');
