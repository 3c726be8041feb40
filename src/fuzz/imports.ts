import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import LZString from 'lz-string';
import { getPreset, presetList } from '../../presets/index';
import { main } from '../cli/main';
import { importText } from '../graph/import';
import { inferGraph } from '../graph/infer';
import { graphToKerasModelJson } from '../graph/keras';
import { serializeProject } from '../graph/project';
import type { ProjectFileV1 } from '../graph/types';
import { useDocStore } from '../store/doc';
import { loadProject, openShared } from '../store/persist';
import { useUiStore } from '../store/ui';
import { importFiles } from '../ui/actions';
import { checkInference, checkNoPollution, checkSaveLoad, installMemoryStorage, invariant, type FuzzOptions } from './support';

/** A valid input to start mutating from. */
export interface Seed {
  name: string;
  type: 'project' | 'keras';
  value: unknown;
}

const FIXTURES = new URL('../cli/fixtures/', import.meta.url);
// Presets small enough that each mutant also goes through ELK's layout (as the app's Keras import does) quickly.
const SMALL = new Set(['lenet5', 'lenet5-classic', 'basic-cnn', 'resnet-cifar', 'calorimeter-cnn', 'jet-image-cnn', 'conv1d-timeseries', 'vgg-small']);

/** Every preset as a project file; the CLI fixtures and the Keras exporter's output of the small presets as model.json. */
export function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const p of presetList) out.push({ name: `${p.id}.convas.json`, type: 'project', value: JSON.parse(serializeProject(getPreset(p.id)!)) });
  for (const f of ['tfjs-functional.model.json', 'tfjs-sequential.model.json']) {
    out.push({ name: f, type: 'keras', value: JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) });
  }
  for (const p of presetList.filter((x) => SMALL.has(x.id))) {
    out.push({ name: `${p.id}.model.json`, type: 'keras', value: JSON.parse(JSON.stringify(graphToKerasModelJson(getPreset(p.id)!.graph, p.id))) });
  }
  return out;
}

type Json = unknown;
type Path = Array<string | number>;

/** Paths of every value inside `v` (objects' keys and arrays' indices), breadth-first, at most `cap`. */
function paths(v: Json, cap = 4000): Path[] {
  const out: Path[] = [[]];
  for (let i = 0; i < out.length && out.length < cap; i++) {
    const cur = get(v, out[i]);
    if (Array.isArray(cur)) cur.forEach((_, j) => out.push([...out[i], j]));
    else if (cur !== null && typeof cur === 'object') for (const k of Object.keys(cur)) out.push([...out[i], k]);
  }
  return out;
}

function get(v: Json, path: Path): Json {
  let cur = v as Record<string | number, Json>;
  for (const k of path) cur = cur[k] as Record<string | number, Json>;
  return cur;
}

function set(v: Json, path: Path, value: Json): Json {
  if (!path.length) return value;
  const parent = get(v, path.slice(0, -1)) as Record<string | number, Json>;
  Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return v;
}

function remove(v: Json, path: Path): Json {
  if (!path.length) return undefined;
  const parent = get(v, path.slice(0, -1));
  const k = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(k as number, 1);
  else delete (parent as Record<string, Json>)[k];
  return v;
}

export const WRONG = [null, true, false, 0, -1, 3.5, 1e9, 1e21, 1e308, -1e308, 9007199254740993, '', 'abc', '-1', '1e9', [], {}, [1], [null, 28, 28, 1], { a: 1 }, 'Conv2D', 'n0'];
export const HUGE = [1e6, 100_001, 2 ** 31, 2 ** 53 + 2, 1e21, 1e300, -1e9, Number.MAX_VALUE];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];
export const DEPTHS = [10, 63, 64, 65, 500, 20_000];

export type ValueMutation =
  | { m: 'type'; at: number; pick: number }
  | { m: 'delete'; at: number }
  | { m: 'huge'; at: number; pick: number }
  | { m: 'wrap'; at: number; array: boolean }
  | { m: 'duplicate'; at: number; pick: number }
  | { m: 'dangle'; at: number };

export type TextMutation =
  | { m: 'none' }
  | { m: 'truncate'; at: number }
  | { m: 'forbidden'; at: number; key: number; nested: boolean }
  | { m: 'deep'; at: number; depth: number }
  | { m: 'bytes'; at: number; text: string };

export interface Case {
  seed: number;
  values: ValueMutation[];
  text: TextMutation;
  /** For share links: damage the compressed hash itself (cut it, or flip one character). */
  hash: null | { cut: boolean; at: number };
}

const at = fc.nat({ max: 1 << 20 });
export const caseArb = (nSeeds: number): fc.Arbitrary<Case> =>
  fc.record({
    seed: fc.nat({ max: nSeeds - 1 }),
    values: fc.array(
      fc.oneof(
        fc.record({ m: fc.constant('type' as const), at, pick: fc.nat({ max: WRONG.length - 1 }) }),
        fc.record({ m: fc.constant('delete' as const), at }),
        fc.record({ m: fc.constant('huge' as const), at, pick: fc.nat({ max: HUGE.length - 1 }) }),
        fc.record({ m: fc.constant('wrap' as const), at, array: fc.boolean() }),
        fc.record({ m: fc.constant('duplicate' as const), at, pick: at }),
        fc.record({ m: fc.constant('dangle' as const), at }),
      ),
      { maxLength: 3 },
    ),
    text: fc.oneof(
      { weight: 8, arbitrary: fc.constant({ m: 'none' as const }) },
      { weight: 1, arbitrary: fc.record({ m: fc.constant('truncate' as const), at }) },
      { weight: 2, arbitrary: fc.record({ m: fc.constant('forbidden' as const), at, key: fc.nat({ max: 2 }), nested: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ m: fc.constant('deep' as const), at, depth: fc.constantFrom(...DEPTHS) }) },
      { weight: 1, arbitrary: fc.record({ m: fc.constant('bytes' as const), at, text: fc.constantFrom('\uFEFF', '}', ']', ',', '"', '\\', 'NaN', '\u0000', '{"a":') }) },
    ),
    hash: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ cut: fc.boolean(), at }) }),
  });

/** Structure-aware damage: wrong types, missing keys, huge numbers, duplicated ids/layers, edges to nowhere. */
function mutateValue(root: Json, mut: ValueMutation): Json {
  const all = paths(root);
  const path = all[mut.at % all.length];
  const cur = get(root, path);
  switch (mut.m) {
    case 'type':
      return set(root, path, structuredClone(WRONG[mut.pick]));
    case 'delete':
      return remove(root, path);
    case 'huge': {
      // Prefer a number nearby: a shape, a size or a count.
      const nums = all.filter((p) => typeof get(root, p) === 'number');
      return set(root, nums.length ? nums[mut.at % nums.length] : path, HUGE[mut.pick]);
    }
    case 'wrap':
      return set(root, path, mut.array ? [cur] : { value: cur });
    case 'duplicate': {
      // Duplicate an array entry (a node, an edge, a layer), or copy one id/name over another.
      const arrays = all.filter((p) => Array.isArray(get(root, p)) && (get(root, p) as Json[]).length > 0);
      if (!arrays.length) return root;
      const arr = get(root, arrays[mut.at % arrays.length]) as Json[];
      const i = mut.pick % arr.length;
      const j = (mut.pick >> 4) % arr.length;
      const a = arr[i] as Record<string, Json> | null;
      const b = arr[j] as Record<string, Json> | null;
      if (i !== j && a && b && typeof a === 'object' && typeof b === 'object' && ('id' in a || 'name' in a)) {
        const key = 'id' in a ? 'id' : 'name';
        b[key] = a[key];
        if (b.config && typeof b.config === 'object' && key === 'name') (b.config as Record<string, Json>).name = a[key];
      } else arr.push(structuredClone(arr[i]));
      return root;
    }
    case 'dangle': {
      // Point an edge or an inbound reference at a layer that does not exist.
      const refs = all.filter((p) => {
        const last = p[p.length - 1];
        return last === 'source' || last === 'target' || (typeof get(root, p) === 'string' && p.includes('inbound_nodes'));
      });
      if (!refs.length) return root;
      return set(root, refs[mut.at % refs.length], 'ghost');
    }
  }
}

const DEEP_CACHE = new Map<number, string>();
const deep = (d: number) => DEEP_CACHE.get(d) ?? (DEEP_CACHE.set(d, `${'['.repeat(d)}1${']'.repeat(d)}`), DEEP_CACHE.get(d)!);

/** Text-level damage: a cut file, a forbidden key or deep nesting spliced in after some `{`, stray bytes. */
function mutateText(text: string, mut: TextMutation): string {
  if (mut.m === 'none') return text;
  if (mut.m === 'truncate') return text.slice(0, mut.at % text.length);
  if (mut.m === 'bytes') {
    const i = mut.at % (text.length + 1);
    return text.slice(0, i) + mut.text + text.slice(i);
  }
  const opens: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '{') opens.push(i);
  const i = opens.length ? opens[mut.at % opens.length] + 1 : 0;
  const insert =
    mut.m === 'deep'
      ? `"deep": ${deep(mut.depth)},`
      : `"${FORBIDDEN[mut.key]}": ${mut.nested ? '{"prototype": {"polluted": "yes"}, "polluted": "yes"}' : '{"polluted": "yes"}'},`;
  const closes = /^\s*}/.test(text.slice(i));
  return text.slice(0, i) + (closes ? insert.slice(0, -1) : insert) + text.slice(i);
}

export function buildInput(seed: Seed, c: Case): string {
  let value = structuredClone(seed.value);
  for (const m of c.values) value = mutateValue(value, m);
  const text = value === undefined ? '' : JSON.stringify(value, null, c.values.length % 2 ? 2 : undefined);
  return mutateText(text, c.text);
}

export interface ImportStats {
  cases: number;
  /** Per path: inputs refused with a message, inputs imported. */
  importText: [number, number];
  appImport: [number, number];
  cli: [number, number];
  share: [number, number];
  storage: [number, number];
}

const doc = () => useDocStore.getState();

/** The app's import action: on refusal an error toast and an unchanged document; on success a checked new graph. */
async function throughApp(text: string, name: string, stats: ImportStats, expectOk: boolean): Promise<void> {
  const before = doc().project;
  const previous = useUiStore.getState().toasts.at(-1)?.id;
  await importFiles([new File([text], name)]);
  const last = useUiStore.getState().toasts.at(-1);
  invariant(last && last.id !== previous, `${name}: the app's import said nothing`);
  if (last!.kind === 'error') {
    invariant(!expectOk, () => `${name}: importText accepts the file but the app refused it: ${last!.text}`);
    invariant(doc().project === before, `${name}: a refused import changed the current document`);
    invariant(/refused; your graph is unchanged\.\n• \S/.test(last!.text), () => `${name}: the refusal names no problem: ${last!.text}`);
    stats.appImport[0] += 1;
  } else {
    invariant(expectOk, () => `${name}: importText refuses the file but the app imported it`);
    invariant(doc().project !== before, `${name}: an accepted import did not open a project`);
    const p = doc().project;
    const inf = inferGraph(p.graph);
    checkInference(p, inf, `${name} (app import)`);
    checkSaveLoad(p, inf, `${name} (app import)`);
    stats.appImport[1] += 1;
  }
}

let tmp: string | undefined;

/** `convas summary` on the file: exit 0/1 with a table when importText accepts it, 2 with a message when not; never 3. */
async function throughCli(text: string, expectOk: boolean, json: boolean, stats: ImportStats): Promise<void> {
  tmp ??= mkdtempSync(join(tmpdir(), 'convas-fuzz-'));
  const file = join(tmp, 'input.json');
  writeFileSync(file, text);
  let out = '';
  let err = '';
  const code = await main(['summary', file, ...(json ? ['--json'] : [])], { out: (t) => void (out += t), err: (t) => void (err += t) });
  invariant(code !== 3, () => `convas summary crashed (exit 3): ${err.slice(0, 2000)}`);
  if (expectOk) {
    invariant(code === 0 || code === 1, () => `convas summary exit ${code} on an importable file: ${err.slice(0, 500)}`);
    invariant(out.length > 0, 'convas summary printed no summary');
    if (json) JSON.parse(out);
    stats.cli[1] += 1;
  } else {
    invariant(code === 2 && /cannot read .*:\n {2}- \S/.test(err), () => `convas summary: exit ${code} on a refused file, stderr ${err.slice(0, 300)}`);
    stats.cli[0] += 1;
  }
}

/**
 * A `#share=` link (the app's `openShared`): an error and an unchanged document, or a checked new project.
 * An undamaged link holding a file is accepted exactly when `importText` accepts that file.
 */
function throughShare(hash: string, where: string, stats: ImportStats, expectOk: boolean | undefined): void {
  const before = doc().project;
  const r = openShared(hash);
  invariant(r.text.trim().length > 0, `${where}: the share link gave no message`);
  if (expectOk !== undefined) invariant((r.kind === 'info') === expectOk, () => `${where}: importText ${expectOk ? 'accepts' : 'refuses'} the file, the share link ${r.kind === 'info' ? 'opens' : 'refuses'} it: ${r.text.slice(0, 300)}`);
  if (r.kind === 'error') {
    invariant(doc().project === before, `${where}: a refused share link changed the current document`);
    stats.share[0] += 1;
  } else {
    const p = doc().project;
    invariant(p !== before, `${where}: an opened share link did not open a project`);
    const inf = inferGraph(p.graph);
    checkInference(p, inf, `${where} (share link)`);
    checkSaveLoad(p, inf, `${where} (share link)`);
    stats.share[1] += 1;
  }
}

/** A project read back from browser storage (`loadProject`, as `boot` does): undefined or a checked project. */
function throughStorage(text: string, where: string, stats: ImportStats): void {
  localStorage.setItem('convas.project.v1.fuzz-stored', text);
  const p: ProjectFileV1 | undefined = loadProject('fuzz-stored');
  if (!p) stats.storage[0] += 1;
  else {
    const inf = inferGraph(p.graph);
    checkInference(p, inf, `${where} (stored project)`);
    stats.storage[1] += 1;
  }
}

/** Runs one mutated input through every import path; throws on the first broken invariant. */
export async function runImportCase(seed: Seed, c: Case, stats: ImportStats): Promise<void> {
  const text = buildInput(seed, c);
  const name = seed.name;
  const where = `${name} mutated by ${JSON.stringify(c)}`;
  // Start each case from a known document so "unchanged" is meaningful.
  doc().replaceProject(getPreset('basic-cnn')!, 'fuzz-import');
  let r;
  try {
    r = importText(text, name);
  } catch (e) {
    invariant(false, () => `${where}: importText threw ${(e as Error)?.stack ?? String(e)}`);
  }
  checkNoPollution(`${where} (importText)`);
  if (r.ok) {
    const inf = inferGraph(r.value.project.graph);
    checkInference(r.value.project, inf, `${where} (importText)`);
    stats.importText[1] += 1;
  } else {
    invariant(r.errors.length > 0 && r.errors.every((e) => typeof e === 'string' && e.trim().length > name.length + 2), () => `${where}: refused without a message`);
    stats.importText[0] += 1;
  }
  await throughApp(text, name, stats, r.ok);
  checkNoPollution(`${where} (app import)`);
  await throughCli(text, r.ok, c.values.length === 1, stats);
  checkNoPollution(`${where} (cli)`);
  if (seed.type === 'project') {
    let hash = LZString.compressToEncodedURIComponent(text);
    if (c.hash) {
      const i = c.hash.at % (hash.length + 1);
      hash = c.hash.cut ? hash.slice(0, i) : hash.slice(0, i) + (hash[i] === 'A' ? 'B' : 'A') + hash.slice(i + 1);
    }
    throughShare(`#share=${hash}`, where, stats, c.hash ? undefined : r.ok);
    checkNoPollution(`${where} (share link)`);
    throughStorage(text, where, stats);
    checkNoPollution(`${where} (stored project)`);
  }
  stats.cases += 1;
}

/** Part B: `runs` mutated project files, model.json files and share links through every import path. */
export async function fuzzImports({ seed, runs }: FuzzOptions): Promise<ImportStats> {
  installMemoryStorage();
  const all = seeds();
  const stats: ImportStats = { cases: 0, importText: [0, 0], appImport: [0, 0], cli: [0, 0], share: [0, 0], storage: [0, 0] };
  try {
    await fc.assert(
      fc.asyncProperty(caseArb(all.length), async (c) => runImportCase(all[c.seed], c, stats)),
      { seed, numRuns: runs, endOnFailure: false },
    );
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  }
  return stats;
}
