import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { makeBlock } from '../graph/blocks';
import { sequentialGraph } from '../graph/build';
import { emptyProject } from './doc';
import { decodeShare, shareUrl } from './persist';
import { guessDirection } from './ui';

describe('share links', () => {
  const project = {
    ...emptyProject('Tiny'),
    graph: sequentialGraph([{ kind: 'Input', params: { shape: [8, 8, 1] } }, { kind: 'Dense', params: { units: 3 } }]),
    viewport: { x: 1, y: 2, zoom: 0.75 },
  };

  it('round-trips a project through the URL hash', () => {
    const url = shareUrl(project, 'http://x/');
    expect(url.startsWith('http://x/#share=')).toBe(true);
    const r = decodeShare(new URL(url).hash);
    expect(r).toEqual({ ok: true, project });
  });

  it('round-trips blocks and their instances, and refuses a link whose block contains itself', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 1] } },
      { kind: 'Conv2D', params: { filters: 4, kernelSize: 3 } },
      { kind: 'Activation', params: { activation: 'relu' } },
    ]);
    const made = makeBlock(g, [], ['n1', 'n2'], 'Unit', [{ name: 'filters', binds: [{ node: 'n1', param: 'filters' }] }], (p) => `${p}x`);
    if ('error' in made) throw new Error(made.error);
    const withBlocks = { ...project, graph: made.graph, blocks: [made.block] };
    const link = new URL(shareUrl(withBlocks, 'http://x/')).hash;
    // A link with blocks carries file version 2, so a build from before blocks refuses it instead of dropping them.
    expect(JSON.parse(LZString.decompressFromEncodedURIComponent(link.slice('#share='.length))).version).toBe(2);
    expect(decodeShare(link)).toEqual({ ok: true, project: { ...withBlocks, version: 2 } });
    const inner = made.block.graph.nodes[0];
    const selfish = { ...made.block, graph: { ...made.block.graph, nodes: [...made.block.graph.nodes, { ...inner, id: 'loop', name: 'loop', kind: 'Block', block: made.block.id }] } };
    const bad = decodeShare(new URL(shareUrl({ ...withBlocks, blocks: [selfish] }, 'http://x/')).hash);
    expect(bad).toEqual({ ok: false, error: 'the shared link holds an invalid project: blocks[0] ("Unit"): block "Unit" is used inside itself; a block cannot contain itself' });
  });

  it('says what is wrong with a damaged or hostile link', () => {
    expect(decodeShare('#share=%%%')).toMatchObject({ ok: false });
    const bad = decodeShare(new URL(shareUrl({ ...project, graph: { nodes: [], edges: [{ id: 'e', source: 'a', target: 'b', targetIndex: 0 }] } }, 'http://x/')).hash);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/invalid project/);
  });

  // Found by `npm run fuzz`: links skipped the limits a file import enforces, so a link opened what an import refuses.
  it('refuses what a file import refuses: huge sizes, deep nesting, a Keras model', () => {
    const link = (text: string) => `#share=${LZString.compressToEncodedURIComponent(text)}`;
    const huge = { ...project, graph: sequentialGraph([{ kind: 'Input', params: { shape: [8, 8, 1] } }, { kind: 'Dense', params: { units: 1e21 } }]) };
    expect(decodeShare(link(JSON.stringify(huge)))).toMatchObject({ ok: false, error: expect.stringMatching(/units is 1,000,000,000,000,000,000,000; sizes above 100,000 are refused/) });
    const deep = JSON.stringify({ ...project, graph: { ...project.graph, nodes: [{ ...project.graph.nodes[0], params: { shape: [8, 8, 1], note: JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`) } }] } });
    expect(decodeShare(link(deep))).toMatchObject({ ok: false, error: expect.stringMatching(/nested deeper than 64 levels/) });
    const future = JSON.stringify({ ...project, version: 3 });
    expect(decodeShare(link(future))).toEqual({
      ok: false,
      error: 'the shared link holds an invalid project: version: made by a newer Convas: version 3, this build reads up to 2; open it in a newer Convas',
    });
    const keras = JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 4] } }] } });
    expect(decodeShare(link(keras))).toMatchObject({ ok: false, error: expect.stringMatching(/Keras model, not a Convas project/) });
  });
});

describe('flow direction of a saved graph', () => {
  it('is left to right when wires mostly run sideways, top to bottom otherwise', () => {
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Dense' }, { kind: 'Dense' }]);
    expect(guessDirection(g)).toBe('DOWN');
    const lr = { ...g, nodes: g.nodes.map((n, i) => ({ ...n, position: { x: i * 300, y: 10 } })) };
    expect(guessDirection(lr)).toBe('RIGHT');
  });
});
