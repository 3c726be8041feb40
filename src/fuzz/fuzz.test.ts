import { describe, expect, it } from 'vitest';
import { fuzzEdits } from './edits';
import { fuzzImports } from './imports';

// A few hundred cases of each part on a fixed seed; `npm run fuzz` runs the full counts. The time limit is a guard
// against a hang, generous because a loaded 2-core machine runs these several times slower than an idle one.
const GUARD_MS = 300_000;

describe('fuzz (fixed seed)', () => {
  it('keeps every document invariant through 200 random edit sequences, and undo restores the start', () => {
    const s = fuzzEdits({ seed: 42, runs: 200 });
    expect(s.sequences).toBe(200);
  }, GUARD_MS);

  it('refuses or imports 200 mutated inputs on every import path, never throwing, never polluting prototypes', async () => {
    const s = await fuzzImports({ seed: 42, runs: 200 });
    expect(s.cases).toBe(200);
    expect(s.importText[0] && s.importText[1]).toBeGreaterThan(0);
  }, GUARD_MS);
});
