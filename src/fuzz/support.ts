import { deepStrictEqual } from 'node:assert/strict';
import { getLayerKind } from '../../nodes/index';
import { inferGraph } from '../graph/infer';
import { checkIntegrity, serializeProject } from '../graph/project';
import type { GraphInference, ProjectFileV1 } from '../graph/types';
import { fieldsOf } from '../ui/layer-form/fields';
import { loadProject, saveProject } from '../store/persist';

/** Seed and run count of one fuzz campaign; `FUZZ_SEED` / `FUZZ_RUNS` override the defaults. */
export interface FuzzOptions {
  seed: number;
  runs: number;
}

export function fuzzOptions(defaults: FuzzOptions, env: Record<string, string | undefined> = process.env): FuzzOptions {
  const num = (v: string | undefined, d: number) => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
  return { seed: num(env.FUZZ_SEED, defaults.seed), runs: num(env.FUZZ_RUNS, defaults.runs) };
}

/** A fuzz invariant that did not hold; the message says which and where. */
export class InvariantError extends Error {}

export function invariant(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new InvariantError(typeof message === 'string' ? message : message());
}

/** Browser storage for Node, so the app's own save/load path (`saveProject` → `loadProject`) runs unchanged. */
export function installMemoryStorage(): void {
  if (typeof globalThis.localStorage !== 'undefined') return;
  const data = new Map<string, string>();
  const storage: Storage = {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(String(k)) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(String(k)),
    setItem: (k, v) => void data.set(String(k), String(v)),
  };
  Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
}

const protoKeys = (o: object) => Reflect.ownKeys(o).map(String).sort();
const baseline = { object: protoKeys(Object.prototype), array: protoKeys(Array.prototype), fn: protoKeys(Function.prototype) };

/** Nothing was added to (or removed from) the built-in prototypes, and `{}` inherits no `polluted`. */
export function checkNoPollution(where: string): void {
  const probe = {} as Record<string, unknown>;
  invariant(probe.polluted === undefined, `${where}: ({}).polluted is ${String(probe.polluted)}`);
  invariant(Object.getPrototypeOf(probe) === Object.prototype, `${where}: {} has a foreign prototype`);
  for (const k in probe) invariant(false, `${where}: {} has an enumerable inherited key "${k}"`);
  deepStrictEqual(protoKeys(Object.prototype), baseline.object, `${where}: Object.prototype changed`);
  deepStrictEqual(protoKeys(Array.prototype), baseline.array, `${where}: Array.prototype changed`);
  deepStrictEqual(protoKeys(Function.prototype), baseline.fn, `${where}: Function.prototype changed`);
}

/**
 * What every node of an inferred graph must show: `ok` with a shape of whole sizes ≥ 1 (and params its schema
 * accepts); `error` with a message, and a `param` that is a field of its kind (or `name`) — for `invalid-param`
 * always, naming a field whose stored value that field's schema refuses; `blocked` by nodes that have errors.
 * Totals are finite and ≥ 0.
 */
export function checkInference(project: ProjectFileV1, inf: GraphInference, where: string): void {
  const { graph } = project;
  const at = (id: string) => `${where}: node ${JSON.stringify(graph.nodes.find((n) => n.id === id)?.name ?? id)}`;
  for (const node of graph.nodes) {
    const r = inf.nodes[node.id];
    invariant(r, `${at(node.id)} has no inference result`);
    const kind = getLayerKind(node.kind);
    if (r.status === 'ok') {
      invariant(
        Array.isArray(r.outputShape) && r.outputShape.length > 0 && r.outputShape.every((d) => Number.isInteger(d) && d >= 1),
        () => `${at(node.id)} is ok with output shape ${JSON.stringify(r.outputShape)}`,
      );
      invariant(kind && kind.params.safeParse(node.params).success, () => `${at(node.id)} is ok but its params do not parse: ${JSON.stringify(node.params)}`);
    } else if (r.status === 'error') {
      invariant(r.error && typeof r.error.message === 'string' && r.error.message.trim().length > 0, `${at(node.id)} has an error without a message`);
      const { param, code } = r.error;
      if (code === 'invalid-param') invariant(param !== undefined, () => `${at(node.id)}: invalid-param error names no field: ${r.error!.message}`);
      if (param !== undefined) {
        invariant(kind, `${at(node.id)}: an unknown kind's error names a param`);
        const field = fieldsOf(kind.params).find((f) => f.key === param);
        invariant(field || param === 'name', () => `${at(node.id)}: error names "${param}", not a field of ${kind.kind}`);
        if (code === 'invalid-param' && field) {
          invariant(!field.schema.safeParse(node.params[param]).success, () => `${at(node.id)}: error names "${param}" but its value ${JSON.stringify(node.params[param])} is valid (${r.error!.message})`);
        }
      }
    } else {
      invariant(r.blockedBy && r.blockedBy.length > 0, `${at(node.id)} is blocked by nothing`);
      for (const b of r.blockedBy) invariant(inf.nodes[b]?.status === 'error', () => `${at(node.id)} is blocked by ${b}, which has no error`);
    }
  }
  for (const [k, v] of Object.entries(inf.totals)) invariant(Number.isFinite(v) && v >= 0, `${where}: totals.${k} is ${v}`);
}

/** The parts of an inference a user sees, for comparing two of them. */
export function visible(inf: GraphInference) {
  const nodes = Object.fromEntries(
    Object.entries(inf.nodes).map(([id, n]) => [
      id,
      { status: n.status, outputShape: n.outputShape, count: n.count, macs: n.macs, error: n.error?.message, param: n.error?.param, blockedBy: n.blockedBy },
    ]),
  );
  return { nodes, totals: inf.totals, issues: inf.issues.map((i) => i.message), valid: inf.valid };
}

let saveSlot = 0;

/**
 * Saves a project through the app's storage path and loads it back: the same document (its file text is
 * byte-identical) and the same inference, totals included.
 */
export function checkSaveLoad(project: ProjectFileV1, inf: GraphInference, where: string): void {
  invariant(checkIntegrity(project.graph).length === 0, () => `${where}: the document lost integrity: ${checkIntegrity(project.graph).join('; ')}`);
  const id = `fuzz${saveSlot++ % 4}`;
  const saved = saveProject(id, project);
  invariant(saved.ok, () => `${where}: save failed: ${!saved.ok && saved.error}`);
  const loaded = loadProject(id);
  invariant(loaded, () => `${where}: the saved project does not load again`);
  invariant(serializeProject(loaded) === localStorage.getItem(`convas.project.v1.${id}`), () => `${where}: save → load changed the document`);
  deepStrictEqual(visible(inferGraph(loaded.graph)), visible(inf), `${where}: save → load changed the inference or totals`);
}
