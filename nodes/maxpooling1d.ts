import { pooling1d } from './lib/pool';

export const maxPooling1d = pooling1d('MaxPooling1D');
