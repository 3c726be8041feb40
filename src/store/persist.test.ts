import { describe, expect, it } from 'vitest';
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

  it('says what is wrong with a damaged or hostile link', () => {
    expect(decodeShare('#share=%%%')).toMatchObject({ ok: false });
    const bad = decodeShare(new URL(shareUrl({ ...project, graph: { nodes: [], edges: [{ id: 'e', source: 'a', target: 'b', targetIndex: 0 }] } }, 'http://x/')).hash);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/invalid project/);
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
