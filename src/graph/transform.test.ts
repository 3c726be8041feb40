import { describe, expect, it } from 'vitest';
import { getPreset, presetDocument } from '../../presets/index';
import { BLOCK_SEP, flattenProject, isInstance, makeBlock } from './blocks';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { newProject } from './project';
import { separableSaving, toSeparable, toSeparableInProject } from './transform';
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

describe('toSeparableInProject', () => {
  const flatInf = (p: Parameters<typeof flattenProject>[0]) => inferGraph(flattenProject(p).graph);

  it('rewrites a conv inside a block in the block definition: every instance changes, the project keeps its blocks', () => {
    const p = presetDocument('resnet-cifar')!;
    const snapshot = JSON.stringify(p);
    const before = flatInf(p);
    const def = p.blocks!.find((b) => b.id === 'residual_strided')!;
    const instances = p.graph.nodes.filter((n) => n.block === def.id).map((n) => n.id);
    expect(instances.length).toBe(2);
    // Each instance has its own filters (32, 64), so each saves its own amount; the rewrite realises their sum.
    const promised = instances.map((i) => separableSaving(flattenProject(p).graph, `${i}${BLOCK_SEP}n0`, before.nodes[`${i}${BLOCK_SEP}n0`], { batchNorm: true }));
    const out = toSeparableInProject(p, `${instances[0]}${BLOCK_SEP}n0`, { batchNorm: true });
    expect(JSON.stringify(p)).toBe(snapshot); // pure
    // The main graph is untouched: still its 9 instances, no layer unpacked.
    expect(out.graph).toBe(p.graph);
    expect(out.graph.nodes.filter(isInstance).length).toBe(9);
    // Only the strided block changed.
    expect(out.blocks!.filter((b, i) => b !== p.blocks![i]).map((b) => b.id)).toEqual(['residual_strided']);
    const after = flatInf(out);
    expect(after.valid).toBe(true);
    expect(before.totals.params - after.totals.params).toBe(promised[0].params + promised[1].params);
    expect(before.totals.macs - after.totals.macs).toBe(promised[0].macs + promised[1].macs);
    for (const i of instances) {
      expect(after.nodes[`${i}${BLOCK_SEP}n0`]).toBeUndefined();
      expect(after.nodes[`${i}${BLOCK_SEP}n0_dw`].outputShape).toEqual(before.nodes[`${i}${BLOCK_SEP}n0`].outputShape?.slice(0, 2).concat(after.nodes[`${i}${BLOCK_SEP}n0_dw`].outputShape![2]));
      expect(after.nodes[`${i}${BLOCK_SEP}n0_pw`].outputShape).toEqual(before.nodes[`${i}${BLOCK_SEP}n0`].outputShape);
    }
    // The port that fed the conv feeds the depthwise conv; exposed strides bind it and exposed filters the 1×1 conv.
    const d = out.blocks!.find((b) => b.id === def.id)!;
    expect(d.inputs[0].targets).toEqual([{ node: 'n0_dw', index: 0 }, { node: 'n5', index: 0 }]);
    expect(d.params.find((q) => q.name === 'strides')!.binds).toEqual([{ node: 'n0_dw', param: 'strides' }, { node: 'n5', param: 'strides' }]);
    expect(d.params.find((q) => q.name === 'filters')!.binds).toEqual([{ node: 'n0_pw', param: 'filters' }, { node: 'n3', param: 'filters' }, { node: 'n5', param: 'filters' }]);
    expect(d.graph.nodes.map((n) => n.name)).toEqual(['1_conv_dw', '1_conv_bn', '1_conv_pw', '1_bn', '1_relu', '2_conv', '2_bn', 'shortcut', 'add', 'out']);
  });

  it('moves a block output that came from the conv to the 1×1 conv', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [16, 16, 3] } },
      { kind: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same' } },
      { kind: 'Flatten' },
    ]);
    const made = makeBlock(g, [], ['n1'], 'Just a conv', [], (x) => `${x}1`);
    if ('error' in made) throw new Error(made.error);
    const p = { ...newProject('one conv'), graph: made.graph, blocks: [made.block] };
    const before = flatInf(p);
    const out = toSeparableInProject(p, `${made.instanceId}${BLOCK_SEP}n1`, { batchNorm: false });
    const def = out.blocks![0];
    expect(def.outputs).toEqual([{ name: 'out', node: 'n1_pw' }]);
    expect(def.inputs[0].targets).toEqual([{ node: 'n1_dw', index: 0 }]);
    const after = flatInf(out);
    expect(after.valid).toBe(true);
    expect(before.totals.params - after.totals.params).toBe(3 * 3 * 3 * 8 + 8 - (3 * 3 * 3 + 3 * 8 + 8));
  });

  it('rewrites a top-level conv in the main graph and leaves the blocks alone; names the block when it refuses', () => {
    const p = presetDocument('resnet-cifar')!;
    const stem = p.graph.nodes.find((n) => n.name === 'stem_conv')!;
    const out = toSeparableInProject(p, stem.id, { batchNorm: false });
    expect(out.blocks).toBe(p.blocks);
    expect(out.graph.nodes.map((n) => n.name)).toContain('stem_conv_dw');
    expect(flatInf(out).valid).toBe(true);
    const strided = p.graph.nodes.find((n) => n.name === 'stage2_block1')!.id;
    expect(() => toSeparableInProject(p, `${strided}/n5`, { batchNorm: false })).toThrow('in block “Residual block (strided)”: layer "shortcut" is already a 1×1 conv');
    expect(() => toSeparableInProject(p, `${strided}/ghost`, { batchNorm: false })).toThrow(`no node with id "${strided}/ghost"`);
  });
});
