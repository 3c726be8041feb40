import { z } from 'zod';
import { fmtShape } from './define';

export const posInt = z.number().int().min(1);

/** A Keras size pair: a number `n` means `[n, n]`. */
export const pair = (d: number) =>
  z
    .union([posInt, z.tuple([posInt, posInt])])
    .default(d)
    .transform((v): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]));

export const padding = z.enum(['valid', 'same']).default('valid');

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const activation = (d: ActivationName = 'linear') => z.enum(ACTIVATIONS).default(d);

/** `[3,3]` → `3×3`. */
export const fmtPair = (p: readonly [number, number]): string => fmtShape(p);
