import { product } from '../../nodes/index';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { inferGraph } from '../graph/infer';
import type { Graph, ProjectFileV1 } from '../graph/types';
import { compileGraph } from '../compile/compile';
import { snapshotWeights } from '../compile/weights';
import { artifactBaseName, buildModel, exportArtifacts, importArtifacts } from './artifacts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small residual net with BN (moving statistics matter) and a softmax head. */
const residual: Graph = {
  nodes: [
    { id: 'i', kind: 'Input', name: 'img', params: { shape: [8, 8, 2] }, position: { x: 0, y: 0 } },
    { id: 'c', kind: 'Conv2D', name: 'conv', params: { filters: 4, kernelSize: 3, padding: 'same' }, position: { x: 0, y: 100 } },
    { id: 'b', kind: 'BatchNormalization', name: 'bn', params: {}, position: { x: 0, y: 200 } },
    { id: 's', kind: 'Conv2D', name: 'skip', params: { filters: 4, kernelSize: 1, activation: 'linear' }, position: { x: 200, y: 200 } },
    { id: 'a', kind: 'Add', name: 'add', params: {}, position: { x: 0, y: 300 } },
    { id: 'f', kind: 'Flatten', name: 'flat', params: {}, position: { x: 0, y: 400 } },
    { id: 'd', kind: 'Dense', name: 'out', params: { units: 3, activation: 'softmax' }, position: { x: 0, y: 500 } },
  ],
  edges: [
    { id: 'e1', source: 'i', target: 'c', targetIndex: 0 },
    { id: 'e2', source: 'c', target: 'b', targetIndex: 0 },
    { id: 'e3', source: 'i', target: 's', targetIndex: 0 },
    { id: 'e4', source: 'b', target: 'a', targetIndex: 0 },
    { id: 'e5', source: 's', target: 'a', targetIndex: 1 },
    { id: 'e6', source: 'a', target: 'f', targetIndex: 0 },
    { id: 'e7', source: 'f', target: 'd', targetIndex: 0 },
  ],
};

const project = (name: string, graph: Graph): ProjectFileV1 => ({ format: 'convas-project', version: 1, name, graph });

/** "Trained" weights: the initial ones, with BN's moving statistics moved away from 0/1 so that they count. */
function trainedWeights(graph: Graph) {
  const model = compileGraph(tf, graph);
  const snap = snapshotWeights(model);
  model.dispose();
  for (const layer of snap) {
    for (const t of layer.tensors) {
      if (/moving_mean/.test(t.name)) t.data = t.data.map((_x, i) => 0.1 * (i + 1));
      if (/moving_variance/.test(t.name)) t.data = t.data.map((_x, i) => 1 + 0.5 * i);
    }
  }
  return snap;
}

function predict(model: tf.LayersModel, shape: readonly number[], seed: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.randomUniform([3, ...shape], 0, 1, 'float32', seed)) as tf.Tensor).dataSync() as Float32Array);
}

describe.each([
  ['residual + BN', residual],
  ['LeNet-5 preset', getPreset('lenet5')!.graph],
])('tfjs artifacts of %s', (_name, graph) => {
  const inShape = inferGraph(graph).nodes[graph.nodes.find((n) => n.kind === 'Input')!.id].outputShape!;

  it('save as model.json + weights.bin; tf.loadLayersModel(fromMemory) predicts the same', async () => {
    const weights = trainedWeights(graph);
    const original = buildModel(tf, graph, weights);
    const expected = predict(original, inShape, 5);
    original.dispose();

    const art = await exportArtifacts(tf, project('My net!', graph), weights);
    expect(art.weightsFileName).toBe('My-net.weights.bin');
    // Through text and bytes, as a downloaded file would be.
    const json = JSON.parse(JSON.stringify(art.modelJson)) as tf.io.ModelJSON;
    expect(json.weightsManifest[0].paths).toEqual(['./My-net.weights.bin']);
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    expect(art.weightsBin.byteLength).toBe(specs.reduce((s, w) => s + 4 * product(w.shape), 0));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(json.modelTopology, specs, art.weightsBin.slice(0)));
    expect(Array.from(predict(loaded, inShape, 5))).toEqual(Array.from(expected));
    loaded.dispose();
  });

  it('import back: topology → graph, weights → the same predictions', async () => {
    const weights = trainedWeights(graph);
    const art = await exportArtifacts(tf, project('net', graph), weights);
    const imported = await importArtifacts(tf, JSON.stringify(art.modelJson), new Map([[art.weightsFileName, art.weightsBin]]));
    const ig = imported.project.graph;
    expect(ig.nodes.map((n) => `${n.kind}:${n.name}`).sort()).toEqual(graph.nodes.map((n) => `${n.kind}:${n.name}`).sort());
    expect(inferGraph(ig).totals).toEqual(inferGraph(graph).totals);
    const a = buildModel(tf, graph, weights);
    const b = buildModel(tf, ig, imported.weights);
    expect(Array.from(predict(b, inShape, 9))).toEqual(Array.from(predict(a, inShape, 9)));
    a.dispose();
    b.dispose();
  });
});

describe('importArtifacts refuses', () => {
  it('a model.json whose weights file is missing, naming it', async () => {
    const art = await exportArtifacts(tf, project('net', residual), null);
    await expect(importArtifacts(tf, JSON.stringify(art.modelJson), new Map())).rejects.toThrow(/missing weights file net\.weights\.bin/);
  });

  it('an architecture-only model.json and a Convas project', async () => {
    const art = await exportArtifacts(tf, project('net', residual), null);
    const { weightsManifest: _drop, ...topologyOnly } = art.modelJson;
    await expect(importArtifacts(tf, JSON.stringify(topologyOnly), new Map())).rejects.toThrow(/no weightsManifest/);
    await expect(importArtifacts(tf, JSON.stringify(project('p', residual)), new Map())).rejects.toThrow(/is a Convas project/);
    await expect(importArtifacts(tf, '{"modelTopology": {"__proto__": 1}}', new Map())).rejects.toThrow(/forbidden key/);
  });

  it('weights that do not fit the graph, naming the layer', async () => {
    const other = trainedWeights(getPreset('lenet5')!.graph).map((l) => ({ ...l, layer: l.layer === 'dense_2' ? 'out' : l.layer }));
    expect(() => buildModel(tf, residual, other)).toThrow(/layer out/);
  });
});

it('artifactBaseName keeps file names portable', () => {
  expect(artifactBaseName('  LeNet-5 (mine) ')).toBe('LeNet-5-mine');
  expect(artifactBaseName('///')).toBe('model');
});
