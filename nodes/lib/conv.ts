import type { LayerError } from './define';

/** Keras' conv_utils.conv_output_length: `same` = ceil(in/s), `valid` = floor((in − dilated_k)/s) + 1. */
export function convOutputLength(input: number, kernel: number, stride: number, padding: 'same' | 'valid', dilation = 1): number {
  const dk = kernel + (kernel - 1) * (dilation - 1);
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - dk) / stride) + 1;
}

/** Keras' deconv_output_length for Conv2DTranspose without output_padding. */
export function deconvOutputLength(input: number, kernel: number, stride: number, padding: 'same' | 'valid', dilation = 1): number {
  const dk = kernel + (kernel - 1) * (dilation - 1);
  return padding === 'same' ? input * stride : input * stride + Math.max(dk - stride, 0);
}

/**
 * Output spatial size of a windowed op over `spatial`, or the error to show when the (dilated) window
 * does not fit the input with `valid` padding.
 */
export function windowOutput(
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  padding: 'same' | 'valid',
  dilation: readonly number[] = kernel.map(() => 1),
  what = 'kernel',
): { dims: number[] } | { error: LayerError } {
  const dims: number[] = [];
  for (let i = 0; i < spatial.length; i++) {
    const out = convOutputLength(spatial[i], kernel[i], strides[i], padding, dilation[i]);
    if (out < 1) {
      const dk = kernel.map((k, j) => k + (k - 1) * (dilation[j] - 1));
      const dil = dilation.some((d) => d > 1) ? ` (dilated to ${dk.join('×')})` : '';
      return {
        error: {
          code: 'kernel-too-large',
          message: `${what} ${kernel.join('×')}${dil} is larger than the ${spatial.join('×')} input (padding ${padding})`,
          param: what === 'kernel' ? 'kernelSize' : 'poolSize',
        },
      };
    }
    dims.push(out);
  }
  return { dims };
}

export function rankError(kind: string, expected: string, got: readonly number[]): { error: LayerError } {
  return {
    error: {
      code: 'rank-mismatch',
      message: `${kind} expects ${expected}, got shape ${got.length ? got.join('×') : '(scalar)'} (rank ${got.length})`,
    },
  };
}
