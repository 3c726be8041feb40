import pkg from 'onnx-proto';
import { getLayerKind } from '../../nodes/index';
import { ONNX_OPSET, nameAllocator, onnxError, toChannelsLast, type OnnxAttr, type OnnxCode, type OnnxInitializer, type OnnxNode } from '../../nodes/lib/onnx';
import type { Tf } from '../../nodes/index';
import { snapshotWeights, type WeightSnapshot } from '../compile/weights';
import { buildModel } from './artifacts';
import { incomingEdges } from '../graph/topo';
import { exportableInference } from './valid';
import type { Graph } from '../graph/types';

// onnx-proto is protobufjs 6 generated CommonJS: its one export is the root namespace, reached as the default import
// under Vite, Vitest and Node alike (named ESM imports of it are not statically visible to Node).
const { onnx } = pkg;

export { ONNX_OPSET };

/** ONNX IR version 7 is the one that came with opset 13 (ONNX 1.8); runtimes that read opset 13 read it. */
const IR_VERSION = 7;

/** The name of the batch dimension of every graph input and output. */
export const BATCH_DIM = 'N';

export interface OnnxExportOptions {
  /** The model's name (the graph's name in the file). */
  name?: string;
}

const attrProto = (name: string, a: OnnxAttr): InstanceType<typeof onnx.AttributeProto> => {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in a) return onnx.AttributeProto.create({ name, type: T.INT, i: a.int });
  if ('float' in a) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.float });
  if ('ints' in a) return onnx.AttributeProto.create({ name, type: T.INTS, ints: a.ints });
  if ('floats' in a) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: a.floats });
  return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.string) });
};

const nodeProto = (n: OnnxNode, name: string) =>
  onnx.NodeProto.create({
    name,
    opType: n.op,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
  });

/** Little-endian bytes, as TensorProto.raw_data wants them (every platform tfjs runs on is little-endian). */
function tensorProto(t: OnnxInitializer) {
  if ('float32' in t) {
    const raw = new Uint8Array(t.float32.buffer, t.float32.byteOffset, t.float32.byteLength);
    return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
  }
  const v = BigInt64Array.from(t.int64.map((x) => BigInt(x)));
  return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(v.buffer) });
}

const valueInfo = (name: string, shape: readonly number[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: BATCH_DIM }, ...shape.map((d) => ({ dimValue: d }))] },
      },
    },
  });

/**
 * The graph as an ONNX model (opset {@link ONNX_OPSET}, IR 7), encoded with onnx-proto (protobufjs): one mapping per
 * layer from its kind's `toOnnx`, with `weights` (a tfjs snapshot, layers by name, in tfjs order) as initializers.
 *
 * Inputs and outputs keep Convas' channels-last shapes with a symbolic batch dimension `N`, named after their layers;
 * inside, tensors are channels-first (see `nodes/lib/onnx.ts`) with Transposes at the inputs and outputs and before
 * Flatten/Reshape only. Throws, naming the layer, for an invalid graph, a kind without an ONNX mapping, params ONNX
 * cannot express, or weights that are missing, misshapen or left over; no partial file is ever returned.
 */
export function exportOnnx(graph: Graph, weights: WeightSnapshot = [], opts: OnnxExportOptions = {}): Uint8Array {
  const inf = exportableInference(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const byLayer = new Map(weights.map((w) => [w.layer, w]));
  const { incoming } = incomingEdges(graph);
  // Graph inputs and outputs are named after their layers; every other tensor is `<layer>/<hint>`.
  const ioNames = [...inf.inputs, ...inf.outputs].map((id) => byId.get(id)!.name);
  const fresh = nameAllocator(ioNames);
  const tensorOf = new Map<string, string>();
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const owners: string[] = [];
  for (const id of inf.order) {
    const node = byId.get(id)!;
    const ni = inf.nodes[id];
    const kind = getLayerKind(node.kind)!;
    const who = { name: node.name, kind: node.kind };
    if (!kind.toOnnx) throw onnxError(who, 'this kind has no ONNX mapping yet');
    const snap = byLayer.get(node.name);
    const code: OnnxCode = kind.toOnnx({
      p: ni.params!,
      inputs: kind.inputs.max === 0 ? [node.name] : incoming.get(id)!.map((e) => tensorOf.get(e.source)!),
      inShapes: ni.inputShapes,
      out: ni.outputShape!,
      weights: snap?.tensors ?? [],
      name: node.name,
      kind: node.kind,
      fresh: (hint) => fresh(node.name, hint),
    });
    const have = snap?.tensors.length ?? 0;
    if (code.used.length !== have) {
      throw onnxError(who, `${have} weights given, the ONNX mapping uses ${code.used.length}${have ? ' (were they taken from another design?)' : ''}`);
    }
    for (const n of code.nodes) {
      nodes.push(n);
      owners.push(node.name);
    }
    initializers.push(...code.initializers);
    tensorOf.set(id, code.output);
  }
  keepZeroPadsBeforeMaxPools(nodes, owners, initializers, fresh);
  for (const id of inf.outputs) {
    const node = byId.get(id)!;
    const shape = inf.nodes[id].outputShape!;
    nodes.push(
      shape.length >= 2
        ? { op: 'Transpose', inputs: [tensorOf.get(id)!], outputs: [node.name], attrs: { perm: { ints: toChannelsLast(shape.length) } } }
        : { op: 'Identity', inputs: [tensorOf.get(id)!], outputs: [node.name] },
    );
    owners.push(node.name);
  }
  const nodeNames = nameAllocator();
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'Convas',
    producerVersion: '0.1.0',
    docString:
      `Exported by Convas (ONNX opset ${ONNX_OPSET}). Inputs and outputs are channels-last like the designer ` +
      `(batch dimension "${BATCH_DIM}" first); inside, tensors are channels-first (NCHW).`,
    graph: {
      name: opts.name?.trim() || 'convas',
      node: nodes.map((n, i) => nodeProto(n, nodeNames(owners[i], n.op))),
      initializer: initializers.map(tensorProto),
      input: inf.inputs.map((id) => valueInfo(byId.get(id)!.name, inf.nodes[id].outputShape!)),
      output: inf.outputs.map((id) => valueInfo(byId.get(id)!.name, inf.nodes[id].outputShape!)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * onnxruntime's default optimisations fold a zero `Pad` into the `MaxPool` after it, as extra `pads` of the pool — but
 * a pool's padded cells are ignored, not zeros, so a window of negative values then yields a negative maximum instead
 * of the 0 a ZeroPadding2D puts there, and a pad as large as the window makes the session refuse the model. The fold
 * only takes a Pad whose constant value is all zero bytes: such a Pad gets -0 as its value, the same number.
 */
function keepZeroPadsBeforeMaxPools(nodes: OnnxNode[], owners: string[], initializers: OnnxInitializer[], fresh: (layer: string, hint: string) => string): void {
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) for (const t of n.inputs) consumers.set(t, [...(consumers.get(t) ?? []), n]);
  nodes.forEach((n, i) => {
    const next = consumers.get(n.outputs[0]);
    if (n.op !== 'Pad' || n.inputs.length !== 2 || next?.length !== 1 || next[0].op !== 'MaxPool') return;
    const value = fresh(owners[i], 'pad_value');
    initializers.push({ name: value, dims: [], float32: Float32Array.of(-0) });
    n.inputs.push(value);
  });
}

/**
 * {@link exportOnnx} with the weights of the tfjs model built from the graph: `weights` (e.g. trained ones) where
 * given, tfjs' initial random weights otherwise (what the CLI and the Export menu use). tfjs is passed in.
 */
export function exportOnnxWithTf(tf: Tf, graph: Graph, weights: WeightSnapshot | null, opts: OnnxExportOptions = {}): Uint8Array {
  const model = buildModel(tf, graph, weights);
  try {
    return exportOnnx(graph, snapshotWeights(model), opts);
  } finally {
    model.dispose();
  }
}
