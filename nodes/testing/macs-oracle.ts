import { product, type LayerKind, type Shape } from '../lib/define';

/**
 * Test support (never imported by the app). MACs read off a built tfjs layer's weight shapes and its input/output
 * shapes, with the formula chosen by the kind's capability (`spatialFilters.layout`, `denseKernel`), never by its
 * class name and never by calling the kind's own `macs`: the conformance grid and the compile oracle compare the two.
 * `weights` are the layer's weight shapes in tfjs' order (kernel first; separable: depthwise then pointwise).
 */
export function macsFromWeights(kind: Pick<LayerKind, 'spatialFilters' | 'denseKernel'>, weights: readonly Shape[], input: Shape, out: Shape): number {
  const k = weights[0];
  const layout = kind.spatialFilters?.layout ?? (kind.denseKernel ? 'dense' : undefined);
  const dims = kind.spatialFilters?.dims ?? 0;
  switch (layout) {
    case 'dense': // kernel [...k, cin, cout]: every output value takes prod(k)·cin multiply-accumulates
      return product(out) * (product(k) / k[k.length - 1]);
    case 'depthwise': // [...k, cin, multiplier]: prod(k) per output value
      return product(out) * product(k.slice(0, dims));
    case 'separable': // depthwise [...k, cin, m] per output pixel, then pointwise [1…, cin·m, cout] per output value
      return product(out.slice(0, -1)) * product(k) + product(out) * weights[1][dims];
    case 'transposed': // [...k, cout, cin]: every input pixel scatters a prod(k)·cout patch per input channel
      return product(input.slice(0, -1)) * product(k);
    default:
      return 0;
  }
}
