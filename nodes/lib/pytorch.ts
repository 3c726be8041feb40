import type { Shape } from './define';

/**
 * What a kind's `toPyTorch` receives and returns, and the helpers the kinds share. The assembler
 * (`src/export/pytorch-script.ts`) writes the module around the lines: tensors are channels-first (N, C, H, W).
 */

/** One layer of a valid graph, as the PyTorch assembler hands it to its kind. */
export interface PyTorchContext<P = Record<string, unknown>> {
  /** Parsed params. */
  p: P;
  /** Python variable names of the inputs, by slot. */
  inputs: string[];
  /** Input shapes (channels-last, no batch), by slot. */
  inShapes: Shape[];
  /** Output shape (channels-last, no batch). */
  out: Shape;
  /** Python variable name of this layer's output (and of its module attribute, `self.<v>`). */
  v: string;
  /** `self.<v>`: the module attribute to declare in `__init__`. */
  self: string;
  /** The layer's name, for error messages. */
  name: string;
}

/** Helper definitions the script writes once when some layer needs them (in this order). */
export const PYTORCH_HELPERS = {
  layout: [
    '',
    'def to_last(x):',
    '    """(N, C, ...) -> (N, ..., C): the Keras layout."""',
    '    return x if x.dim() <= 2 else x.movedim(1, -1)',
    '',
    '',
    'def to_first(x):',
    '    """(N, ..., C) -> (N, C, ...)."""',
    '    return x if x.dim() <= 2 else x.movedim(-1, 1)',
    '',
  ],
  'avgpool-same': [
    '',
    'class AvgPoolSame(nn.Module):',
    '    """Keras average pooling with padding=\'same\': padded cells do not count in the average."""',
    '',
    '    def __init__(self, pad, pool):',
    '        super().__init__()',
    '        self.pad, self.pool = pad, pool',
    '',
    '    def forward(self, x):',
    '        ones = torch.ones_like(x[:, :1])',
    '        return self.pool(self.pad(x)) / self.pool(self.pad(ones))',
    '',
  ],
} as const;

export type PyTorchHelper = keyof typeof PYTORCH_HELPERS;

/**
 * How one of a layer's Keras/tfjs weights becomes a PyTorch state-dict entry. `from` indexes the layer's weights in
 * tfjs order (`layer.weights`); `layout` says how the array is rearranged:
 * - `copy`: as is (biases, BatchNorm vectors);
 * - `kernel`: a conv kernel (…spatial, in, out) → (out, in, …spatial); also Dense's (in, out) → (out, in) and a
 *   Conv2DTranspose kernel (kh, kw, out, in) → (in, out, kh, kw), PyTorch's ConvTranspose2d layout;
 * - `depthwise`: (…spatial, in, multiplier) → (in · multiplier, 1, …spatial), PyTorch's grouped conv.
 */
export interface PyTorchWeight {
  key: string;
  from: number;
  layout: 'copy' | 'kernel' | 'depthwise';
}

/**
 * A kind's PyTorch code: lines of `__init__` (module attributes) and of `forward`, the helpers they use, and where each
 * of its weights goes in the module's state dict (every parameter and running statistic the `init` lines declare).
 */
export interface PyTorchCode {
  init: string[];
  forward: string[];
  helpers?: PyTorchHelper[];
  weights?: PyTorchWeight[];
}

/** A JS value as a Python literal: arrays become tuples, `null` None, booleans True/False. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : v < 0 ? "float('-inf')" : "float('nan')";
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`)
      .join(', ')}}`;
  }
  throw new Error(`cannot write ${typeof v} as a Python literal`);
}

export type Pads = [before: number, after: number];

/** TensorFlow's 'same' padding for one axis: output ceil(n/s); the odd extra row or column goes after (bottom/right). */
export function tfSamePads(n: number, k: number, s: number, d = 1): Pads {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

const ACT: Record<string, (e: string) => string> = {
  linear: (e) => e,
  relu: (e) => `F.relu(${e})`,
  relu6: (e) => `F.relu6(${e})`,
  elu: (e) => `F.elu(${e})`,
  selu: (e) => `F.selu(${e})`,
  gelu: (e) => `F.gelu(${e})`,
  swish: (e) => `F.silu(${e})`,
  sigmoid: (e) => `torch.sigmoid(${e})`,
  tanh: (e) => `torch.tanh(${e})`,
  softmax: (e) => `F.softmax(${e}, dim=1)`, // Keras' softmax runs over the last (channel) axis, dim 1 in NCHW
};

/** The PyTorch expression applying activation `name` to `e`; throws naming `layer` for one PyTorch lacks. */
export function torchActivation(name: unknown, e: string, layer: string): string {
  const f = ACT[String(name ?? 'linear')];
  if (!f) throw new Error(`layer "${layer}": activation ${String(name)} has no PyTorch equivalent here`);
  return f(e);
}

/** Padding modules for 'same' windows; PyTorch's own padding='same' refuses stride > 1 and pads differently for even kernels. */
export function samePadding(
  spatial: readonly number[],
  k: readonly number[],
  s: readonly number[],
  d: readonly number[],
  value: 'zero' | '-inf',
): { pads: Pads[]; module?: string } {
  const pads = spatial.map((n, i) => tfSamePads(n, k[i], s[i], d[i]));
  if (pads.every(([a, b]) => a === 0 && b === 0)) return { pads };
  // nn.*PadNd takes (left, right) for 1-D, (left, right, top, bottom) for 2-D: last axis first.
  const order = [...pads].reverse().flat();
  const dims = spatial.length;
  const fill = value === 'zero' ? '0.0' : "float('-inf')";
  return { pads, module: `nn.ConstantPad${dims}d(${py(order)}, ${fill})` };
}

/** A module applied to the single input: `self.v = <module>`, `v = self.v(x)`. */
export const torchModule = (c: PyTorchContext<unknown>, module: string): PyTorchCode => ({
  init: [`${c.self} = ${module}`],
  forward: [`${c.v} = ${c.self}(${c.inputs[0]})`],
});

/** A pure expression of the inputs, no module: `v = <expr>`. */
export const torchExpr = (c: PyTorchContext<unknown>, expr: string, helpers?: PyTorchHelper[]): PyTorchCode => ({
  init: [],
  forward: [`${c.v} = ${expr}`],
  ...(helpers ? { helpers } : {}),
});
