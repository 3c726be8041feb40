import type * as tfjs from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import type { Tf } from '../../../nodes/index';
import { compileGraph } from '../../compile/compile';
import { snapshotWeights, type WeightSnapshot } from '../../compile/weights';
import { inferGraph } from '../../graph/infer';
import type { Graph } from '../../graph/types';
import { mulberry32 } from '../../train/random';
import { exportOnnx } from '../onnx';

/**
 * Gives the weights a fresh model holds as constants (biases: zeros; BatchNorm γ, β, moving mean and variance: ones
 * and zeros) random values, so that a mapping that drops or misplaces one changes the output; γ and the variance stay
 * positive. Kernels keep their random initial values (and are not read back: that is slow for large models).
 */
export function randomiseConstantWeights(tf: Tf, model: tfjs.LayersModel, rnd: () => number): void {
  const constant = /(^|\/)(bias|gamma|beta|moving_mean|moving_variance)(_\d+)?$/;
  for (const layer of model.layers) {
    if (!layer.weights.some((w) => constant.test(w.originalName))) continue;
    const next = layer.weights.map((w) => {
      if (!constant.test(w.originalName)) return w.read();
      const positive = /gamma|variance/.test(w.originalName);
      const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
      return tf.tensor(Float32Array.from({ length: n }, () => (positive ? 0.5 + rnd() : 0.4 * (2 * rnd() - 1))), w.shape as number[]);
    });
    layer.setWeights(next);
    tf.dispose(next.filter((t, i) => t !== layer.weights[i].read()));
  }
}

export interface OnnxComparison {
  /** max |onnxruntime − tfjs| over every output value. */
  maxDiff: number;
  /** Output names and shapes onnxruntime gave (batch included). */
  outputs: { name: string; dims: readonly number[] }[];
  bytes: number;
  /** The weights both sides ran with (a tfjs snapshot). */
  weights: WeightSnapshot;
}

/**
 * Compiles the graph in tfjs with randomised weights, exports it to ONNX with those weights, runs both on the same
 * random batch and returns the largest difference. Throws when onnxruntime's outputs differ in name or shape.
 */
export async function compareWithOnnxRuntime(tf: Tf, graph: Graph, seed: number, batch = 2): Promise<OnnxComparison> {
  const rnd = mulberry32(seed);
  const inf = inferGraph(graph);
  const model = compileGraph(tf, graph, inf);
  let weights: WeightSnapshot;
  let expected: { data: Float32Array; shape: number[] }[];
  const feeds: Record<string, ort.Tensor> = {};
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  try {
    randomiseConstantWeights(tf, model, rnd);
    weights = snapshotWeights(model);
    const xs = inf.inputs.map((id) => {
      const shape = [batch, ...inf.nodes[id].outputShape!];
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rnd() - 1);
      feeds[byId.get(id)!.name] = new ort.Tensor('float32', data, shape);
      return tf.tensor(data, shape);
    });
    const ys = model.predict(xs.length === 1 ? xs[0] : xs);
    const list = Array.isArray(ys) ? ys : [ys];
    expected = list.map((y) => ({ data: y.dataSync() as Float32Array, shape: y.shape as number[] }));
    tf.dispose([...xs, ...list]);
  } finally {
    model.dispose();
  }
  const bytes = exportOnnx(graph, weights);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const got = await session.run(feeds);
    let maxDiff = 0;
    const outputs = inf.outputs.map((id, i) => {
      const name = byId.get(id)!.name;
      const t = got[name];
      if (!t) throw new Error(`onnxruntime gave no output "${name}" (got ${Object.keys(got).join(', ')})`);
      const want = expected[i];
      if (t.dims.join('x') !== want.shape.join('x')) throw new Error(`output "${name}": onnxruntime ${t.dims.join('×')}, tfjs ${want.shape.join('×')}`);
      const data = t.data as Float32Array;
      for (let j = 0; j < data.length; j++) {
        const d = Math.abs(data[j] - want.data[j]);
        // NaN never passes.
        maxDiff = d > maxDiff || Number.isNaN(d) ? (Number.isNaN(d) ? Infinity : d) : maxDiff;
      }
      return { name, dims: t.dims };
    });
    return { maxDiff, outputs, bytes: bytes.length, weights };
  } finally {
    await session.release();
  }
}
