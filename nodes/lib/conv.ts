import { fmtShape, product, type LayerError } from './define';
import { convPadding, requireChannelsLast, unwrap1 } from './keras';
import { py, samePadding, torchActivation, type PyTorchCode, type PyTorchContext, type PyTorchWeight } from './pytorch';

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
      const dil = dilation.some((d) => d > 1) ? ` (dilated to ${fmtShape(dk)})` : '';
      return {
        error: {
          code: 'kernel-too-large',
          message: `${what} ${fmtShape(kernel)}${dil} is larger than the ${fmtShape(spatial)} input (padding ${padding})`,
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
      message: `${kind} expects ${expected}, got shape ${got.length ? fmtShape(got) : '(scalar)'} (rank ${got.length})`,
    },
  };
}

/* ---- Shared by the conv kinds (conv1d, conv2d, depthwiseconv2d, separableconv2d, conv2dtranspose) ---- */

type Size = number | readonly number[];

/** The params the conv kinds have in common (each kind has a subset of the optional ones). */
export interface ConvParams {
  filters?: number;
  kernelSize: Size;
  strides: Size;
  padding: 'same' | 'valid';
  dilationRate?: Size;
  depthMultiplier?: number;
  activation: string;
  useBias: boolean;
}

const anyAbove1 = (v: Size | undefined) => (typeof v === 'number' ? v > 1 : (v ?? []).some((d) => d > 1));
const sizes = (v: Size): number[] => (typeof v === 'number' ? [v] : [...v]);

/** `s2`, or `s2×1` when the strides differ. */
export const fmtStrides = (s: Size): string => {
  const a = sizes(s);
  return a.every((d) => d === a[0]) ? `s${a[0]}` : `s${fmtShape(a)}`;
};

/** ` relu`, or nothing for `linear`: the end of a summary. */
export const fmtActivation = (a: string): string => (a === 'linear' ? '' : ` ${a}`);

/** The summary's tail: ` d2` when dilated, then ` same`/` valid`, then the activation unless linear. */
export const convSummaryTail = (p: ConvParams): string =>
  `${anyAbove1(p.dilationRate) ? ` d${sizes(p.dilationRate!)[0]}` : ''} ${p.padding}${fmtActivation(p.activation)}`;

/** Keras/tfjs only fail when the model runs; we refuse up front. */
export function stridesDilationError(p: ConvParams): { error: LayerError } | undefined {
  if (anyAbove1(p.strides) && anyAbove1(p.dilationRate)) {
    return { error: { code: 'strides-and-dilation', message: 'strides > 1 cannot be combined with dilation > 1', param: 'dilationRate' } };
  }
  return undefined;
}

/** Bias add and (non-linear) activation: one op each per output value. Also Dense's. */
export const biasActivationElementwise = (out: readonly number[], p: { useBias: boolean; activation: string }): number =>
  product(out) * ((p.useBias ? 1 : 0) + (p.activation === 'linear' ? 0 : 1));

/** The tfjs layer args: our params are tfjs' own camelCase names (arrays copied: tfjs may rewrite them). */
export function tfConvArgs<P extends ConvParams>(p: P, name: string): P & { name: string } {
  const copy = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
  return { ...(copy as P), name };
}

/** The Keras config of a conv kind, in Keras' field order; 1-D sizes are written `[n]`. */
export function convToKeras(p: ConvParams, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(p.filters !== undefined ? { filters: p.filters } : {}),
    kernel_size: sizes(p.kernelSize),
    strides: sizes(p.strides),
    padding: p.padding,
    data_format: 'channels_last',
    ...(p.depthMultiplier !== undefined ? { depth_multiplier: p.depthMultiplier } : {}),
    dilation_rate: p.dilationRate !== undefined ? sizes(p.dilationRate) : [1, 1],
    ...extra,
    activation: p.activation,
    use_bias: p.useBias,
  };
}

const CONV_FIELDS: Record<keyof ConvParams, string> = {
  filters: 'filters',
  kernelSize: 'kernel_size',
  strides: 'strides',
  padding: 'padding',
  dilationRate: 'dilation_rate',
  depthMultiplier: 'depth_multiplier',
  activation: 'activation',
  useBias: 'use_bias',
};

/**
 * The params of a conv kind from a Keras config: only the fields `params` has (the importer stores what this returns),
 * `kerasDefaults` filling fields Keras defaults differently from our palette (a Keras conv without `activation` is
 * linear). Refuses channels-first and `causal` padding; `refuse` adds the kind's own refusals.
 */
export function convFromKeras(
  c: Record<string, unknown>,
  cls: string,
  params: { shape: Record<string, unknown> },
  opts: { dims: 1 | 2; kerasDefaults?: Partial<Record<keyof ConvParams, unknown>>; refuse?: (c: Record<string, unknown>) => void },
): Record<string, unknown> {
  requireChannelsLast(c, cls);
  opts.refuse?.(c);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(params.shape) as Array<keyof ConvParams>) {
    let v = c[CONV_FIELDS[key]] ?? opts.kerasDefaults?.[key];
    if (key === 'padding') v = convPadding(v, cls);
    else if (opts.dims === 1 && (key === 'kernelSize' || key === 'strides' || key === 'dilationRate')) v = unwrap1(v);
    out[key] = v;
  }
  return out;
}

/**
 * PyTorch for Conv1D/Conv2D/DepthwiseConv2D/SeparableConv2D (`layout` from the kind's `spatialFilters`): TF 'same'
 * padding as a symmetric `padding=` when it is, else an explicit pad module; separable as depthwise then 1×1.
 */
export function convToPyTorch(c: PyTorchContext<ConvParams>, layout: 'dense' | 'depthwise' | 'separable'): PyTorchCode {
  const { p, self, v } = c;
  const inShape = c.inShapes[0];
  const two = inShape.length === 3;
  const spatial = inShape.slice(0, -1);
  const cin = inShape[inShape.length - 1];
  const k = sizes(p.kernelSize);
  const s = sizes(p.strides);
  const d = p.dilationRate !== undefined ? sizes(p.dilationRate) : spatial.map(() => 1);
  const init: string[] = [];
  const fwd: string[] = [];
  let input = c.inputs[0];
  let padArg = '';
  if (p.padding === 'same') {
    const { pads, module } = samePadding(spatial, k, s, d, 'zero');
    if (pads.every(([a, b]) => a === b)) {
      if (pads.some(([a]) => a > 0)) padArg = `, padding=${py(pads.map(([a]) => a))}`;
    } else {
      init.push(`${self}_pad = ${module}  # TF 'same': the extra row/column goes after`);
      fwd.push(`${v} = ${self}_pad(${input})`);
      input = v;
    }
  }
  const conv = two ? 'nn.Conv2d' : 'nn.Conv1d';
  const geom = `kernel_size=${py(k)}, stride=${py(s)}${padArg}${d.some((q) => q > 1) ? `, dilation=${py(d)}` : ''}`;
  const bias = `bias=${py(p.useBias)}`;
  // tfjs weight order: [kernel, bias] and, separable, [depthwise kernel, pointwise kernel, bias].
  const weights: PyTorchWeight[] = [];
  if (layout === 'separable') {
    const mid = cin * p.depthMultiplier!;
    init.push(`${self}_depthwise = ${conv}(${cin}, ${mid}, ${geom}, groups=${cin}, bias=False)`);
    init.push(`${self}_pointwise = ${conv}(${mid}, ${p.filters!}, kernel_size=1, ${bias})`);
    fwd.push(`${v} = ${torchActivation(p.activation, `${self}_pointwise(${self}_depthwise(${input}))`, c.name)}`);
    weights.push({ key: `${v}_depthwise.weight`, from: 0, layout: 'depthwise' }, { key: `${v}_pointwise.weight`, from: 1, layout: 'kernel' });
    if (p.useBias) weights.push({ key: `${v}_pointwise.bias`, from: 2, layout: 'copy' });
    return { init, forward: fwd, weights };
  }
  if (layout === 'depthwise') {
    init.push(`${self} = ${conv}(${cin}, ${cin * p.depthMultiplier!}, ${geom}, groups=${cin}, ${bias})`);
  } else {
    init.push(`${self} = ${conv}(${cin}, ${p.filters!}, ${geom}, ${bias})`);
  }
  fwd.push(`${v} = ${torchActivation(p.activation, `${self}(${input})`, c.name)}`);
  weights.push({ key: `${v}.weight`, from: 0, layout: layout === 'depthwise' ? 'depthwise' : 'kernel' });
  if (p.useBias) weights.push({ key: `${v}.bias`, from: 1, layout: 'copy' });
  return { init, forward: fwd, weights };
}
