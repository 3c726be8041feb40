import { z } from 'zod';
import { getLayerKind } from '../../nodes/index';
import { blocksSchema, checkBlocks } from './blocks';
import type { Graph, ProjectFileV1, ProjectVersion } from './types';

/** Success with a value, or every problem found (each naming what and where). */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(errors: string[]): Result<T> => ({ ok: false, errors });

/**
 * The newest file version this build reads; `parseProject` upgrades every older file to it. What is written is the
 * oldest version that holds the content ({@link fileVersionOf}), so files without blocks stay readable by old builds.
 */
export const PROJECT_VERSION = 2;

/**
 * The file version a project is written as: 2 when it holds block definitions (a build that reads only version 1
 * then refuses the file instead of dropping the blocks), else 1. A later version that changes what every file means
 * (a kind's params migration) raises the floor for all files.
 */
export function fileVersionOf(p: Pick<ProjectFileV1, 'blocks'>): ProjectVersion {
  return p.blocks?.length ? 2 : 1;
}

/** Keys refused anywhere in a document: assigning them to a plain object can rewrite its prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const xy = z.object({ x: finite, y: finite });

const nodeSchema = z.object({
  id: z.string().min(1, 'node id is empty'),
  kind: z.string().min(1, 'node kind is empty'),
  name: z.string(),
  // Params stay as the user set them: a bad value must still load so the inspector can show and fix it.
  params: z.record(z.string(), z.unknown()),
  position: xy,
  block: z.string().optional(),
});

const edgeSchema = z.object({
  id: z.string().min(1, 'edge id is empty'),
  source: z.string(),
  target: z.string(),
  targetIndex: z.number().int().min(0),
  sourceIndex: z.number().int().min(0).optional(),
});

export const graphSchema = z.object({ nodes: z.array(nodeSchema), edges: z.array(edgeSchema) });

/** zod schema of a Convas project file (`*.convas.json`) once upgraded to {@link PROJECT_VERSION}. */
export const projectSchema = z.object({
  format: z.literal('convas-project'),
  version: z.literal(PROJECT_VERSION),
  name: z.string(),
  description: z.string().optional(),
  graph: graphSchema,
  // Optional: a file without blocks is a valid version-2 document too (it is written as version 1).
  blocks: blocksSchema.optional(),
  viewport: z.object({ x: finite, y: finite, zoom: finite.refine((v) => v > 0, 'zoom must be > 0') }).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

type Doc = Record<string, unknown>;

/**
 * One upgrade step of the project file: `up` turns a document of version `from` into version `from + 1`.
 * Steps are pure, and `up` may assume only what version `from` guaranteed.
 */
export interface ProjectMigration {
  from: number;
  /** Short name used in error messages and tests, e.g. `v1→v2: params.kernel becomes kernelSize`. */
  name: string;
  up(doc: Doc): Doc;
}

/**
 * A project step that upgrades the params of every node of one kind with that kind's own migration
 * (`LayerKind.migrations[kindVersion - 1]`, which turns params version `kindVersion` into `kindVersion + 1`).
 * Nodes carry no version of their own: the file version says which kind versions it holds, so a kind that
 * bumps its params version adds one of these to {@link projectMigrations} together with a new file version.
 *
 * @example
 * { ...kindParamsStep(1, 'Conv2D', 1) } // file v1 → v2: Conv2D params v1 → v2
 */
export function kindParamsStep(from: number, kind: string, kindVersion: number): ProjectMigration {
  return {
    from,
    name: `v${from}→v${from + 1}: ${kind} params v${kindVersion}→v${kindVersion + 1}`,
    up(doc) {
      const migrate = getLayerKind(kind)?.migrations?.[kindVersion - 1];
      if (!migrate) throw new Error(`${kind} has no params migration from version ${kindVersion}`);
      const inGraph = (g: unknown): unknown => {
        const graph = g as { nodes?: unknown } | undefined;
        if (!graph || typeof graph !== 'object' || !Array.isArray(graph.nodes)) return g;
        const nodes = graph.nodes.map((n: unknown) => {
          const node = n as { kind?: unknown; params?: unknown };
          if (node?.kind !== kind || node.params === null || typeof node.params !== 'object') return n;
          return { ...node, params: migrate(node.params as Doc) };
        });
        return { ...graph, nodes };
      };
      // Layers inside block definitions are layers of the same kind and version.
      const blocks = Array.isArray(doc.blocks)
        ? doc.blocks.map((b: unknown) => (b !== null && typeof b === 'object' ? { ...(b as Doc), graph: inGraph((b as Doc).graph) } : b))
        : doc.blocks;
      return { ...doc, graph: inGraph(doc.graph), ...(blocks === undefined ? {} : { blocks }) };
    },
  };
}

/**
 * Every step from the oldest readable version to {@link PROJECT_VERSION}, oldest first. A new version adds
 * `{ from: PROJECT_VERSION, … }` here, bumps PROJECT_VERSION and says in {@link fileVersionOf} when it is written.
 */
export const projectMigrations: readonly ProjectMigration[] = [
  {
    from: 1,
    // Version 2 only makes `blocks` a reason for the version number; the data is the same. Version-1 files written
    // while blocks were an optional field (before version 2 existed) keep their blocks.
    name: 'v1→v2: block definitions become part of the versioned format',
    up: (doc) => doc,
  },
];

/**
 * Upgrades a raw document to `target` by running the steps of `steps` in order. A document without a
 * numeric `version` is refused, as is one newer than `target` or one older than the first step.
 */
export function migrateProject(
  doc: Doc,
  steps: readonly ProjectMigration[] = projectMigrations,
  target: number = PROJECT_VERSION,
): Result<Doc> {
  const v = doc.version;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    return fail([`version: expected an integer file version, got ${JSON.stringify(v) ?? 'nothing'}`]);
  }
  if (v > target) {
    return fail([`version: made by a newer Convas: version ${v}, this build reads up to ${target}; open it in a newer Convas`]);
  }
  let cur = doc;
  for (let at = v; at < target; at++) {
    const step = steps.find((s) => s.from === at);
    if (!step) return fail([`version: no migration from file version ${at}; the oldest readable version is ${oldest(steps, target)}`]);
    try {
      cur = { ...step.up(cur), version: at + 1 };
    } catch (e) {
      return fail([`version: migration "${step.name}" failed: ${(e as Error).message}`]);
    }
  }
  return ok(cur);
}

function oldest(steps: readonly ProjectMigration[], target: number): number {
  let v = target;
  while (steps.some((s) => s.from === v - 1)) v--;
  return v;
}

/** Does any object in a JSON value have a forbidden key? Iterative and path-free, so cheap on 20 MB of data. */
function hasForbiddenKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const c of v) if (c !== null && typeof c === 'object') stack.push(c);
      continue;
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      if (FORBIDDEN_KEYS.has(k)) return true;
      const c = (v as Doc)[k];
      if (c !== null && typeof c === 'object') stack.push(c);
    }
  }
  return false;
}

/** Paths (`graph.nodes[3].params.__proto__`) of every forbidden key in a JSON value; iterative, so depth cannot overflow. */
export function findForbiddenKeys(value: unknown, limit = 20): string[] {
  if (!hasForbiddenKey(value)) return [];
  const found: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length && found.length < limit) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    for (const k of Object.keys(v)) {
      const p = path ? `${path}.${k}` : k;
      if (FORBIDDEN_KEYS.has(k)) found.push(p);
      else stack.push([(v as Doc)[k], p]);
    }
  }
  return found;
}

function issuePath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(file)';
}

/** Edge endpoints exist, ids are unique, no edge is doubled: what the document must hold for a graph to be drawn. */
export function checkIntegrity(graph: Graph): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  graph.nodes.forEach((n, i) => {
    if (ids.has(n.id)) errors.push(`graph.nodes[${i}].id: node id "${n.id}" is used twice`);
    ids.add(n.id);
  });
  const edgeIds = new Set<string>();
  const slots = new Set<string>();
  graph.edges.forEach((e, i) => {
    const at = `graph.edges[${i}]`;
    if (edgeIds.has(e.id)) errors.push(`${at}.id: edge id "${e.id}" is used twice`);
    edgeIds.add(e.id);
    if (!ids.has(e.source)) errors.push(`${at}.source: edge "${e.id}" starts at missing node "${e.source}"`);
    if (!ids.has(e.target)) errors.push(`${at}.target: edge "${e.id}" ends at missing node "${e.target}"`);
    const slot = `${e.target}\u0000${e.targetIndex}`;
    if (slots.has(slot)) errors.push(`${at}: input slot ${e.targetIndex} of node "${e.target}" is fed twice`);
    slots.add(slot);
  });
  return errors;
}

/**
 * Reads a project document (already JSON-parsed): refuses forbidden keys, runs migrations, validates it
 * against {@link projectSchema} and checks referential integrity. Param values are not judged here —
 * `inferGraph` reports them on their node, so a project with one bad param still opens.
 *
 * @example
 * const r = parseProject(JSON.parse(text));
 * if (r.ok) open(r.value); else show(r.errors);
 */
export function parseProject(data: unknown, steps: readonly ProjectMigration[] = projectMigrations): Result<ProjectFileV1> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return fail([`expected a project object, got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}`]);
  }
  const bad = findForbiddenKeys(data);
  if (bad.length) return fail(bad.map((p) => `${p}: forbidden key "${p.split('.').pop()}"`));
  const doc = data as Doc;
  if (doc.format !== 'convas-project') {
    return fail([`format: expected "convas-project", got ${JSON.stringify(doc.format) ?? 'nothing'}`]);
  }
  const migrated = migrateProject(doc, steps);
  if (!migrated.ok) return migrated;
  const r = projectSchema.safeParse(migrated.value);
  if (!r.success) return fail(r.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`));
  const integrity = [...checkIntegrity(r.data.graph), ...checkBlocks(r.data.blocks ?? [])];
  for (const [i, n] of r.data.graph.nodes.entries()) {
    if (n.block !== undefined && !r.data.blocks?.some((b) => b.id === n.block)) {
      integrity.push(`graph.nodes[${i}]: layer "${n.name}" uses a block that does not exist ("${n.block}")`);
    }
  }
  if (integrity.length) return fail(integrity);
  const value = r.data as Omit<ProjectFileV1, 'version'>;
  return ok({ ...value, version: fileVersionOf(value) } as ProjectFileV1);
}

/** Pretty JSON of a project, keys in schema order, ready to download; the version is the one its content needs. */
export function serializeProject(p: ProjectFileV1): string {
  const { format, name, description, graph, blocks, viewport, training } = p;
  const ordered = {
    format,
    version: fileVersionOf(p),
    name,
    description,
    graph: orderedGraph(graph),
    blocks: blocks?.length
      ? blocks.map(({ id, name, description, inputs, outputs, params, graph }) => ({ id, name, description, inputs, outputs, params, graph: orderedGraph(graph) }))
      : undefined,
    viewport,
    training,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function orderedGraph(graph: Graph) {
  return {
    nodes: graph.nodes.map(({ id, kind, name, params, position, block }) => ({ id, kind, name, params, position, block })),
    edges: graph.edges.map(({ id, source, target, targetIndex, sourceIndex }) => ({ id, source, target, targetIndex, sourceIndex })),
  };
}

/** An empty project (no layers) named `name`. */
export function newProject(name = 'Untitled'): ProjectFileV1 {
  return { format: 'convas-project', version: 1, name, graph: { nodes: [], edges: [] } };
}
