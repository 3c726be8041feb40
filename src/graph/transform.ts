import { getLayerKind } from '../../nodes/index';
import { parseParams } from './infer';
import { uniqueName } from './build';
import { BLOCK_SEP, boundNodes, instanceValues, isInstance, type BlockBinding, type BlockDef } from './blocks';
import type { Graph, GraphEdge, GraphNode, NodeInference, ProjectFileV1 } from './types';

/** layout.ts' NODE_SIZE.height, repeated so that this module does not pull elkjs into the editor bundle (a test keeps them equal). */
export const STACK_NODE_HEIGHT = 96;

export interface SeparableOptions {
  /** Put a BatchNormalization between the depthwise and the 1×1 conv (MobileNet style). */
  batchNorm: boolean;
}

/** What replacing a Conv2D by DepthwiseConv2D + (BN) + Conv2D 1×1 saves; negative numbers are costs. */
export interface SeparableSaving {
  paramsBefore: number;
  paramsAfter: number;
  /** paramsBefore − paramsAfter (all params, BN's moving statistics included, as Keras counts). */
  params: number;
  macsBefore: number;
  macsAfter: number;
  macs: number;
}

interface ConvFacts {
  node: GraphNode;
  kernel: [number, number];
  cin: number;
  filters: number;
  useBias: boolean;
  outPixels: number;
}

function convFacts(graph: Graph, nodeId: string, inf?: NodeInference): ConvFacts {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`no node with id "${nodeId}"`);
  if (node.kind !== 'Conv2D') throw new Error(`layer "${node.name}" is a ${node.kind}; only a Conv2D can become depthwise-separable`);
  const parsed = parseParams(getLayerKind('Conv2D')!, node.params);
  if (!parsed.ok) throw new Error(`layer "${node.name}": ${parsed.error.message}`);
  const p = parsed.value as { kernelSize: [number, number]; dilationRate: [number, number]; filters: number; useBias: boolean };
  if (p.kernelSize[0] * p.kernelSize[1] === 1) throw new Error(`layer "${node.name}" is already a 1×1 conv; a separable version would not be smaller`);
  if (p.dilationRate[0] > 1 || p.dilationRate[1] > 1) {
    throw new Error(`layer "${node.name}" is dilated; DepthwiseConv2D here has no dilation rate, so it cannot be replaced exactly`);
  }
  if (inf && (inf.status !== 'ok' || !inf.outputShape)) throw new Error(`layer "${node.name}" has an error; fix it before transforming`);
  const cin = inf?.inputShapes[0]?.[2] ?? NaN;
  const out = inf?.outputShape ?? [NaN, NaN];
  return { node, kernel: p.kernelSize, cin, filters: p.filters, useBias: p.useBias, outPixels: out[0] * out[1] };
}

/**
 * The saving `toSeparable` will realise for a Conv2D, from its inferred input and output shapes.
 * Params: K·K·Cin·F (+F) → K·K·Cin + (4·Cin with BN) + Cin·F (+F); MACs: HW·K·K·Cin·F → HW·K·K·Cin + HW·Cin·F.
 */
export function separableSaving(graph: Graph, nodeId: string, inf: NodeInference, opts: SeparableOptions): SeparableSaving {
  const f = convFacts(graph, nodeId, inf);
  const kk = f.kernel[0] * f.kernel[1];
  const bias = f.useBias ? f.filters : 0;
  const paramsBefore = kk * f.cin * f.filters + bias;
  const paramsAfter = kk * f.cin + (opts.batchNorm ? 4 * f.cin : 0) + f.cin * f.filters + bias;
  const macsBefore = f.outPixels * kk * f.cin * f.filters;
  const macsAfter = f.outPixels * kk * f.cin + f.outPixels * f.cin * f.filters;
  return { paramsBefore, paramsAfter, params: paramsBefore - paramsAfter, macsBefore, macsAfter, macs: macsBefore - macsAfter };
}

const uniqueId = (base: string, taken: Set<string>): string => {
  const id = uniqueName(base, taken);
  taken.add(id);
  return id;
};

/**
 * Replaces Conv2D `nodeId` by DepthwiseConv2D (same kernel, strides, padding; no bias, linear) → optional
 * BatchNormalization → Conv2D 1×1 (the original filters, activation and bias), rewiring its edges.
 * The new layers are named `<name>_dw`, `<name>_bn`, `<name>_pw` (made unique); nodes below move down to make room.
 * Pure: returns a new graph, the input is untouched. Throws naming the layer when it is not a (plain) Conv2D.
 */
export function toSeparable(graph: Graph, nodeId: string, opts: SeparableOptions): Graph {
  const { node } = convFacts(graph, nodeId);
  const p = node.params;
  const names = new Set(graph.nodes.map((n) => n.name));
  const ids = new Set(graph.nodes.map((n) => n.id));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  names.delete(node.name);
  const step = STACK_NODE_HEIGHT + 40;
  const added = opts.batchNorm ? 2 : 1;
  const at = (i: number) => ({ x: node.position.x, y: node.position.y + i * step });
  const pick = (k: string) => (k in p ? { [k]: p[k] } : {});

  const dw: GraphNode = {
    id: uniqueId(`${node.id}_dw`, ids),
    kind: 'DepthwiseConv2D',
    name: uniqueId(`${node.name}_dw`, names),
    params: { ...pick('kernelSize'), ...pick('strides'), ...pick('padding'), depthMultiplier: 1, activation: 'linear', useBias: false },
    position: at(0),
  };
  const bn: GraphNode | undefined = opts.batchNorm
    ? { id: uniqueId(`${node.id}_bn`, ids), kind: 'BatchNormalization', name: uniqueId(`${node.name}_bn`, names), params: {}, position: at(1) }
    : undefined;
  const pw: GraphNode = {
    id: uniqueId(`${node.id}_pw`, ids),
    kind: 'Conv2D',
    name: uniqueId(`${node.name}_pw`, names),
    params: { ...pick('filters'), kernelSize: 1, strides: 1, padding: 'valid', ...pick('activation'), ...pick('useBias') },
    position: at(added),
  };
  const chain = bn ? [dw, bn, pw] : [dw, pw];

  const nodes: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (n.id === node.id) nodes.push(...chain);
    else if (n.position.y > node.position.y) nodes.push({ ...n, position: { x: n.position.x, y: n.position.y + added * step } });
    else nodes.push(n);
  }
  const edges: GraphEdge[] = graph.edges.map((e) =>
    e.target === node.id ? { ...e, target: dw.id } : e.source === node.id ? { ...e, source: pw.id } : e,
  );
  for (let i = 1; i < chain.length; i++) {
    edges.push({ id: uniqueId(`e_${chain[i - 1].id}_${chain[i].id}`, edgeIds), source: chain[i - 1].id, target: chain[i].id, targetIndex: 0 });
  }
  return { nodes, edges };
}

/** Conv2D params that `toSeparable` carries to the depthwise conv, and to the 1×1 conv; others are not carried. */
const DEPTHWISE_PARAMS: ReadonlySet<string> = new Set(['kernelSize', 'strides', 'padding']);
const POINTWISE_PARAMS: ReadonlySet<string> = new Set(['filters', 'activation', 'useBias']);

/**
 * `toSeparable` on the project as the user built it, for a layer named by its id in the flattened graph (what Inspect
 * lists): a top-level Conv2D is rewritten in the main graph; one inside a block (`instance/conv`, or deeper when blocks
 * nest) is rewritten in the block's definition, so every instance of that block changes and the project keeps its
 * blocks. The block's ports and exposed params follow: an input that fed the conv feeds the depthwise conv, an output
 * it gave comes from the 1×1 conv, and exposed kernel size, strides or padding bind the depthwise conv, filters,
 * activation or bias the 1×1. Pure; throws naming the layer when it cannot be rewritten.
 */
export function toSeparableInProject(p: ProjectFileV1, flatId: string, opts: SeparableOptions): ProjectFileV1 {
  const path = flatId.split(BLOCK_SEP);
  if (path.length === 1) return { ...p, graph: toSeparable(p.graph, flatId, opts) };
  const defs = new Map((p.blocks ?? []).map((b) => [b.id, b]));
  let nodes = p.graph.nodes;
  let inst: GraphNode | undefined;
  let def: BlockDef | undefined;
  for (const id of path.slice(0, -1)) {
    inst = nodes.find((n) => n.id === id);
    def = inst && isInstance(inst) && inst.block !== undefined ? defs.get(inst.block) : undefined;
    if (!inst || !def) throw new Error(`no node with id "${flatId}"`);
    // Values bound into an inner instance by its host's exposed params are that inner instance's values.
    nodes = boundNodes(def, instanceValues(def, inst));
  }
  const target = path[path.length - 1];
  const bound = nodes.find((n) => n.id === target);
  if (!def || !bound) throw new Error(`no node with id "${flatId}"`);
  // Checked with this instance's values (an exposed kernel size decides whether it is 1×1); bound params are
  // written per instance anyway, so baking this instance's values into the definition changes no instance.
  const graph = { nodes: def.graph.nodes.map((n) => (n.id === target ? bound : n)), edges: def.graph.edges };
  let out: Graph;
  try {
    out = toSeparable(graph, target, opts);
  } catch (e) {
    throw new Error(`in block “${def.name}”: ${(e as Error).message}`);
  }
  const before = new Set(graph.nodes.map((n) => n.id));
  const added = out.nodes.filter((n) => !before.has(n.id));
  const dw = added[0].id;
  const pw = added[added.length - 1].id;
  const rebind = (b: BlockBinding): BlockBinding[] => {
    if (b.node !== target) return [b];
    if (DEPTHWISE_PARAMS.has(b.param)) return [{ ...b, node: dw }];
    if (POINTWISE_PARAMS.has(b.param)) return [{ ...b, node: pw }];
    return [];
  };
  const rewritten: BlockDef = {
    ...def,
    graph: out,
    inputs: def.inputs.map((port) => ({ ...port, targets: port.targets.map((t) => (t.node === target ? { ...t, node: dw } : t)) })),
    outputs: def.outputs.map((o) => (o.node === target ? { ...o, node: pw } : o)),
    params: def.params.map((q) => ({ ...q, binds: q.binds.flatMap(rebind) })),
  };
  const id = def.id;
  return { ...p, blocks: (p.blocks ?? []).map((b) => (b.id === id ? rewritten : b)) };
}
