import { getLayerKind, getLayerKindByKerasClass, layerKinds, type LayerKind } from '../../nodes/index';
import { uniqueName } from './build';
import { inferGraph } from './infer';
import { paramErrors } from './messages';
import { fail, ok, type Result } from './project';
import { incomingEdges, topologicalOrder } from './topo';
import type { Graph, GraphEdge, GraphNode } from './types';

/** The tfjs `model.json` written by `LayersModel.save` (topology plus an optional weights manifest). */
export interface KerasModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: {
    class_name: 'Model';
    config: {
      name: string;
      layers: KerasLayerJson[];
      input_layers: Array<[string, number, number]>;
      output_layers: Array<[string, number, number]>;
    };
    keras_version: string;
    backend: string;
  };
  weightsManifest?: unknown;
}

export interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: Array<Array<[string, number, number, Record<string, unknown>]>>;
}

/** What `kerasToGraph` read: the graph (laid out in layers by depth), the manifest if any, the model name and warnings. */
export interface KerasImport {
  graph: Graph;
  weightsManifest?: unknown;
  name?: string;
  warnings: string[];
}

/**
 * The graph as a tfjs/Keras Functional model topology (`class_name: 'Model'`, Keras 2 `inbound_nodes`),
 * wrapped as a tfjs `model.json` without weights. Layers are written in topological order and named as the nodes.
 * `tf.models.modelFromJSON(json.modelTopology)` and Keras' `model_from_json` read it back.
 *
 * @throws Error listing every bad node when `inferGraph(graph)` says the graph is invalid.
 */
export function graphToKerasModelJson(graph: Graph, name = 'model'): KerasModelJson {
  const inf = inferGraph(graph);
  if (!inf.valid) {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const problems = [
      ...inf.issues.map((i) => i.message),
      ...Object.values(inf.nodes)
        .filter((n) => n.status === 'error')
        .map((n) => `${byId.get(n.id)?.name ?? n.id}: ${n.error?.message}`),
    ];
    throw new Error(`cannot export an invalid graph: ${problems.join('; ')}`);
  }
  const { incoming } = incomingEdges(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const layers: KerasLayerJson[] = inf.order.map((id) => {
    const node = byId.get(id)!;
    const kind = getLayerKind(node.kind)!;
    const isInput = kind.inputs.max === 0;
    const config = {
      name: node.name,
      ...(isInput ? {} : { trainable: true, dtype: 'float32' }),
      ...kind.toKeras(inf.nodes[id].params!),
    };
    const inbound = incoming.get(id)!.map((e): [string, number, number, Record<string, unknown>] => [byId.get(e.source)!.name, 0, 0, {}]);
    return { name: node.name, class_name: kind.kerasClass, config, inbound_nodes: inbound.length ? [inbound] : [] };
  });
  const ref = (id: string): [string, number, number] => [byId.get(id)!.name, 0, 0];
  return {
    format: 'layers-model',
    generatedBy: 'Convas',
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: { name, layers, input_layers: inf.inputs.map(ref), output_layers: inf.outputs.map(ref) },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

/** A layer as read from the file, before it becomes a node. */
interface RawLayer {
  at: string;
  name: string;
  cls: string;
  config: Obj;
  inbound: Array<{ from: string; nodeIndex: number; tensorIndex: number }>;
}

/** Finds the topology inside the accepted wrappers: model.json, converter output with `model_config`, or bare `toJSON()`. */
function unwrap(json: unknown): Result<{ topology: Obj; weightsManifest?: unknown }> {
  if (!isObj(json)) return fail([`expected a JSON object with a Keras model topology, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`]);
  if (json.format === 'graph-model') {
    return fail(['format: this is a tfjs graph model (converted from a TensorFlow SavedModel); Convas reads Keras layers models only']);
  }
  let topology: unknown = json;
  let weightsManifest: unknown;
  if ('modelTopology' in json) {
    topology = json.modelTopology;
    weightsManifest = json.weightsManifest;
    if (weightsManifest !== undefined && !Array.isArray(weightsManifest)) {
      return fail(['weightsManifest: expected an array of weight groups']);
    }
  }
  if (isObj(topology) && isObj(topology.model_config)) topology = topology.model_config;
  if (!isObj(topology) || typeof topology.class_name !== 'string') {
    return fail(['modelTopology: expected an object with "class_name" (Sequential, Functional or Model) and "config"']);
  }
  return ok({ topology, weightsManifest });
}

function layerName(l: Obj, cfg: Obj): unknown {
  return l.name ?? cfg.name;
}

/** Keras 2 inbound nodes (`[[["conv", 0, 0, {}], …]]`) or Keras 3 ones (`[{ args: [keras tensors], kwargs }]`). */
function readInbound(v: unknown, at: string, errors: string[]): RawLayer['inbound'] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    errors.push(`${at}: inbound_nodes must be a list`);
    return undefined;
  }
  if (v.length > 1) {
    errors.push(`${at}: the layer is called ${v.length} times (a shared layer); Convas needs one call per layer`);
    return undefined;
  }
  if (v.length === 0) return [];
  const call = v[0];
  const out: RawLayer['inbound'] = [];
  const tensors: unknown[] = [];
  if (Array.isArray(call)) tensors.push(...call);
  else if (isObj(call) && Array.isArray(call.args)) {
    // Keras 3: merges take one list argument; other layers take one tensor.
    for (const a of call.args) Array.isArray(a) ? tensors.push(...a) : tensors.push(a);
  } else {
    errors.push(`${at}: inbound_nodes[0] is neither a Keras 2 list nor a Keras 3 {args} call`);
    return undefined;
  }
  for (const t of tensors) {
    let ref: unknown = t;
    if (isObj(t) && t.class_name === '__keras_tensor__' && isObj(t.config)) ref = t.config.keras_history;
    if (!Array.isArray(ref) || typeof ref[0] !== 'string' || typeof ref[1] !== 'number' || typeof ref[2] !== 'number') {
      errors.push(`${at}: cannot read inbound tensor ${JSON.stringify(t)?.slice(0, 80)}`);
      return undefined;
    }
    out.push({ from: ref[0], nodeIndex: ref[1], tensorIndex: ref[2] });
  }
  return out;
}

interface ReadLayers {
  layers: RawLayer[];
  sequential: boolean;
  name?: string;
  /** Every layer name in the file, including layers that failed to read (so their consumers do not also fail). */
  names: Set<string>;
}

function readLayers(topology: Obj, errors: string[]): ReadLayers {
  const cls = topology.class_name as string;
  if (!MODEL_CLASSES.has(cls)) {
    errors.push(`class_name: expected Sequential, Functional or Model, got "${cls}"`);
    return { layers: [], sequential: false, names: new Set() };
  }
  const sequential = cls === 'Sequential';
  const config = topology.config;
  // Keras ≤ 2.2 wrote a Sequential's config as the bare list of layers.
  const list = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
  const name = isObj(config) && typeof config.name === 'string' ? config.name : undefined;
  if (!Array.isArray(list)) {
    errors.push('config.layers: expected a list of layers');
    return { layers: [], sequential, name, names: new Set() };
  }
  const layers: RawLayer[] = [];
  const names = new Set<string>();
  list.forEach((l: unknown, i: number) => {
    let at = `layer ${i}`;
    if (!isObj(l)) {
      errors.push(`${at}: expected an object with class_name and config`);
      return;
    }
    const cfg = isObj(l.config) ? l.config : undefined;
    const lname = layerName(l, cfg ?? {});
    if (typeof lname === 'string') {
      at = `layer ${i} "${lname}"`;
      names.add(lname);
    }
    const lcls = l.class_name;
    if (typeof lcls !== 'string') {
      errors.push(`${at}: class_name is missing`);
      return;
    }
    at += ` (${lcls})`;
    if (!cfg) {
      errors.push(`${at}: config must be an object`);
      return;
    }
    if (typeof lname !== 'string' || !lname) {
      errors.push(`${at}: the layer has no name`);
      return;
    }
    const inbound = sequential ? [] : readInbound(l.inbound_nodes, at, errors);
    if (!inbound) return;
    layers.push({ at, name: lname, cls: lcls, config: cfg, inbound });
  });
  return { layers, sequential, name, names };
}

/** Keras' batch shape of a layer config (`batch_input_shape`, Keras 3 `batch_shape`, or Keras 1 `input_shape`). */
function batchShapeOf(cfg: Obj): unknown[] | undefined {
  const b = cfg.batch_input_shape ?? cfg.batch_shape;
  if (Array.isArray(b)) return b;
  if (Array.isArray(cfg.input_shape)) return [null, ...cfg.input_shape];
  return undefined;
}

const stripUndefined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Reads a Keras/tfjs model topology — `model.json` from `tf.LayersModel.save`, the object of `model.toJSON(null, false)`,
 * Keras' `model.to_json()` or tfjs-converter output — Sequential or Functional, Keras 2 class names (and Keras 3
 * inbound nodes). Nothing is evaluated: class names are looked up in the registry and configs mapped by each
 * kind's `fromKeras`, then checked with its params schema.
 *
 * Returns one error per bad layer (unknown class, malformed config, shared layers, missing inputs), all at once.
 * Node positions are a simple layered grid; run `autoLayout` for a nicer one.
 */
export function kerasToGraph(json: unknown): Result<KerasImport> {
  const top = unwrap(json);
  if (!top.ok) return top;
  const errors: string[] = [];
  const warnings: string[] = [];
  const { layers, sequential, name, names } = readLayers(top.value.topology, errors);
  if (!layers.length && !errors.length) errors.push('config.layers: the model has no layers');

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const idByName = new Map<string, string>();
  const taken = new Set(layers.map((l) => l.name));

  const addNode = (l: RawLayer, kind: LayerKind, params: Obj) => {
    if (idByName.has(l.name)) {
      errors.push(`${l.at}: another layer is already named "${l.name}"`);
      return;
    }
    const id = `n${nodes.length}`;
    idByName.set(l.name, id);
    nodes.push({ id, kind: kind.kind, name: l.name, params, position: { x: 0, y: 0 } });
  };

  const inputKind = layerKinds.find((k) => k.inputs.max === 0);
  if (sequential && layers.length && getLayerKindByKerasClass(layers[0].cls)?.inputs.max !== 0) {
    // A Sequential without InputLayer carries its input shape on the first layer, as tfjs and Keras 2 write it.
    const first = layers[0];
    const shape = batchShapeOf(first.config);
    if (!shape) errors.push(`${first.at}: the first layer of a Sequential model needs batch_input_shape (or an InputLayer before it)`);
    else if (inputKind) {
      const inputName = uniqueName(`${first.name}_input`, taken);
      taken.add(inputName);
      const synthetic: RawLayer = { at: `${first.at} input`, name: inputName, cls: inputKind.kerasClass, config: { batch_input_shape: shape }, inbound: [] };
      const params = layerParams(synthetic, inputKind, errors);
      if (params) addNode(synthetic, inputKind, params);
    }
  }

  let unknownClass = false;
  for (const l of layers) {
    if (MODEL_CLASSES.has(l.cls)) {
      errors.push(`${l.at}: a nested model inside a model is not supported; flatten it into one model first`);
      continue;
    }
    const kind = getLayerKindByKerasClass(l.cls);
    if (!kind) {
      errors.push(`${l.at}: unknown layer class "${l.cls}"`);
      unknownClass = true;
      continue;
    }
    if (l.config.data_format === 'channels_first') {
      errors.push(`${l.at}: data_format "channels_first" is not supported; Convas is channels-last`);
      continue;
    }
    if (l.config.groups !== undefined && l.config.groups !== null && l.config.groups !== 1) {
      // Grouped convolutions have 1/groups of the weights; counting them as plain ones would be silently wrong.
      errors.push(`${l.at}: groups ${JSON.stringify(l.config.groups)} (a grouped convolution) is not supported; Convas needs groups 1`);
      continue;
    }
    if (l.config.trainable === false) {
      warnings.push(`${l.at}: the layer was frozen (trainable: false); Convas counts its weights as trainable`);
    }
    const params = layerParams(l, kind, errors);
    if (params) addNode(l, kind, params);
  }

  if (sequential) {
    for (let i = 1; i < nodes.length; i++) {
      edges.push({ id: `e${i - 1}`, source: nodes[i - 1].id, target: nodes[i].id, targetIndex: 0 });
    }
  } else {
    for (const l of layers) {
      const target = idByName.get(l.name);
      if (!target) continue;
      l.inbound.forEach((ref, slot) => {
        const source = idByName.get(ref.from);
        if (ref.nodeIndex !== 0 || ref.tensorIndex !== 0) {
          errors.push(`${l.at}: input ${slot} uses call ${ref.nodeIndex}, output ${ref.tensorIndex} of "${ref.from}"; Convas supports one call and one output per layer`);
        } else if (!source) {
          if (!names.has(ref.from)) errors.push(`${l.at}: input ${slot} comes from "${ref.from}", which is not a layer of this model`);
        } else edges.push({ id: `e${edges.length}`, source, target, targetIndex: slot });
      });
    }
  }

  if (unknownClass) {
    const known = [...layerKinds.map((k) => k.kerasClass), ...layerKinds.flatMap((k) => k.kerasAliases ?? [])];
    errors.push(`Convas reads these Keras layer classes: ${known.join(', ')}`);
  }
  if (errors.length) return fail(errors);
  const graph = gridLayout({ nodes, edges });
  return ok({ graph, weightsManifest: top.value.weightsManifest, name, warnings });
}

/** Maps one layer's config through its kind and validates it; errors name the layer and the field. */
function layerParams(l: RawLayer, kind: LayerKind, errors: string[]): Obj | undefined {
  let raw: Obj;
  try {
    const mapped = kind.fromKeras(l.config);
    if (!isObj(mapped)) throw new Error('fromKeras returned no params');
    raw = stripUndefined(mapped);
  } catch (e) {
    errors.push(`${l.at}: ${(e as Error).message}`);
    return undefined;
  }
  const r = kind.params.safeParse(raw);
  if (!r.success) {
    for (const e of paramErrors(kind.params, raw, r.error.issues)) errors.push(`${l.at}: ${e.message}`);
    return undefined;
  }
  return raw;
}

// Layout's NODE_SIZE (240×96) plus ELK's spacing; not imported from layout.ts so reading a model never loads elkjs.
const GRID = { dx: 240 + 36, dy: 96 + 48 };

/** Rows by longest path from an input, so a fresh import is readable before (or without) ELK. */
export function gridLayout(graph: Graph): Graph {
  const { order } = topologicalOrder(graph);
  const { incoming } = incomingEdges(graph);
  const depth = new Map<string, number>();
  const perRow = new Map<number, number>();
  const pos = new Map<string, { x: number; y: number }>();
  for (const id of order) {
    const d = Math.max(-1, ...incoming.get(id)!.map((e) => depth.get(e.source) ?? 0)) + 1;
    depth.set(id, d);
    const col = perRow.get(d) ?? 0;
    perRow.set(d, col + 1);
    pos.set(id, { x: col * GRID.dx, y: d * GRID.dy });
  }
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: pos.get(n.id) ?? n.position })) };
}
