import { describe, expect, it } from 'vitest';
import { sequentialGraph } from '../../graph/build';
import { inferGraph } from '../../graph/infer';
import { countOf, problemEntries } from './problems';

describe('problemEntries', () => {
  it('names each bad layer once with all its problems (in topological order), then graph issues, then warnings', () => {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [100000, 100000, 3] } },
      { kind: 'Conv2D', name: 'ok_conv', params: { filters: 2 } },
      { kind: 'Conv2D', name: 'bad', params: { filters: 'abc', kernelSize: 200000 } },
      { kind: 'Dense' },
    ]);
    g.nodes.push({ id: 'lost', kind: 'Dense', name: 'lost', params: { units: 0 }, position: { x: 0, y: 0 } });
    const inf = inferGraph(g);
    const entries = problemEntries(g.nodes, inf);
    expect(entries.map((e) => [e.severity, e.layer ?? 'graph'])).toEqual([
      ['error', 'lost'],
      ['error', 'bad'],
      ['error', 'graph'],
      ['warning', 'input'],
      ['warning', 'ok_conv'],
      ['warning', 'graph'],
    ]);
    expect(entries[1].messages).toEqual([
      'Filters must be a whole number ≥ 1; "abc" is not a number',
      'kernel 200000×200000 is larger than the 99998×99998 input (padding valid)',
    ]);
    expect(entries[1].nodeIds).toEqual(['n2']);
    expect(entries[0].messages).toEqual(['Dense takes 1 input, has 0', 'Units must be a whole number ≥ 1; 0 is below 1']);
    expect(entries[2].nodeIds).toEqual(['lost']);
    expect(countOf(entries, 'error')).toBe(5);
    expect(countOf(entries, 'warning')).toBe(entries.slice(3).reduce((a, e) => a + e.messages.length, 0));
  });

  it('is empty for a valid graph of ordinary size', () => {
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Conv2D' }, { kind: 'Flatten' }, { kind: 'Dense' }]);
    expect(problemEntries(g.nodes, inferGraph(g))).toEqual([]);
  });

  it("lists a block instance's own problems under its name, each message once, after the layers' errors", () => {
    const g = sequentialGraph([{ kind: 'Input' }, { kind: 'Dense', name: 'bad', params: { units: 0 } }]);
    const entries = problemEntries(g.nodes, inferGraph(g), [
      { nodeId: 'b1', name: 'stage1', message: 'input “x” of stage1 is not connected' },
      { nodeId: 'b1', name: 'stage1', message: 'input “x” of stage1 is not connected' },
    ]);
    expect(entries.map((e) => [e.severity, e.layer, e.nodeIds])).toEqual([
      ['error', 'bad', ['n1']],
      ['error', 'stage1', ['b1']],
    ]);
    expect(entries[1].messages).toEqual(['input “x” of stage1 is not connected']);
    expect(countOf(entries, 'error')).toBe(2);
  });
});
