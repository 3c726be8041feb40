import { z } from 'zod';
import { defineLayerKind, product, type LayerKind, type Shape } from './define';
import { fmtPair, padding, posInt } from './schema';
import { fmtStrides, rankError, windowOutput } from './conv';
import { py, samePadding, torchExpr, torchModule, type PyTorchCode, type PyTorchContext } from './pytorch';
import { applyLayer, orDefault, requireChannelsLast, unwrap1 } from './keras';
import { int, onnxBuilder, poolToOnnx } from './onnx';

/** A 2-D pooling stride: `null` (the default) means "same as the pool size", as in Keras. `.nullable()` outside the
 * union so that the inspector sees a size pair that may be left empty. */
const strides2 = z
  .union([posInt, z.tuple([posInt, posInt])])
  .nullable()
  .default(null)
  .transform((v): [number, number] | null => (v === null ? null : typeof v === 'number' ? [v, v] : [v[0], v[1]]));

const pool2 = z
  .union([posInt, z.tuple([posInt, posInt])])
  .default(2)
  .transform((v): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]));

/** `n` or `[n]` → `[n, n]`, for comparing Keras size fields; anything else is left alone. */
const pair2 = (v: unknown): unknown => (typeof v === 'number' ? [v, v] : v);

/** PyTorch max/average pooling over 1 or 2 spatial axes; TF 'same' as explicit padding (-inf for max; for average
 * a helper that does not count padded cells). */
function poolToPyTorch(c: PyTorchContext<unknown>, max: boolean, k: number[], s: number[], same: boolean): PyTorchCode {
  const { self, v } = c;
  const x = c.inputs[0];
  const pool = `nn.${max ? 'Max' : 'Avg'}Pool${k.length}d(kernel_size=${py(k)}, stride=${py(s)})`;
  if (same) {
    const { module } = samePadding(c.inShapes[0].slice(0, -1), k, s, [1, 1], max ? '-inf' : 'zero');
    if (module && max) return { init: [`${self}_pad = ${module}`, `${self} = ${pool}`], forward: [`${v} = ${self}(${self}_pad(${x}))`] };
    if (module) return { ...torchModule(c, `AvgPoolSame(${module}, ${pool})`), helpers: ['avgpool-same'] };
  }
  return torchModule(c, pool);
}

/** MaxPooling2D / AveragePooling2D: one definition, two Keras classes. */
export function pooling2d(kind: 'MaxPooling2D' | 'AveragePooling2D') {
  const max = kind === 'MaxPooling2D';
  return defineLayerKind({
    kind,
    kerasClass: kind,
    kerasAliases: [max ? 'MaxPool2D' : 'AvgPool2D'],
    version: 1,
    params: z.object({ poolSize: pool2, strides: strides2, padding }),
    ui: {
      label: kind,
      category: 'pool',
      description: max
        ? 'Keeps the largest value of each window, shrinking H×W; strides default to the pool size.'
        : 'Averages each window, shrinking H×W; strides default to the pool size.',
      summary: (p) => `${fmtPair(p.poolSize)} ${fmtStrides(p.strides ?? p.poolSize)}${p.padding === 'same' ? ' same' : ''}`,
    },
    inputs: { min: 1, max: 1 },
    inferShape([x], p) {
      if (x.length !== 3) return rankError(kind, 'an H×W×C input', x);
      const r = windowOutput(x.slice(0, 2), p.poolSize, p.strides ?? p.poolSize, p.padding, undefined, 'pool');
      return 'error' in r ? r : { shape: [...r.dims, x[2]] };
    },
    elementwise: (_in, out, p) => product(out) * p.poolSize[0] * p.poolSize[1],
    build: (tf, p, name, [x]) => {
      const args = { poolSize: p.poolSize, strides: p.strides ?? p.poolSize, padding: p.padding, name };
      return applyLayer(max ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args), x);
    },
    toKeras: (p) => ({ pool_size: p.poolSize, padding: p.padding, strides: p.strides ?? p.poolSize, data_format: 'channels_last' }),
    fromKeras: (c) => {
      requireChannelsLast(c, kind);
      // Keras and tfjs write the resolved strides; equal to the pool size means "the default".
      const same = JSON.stringify(pair2(c.strides)) === JSON.stringify(pair2(c.pool_size));
      return { poolSize: c.pool_size, strides: same ? undefined : orDefault(c.strides), padding: c.padding };
    },
    toPyTorch: (c) => poolToPyTorch(c, max, c.p.poolSize, c.p.strides ?? c.p.poolSize, c.p.padding === 'same'),
    toOnnx: (c) => poolToOnnx(c, max, [...c.p.poolSize], [...(c.p.strides ?? c.p.poolSize)], c.p.padding === 'same'),
    testing: {
      samples: [{ params: max ? { poolSize: [3, 2], strides: [1, 2], padding: 'same' } : { poolSize: 3 }, inputs: [[12, 12, 3]] }],
      random: {
        ranks: [3],
        params: (d) =>
          d.bool()
            ? { poolSize: d.int(1, 3), padding: d.pick(['same', 'valid']) }
            : { poolSize: [d.int(1, 4), 2], strides: d.int(1, 2), padding: d.pick(['same', 'valid']) },
      },
    },
  });
}

/** A 1-D pooling stride: `null` (the default) means "same as the pool size". */
const strides1 = posInt.nullable().default(null);

/** MaxPooling1D / AveragePooling1D over L×C sequences. */
export function pooling1d(kind: 'MaxPooling1D' | 'AveragePooling1D') {
  const max = kind === 'MaxPooling1D';
  return defineLayerKind({
    kind,
    kerasClass: kind,
    kerasAliases: [max ? 'MaxPool1D' : 'AvgPool1D'],
    version: 1,
    params: z.object({ poolSize: posInt.default(2), strides: strides1, padding }),
    ui: {
      label: kind,
      category: 'pool',
      description: max
        ? 'Keeps the largest value of each window along the sequence; strides default to the pool size.'
        : 'Averages each window along the sequence; strides default to the pool size.',
      summary: (p) => `${p.poolSize} s${p.strides ?? p.poolSize}${p.padding === 'same' ? ' same' : ''}`,
    },
    inputs: { min: 1, max: 1 },
    inferShape([x], p) {
      if (x.length !== 2) return rankError(kind, 'an L×C input', x);
      const r = windowOutput([x[0]], [p.poolSize], [p.strides ?? p.poolSize], p.padding, undefined, 'pool');
      return 'error' in r ? r : { shape: [...r.dims, x[1]] };
    },
    elementwise: (_in, out, p) => product(out) * p.poolSize,
    build: (tf, p, name, [x]) => {
      const args = { poolSize: p.poolSize, strides: p.strides ?? p.poolSize, padding: p.padding, name };
      return applyLayer(max ? tf.layers.maxPooling1d(args) : tf.layers.averagePooling1d(args), x);
    },
    toKeras: (p) => ({ pool_size: [p.poolSize], padding: p.padding, strides: [p.strides ?? p.poolSize], data_format: 'channels_last' }),
    fromKeras: (c) => {
      requireChannelsLast(c, kind);
      const poolSize = unwrap1(c.pool_size);
      const strides = orDefault(unwrap1(c.strides));
      return { poolSize, strides: strides === poolSize ? undefined : strides, padding: c.padding };
    },
    toPyTorch: (c) => poolToPyTorch(c, max, [c.p.poolSize], [c.p.strides ?? c.p.poolSize], c.p.padding === 'same'),
    toOnnx: (c) => poolToOnnx(c, max, [c.p.poolSize], [c.p.strides ?? c.p.poolSize], c.p.padding === 'same'),
    testing: {
      samples: [{ params: max ? { poolSize: 3, strides: 1, padding: 'same' } : { poolSize: 4 }, inputs: [[20, 3]] }],
      random: { ranks: [2], params: (d) => ({ poolSize: d.int(1, 4), padding: d.pick(['same', 'valid']) }) },
    },
  });
}

/** GlobalAverage/GlobalMaxPooling 1D/2D: reduce every spatial axis, keep channels. */
export function globalPooling(kind: 'GlobalAveragePooling1D' | 'GlobalMaxPooling1D' | 'GlobalAveragePooling2D' | 'GlobalMaxPooling2D'): LayerKind<Record<string, never>> {
  const rank = kind.endsWith('1D') ? 2 : 3;
  const max = kind.startsWith('GlobalMax');
  const short = `${max ? 'GlobalMaxPool' : 'GlobalAvgPool'}${rank === 2 ? '1D' : '2D'}`;
  return defineLayerKind({
    kind,
    kerasClass: kind,
    kerasAliases: [short],
    version: 1,
    params: z.object({}),
    ui: {
      label: kind,
      category: 'pool',
      description: `${max ? 'Takes the maximum' : 'Averages'} over ${rank === 3 ? 'all of H×W' : 'the whole sequence'}, leaving one value per channel.`,
      summary: () => (max ? 'max' : 'avg'),
    },
    inputs: { min: 1, max: 1 },
    inferShape: ([x]: Shape[]) => (x.length !== rank ? rankError(kind, rank === 3 ? 'an H×W×C input' : 'an L×C input', x) : { shape: [x[rank - 1]] }),
    elementwise: ([x]: Shape[]) => product(x),
    build: (tf, _p, name, [x]) => {
      const L = tf.layers;
      const layer =
        kind === 'GlobalAveragePooling1D' ? L.globalAveragePooling1d({ name })
        : kind === 'GlobalMaxPooling1D' ? L.globalMaxPooling1d({ name })
        : kind === 'GlobalAveragePooling2D' ? L.globalAveragePooling2d({ name })
        : L.globalMaxPooling2d({ name });
      return applyLayer(layer, x);
    },
    toKeras: () => ({ data_format: 'channels_last' }),
    fromKeras: (c) => {
      requireChannelsLast(c, kind);
      if (c.keepdims === true) throw new Error(`${kind} keepdims=true is not supported (tfjs 4.22 has no keepdims)`);
      return {};
    },
    toPyTorch: (c) => torchExpr(c, `${c.inputs[0]}.${max ? 'amax' : 'mean'}(dim=${rank === 3 ? '(2, 3)' : '2'})`),
    toOnnx: (c) => {
      const b = onnxBuilder(c);
      return b.done(b.op('Flatten', [b.op(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [c.inputs[0]])], { axis: int(1) }));
    },
    testing: { samples: [{ params: {}, inputs: [rank === 3 ? [12, 12, 3] : [20, 3]] }], random: { ranks: [rank], params: () => ({}) } },
  }) as LayerKind<Record<string, never>>;
}
