import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetDocument, presetList } from '../../../presets/index';
import { compileGraph } from '../../compile/compile';
import { applyWeights, type WeightSnapshot } from '../../compile/weights';
import { exportOnnx } from '../../export/onnx';
import { flattenProject } from '../blocks';
import { inferGraph } from '../infer';
import { incomingEdges } from '../topo';
import type { Graph } from '../types';
import { convOutputLength } from '../../../nodes/lib/conv';
import { importOnnx } from './onnx-import';
import { seeded } from './testing/onnx-models';

/*
 * Convas → ONNX (src/export/onnx.ts) → Convas (onnx-import.ts) for every preset: the same layers in the same order with
 * the same params and wiring, the same counts, and (for the presets small enough to run here) the same outputs.
 *
 * Dropout goes as ONNX's Dropout with its ratio (the identity at inference) and comes back as a Dropout layer;
 * SpatialDropout2D, which ONNX has no op for, comes back as Dropout too (compared as such). BatchNormalization's
 * momentum goes as the op's attribute.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The graph as data that ignores ids, names and positions: layers in inference order, parsed params, inputs by position. */
function structure(g: Graph) {
  const inf = inferGraph(g);
  const { incoming } = incomingEdges(g);
  const at = new Map(inf.order.map((id, i) => [id, i]));
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  return inf.order.map((id) => {
    const n = byId.get(id)!;
    const p: Record<string, unknown> = { ...inf.nodes[id].params };
    // 'same' that pads nothing (a 1×1 conv, a pool whose windows tile the input) is 'valid': the same layer.
    if (p.padding === 'same') {
      const x = inf.nodes[id].inputShapes[0];
      const k = ([] as number[]).concat((p.kernelSize ?? p.poolSize) as number | number[]);
      const s = ([] as number[]).concat((p.strides ?? p.kernelSize ?? p.poolSize) as number | number[]);
      const padsNothing = x.slice(0, -1).every((d, i) => (convOutputLength(d, k[i], s[i], 'same') - 1) * s[i] + k[i] <= d);
      if (padsNothing) p.padding = 'valid';
    }
    return { kind: n.kind === 'SpatialDropout2D' ? 'Dropout' : n.kind, params: p, inputs: incoming.get(id)!.map((e) => at.get(e.source)) };
  });
}

/** Seeded weights of the tfjs shapes of every layer with weights (no tfjs needed, so VGG16 fits in memory). */
function syntheticWeights(g: Graph): WeightSnapshot {
  const inf = inferGraph(g);
  const out: WeightSnapshot = [];
  let seed = 1;
  const t = (layer: string, name: string, shape: number[], scale = 0.2, offset = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    let s = seed++;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = offset + scale * ((2 * s) / 2 ** 32 - 1);
    }
    return { name: `${layer}/${name}`, shape, data };
  };
  for (const n of g.nodes) {
    const ni = inf.nodes[n.id];
    const p = ni.params as Record<string, any>;
    const x = ni.inputShapes[0];
    const cin = x?.[x.length - 1];
    const k = ([] as number[]).concat(p.kernelSize ?? []);
    const fan = (k.reduce((a, b) => a * b, 1) || 1) * (cin ?? 1);
    const ws = 1 / Math.sqrt(fan);
    const bias = (c: number) => (p.useBias ? [t(n.name, 'bias', [c], 0.1)] : []);
    if (n.kind === 'Conv2D' || n.kind === 'Conv1D') out.push({ layer: n.name, tensors: [t(n.name, 'kernel', [...(n.kind === 'Conv1D' ? [k[0]] : k), cin, p.filters], ws), ...bias(p.filters)] });
    else if (n.kind === 'DepthwiseConv2D') out.push({ layer: n.name, tensors: [t(n.name, 'depthwise_kernel', [...k, cin, p.depthMultiplier], ws), ...bias(cin * p.depthMultiplier)] });
    else if (n.kind === 'Dense') out.push({ layer: n.name, tensors: [t(n.name, 'kernel', [cin, p.units], 1 / Math.sqrt(cin)), ...bias(p.units)] });
    else if (n.kind === 'BatchNormalization') {
      const c = ni.outputShape![ni.outputShape!.length - 1];
      out.push({ layer: n.name, tensors: [t(n.name, 'gamma', [c], 0.3, 1), t(n.name, 'beta', [c], 0.2), t(n.name, 'moving_mean', [c], 0.2), t(n.name, 'moving_variance', [c], 0.3, 1)] });
    } else if (ni.count.trainable + ni.count.nonTrainable > 0) throw new Error(`no synthetic weights for ${n.kind}`);
  }
  return out;
}

function run(g: Graph, w: WeightSnapshot, x: tf.Tensor): Float32Array {
  const model = compileGraph(tf, g);
  try {
    applyWeights(tf, model, w);
    return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

/** Presets whose tfjs model runs in a few seconds on the JS cpu backend. */
const RUNS_HERE = 300e6;
/** Above this many params (VGG-16's 138 M, a 528 MB file) the preset is taken at a 32×32 input: the same layers, 15 M params. */
const SHRINK_ABOVE = 50e6;

function atInput(g: Graph, shape: number[]): Graph {
  return { ...g, nodes: g.nodes.map((n) => (n.kind === 'Input' ? { ...n, params: { ...n.params, shape } } : n)) };
}

describe('Convas → ONNX → Convas gives the same graph, counts and outputs, for every preset', () => {
  for (const p of presetList) {
    it(`${p.id}`, () => {
      const full = flattenProject(presetDocument(p.id)!).graph;
      const shrink = p.expected.params > SHRINK_ABOVE;
      const graph = shrink ? atInput(full, [32, 32, 3]) : full;
      const weights = syntheticWeights(graph);
      const bytes = exportOnnx(graph, weights, { name: p.id });
      const r = importOnnx(bytes, `${p.id}.onnx`);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const back = r.value.project.graph;

      expect(structure(back)).toEqual(structure(graph));
      const a = inferGraph(graph).totals;
      const b = inferGraph(back).totals;
      expect({ params: b.params, trainable: b.trainableParams, macs: b.macs }).toEqual({ params: a.params, trainable: a.trainableParams, macs: a.macs });
      if (!shrink) expect(b.params).toBe(p.expected.params);
      expect(r.value.warnings).toEqual([]);
      // The weights come back as they left: the same values per layer, in tfjs layouts.
      const sum = (w: WeightSnapshot) => w.reduce((s, l) => s + l.tensors.reduce((u, t) => u + t.data.reduce((v, d) => v + Math.abs(d), 0), 0), 0);
      expect(sum(r.value.weights)).toBeCloseTo(sum(weights), 0);

      if (p.expected.macs <= RUNS_HERE) {
        const inShape = inferGraph(graph).nodes[inferGraph(graph).inputs[0]].outputShape!;
        const x = tf.tensor(Float32Array.from(seeded(inShape.reduce((m, d) => m * d, 1), 7)), [1, ...inShape]);
        const want = run(graph, weights, x);
        const got = run(back, r.value.weights, x);
        x.dispose();
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst).toBeLessThan(1e-4);
      }
    }, 180_000);
  }
});
