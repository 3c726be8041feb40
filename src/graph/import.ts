import { BLOCK_KIND, flatSize, flattenProject } from './blocks';
import { getLayerKind } from '../../nodes/index';
import { kerasToGraph } from './keras';
import { fail, findForbiddenKeys, newProject, ok, parseProject, type Result } from './project';
import type { Graph, ProjectFileV1 } from './types';

/** Limits on what an imported file may hold; beyond them it is refused before anything is built from it. */
export const IMPORT_LIMITS = {
  /** Characters of text (≈ bytes for JSON). */
  maxChars: 20 * 1024 * 1024,
  maxNodes: 10_000,
  maxEdges: 50_000,
  /** Nesting depth of the JSON. */
  maxDepth: 64,
  /** Any number inside a layer's params (shape dims, filters, units, kernel sizes, …). */
  maxParamNumber: 100_000,
  maxNameLength: 256,
  /** Characters of a project description. */
  maxDescriptionLength: 10_000,
  /** Larger Keras imports keep the row layout: ELK blocks its thread for seconds on thousands of nodes. */
  maxAutoLayoutNodes: 1_000,
} as const;

export interface Imported {
  project: ProjectFileV1;
  warnings: string[];
  /** What the text was: a Convas project or a Keras/tfjs model topology. */
  source: 'convas' | 'keras';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const fmt = (n: number) => n.toLocaleString('en-US');

/** Deepest nesting of a JSON value, stopping early past `limit`; iterative so hostile depth cannot overflow the stack. */
function depthExceeds(value: unknown, limit: number): boolean {
  // Two parallel stacks instead of [value, depth] pairs: no allocation per visited object.
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (d > limit) return true;
    if (Array.isArray(v)) {
      for (const c of v) if (c !== null && typeof c === 'object') values.push(c), depths.push(d + 1);
    } else {
      for (const k in v as Obj) {
        const c = (v as Obj)[k];
        if (c !== null && typeof c === 'object') values.push(c), depths.push(d + 1);
      }
    }
  }
  return false;
}

/** Every absurd size in a graph: too many nodes/edges, huge numbers in params, overlong names. */
export function checkGraphLimits(graph: Graph): string[] {
  const L = IMPORT_LIMITS;
  const errors: string[] = [];
  if (graph.nodes.length > L.maxNodes) errors.push(`the graph has ${fmt(graph.nodes.length)} layers; the limit is ${fmt(L.maxNodes)}`);
  if (graph.edges.length > L.maxEdges) errors.push(`the graph has ${fmt(graph.edges.length)} connections; the limit is ${fmt(L.maxEdges)}`);
  if (errors.length) return errors;
  const clip = (t: string) => (t.length > 40 ? `${t.slice(0, 40)}…` : t);
  for (const n of graph.nodes) {
    const who = `layer "${clip(n.name)}" (${clip(n.kind)})`;
    if (n.name.length > L.maxNameLength) errors.push(`${who}: the name has ${fmt(n.name.length)} characters; the limit is ${L.maxNameLength}`);
    if (n.kind.length > L.maxNameLength) errors.push(`${who}: the kind has ${fmt(n.kind.length)} characters; the limit is ${L.maxNameLength}`);
    if (n.id.length > L.maxNameLength) errors.push(`${who}: the id has ${fmt(n.id.length)} characters; the limit is ${L.maxNameLength}`);
    const stack: Array<[unknown, string]> = Object.entries(n.params).map(([k, v]) => [v, k]);
    while (stack.length) {
      const [v, path] = stack.pop()!;
      if (typeof v === 'number' && Math.abs(v) > L.maxParamNumber) {
        errors.push(`${who}: ${path} is ${fmt(v)}; sizes above ${fmt(L.maxParamNumber)} are refused`);
      } else if (typeof v === 'string' && v.length > L.maxNameLength) {
        errors.push(`${who}: ${path} is a text of ${fmt(v.length)} characters; the limit is ${L.maxNameLength}`);
      } else if (Array.isArray(v)) v.forEach((c, i) => stack.push([c, `${path}[${i}]`]));
      else if (isObj(v)) Object.entries(v).forEach(([k, c]) => stack.push([c, `${path}.${k}`]));
    }
  }
  return errors;
}

function baseName(fileName?: string): string | undefined {
  if (!fileName) return undefined;
  const b = fileName.split(/[\\/]/).pop()!.replace(/(\.convas)?\.json$/i, '');
  return b && b !== 'model' ? b : undefined;
}

/**
 * Reads the text of a file the user opened or dropped: a Convas project (`format: "convas-project"`) or a
 * Keras/tfjs `model.json` (or `model.toJSON()` / Keras `to_json()` output). Hostile input is refused with
 * every problem named: more than 20 MB, not JSON, nesting deeper than 64, `__proto__`/`constructor`/`prototype`
 * keys anywhere, more than 10,000 layers, numbers above 100,000 in layer params, unknown layer classes.
 * Nothing in the file is evaluated. Keras imports get a row layout; see {@link importTextLaidOut}.
 */
export function importText(text: string, fileName?: string): Result<Imported> {
  const L = IMPORT_LIMITS;
  const label = fileName ? `${fileName}: ` : '';
  const err = (m: string) => fail<Imported>([`${label}${m}`]);
  if (typeof text !== 'string') return err('expected text');
  if (text.length > L.maxChars) {
    return err(`the file is ${(text.length / 1024 / 1024).toFixed(1)} MB; the limit is ${L.maxChars / 1024 / 1024} MB`);
  }
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trim()) return err('the file is empty');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    return err(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(data)) {
    return err(`expected a Convas project or a Keras/tfjs model.json object, got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`}`);
  }
  if (depthExceeds(data, L.maxDepth)) return err(`the JSON is nested deeper than ${L.maxDepth} levels`);
  const forbidden = findForbiddenKeys(data);
  if (forbidden.length) return fail(forbidden.map((p) => `${label}${p}: forbidden key "${p.split('.').pop()}"`));

  let project: ProjectFileV1;
  let source: Imported['source'];
  const warnings: string[] = [];
  if (data.format === 'convas-project') {
    const g = data.graph;
    const raw = isObj(g) && Array.isArray(g.nodes) ? g.nodes.length : 0;
    if (raw > L.maxNodes) return err(`the graph has ${fmt(raw)} layers; the limit is ${fmt(L.maxNodes)}`);
    const r = parseProject(data);
    if (!r.ok) return fail(r.errors.map((e) => `${label}${e}`));
    project = r.value;
    source = 'convas';
  } else if ('modelTopology' in data || 'class_name' in data) {
    const topo = isObj(data.modelTopology) ? data.modelTopology : data;
    const cfg = isObj(topo.model_config) ? topo.model_config.config : topo.config;
    const raw = Array.isArray(cfg) ? cfg.length : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers.length : 0;
    if (raw > L.maxNodes) return err(`the model has ${fmt(raw)} layers; the limit is ${fmt(L.maxNodes)}`);
    const r = kerasToGraph(data);
    if (!r.ok) return fail(r.errors.map((e) => `${label}${e}`));
    project = { ...newProject(r.value.name ?? baseName(fileName) ?? 'Imported model'), graph: r.value.graph };
    warnings.push(...r.value.warnings);
    if (r.value.weightsManifest) warnings.push('the weights manifest was ignored: Convas imports the architecture, not trained weights');
    source = 'keras';
  } else {
    return err('not a Convas project (no "format": "convas-project") nor a Keras/tfjs model.json (no "modelTopology" or "class_name")');
  }
  const expanded = flatSize(project.graph, project.blocks);
  if (expanded > L.maxNodes) return err(`the graph has ${fmt(expanded)} layers once its blocks are expanded; the limit is ${fmt(L.maxNodes)}`);
  // Blocks hold layers too, with the values their instances bind: judge the layers every consumer will see.
  const limits = checkGraphLimits(flattenProject(project).graph);
  if (project.name.length > L.maxNameLength) limits.push(`name: the project name has ${fmt(project.name.length)} characters; the limit is ${L.maxNameLength}`);
  if ((project.description?.length ?? 0) > L.maxDescriptionLength) {
    limits.push(`description: ${fmt(project.description!.length)} characters; the limit is ${fmt(L.maxDescriptionLength)}`);
  }
  if (limits.length) return fail(limits.map((e) => `${label}${e}`));
  const unknown = [...new Set(flattenProject(project).graph.nodes.map((n) => n.kind).filter((k) => !getLayerKind(k) && k !== BLOCK_KIND))];
  if (unknown.length) {
    warnings.push(`unknown layer kind${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}: those layers show an error until replaced`);
  }
  return ok({ project, warnings, source });
}

/**
 * {@link importText}, then ELK's layered layout for Keras imports (Convas projects keep their saved positions).
 * Imports above {@link IMPORT_LIMITS}.maxAutoLayoutNodes keep the row layout, with a warning.
 */
export async function importTextLaidOut(text: string, fileName?: string): Promise<Result<Imported>> {
  const r = importText(text, fileName);
  if (!r.ok || r.value.source !== 'keras') return r;
  const n = r.value.project.graph.nodes.length;
  if (n > IMPORT_LIMITS.maxAutoLayoutNodes) {
    const note = `${fmt(n)} layers are laid out in rows (automatic layout stops at ${fmt(IMPORT_LIMITS.maxAutoLayoutNodes)})`;
    return ok({ ...r.value, warnings: [...r.value.warnings, note] });
  }
  // Loaded on demand: elkjs is large and most callers (the CLI, tests) never lay anything out.
  const { autoLayout } = await import('./layout');
  const graph = await autoLayout(r.value.project.graph);
  return ok({ ...r.value, project: { ...r.value.project, graph } });
}
