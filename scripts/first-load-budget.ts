/**
 * The JS the editor's first screen loads, against its budget. After `vite build` (build.manifest on) it walks
 * index.html's entry chunk and its static imports in dist/.vite/manifest.json — the chunks the browser must fetch
 * before any app code runs; dynamic imports are left out, they load when a panel or action is first used — gzips each
 * (level 9) and fails above the budget, or when one of them carries a library that must load lazily (the chunk-name
 * prefixes vite.config.ts gives them).
 *   npx tsx scripts/first-load-budget.ts [distDir]      (FIRST_LOAD_BUDGET_KB, 250 by default)
 * scripts/e2e.sh runs it after the build it makes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_KB = Number(process.env.FIRST_LOAD_BUDGET_KB ?? 250);
/** Chunk-name prefixes vite.config.ts gives chunks holding tfjs, recharts and elkjs. */
export const LAZY_PREFIXES = ['tfjs-', 'charts-', 'elk-'];

/**
 * Strings each of those libraries leaves in minified code, to catch one bundled into a chunk without the prefix
 * (e.g. a static import from the first screen puts recharts into the entry chunk itself).
 */
export const LIBRARY_SIGNATURES: Record<string, string> = { tfjs: 'tfjs-core', recharts: 'recharts-wrapper', elkjs: 'org.eclipse.elk' };

export type Manifest = Record<string, { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }>;

/** The manifest keys and files index.html loads statically, entry first. */
export function firstScreenChunks(manifest: Manifest): { key: string; file: string }[] {
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('index.html'));
  if (!entry) throw new Error('the manifest has no index.html entry (build with build.manifest on)');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    if (!manifest[key]) throw new Error(`the manifest lists an import ${key} it does not describe`);
    seen.add(key);
    for (const k of manifest[key].imports ?? []) visit(k);
  };
  visit(entry);
  return [...seen].map((key) => ({ key, file: manifest[key].file }));
}

export interface FirstLoad {
  chunks: { key: string; file: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
  /** Empty when the first screen is within budget and loads none of the lazy libraries. */
  problems: string[];
}

/** Sizes of the first screen's chunks (`read` gives a chunk file's bytes) and what is wrong with them. */
export function checkFirstLoad(manifest: Manifest, read: (file: string) => Uint8Array, budgetKb = BUDGET_KB): FirstLoad {
  const problems: string[] = [];
  const chunks = firstScreenChunks(manifest).map((c) => {
    const bytes = read(c.file);
    const text = new TextDecoder().decode(bytes);
    for (const [lib, sign] of Object.entries(LIBRARY_SIGNATURES)) if (text.includes(sign)) problems.push(`${c.file} holds ${lib}, which the first screen must not load: import it dynamically`);
    return { ...c, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const gzip = chunks.reduce((s, c) => s + c.gzip, 0);
  const raw = chunks.reduce((s, c) => s + c.raw, 0);
  if (gzip > budgetKb * 1024) problems.unshift(`the first screen loads ${(gzip / 1024).toFixed(1)} KB gzip of JS, over the ${budgetKb} KB budget`);
  for (const c of chunks) {
    const name = c.file.split('/').pop()!;
    if (LAZY_PREFIXES.some((p) => name.startsWith(p))) problems.push(`the first screen loads ${name} (tfjs, recharts or elkjs): import that code dynamically`);
  }
  return { chunks, raw, gzip, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = process.argv[2] ?? 'dist';
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Manifest;
  const { chunks, raw, gzip, problems } = checkFirstLoad(manifest, (f) => readFileSync(join(dist, f)));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const c of chunks) console.log(`  ${c.file}  ${kb(c.raw)} raw, ${kb(c.gzip)} gzip`);
  console.log(`first-screen JS: ${chunks.length} chunks, ${kb(raw)} raw, ${kb(gzip)} gzip (budget ${BUDGET_KB} KB gzip)`);
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
