import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { getLayerKind, layerKinds } from '../../nodes/index';
import { getPreset } from '../../presets/index';
import { sequentialGraph } from '../graph/build';
import { inferGraph } from '../graph/infer';
import { toSeparable } from '../graph/transform';
import type { ProjectFileV1 } from '../graph/types';
import { beginDrag, emptyProject, endDrag, useDocStore } from '../store/doc';
import { inferenceFor } from '../store/inference';
import { useUiStore } from '../store/ui';
import { copySelection, deleteSelection, paste, redo, undo } from '../ui/actions';
import { fieldsOf, readNumber, readNumbers } from '../ui/layer-form/fields';
import { checkInference, checkSaveLoad, installMemoryStorage, invariant, visible, type FuzzOptions } from './support';

/** One user gesture; node and edge choices are indices taken modulo what the graph holds at that moment. */
export type Edit =
  | { t: 'add'; kind: string; x: number; y: number }
  | { t: 'delete'; nodes: number[]; edges: number[] }
  | { t: 'connect'; source: number; target: number; slot: number | null }
  | { t: 'disconnect'; edge: number }
  | { t: 'param'; node: number; field: number; text: string; other: boolean }
  | { t: 'rename'; node: number; name: string }
  | { t: 'copy'; nodes: number[] }
  | { t: 'paste' }
  | { t: 'undo' }
  | { t: 'redo' }
  | { t: 'separable'; node: number; batchNorm: boolean }
  | { t: 'drag'; node: number; dx: number; dy: number; steps: number };

/** Text typed into a field: the brief's awkward values plus ones each field type reads specially. */
export const TYPED = ['abc', '', ' ', '-1', '0', '1', '2', '3', '1e9', '3.5', '-0', '1e999', 'NaN', 'Infinity', '0x10', '28x28x1', '4, 4', '8 8 3', '-1, 4', '1,2,3,4,5', 'same', 'valid', 'relu', 'true'];

const ix = fc.nat({ max: 1 << 16 });

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('add' as const), kind: fc.constantFrom(...layerKinds.map((k) => k.kind)), x: fc.integer({ min: -500, max: 500 }), y: fc.integer({ min: -500, max: 500 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), nodes: fc.array(ix, { maxLength: 2 }), edges: fc.array(ix, { maxLength: 2 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('connect' as const), source: ix, target: ix, slot: fc.option(fc.nat({ max: 3 })) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('disconnect' as const), edge: ix }) },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('param' as const), node: ix, field: ix, text: fc.oneof(fc.constantFrom(...TYPED), fc.string({ maxLength: 5 })), other: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rename' as const), node: ix, name: fc.constantFrom('input', 'conv2d', 'x', 'x', '', '9lives', 'a b', 'stem/1') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('copy' as const), nodes: fc.array(ix, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'paste' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'undo' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'redo' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('separable' as const), node: ix, batchNorm: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('drag' as const), node: ix, dx: fc.integer({ min: -300, max: 300 }), dy: fc.integer({ min: -300, max: 300 }), steps: fc.integer({ min: 1, max: 4 }) }) },
);

/** Starting documents: empty, a small chain, a few presets (merges and BN included). */
function starts(): ProjectFileV1[] {
  const chain = sequentialGraph([
    { kind: 'Input', params: { shape: [8, 8, 3] } },
    { kind: 'Conv2D', params: { filters: 4, kernelSize: 3 } },
    { kind: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } },
    { kind: 'Flatten', params: {} },
    { kind: 'Dense', params: { units: 10 } },
  ]);
  return [emptyProject('empty'), { ...emptyProject('chain'), graph: chain }, getPreset('lenet5')!, getPreset('basic-cnn')!, getPreset('resnet-cifar')!];
}

/** What the inspector stores for `text` typed into `field` (the same reading as its FieldEditor). */
function typedValue(kind: string, fieldIndex: number, text: string): { key: string; value: unknown } | undefined {
  const fields = fieldsOf(getLayerKind(kind)!.params);
  if (!fields.length) return undefined;
  const f = fields[fieldIndex % fields.length];
  const empty = text.trim() === '' && f.emptyAs ? (f.emptyAs === 'null' ? null : undefined) : undefined;
  switch (f.spec.type) {
    case 'boolean':
      return { key: f.key, value: text.length % 2 === 0 };
    case 'enum':
      return { key: f.key, value: f.spec.options.includes(text) || text.length > 2 ? text : f.spec.options[text.length % f.spec.options.length] };
    case 'number':
      return { key: f.key, value: empty !== undefined || (f.emptyAs && text.trim() === '') ? empty : readNumber(text) };
    case 'pair': {
      const a = readNumber(text);
      return { key: f.key, value: text.includes(',') ? text.split(',').slice(0, 2).map(readNumber) : a };
    }
    case 'numbers':
      return { key: f.key, value: readNumbers(text) };
    default:
      return { key: f.key, value: empty ?? text };
  }
}

export interface EditStats {
  sequences: number;
  steps: number;
  refused: number;
  separable: number;
}

const doc = () => useDocStore.getState();
const temporal = () => useDocStore.temporal.getState();

/** Applies one edit through the same store calls and actions the UI makes; returns whether the store refused it. */
function apply(e: Edit): boolean {
  const g = doc().project.graph;
  const node = (i: number) => (g.nodes.length ? g.nodes[i % g.nodes.length] : undefined);
  switch (e.t) {
    case 'add':
      doc().addNode(e.kind, { x: e.x, y: e.y });
      return false;
    case 'delete': {
      const nodes = g.nodes.length ? e.nodes.map((i) => node(i)!.id) : [];
      const edges = g.edges.length ? e.edges.map((i) => g.edges[i % g.edges.length].id) : [];
      useUiStore.getState().select(nodes, edges);
      deleteSelection();
      return false;
    }
    case 'connect': {
      const s = node(e.source);
      const t = node(e.target);
      if (!s || !t) return true;
      // The canvas drops a wire on the next free slot; a stale or chosen slot is tried too.
      const free = g.edges.filter((x) => x.target === t.id).length;
      const r = doc().connect(s.id, t.id, e.slot ?? free);
      if (!r.ok) invariant(r.reason.trim().length > 0, 'connect refused without a reason');
      return !r.ok;
    }
    case 'disconnect':
      if (!g.edges.length) return true;
      doc().removeElements([], [g.edges[e.edge % g.edges.length].id]);
      return false;
    case 'param': {
      const n = node(e.node);
      if (!n || !getLayerKind(n.kind)) return true;
      const v = typedValue(n.kind, e.field, e.text);
      if (!v) return true;
      doc().updateNodeParams(n.id, { [v.key]: v.value });
      return false;
    }
    case 'rename': {
      const n = node(e.node);
      if (!n) return true;
      const r = doc().renameNode(n.id, e.name);
      if (!r.ok) invariant(r.reason.trim().length > 0, 'rename refused without a reason');
      return !r.ok;
    }
    case 'copy':
      if (!g.nodes.length) return true;
      useUiStore.getState().select(e.nodes.map((i) => node(i)!.id));
      return !copySelection();
    case 'paste':
      paste();
      return false;
    case 'undo':
      undo();
      return false;
    case 'redo':
      redo();
      return false;
    case 'separable': {
      const convs = g.nodes.filter((n) => n.kind === 'Conv2D');
      if (!convs.length) return true;
      const c = convs[e.node % convs.length];
      let next;
      try {
        next = toSeparable(g, c.id, { batchNorm: e.batchNorm });
      } catch (err) {
        invariant(err instanceof Error && err.message.includes(c.name), () => `toSeparable threw without naming ${c.name}: ${String(err)}`);
        return true;
      }
      doc().setGraph(next);
      return false;
    }
    case 'drag': {
      const n = node(e.node);
      if (!n) return true;
      beginDrag();
      for (let i = 1; i <= e.steps; i++) doc().moveNodes({ [n.id]: { x: n.position.x + (e.dx * i) / e.steps, y: n.position.y + (e.dy * i) / e.steps } });
      endDrag();
      return false;
    }
  }
}

let lastChecked: ProjectFileV1 | undefined;

/** The invariants that hold after every step (see `checkInference` and `checkSaveLoad`); documents are immutable, so one checked is not checked again. */
export function checkDocument(where: string): void {
  const project = doc().project;
  if (project === lastChecked) return;
  let inf;
  try {
    inf = inferGraph(project.graph);
  } catch (err) {
    invariant(false, () => `${where}: inferGraph threw ${(err as Error)?.stack ?? String(err)}`);
  }
  checkInference(project, inf, where);
  deepStrictEqual(visible(inferenceFor(project.graph)), visible(inf), `${where}: the memoised inference differs from a fresh one`);
  checkSaveLoad(project, inf, where);
  lastChecked = project;
}

/** Replays `edits` from `start`, checking after every step, then undoes everything and expects `start` back. */
export function runEditSequence(start: ProjectFileV1, edits: readonly Edit[], stats: EditStats): void {
  doc().replaceProject(structuredClone(start), 'fuzz-edit');
  const initial = doc().project;
  checkDocument('start');
  edits.forEach((e, i) => {
    if (apply(e)) stats.refused += 1;
    if (e.t === 'separable') stats.separable += 1;
    stats.steps += 1;
    checkDocument(`step ${i} (${e.t})`);
  });
  let guard = 0;
  while (temporal().pastStates.length && guard++ < 1000) undo();
  deepStrictEqual(doc().project, initial, 'undoing the whole sequence did not restore the starting document');
  stats.sequences += 1;
}

/** Part A: `runs` random edit sequences (up to 40 steps each) on the document store. */
export function fuzzEdits({ seed, runs }: FuzzOptions, maxSteps = 40): EditStats {
  installMemoryStorage();
  const stats: EditStats = { sequences: 0, steps: 0, refused: 0, separable: 0 };
  const all = starts();
  fc.assert(
    fc.property(fc.nat({ max: all.length - 1 }), fc.array(editArb, { minLength: 1, maxLength: maxSteps, size: 'medium' }), (s, edits) => {
      runEditSequence(all[s], edits, stats);
    }),
    { seed, numRuns: runs, endOnFailure: false },
  );
  return stats;
}
