import pkg from 'onnx-proto';
import { getLayerKind, product, type Shape } from '../../../nodes/index';
import { uniqueName, defaultLayerName } from '../build';
import { checkGraphLimits, IMPORT_LIMITS } from '../import';
import { inferGraph } from '../infer';
import { gridLayout } from '../keras';
import { paramErrors } from '../messages';
import { fail, newProject, ok, type Result } from '../project';
import type { Graph, GraphEdge, GraphNode, ProjectFileV1 } from '../types';
import { isOnnxFileName, ONNX_LIMITS } from './onnx-file';

const { onnx } = pkg;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

export { ONNX_LIMITS, isOnnxFileName };

/**
 * One layer's weights in tfjs order and layouts (Conv2D kernel [kh, kw, C_in, C_out] then bias, DepthwiseConv2D
 * [kh, kw, C, m], Dense [in, out], BatchNormalization γ, β, moving mean, moving variance). Structurally the
 * `WeightSnapshot` of `src/compile/weights.ts`, which this floor may not import.
 */
export interface ImportedLayerWeights {
  layer: string;
  tensors: { name: string; shape: number[]; data: Float32Array }[];
}

export interface OnnxImported {
  project: ProjectFileV1;
  /** The model's weights, layer by layer, ready for `applyWeights`. */
  weights: ImportedLayerWeights[];
  warnings: string[];
}

/** The operators Convas reads (the default ONNX domain), as the error for any other names them. */
export const ONNX_SUPPORTED_OPS = [
  'Conv', 'Gemm', 'MatMul', 'BatchNormalization', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'Gelu', 'Elu', 'Selu',
  'Clip', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Add', 'Mul', 'Concat', 'Flatten', 'Reshape',
  'Squeeze', 'Pad', 'Dropout', 'Identity', 'Transpose', 'Constant',
] as const;

/** A failure that names its ONNX node; caught once at the top so nothing half-built escapes. */
class OnnxError extends Error {}

/**
 * How a Convas tensor (channels-last, batch left out) relates to the ONNX tensor it stands for:
 * - `plain`: the same values in the same order, ONNX shape = [N, ...shape];
 * - `cf` (channels first): ONNX [N, C, H, W] held as Convas [H, W, C], or [N, C, L] as [L, C];
 * - `squeezed`: ONNX [N, C, 1, 1] or [N, C, 1] (a global pooling's output, `sq` ones) held as Convas [C];
 * - `chw-flat`: ONNX [N, C·H·W] in C, H, W order held as Convas [H·W·C] in H, W, C order (a Flatten of NCHW data).
 */
type Layout = 'plain' | 'cf' | 'squeezed' | 'chw-flat';

interface Value {
  /** The Convas node whose output this is. */
  node: string;
  shape: number[];
  layout: Layout;
  /** For `chw-flat`: the C, H, W that were flattened. */
  chw?: [number, number, number];
  /** For `squeezed`: how many spatial axes of size 1 ONNX keeps. */
  sq?: number;
  /** Known to be ≥ 0 (after ReLU and friends): zero padding then leaves a max pooling unchanged. */
  nonNegative?: boolean;
}

interface Const {
  dims: number[];
  data: Float32Array | number[];
}

const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
};

const text = (b: unknown): string => (typeof b === 'string' ? b : b instanceof Uint8Array ? new TextDecoder().decode(b) : String(b ?? ''));

const DTYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** Values of a TensorProto (float types as Float32Array, integer types as numbers), checked against its dims. */
function readTensor(t: TensorProto, what: string): Const {
  const dims = (t.dims ?? []).map(num);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new OnnxError(`${what}: invalid dims [${dims.join(', ')}]`);
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > 2 ** 31) throw new OnnxError(`${what}: dims [${dims.join(', ')}] hold more values than a browser can`);
  }
  if (t.dataLocation === 1) throw new OnnxError(`${what}: the weights are stored in an external file; save the model with its weights inside the .onnx file`);
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const width: Record<number, number> = { 1: 4, 11: 8, 7: 8, 6: 4, 9: 1, 2: 1, 3: 1 };
  if (view && width[type] && view.byteLength !== n * width[type]) {
    throw new OnnxError(`${what}: holds ${view.byteLength} bytes of data, its dims [${dims.join(', ')}] need ${n * width[type]}`);
  }
  let data: Float32Array | number[];
  if (type === 1) {
    data = new Float32Array(n);
    // Aligned little-endian bytes copy at once (every platform tfjs runs on is little-endian); others value by value.
    if (view && view.byteOffset % 4 === 0) data.set(new Float32Array(view.buffer, view.byteOffset, n));
    else if (view) for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
    else data.set(checkLength(t.floatData ?? [], n, what));
  } else if (type === 11) {
    data = new Float32Array(n);
    if (view) for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true);
    else data.set(checkLength(t.doubleData ?? [], n, what));
  } else if (type === 7) {
    data = view ? Array.from({ length: n }, (_, i) => Number(view.getBigInt64(8 * i, true))) : checkLength((t.int64Data ?? []).map(num), n, what);
  } else if (type === 6 || type === 9 || type === 2 || type === 3) {
    const w = width[type];
    data = view
      ? Array.from({ length: n }, (_, i) => (w === 4 ? view.getInt32(4 * i, true) : type === 3 ? view.getInt8(i) : view.getUint8(i)))
      : checkLength((t.int32Data ?? []).map(num), n, what);
  } else {
    throw new OnnxError(`${what}: data type ${DTYPE_NAMES[type] ?? type} is not supported (Convas reads float32, float64 and integer tensors)`);
  }
  return { dims, data };
}

function checkLength<T>(a: T[], n: number, what: string): T[] {
  if (a.length !== n) throw new OnnxError(`${what}: holds ${a.length} values, its dims need ${n}`);
  return a;
}

/** Attributes of one node, each read once; unknown names are refused up front so nothing is silently ignored. */
class Attrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(private readonly where: string, node: NodeProto, allowed: readonly string[]) {
    for (const a of node.attribute ?? []) {
      const name = a.name ?? '';
      if (!allowed.includes(name)) throw new OnnxError(`${where}: attribute "${name}" is not supported${allowed.length ? ` (Convas reads ${allowed.join(', ')})` : ''}`);
      this.byName.set(name, a as AttributeProto);
    }
  }
  has(name: string) {
    return this.byName.has(name);
  }
  int(name: string, d: number): number {
    const a = this.byName.get(name);
    return a ? num(a.i) : d;
  }
  float(name: string, d: number): number {
    const a = this.byName.get(name);
    return a ? shortestFloat32(a.f ?? d) : d;
  }
  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(num) : undefined;
  }
  string(name: string, d: string): string {
    const a = this.byName.get(name);
    return a ? text(a.s) : d;
  }
  tensor(name: string): TensorProto | undefined {
    return (this.byName.get(name)?.t as TensorProto | undefined) ?? undefined;
  }
  /** Refuses an attribute whose value Convas cannot honour, naming it. */
  refuse(name: string, value: unknown, why: string): never {
    throw new OnnxError(`${this.where}: attribute "${name}"=${JSON.stringify(value)} is not supported (${why})`);
  }
}

/** The shortest decimal with the same float32 value: ONNX stores ε = 1e-5 as 9.999999747378752e-6. */
function shortestFloat32(x: number): number {
  const f = Math.fround(x);
  for (let p = 1; p < 10; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** TF 'same' padding for one axis: [before, after]. */
function tfSamePads(input: number, kernel: number, stride: number, dilation: number): [number, number] {
  const dk = (kernel - 1) * dilation + 1;
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + dk - input, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

type Padding = { padding: 'same' | 'valid' } | { zeroPad: [[number, number], [number, number]] };

/**
 * ONNX pads (or auto_pad) over the spatial axes as Keras sees them: 'same' when they equal TF's, 'valid' when zero,
 * explicit (a ZeroPadding2D before the layer) otherwise, which only 2-D layers have.
 */
function resolvePadding(at: Attrs, spatial: number[], kernel: number[], strides: number[], dilations: number[]): Padding {
  const n = spatial.length;
  const auto = at.string('auto_pad', 'NOTSET');
  const same = spatial.map((d, i) => tfSamePads(d, kernel[i], strides[i], dilations[i]));
  if (auto === 'VALID') return { padding: 'valid' };
  if (auto === 'SAME_UPPER') return { padding: 'same' };
  let pads: number[];
  if (auto === 'SAME_LOWER') pads = [...same.map((p) => p[1]), ...same.map((p) => p[0])];
  else if (auto === 'NOTSET') pads = at.ints('pads') ?? new Array<number>(2 * n).fill(0);
  else return at.refuse('auto_pad', auto, 'expected NOTSET, SAME_UPPER, SAME_LOWER or VALID');
  if (pads.length !== 2 * n || pads.some((p) => p < 0)) at.refuse('pads', pads, `expected ${2 * n} pads ≥ 0`);
  if (pads.every((p) => p === 0)) return { padding: 'valid' };
  if (same.every((p, i) => pads[i] === p[0] && pads[i + n] === p[1])) return { padding: 'same' };
  if (n !== 2) at.refuse('pads', pads, 'they differ from TF \'same\' padding, and Convas has no 1-D zero padding layer');
  return { zeroPad: [[pads[0], pads[2]], [pads[1], pads[3]]] };
}

/** The module path of an ONNX node: `/layer1/conv1` for PyTorch's `/layer1/conv1/Conv`, `conv1` for Convas' `conv1/Relu`. */
function ownerPath(n: NodeProto): string {
  const name = n.name ?? '';
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : '';
}

/** Layer names from ONNX node names (`layer1/conv1` → `layer1_conv1`), safe for tfjs and Keras. */
function cleanName(raw: string, fallback: string): string {
  const s = raw.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[_.-]+|[_.-]+$/g, '').slice(0, 120);
  return /^[A-Za-z]/.test(s) ? s : s ? `${fallback}_${s}` : fallback;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The ONNX shape of a value, batch 1. */
function onnxShape(v: Value): number[] {
  if (v.layout === 'cf') return [1, v.shape[v.shape.length - 1], ...v.shape.slice(0, -1)];
  if (v.layout === 'squeezed') return [1, v.shape[0], ...new Array<number>(v.sq ?? 2).fill(1)];
  return [1, ...v.shape];
}

class Importer {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly weights: ImportedLayerWeights[] = [];
  readonly warnings: string[] = [];
  private readonly names = new Set<string>();
  private readonly values = new Map<string, Value>();
  private readonly consts = new Map<string, Const>();
  /** Outputs of nodes folded into an earlier layer (the Add after a MatMul): they alias that layer's output. */
  private readonly fused = new Set<NodeProto>();
  private readonly consumers = new Map<string, NodeProto[]>();
  private readonly squeezedAsMap = new Map<string, Value>();
  private opset = 13;
  private label(n: NodeProto): string {
    return n.name || (n.output ?? [])[0] || n.opType || 'layer';
  }

  constructor(private readonly model: InstanceType<typeof onnx.ModelProto>) {}

  run(): void {
    const g = this.model.graph;
    if (!g) throw new OnnxError('the file holds no graph');
    for (const o of this.model.opsetImport ?? []) if (!o.domain || o.domain === 'ai.onnx') this.opset = num(o.version);
    const nodes = (g.node ?? []) as NodeProto[];
    if (nodes.length > ONNX_LIMITS.maxNodes) throw new OnnxError(`the graph has ${fmt(nodes.length)} nodes; the limit is ${fmt(ONNX_LIMITS.maxNodes)}`);
    const inits = new Map<string, TensorProto>();
    for (const t of g.initializer ?? []) inits.set(t.name ?? '', t as TensorProto);
    for (const t of inits.values()) this.consts.set(t.name ?? '', readTensor(t, `initializer "${t.name}"`));
    for (const n of nodes) for (const i of n.input ?? []) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);

    // Only what the outputs depend on: exporters leave dead branches and unused constants behind.
    const producer = new Map<string, NodeProto>();
    for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
    const outputs = (g.output ?? []).map((o) => o.name ?? '');
    if (!outputs.length) throw new OnnxError('the graph has no outputs');
    const needed = new Set<NodeProto>();
    const stack = [...outputs];
    const seenTensor = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seenTensor.has(t)) continue;
      seenTensor.add(t);
      const p = producer.get(t);
      if (p && !needed.has(p)) {
        needed.add(p);
        for (const i of p.input ?? []) if (i) stack.push(i);
      }
    }

    for (const inp of g.input ?? []) {
      const name = inp.name ?? '';
      if (inits.has(name) || !seenTensor.has(name)) continue;
      this.addInput(name, inp as InstanceType<typeof onnx.ValueInfoProto>);
    }
    if (!this.values.size) throw new OnnxError('the graph has no input that its outputs depend on');

    for (const n of nodes) {
      if (!needed.has(n) || this.fused.has(n)) continue;
      this.convert(n);
    }
    for (const o of outputs) {
      const v = this.values.get(o);
      if (!v) throw new OnnxError(`output "${o}" is not computed by any node`);
      if (this.nodes.find((n) => n.id === v.node)?.kind === 'Input') throw new OnnxError(`output "${o}" is the model's input itself; there is nothing to import`);
      if (v.layout === 'cf') this.warnings.push(`output "${o}" is channels-first in ONNX; in Convas it is channels-last (${v.shape.join('×')})`);
      if (v.layout === 'chw-flat') this.warnings.push(`output "${o}" is a flattened NCHW tensor; in Convas its values come in H·W·C order`);
      if (this.edges.some((e) => e.source === v.node)) this.warnings.push(`output "${o}" also feeds other layers, so Convas does not show it as a model output`);
    }
    this.finalNames();
  }

  private addInput(name: string, info: InstanceType<typeof onnx.ValueInfoProto>): void {
    const where = `input "${name}"`;
    const tt = info.type?.tensorType;
    if (!tt) throw new OnnxError(`${where}: not a tensor`);
    if (tt.elemType !== 1) throw new OnnxError(`${where}: element type ${DTYPE_NAMES[tt.elemType ?? 0] ?? tt.elemType} is not supported (Convas inputs are float32)`);
    const dims = (tt.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? num(d.dimValue) : null));
    if (dims.length < 2 || dims.length > 4) throw new OnnxError(`${where}: rank ${dims.length} is not supported (Convas takes [batch, features], [batch, C, L] or [batch, C, H, W])`);
    const rest = dims.slice(1);
    if (rest.some((d) => d === null)) throw new OnnxError(`${where}: shape [${dims.map((d) => d ?? '?').join(', ')}] has an unknown size besides the batch; Convas needs fixed sizes`);
    const r = rest as number[];
    let layout: Layout = 'plain';
    let shape = r;
    if (dims.length >= 3) {
      // Models from Keras (tf2onnx, Convas) take channels-last data and transpose it at once; the rest is NCHW / NCL.
      const users = this.consumers.get(name) ?? [];
      const last = users.length > 0 && users.every((u) => u.opType === 'Transpose' && JSON.stringify(permOf(u)) === JSON.stringify(toChannelsFirst(dims.length)));
      if (!last) {
        layout = 'cf';
        shape = [...r.slice(1), r[0]];
      }
    }
    const id = this.addNode('Input', { shape }, [], name, 'input');
    this.values.set(name, { node: id, shape, layout });
  }

  /**
   * Adds a node, checks its params and infers its shape through the kind; returns its id. `helper`: the node serves
   * another layer (the ZeroPadding2D before a conv): named after it with this suffix once names are final.
   */
  private addNode(kind: string, params: Record<string, unknown>, inputs: Value[], onnxName: string, where: string, helper?: { suffix: string; of?: string }): string {
    const k = getLayerKind(kind)!;
    const r = k.params.safeParse(params);
    if (!r.success) {
      const errs = paramErrors(k.params, params, r.error.issues);
      throw new OnnxError(`${where}: as ${kind}: ${errs.map((e) => e.message).join('; ')}`);
    }
    const shapes: Shape[] = inputs.map((v) => v.shape);
    const inferred = k.inferShape(shapes, r.data);
    if ('error' in inferred) throw new OnnxError(`${where}: as ${kind} on ${shapes.map((s) => s.join('×')).join(' and ')}: ${inferred.error.message}`);
    const id = `n${this.nodes.length}`;
    const name = uniqueName(cleanName(onnxName, defaultLayerName(kind)), this.names);
    this.names.add(name);
    this.nodes.push({ id, kind, name, params, position: { x: 0, y: 0 } });
    this.origin.push({ onnx: this.current, label: onnxName, helper });
    inputs.forEach((v, i) => this.edges.push({ id: `e${this.edges.length}`, source: v.node, target: id, targetIndex: i }));
    this.lastShape = [...inferred.shape];
    return id;
  }

  private lastShape: number[] = [];
  /** The ONNX node being converted, so the nodes it adds know where they come from. */
  private current: NodeProto | null = null;
  /** Per Convas node (by index): the ONNX node it came from, its provisional label, and whether it serves another. */
  private readonly origin: { onnx: NodeProto | null; label: string; helper?: { suffix: string; of?: string } }[] = [];

  /**
   * Final names: a layer that is the only one made from an ONNX module path (PyTorch's `/layer1/conv1/Conv`, Convas'
   * `conv1/Conv` + `conv1/Relu`) is named after the path (`layer1_conv1`, `conv1`); others keep their node's name;
   * helpers take their layer's name with a suffix. Weights follow their layer.
   */
  finalNames(): void {
    const groups = new Map<string, number>();
    const ownerAt = this.origin.map((o, i) => (o.helper || this.nodes[i].kind === 'Input' || !o.onnx ? '' : ownerPath(o.onnx)));
    for (const w of ownerAt) if (w) groups.set(w, (groups.get(w) ?? 0) + 1);
    const taken = new Set<string>();
    const renamed = new Map<string, string>();
    const order = this.nodes.map((_, i) => i).sort((a, b) => Number(!!this.origin[a].helper) - Number(!!this.origin[b].helper) || Number(this.nodes[b].kind === 'Input') - Number(this.nodes[a].kind === 'Input') || a - b);
    const mainOf = (o: NodeProto | null) => this.origin.findIndex((x, i) => x.onnx === o && !x.helper && this.nodes[i].kind !== 'Input');
    for (const i of order) {
      const node = this.nodes[i];
      const o = this.origin[i];
      let base: string;
      if (o.helper) {
        const main = o.helper.of !== undefined ? Number(o.helper.of.slice(1)) : mainOf(o.onnx);
        base = `${main >= 0 ? renamed.get(this.nodes[main].id) ?? this.nodes[main].name : cleanName(o.label, 'layer')}${o.helper.suffix}`;
      } else {
        const w = ownerAt[i];
        base = cleanName(w && groups.get(w) === 1 ? w : o.label, defaultLayerName(node.kind));
      }
      const name = uniqueName(base, taken);
      taken.add(name);
      renamed.set(node.id, name);
    }
    const byOld = new Map(this.nodes.map((n) => [n.name, renamed.get(n.id)!]));
    for (const n of this.nodes) n.name = renamed.get(n.id)!;
    for (const w of this.weights) {
      const name = byOld.get(w.layer)!;
      w.tensors = w.tensors.map((t) => ({ ...t, name: `${name}/${t.name.slice(w.layer.length + 1)}` }));
      w.layer = name;
    }
  }

  /** How many ONNX nodes read tensor `t` (graph outputs count as readers). */
  private readers(t: string): number {
    return (this.consumers.get(t) ?? []).length + (this.isGraphOutput(t) ? 1 : 0);
  }

  /**
   * Applies an activation read from ONNX node(s) `n` to value `x` (tensor `input`) and binds the result to tensor
   * `output`. When the exporter made both from one layer (same module path, as Convas writes `conv1/Conv`,
   * `conv1/Relu`), it becomes that conv or dense layer's own activation; otherwise an Activation layer.
   */
  private applyActivation(n: NodeProto, where: string, input: string, x: Value, activation: string, output: string, nonNegative: boolean, readers = 1): void {
    const i = Number(x.node.slice(1));
    const prev = this.nodes[i];
    const fusable = ['Conv1D', 'Conv2D', 'DepthwiseConv2D', 'Dense'].includes(prev.kind) && prev.params.activation === 'linear';
    const owner = ownerPath(n);
    const from = this.origin[i].onnx;
    if (fusable && owner && from && ownerPath(from) === owner && this.readers(input) === readers) {
      prev.params = { ...prev.params, activation };
      this.values.set(output, { ...x, nonNegative });
      return;
    }
    const id = this.addNode('Activation', { activation }, [x], this.label(n), where);
    this.values.set(output, { node: id, shape: this.lastShape, layout: x.layout, chw: x.chw, sq: x.sq, nonNegative });
  }

  private nameOf(id: string): string {
    return this.nodes[Number(id.slice(1))].name;
  }

  private value(name: string, where: string): Value {
    const v = this.values.get(name);
    if (v) return v;
    if (this.consts.has(name)) throw new OnnxError(`${where}: input "${name}" is a constant tensor where Convas needs the data flowing through the model`);
    throw new OnnxError(`${where}: input "${name}" is not produced by any node before it`);
  }

  private constant(name: string | undefined, where: string, what: string): Const {
    const c = name ? this.consts.get(name) : undefined;
    if (!c) throw new OnnxError(`${where}: ${what} ("${name ?? ''}") must be a constant (an initializer or a Constant node)`);
    return c;
  }

  private optConstant(name: string | undefined, where: string, what: string): Const | undefined {
    return name ? this.constant(name, where, what) : undefined;
  }

  /** A squeezed [C] value as channels-first [1, 1, C] for ops that need the spatial axes back (a Reshape node, made once). */
  private asCf(v: Value, where: string, onnxName: string): Value {
    if (v.layout === 'cf') return v;
    if (v.layout !== 'squeezed') throw new OnnxError(`${where}: expects channels-first data ([N, C, H, W] or [N, C, L]), got a rank-${onnxShape(v).length} tensor`);
    const hit = this.squeezedAsMap.get(v.node);
    if (hit) return hit;
    const shape = [...new Array<number>(v.sq ?? 2).fill(1), v.shape[0]];
    const id = this.addNode('Reshape', { targetShape: shape }, [v], `${onnxName}_to_map`, where, { suffix: '_to_map', of: v.node });
    const out: Value = { node: id, shape, layout: 'cf', nonNegative: v.nonNegative };
    this.squeezedAsMap.set(v.node, out);
    return out;
  }

  private set(n: NodeProto, v: Value, outputIndex = 0): void {
    this.values.set((n.output ?? [])[outputIndex] ?? '', v);
  }

  /** Outputs after the first that something reads: Convas layers have one output. */
  private onlyFirstOutput(n: NodeProto, where: string): void {
    (n.output ?? []).slice(1).forEach((o, i) => {
      if (o && this.consumers.has(o)) throw new OnnxError(`${where}: output ${i + 2} ("${o}") is used, but Convas layers have one output`);
    });
  }

  private layer(n: NodeProto, where: string, kind: string, params: Record<string, unknown>, x: Value, extra: Partial<Value> = {}): Value {
    const id = this.addNode(kind, params, [x], this.label(n), where);
    const v: Value = { node: id, shape: this.lastShape, layout: x.layout, sq: x.sq, ...extra };
    if (v.layout === 'chw-flat' && !v.chw) v.chw = x.chw;
    this.set(n, v);
    return v;
  }

  private activation(n: NodeProto, where: string, x: Value, activation: string, nonNegative = false): void {
    this.applyActivation(n, where, (n.input ?? [])[0] ?? '', x, activation, (n.output ?? [])[0] ?? '', nonNegative);
  }

  convert(n: NodeProto): void {
    this.current = n;
    const op = n.opType ?? '';
    const where = `node "${n.name || (n.output ?? [])[0] || '?'}" (${op})`;
    if (n.domain && n.domain !== 'ai.onnx') throw new OnnxError(`${where}: operator ${n.domain}.${op} is not supported (only the standard ONNX domain)`);
    const ins = n.input ?? [];
    const attrs = (allowed: readonly string[]) => new Attrs(where, n, allowed);
    switch (op) {
      case 'Constant': {
        const at = attrs(['value', 'value_float', 'value_floats', 'value_int', 'value_ints']);
        const t = at.tensor('value');
        let c: Const;
        if (t) c = readTensor(t, where);
        else if (at.has('value_float')) c = { dims: [], data: new Float32Array([at.float('value_float', 0)]) };
        else if (at.has('value_int')) c = { dims: [], data: [at.int('value_int', 0)] };
        else if (at.has('value_ints')) {
          const v = at.ints('value_ints')!;
          c = { dims: [v.length], data: v };
        } else throw new OnnxError(`${where}: has no value Convas can read`);
        this.consts.set((n.output ?? [])[0] ?? '', c);
        return;
      }
      case 'Identity': {
        attrs([]);
        const src = ins[0] ?? '';
        if (this.consts.has(src) && !this.values.has(src)) this.consts.set((n.output ?? [])[0] ?? '', this.consts.get(src)!);
        else this.set(n, this.value(src, where));
        return;
      }
      case 'Conv':
        return this.conv(n, where, attrs(['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']));
      case 'Gemm':
        return this.gemm(n, where, attrs(['alpha', 'beta', 'transA', 'transB']));
      case 'MatMul':
        attrs([]);
        return this.matmul(n, where);
      case 'BatchNormalization':
        return this.batchNorm(n, where, attrs(['epsilon', 'momentum', 'spatial', 'training_mode']));
      case 'Relu':
        attrs([]);
        return this.activation(n, where, this.value(ins[0], where), 'relu', true);
      case 'Sigmoid': {
        attrs([]);
        const x = this.value(ins[0], where);
        // x · sigmoid(x), as Keras' swish is exported.
        const mul = this.onlyUser((n.output ?? [])[0] ?? '', 'Mul', ins[0]);
        if (mul) {
          this.fused.add(mul);
          return this.applyActivation(n, where, ins[0], x, 'swish', (mul.output ?? [])[0] ?? '', false, 2);
        }
        return this.activation(n, where, x, 'sigmoid', true);
      }
      case 'Tanh':
        attrs([]);
        return this.activation(n, where, this.value(ins[0], where), 'tanh');
      case 'Gelu': {
        const at = attrs(['approximate']);
        const a = at.string('approximate', 'none');
        if (a !== 'none') at.refuse('approximate', a, 'Convas\' gelu is the exact, erf-based one');
        return this.activation(n, where, this.value(ins[0], where), 'gelu');
      }
      case 'Elu': {
        const at = attrs(['alpha']);
        const a = at.float('alpha', 1);
        if (Math.abs(a - 1) > 1e-6) at.refuse('alpha', a, 'Convas\' elu has alpha 1');
        return this.activation(n, where, this.value(ins[0], where), 'elu');
      }
      case 'Selu': {
        const at = attrs(['alpha', 'gamma']);
        const a = at.float('alpha', 1.67326319217681884765625);
        const g = at.float('gamma', 1.05070102214813232421875);
        if (Math.abs(a - 1.6732632) > 1e-5) at.refuse('alpha', a, 'Convas\' selu uses the standard constants');
        if (Math.abs(g - 1.0507010) > 1e-5) at.refuse('gamma', g, 'Convas\' selu uses the standard constants');
        return this.activation(n, where, this.value(ins[0], where), 'selu');
      }
      case 'LeakyRelu': {
        const at = attrs(['alpha']);
        const x = this.value(ins[0], where);
        this.layer(n, where, 'LeakyReLU', { alpha: at.float('alpha', 0.01) }, x);
        return;
      }
      case 'Softmax':
        return this.softmax(n, where, attrs(['axis']));
      case 'Clip':
        return this.clip(n, where, attrs(['min', 'max']));
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(n, where, op, attrs(['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'strides', 'storage_order', 'count_include_pad']));
      case 'GlobalAveragePool':
      case 'GlobalMaxPool': {
        attrs([]);
        const x = this.asCf(this.value(ins[0], where), where, this.label(n));
        const d = x.shape.length - 1;
        this.layer(n, where, `${op === 'GlobalMaxPool' ? 'GlobalMaxPooling' : 'GlobalAveragePooling'}${d}D`, {}, x, { layout: 'squeezed', sq: d, nonNegative: x.nonNegative });
        return;
      }
      case 'Add':
      case 'Mul':
        attrs([]);
        return this.merge(n, where, op === 'Add' ? 'Add' : 'Multiply');
      case 'Concat':
        return this.concat(n, where, attrs(['axis']));
      case 'Flatten': {
        const at = attrs(['axis']);
        const x = this.value(ins[0], where);
        const axis = at.int('axis', 1);
        const rank = onnxShape(x).length;
        if ((axis < 0 ? axis + rank : axis) !== 1) at.refuse('axis', axis, 'Convas flattens everything but the batch axis (axis 1)');
        return this.set(n, this.flatten(n, where, x));
      }
      case 'Reshape':
        return this.reshape(n, where, attrs(['allowzero']));
      case 'Squeeze':
        return this.squeeze(n, where, attrs(['axes']));
      case 'Transpose':
        return this.transpose(n, where, attrs(['perm']));
      case 'Pad':
        return this.pad(n, where, attrs(['mode', 'pads', 'value']));
      case 'Dropout':
        return this.dropout(n, where, attrs(['ratio', 'seed', 'is_test']));
      case 'Div':
        attrs([]);
        if (this.erfGelu(n, where)) return;
        throw new OnnxError(`${where}: operator Div is not supported (Convas reads it only inside the x·½(1 + erf(x/√2)) of an exported GELU)`);
      default:
        throw new OnnxError(`${where}: operator ${op} is not supported (Convas imports ${ONNX_SUPPORTED_OPS.filter((o) => o !== 'Constant').join(', ')})`);
    }
  }

  /** The only consumer of output `t`, when it is a node of type `op` whose other input is `other` (a tensor name, or a constant near a value). */
  private onlyUser(t: string, op: string, other: string | number): NodeProto | undefined {
    const users = this.consumers.get(t) ?? [];
    if (users.length !== 1 || users[0].opType !== op || this.isGraphOutput(t)) return undefined;
    const ins = users[0].input ?? [];
    if (op === 'Erf') return ins.length === 1 ? users[0] : undefined;
    const rest = ins.filter((i) => i !== t);
    if (ins.length !== 2 || rest.length !== 1) return undefined;
    if (typeof other === 'string') return rest[0] === other ? users[0] : undefined;
    const c = this.consts.get(rest[0]);
    return c && c.data.length === 1 && Math.abs(Number(c.data[0]) - other) < 1e-4 ? users[0] : undefined;
  }

  /** PyTorch before opset 20 exports GELU as Div(x, √2) → Erf → Add 1 → Mul x → Mul ½: one gelu Activation. */
  private erfGelu(n: NodeProto, where: string): boolean {
    const [x, d] = n.input ?? [];
    const c = this.consts.get(d);
    if (!this.values.has(x) || !c || c.data.length !== 1 || Math.abs(Number(c.data[0]) - Math.SQRT2) > 1e-4) return false;
    const out = (m?: NodeProto) => (m?.output ?? [])[0] ?? '';
    const erf = this.onlyUser(out(n), 'Erf', 0);
    const add = erf && this.onlyUser(out(erf), 'Add', 1);
    if (!add) return false;
    // PyTorch multiplies by x, then by ½; Convas' export by ½, then by x.
    const mulX = this.onlyUser(out(add), 'Mul', x);
    const mulHalf = this.onlyUser(out(add), 'Mul', 0.5);
    const last = mulX ? this.onlyUser(out(mulX), 'Mul', 0.5) : mulHalf && this.onlyUser(out(mulHalf), 'Mul', x);
    if (!last) return false;
    for (const m of [erf, add, mulX ?? mulHalf, last]) this.fused.add(m!);
    this.applyActivation(n, where, x, this.value(x, where), 'gelu', out(last), false, 2);
    return true;
  }

  private conv(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.asCf(this.value(ins[0], where), where, this.label(n));
    const w = this.constant(ins[1], where, 'the weight');
    const b = this.optConstant(ins[2], where, 'the bias');
    const dims = w.dims.length - 2;
    if (dims !== 1 && dims !== 2) throw new OnnxError(`${where}: a ${dims}-D convolution is not supported (Convas imports 1-D and 2-D ones)`);
    if (x.shape.length - 1 !== dims) throw new OnnxError(`${where}: a ${dims}-D kernel on a ${x.shape.length - 1}-D input`);
    const [O, Ig, kh, kw = 1] = w.dims;
    const C = x.shape[x.shape.length - 1];
    const group = at.int('group', 1);
    const k = w.dims.slice(2);
    const ks = at.ints('kernel_shape');
    if (ks && JSON.stringify(ks) !== JSON.stringify(k)) at.refuse('kernel_shape', ks, `the weight is ${k.join('×')}`);
    const strides = at.ints('strides') ?? k.map(() => 1);
    const dil = at.ints('dilations') ?? k.map(() => 1);
    let kind: 'Conv1D' | 'Conv2D' | 'DepthwiseConv2D';
    if (group === 1) {
      if (Ig !== C) throw new OnnxError(`${where}: the weight takes ${Ig} input channels, the input has ${C}`);
      kind = dims === 1 ? 'Conv1D' : 'Conv2D';
    } else if (dims === 2 && group === C && Ig === 1 && O % C === 0) {
      kind = 'DepthwiseConv2D';
      if (dil.some((d) => d !== 1)) at.refuse('dilations', dil, 'a dilated depthwise convolution has no tfjs equivalent');
    } else {
      at.refuse('group', group, `Convas imports group 1 or group = input channels (${C}), a depthwise convolution`);
    }
    if (b && (b.data.length !== O)) throw new OnnxError(`${where}: the bias has ${b.data.length} values for ${O} output channels`);
    const pad = resolvePadding(at, x.shape.slice(0, -1), k, strides, dil);
    let input = x;
    if ('zeroPad' in pad) input = this.zeroPad(n, where, x, pad.zeroPad);
    const padding = 'padding' in pad ? pad.padding : 'valid';
    const params: Record<string, unknown> =
      kind === 'Conv2D'
        ? { filters: O, kernelSize: [kh, kw], strides, padding, dilationRate: dil, activation: 'linear', useBias: !!b }
        : kind === 'Conv1D'
          ? { filters: O, kernelSize: kh, strides: strides[0], padding, dilationRate: dil[0], activation: 'linear', useBias: !!b }
          : { kernelSize: [kh, kw], strides, padding, depthMultiplier: O / C, activation: 'linear', useBias: !!b };
    const v = this.layer(n, where, kind, params, input, { layout: 'cf', nonNegative: false });
    const src = w.data as Float32Array;
    const kernel = new Float32Array(src.length);
    if (kind !== 'DepthwiseConv2D') {
      // OIHW → HWIO (OIL → LIO with kw = 1)
      for (let o = 0; o < O; o++) for (let i = 0; i < Ig; i++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) {
        kernel[((y * kw + z) * Ig + i) * O + o] = src[((o * Ig + i) * kh + y) * kw + z];
      }
    } else {
      // [C·m, 1, kh, kw] → [kh, kw, C, m]: output channel c·m + j reads input channel c.
      const m = O / C;
      for (let c = 0; c < C; c++) for (let j = 0; j < m; j++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) {
        kernel[((y * kw + z) * C + c) * m + j] = src[((c * m + j) * kh + y) * kw + z];
      }
    }
    const name = this.nameOf(v.node);
    const shape = kind === 'Conv2D' ? [kh, kw, Ig, O] : kind === 'Conv1D' ? [kh, Ig, O] : [kh, kw, C, O / C];
    const tensors = [{ name: `${name}/${kind === 'Conv2D' ? 'kernel' : 'depthwise_kernel'}`, shape, data: kernel }];
    if (b) tensors.push({ name: `${name}/bias`, shape: [O], data: Float32Array.from(b.data) });
    this.weights.push({ layer: name, tensors });
  }

  private zeroPad(n: NodeProto, where: string, x: Value, padding: [[number, number], [number, number]]): Value {
    const id = this.addNode('ZeroPadding2D', { padding }, [x], `${this.label(n)}_pad`, where, { suffix: '_pad' });
    return { node: id, shape: this.lastShape, layout: 'cf', nonNegative: x.nonNegative };
  }

  /** Dense weights [in, out] from ONNX's, rows reordered from C·H·W to H·W·C when the input is a flattened NCHW map. */
  private dense(n: NodeProto, where: string, x: Value, kernel: Float32Array, K: number, N: number, bias: Float32Array | null): void {
    if (x.layout === 'cf' || x.layout === 'squeezed') throw new OnnxError(`${where}: expects a matrix [batch, features], got a rank-${onnxShape(x).length} tensor`);
    if (x.shape[x.shape.length - 1] !== K) throw new OnnxError(`${where}: the weight takes ${K} features, the input has ${x.shape[x.shape.length - 1]}`);
    let k = kernel;
    if (x.layout === 'chw-flat') {
      const [C, H, W] = x.chw!;
      k = new Float32Array(kernel.length);
      for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
        const from = (c * H + h) * W + w;
        const to = (h * W + w) * C + c;
        k.set(kernel.subarray(from * N, from * N + N), to * N);
      }
    }
    const v = this.layer(n, where, 'Dense', { units: N, activation: 'linear', useBias: !!bias }, x, { layout: 'plain', chw: undefined, nonNegative: false });
    const name = this.nameOf(v.node);
    const tensors = [{ name: `${name}/kernel`, shape: [K, N], data: k }];
    if (bias) tensors.push({ name: `${name}/bias`, shape: [N], data: bias });
    this.weights.push({ layer: name, tensors });
  }

  private gemm(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    if (at.int('transA', 0) !== 0) at.refuse('transA', at.int('transA', 0), 'the data must come first, untransposed');
    const transB = at.int('transB', 0);
    const alpha = at.float('alpha', 1);
    const beta = at.float('beta', 1);
    const B = this.constant(ins[1], where, 'the weight');
    const Cc = this.optConstant(ins[2], where, 'the bias');
    if (B.dims.length !== 2) throw new OnnxError(`${where}: the weight has rank ${B.dims.length}, expected 2`);
    const [K, N] = transB ? [B.dims[1], B.dims[0]] : B.dims;
    const kernel = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) kernel[k * N + j] = alpha * (transB ? B.data[j * K + k] : B.data[k * N + j]);
    let bias: Float32Array | null = null;
    if (Cc) {
      const size = Cc.data.length;
      if (size !== N && size !== 1) throw new OnnxError(`${where}: the bias has ${size} values for ${N} outputs (Convas adds one bias per output)`);
      bias = Float32Array.from({ length: N }, (_, j) => beta * Cc.data[size === 1 ? 0 : j]);
    }
    this.dense(n, where, x, kernel, K, N, bias);
  }

  private matmul(n: NodeProto, where: string): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    const B = this.constant(ins[1], where, 'the weight');
    if (B.dims.length !== 2) throw new OnnxError(`${where}: the weight has rank ${B.dims.length}, expected 2 (a matrix)`);
    if (x.layout === 'cf') throw new OnnxError(`${where}: a MatMul over the last axis of channels-first data has no Convas layer (a Transpose to NHWC first makes it a Dense)`);
    const [K, N] = B.dims;
    // The bias of a Linear on rank > 2 comes as a separate Add of a constant: fold it into the Dense.
    const out = (n.output ?? [])[0] ?? '';
    const users = this.consumers.get(out) ?? [];
    let bias: Float32Array | null = null;
    const add = users.length === 1 && users[0].opType === 'Add' && !this.isGraphOutput(out) ? users[0] : undefined;
    if (add) {
      const other = (add.input ?? []).find((i) => i !== out);
      const c = other !== undefined ? this.consts.get(other) : undefined;
      if (c && c.data.length === N && c.dims[c.dims.length - 1] === N) {
        bias = Float32Array.from(c.data);
        this.fused.add(add);
      }
    }
    this.dense(n, where, x, Float32Array.from(B.data), K, N, bias);
    if (bias && add) this.values.set((add.output ?? [])[0] ?? '', this.values.get(out)!);
  }

  private isGraphOutput(name: string): boolean {
    return (this.model.graph?.output ?? []).some((o) => o.name === name);
  }

  private batchNorm(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    if (at.int('spatial', 1) !== 1) at.refuse('spatial', 0, 'per-position statistics have no Convas layer');
    if (at.int('training_mode', 0) !== 0) at.refuse('training_mode', 1, 'Convas imports models exported for inference');
    this.onlyFirstOutput(n, where);
    if (x.layout === 'chw-flat') throw new OnnxError(`${where}: normalising a flattened NCHW tensor is not supported`);
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => this.constant(ins[i], where, ['', 'the scale', 'the bias', 'the mean', 'the variance'][i]));
    const C = onnxShape(x)[1];
    for (const t of [gamma, beta, mean, variance]) if (t.data.length !== C) throw new OnnxError(`${where}: expects ${C} values per statistic, got ${t.data.length}`);
    // ONNX normalises axis 1: the channels of NCHW (Convas' last axis), or the first axis after the batch otherwise.
    const axis = x.layout === 'plain' && x.shape.length > 1 ? 1 : -1;
    const v = this.layer(n, where, 'BatchNormalization', { axis, momentum: at.float('momentum', 0.9), epsilon: at.float('epsilon', 1e-5), center: true, scale: true }, x, { nonNegative: false });
    const name = this.nameOf(v.node);
    const f = (c: Const) => Float32Array.from(c.data);
    this.weights.push({
      layer: name,
      tensors: [
        { name: `${name}/gamma`, shape: [C], data: f(gamma) },
        { name: `${name}/beta`, shape: [C], data: f(beta) },
        { name: `${name}/moving_mean`, shape: [C], data: f(mean) },
        { name: `${name}/moving_variance`, shape: [C], data: f(variance) },
      ],
    });
  }

  private softmax(n: NodeProto, where: string, at: Attrs): void {
    const x = this.value((n.input ?? [])[0], where);
    const rank = onnxShape(x).length;
    const raw = at.int('axis', this.opset >= 13 ? -1 : 1);
    const axis = raw < 0 ? raw + rank : raw;
    // Before opset 13, Softmax flattened everything from `axis` on; over one axis only when the rest is 1.
    const tail = onnxShape(x).slice(axis + 1).every((d) => d === 1);
    const lastAxis = x.layout === 'cf' ? axis === 1 && (this.opset >= 13 || tail) : x.layout === 'squeezed' ? axis === 1 : axis === rank - 1;
    if (!lastAxis) at.refuse('axis', raw, 'Convas applies softmax over the channels (its last axis)');
    this.activation(n, where, x, 'softmax', true);
  }

  private clip(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    const scalar = (i: number, what: string) => {
      const c = this.optConstant(ins[i], where, what);
      if (c && c.data.length !== 1) throw new OnnxError(`${where}: ${what} must be one value`);
      return c ? Number(c.data[0]) : undefined;
    };
    const min = this.opset >= 11 ? scalar(1, 'the minimum') : at.has('min') ? at.float('min', 0) : undefined;
    const max = this.opset >= 11 ? scalar(2, 'the maximum') : at.has('max') ? at.float('max', 0) : undefined;
    const unbounded = max === undefined || max >= 3.4e38;
    if (min === 0 && !unbounded && Math.abs(max! - 6) < 1e-6) return this.activation(n, where, x, 'relu6', true);
    if (min === 0 && unbounded) return this.activation(n, where, x, 'relu', true);
    throw new OnnxError(`${where}: Clip(${min ?? '-∞'}, ${max ?? '∞'}) has no Convas activation (only Clip(0, 6) → relu6 and Clip(0, ∞) → relu)`);
  }

  private pool(n: NodeProto, where: string, op: string, at: Attrs): void {
    const max = op === 'MaxPool';
    this.onlyFirstOutput(n, where);
    const x = this.asCf(this.value((n.input ?? [])[0], where), where, this.label(n));
    const dims = x.shape.length - 1;
    const kernel = at.ints('kernel_shape');
    if (!kernel || kernel.length !== dims) throw new OnnxError(`${where}: needs a ${dims}-D kernel_shape, got ${JSON.stringify(kernel ?? null)}`);
    const strides = at.ints('strides') ?? kernel.map(() => 1);
    const dil = at.ints('dilations') ?? kernel.map(() => 1);
    if (dil.some((d) => d !== 1)) at.refuse('dilations', dil, 'dilated pooling has no Convas layer');
    if (!max && at.has('storage_order')) at.refuse('storage_order', at.int('storage_order', 0), 'not an AveragePool attribute');
    if (max && at.has('count_include_pad')) at.refuse('count_include_pad', at.int('count_include_pad', 0), 'not a MaxPool attribute');
    const pad = resolvePadding(at, x.shape.slice(0, -1), kernel, strides, kernel.map(() => 1));
    if (at.int('ceil_mode', 0) === 1) {
      const pads = at.ints('pads') ?? new Array<number>(2 * dims).fill(0);
      const differs = kernel.some((_, i) => {
        const span = x.shape[i] + pads[i] + pads[i + dims] - kernel[i];
        return Math.ceil(span / strides[i]) !== Math.floor(span / strides[i]);
      });
      if (differs || at.string('auto_pad', 'NOTSET') !== 'NOTSET') at.refuse('ceil_mode', 1, 'rounding the output size up has no Convas pooling');
    }
    const includePad = at.int('count_include_pad', 0) === 1;
    let input = x;
    let padding: 'same' | 'valid' = 'valid';
    if ('zeroPad' in pad) {
      // Zero padding changes a max only where values can be negative, and an average only when it skips the padding.
      if (max && !x.nonNegative) at.refuse('pads', at.ints('pads'), 'they differ from TF \'same\' padding and the input may be negative, so zero padding would change the maximum');
      if (!max && !includePad) at.refuse('pads', at.ints('pads'), 'they differ from TF \'same\' padding, which is the only one that leaves padding out of the average');
      input = this.zeroPad(n, where, x, pad.zeroPad);
    } else {
      padding = pad.padding;
      if (!max && includePad && padding === 'same') at.refuse('count_include_pad', 1, 'TF \'same\' average pooling leaves padding out of the average');
    }
    const kind = `${max ? 'MaxPooling' : 'AveragePooling'}${dims}D`;
    // Strides equal to the window are Keras' default (null), as its own files write them.
    const byWindow = JSON.stringify(strides) === JSON.stringify(kernel);
    const params = dims === 1 ? { poolSize: kernel[0], strides: byWindow ? null : strides[0], padding } : { poolSize: kernel, strides: byWindow ? null : strides, padding };
    this.layer(n, where, kind, params, input, { layout: 'cf', nonNegative: x.nonNegative });
  }

  private merge(n: NodeProto, where: string, kind: 'Add' | 'Multiply'): void {
    const ins = n.input ?? [];
    if (ins.length !== 2) throw new OnnxError(`${where}: expects two inputs`);
    for (const i of ins) {
      if (!this.values.has(i) && this.consts.has(i)) {
        throw new OnnxError(`${where}: ${kind === 'Add' ? 'adding' : 'multiplying by'} a constant tensor ("${i}") has no Convas layer`);
      }
    }
    let xs = ins.map((i) => this.value(i, where));
    if (xs.some((v) => v.layout === 'cf')) xs = xs.map((v) => this.asCf(v, where, `${this.label(n)}_${v.node}`));
    const layouts = new Set(xs.map((v) => v.layout));
    if (layouts.size > 1) throw new OnnxError(`${where}: its inputs are laid out differently (${[...layouts].join(', ')}); Convas cannot line them up`);
    if (xs[0].layout === 'chw-flat' && JSON.stringify(xs[0].chw) !== JSON.stringify(xs[1].chw)) throw new OnnxError(`${where}: its flattened inputs come from maps of different shapes`);
    // A chain of two-input Adds written for one layer (Convas exports a three-way Add so) is one merge again.
    const at = Number(xs[0].node.slice(1));
    const from = this.origin[at]?.onnx;
    if (this.nodes[at].kind === kind && from && ownerPath(from) && ownerPath(from) === ownerPath(n) && this.readers(ins[0]) === 1) {
      const target = this.nodes[at].id;
      const slot = this.edges.filter((e) => e.target === target).length;
      this.edges.push({ id: `e${this.edges.length}`, source: xs[1].node, target, targetIndex: slot });
      return this.set(n, { ...xs[0], nonNegative: xs.every((v) => v.nonNegative) });
    }
    const id = this.addNode(kind, {}, xs, n.name || (n.output ?? [])[0] || kind, where);
    const nonNegative = xs.every((v) => v.nonNegative);
    this.set(n, { node: id, shape: this.lastShape, layout: xs[0].layout, chw: xs[0].chw, nonNegative });
  }

  private concat(n: NodeProto, where: string, at: Attrs): void {
    let xs = (n.input ?? []).map((i) => this.value(i, where));
    if (xs.length < 2) throw new OnnxError(`${where}: expects at least two inputs`);
    if (xs.some((v) => v.layout === 'cf')) xs = xs.map((v) => this.asCf(v, where, `${this.label(n)}_${v.node}`));
    const layout = xs[0].layout;
    if (xs.some((v) => v.layout !== layout) || layout === 'chw-flat') throw new OnnxError(`${where}: Convas cannot line up these inputs (${xs.map((v) => v.layout).join(', ')})`);
    const rank = onnxShape(xs[0]).length;
    const raw = at.int('axis', 1);
    const a = raw < 0 ? raw + rank : raw;
    if (a <= 0 || a >= rank) at.refuse('axis', raw, 'Convas cannot join along the batch axis');
    let axis: number;
    if (layout === 'cf') axis = a === 1 ? -1 : a - 1;
    else if (layout === 'squeezed') {
      if (a !== 1) at.refuse('axis', raw, 'only the channels of a pooled map');
      axis = -1;
    } else axis = a;
    const id = this.addNode('Concatenate', { axis }, xs, this.label(n), where);
    this.set(n, { node: id, shape: this.lastShape, layout, nonNegative: xs.every((v) => v.nonNegative) });
  }

  /** ONNX Flatten(axis 1) of a value: a Flatten layer, or nothing when the data is already flat. */
  private flatten(n: NodeProto, where: string, x: Value): Value {
    if (x.layout === 'squeezed' || x.layout === 'chw-flat' || (x.layout === 'plain' && x.shape.length === 1)) {
      return { ...x, layout: x.layout === 'chw-flat' ? 'chw-flat' : 'plain' };
    }
    const id = this.addNode('Flatten', {}, [x], this.label(n), where);
    const shape = this.lastShape;
    if (x.layout === 'cf') {
      const [H, W = 1] = x.shape.slice(0, -1);
      const C = x.shape[x.shape.length - 1];
      // One channel or one position: C·H·W and H·W·C orders agree.
      if (C === 1 || H * W === 1) return { node: id, shape, layout: 'plain', nonNegative: x.nonNegative };
      return { node: id, shape, layout: 'chw-flat', chw: [C, H, W], nonNegative: x.nonNegative };
    }
    return { node: id, shape, layout: 'plain', nonNegative: x.nonNegative };
  }

  private reshape(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    const target: number[] = this.opset >= 5 ? Array.from(this.constant(ins[1], where, 'the shape').data, Number) : (at.ints('shape') ?? []);
    const allowZero = at.int('allowzero', 0);
    const from = onnxShape(x);
    const total = product(from);
    const resolved = target.map((d, i) => (d === 0 && !allowZero ? from[i] : d));
    const known = product(resolved.filter((d) => d !== -1));
    const free = resolved.filter((d) => d === -1).length;
    if (free > 1 || resolved.some((d) => d < -1 || (d === 0 && allowZero)) || (free ? total % known !== 0 : known !== total)) {
      throw new OnnxError(`${where}: cannot reshape [${from.join(', ')}] into [${target.join(', ')}]`);
    }
    const out = resolved.map((d) => (d === -1 ? total / known : d));
    if (out[0] !== 1) throw new OnnxError(`${where}: the target shape [${target.join(', ')}] mixes the batch axis with the others; Convas keeps the batch apart`);
    if (JSON.stringify(out) === JSON.stringify(from)) return this.set(n, x);
    if (out.length === 2 && (x.layout === 'cf' || x.layout === 'squeezed' || x.layout === 'chw-flat')) return this.set(n, this.flatten(n, where, x));
    if (x.layout !== 'plain') throw new OnnxError(`${where}: reshaping [${from.join(', ')}] (NCHW data) into [${out.join(', ')}] would mix channels with positions in a way Convas cannot follow`);
    if (out.length > 4) throw new OnnxError(`${where}: a target of rank ${out.length} is not supported`);
    const id = this.addNode('Reshape', { targetShape: out.slice(1) }, [x], this.label(n), where);
    this.set(n, { node: id, shape: this.lastShape, layout: 'plain', nonNegative: x.nonNegative });
  }

  private squeeze(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.value(ins[0], where);
    const c = this.opset >= 13 ? this.optConstant(ins[1], where, 'the axes') : undefined;
    const rank = onnxShape(x).length;
    const ones = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const axes: number[] = (c ? Array.from(c.data, Number) : at.ints('axes')) ?? ones;
    const norm = axes.map((a) => (a < 0 ? a + rank : a)).sort();
    if (x.layout !== 'squeezed' || JSON.stringify(norm) !== JSON.stringify(ones)) throw new OnnxError(`${where}: Convas reads Squeeze only to drop the 1×1 of a global pooling`);
    this.set(n, { ...x, layout: 'plain' });
  }

  private transpose(n: NodeProto, where: string, at: Attrs): void {
    const x = this.value((n.input ?? [])[0], where);
    const perm = at.ints('perm') ?? onnxShape(x).map((_, i, a) => a.length - 1 - i);
    const p = JSON.stringify(perm);
    const rank = onnxShape(x).length;
    if (p === JSON.stringify(Array.from({ length: rank }, (_, i) => i))) return this.set(n, x);
    // Channels first ↔ channels last is exactly the tensor Convas holds, relabelled.
    if (x.layout === 'cf' && p === JSON.stringify(toChannelsLast(rank))) return this.set(n, { ...x, layout: 'plain' });
    if (x.layout === 'plain' && rank >= 3 && p === JSON.stringify(toChannelsFirst(rank))) return this.set(n, { ...x, layout: 'cf' });
    at.refuse('perm', perm, 'Convas follows only channels-first ↔ channels-last transposes (NCHW ↔ NHWC, NCL ↔ NLC)');
  }

  private pad(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    const x = this.asCf(this.value(ins[0], where), where, this.label(n));
    const mode = at.string('mode', 'constant');
    if (mode !== 'constant') at.refuse('mode', mode, 'Convas pads with zeros');
    const pads: number[] = this.opset >= 11 ? Array.from(this.constant(ins[1], where, 'the pads').data, Number) : (at.ints('pads') ?? []);
    const value = this.opset >= 11 ? Number(this.optConstant(ins[2], where, 'the constant value')?.data[0] ?? 0) : at.float('value', 0);
    if (ins[3]) throw new OnnxError(`${where}: padding selected axes ("axes" input) is not supported`);
    if (value !== 0) throw new OnnxError(`${where}: padding with ${value} is not supported (Convas pads with zeros)`);
    if (pads.length !== 8 || pads.some((p) => p < 0) || pads[0] || pads[1] || pads[4] || pads[5]) {
      throw new OnnxError(`${where}: pads [${pads.join(', ')}] are not supported (Convas pads H and W by amounts ≥ 0)`);
    }
    this.set(n, this.zeroPadNamed(n, where, x, [[pads[2], pads[6]], [pads[3], pads[7]]]));
  }

  private zeroPadNamed(n: NodeProto, where: string, x: Value, padding: [[number, number], [number, number]]): Value {
    const id = this.addNode('ZeroPadding2D', { padding }, [x], this.label(n), where);
    return { node: id, shape: this.lastShape, layout: 'cf', nonNegative: x.nonNegative };
  }

  private dropout(n: NodeProto, where: string, at: Attrs): void {
    const ins = n.input ?? [];
    this.onlyFirstOutput(n, where);
    const x = this.value(ins[0], where);
    const ratio = this.opset >= 12 ? shortestFloat32(Number(this.optConstant(ins[1], where, 'the ratio')?.data[0] ?? 0.5)) : at.float('ratio', 0.5);
    const training = this.optConstant(ins[2], where, 'training_mode');
    if (training && Number(training.data[0]) !== 0) throw new OnnxError(`${where}: training_mode true is not supported (Convas imports models exported for inference)`);
    this.layer(n, where, 'Dropout', { rate: ratio }, x, { nonNegative: x.nonNegative });
  }
}

/** Transpose perms between channels-first and channels-last of a rank-`r` ONNX tensor (batch included). */
const toChannelsLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
const toChannelsFirst = (r: number) => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];

function permOf(n: NodeProto): number[] | undefined {
  const a = (n.attribute ?? []).find((x) => x.name === 'perm');
  return a ? (a.ints ?? []).map(num) : undefined;
}

function baseName(fileName?: string): string | undefined {
  if (!fileName) return undefined;
  const b = fileName.split(/[\\/]/).pop()!.replace(/\.onnx$/i, '');
  return b && b !== 'model' ? b : undefined;
}


/**
 * Reads an ONNX model (NCHW, the default operator domain) into an editable Convas graph (channels-last kinds) with its
 * weights in tfjs layouts. Pure: runs in Node, workers and the browser.
 *
 * Every ONNX tensor is followed as a Convas tensor plus how the two relate (NCHW ↔ channels-last, a global pooling's
 * [N, C, 1, 1] ↔ [C], a Flatten of NCHW data ↔ H·W·C order), so Transposes between the two layouts vanish, explicit pads
 * become 'same'/'valid' when they equal TF's and a ZeroPadding2D otherwise, and the Dense after a Flatten of a
 * feature map gets its rows reordered from C·H·W to H·W·C. A Conv followed by a BatchNormalization stays two layers;
 * a MatMul followed by the Add of a constant becomes one Dense with its bias.
 *
 * Anything else is refused with one error naming the node, its op type and (for an attribute Convas cannot honour)
 * the attribute; nothing half-built is returned. Hostile input: more than {@link ONNX_LIMITS}.maxBytes, bytes that are
 * not an ONNX protobuf, tensors whose data does not match their dims, external weight files.
 */
export function importOnnx(bytes: Uint8Array, fileName?: string): Result<OnnxImported> {
  const label = fileName ? `${fileName}: ` : '';
  const err = (m: string) => fail<OnnxImported>([`${label}${m}`]);
  if (!(bytes instanceof Uint8Array)) return err('expected the bytes of an .onnx file');
  if (bytes.length > ONNX_LIMITS.maxBytes) return err(`the file is ${(bytes.length / 1048576).toFixed(1)} MB; the limit is ${ONNX_LIMITS.maxBytes / 1048576} MB`);
  if (!bytes.length) return err('the file is empty');
  // A JSON file given an .onnx name: a protobuf never starts so (that byte is a deprecated group tag).
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (first === 0x7b || first === 0x5b) return err('not an ONNX model: this is a JSON text (a Convas project or a Keras model.json opens under its .json name)');
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = (e as Error).message;
    // protobufjs says "index out of range" when a field runs past the end: the usual sign of a truncated download.
    return err(/index out of range/.test(why) ? `not a readable ONNX model: the file is cut short or damaged (protobuf: ${why})` : `not an ONNX model: the protobuf cannot be decoded (${why})`);
  }
  if (!model.graph || (!model.graph.node?.length && !model.graph.input?.length)) return err('not an ONNX model: it holds no graph');
  const imp = new Importer(model);
  try {
    imp.run();
  } catch (e) {
    if (e instanceof OnnxError) return err(e.message);
    // Bytes that decode yet make no sense (a damaged file) must not escape as an exception either.
    return err(`the model cannot be read (${(e as Error)?.message ?? String(e)})`);
  }
  const graph: Graph = gridLayout({ nodes: imp.nodes, edges: imp.edges });
  const limits = checkGraphLimits(graph);
  if (limits.length) return fail(limits.map((m) => `${label}${m}`));
  // Every layer was checked as it was made; this is the net under that, so an invalid graph is never returned.
  const inf = inferGraph(graph);
  if (!inf.valid) {
    const bad = graph.nodes.find((n) => inf.nodes[n.id]?.status === 'error');
    return err(`the imported graph is invalid (${bad ? `${bad.name}: ${inf.nodes[bad.id].error?.message}` : inf.issues.map((i) => i.message).join('; ')})`);
  }
  const name = baseName(fileName) ?? (model.graph.name && !/^(torch[-_]jit|main_graph)$/.test(model.graph.name) ? model.graph.name : undefined) ?? 'Imported ONNX model';
  const producer = model.producerName ? ` (${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ''})` : '';
  const project: ProjectFileV1 = { ...newProject(name.slice(0, IMPORT_LIMITS.maxNameLength)), description: `Imported from ONNX${producer}.`, graph };
  return ok({ project, weights: imp.weights, warnings: imp.warnings });
}

/**
 * {@link importOnnx}, then ELK's layered layout (up to {@link IMPORT_LIMITS}.maxAutoLayoutNodes layers; larger imports
 * keep the row layout, with a warning).
 */
export async function importOnnxLaidOut(bytes: Uint8Array, fileName?: string): Promise<Result<OnnxImported>> {
  const r = importOnnx(bytes, fileName);
  if (!r.ok) return r;
  const n = r.value.project.graph.nodes.length;
  if (n > IMPORT_LIMITS.maxAutoLayoutNodes) {
    return ok({ ...r.value, warnings: [...r.value.warnings, `${fmt(n)} layers are laid out in rows (automatic layout stops at ${fmt(IMPORT_LIMITS.maxAutoLayoutNodes)})`] });
  }
  const { autoLayout } = await import('../layout');
  const graph = await autoLayout(r.value.project.graph);
  return ok({ ...r.value, project: { ...r.value.project, graph } });
}
