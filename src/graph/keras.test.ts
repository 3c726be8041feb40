import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { graphToKerasModelJson, kerasToGraph, type KerasImport } from './keras';
import type { Graph } from './types';
import { getPreset, presetList } from '../../presets/index';

await tf.setBackend('cpu');

/** A small residual graph: Input → Conv2D → Conv2D, plus a skip into Add, then Dense. */
function residual(): Graph {
  const g = sequentialGraph([
    { kind: 'Input', name: 'img', params: { shape: [12, 12, 3] } },
    { kind: 'Conv2D', name: 'stem', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' } },
    { kind: 'Conv2D', name: 'branch', params: { filters: 8, kernelSize: [3, 1], padding: 'same', useBias: false } },
    { kind: 'Add', name: 'join' },
    { kind: 'Dense', name: 'head', params: { units: 5, activation: 'softmax' } },
  ]);
  g.edges.push({ id: 'skip', source: 'n1', target: 'n3', targetIndex: 1 });
  return g;
}

function imported(json: unknown): KerasImport {
  const r = kerasToGraph(json);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

const errorsOf = (json: unknown) => {
  const r = kerasToGraph(json);
  return r.ok ? [] : r.errors;
};

/** Our view of a graph that ignores ids and positions: names, kinds, parsed params, wiring by name. */
function shape(g: Graph) {
  const inf = inferGraph(g);
  const name = new Map(g.nodes.map((n) => [n.id, n.name]));
  return {
    nodes: g.nodes.map((n) => ({ name: n.name, kind: n.kind, params: inf.nodes[n.id].params })).sort((a, b) => a.name.localeCompare(b.name)),
    edges: g.edges.map((e) => `${name.get(e.source)}→${name.get(e.target)}#${e.targetIndex}`).sort(),
    totals: inf.totals,
  };
}

async function tfjsArtifacts(model: tf.LayersModel): Promise<Record<string, unknown>> {
  let json: Record<string, unknown> = {};
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      // The model.json that tf.io.browserFiles / file:// write next to the weights file.
      json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths: ['./model.weights.bin'], weights: a.weightSpecs }],
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return JSON.parse(JSON.stringify(json));
}

describe('graph → Keras model.json', () => {
  it('writes a Functional topology with Keras 2 inbound nodes in slot order', () => {
    const json = graphToKerasModelJson(residual(), 'res');
    expect(json.format).toBe('layers-model');
    const cfg = json.modelTopology.config;
    expect(json.modelTopology.class_name).toBe('Model');
    expect(cfg.name).toBe('res');
    expect(cfg.input_layers).toEqual([['img', 0, 0]]);
    expect(cfg.output_layers).toEqual([['head', 0, 0]]);
    expect(cfg.layers[0]).toMatchObject({ class_name: 'InputLayer', config: { name: 'img', batch_input_shape: [null, 12, 12, 3] }, inbound_nodes: [] });
    const join = cfg.layers.find((l) => l.name === 'join')!;
    expect(join.inbound_nodes).toEqual([[['branch', 0, 0, {}], ['stem', 0, 0, {}]]]);
    expect(cfg.layers.find((l) => l.name === 'branch')!.config).toMatchObject({ kernel_size: [3, 1], use_bias: false, name: 'branch' });
  });

  it('tfjs itself loads the export, with the same parameter count and output shape', async () => {
    const g = residual();
    const json = graphToKerasModelJson(g);
    const model = await tf.models.modelFromJSON(json.modelTopology as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
    expect(model.countParams()).toBe(inferGraph(g).totals.params);
    expect(model.outputs[0].shape).toEqual([null, 12, 12, 5]);
    model.dispose();
  });

  it('refuses an invalid graph, naming the bad node', () => {
    const g = sequentialGraph([{ kind: 'Input', params: { shape: [3, 3, 1] } }, { kind: 'Conv2D', name: 'big', params: { kernelSize: 5 } }]);
    expect(() => graphToKerasModelJson(g)).toThrow(/big: kernel 5×5 is larger than the 3×3 input/);
  });

  it('round-trips: export then import gives the same layers, params, wiring and totals', () => {
    const g = residual();
    const back = imported(graphToKerasModelJson(g, 'res'));
    expect(back.name).toBe('res');
    expect(back.warnings).toEqual([]);
    expect(shape(back.graph)).toEqual(shape(g));
  });
});

describe('Keras/tfjs model.json → graph', () => {
  it('reads a tfjs Sequential without InputLayer (batch_input_shape on the first layer)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 5, activation: 'relu', name: 'c1' }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', name: 'c2' }),
        tf.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    const json = model.toJSON(null, false);
    const { graph } = imported(json);
    expect(graph.nodes.map((n) => [n.kind, n.name])).toEqual([
      ['Input', 'c1_input'],
      ['Conv2D', 'c1'],
      ['Conv2D', 'c2'],
      ['Dense', 'out'],
    ]);
    const inf = inferGraph(graph);
    expect(inf.valid).toBe(true);
    expect(inf.totals.params).toBe(model.countParams());
    expect(inf.nodes[inf.outputs[0]].outputShape).toEqual(model.outputs[0].shape.slice(1));
    model.dispose();
  });

  it('reads a Sequential with an explicit InputLayer', async () => {
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [7], name: 'x' }), tf.layers.dense({ units: 4, name: 'd' })] });
    const { graph } = imported(model.toJSON(null, false));
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'd']);
    expect(inferGraph(graph).totals.params).toBe(model.countParams());
    model.dispose();
  });

  it('reads a tfjs Functional model with an Add branch, saved with its weights manifest', async () => {
    const x = tf.input({ shape: [10, 10, 2], name: 'x' });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'b' }).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([b, a]) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 2, name: 'y' }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y, name: 'branchy' });

    const json = await tfjsArtifacts(model);
    const r = imported(json);
    expect(r.name).toBe('branchy');
    expect(r.weightsManifest).toEqual([{ paths: ['./model.weights.bin'], weights: expect.arrayContaining([{ name: 'a/kernel', shape: [3, 3, 2, 4], dtype: 'float32' }]) }]);
    const inf = inferGraph(r.graph);
    expect(inf.valid).toBe(true);
    expect(inf.totals.params).toBe(model.countParams());
    const sumNode = r.graph.nodes.find((n) => n.name === 'sum')!;
    const into = r.graph.edges.filter((e) => e.target === sumNode.id).sort((p, q) => p.targetIndex - q.targetIndex);
    expect(into.map((e) => r.graph.nodes.find((n) => n.id === e.source)!.name)).toEqual(['b', 'a']);

    // Bare toJSON() reads the same as the saved model.json.
    expect(shape(imported(model.toJSON(null, false)).graph)).toEqual(shape(r.graph));
    model.dispose();
  });

  it('lays the imported graph out in rows without overlap', () => {
    const { graph } = imported(graphToKerasModelJson(residual()));
    const seen = new Set(graph.nodes.map((n) => `${n.position.x},${n.position.y}`));
    expect(seen.size).toBe(graph.nodes.length);
    const y = (name: string) => graph.nodes.find((n) => n.name === name)!.position.y;
    expect(y('img')).toBeLessThan(y('stem'));
    expect(y('branch')).toBeLessThan(y('join'));
  });

  it('reads the Keras 2 "Functional" class inside a converter model_config wrapper, and warns about frozen layers', () => {
    const topo = graphToKerasModelJson(residual()).modelTopology as unknown as Record<string, unknown>;
    const cfg = structuredClone(topo.config) as { layers: Array<{ config: Record<string, unknown> }> };
    cfg.layers[1].config.trainable = false;
    const r = imported({ modelTopology: { model_config: { class_name: 'Functional', config: cfg }, keras_version: '2.15.0' } });
    expect(r.graph.nodes).toHaveLength(5);
    expect(r.warnings).toEqual(['layer 1 "stem" (Conv2D): the layer was frozen (trainable: false); Convas counts its weights as trainable']);
  });

  it('reads Keras 3 inbound nodes (keras tensors with keras_history)', () => {
    const t = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [name, 0, 0] } });
    const json = {
      class_name: 'Functional',
      config: {
        name: 'k3',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { batch_shape: [null, 4], dtype: 'float32', name: 'in' }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'd1', config: { name: 'd1', units: 4 }, inbound_nodes: [{ args: [t('in')], kwargs: {} }] },
          { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [{ args: [[t('in'), t('d1')]], kwargs: {} }] },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['sum', 0, 0]],
      },
    };
    const inf = inferGraph(imported(json).graph);
    expect(inf.valid).toBe(true);
    expect(inf.totals.params).toBe(20);
  });

  it('lists every unknown class and every malformed layer at once', () => {
    const json = graphToKerasModelJson(residual()) as unknown as { modelTopology: { config: { layers: Array<Record<string, unknown>> } } };
    const layers = json.modelTopology.config.layers;
    layers[1].class_name = 'CapsuleLayer';
    (layers[2].config as Record<string, unknown>).filters = 'many';
    layers[4].class_name = 'Lambda';
    const errors = errorsOf(json);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toBe('layer 1 "stem" (CapsuleLayer): unknown layer class "CapsuleLayer"');
    expect(errors[1]).toBe('layer 2 "branch" (Conv2D): Filters must be a whole number ≥ 1; "many" is not a number');
    expect(errors[2]).toBe('layer 4 "head" (Lambda): unknown layer class "Lambda"');
    expect(errors[3]).toMatch(/^Convas reads these Keras layer classes: InputLayer, .*Conv2D, .*ReLU$/);
  });

  it('explains what it cannot represent', () => {
    const base = () => structuredClone(graphToKerasModelJson(residual())) as unknown as { modelTopology: { config: { layers: Array<Record<string, any>> } } };
    const shared = base();
    shared.modelTopology.config.layers[2].inbound_nodes.push([['img', 0, 0, {}]]);
    expect(errorsOf(shared)).toEqual(['layer 2 "branch" (Conv2D): the layer is called 2 times (a shared layer); Convas needs one call per layer']);

    const nested = base();
    nested.modelTopology.config.layers[4].class_name = 'Sequential';
    expect(errorsOf(nested)[0]).toMatch(/nested model/);

    const cf = base();
    cf.modelTopology.config.layers[1].config.data_format = 'channels_first';
    expect(errorsOf(cf)).toEqual(['layer 1 "stem" (Conv2D): data_format "channels_first" is not supported; Convas is channels-last']);

    const dangling = base();
    dangling.modelTopology.config.layers[4].inbound_nodes = [[['ghost', 0, 0, {}]]];
    expect(errorsOf(dangling)).toEqual(['layer 4 "head" (Dense): input 0 comes from "ghost", which is not a layer of this model']);

    expect(errorsOf({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 3 } }] } })).toEqual([
      'layer 0 "d" (Dense): the first layer of a Sequential model needs batch_input_shape (or an InputLayer before it)',
    ]);
  });

  it('refuses files that are not layers models', () => {
    expect(errorsOf([1, 2])[0]).toMatch(/got an array/);
    expect(errorsOf({ format: 'graph-model', modelTopology: {} })[0]).toMatch(/graph model/);
    expect(errorsOf({ modelTopology: { hello: 1 } })[0]).toMatch(/^modelTopology: expected an object with "class_name"/);
    expect(errorsOf({ class_name: 'Dense', config: {} })[0]).toMatch(/expected Sequential, Functional or Model, got "Dense"/);
    expect(errorsOf({ class_name: 'Model', config: { layers: [] } })).toEqual(['config.layers: the model has no layers']);
  });
});

type Sym = tf.SymbolicTensor;
/** One small tfjs model per Keras class Convas reads: input shape and how to wire the layer under test. */
const perClass: Array<[string, number[], (x: Sym) => Sym]> = [
  ['Conv1D', [20, 3], (x) => tf.layers.conv1d({ filters: 4, kernelSize: 5, strides: 2, padding: 'same' }).apply(x) as Sym],
  ['Conv2D', [9, 9, 3], (x) => tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], dilationRate: 2, useBias: false }).apply(x) as Sym],
  ['DepthwiseConv2D', [9, 9, 3], (x) => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2 }).apply(x) as Sym],
  ['SeparableConv2D', [9, 9, 3], (x) => tf.layers.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(x) as Sym],
  ['Conv2DTranspose', [5, 5, 3], (x) => tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as Sym],
  ['MaxPooling1D', [20, 3], (x) => tf.layers.maxPooling1d({ poolSize: 3 }).apply(x) as Sym],
  ['MaxPooling2D', [9, 9, 3], (x) => tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }).apply(x) as Sym],
  ['AveragePooling1D', [20, 3], (x) => tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' }).apply(x) as Sym],
  ['AveragePooling2D', [9, 9, 3], (x) => tf.layers.averagePooling2d({ poolSize: 3, padding: 'same' }).apply(x) as Sym],
  ['GlobalAveragePooling1D', [20, 3], (x) => tf.layers.globalAveragePooling1d().apply(x) as Sym],
  ['GlobalAveragePooling2D', [9, 9, 3], (x) => tf.layers.globalAveragePooling2d({}).apply(x) as Sym],
  ['GlobalMaxPooling1D', [20, 3], (x) => tf.layers.globalMaxPooling1d().apply(x) as Sym],
  ['GlobalMaxPooling2D', [9, 9, 3], (x) => tf.layers.globalMaxPooling2d({}).apply(x) as Sym],
  ['ZeroPadding2D', [9, 9, 3], (x) => tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }).apply(x) as Sym],
  ['BatchNormalization', [9, 9, 3], (x) => tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as Sym],
  ['Activation', [9, 9, 3], (x) => tf.layers.activation({ activation: 'tanh' }).apply(x) as Sym],
  ['ReLU', [9, 9, 3], (x) => tf.layers.reLU({ maxValue: 6 }).apply(x) as Sym],
  ['LeakyReLU', [9, 9, 3], (x) => tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym],
  ['Dropout', [9, 9, 3], (x) => tf.layers.dropout({ rate: 0.25 }).apply(x) as Sym],
  ['Flatten', [9, 9, 3], (x) => tf.layers.flatten().apply(x) as Sym],
  ['Reshape', [9, 9, 3], (x) => tf.layers.reshape({ targetShape: [81, 3] }).apply(x) as Sym],
  ['Dense', [9, 9, 3], (x) => tf.layers.dense({ units: 7, activation: 'relu' }).apply(x) as Sym],
  ['Add', [9, 9, 3], (x) => tf.layers.add().apply([x, tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as Sym]) as Sym],
  ['Concatenate', [9, 9, 3], (x) => tf.layers.concatenate({ axis: -1 }).apply([x, tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(x) as Sym]) as Sym],
  ['Multiply', [9, 9, 3], (x) => tf.layers.multiply().apply([x, x]) as Sym],
];

describe('every Keras class Convas reads, from tfjs itself', () => {
  it.each(perClass)('%s: imported graph has tfjs’ parameter count and output shape', async (cls, shape, wire) => {
    const x = tf.input({ shape });
    const model = tf.model({ inputs: x, outputs: wire(x) });
    const classes = (model.toJSON(null, false) as { config: { layers: Array<{ class_name: string }> } }).config.layers.map((l) => l.class_name);
    expect(classes).toContain(cls);
    for (const json of [model.toJSON(null, false), await tfjsArtifacts(model)]) {
      const { graph, warnings } = imported(json);
      expect(warnings).toEqual([]);
      const inf = inferGraph(graph);
      expect(inf.issues).toEqual([]);
      expect(inf.valid).toBe(true);
      expect(inf.totals.params).toBe(model.countParams());
      const trainable = model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
      expect(inf.totals.trainableParams).toBe(trainable);
      expect(inf.nodes[inf.outputs[0]].outputShape).toEqual(model.outputs[0].shape.slice(1));
    }
    model.dispose();
  });
});

describe('presets through Keras JSON', () => {
  it.each(presetList.map((p) => [p.id, p] as const))('%s: export → import keeps every layer, param and connection', (id, info) => {
    const graph = getPreset(id)!.graph;
    const back = imported(JSON.parse(JSON.stringify(graphToKerasModelJson(graph, id))));
    expect(shape(back.graph)).toEqual(shape(graph));
    expect(inferGraph(back.graph).totals.params).toBe(info.expected.params);
  });

  // tfjs allocates the weights while loading, so only the presets under 15 M params (all but ResNet-50 and VGG-16) are loaded here.
  it.each(presetList.filter((p) => p.expected.params < 1.5e7).map((p) => [p.id, p] as const))(
    '%s: tfjs loads the exported topology with the pinned parameter count',
    async (id, info) => {
      const json = graphToKerasModelJson(getPreset(id)!.graph, id);
      const model = await tf.models.modelFromJSON(json.modelTopology as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
      expect(model.countParams()).toBe(info.expected.params);
      model.dispose();
    },
  );
});

describe('Keras 2 (Python) model.json', () => {
  // The shape tf.keras 2.15 writes through tensorflowjs_converter: `model_config`, class `Functional`, `module`,
  // `registered_name` and `build_config` per layer, initializer objects, `ragged` on InputLayer, `groups` on convs.
  const layer = (class_name: string, name: string, config: Record<string, unknown>, inbound: string[]) => ({
    module: 'keras.layers',
    class_name,
    config: { name, trainable: true, dtype: 'float32', ...config },
    registered_name: null,
    build_config: { input_shape: [null, 8, 8, 3] },
    name,
    inbound_nodes: inbound.length ? [inbound.map((s) => [s, 0, 0, {}])] : [],
  });
  const init = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };
  const conv = { kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: false, kernel_initializer: init, bias_initializer: init, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };
  const keras2 = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'model',
          trainable: true,
          layers: [
            { ...layer('InputLayer', 'input_1', { batch_input_shape: [null, 8, 8, 3], sparse: false, ragged: false }, []), build_config: undefined },
            layer('Conv2D', 'conv2d', { ...conv, filters: 3 }, ['input_1']),
            layer('BatchNormalization', 'batch_normalization', { axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true }, ['conv2d']),
            layer('ReLU', 're_lu', { max_value: null, negative_slope: 0.0, threshold: 0.0 }, ['batch_normalization']),
            layer('Add', 'add', {}, ['re_lu', 'input_1']),
            layer('GlobalAveragePooling2D', 'global_average_pooling2d', { data_format: 'channels_last', keepdims: false }, ['add']),
            layer('Dropout', 'dropout', { rate: 0.2, noise_shape: null, seed: null }, ['global_average_pooling2d']),
            layer('Dense', 'dense', { units: 4, activation: 'softmax', use_bias: true, kernel_initializer: init, bias_initializer: init }, ['dropout']),
          ],
          input_layers: [['input_1', 0, 0]],
          output_layers: [['dense', 0, 0]],
        },
      },
      training_config: { loss: 'categorical_crossentropy', optimizer_config: { class_name: 'Adam', config: {} } },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
  };

  it('imports with the parameter split tfjs computes for the same file', async () => {
    const json = JSON.parse(JSON.stringify(keras2));
    const r = imported(json);
    const inf = inferGraph(r.graph);
    expect(inf.valid).toBe(true);
    expect(r.graph.nodes.find((n) => n.name === 're_lu')?.kind).toBe('Activation');
    const model = await tf.models.modelFromJSON(json.modelTopology as Parameters<typeof tf.models.modelFromJSON>[0]);
    expect(inf.totals.params).toBe(model.countParams());
    const count = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    expect(inf.totals.trainableParams).toBe(count(model.trainableWeights));
    expect(inf.totals.nonTrainableParams).toBe(count(model.nonTrainableWeights));
    model.dispose();
  });

  it('names each layer it cannot represent (grouped conv, capped ReLU, channels_first pooling)', () => {
    const json = JSON.parse(JSON.stringify(keras2));
    const layers = json.modelTopology.model_config.config.layers;
    layers[1].config.groups = 3;
    layers[3].config.max_value = 4;
    layers[5].config.data_format = 'channels_first';
    const errors = errorsOf(json);
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      'layer 1 "conv2d" (Conv2D)',
      'layer 3 "re_lu" (ReLU)',
      'layer 5 "global_average_pooling2d" (GlobalAveragePooling2D)',
    ]);
  });
});
