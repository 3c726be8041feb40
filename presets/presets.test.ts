import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { flatBuilders, presetDefs } from '../scripts/make-presets';
import { flatten } from '../src/graph/blocks';
import { compileGraph } from '../src/compile/compile';
import { compareWithInference } from '../src/compile/testing/tfjs-oracle';
import { inferGraph } from '../src/graph/infer';
import { parseProject } from '../src/graph/project';
import { checkCompatibility } from '../src/train/compat';
import { datasetList } from '../src/train/datasets/index';
import type { Graph } from '../src/graph/types';
import { getPreset, presetDocument, presetList } from './index';

/**
 * Figures published elsewhere (Keras applications' model.summary(), torchvision's docs, the LeNet-5 arithmetic),
 * kept apart from the expected table so that a wrong table entry cannot hide behind itself.
 * MACs are given to the precision they are published with (in units of `macsUnit`).
 */
const PUBLISHED: Record<string, { params?: number; trainableParams?: number; macs?: number; macsUnit?: number }> = {
  lenet5: { params: 61_706, macs: 416_520, macsUnit: 1 },
  vgg16: { params: 138_357_544, macs: 15.47, macsUnit: 1e9 },
  resnet50: { params: 25_636_712, trainableParams: 25_583_592, macs: 3.86, macsUnit: 1e9 },
  mobilenet: { params: 4_253_864, trainableParams: 4_231_976, macs: 0.569, macsUnit: 1e9 },
  // torchvision counts no BN running statistics, so its total is our trainable count.
  resnet18: { trainableParams: 11_689_512, macs: 1.81, macsUnit: 1e9 },
  'resnet-cifar': { params: 274_442, trainableParams: 273_066 },
};

const IDS = [
  'lenet5',
  'lenet5-classic',
  'basic-cnn',
  'vgg-small',
  'vgg16',
  'resnet-cifar',
  'resnet18',
  'resnet50',
  'mobilenet',
  'calorimeter-cnn',
  'jet-image-cnn',
  'conv1d-timeseries',
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('preset list', () => {
  it('holds the contract ids in menu order, lenet5 first', () => {
    expect(presetList.map((p) => p.id)).toEqual(IDS);
  });

  it("names only built-in datasets, and each fits its preset's Input and head", () => {
    for (const p of presetList.filter((q) => q.dataset)) {
      const info = datasetList.find((d) => d.id === p.dataset);
      expect(info, `${p.id}: dataset ${p.dataset}`).toBeDefined();
      const graph = getPreset(p.id)!.graph;
      expect(checkCompatibility(graph, inferGraph(graph), info!), p.id).toEqual([]);
    }
  });

  it('gives a fresh deep copy per call and undefined for unknown ids', () => {
    const a = getPreset('lenet5')!;
    a.graph.nodes[0].params.shape = [1];
    a.name = 'changed';
    const b = getPreset('lenet5')!;
    expect(b.name).toBe('LeNet-5');
    expect(b.graph.nodes[0].params.shape).toEqual([28, 28, 1]);
    expect(getPreset('nope')).toBeUndefined();
    expect(getPreset('__proto__')).toBeUndefined();
    expect(getPreset('toString')).toBeUndefined();
  });

  it('lenet5 is the 9-node Keras variant the smoke test opens', () => {
    const g = getPreset('lenet5')!.graph;
    expect(g.nodes.map((n) => n.kind)).toEqual([
      'Input',
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense',
      'Dense',
    ]);
  });

  it('files on disk are what scripts/make-presets.ts builds (run `npm run presets` after editing it)', () => {
    expect(presetDefs.map((d) => d.id)).toEqual(IDS);
    for (const def of presetDefs) {
      const built = def.build();
      const file = presetDocument(def.id)!;
      const strip = (g: Graph) => ({ nodes: g.nodes.map(({ position: _p, ...n }) => n), edges: g.edges });
      expect(strip(file.graph), def.id).toEqual(strip(built.graph));
      expect(file.blocks?.map((b) => ({ ...b, graph: strip(b.graph) })), def.id).toEqual(built.blocks?.map((b) => ({ ...b, graph: strip(b.graph) })));
      expect(file.name, def.id).toBe(def.name);
      expect(presetList.find((p) => p.id === def.id)!.name).toBe(def.name);
    }
  });
});

describe('presets built from blocks', () => {
  it.each(Object.keys(flatBuilders))('%s: fits a screen collapsed and flattens to the same network as its flat builder', (id) => {
    const file = presetDocument(id)!;
    expect(file.blocks?.length, id).toBeGreaterThan(0);
    // One screen: columns of at most 8 boxes, a few columns wide.
    expect(file.graph.nodes.length, id).toBeLessThanOrEqual(32);
    const flat = flatten(file.graph, file.blocks);
    expect(flat.problems).toEqual([]);
    const reference = flatBuilders[id]();
    expect(flat.graph.nodes.length).toBe(reference.nodes.length);
    const a = inferGraph(flat.graph);
    const b = inferGraph(reference);
    expect(a.totals).toEqual(b.totals);
    // Layer by layer, in order: same kinds, same output shapes, same counts.
    const seq = (g: Graph, inf: typeof a) =>
      inf.order.map((nid) => {
        const node = g.nodes.find((n) => n.id === nid)!;
        return [node.kind, String(inf.nodes[nid].outputShape), inf.nodes[nid].count.trainable + inf.nodes[nid].count.nonTrainable];
      });
    expect(seq(flat.graph, a).sort()).toEqual(seq(reference, b).sort());
  });
});

describe.each(presetList.map((p) => [p.id, p] as const))('preset %s', (id, info) => {
  // Inference, compile and export see blocks expanded, as the app's consumers do.
  const project = getPreset(id)!;

  it('is a well-formed project file laid out on integer positions without overlaps', () => {
    const file = presetDocument(id)!;
    const r = parseProject(file);
    expect(r.ok ? [] : r.errors).toEqual([]);
    // The main graph and each block's inner graph are drawn apart, so each is checked on its own.
    for (const g of [file.graph, ...(file.blocks ?? []).map((b) => b.graph)]) {
      const seen = new Set<string>();
      for (const n of g.nodes) {
        expect(Number.isInteger(n.position.x) && Number.isInteger(n.position.y), n.name).toBe(true);
        const key = `${n.position.x},${n.position.y}`;
        expect(seen.has(key), `${n.name} sits on another node`).toBe(false);
        seen.add(key);
      }
    }
  });

  it('is valid and its totals equal the expected table and the published figures', () => {
    const inf = inferGraph(project.graph);
    const bad = Object.values(inf.nodes)
      .filter((n) => n.status === 'error')
      .map((n) => `${n.id}: ${n.error?.message}`);
    expect([...bad, ...inf.issues.map((i) => i.message)]).toEqual([]);
    expect(inf.valid).toBe(true);
    const { params, trainableParams, nonTrainableParams, macs } = inf.totals;
    expect({ params, trainableParams, nonTrainableParams, macs }).toEqual(info.expected);
    const pub = PUBLISHED[id];
    if (pub?.params !== undefined) expect(params).toBe(pub.params);
    if (pub?.trainableParams !== undefined) expect(trainableParams).toBe(pub.trainableParams);
    if (pub?.macs !== undefined) {
      const unit = pub.macsUnit ?? 1;
      const digits = String(pub.macs).split('.')[1]?.length ?? 0;
      expect(Number((macs / unit).toFixed(digits))).toBe(pub.macs);
    }
  });

  it('compiles in tfjs with the same params, layer shapes and MACs', () => {
    const inf = inferGraph(project.graph);
    const model = compileGraph(tf, project.graph, inf);
    try {
      expect(compareWithInference(model, project.graph, inf)).toEqual([]);
      expect(model.countParams()).toBe(info.expected.params);
      expect(model.layers).toHaveLength(project.graph.nodes.length);
      expect(model.outputs.map((o) => o.shape.slice(1))).toEqual(inf.outputs.map((o) => inf.nodes[o].outputShape));
      // A forward pass only where it is cheap on the cpu backend.
      if (info.expected.macs < 5e7) {
        const x = tf.zeros([1, ...(model.inputs[0].shape.slice(1) as number[])]);
        const y = model.predict(x) as tf.Tensor;
        expect(y.shape.slice(1)).toEqual(inf.nodes[inf.outputs[0]].outputShape);
        tf.dispose([x, y]);
      }
    } finally {
      model.dispose();
    }
  });
});
