import { describe, expect, it } from 'vitest';
import { describeCarry, nameList } from './stale';

const layer = (name: string) => ({ id: name, name });
const fresh = (name: string) => ({ id: name, name, reason: 'new layer' as const });

describe('describeCarry', () => {
  it('says how many layers keep their weights and names those that start fresh', () => {
    expect(describeCarry({ snapshot: [], kept: ['a', 'b', 'c', 'd'].map(layer), fresh: ['x_dw', 'x_pw'].map(fresh) })).toBe('trained weights kept for 4 layers; x_dw, x_pw start fresh');
    expect(describeCarry({ snapshot: [], kept: [layer('a')], fresh: [fresh('b')] })).toBe('trained weights kept for 1 layer; b starts fresh');
    expect(describeCarry({ snapshot: [], kept: [layer('a'), layer('b')], fresh: [] })).toBe('trained weights kept for all 2 layers');
    expect(describeCarry({ snapshot: [], kept: [], fresh: [fresh('a')] })).toBe('no layer keeps its trained weights: every layer starts fresh');
  });

  it('shortens a long list of names', () => {
    expect(nameList(['a', 'b', 'c'])).toBe('a, b, c');
    expect(nameList(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d and 2 more');
  });
});
