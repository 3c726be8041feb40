/**
 * Table-driven conformance: for every kind, a small grid of params × input shapes is inferred by us and built by
 * real tfjs (symbolic tensors only, no compute). Output shapes, trainable and non-trainable counts must agree, and
 * every input we refuse must be refused by tfjs too — by throwing, or by a non-positive output size, which is how
 * tfjs' symbolic shape inference reports an empty output — unless the case documents a stricter rule of ours.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLayerKind, isError, type LayerKind, type Shape, type SymbolicTensor } from './index';

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

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const weightsSize = (ws: { shape: readonly (number | null)[] }[]) => ws.reduce((a, w) => a + prod(w.shape as number[]), 0);

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
add('BatchNormalization', grid({ axis: [-1, 1, -2, 3], center: [true, false], scale: [true, false] }), [...img, ...seq, [6]]);
add('Activation', grid({ activation: ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'] }), [[7, 7, 3], [10, 3], [6]]);
add('Dropout', [{ rate: 0 }, { rate: 0.5 }], [[7, 7, 3], [6]]);
add('Flatten', [{}], [...img, ...seq, [6]]);
add('Dense', grid({ units: [1, 4], useBias: [true, false] }), [[6], ...seq, ...img]);

function buildWithTf(kind: LayerKind, params: unknown, shapes: Shape[]): { out?: number[]; layer?: tf.layers.Layer; error?: string } {
  try {
    const ins = shapes.map((s) => tf.input({ shape: [...s] }));
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
        const label = `${name} ${JSON.stringify(c.params)} on ${c.inputs.map((s) => s.join('×')).join(', ')}`;
        const p = kind.params.parse(c.params);
        const ours = kind.inferShape(c.inputs, p);
        const theirs = buildWithTf(kind, p, c.inputs);
        if (isError(ours)) {
          if (c.stricter) continue;
          const refused = theirs.error !== undefined || theirs.out!.some((d) => d === null || d < 1);
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
      }
      expect(valid, `${name}: the grid must contain valid cases`).toBeGreaterThan(0);
    });
  }
});
