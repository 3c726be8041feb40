import { fuzzEdits } from './edits';
import { fuzzImports } from './imports';
import { fuzzOptions } from './support';

/**
 * `npm run fuzz`: part A (random edit sequences on the document store) and part B (mutated project files,
 * model.json files and share links through every import path), seeded. `FUZZ_SEED` and `FUZZ_RUNS` override
 * the seed and the run count of both parts; `FUZZ_PART=edits|imports` runs one.
 */
const fmt = (n: number) => n.toLocaleString('en-US');
const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const pair = ([refused, imported]: [number, number]) => `${fmt(refused)} refused / ${fmt(imported)} imported`;

async function run(): Promise<number> {
  const part = process.env.FUZZ_PART;
  const seed = fuzzOptions({ seed: 42, runs: 0 }).seed;
  try {
    if (part !== 'imports') {
      const o = fuzzOptions({ seed, runs: 10_000 });
      const t = performance.now();
      const s = fuzzEdits(o);
      console.log(
        `fuzz: ${fmt(s.sequences)} edit sequences (seed ${o.seed}, ${fmt(s.steps)} steps, ${fmt(s.refused)} refused or no-ops, ${fmt(s.separable)} separable rewrites tried) ok in ${secs(t)}`,
      );
    }
    if (part !== 'edits') {
      const o = fuzzOptions({ seed, runs: 1_000 });
      const t = performance.now();
      const s = await fuzzImports(o);
      console.log(
        `fuzz: ${fmt(s.cases)} mutated inputs (seed ${o.seed}) ok in ${secs(t)}: importText ${pair(s.importText)}; app import ${pair(s.appImport)}; ` +
          `convas summary ${pair(s.cli)}; share links ${pair(s.share)}; stored projects ${pair(s.storage)}`,
      );
    }
    return 0;
  } catch (e) {
    console.error(`fuzz: FAILED (seed ${seed}; replay with FUZZ_SEED=${seed}${process.env.FUZZ_RUNS ? ` FUZZ_RUNS=${process.env.FUZZ_RUNS}` : ''})\n${(e as Error).message}`);
    return 1;
  }
}

// Exit explicitly: the app's toasts leave timers behind.
process.exit(await run());
