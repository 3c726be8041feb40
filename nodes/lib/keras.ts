import type * as tfjs from '@tensorflow/tfjs';
import type { SymbolicTensor } from './define';

/**
 * Small helpers shared by the kinds' `build`, `toKeras` and `fromKeras`.
 * On disk Keras/tfjs configs are snake_case (`pool_size`, `data_format: 'channels_last'`); in memory params are camelCase.
 */

/** Applies a tfjs layer to one or more symbolic tensors. */
export const applyLayer = (layer: tfjs.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor =>
  layer.apply(x) as SymbolicTensor;

/** Throws unless the config is channels-last (the only layout Convas models). */
export function requireChannelsLast(c: Record<string, unknown>, cls: string): void {
  const f = c.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last' && f !== 'channelsLast') {
    throw new Error(`${cls} data_format "${String(f)}" is not supported; Convas models are channels_last`);
  }
}

/** Keras writes 1-D sizes as `[n]`; our 1-D params are plain numbers. Other values pass through for the schema to judge. */
export function unwrap1(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/** `null` in a Keras config means "use the default": map it to `undefined`, which the importer drops. */
export const orDefault = (v: unknown): unknown => (v === null ? undefined : v);

/** Keras' `padding` for convolutions; `causal` is refused because tfjs 4.22 cannot build it. */
export function convPadding(v: unknown, cls: string): unknown {
  if (v === 'causal') throw new Error(`${cls} padding "causal" is not supported (tfjs 4.22 cannot build it); use "same" or "valid"`);
  return v;
}
