import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import { NODE_SIZE } from '../graph/layout';
import { STACK_NODE_HEIGHT } from '../graph/transform';
import { CARD_SIZE, diagramSvg } from './diagram';

describe('diagramSvg', () => {
  it('uses the canvas node size (kept apart from layout.ts so that elkjs stays out of the editor bundle)', () => {
    expect(CARD_SIZE).toEqual(NODE_SIZE);
    expect(STACK_NODE_HEIGHT).toBe(NODE_SIZE.height);
  });

  it('draws one card per layer and one curve per edge, with shapes and params', () => {
    const g = getPreset('resnet-cifar')!.graph;
    const svg = diagramSvg(g, inferGraph(g), 'ResNet <CIFAR>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g transform=/g)!.length).toBe(g.nodes.length);
    expect(svg.match(/marker-end=/g)!.length).toBe(g.edges.length);
    expect(svg).toContain('ResNet &lt;CIFAR&gt;');
    expect(svg).toContain('274,442 params · ');
    expect(svg).toContain('>32×32×16<');
  });

  it('is well-formed XML', () => {
    const g = getPreset('lenet5')!.graph;
    const svg = diagramSvg(g, inferGraph(g));
    // Every opened element is closed (self-closing or paired), in order.
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]);
    }
    expect(stack).toEqual([]);
  });

  it('marks layers with errors', () => {
    const g = sequentialGraph([{ kind: 'Input', params: { shape: [4, 4, 1] } }, { kind: 'Conv2D', params: { kernelSize: 7 } }]);
    const svg = diagramSvg(g, inferGraph(g));
    expect(svg).toContain('stroke="#e03131"');
    expect(svg).toContain('>error<');
  });
});
