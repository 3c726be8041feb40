/**
 * Generates presets/<id>.json from the compact builder code below: `npm run presets`.
 * Each file is a ProjectFileV1 laid out with ELK; presets/index.ts lists them with their expected totals.
 * Run with `--check` to only verify that the files on disk match this code (exit 1 if not).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BLOCK_KIND, type BlockDef, type BlockParam } from '../src/graph/blocks';
import { defaultLayerName, uniqueName } from '../src/graph/build';
import { autoLayout, NODE_SIZE } from '../src/graph/layout';
import { serializeProject } from '../src/graph/project';
import type { Graph, GraphEdge, GraphNode, ProjectFileV1 } from '../src/graph/types';

type Params = Record<string, unknown>;
/** One layer of a chain: kind, params, optional name. */
type Spec = [kind: string, params?: Params, name?: string];

/** A tiny functional-API builder: `add` returns the new node's id, edges keep the input order as slots. */
export class Net {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly taken = new Set<string>();

  add(kind: string, params: Params = {}, inputs: string[] = [], name?: string): string {
    const id = `n${this.nodes.length}`;
    const layerName = name ?? uniqueName(defaultLayerName(kind), this.taken);
    if (this.taken.has(layerName)) throw new Error(`preset builder: layer name "${layerName}" used twice`);
    this.taken.add(layerName);
    this.nodes.push({ id, kind, name: layerName, params, position: { x: 0, y: 0 } });
    inputs.forEach((source, i) => this.edges.push({ id: `e${this.edges.length}`, source, target: id, targetIndex: i }));
    return id;
  }

  input(shape: number[], name = 'input'): string {
    return this.add('Input', { shape }, [], name);
  }

  /** Applies `specs` one after another starting from `from`; returns the last node's id. */
  chain(from: string, ...specs: Spec[]): string {
    let x = from;
    for (const [kind, params, name] of specs) x = this.add(kind, params, [x], name);
    return x;
  }

  graph(): Graph {
    return { nodes: this.nodes, edges: this.edges };
  }

  readonly blocks: BlockDef[] = [];

  /**
   * Defines a block from builder code: `body` wires layers from the port placeholders it is given and returns the
   * output node(s). Exposed params bind inner layers by name: `{ filters: [64, ['1_conv', '3_conv:4']] }` binds
   * filters to 1_conv and to 3_conv times 4.
   */
  defineBlock(id: string, name: string, inputs: number, params: Record<string, [unknown, string[]]>, body: (b: Net, ins: string[]) => string | string[]): string {
    const b = new Net();
    const ports = Array.from({ length: inputs }, (_, k) => `@in${k}`);
    const outs = [body(b, ports)].flat();
    const byName = new Map(b.nodes.map((n) => [n.name, n.id]));
    const exposed: BlockParam[] = Object.entries(params).map(([pname, [def, binds]]) => ({
      name: pname,
      default: def,
      binds: binds.map((spec) => {
        const [layer, scale] = spec.split(':');
        const node = byName.get(layer);
        if (!node) throw new Error(`preset builder: block ${name} binds missing layer ${layer}`);
        return scale ? { node, param: pname, scale: Number(scale) } : { node, param: pname };
      }),
    }));
    this.blocks.push({
      id,
      name,
      inputs: ports.map((port, k) => ({
        name: inputs > 1 ? `in${k + 1}` : 'in',
        targets: b.edges.filter((e) => e.source === port).map((e) => ({ node: e.target, index: e.targetIndex })),
      })),
      outputs: outs.map((node, k) => ({ name: outs.length > 1 ? `out${k + 1}` : 'out', node })),
      params: exposed,
      graph: { nodes: b.nodes, edges: b.edges.filter((e) => !e.source.startsWith('@')).map((e, i) => ({ ...e, id: `e${i}` })) },
    });
    return id;
  }

  /** Places an instance of a block defined with {@link defineBlock}. */
  instance(block: string, params: Params, inputs: string[], name: string): string {
    const id = this.add(BLOCK_KIND, params, inputs, name);
    this.nodes[this.nodes.length - 1].block = block;
    return id;
  }

  built(): Built {
    return this.blocks.length ? { graph: this.graph(), blocks: this.blocks } : { graph: this.graph() };
  }
}

/** What a preset builder makes: the graph and, for presets built from blocks, their definitions. */
export interface Built {
  graph: Graph;
  blocks?: BlockDef[];
}

export interface PresetDef {
  id: string;
  name: string;
  description: string;
  build(): Built;
}

const conv = (filters: number, kernelSize: number | [number, number], more: Params = {}, name?: string): Spec => [
  'Conv2D',
  { filters, kernelSize, ...more },
  name,
];
const dense = (units: number, activation = 'linear', name?: string): Spec => ['Dense', { units, activation }, name];
const maxPool = (poolSize = 2, more: Params = {}, name?: string): Spec => ['MaxPooling2D', { poolSize, ...more }, name];
const bn = (name?: string, more: Params = {}): Spec => ['BatchNormalization', more, name];
const act = (activation: string, name?: string): Spec => ['Activation', { activation }, name];

function lenet5(): Graph {
  const n = new Net();
  n.chain(
    n.input([28, 28, 1]),
    conv(6, 5, { padding: 'same', activation: 'relu' }),
    maxPool(2),
    conv(16, 5, { padding: 'valid', activation: 'relu' }),
    maxPool(2),
    ['Flatten'],
    dense(120, 'relu'),
    dense(84, 'relu'),
    dense(10, 'softmax'),
  );
  return n.graph();
}

function lenet5Classic(): Graph {
  const n = new Net();
  n.chain(
    n.input([32, 32, 1]),
    conv(6, 5, { activation: 'tanh' }, 'c1'),
    ['AveragePooling2D', { poolSize: 2 }, 's2'],
    conv(16, 5, { activation: 'tanh' }, 'c3'),
    ['AveragePooling2D', { poolSize: 2 }, 's4'],
    ['Flatten', {}, 'flatten'],
    dense(120, 'tanh', 'c5'),
    dense(84, 'tanh', 'f6'),
    dense(10, 'softmax', 'output'),
  );
  return n.graph();
}

function basicCnn(): Graph {
  const n = new Net();
  n.chain(
    n.input([9, 9, 1]),
    conv(8, 3, { activation: 'relu' }, 'conv1'),
    conv(16, 3, { activation: 'relu' }, 'conv2'),
    ['GlobalMaxPooling2D', {}, 'global_max_pool'],
    dense(2, 'softmax', 'fc'),
  );
  return n.graph();
}

/** Conv → BN → ReLU, the unit of the small VGG and the CIFAR ResNet. */
function convBnRelu(n: Net, x: string, filters: number, prefix: string, strides = 1, relu = true): string {
  x = n.chain(x, conv(filters, 3, { padding: 'same', strides, activation: 'linear' }, `${prefix}_conv`), bn(`${prefix}_bn`));
  return relu ? n.chain(x, act('relu', `${prefix}_relu`)) : x;
}

function vggSmall(): Graph {
  const n = new Net();
  let x = n.input([32, 32, 3]);
  [64, 128, 256, 512].forEach((filters, b) => {
    x = convBnRelu(n, x, filters, `block${b + 1}_1`);
    x = convBnRelu(n, x, filters, `block${b + 1}_2`);
    x = n.chain(x, maxPool(2, {}, `block${b + 1}_pool`));
  });
  n.chain(x, ['Flatten', {}, 'flatten'], dense(512, 'relu', 'fc1'), ['Dropout', { rate: 0.5 }, 'dropout'], dense(10, 'softmax', 'predictions'));
  return n.graph();
}

function vgg16(): Graph {
  const n = new Net();
  let x = n.input([224, 224, 3]);
  [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ].forEach(([filters, convs], b) => {
    for (let i = 1; i <= convs; i++) x = n.chain(x, conv(filters, 3, { padding: 'same', activation: 'relu' }, `block${b + 1}_conv${i}`));
    x = n.chain(x, maxPool(2, {}, `block${b + 1}_pool`));
  });
  n.chain(x, ['Flatten', {}, 'flatten'], dense(4096, 'relu', 'fc1'), dense(4096, 'relu', 'fc2'), dense(1000, 'softmax', 'predictions'));
  return n.graph();
}

/** keras.io's CIFAR-10 ResNet-20 v1: 3 stages × 3 basic blocks, a strided 1×1 conv shortcut where the shape changes. */
function resnetCifar(): Graph {
  const n = new Net();
  let x = convBnRelu(n, n.input([32, 32, 3]), 16, 'stem');
  [16, 32, 64].forEach((filters, s) => {
    for (let b = 1; b <= 3; b++) {
      const p = `stage${s + 1}_block${b}`;
      const strides = s > 0 && b === 1 ? 2 : 1;
      let y = convBnRelu(n, x, filters, `${p}_1`, strides);
      y = convBnRelu(n, y, filters, `${p}_2`, 1, false);
      const shortcut = strides > 1 ? n.chain(x, conv(filters, 1, { strides, activation: 'linear' }, `${p}_shortcut`)) : x;
      x = n.add('Add', {}, [shortcut, y], `${p}_add`);
      x = n.chain(x, act('relu', `${p}_out`));
    }
  });
  n.chain(x, ['AveragePooling2D', { poolSize: 8 }, 'avg_pool'], ['Flatten', {}, 'flatten'], dense(10, 'softmax', 'predictions'));
  return n.graph();
}

/** torchvision's resnet18: no conv bias, BasicBlocks, 1×1 strided conv + BN downsample. */
function resnet18(): Graph {
  const n = new Net();
  let x = n.chain(
    n.input([224, 224, 3]),
    conv(64, 7, { strides: 2, padding: 'same', useBias: false, activation: 'linear' }, 'conv1'),
    bn('bn1'),
    act('relu', 'relu'),
    maxPool(3, { strides: 2, padding: 'same' }, 'maxpool'),
  );
  [64, 128, 256, 512].forEach((filters, s) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${s + 1}_${b}`;
      const strides = s > 0 && b === 0 ? 2 : 1;
      const c = (k: number, st: number, name: string): Spec => conv(filters, k, { strides: st, padding: 'same', useBias: false, activation: 'linear' }, name);
      const y = n.chain(x, c(3, strides, `${p}_conv1`), bn(`${p}_bn1`), act('relu', `${p}_relu1`), c(3, 1, `${p}_conv2`), bn(`${p}_bn2`));
      const shortcut = strides > 1 ? n.chain(x, c(1, strides, `${p}_downsample_conv`), bn(`${p}_downsample_bn`)) : x;
      x = n.chain(n.add('Add', {}, [y, shortcut], `${p}_add`), act('relu', `${p}_relu2`));
    }
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'avgpool'], dense(1000, 'softmax', 'fc'));
  return n.graph();
}

/** Keras' ResNet50 (v1): stride on the first 1×1 conv of a block, every conv with bias, BN epsilon 1.001e-5. */
function resnet50(): Graph {
  const n = new Net();
  const eps = { epsilon: 1.001e-5 };
  let x = n.chain(
    n.input([224, 224, 3], 'input_1'),
    ['ZeroPadding2D', { padding: 3 }, 'conv1_pad'],
    conv(64, 7, { strides: 2, activation: 'linear' }, 'conv1_conv'),
    bn('conv1_bn', eps),
    act('relu', 'conv1_relu'),
    ['ZeroPadding2D', { padding: 1 }, 'pool1_pad'],
    maxPool(3, { strides: 2 }, 'pool1_pool'),
  );
  (
    [
      [64, 3, 1],
      [128, 4, 2],
      [256, 6, 2],
      [512, 3, 2],
    ] as const
  ).forEach(([filters, blocks, stride], s) => {
    for (let b = 1; b <= blocks; b++) {
      const p = `conv${s + 2}_block${b}`;
      const strides = b === 1 ? stride : 1;
      const shortcut =
        b === 1 ? n.chain(x, conv(4 * filters, 1, { strides, activation: 'linear' }, `${p}_0_conv`), bn(`${p}_0_bn`, eps)) : x;
      const y = n.chain(
        x,
        conv(filters, 1, { strides, activation: 'linear' }, `${p}_1_conv`),
        bn(`${p}_1_bn`, eps),
        act('relu', `${p}_1_relu`),
        conv(filters, 3, { padding: 'same', activation: 'linear' }, `${p}_2_conv`),
        bn(`${p}_2_bn`, eps),
        act('relu', `${p}_2_relu`),
        conv(4 * filters, 1, { activation: 'linear' }, `${p}_3_conv`),
        bn(`${p}_3_bn`, eps),
      );
      x = n.chain(n.add('Add', {}, [shortcut, y], `${p}_add`), act('relu', `${p}_out`));
    }
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'avg_pool'], dense(1000, 'softmax', 'predictions'));
  return n.graph();
}

/** MobileNet v1's stem after its input, and its depthwise-separable blocks as [pointwise filters, depthwise strides]. */
const MOBILENET_STEM: Spec[] = [
  conv(32, 3, { strides: 2, padding: 'same', useBias: false, activation: 'linear' }, 'conv1'),
  bn('conv1_bn'),
  act('relu6', 'conv1_relu'),
];
const MOBILENET_BLOCKS: Array<[number, number]> = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/**
 * Keras' MobileNet v1 (alpha 1, 224×224). Keras pads strided blocks by ((0,1),(0,1)) and uses `valid`;
 * TensorFlow's `same` pads a stride-2 3×3 window on an even input exactly so, hence `same` and fewer nodes.
 * The head is Dense 1000: the same 1,025,000 parameters as Keras' 1×1 conv head on the pooled 1×1×1024.
 */
function mobilenet(): Graph {
  const n = new Net();
  let x = n.chain(
    n.input([224, 224, 3], 'input_1'),
    ...MOBILENET_STEM,
  );
  MOBILENET_BLOCKS.forEach(([filters, strides], i) => {
    const id = i + 1;
    x = n.chain(
      x,
      ['DepthwiseConv2D', { kernelSize: 3, strides, padding: 'same', useBias: false, activation: 'linear' }, `conv_dw_${id}`],
      bn(`conv_dw_${id}_bn`),
      act('relu6', `conv_dw_${id}_relu`),
      conv(filters, 1, { padding: 'same', useBias: false, activation: 'linear' }, `conv_pw_${id}`),
      bn(`conv_pw_${id}_bn`),
      act('relu6', `conv_pw_${id}_relu`),
    );
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'global_average_pooling2d'], ['Dropout', { rate: 0.001 }, 'dropout'], dense(1000, 'softmax', 'predictions'));
  return n.graph();
}

function calorimeterCnn(): Graph {
  const n = new Net();
  n.chain(
    n.input([32, 32, 3], 'calorimeter_image'),
    conv(16, 3, { padding: 'same', activation: 'relu' }, 'conv1'),
    maxPool(2, {}, 'pool1'),
    conv(32, 3, { padding: 'same', activation: 'relu' }, 'conv2'),
    maxPool(2, {}, 'pool2'),
    conv(64, 3, { padding: 'same', activation: 'relu' }, 'conv3'),
    maxPool(2, {}, 'pool3'),
    ['Flatten', {}, 'flatten'],
    dense(64, 'relu', 'fc1'),
    ['Dropout', { rate: 0.3 }, 'dropout'],
    dense(4, 'softmax', 'particle'),
  );
  return n.graph();
}

function jetImageCnn(): Graph {
  const n = new Net();
  n.chain(
    n.input([40, 40, 1], 'jet_image'),
    conv(32, 5, { padding: 'same', activation: 'relu' }, 'conv1'),
    maxPool(2, {}, 'pool1'),
    conv(64, 3, { padding: 'same', activation: 'relu' }, 'conv2'),
    maxPool(2, {}, 'pool2'),
    conv(64, 3, { padding: 'same', activation: 'relu' }, 'conv3'),
    maxPool(2, {}, 'pool3'),
    ['Flatten', {}, 'flatten'],
    dense(128, 'relu', 'fc1'),
    ['Dropout', { rate: 0.5 }, 'dropout'],
    dense(5, 'softmax', 'jet_class'),
  );
  return n.graph();
}

function conv1dTimeseries(): Graph {
  const n = new Net();
  n.chain(
    n.input([128, 1], 'signal'),
    ['Conv1D', { filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }, 'conv1'],
    ['MaxPooling1D', { poolSize: 2 }, 'pool1'],
    ['Conv1D', { filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }, 'conv2'],
    ['MaxPooling1D', { poolSize: 2 }, 'pool2'],
    ['Conv1D', { filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }, 'conv3'],
    ['GlobalAveragePooling1D', {}, 'global_avg_pool'],
    dense(32, 'relu', 'fc1'),
    dense(4, 'softmax', 'waveform'),
  );
  return n.graph();
}


/** A chain of blocks fits a screen when laid out in columns: at most this many boxes a column. */
const PER_COLUMN = 8;

/**
 * Column-by-column layout of a preset built from blocks: its main graph is a short chain, so columns of
 * {@link PER_COLUMN} boxes side by side fit one screen; block definitions get ELK's layered layout.
 */
async function layoutBlocks(built: Built): Promise<Built> {
  const graph: Graph = {
    ...built.graph,
    nodes: built.graph.nodes.map((node, i) => ({
      ...node,
      position: { x: Math.floor(i / PER_COLUMN) * (NODE_SIZE.width + 110), y: (i % PER_COLUMN) * (NODE_SIZE.height + 56) },
    })),
  };
  const blocks = await Promise.all((built.blocks ?? []).map(async (b) => ({ ...b, graph: await autoLayout(b.graph, 'DOWN') })));
  return { graph, blocks };
}

/** Keras' ResNet50 from its two bottleneck shapes: 16 block instances (the first of each stage with a projection). */
function resnet50Blocks(): Built {
  const n = new Net();
  const eps = { epsilon: 1.001e-5 };
  const bottleneck = (b: Net, x: string, projection: boolean) => {
    const shortcut = projection ? b.chain(x, conv(256, 1, { strides: 1, activation: 'linear' }, '0_conv'), bn('0_bn', eps)) : x;
    const y = b.chain(
      x,
      conv(64, 1, { strides: 1, activation: 'linear' }, '1_conv'),
      bn('1_bn', eps),
      act('relu', '1_relu'),
      conv(64, 3, { padding: 'same', activation: 'linear' }, '2_conv'),
      bn('2_bn', eps),
      act('relu', '2_relu'),
      conv(256, 1, { activation: 'linear' }, '3_conv'),
      bn('3_bn', eps),
    );
    return b.chain(b.add('Add', {}, [shortcut, y], 'add'), act('relu', 'out'));
  };
  const proj = n.defineBlock('bottleneck_projection', 'Bottleneck (projection)', 1, { filters: [64, ['1_conv', '2_conv', '3_conv:4', '0_conv:4']], strides: [1, ['0_conv', '1_conv']] }, (b, [x]) => bottleneck(b, x, true));
  const ident = n.defineBlock('bottleneck', 'Bottleneck', 1, { filters: [64, ['1_conv', '2_conv', '3_conv:4']] }, (b, [x]) => bottleneck(b, x, false));
  let x = n.chain(
    n.input([224, 224, 3], 'input_1'),
    ['ZeroPadding2D', { padding: 3 }, 'conv1_pad'],
    conv(64, 7, { strides: 2, activation: 'linear' }, 'conv1_conv'),
    bn('conv1_bn', eps),
    act('relu', 'conv1_relu'),
    ['ZeroPadding2D', { padding: 1 }, 'pool1_pad'],
    maxPool(3, { strides: 2 }, 'pool1_pool'),
  );
  (
    [
      [64, 3, 1],
      [128, 4, 2],
      [256, 6, 2],
      [512, 3, 2],
    ] as const
  ).forEach(([filters, blocks, stride], s) => {
    for (let b = 1; b <= blocks; b++) {
      const name = `conv${s + 2}_block${b}`;
      x = b === 1 ? n.instance(proj, { filters, strides: stride }, [x], name) : n.instance(ident, { filters }, [x], name);
    }
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'avg_pool'], dense(1000, 'softmax', 'predictions'));
  return n.built();
}

/** torchvision's resnet18 from two basic-block shapes (with and without the strided downsample). */
function resnet18Blocks(): Built {
  const n = new Net();
  const c = (k: number, name: string, more: Params = {}): Spec => conv(64, k, { strides: 1, padding: 'same', useBias: false, activation: 'linear', ...more }, name);
  const basic = (b: Net, x: string, downsample: boolean) => {
    const y = b.chain(x, c(3, 'conv1'), bn('bn1'), act('relu', 'relu1'), c(3, 'conv2'), bn('bn2'));
    const shortcut = downsample ? b.chain(x, c(1, 'downsample_conv'), bn('downsample_bn')) : x;
    return b.chain(b.add('Add', {}, [y, shortcut], 'add'), act('relu', 'relu2'));
  };
  const down = n.defineBlock('basic_downsample', 'Basic block (downsample)', 1, { filters: [64, ['conv1', 'conv2', 'downsample_conv']], strides: [2, ['conv1', 'downsample_conv']] }, (b, [x]) => basic(b, x, true));
  const plain = n.defineBlock('basic', 'Basic block', 1, { filters: [64, ['conv1', 'conv2']] }, (b, [x]) => basic(b, x, false));
  let x = n.chain(
    n.input([224, 224, 3]),
    conv(64, 7, { strides: 2, padding: 'same', useBias: false, activation: 'linear' }, 'conv1'),
    bn('bn1'),
    act('relu', 'relu'),
    maxPool(3, { strides: 2, padding: 'same' }, 'maxpool'),
  );
  [64, 128, 256, 512].forEach((filters, s) => {
    for (let b = 0; b < 2; b++) {
      const name = `layer${s + 1}_${b}`;
      x = s > 0 && b === 0 ? n.instance(down, { filters, strides: 2 }, [x], name) : n.instance(plain, { filters }, [x], name);
    }
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'avgpool'], dense(1000, 'softmax', 'fc'));
  return n.built();
}

/** keras.io's ResNet-20 v1 from two residual-block shapes (with and without the strided 1×1 shortcut). */
function resnetCifarBlocks(): Built {
  const n = new Net();
  const residual = (b: Net, x: string, shortcutConv: boolean) => {
    let y = convBnRelu(b, x, 16, '1');
    y = convBnRelu(b, y, 16, '2', 1, false);
    const shortcut = shortcutConv ? b.chain(x, conv(16, 1, { strides: 1, activation: 'linear' }, 'shortcut')) : x;
    return b.chain(b.add('Add', {}, [shortcut, y], 'add'), act('relu', 'out'));
  };
  const strided = n.defineBlock('residual_strided', 'Residual block (strided)', 1, { filters: [32, ['1_conv', '2_conv', 'shortcut']], strides: [2, ['1_conv', 'shortcut']] }, (b, [x]) => residual(b, x, true));
  const plain = n.defineBlock('residual', 'Residual block', 1, { filters: [16, ['1_conv', '2_conv']] }, (b, [x]) => residual(b, x, false));
  let x = convBnRelu(n, n.input([32, 32, 3]), 16, 'stem');
  [16, 32, 64].forEach((filters, s) => {
    for (let b = 1; b <= 3; b++) {
      const name = `stage${s + 1}_block${b}`;
      x = s > 0 && b === 1 ? n.instance(strided, { filters, strides: 2 }, [x], name) : n.instance(plain, { filters }, [x], name);
    }
  });
  n.chain(x, ['AveragePooling2D', { poolSize: 8 }, 'avg_pool'], ['Flatten', {}, 'flatten'], dense(10, 'softmax', 'predictions'));
  return n.built();
}

/** Keras' VGG16 from two block shapes: two or three 3×3 convs closed by max pooling. */
function vgg16Blocks(): Built {
  const n = new Net();
  const vggBlock = (convs: number) => (b: Net, [x]: string[]) => {
    for (let i = 1; i <= convs; i++) x = b.chain(x, conv(64, 3, { padding: 'same', activation: 'relu' }, `conv${i}`));
    return b.chain(x, maxPool(2, {}, 'pool'));
  };
  const two = n.defineBlock('vgg_block_2', 'VGG block ×2', 1, { filters: [64, ['conv1', 'conv2']] }, vggBlock(2));
  const three = n.defineBlock('vgg_block_3', 'VGG block ×3', 1, { filters: [256, ['conv1', 'conv2', 'conv3']] }, vggBlock(3));
  let x = n.input([224, 224, 3]);
  [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ].forEach(([filters, convs], b) => {
    x = n.instance(convs === 2 ? two : three, { filters }, [x], `block${b + 1}`);
  });
  n.chain(x, ['Flatten', {}, 'flatten'], dense(4096, 'relu', 'fc1'), dense(4096, 'relu', 'fc2'), dense(1000, 'softmax', 'predictions'));
  return n.built();
}

/** The small CIFAR VGG from one block: two conv-BN-ReLU closed by max pooling. */
function vggSmallBlocks(): Built {
  const n = new Net();
  const block = n.defineBlock('conv_bn_relu_x2', 'Conv-BN-ReLU ×2 + pool', 1, { filters: [64, ['1_conv', '2_conv']] }, (b, [x]) => {
    x = convBnRelu(b, x, 64, '1');
    x = convBnRelu(b, x, 64, '2');
    return b.chain(x, maxPool(2, {}, 'pool'));
  });
  let x = n.input([32, 32, 3]);
  [64, 128, 256, 512].forEach((filters, b) => {
    x = n.instance(block, { filters }, [x], `block${b + 1}`);
  });
  n.chain(x, ['Flatten', {}, 'flatten'], dense(512, 'relu', 'fc1'), ['Dropout', { rate: 0.5 }, 'dropout'], dense(10, 'softmax', 'predictions'));
  return n.built();
}

/** Keras' MobileNet v1 from one depthwise-separable block (filters and strides exposed). */
function mobilenetBlocks(): Built {
  const n = new Net();
  const sep = n.defineBlock('depthwise_separable', 'Depthwise-separable conv', 1, { filters: [64, ['pw']], strides: [1, ['dw']] }, (b, [x]) =>
    b.chain(
      x,
      ['DepthwiseConv2D', { kernelSize: 3, strides: 1, padding: 'same', useBias: false, activation: 'linear' }, 'dw'],
      bn('dw_bn'),
      act('relu6', 'dw_relu'),
      conv(64, 1, { padding: 'same', useBias: false, activation: 'linear' }, 'pw'),
      bn('pw_bn'),
      act('relu6', 'pw_relu'),
    ),
  );
  let x = n.chain(
    n.input([224, 224, 3], 'input_1'),
    ...MOBILENET_STEM,
  );
  MOBILENET_BLOCKS.forEach(([filters, strides], i) => {
    x = n.instance(sep, { filters, strides }, [x], `conv_block_${i + 1}`);
  });
  n.chain(x, ['GlobalAveragePooling2D', {}, 'global_average_pooling2d'], ['Dropout', { rate: 0.001 }, 'dropout'], dense(1000, 'softmax', 'predictions'));
  return n.built();
}

/** The flat (block-free) builders of the presets made of blocks: tests check both give the same network. */
export const flatBuilders: Record<string, () => Graph> = {
  'vgg-small': vggSmall,
  vgg16,
  'resnet-cifar': resnetCifar,
  resnet18,
  resnet50,
  mobilenet,
};

const flat = (f: () => Graph) => (): Built => ({ graph: f() });

/** Every preset, in menu order. */
export const presetDefs: PresetDef[] = [
  {
    id: 'lenet5',
    name: 'LeNet-5',
    description: 'LeNet-5 as usually written in Keras: 28×28×1 MNIST digits, two conv + max-pool stages, three dense layers.',
    build: flat(lenet5),
  },
  {
    id: 'lenet5-classic',
    name: 'LeNet-5 (classic, 32×32)',
    description: 'LeCun et al. 1998 on 32×32×1 inputs: valid 5×5 convs, average pooling, tanh, dense 120-84-10.',
    build: flat(lenet5Classic),
  },
  {
    id: 'basic-cnn',
    name: 'Basic CNN (X vs O)',
    description: "The slides' BasicCNNModel: two 3×3 convs, global max pooling and a dense classifier on 9×9 X/O images.",
    build: flat(basicCnn),
  },
  {
    id: 'vgg-small',
    name: 'Small VGG (CIFAR)',
    description: 'A VGG for 32×32×3 images: blocks of two conv-BN-ReLU with 64, 128, 256 and 512 filters, each closed by max pooling.',
    build: vggSmallBlocks,
  },
  {
    id: 'vgg16',
    name: 'VGG-16',
    description: "Keras' VGG16 on 224×224×3 images with the 1000-class ImageNet head: 13 convs and 3 dense layers.",
    build: vgg16Blocks,
  },
  {
    id: 'resnet-cifar',
    name: 'ResNet-20 (CIFAR)',
    description: 'A small CIFAR-10 ResNet (ResNet-20 v1): 3 stages of 3 residual blocks with 16, 32 and 64 filters.',
    build: resnetCifarBlocks,
  },
  {
    id: 'resnet18',
    name: 'ResNet-18',
    description: "torchvision's ResNet-18 on 224×224×3: basic residual blocks, convs without bias, 1000 classes.",
    build: resnet18Blocks,
  },
  {
    id: 'resnet50',
    name: 'ResNet-50',
    description: "Keras' ResNet50 (v1) on 224×224×3: bottleneck blocks with the stride on the first 1×1 conv, 1000 classes.",
    build: resnet50Blocks,
  },
  {
    id: 'mobilenet',
    name: 'MobileNet v1',
    description: "Keras' MobileNet (alpha 1, 224×224×3): depthwise-separable conv blocks with ReLU6, 1000 classes.",
    build: mobilenetBlocks,
  },
  {
    id: 'calorimeter-cnn',
    name: 'Calorimeter CNN',
    description: 'Classifies 32×32×3 calorimeter images (energy in three layers) into 4 particle types.',
    build: flat(calorimeterCnn),
  },
  {
    id: 'jet-image-cnn',
    name: 'Jet image CNN',
    description: 'Classifies 40×40×1 jet images (transverse momentum in η–φ pixels) into 5 jet types.',
    build: flat(jetImageCnn),
  },
  {
    id: 'conv1d-timeseries',
    name: 'Conv1D time series',
    description: 'A 1D CNN for 128-step signals: sine, square, sawtooth or noise.',
    build: flat(conv1dTimeseries),
  },
];

/** The project document of one preset, positions from ELK's layered layout. */
export async function presetProject(def: PresetDef): Promise<ProjectFileV1> {
  const built = def.build();
  if (built.blocks) {
    const { graph, blocks } = await layoutBlocks(built);
    return { format: 'convas-project', version: 2, name: def.name, description: def.description, graph, blocks };
  }
  const graph = await autoLayout(built.graph, 'DOWN');
  return { format: 'convas-project', version: 1, name: def.name, description: def.description, graph };
}

export const presetPath = (id: string) => fileURLToPath(new URL(`../presets/${id}.json`, import.meta.url));

async function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const def of presetDefs) {
    const text = serializeProject(await presetProject(def));
    const file = presetPath(def.id);
    if (check) {
      const onDisk = await readFile(file, 'utf8').catch(() => '');
      if (onDisk !== text) {
        console.error(`presets/${def.id}.json is out of date; run npm run presets`);
        stale++;
      }
    } else {
      await writeFile(file, text);
      console.log(`wrote presets/${def.id}.json (${def.build().graph.nodes.length} nodes)`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
