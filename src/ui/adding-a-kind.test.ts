/**
 * Proof that a layer kind is one file plus one registry line: a throwaway kind defined only in
 * nodes/testing/throwaway.ts is appended to the registry (the test's stand-in for its line in nodes/index.ts), and
 * inference, compilation, the Keras model.json round trip, the PyTorch export, the palette and the layer form all
 * pick it up with no other change.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// The registration hook: the registry module as the app sees it, plus the throwaway kind (vitest hoists this above
// the imports, so every module below that reads the registry reads this one).
vi.mock('../../nodes/index', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../nodes/index')>();
  const { throwaway } = await import('../../nodes/testing/throwaway');
  const layerKinds = [...real.layerKinds, throwaway];
  return {
    ...real,
    layerKinds,
    getLayerKind: (kind: string) => layerKinds.find((k) => k.kind === kind),
    getLayerKindByKerasClass: (cls: string) => layerKinds.find((k) => k.kerasClass === cls) ?? real.getLayerKindByKerasClass(cls),
  };
});

import { getLayerKind } from '../../nodes/index';
import { throwaway } from '../../nodes/testing/throwaway';
import { compileGraph } from '../compile/compile';
import { compareWithInference } from '../compile/testing/tfjs-oracle';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import { graphToKerasModelJson, kerasToGraph } from '../graph/keras';
import { pytorchScript } from '../export/pytorch-script';
import { fieldsOf } from './layer-form/fields';
import { paletteGroups } from './palette/groups';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const graph = () =>
  sequentialGraph([
    { kind: 'Input', params: { shape: [6, 6, 3] } },
    { kind: 'ChannelMix', name: 'mix', params: { units: 5 } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 2, activation: 'softmax' } },
  ]);

describe('a kind defined in one file and registered in one line', () => {
  it('is in the registry', () => {
    expect(getLayerKind('ChannelMix')).toBe(throwaway);
  });

  it('inferGraph gives its shape, params and MACs', () => {
    const inf = inferGraph(graph());
    expect(inf.valid).toBe(true);
    const mix = Object.values(inf.nodes).find((n) => n.outputShape?.[2] === 5)!;
    expect(mix.outputShape).toEqual([6, 6, 5]);
    expect(mix.count).toEqual({ trainable: 3 * 5 + 5, nonTrainable: 0 });
    expect(mix.macs).toBe(6 * 6 * 5 * 3);
  });

  it('compileGraph builds a tfjs model that agrees with inference and predicts the right shape', () => {
    const g = graph();
    const inf = inferGraph(g);
    const model = compileGraph(tf, g, inf);
    try {
      expect(compareWithInference(model, g, inf)).toEqual([]);
      const y = tf.tidy(() => (model.predict(tf.zeros([2, 6, 6, 3])) as tf.Tensor).shape);
      expect(y).toEqual([2, 2]);
    } finally {
      model.dispose();
    }
  });

  it('round-trips through Keras model.json', () => {
    const json = graphToKerasModelJson(graph());
    const layer = json.modelTopology.config.layers.find((l) => l.class_name === 'ChannelMix')!;
    expect(layer.config).toMatchObject({ name: 'mix', units: 5, use_bias: true });
    const back = kerasToGraph(JSON.parse(JSON.stringify(json)));
    if (!back.ok) throw new Error(back.errors.join('; '));
    const node = back.value.graph.nodes.find((n) => n.kind === 'ChannelMix')!;
    expect(throwaway.params.parse(node.params)).toEqual({ units: 5, useBias: true });
  });

  it('is exported to PyTorch', () => {
    const src = pytorchScript({ format: 'convas-project', version: 1, name: 'mix', graph: graph() });
    expect(src).toContain('self.mix = nn.Conv2d(3, 5, kernel_size=1, bias=True)');
    expect(src).toContain('mix = self.mix(');
  });

  it('appears in the palette, in its category, and is found by search', () => {
    expect(paletteGroups('').find((g) => g.cat === 'conv')!.kinds).toContain(throwaway);
    expect(paletteGroups('channelmix').flatMap((g) => g.kinds)).toEqual([throwaway]);
  });

  it('gets a layer form from its params schema', () => {
    expect(fieldsOf(throwaway.params).map((f) => [f.key, f.spec.type])).toEqual([
      ['units', 'number'],
      ['useBias', 'boolean'],
    ]);
  });
});

describe('a registered kind without PyTorch code', () => {
  it('is refused by the PyTorch export, naming the layer', () => {
    const g = graph();
    const original = throwaway.toPyTorch;
    (throwaway as { toPyTorch?: unknown }).toPyTorch = undefined;
    try {
      expect(() => pytorchScript({ format: 'convas-project', version: 1, name: 'mix', graph: g })).toThrow(/layer "mix": ChannelMix has no PyTorch export yet/);
    } finally {
      (throwaway as { toPyTorch?: unknown }).toPyTorch = original;
    }
  });
});
