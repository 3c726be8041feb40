import type { InferResult, Shape } from './define';
import { fmtShape } from './define';

/**
 * Keras' elementwise-merge rule (Add, Multiply, …): equal ranks, and each dimension equal or 1 on one side.
 */
export function broadcastShapes(kind: string, inputs: Shape[]): InferResult {
  const [first, ...rest] = inputs;
  const out = [...first];
  for (const s of rest) {
    const mismatch = s.length !== out.length || s.some((d, i) => d !== out[i] && d !== 1 && out[i] !== 1);
    if (mismatch) {
      return {
        error: {
          code: 'shape-mismatch',
          message: `${kind} needs inputs of the same shape, got ${inputs.map(fmtShape).join(' and ')}`,
        },
      };
    }
    s.forEach((d, i) => (out[i] = Math.max(d, out[i])));
  }
  return { shape: out };
}
