import type { ProjectFileV1 } from '../graph/types';
import { headLoss, layerTable, py, pyComment, scriptModel, type ScriptLayer, type ScriptModel } from './python';

type Pads = [before: number, after: number];

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

function act(name: unknown, e: string, layer: string): string {
  const f = ACT[String(name ?? 'linear')];
  if (!f) throw new Error(`layer "${layer}": activation ${String(name)} has no PyTorch equivalent here`);
  return f(e);
}

const pair = (v: unknown): [number, number] => {
  const a = v as readonly number[];
  return [a[0], a[1]];
};

interface Emitted {
  init: string[];
  forward: string[];
  helpers?: Array<'avgpool-same' | 'layout'>;
}

/** Padding modules for 'same' windows; PyTorch's own padding='same' refuses stride > 1 and pads differently for even kernels. */
function samePadding(
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

function emitLayer(l: ScriptLayer): Emitted {
  const p = l.inf.params;
  const x = l.inputs;
  const inShape = l.inf.inputShapes[0] ?? [];
  const out = l.inf.outputShape;
  const v = l.v;
  const self = `self.${v}`;
  const name = l.node.name;
  switch (l.node.kind) {
    case 'Input':
      return { init: [], forward: [] };
    case 'Conv2D':
    case 'Conv1D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const two = l.node.kind !== 'Conv1D';
      const spatial = inShape.slice(0, -1);
      const cin = inShape[inShape.length - 1];
      const k = two ? pair(p.kernelSize) : [p.kernelSize as number];
      const s = two ? pair(p.strides) : [p.strides as number];
      const d = 'dilationRate' in p ? (two ? pair(p.dilationRate) : [p.dilationRate as number]) : spatial.map(() => 1);
      const init: string[] = [];
      const fwd: string[] = [];
      let input = x[0];
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
      if (l.node.kind === 'SeparableConv2D') {
        const mid = cin * (p.depthMultiplier as number);
        init.push(`${self}_depthwise = ${conv}(${cin}, ${mid}, ${geom}, groups=${cin}, bias=False)`);
        init.push(`${self}_pointwise = ${conv}(${mid}, ${p.filters as number}, kernel_size=1, ${bias})`);
        fwd.push(`${v} = ${act(p.activation, `${self}_pointwise(${self}_depthwise(${input}))`, name)}`);
      } else if (l.node.kind === 'DepthwiseConv2D') {
        init.push(`${self} = ${conv}(${cin}, ${cin * (p.depthMultiplier as number)}, ${geom}, groups=${cin}, ${bias})`);
        fwd.push(`${v} = ${act(p.activation, `${self}(${input})`, name)}`);
      } else {
        init.push(`${self} = ${conv}(${cin}, ${p.filters as number}, ${geom}, ${bias})`);
        fwd.push(`${v} = ${act(p.activation, `${self}(${input})`, name)}`);
      }
      return { init, forward: fwd };
    }
    case 'Conv2DTranspose': {
      const [h, w, cin] = inShape;
      const k = pair(p.kernelSize);
      const s = pair(p.strides);
      const op = [Math.max(s[0] - k[0], 0), Math.max(s[1] - k[1], 0)];
      const init = [
        `${self} = nn.ConvTranspose2d(${cin}, ${p.filters as number}, kernel_size=${py(k)}, stride=${py(s)}${op.some((q) => q > 0) ? `, output_padding=${py(op)}` : ''}, bias=${py(p.useBias)})`,
      ];
      let e = `${self}(${x[0]})`;
      if (p.padding === 'same') {
        // TF crops floor((k - s) / 2) from the start and keeps n·s; PyTorch's `padding` would crop the other way for odd k - s.
        const t = Math.floor(Math.max(k[0] - s[0], 0) / 2);
        const le = Math.floor(Math.max(k[1] - s[1], 0) / 2);
        if (Math.max(k[0] - s[0], 0) > 0 || Math.max(k[1] - s[1], 0) > 0) e = `${e}[:, :, ${t}:${t + h * s[0]}, ${le}:${le + w * s[1]}]`;
      }
      return { init, forward: [`${v} = ${act(p.activation, e, name)}`] };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const two = l.node.kind.endsWith('2D');
      const max = l.node.kind.startsWith('Max');
      const k = two ? pair(p.poolSize) : [p.poolSize as number];
      const s = two ? pair(p.strides ?? p.poolSize) : [(p.strides ?? p.poolSize) as number];
      const spatial = inShape.slice(0, -1);
      const pool = `nn.${max ? 'Max' : 'Avg'}Pool${two ? 2 : 1}d(kernel_size=${py(k)}, stride=${py(s)})`;
      if (p.padding === 'same') {
        const { module } = samePadding(spatial, k, s, [1, 1], max ? '-inf' : 'zero');
        if (module && max) {
          return { init: [`${self}_pad = ${module}`, `${self} = ${pool}`], forward: [`${v} = ${self}(${self}_pad(${x[0]}))`] };
        }
        if (module) {
          return { init: [`${self} = AvgPoolSame(${module}, ${pool})`], forward: [`${v} = ${self}(${x[0]})`], helpers: ['avgpool-same'] };
        }
      }
      return { init: [`${self} = ${pool}`], forward: [`${v} = ${self}(${x[0]})`] };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D': {
      const dims = l.node.kind.endsWith('2D') ? '(2, 3)' : '2';
      const op = l.node.kind.startsWith('GlobalMax') ? 'amax' : 'mean';
      return { init: [], forward: [`${v} = ${x[0]}.${op}(dim=${dims})`] };
    }
    case 'ZeroPadding2D': {
      const [[t, b], [le, r]] = p.padding as [[number, number], [number, number]];
      return { init: [`${self} = nn.ZeroPad2d(${py([le, r, t, b])})`], forward: [`${v} = ${self}(${x[0]})`] };
    }
    case 'BatchNormalization': {
      const rank = inShape.length;
      const axis = p.axis as number;
      if (axis !== -1 && axis !== rank) {
        throw new Error(`layer "${name}": BatchNormalization over axis ${axis} (not the channel axis) has no PyTorch BatchNorm equivalent`);
      }
      const c = inShape[rank - 1];
      const bn = rank === 3 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d';
      // Keras keeps momentum for the old value (0.99); PyTorch's momentum weighs the new batch (0.01).
      const mom = +(1 - (p.momentum as number)).toPrecision(12);
      const affine = p.center === true && p.scale === true;
      const init = [`${self} = ${bn}(${c}, eps=${p.epsilon as number}, momentum=${mom}${affine ? '' : ', affine=False'})`];
      let e = `${self}(${x[0]})`;
      const view = rank === 3 ? '.view(1, -1, 1, 1)' : rank === 2 ? '.view(1, -1, 1)' : '';
      if (!affine && p.scale === true) {
        init.push(`${self}_gamma = nn.Parameter(torch.ones(${c}))`);
        e = `${e} * ${self}_gamma${view}`;
      }
      if (!affine && p.center === true) {
        init.push(`${self}_beta = nn.Parameter(torch.zeros(${c}))`);
        e = `${e} + ${self}_beta${view}`;
      }
      return { init, forward: [`${v} = ${e}`] };
    }
    case 'Activation':
      return { init: [], forward: [`${v} = ${act(p.activation, x[0], name)}`] };
    case 'LeakyReLU':
      return { init: [], forward: [`${v} = F.leaky_relu(${x[0]}, negative_slope=${p.alpha as number})`] };
    case 'Dropout':
      return { init: [`${self} = nn.Dropout(p=${p.rate as number})`], forward: [`${v} = ${self}(${x[0]})`] };
    case 'SpatialDropout2D':
      return { init: [`${self} = nn.Dropout2d(p=${p.rate as number})`], forward: [`${v} = ${self}(${x[0]})`] };
    case 'Flatten':
      // Keras flattens H×W×C (channels last); permuting first keeps Dense weights interchangeable with Keras.
      return { init: [], forward: [`${v} = torch.flatten(to_last(${x[0]}), 1)`], helpers: ['layout'] };
    case 'Reshape':
      return { init: [], forward: [`${v} = to_first(to_last(${x[0]}).reshape(-1, ${[...out].join(', ')}))`], helpers: ['layout'] };
    case 'Dense': {
      const fin = inShape[inShape.length - 1];
      const init = [`${self} = nn.Linear(${fin}, ${p.units as number}, bias=${py(p.useBias)})`];
      if (inShape.length === 1) return { init, forward: [`${v} = ${act(p.activation, `${self}(${x[0]})`, name)}`] };
      // Keras' Dense on rank > 1 acts on the last (channel) axis.
      return { init, forward: [`${v} = ${act(p.activation, `to_first(${self}(to_last(${x[0]})))`, name)}`], helpers: ['layout'] };
    }
    case 'Add':
      return { init: [], forward: [`${v} = ${x.join(' + ')}`] };
    case 'Multiply':
      return { init: [], forward: [`${v} = ${x.join(' * ')}`] };
    case 'Concatenate': {
      const r = inShape.length;
      const a = p.axis as number;
      const i = a < 0 ? r + 1 + a : a;
      const dim = r === 1 || i === r ? 1 : i + 1;
      return { init: [], forward: [`${v} = torch.cat([${x.join(', ')}], dim=${dim})`] };
    }
    default:
      throw new Error(`layer "${name}": ${l.node.kind} has no PyTorch export yet`);
  }
}

/** The model input as PyTorch lays it out: (C, H, W), (C, L) or (F,). */
export const torchShape = (s: readonly number[]): number[] => (s.length <= 1 ? [...s] : [s[s.length - 1], ...s.slice(0, -1)]);

function dataLoader(m: ScriptModel): string[] {
  const ds = m.training.dataset;
  if (ds === 'mnist' || ds === 'fashion-mnist') {
    const cls = ds === 'mnist' ? 'MNIST' : 'FashionMNIST';
    return [
      'def load_data():',
      `    """${ds} from torchvision, as tensors in [0, 1] shaped (N, 1, 28, 28)."""`,
      '    from torchvision import datasets, transforms',
      `    train = datasets.${cls}("data", train=True, download=True, transform=transforms.ToTensor())`,
      `    test = datasets.${cls}("data", train=False, download=True, transform=transforms.ToTensor())`,
      '    return train, test',
    ];
  }
  return [
    'def load_data():',
    `    """Return (train, test) torch Datasets yielding (x, y), x shaped like the model input (channels first)."""`,
    `    raise NotImplementedError("load your ${pyComment(ds ?? 'dataset')} here")`,
  ];
}

/**
 * A PyTorch `nn.Module` equivalent to the graph (NCHW layout; TF 'same' padding reproduced exactly, BatchNorm momentum
 * converted to PyTorch's convention, Flatten in Keras' H×W×C order), with its layer table, parameter totals, a shape and
 * parameter self-check, and a training loop using the designer's settings. Throws when the graph is invalid or a layer
 * cannot be expressed.
 */
export function pytorchScript(project: ProjectFileV1, opts: { datasetId?: string } = {}): string {
  const m = scriptModel(project, opts.datasetId);
  const t = m.training;
  const emitted = m.layers.map((l) => ({ l, e: emitLayer(l) }));
  const helpers = new Set(emitted.flatMap(({ e }) => e.helpers ?? []));
  const cls = (m.name.replace(/[^A-Za-z0-9]+(.)?/g, (_s, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z]+/, '') || 'Model');
  const className = /^[A-Z]/.test(cls) ? cls : cls[0].toUpperCase() + cls.slice(1);
  const inputs = m.inputs.map((l) => l.v);
  const outputs = m.outputs.map((l) => l.v);
  const loss = headLoss(m);
  const lossPy =
    loss === 'sparse-ce' ? 'F.nll_loss(torch.log(out.clamp_min(1e-7)), y)  # the model ends in softmax'
    : loss === 'sparse-ce-logits' ? 'F.cross_entropy(out, y)'
    : loss === 'binary-ce' ? 'F.binary_cross_entropy(out.squeeze(1), y.float())'
    : 'F.mse_loss(out.squeeze(-1), y.float())';
  const optimizer =
    t.optimizer === 'adam' ? 'torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)'
    : t.optimizer === 'sgd' ? `torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=${t.momentum})`
    : `torch.optim.RMSprop(model.parameters(), lr=LEARNING_RATE, alpha=0.9, eps=1e-7, momentum=${t.momentum})`;
  const init = emitted.flatMap(({ e }) => e.init);
  const lines: string[] = [
    '"""',
    `PyTorch model "${pyComment(m.name)}", generated by Convas.`,
    '',
    'Layout: tensors are channels-first (N, C, H, W) as PyTorch expects; the designer shows channels-last shapes.',
    "Equivalence notes: TF/Keras 'same' padding puts the odd extra row/column after (bottom/right), so it is written",
    'as explicit padding; BatchNorm momentum is 1 - Keras momentum; Flatten permutes to (H, W, C) first so that',
    'Dense weights stay interchangeable with Keras. Keras counts BatchNorm moving mean/variance as non-trainable',
    'params; PyTorch keeps them as buffers, so keras_style_param_count() adds them back.',
    'Porting Keras weights: conv kernels (kh, kw, in, out) -> (out, in, kh, kw); dense (in, out) -> (out, in);',
    'depthwise (kh, kw, in, mult) -> (in * mult, 1, kh, kw).',
    '"""',
    'import torch',
    'from torch import nn',
    'import torch.nn.functional as F',
    '',
    ...layerTable(m),
    `INPUT_SHAPES = ${py(m.inputs.map((l) => torchShape(l.inf.outputShape)))}  # channels first, without batch`,
    '',
    '# Training settings from the designer.',
    `OPTIMIZER = ${py(t.optimizer)}`,
    `LEARNING_RATE = ${t.learningRate}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `EPOCHS = ${t.epochs}`,
    `VALIDATION_SPLIT = ${t.validationSplit}`,
    '',
  ];
  if (helpers.has('layout')) {
    lines.push(
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
    );
  }
  if (helpers.has('avgpool-same')) {
    lines.push(
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
    );
  }
  lines.push(
    '',
    `class ${className}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    ...(init.length ? init.map((s) => `        ${s}`) : ['        pass']),
    '',
    `    def forward(self, ${inputs.join(', ')}):`,
    ...emitted.flatMap(({ l, e }) => (e.forward.length ? [`        # ${pyComment(l.node.name)}: ${l.kerasClass} -> ${py(torchShape(l.inf.outputShape))}`, ...e.forward.map((s) => `        ${s}`)] : [])),
    `        return ${outputs.length === 1 ? outputs[0] : `(${outputs.join(', ')})`}`,
    '',
    '',
    'def keras_style_param_count(model):',
    '    """Parameters plus BatchNorm running statistics, as Keras counts them."""',
    '    n = sum(p.numel() for p in model.parameters())',
    '    return n + sum(b.numel() for k, b in model.named_buffers() if k.endswith(("running_mean", "running_var")))',
    '',
    '',
    'def check_model(model):',
    '    """The module must match the designer: totals and output shapes."""',
    '    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)',
    '    assert trainable == EXPECTED_TRAINABLE_PARAMS, (trainable, EXPECTED_TRAINABLE_PARAMS)',
    '    assert keras_style_param_count(model) == EXPECTED_PARAMS, (keras_style_param_count(model), EXPECTED_PARAMS)',
    '    model.eval()',
    '    with torch.no_grad():',
    '        out = model(*[torch.zeros(2, *s) for s in INPUT_SHAPES])',
    '    outs = out if isinstance(out, tuple) else (out,)',
    `    names = ${py(m.outputs.map((l) => l.node.name))}`,
    '    shapes = {name: shape for name, _cls, shape, _params in LAYERS}',
    '    for name, o in zip(names, outs):',
    '        want = shapes[name]',
    '        want = want if len(want) <= 1 else (want[-1],) + want[:-1]',
    '        assert tuple(o.shape[1:]) == want, f"{name}: output {tuple(o.shape[1:])}, designer says {want}"',
    '',
    '',
    ...dataLoader(m),
    '',
    '',
    'def main():',
    `    model = ${className}()`,
    '    print(model)',
    '    check_model(model)',
    '    print(f"{keras_style_param_count(model):,} params, as in the designer")',
    '    train_set, test_set = load_data()',
    '    n_val = int(len(train_set) * VALIDATION_SPLIT)',
    '    train_set, val_set = torch.utils.data.random_split(train_set, [len(train_set) - n_val, n_val])',
    '    loader = torch.utils.data.DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True)',
    `    optimizer = ${optimizer}`,
    '    for epoch in range(EPOCHS):',
    '        model.train()',
    '        for x, y in loader:',
    '            optimizer.zero_grad()',
    '            out = model(x)',
    `            loss = ${lossPy}`,
    '            loss.backward()',
    '            optimizer.step()',
    '        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, validation {evaluate(model, val_set):.4f}")',
    '    print(f"test {evaluate(model, test_set):.4f}")',
    '',
    '',
    'def evaluate(model, dataset):',
    `    """${loss === 'mse' ? 'Mean squared error' : 'Accuracy'} on a dataset."""`,
    '    model.eval()',
    '    total, score = 0, 0.0',
    '    with torch.no_grad():',
    '        for x, y in torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE):',
    '            out = model(x)',
    loss === 'mse'
      ? '            score += F.mse_loss(out.squeeze(-1), y.float(), reduction="sum").item()'
      : loss === 'binary-ce'
        ? '            score += ((out.squeeze(1) > 0.5).long() == y).sum().item()'
        : '            score += (out.argmax(1) == y).sum().item()',
    '            total += len(y)',
    '    return score / max(total, 1)',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  );
  return lines.join('\n');
}
