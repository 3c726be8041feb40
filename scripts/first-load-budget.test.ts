import { describe, expect, it } from 'vitest';
import { checkFirstLoad, firstScreenChunks, type Manifest } from './first-load-budget';

// Shaped like Vite's manifest: static imports by key, dynamic imports listed apart, shared chunks under "_name.js".
const manifest: Manifest = {
  'index.html': { file: 'assets/index-a.js', isEntry: true, imports: ['_runtime.js', '_ids.js'], dynamicImports: ['src/ui/train/TrainPanel.tsx'] },
  '_runtime.js': { file: 'assets/runtime-b.js' },
  '_ids.js': { file: 'assets/ids-c.js', imports: ['_runtime.js', 'index.html'] },
  'src/ui/train/TrainPanel.tsx': { file: 'assets/charts-TrainPanel-d.js', imports: ['_ids.js', '_charts.js'] },
  '_charts.js': { file: 'assets/charts-compat-e.js' },
};

/** Bytes gzip cannot shrink (a fixed xorshift sequence), so a chunk's gzip size is about its length. */
function noise(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('first-load budget', () => {
  it('counts the entry and its static imports, once each, and not what loads on demand', () => {
    expect(firstScreenChunks(manifest).map((c) => c.file)).toEqual(['assets/index-a.js', 'assets/runtime-b.js', 'assets/ids-c.js']);
  });

  it('passes under the budget and fails above it, naming the size', () => {
    const small = checkFirstLoad(manifest, () => noise(10 * 1024), 250);
    expect(small.problems).toEqual([]);
    expect(small.gzip).toBeGreaterThan(30 * 1024);
    const big = checkFirstLoad(manifest, (f) => noise(f.includes('index') ? 260 * 1024 : 1024), 250);
    expect(big.problems).toHaveLength(1);
    expect(big.problems[0]).toMatch(/over the 250 KB budget/);
  });

  it('fails when the first screen statically loads a chunk holding tfjs, recharts or elkjs', () => {
    const leaky: Manifest = { ...manifest, 'index.html': { ...manifest['index.html'], imports: ['_runtime.js', '_charts.js'] } };
    const r = checkFirstLoad(leaky, () => noise(100), 250);
    expect(r.problems).toEqual([expect.stringContaining('charts-compat-e.js')]);
  });

  it('fails when a first-screen chunk carries one of those libraries under another name', () => {
    const withElk = (f: string) => (f.includes('index') ? new TextEncoder().encode('var a="org.eclipse.elk.layered";') : noise(100));
    expect(checkFirstLoad(manifest, withElk, 250).problems).toEqual([expect.stringMatching(/index-a\.js holds elkjs/)]);
  });

  it('refuses a manifest without the index.html entry', () => {
    expect(() => firstScreenChunks({ '_x.js': { file: 'x.js' } })).toThrow(/no index.html entry/);
  });
});
