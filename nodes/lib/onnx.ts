import type { ConvParams } from './conv';
import type { Shape } from './define';
import { tfSamePads } from './pytorch';

/**
 * What a kind's `toOnnx` receives and returns, and the helpers the kinds share. The assembler (`src/export/onnx.ts`)
 * turns the plain nodes and initializers into an ONNX ModelProto (opset {@link ONNX_OPSET}); nothing here knows
 * protobuf, so `nodes/` stays free of it.
 *
 * Layout inside the ONNX graph: channels-first. A Convas shape `[h, w, c]` is the ONNX tensor `[N, c, h, w]`,
 * `[l, c]` is `[N, c, l]`, `[f]` is `[N, f]`. Every kind reads its inputs and writes its output in that layout; the
 * assembler transposes at the graph's inputs and outputs only, so the model's interface stays channels-last.
 */

/** The ONNX operator set the export targets (the default domain, `ai.onnx`). */
export const ONNX_OPSET = 13;

/** A typed ONNX attribute value (ONNX tells ints from floats; JS numbers do not). */
export type OnnxAttr = { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

export const int = (v: number): OnnxAttr => ({ int: v });
export const float = (v: number): OnnxAttr => ({ float: v });
export const ints = (v: readonly number[]): OnnxAttr => ({ ints: [...v] });
export const floats = (v: readonly number[]): OnnxAttr => ({ floats: [...v] });

/** One ONNX node: `op` of the default domain. */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
}

/** A constant tensor of the graph (weights, shapes, scalars). */
export type OnnxInitializer =
  | { name: string; dims: number[]; float32: Float32Array }
  | { name: string; dims: number[]; int64: number[] };

/** A weight as tfjs holds it: row-major values and the Keras shape (e.g. a Conv2D kernel is `[kh, kw, in, out]`). */
export interface OnnxWeight {
  shape: readonly number[];
  data: Float32Array;
}

/** One layer of a valid graph, as the ONNX assembler hands it to its kind. */
export interface OnnxContext<P = Record<string, unknown>> {
  /** Parsed params. */
  p: P;
  /** ONNX tensor names of the inputs (channels-first, see above), by slot. */
  inputs: string[];
  /** Input shapes (channels-last, no batch), by slot. */
  inShapes: Shape[];
  /** Output shape (channels-last, no batch). */
  out: Shape;
  /** The layer's weights in tfjs order (`layer.weights`: kernel, bias; BatchNorm gamma, beta, moving mean, variance). */
  weights: OnnxWeight[];
  /** The layer's name and kind, for tensor names and error messages. */
  name: string;
  kind: string;
  /** A tensor name unique in the whole graph, derived from the layer name and `hint`. */
  fresh(hint: string): string;
}

/** A kind's ONNX code: its nodes in execution order, the constants they read, and the tensor holding its output. */
export interface OnnxCode {
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  output: string;
  /** Indices of `weights` the code used; the assembler refuses weights nobody used (a stale or foreign snapshot). */
  used: number[];
}

/** The error for a layer ONNX cannot express: `Layer "conv3" (Conv2D): …`. */
export function onnxError(c: { name: string; kind: string }, message: string): Error {
  return new Error(`Layer "${c.name}" (${c.kind}): ${message}`);
}

const fmt = (s: readonly number[]) => (s.length ? s.join('×') : 'scalar');

/** `data` of `shape` with its axes reordered: output axis i is input axis `perm[i]` (row-major on both sides). */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { dims: number[]; data: Float32Array } {
  const rank = shape.length;
  const dims = perm.map((a) => shape[a]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const strides = perm.map((a) => inStrides[a]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += idx[i] * strides[i];
    out[o] = data[at];
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return { dims, data: out };
}

/** Keras kernel `[…spatial, in, out]` → ONNX Conv weight `[out, in, …spatial]` (Dense `[in, out]` too, as a 1×1 conv). */
export function convKernel(w: OnnxWeight): { dims: number[]; data: Float32Array } {
  const r = w.shape.length;
  return permute(w.data, w.shape, [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
}

/** Keras depthwise kernel `[…spatial, C, M]` → ONNX grouped Conv weight `[C·M, 1, …spatial]` (output channel c·M + m). */
export function depthwiseKernel(w: OnnxWeight): { dims: number[]; data: Float32Array } {
  const r = w.shape.length;
  const merged = [...w.shape.slice(0, -2), w.shape[r - 2] * w.shape[r - 1]];
  const p = permute(w.data, merged, [r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
  return { dims: [p.dims[0], 1, ...p.dims.slice(1)], data: p.data };
}

/** Keras Conv2DTranspose kernel `[kh, kw, out, in]` → ONNX ConvTranspose weight `[in, out, kh, kw]`. */
export function transposedKernel(w: OnnxWeight): { dims: number[]; data: Float32Array } {
  return permute(w.data, w.shape, [3, 2, 0, 1]);
}

/** ONNX axis of the tensor for channels-last index `i` (no batch) of a rank-`r` Convas shape. */
export function onnxAxis(i: number, r: number): number {
  if (r <= 1 || i === r - 1) return 1;
  return i + 2;
}

/** Transpose perm from our channels-first ONNX layout to Keras' channels-last, for a rank-`r` Convas shape (r ≥ 2). */
export const toChannelsLast = (r: number): number[] => [0, ...Array.from({ length: r - 1 }, (_, i) => i + 2), 1];
/** Transpose perm from channels-last to our channels-first ONNX layout, for a rank-`r` Convas shape (r ≥ 2). */
export const toChannelsFirst = (r: number): number[] => [0, r, ...Array.from({ length: r - 1 }, (_, i) => i + 1)];

/**
 * ONNX `pads` (all begins, then all ends) for TF 'same' windows over `spatial`: explicit and possibly asymmetric
 * (TF puts the odd extra cell after), never `auto_pad`, whose SAME_UPPER runtimes implement unevenly.
 */
export function samePads(spatial: readonly number[], k: readonly number[], s: readonly number[], d?: readonly number[]): number[] {
  const pads = spatial.map((n, i) => tfSamePads(n, k[i], s[i], d?.[i] ?? 1));
  return [...pads.map(([a]) => a), ...pads.map(([, b]) => b)];
}

/**
 * Collects one layer's nodes and constants: `op` appends a node and returns its output name, `weight(i, shape)`
 * hands out the layer's i-th tfjs weight after checking its shape, `done(x)` closes with `x` as the layer's output.
 */
export class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<number>();

  constructor(readonly c: OnnxContext<unknown>) {}

  /** Appends `op` reading `inputs`; returns the name of its (only) output. */
  op(op: string, inputs: string[], attrs?: Record<string, OnnxAttr>, hint = op.toLowerCase()): string {
    const out = this.c.fresh(hint);
    this.nodes.push({ op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  }

  /** A float constant. */
  const(hint: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const name = this.c.fresh(hint);
    this.initializers.push({ name, dims: [...dims], float32: data instanceof Float32Array ? data : Float32Array.from(data) });
    return name;
  }

  /** An int64 constant (shapes, pads). */
  int64(hint: string, values: readonly number[]): string {
    const name = this.c.fresh(hint);
    this.initializers.push({ name, dims: [values.length], int64: [...values] });
    return name;
  }

  /** The layer's tfjs weight `i`, which must have `shape`; a missing or misshapen weight is a named error. */
  weight(i: number, shape: readonly number[]): OnnxWeight {
    const w = this.c.weights[i];
    if (!w) throw onnxError(this.c, `weight #${i} (${fmt(shape)}) is missing: ${this.c.weights.length} weights given`);
    if (w.shape.length !== shape.length || w.shape.some((d, j) => d !== shape[j])) {
      throw onnxError(this.c, `weight #${i} is ${fmt(w.shape)}, the layer needs ${fmt(shape)}`);
    }
    if (w.data.length !== shape.reduce((a, b) => a * b, 1)) throw onnxError(this.c, `weight #${i} has ${w.data.length} values for shape ${fmt(shape)}`);
    this.used.add(i);
    return w;
  }

  /** A weight as an initializer, rearranged by `layout` (default: as is). */
  weightConst(hint: string, i: number, shape: readonly number[], layout?: (w: OnnxWeight) => { dims: number[]; data: Float32Array }): string {
    const w = this.weight(i, shape);
    const t = layout ? layout(w) : { dims: [...w.shape], data: w.data };
    return this.const(hint, t.dims, t.data);
  }

  /** Applies Keras activation `name` (a layer's own or a conv/dense layer's fused one) to `x`. */
  activation(x: string, name: unknown): string {
    switch (String(name ?? 'linear')) {
      case 'linear':
        return x;
      case 'relu':
        return this.op('Relu', [x]);
      case 'relu6':
        return this.op('Clip', [x, this.const('zero', [], [0]), this.const('six', [], [6])], undefined, 'relu6');
      case 'elu':
        return this.op('Elu', [x], { alpha: float(1) });
      case 'selu':
        // Keras' constants (ONNX's defaults round them the same way in float32; stated for clarity).
        return this.op('Selu', [x], { alpha: float(1.6732632423543772), gamma: float(1.0507009873554805) });
      case 'gelu': {
        // Keras/tfjs 'gelu' is the exact one: x · ½(1 + erf(x/√2)). ONNX has a Gelu op only from opset 20.
        const e = this.op('Erf', [this.op('Div', [x, this.const('sqrt2', [], [Math.SQRT2])], undefined, 'gelu_div')]);
        const half = this.op('Mul', [this.op('Add', [e, this.const('one', [], [1])], undefined, 'gelu_add'), this.const('half', [], [0.5])], undefined, 'gelu_mul');
        return this.op('Mul', [x, half], undefined, 'gelu');
      }
      case 'swish':
        return this.op('Mul', [x, this.op('Sigmoid', [x])], undefined, 'swish');
      case 'sigmoid':
        return this.op('Sigmoid', [x]);
      case 'tanh':
        return this.op('Tanh', [x]);
      case 'softmax':
        // Keras' softmax runs over the last (channel) axis, which is axis 1 in this layout for every rank.
        return this.op('Softmax', [x], { axis: int(1) });
      default:
        throw onnxError(this.c, `activation ${String(name)} has no ONNX mapping`);
    }
  }

  /** The layer's code, with `output` as its result. */
  done(output: string): OnnxCode {
    return { nodes: this.nodes, initializers: this.initializers, output, used: [...this.used].sort((a, b) => a - b) };
  }
}

/** A builder for one layer's code. */
export const onnxBuilder = (c: OnnxContext<unknown>): OnnxBuilder => new OnnxBuilder(c);

/* ---- Shared by several kinds ---- */

type Size = number | readonly number[];
const sizes = (v: Size | undefined, n: number, d = 1): number[] => (v === undefined ? new Array<number>(n).fill(d) : typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);

/** Conv1D/Conv2D (`dense`), DepthwiseConv2D (`depthwise`: group = C) and SeparableConv2D (depthwise then 1×1). */
export function convToOnnx(c: OnnxContext<ConvParams>, layout: 'dense' | 'depthwise' | 'separable'): OnnxCode {
  const b = onnxBuilder(c);
  const { p } = c;
  const x = c.inShapes[0];
  const spatial = x.slice(0, -1);
  const cin = x[x.length - 1];
  const n = spatial.length;
  const k = sizes(p.kernelSize, n);
  const s = sizes(p.strides, n);
  const d = sizes(p.dilationRate, n);
  const geom = {
    kernel_shape: ints(k),
    strides: ints(s),
    dilations: ints(d),
    pads: ints(p.padding === 'same' ? samePads(spatial, k, s, d) : new Array<number>(2 * n).fill(0)),
  };
  const cout = c.out[c.out.length - 1];
  let y: string;
  if (layout === 'dense') {
    const w = b.weightConst('kernel', 0, [...k, cin, cout], convKernel);
    const bias = p.useBias ? [b.weightConst('bias', 1, [cout])] : [];
    y = b.op('Conv', [c.inputs[0], w, ...bias], { ...geom, group: int(1) }, 'conv');
  } else if (layout === 'depthwise') {
    const m = p.depthMultiplier ?? 1;
    const w = b.weightConst('kernel', 0, [...k, cin, m], depthwiseKernel);
    const bias = p.useBias ? [b.weightConst('bias', 1, [cin * m])] : [];
    y = b.op('Conv', [c.inputs[0], w, ...bias], { ...geom, group: int(cin) }, 'conv');
  } else {
    const m = p.depthMultiplier ?? 1;
    const dw = b.weightConst('depthwise_kernel', 0, [...k, cin, m], depthwiseKernel);
    const mid = b.op('Conv', [c.inputs[0], dw], { ...geom, group: int(cin) }, 'depthwise');
    const pw = b.weightConst('pointwise_kernel', 1, [...new Array<number>(n).fill(1), cin * m, cout], convKernel);
    const bias = p.useBias ? [b.weightConst('bias', 2, [cout])] : [];
    y = b.op('Conv', [mid, pw, ...bias], { kernel_shape: ints(new Array<number>(n).fill(1)), group: int(1) }, 'pointwise');
  }
  return b.done(b.activation(y, p.activation));
}

/** Max/average pooling over 1 or 2 spatial axes; TF 'same' as explicit pads, padded cells not counted in averages. */
export function poolToOnnx(c: OnnxContext<unknown>, max: boolean, k: number[], s: number[], same: boolean): OnnxCode {
  const b = onnxBuilder(c);
  const spatial = c.inShapes[0].slice(0, -1);
  const pads = same ? samePads(spatial, k, s) : new Array<number>(2 * k.length).fill(0);
  const attrs: Record<string, OnnxAttr> = { kernel_shape: ints(k), strides: ints(s), pads: ints(pads) };
  // Keras averages over the window's real cells only, as count_include_pad=0 does (ONNX's default, stated).
  if (!max) attrs.count_include_pad = int(0);
  return b.done(b.op(max ? 'MaxPool' : 'AveragePool', [c.inputs[0]], attrs, max ? 'maxpool' : 'avgpool'));
}

/** A unary op of the input (Identity for inference-time no-ops). */
export const onnxUnary = (c: OnnxContext<unknown>, op: string, attrs?: Record<string, OnnxAttr>): OnnxCode => {
  const b = onnxBuilder(c);
  return b.done(b.op(op, [c.inputs[0]], attrs));
};

/**
 * Dropout as ONNX's Dropout without a `training_mode` input: the identity at inference, with its ratio kept, so that a
 * reader (Convas' import among them) gets the layer back.
 */
export const onnxDropout = (c: OnnxContext<unknown>, rate: number): OnnxCode => {
  const b = onnxBuilder(c);
  return b.done(b.op('Dropout', [c.inputs[0], b.const('ratio', [], [rate])], undefined, 'dropout'));
};

/** Tensor names of a graph's ONNX tensors must be unique; `hint`s are joined to the layer name. */
export function nameAllocator(taken: Iterable<string> = []): (layer: string, hint: string) => string {
  const used = new Set(taken);
  return (layer, hint) => {
    const base = `${layer}/${hint}`;
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}
