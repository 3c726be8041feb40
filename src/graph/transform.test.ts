import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { separableSaving, toSeparable } from './transform';
import type { Graph } from './types';

const graphOf = (id: string): Graph => getPreset(id)!.graph;

/** Every non-1×1 Conv2D of a few presets (plain chains, stride-2 'same' convs, residual branches). */
const cases = ['lenet5', 'vgg-small', 'resnet-cifar'].flatMap((preset) => {
  const g = graphOf(preset);
  const inf = inferGraph(g);
  return g.nodes
    .filter((n) => n.kind === 'Conv2D' && (inf.nodes[n.id].params!.kernelSize as number[]).some((k) => k > 1))
    .slice(0, 6)
    .flatMap((n) => [true, false].map((batchNorm) => [preset, n.name, n.id, batchNorm] as const));
});

describe('toSeparable', () => {
  it.each(cases)('%s %s (batchNorm %s): realises exactly the promised saving', (preset, _name, id, batchNorm) => {
    const g = graphOf(preset);
    const snapshot = JSON.stringify(g);
    const before = inferGraph(g);
    const promised = separableSaving(g, id, before.nodes[id], { batchNorm });
    const out = toSeparable(g, id, { batchNorm });
    expect(JSON.stringify(g)).toBe(snapshot); // pure
    const after = inferGraph(out);
    expect(after.valid).toBe(true);
    expect(before.totals.params - after.totals.params).toBe(promised.params);
    expect(before.totals.macs - after.totals.macs).toBe(promised.macs);
    expect(promised.params).toBeGreaterThan(0);
    // Every other layer keeps its output shape: the replacement is shape-preserving.
    for (const n of g.nodes) if (n.id !== id) expect(after.nodes[n.id].outputShape).toEqual(before.nodes[n.id].outputShape);
    expect(out.nodes.length).toBe(g.nodes.length + (batchNorm ? 2 : 1));
    expect(new Set(out.nodes.map((n) => n.name)).size).toBe(out.nodes.length);
    expect(new Set(out.nodes.map((n) => n.id)).size).toBe(out.nodes.length);
    expect(new Set(out.edges.map((e) => e.id)).size).toBe(out.edges.length);
    expect(out.nodes.some((n) => n.id === id)).toBe(false);
  });

  it('LeNet-5 conv2d_1 (6→16, 5×5, valid): 2,416 params become 150 + 96 + 16', () => {
    const g = graphOf('lenet5');
    const out = toSeparable(g, 'n3', { batchNorm: false });
    const dw = out.nodes.find((n) => n.kind === 'DepthwiseConv2D')!;
    const pw = out.nodes.find((n) => n.name === 'conv2d_1_pw')!;
    expect(dw).toMatchObject({ name: 'conv2d_1_dw', params: { kernelSize: 5, padding: 'valid', useBias: false, activation: 'linear' } });
    expect(pw.params).toMatchObject({ filters: 16, kernelSize: 1, activation: 'relu' });
    const inf = inferGraph(out);
    expect(inf.nodes[dw.id].count.trainable).toBe(150);
    expect(inf.nodes[pw.id].count.trainable).toBe(6 * 16 + 16);
    expect(separableSaving(g, 'n3', inferGraph(g).nodes.n3, { batchNorm: false }).params).toBe(2416 - 262);
    // Wiring: the pool feeds the depthwise; the pointwise feeds the next pool.
    expect(out.edges.find((e) => e.target === dw.id)!.source).toBe('n2');
    expect(out.edges.find((e) => e.target === 'n4')!.source).toBe(pw.id);
    // Layout: the chain stacks downwards and the layers below move out of its way.
    expect(pw.position.y).toBeGreaterThan(dw.position.y);
    expect(out.nodes.find((n) => n.id === 'n4')!.position.y).toBeGreaterThan(pw.position.y);
    expect(out.nodes.find((n) => n.id === 'n1')!.position).toEqual(g.nodes.find((n) => n.id === 'n1')!.position);
  });

  it('with BN: MobileNet-style dw → bn → pw, and names stay unique when taken', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 3] } },
      { kind: 'Conv2D', name: 'c', params: { filters: 4 } },
      { kind: 'Dense', name: 'c_dw', params: { units: 2 } },
    ]);
    const out = toSeparable(g, 'n1', { batchNorm: true });
    expect(out.nodes.map((n) => `${n.kind}:${n.name}`)).toEqual([
      'Input:input', 'DepthwiseConv2D:c_dw_1', 'BatchNormalization:c_bn', 'Conv2D:c_pw', 'Dense:c_dw',
    ]);
    expect(inferGraph(out).valid).toBe(true);
  });

  it('refuses what it cannot replace exactly, naming the layer', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 3] } },
      { kind: 'Conv2D', name: 'one', params: { kernelSize: 1 } },
      { kind: 'Conv2D', name: 'dil', params: { dilationRate: 2 } },
      { kind: 'Flatten', name: 'flat' },
    ]);
    expect(() => toSeparable(g, 'n1', { batchNorm: false })).toThrow(/"one" is already a 1×1/);
    expect(() => toSeparable(g, 'n2', { batchNorm: false })).toThrow(/"dil" is dilated/);
    expect(() => toSeparable(g, 'n3', { batchNorm: false })).toThrow(/"flat" is a Flatten/);
    expect(() => toSeparable(g, 'nope', { batchNorm: false })).toThrow(/no node with id "nope"/);
  });
});
