import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house is a one-way street: nodes ← graph ← compile/data ← train/export/analysis ← store/cli ← ui. A room imports
 * only from rooms on lower floors; rooms on one floor do not import each other. Data (import parsers, the dataset
 * store) sits below training: the training worker reads stored datasets and their contract; data knows nothing of it.
 * Test files and test support (`testing/`) may reach anywhere; the app's own code may not.
 */
const FLOORS: Record<string, number> = {
  nodes: 0,
  'src/graph': 1,
  presets: 2,
  'src/compile': 2,
  'src/data': 2,
  'src/train': 3,
  'src/export': 3,
  'src/analysis': 3,
  'src/store': 4,
  'src/cli': 4,
  'src/ui': 5,
  'src/main.tsx': 6, // the entry point, above everything
  'src/fuzz': 7,
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rooms = Object.keys(FLOORS).sort((a, b) => b.length - a.length);
const roomOf = (path: string) => rooms.find((r) => path === r || path.startsWith(`${r}/`) || path.startsWith(`${r}.`));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) {
      if (name !== 'testing' && name !== 'fixtures') yield* sources(path);
    } else if (/\.tsx?$/.test(name) && !/\.(test|bench)\.tsx?$/.test(name)) yield path;
  }
}

/** Every relative import (and `new URL('./x.ts', import.meta.url)` worker entry) of the app's own code, as [from, to] paths. */
function imports(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const spec = /(?:from\s+|import\s*\(\s*|import\s+|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const dir of ['nodes', 'src', 'presets']) {
    for (const file of sources(dir)) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(spec)) {
        out.push([file, relative(root, normalize(join(root, dirname(file), m[1])))]);
      }
    }
  }
  return out;
}

describe('the house is a one-way street', () => {
  it('finds the imports it checks', () => {
    expect(imports().length).toBeGreaterThan(300);
  });

  it('every import goes to the same room or a lower floor', () => {
    const wrong = imports()
      .map(([from, to]) => ({ from, to, a: roomOf(from), b: roomOf(to) }))
      .filter(({ a, b }) => a && b && a !== b && FLOORS[b] >= FLOORS[a])
      .map(({ from, to, a, b }) => `${from} (${a}, floor ${FLOORS[a!]}) imports ${to} (${b}, floor ${FLOORS[b!]})`);
    expect(wrong).toEqual([]);
  });
});
