import type * as tfjs from '@tensorflow/tfjs';
import { getLayerKind, type Tf } from '../../nodes/index';
import type { Graph, GraphInference, GraphNode } from '../graph/types';

/** One layer's output for one input sample: `shape` without the batch axis, `data` channels-last. */
export interface Activation {
  nodeId: string;
  name: string;
  kind: string;
  shape: number[];
  data: Float32Array;
}

/** What one sample does to the model: the probed layers' outputs, in the order asked for, and the model's (first) output. */
export interface ActivationProbe {
  layers: Activation[];
  output: Float32Array;
}

/**
 * The layers whose feature maps are worth showing: conv and pooling layers with a spatial output (H×W×C or L×C),
 * in topological order.
 */
export function featureMapNodes(graph: Graph, inference: GraphInference): GraphNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return inference.order
    .map((id) => byId.get(id)!)
    .filter((n) => {
      const cat = getLayerKind(n.kind)?.ui.category;
      const s = inference.nodes[n.id]?.outputShape;
      return (cat === 'conv' || cat === 'pool') && !!s && s.length >= 2;
    });
}

/** Of `nodes`, those whose learned filters can be drawn as K×K×Cin images: plain (dense) 2-D convolutions. */
export function filterNodes(nodes: readonly GraphNode[]): GraphNode[] {
  return nodes.filter((n) => {
    const f = getLayerKind(n.kind)?.spatialFilters;
    return f?.layout === 'dense' && f.dims === 2;
  });
}

/** `data` as one model input of `inShape`; a single grey plane (a drawing) is copied into every channel. */
export function toModelInput(data: Float32Array, inShape: readonly number[]): Float32Array {
  const size = inShape.reduce((a, b) => a * b, 1);
  if (data.length === size) return data;
  const c = inShape[inShape.length - 1];
  if (data.length * c !== size) throw new Error(`an input of ${data.length} values does not fit ${inShape.join('×')}`);
  return Float32Array.from({ length: size }, (_v, i) => data[Math.floor(i / c)]);
}

/**
 * Runs one sample through `model` and returns the outputs of `nodes` (layers named after the nodes) and the model's
 * first output. Builds a probe model over the same layers (no weights copied) and disposes every tensor it creates.
 * @example
 * const { layers, output } = probeActivations(tf, model, featureMapNodes(graph, inference), drawing, [28, 28, 1]);
 * layers[0].shape; // [28, 28, 6] for LeNet-5's first conv
 */
export function probeActivations(
  tf: Tf,
  model: tfjs.LayersModel,
  nodes: readonly Pick<GraphNode, 'id' | 'name' | 'kind'>[],
  data: Float32Array,
  inShape: readonly number[],
): ActivationProbe {
  const outs = nodes.map((n) => model.getLayer(n.name).output as tfjs.SymbolicTensor);
  const probe = tf.model({ inputs: model.inputs, outputs: [...outs, model.outputs[0]] });
  const x = toModelInput(data, inShape);
  const res = tf.tidy(() => {
    const r = probe.predict(tf.tensor(x, [1, ...inShape]));
    return (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape.slice(1) as number[], data: t.dataSync() as Float32Array }));
  });
  return {
    layers: nodes.map((n, i) => ({ nodeId: n.id, name: n.name, kind: n.kind, shape: res[i].shape, data: res[i].data })),
    output: res[res.length - 1].data,
  };
}

/** Stops a {@link probeActivationsInSteps} that is no longer wanted (a newer input or other weights came along). */
export class ProbeCancelled extends Error {
  constructor() {
    super('superseded');
    this.name = 'ProbeCancelled';
  }
}

interface SymbolicNode {
  inputTensors: tfjs.SymbolicTensor[];
  outputTensors: tfjs.SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

/**
 * {@link probeActivations}, one layer at a time, handing the thread back (`pause`) whenever about `sliceMs` of work has
 * been done: a large model's forward pass becomes many short tasks instead of one long one, so the page keeps
 * answering while Inspect computes. `cancelled` is asked at every pause; when it says yes, the probe disposes what it
 * made and rejects with {@link ProbeCancelled}. Same numbers as `probeActivations` (the same layers, applied in the
 * model's topological order to the same tensors).
 */
export async function probeActivationsInSteps(
  tf: Tf,
  model: tfjs.LayersModel,
  nodes: readonly Pick<GraphNode, 'id' | 'name' | 'kind'>[],
  data: Float32Array,
  inShape: readonly number[],
  o: { pause: () => Promise<void>; cancelled?: () => boolean; sliceMs?: number },
): Promise<ActivationProbe> {
  const sliceMs = o.sliceMs ?? 12;
  const values = new Map<number, tfjs.Tensor>();
  const wanted = new Map(nodes.map((n, i) => [n.name, i]));
  const found: (tfjs.Tensor | undefined)[] = [];
  const disposeAll = () => values.forEach((t) => t.dispose());
  try {
    if (model.inputs.length !== 1) throw new Error('the model needs exactly one input to probe');
    values.set(model.inputs[0].id, tf.tensor(toModelInput(data, inShape), [1, ...inShape]));
    let since = performance.now();
    for (const layer of model.layers) {
      const node = (layer as unknown as { inboundNodes: SymbolicNode[] }).inboundNodes[0];
      if (layer.getClassName() === 'InputLayer' || !node) continue;
      const inputs = node.inputTensors.map((t) => {
        const v = values.get(t.id);
        if (!v) throw new Error(`layer ${layer.name}: its input ${t.name} was not computed`);
        return v;
      });
      const out = tf.tidy(() => layer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...(node.callArgs ?? {}), training: false }) as tfjs.Tensor | tfjs.Tensor[]);
      const outs = Array.isArray(out) ? out : [out];
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
      const at = wanted.get(layer.name);
      if (at !== undefined) found[at] = outs[0];
      if (performance.now() - since > sliceMs) {
        await o.pause();
        if (o.cancelled?.()) throw new ProbeCancelled();
        since = performance.now();
      }
    }
    const output = values.get(model.outputs[0].id);
    if (!output) throw new Error('the model output was not computed');
    return {
      layers: nodes.map((n, i) => {
        const t = found[i];
        if (!t) throw new Error(`layer ${n.name} is not in the model`);
        return { nodeId: n.id, name: n.name, kind: n.kind, shape: t.shape.slice(1), data: t.dataSync() as Float32Array };
      }),
      output: output.dataSync() as Float32Array,
    };
  } finally {
    disposeAll();
  }
}

/**
 * The `k` likeliest classes, best first. A single sigmoid output reads as class 1 with p and class 0 with 1 − p.
 */
export function topK(output: ArrayLike<number>, k = 5): Array<{ k: number; p: number }> {
  if (output.length === 1) return [{ k: 1, p: output[0] }, { k: 0, p: 1 - output[0] }];
  return Array.from(output, (p, i) => ({ k: i, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

/** A conv layer's kernel, `[kh, kw, cin, cout]` channels-last as tfjs stores it. */
export interface Kernel {
  shape: number[];
  data: Float32Array;
}

/** The kernel of layer `name`, or null when it has none (or no 4-D one). */
export function layerKernel(model: tfjs.LayersModel, name: string): Kernel | null {
  try {
    const w = model.getLayer(name).getWeights()[0];
    if (!w || w.shape.length !== 4) return null;
    return { shape: w.shape, data: w.dataSync() as Float32Array };
  } catch {
    return null;
  }
}

/**
 * Filter `f` of a kernel as a picture: RGB (kh·kw·3) when the layer sees three channels, otherwise one plane
 * (kh·kw) averaged over the input channels.
 */
export function filterImage(kernel: Kernel, f: number): { channels: 1 | 3; data: Float32Array } {
  const [kh, kw, cin, cout] = kernel.shape;
  const at = (i: number, ch: number) => kernel.data[(i * cin + ch) * cout + f];
  if (cin === 3) {
    const rgb = new Float32Array(kh * kw * 3);
    for (let i = 0; i < kh * kw; i++) for (let ch = 0; ch < 3; ch++) rgb[i * 3 + ch] = at(i, ch);
    return { channels: 3, data: rgb };
  }
  const plane = new Float32Array(kh * kw);
  for (let i = 0; i < kh * kw; i++) {
    let s = 0;
    for (let ch = 0; ch < cin; ch++) s += at(i, ch);
    plane[i] = s / cin;
  }
  return { channels: 1, data: plane };
}

/** The largest |weight| of a kernel (1 for an all-zero one): the symmetric colour range of its filters. */
export const kernelAmplitude = (kernel: Kernel): number => kernel.data.reduce((s, v) => Math.max(s, Math.abs(v)), 0) || 1;
