/**
 * Table-driven conformance: for every kind, a small grid of params × input shapes is inferred by us and built by
 * real tfjs (symbolic tensors only, no compute). Output shapes, trainable and non-trainable counts must agree, and
 * every input we refuse must be refused by tfjs too — by throwing, or by a non-positive output size, which is how
 * tfjs' symbolic shape inference reports an empty output — unless the case documents a stricter rule of ours.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { macsFromWeights } from './testing/macs-oracle';
import { fmtShape, getLayerKind, isError, layerKinds, product, type LayerKind, type Shape, type SymbolicTensor } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  kind: string;
  params: Record<string, unknown>;
  inputs: Shape[];
  /** Why we refuse something tfjs accepts (kept explicit so it is a decision, not an accident). */
  stricter?: string;
}

/** Cartesian product of named value lists. */
function grid<T extends Record<string, readonly unknown[]>>(axes: T): Array<{ [K in keyof T]: T[K][number] }> {
  let out: Array<Record<string, unknown>> = [{}];
  for (const [k, vs] of Object.entries(axes)) out = out.flatMap((o) => vs.map((v) => ({ ...o, [k]: v })));
  return out as Array<{ [K in keyof T]: T[K][number] }>;
}

const weightsSize = (ws: { shape: readonly (number | null)[] }[]) => ws.reduce((a, w) => a + product(w.shape as number[]), 0);

const img = [[7, 7, 3], [8, 5, 2], [3, 3, 4], [1, 1, 2]] as const;
const seq = [[10, 3], [4, 2], [1, 5]] as const;
const wrongRank = [[6], [4, 4], [2, 3, 3, 2]] as const;

const cases: Case[] = [];
const add = (kind: string, params: Array<Record<string, unknown>>, inputs: readonly (readonly number[])[], stricter?: (p: Record<string, unknown>, x: Shape) => string | undefined) => {
  for (const p of params) for (const x of inputs) cases.push({ kind, params: p, inputs: [x], stricter: stricter?.(p, x) });
};

const stridesAndDilation = (p: Record<string, unknown>) => {
  const big = (v: unknown) => (Array.isArray(v) ? v.some((d) => d > 1) : typeof v === 'number' && v > 1);
  return big(p.strides) && big(p.dilationRate) ? 'tfjs only fails at run time when strides > 1 meet dilation > 1' : undefined;
};

add('Conv2D', grid({ filters: [2], kernelSize: [1, 3, [2, 3]], strides: [1, 2], padding: ['valid', 'same'], dilationRate: [1, 2], useBias: [true, false] }), [...img, ...wrongRank], stridesAndDilation);
add('DepthwiseConv2D', grid({ kernelSize: [1, 3, [3, 2]], strides: [1, 2], padding: ['valid', 'same'], depthMultiplier: [1, 3], useBias: [true, false] }), [...img, [6]]);
for (const kind of ['MaxPooling2D', 'AveragePooling2D']) {
  add(kind, grid({ poolSize: [2, 3, [2, 1]], strides: [null, 1, 2, [1, 2]], padding: ['valid', 'same'] }), [...img, [4, 4]]);
}
add('GlobalAveragePooling2D', [{}], [...img, ...wrongRank]);
add('ZeroPadding2D', [{ padding: 0 }, { padding: 2 }, { padding: [1, 3] }, { padding: [[0, 2], [1, 0]] }], [...img, [4, 4]]);
add('BatchNormalization', grid({ axis: [-1, 1, -2, 3], center: [true, false], scale: [true, false] }), [...img, ...seq, [6]], (p, x) =>
  p.axis === -(x.length + 1) ? 'the batch axis has a known size only in this probe (batch 1); a model has none, so we refuse it' : undefined);
add('Activation', grid({ activation: ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'] }), [[7, 7, 3], [10, 3], [6]]);
add('Dropout', [{ rate: 0 }, { rate: 0.5 }], [[7, 7, 3], [6]]);
add('Flatten', [{}], [...img, ...seq, [6]]);
add('Conv1D', grid({ filters: [3], kernelSize: [1, 3, 5], strides: [1, 2], padding: ['valid', 'same'], dilationRate: [1, 2], useBias: [true, false] }), [...seq, [7, 7, 3], [6]], stridesAndDilation);
add('SeparableConv2D', grid({ filters: [4], kernelSize: [1, 3, [3, 2]], strides: [1, 2], padding: ['valid', 'same'], depthMultiplier: [1, 2], dilationRate: [1, 2], useBias: [true, false] }), [...img, [6]], stridesAndDilation);
add('Conv2DTranspose', grid({ filters: [2], kernelSize: [1, 2, 3, [3, 2]], strides: [1, 2, 3, [2, 1]], padding: ['valid', 'same'], useBias: [true, false] }), [...img, [4, 4]]);
for (const kind of ['MaxPooling1D', 'AveragePooling1D']) {
  add(kind, grid({ poolSize: [1, 2, 3], strides: [null, 1, 2], padding: ['valid', 'same'] }), [...seq, [7, 7, 3]]);
}
for (const kind of ['GlobalAveragePooling1D', 'GlobalMaxPooling1D']) add(kind, [{}], [...seq, [6], [7, 7, 3]]);
add('GlobalMaxPooling2D', [{}], [...img, ...wrongRank]);
add('LeakyReLU', [{ alpha: 0 }, { alpha: 0.1 }], [[7, 7, 3], [10, 3], [6]]);
add('SpatialDropout2D', [{ rate: 0 }, { rate: 0.3 }], [[7, 7, 3], [10, 3], [6]], (_p, x) =>
  x.length !== 3 ? "Keras' SpatialDropout2D needs a 4-D input; tfjs has no such layer and our Dropout stand-in would take any rank" : undefined);
add('Reshape', [{ targetShape: [-1] }, { targetShape: [21, 7] }, { targetShape: [7, -1] }, { targetShape: [3, 7, 7] }, { targetShape: [-1, 4] }, { targetShape: [2, 2, 3, -1] }], [[7, 7, 3], [12], [6, 4], [5, 5]]);
for (const shape of [[28, 28, 1], [100, 3], [10]]) cases.push({ kind: 'Input', params: { shape }, inputs: [] });
const pairs: Shape[][] = [
  [[4, 4, 3], [4, 4, 3]],
  [[4, 4, 3], [4, 4, 5]],
  [[4, 4, 3], [4, 5, 3]],
  [[4, 4, 3], [4, 4, 3], [4, 4, 2]],
  [[4, 4, 1], [4, 4, 3]],
  [[4, 4, 3], [4, 3]],
  [[6], [6]],
  [[6], [2]],
  [[5, 2], [5, 2], [5, 1]],
];
for (const inputs of pairs) {
  const rank = inputs[0].length;
  for (const axis of [-1, 1, 2, -2, 3]) {
    const stricter = axis === -(rank + 1) ? 'tfjs concatenates along the batch axis; we refuse it as meaningless for a model' : undefined;
    cases.push({ kind: 'Concatenate', params: { axis }, inputs, stricter });
  }
  const ranks = new Set(inputs.map((x) => x.length)).size > 1 ? 'Keras/tfjs broadcast a lower-rank input from the right; we ask for equal ranks' : undefined;
  cases.push({ kind: 'Add', params: {}, inputs, stricter: ranks }, { kind: 'Multiply', params: {}, inputs, stricter: ranks });
}
add('Dense', grid({ units: [1, 4], useBias: [true, false] }), [[6], ...seq, ...img]);
// Every kind's own samples (`testing.samples` in its file), so a new kind is compared with tfjs without a grid here.
for (const k of layerKinds) for (const s of k.testing?.samples ?? []) cases.push({ kind: k.kind, params: s.params, inputs: s.inputs });

function buildWithTf(kind: LayerKind, params: unknown, shapes: Shape[]): { out?: number[]; layer?: tf.layers.Layer; error?: string } {
  try {
    // A fixed batch of 1 makes tfjs resolve every dimension (Reshape leaves -1 unresolved with an unknown batch).
    const ins = shapes.map((s) => tf.input({ batchShape: [1, ...s] }));
    if (kind.kind === 'Input') {
      const y = kind.build(tf, params, 'probe', []);
      return { out: (y.shape as number[]).slice(1), layer: y.sourceLayer as tf.layers.Layer };
    }
    const y: SymbolicTensor = kind.build(tf, params, 'probe', ins);
    return { out: (y.shape as number[]).slice(1), layer: y.sourceLayer as tf.layers.Layer };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('every kind agrees with tfjs on shapes and counts', () => {
  const byKind = new Map<string, Case[]>();
  for (const c of cases) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  for (const [name, list] of byKind) {
    it(`${name} (${list.length} cases)`, () => {
      const kind = getLayerKind(name)!;
      expect(kind, name).toBeDefined();
      let valid = 0;
      for (const c of list) {
        const label = `${name} ${JSON.stringify(c.params)} on ${c.inputs.map(fmtShape).join(', ')}`;
        const p = kind.params.parse(c.params);
        const ours = kind.inferShape(c.inputs, p);
        const theirs = buildWithTf(kind, p, c.inputs);
        if (isError(ours)) {
          if (c.stricter) continue;
          const refused = theirs.error !== undefined || theirs.out!.some((d) => d < 1);
          expect(refused, `${label}: we refuse (${ours.error.message}) but tfjs gives ${JSON.stringify(theirs.out)}`).toBe(true);
          continue;
        }
        valid++;
        expect(theirs.error, `${label}: tfjs refused`).toBeUndefined();
        expect([...ours.shape], label).toEqual(theirs.out);
        const count = kind.count?.(c.inputs, ours.shape, p) ?? { trainable: 0, nonTrainable: 0 };
        expect(count.trainable, `${label} trainable`).toBe(weightsSize(theirs.layer!.trainableWeights));
        expect(count.nonTrainable, `${label} non-trainable`).toBe(weightsSize(theirs.layer!.nonTrainableWeights));
        expect(count.trainable + count.nonTrainable, `${label} countParams`).toBe(theirs.layer!.countParams());
        expect(kind.macs?.(c.inputs, ours.shape, p) ?? 0, `${label} MACs`).toBe(
          macsFromWeights(kind, theirs.layer!.trainableWeights.map((w) => w.shape as number[]), c.inputs[0] ?? [], ours.shape),
        );
      }
      expect(valid, `${name}: the grid must contain valid cases`).toBeGreaterThan(0);
    });
  }
});
