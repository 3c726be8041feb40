import { create } from 'zustand';
import { temporal } from 'zundo';
import { getLayerKind } from '../../nodes/index';
import {
  addInputPort,
  addOutputPort,
  addToBlock,
  connectInBlock,
  freeInputSlot,
  moveInBlock,
  portFeedProblem,
  portRangeProblem,
  removeFromBlock,
  removePort,
  splitInnerId,
  type PortSide,
} from '../graph/block-edit';
import { BLOCK_KIND, BLOCK_SEP, expandInstance, instanceBaseName, isInstance, makeBlock, recursionProblem, type BlockDef, type ExposeChoice } from '../graph/blocks';
import { defaultLayerName, uniqueName } from '../graph/build';
import { wouldCreateCycle } from '../graph/topo';
import { toSeparableInProject, type SeparableOptions } from '../graph/transform';
import type { Graph, GraphEdge, GraphNode, ProjectFileV1, Viewport, XY } from '../graph/types';
import { canvasInferenceFor, flatFor } from './blocks';
import { inferenceFor, layerListFor, structuralGraphFor, type LayerMeta } from './inference';

export type Outcome = { ok: true } | { ok: false; reason: string };

/** The document: the project being edited. Undo/redo (zundo) covers `project` only. */
export interface DocState {
  project: ProjectFileV1;
  /** Key of the project in browser storage; not part of the file and not undone. */
  projectId: string;
  /** The canvas viewport as last seen; saved with the project but never an undo step. */
  viewport: Viewport | undefined;

  /** Replaces the whole project (new, preset, import, share) and forgets undo history. */
  replaceProject(p: ProjectFileV1, projectId?: string): void;
  /** Replaces the graph as one undo step. */
  setGraph(g: Graph): void;
  setProjectName(name: string): void;
  /** Merges `patch` into a node's stored params (the values are kept as the user set them). */
  updateNodeParams(id: string, patch: Record<string, unknown>): void;
  /** Renames a layer; refused when the name is empty, malformed or taken. */
  renameNode(id: string, name: string): Outcome;
  /** Adds a layer of `kind` with default params and a unique Keras-style name; returns its id. */
  addNode(kind: string, position: XY): string;
  /** Moves nodes (no undo step while a drag is in progress: see `beginDrag`/`endDrag`). */
  moveNodes(positions: Record<string, XY>): void;
  /**
   * Removes nodes (with their edges) and edges, as one undo step. Ids of layers or wires inside an opened instance
   * (`instance/inner`, as the canvas draws them) are removed from that instance's block: every instance follows.
   * Refused as a whole, with the reason, when a block would lose its last layer or an output nothing feeds.
   */
  removeElements(nodeIds: readonly string[], edgeIds: readonly string[]): Outcome;
  /**
   * Connects source's output to input slot `targetIndex` of target, or says why not. Two layers inside the same
   * opened instance (`instance/a` → `instance/b`) are wired in the block's definition: every instance follows.
   */
  connect(source: string, target: string, targetIndex: number, sourceIndex?: number): Outcome;
  /**
   * Adds an unconnected layer of `kind` (or an instance of block `block`) inside the block of instance `instanceId`,
   * at `position` in the block's own coordinates; returns its id as the canvas draws it (`instance/new`).
   */
  addToBlock(instanceId: string, what: { kind: string } | { block: string }, position: XY): Outcome & { id?: string };
  /**
   * Moves layers inside the block of instance `instanceId` to `positions` (the block's own coordinates, by inner id):
   * every instance shows the new arrangement. The block's layout keeps its top-left corner at 0,0 and this instance
   * moves by as much as that corner did, so its other layers stay where they are on the canvas. Refused, changing
   * nothing, for ids the block does not have. No undo step of its own during a drag (see `beginDrag`/`endDrag`).
   */
  moveInBlock(instanceId: string, positions: Record<string, XY>): Outcome;
  /**
   * Adds an input port to the block of an opened instance, last, feeding the first free input of the inner layer (or
   * inner instance) drawn as `drawnId` (`instance/inner`). Every instance gets the port unconnected, and says so until
   * it is wired. One undo step; refused with the reason when that layer has no free input. Returns the port's name.
   */
  addBlockInput(drawnId: string): Outcome & { port?: string };
  /**
   * Adds an output port to the block of an opened instance, last, giving the output of the inner layer drawn as
   * `drawnId` (output `index` of an inner instance). One undo step; refused when it already is one of the block's outputs.
   */
  addBlockOutput(drawnId: string, index?: number): Outcome & { port?: string };
  /**
   * Removes input or output port `index` of block `blockId` and every wire to it, in the main graph and in other blocks;
   * wires to later ports follow their port. One undo step. Refused, changing nothing, for the block's only output or an
   * output that gives another block's. `wires` is how many wires went with it.
   */
  removeBlockPort(blockId: string, side: PortSide, index: number): Outcome & { wires?: number };
  /** Inserts copied nodes/edges with fresh ids and unique names; returns the new node ids. */
  insertFragment(fragment: Graph, offset: XY): string[];
  setViewport(vp: Viewport): void;

  /** Makes the selected layers a new block and puts one instance in their place (one undo step). */
  makeBlock(selected: readonly string[], name: string, expose: readonly ExposeChoice[]): Outcome & { instanceId?: string; blockId?: string };
  /** Places an instance of a block; `host` is the block being edited, if any (a block cannot contain itself). */
  addInstance(blockId: string, position: XY, host?: string): Outcome & { id?: string };
  /** Edits the params of a layer inside a block's definition: every instance follows. */
  updateBlockNodeParams(blockId: string, innerId: string, patch: Record<string, unknown>): void;
  /** Replaces an instance by its layers (names prefixed by the instance). */
  expandInstance(id: string): Outcome;
  /**
   * Replaces a Conv2D, named by its id in the flattened graph, by its depthwise-separable version (one undo step).
   * Inside a block (`instance/conv`) the block's definition is rewritten, so every instance changes and blocks stay.
   */
  makeSeparable(flatId: string, opts: SeparableOptions): Outcome;
}

const COALESCE_MS = 1000;
let lastParamEdit: { key: string; at: number; result?: ProjectFileV1 } = { key: '', at: 0 };

let counter = 0;
/** A short id unique within this page session and very unlikely to clash with stored ones. */
export function freshId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export function emptyProject(name = 'Untitled'): ProjectFileV1 {
  return { format: 'convas-project', version: 1, name, graph: { nodes: [], edges: [] } };
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

/** Why a layer name cannot be used, or undefined when it can. */
export function nameProblem(graph: Graph, id: string, name: string): string | undefined {
  if (!name.trim()) return 'a layer needs a name';
  if (!NAME_RE.test(name)) return 'use letters, digits, _ . - / and start with a letter or _';
  if (graph.nodes.some((n) => n.id !== id && n.name === name)) return `another layer is already named "${name}"`;
  return undefined;
}

/** Why an edge source → target (into slot `targetIndex`) would be refused, or undefined when it is fine. */
export function connectionProblem(graph: Graph, source: string, target: string, targetIndex: number): string | undefined {
  const s = graph.nodes.find((n) => n.id === source);
  const t = graph.nodes.find((n) => n.id === target);
  if (!s || !t) return 'one end of the connection no longer exists';
  if (source === target) return `${t.name} cannot feed itself`;
  const kind = getLayerKind(t.kind);
  if (kind && kind.inputs.max === 0) return `${t.name} is an Input and takes no inputs`;
  const into = graph.edges.filter((e) => e.target === target);
  if (into.some((e) => e.source === source && e.targetIndex === targetIndex)) return `${s.name} already feeds ${t.name}`;
  if (kind && kind.inputs.max === 1 && into.length >= 1) {
    const from = graph.nodes.find((n) => n.id === into[0].source)?.name ?? 'another layer';
    return `${t.name} takes a single input and is already fed by ${from}`;
  }
  if (into.some((e) => e.targetIndex === targetIndex)) return `input ${targetIndex + 1} of ${t.name} is already connected`;
  if (wouldCreateCycle(graph, source, target)) return `connecting ${s.name} → ${t.name} would create a cycle`;
  return undefined;
}

const mapGraph = (p: ProjectFileV1, f: (g: Graph) => Graph): ProjectFileV1 => ({ ...p, graph: f(p.graph) });

/**
 * The document store. `useDocStore.temporal` is zundo's store: `undo()`, `redo()`, `pause()`, `resume()`,
 * `pastStates`, `futureStates`. Only `project` is tracked, so panning or switching storage keys is never undone.
 *
 * @example
 * const graph = useDocStore((s) => s.project.graph);
 * useDocStore.getState().updateNodeParams(id, { filters: 16 });
 * useDocStore.temporal.getState().undo();
 */
export const useDocStore = create<DocState>()(
  temporal(
    (set, get) => ({
      project: emptyProject(),
      projectId: freshId('p'),
      viewport: undefined,

      replaceProject(p, projectId) {
        lastParamEdit = { key: '', at: 0 };
        useDocStore.temporal.getState().pause();
        set({ project: p, projectId: projectId ?? freshId('p'), viewport: p.viewport });
        useDocStore.temporal.getState().resume();
        useDocStore.temporal.getState().clear();
      },
      setGraph(g) {
        set((s) => ({ project: { ...s.project, graph: g } }));
      },
      setProjectName(name) {
        set((s) => ({ project: { ...s.project, name } }));
      },
      updateNodeParams(id, patch) {
        // Typing "120" is one edit, not three: successive changes of the same field within a second share an undo step.
        const key = `${id}:${Object.keys(patch).sort().join(',')}`;
        const now = Date.now();
        const t = useDocStore.temporal.getState();
        const coalesce =
          key === lastParamEdit.key &&
          now - lastParamEdit.at < COALESCE_MS &&
          get().project === lastParamEdit.result && // nothing else happened in between
          t.pastStates.length > 0 &&
          t.futureStates.length === 0;
        if (coalesce) t.pause();
        set((s) => ({
          project: mapGraph(s.project, (g) => ({
            ...g,
            nodes: g.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, ...patch } } : n)),
          })),
        }));
        if (coalesce) t.resume();
        lastParamEdit = { key, at: now, result: get().project };
      },
      renameNode(id, name) {
        const g = get().project.graph;
        const problem = nameProblem(g, id, name);
        if (problem) return { ok: false, reason: problem };
        if (g.nodes.find((n) => n.id === id)?.name === name) return { ok: true };
        set((s) => ({
          project: mapGraph(s.project, (gr) => ({ ...gr, nodes: gr.nodes.map((n) => (n.id === id ? { ...n, name } : n)) })),
        }));
        return { ok: true };
      },
      addNode(kind, position) {
        const id = freshId('n');
        set((s) => {
          const taken = new Set(s.project.graph.nodes.map((n) => n.name));
          const node: GraphNode = { id, kind, name: uniqueName(defaultLayerName(kind), taken), params: {}, position };
          return { project: mapGraph(s.project, (g) => ({ ...g, nodes: [...g.nodes, node] })) };
        });
        return id;
      },
      moveNodes(positions) {
        set((s) => ({
          project: mapGraph(s.project, (g) => ({
            ...g,
            nodes: g.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)),
          })),
        }));
      },
      removeElements(nodeIds, edgeIds) {
        if (!nodeIds.length && !edgeIds.length) return { ok: true };
        const p = get().project;
        // An id of the main graph is the main graph's even if a file gave it a separator.
        const isNode = (id: string) => !id.includes(BLOCK_SEP) || p.graph.nodes.some((n) => n.id === id);
        const isEdge = (id: string) => !id.includes(BLOCK_SEP) || p.graph.edges.some((e) => e.id === id);
        const dropN = new Set(nodeIds.filter(isNode));
        const dropE = new Set(edgeIds.filter(isEdge));
        // Inside opened instances: what to remove from each block (instances removed as a whole need nothing).
        const inner = new Map<string, { nodes: string[]; edges: string[] }>();
        const collect = (ids: readonly string[], into: 'nodes' | 'edges') => {
          for (const id of ids) {
            const at = splitInnerId(id);
            if (!at || dropN.has(at.instance)) continue;
            const def = defOfInstance(p, at.instance);
            if (!def) continue;
            const entry = inner.get(def.id) ?? { nodes: [], edges: [] };
            entry[into].push(at.inner);
            inner.set(def.id, entry);
          }
        };
        collect(nodeIds.filter((id) => !isNode(id)), 'nodes');
        collect(edgeIds.filter((id) => !isEdge(id)), 'edges');
        let blocks = p.blocks;
        for (const [defId, what] of inner) {
          const def = blocks!.find((b) => b.id === defId)!;
          const r = removeFromBlock(def, what.nodes, what.edges);
          if ('error' in r) return { ok: false, reason: r.error };
          if (r !== def) blocks = blocks!.map((b) => (b.id === defId ? r : b));
        }
        const graph = dropN.size || dropE.size
          ? {
              nodes: p.graph.nodes.filter((n) => !dropN.has(n.id)),
              edges: p.graph.edges.filter((e) => !dropE.has(e.id) && !dropN.has(e.source) && !dropN.has(e.target)),
            }
          : p.graph;
        if (graph !== p.graph || blocks !== p.blocks) set({ project: { ...p, graph, blocks } });
        return { ok: true };
      },
      connect(source, target, targetIndex, sourceIndex) {
        const g = get().project.graph;
        const inMain = (id: string) => !id.includes(BLOCK_SEP) || g.nodes.some((n) => n.id === id);
        if (!inMain(source) || !inMain(target)) return connectInside(source, target, targetIndex, sourceIndex);
        const p = get().project;
        const problem = connectionProblem(p.graph, source, target, targetIndex) ?? portRangeProblem(p.graph, p.blocks ?? [], source, sourceIndex ?? 0, target, targetIndex);
        if (problem) return { ok: false, reason: problem };
        const edge: GraphEdge = { id: freshId('e'), source, target, targetIndex, ...(sourceIndex ? { sourceIndex } : {}) };
        set((s) => ({ project: mapGraph(s.project, (g) => ({ ...g, edges: [...g.edges, edge] })) }));
        return { ok: true };
      },
      insertFragment(fragment, offset) {
        const ids = new Map<string, string>();
        const taken = new Set(get().project.graph.nodes.map((n) => n.name));
        const nodes = fragment.nodes.map((n) => {
          const id = freshId('n');
          ids.set(n.id, id);
          const name = uniqueName(n.name.replace(/_\d+$/, ''), taken);
          taken.add(name);
          return { ...n, id, name, params: structuredClone(n.params), position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
        });
        const edges = fragment.edges
          .filter((e) => ids.has(e.source) && ids.has(e.target))
          .map((e) => ({ ...e, id: freshId('e'), source: ids.get(e.source)!, target: ids.get(e.target)! }));
        set((s) => ({ project: mapGraph(s.project, (g) => ({ nodes: [...g.nodes, ...nodes], edges: [...g.edges, ...edges] })) }));
        return nodes.map((n) => n.id);
      },
      setViewport(vp) {
        set({ viewport: vp });
      },
      makeBlock(selected, name, expose) {
        const p = get().project;
        const r = makeBlock(p.graph, p.blocks ?? [], selected, name, expose, freshId);
        if ('error' in r) return { ok: false, reason: r.error };
        // A project with blocks is written as file version 2 (see fileVersionOf); say so in memory too.
        set({ project: { ...p, version: 2, graph: r.graph, blocks: [...(p.blocks ?? []), r.block] } });
        return { ok: true, instanceId: r.instanceId, blockId: r.block.id };
      },
      addInstance(blockId, position, host) {
        const p = get().project;
        const def = p.blocks?.find((b) => b.id === blockId);
        if (!def) return { ok: false, reason: 'that block no longer exists' };
        const problem = recursionProblem(p.blocks ?? [], host, blockId);
        if (problem) return { ok: false, reason: problem };
        const id = freshId('n');
        const taken = new Set(p.graph.nodes.map((n) => n.name));
        const node: GraphNode = {
          id,
          kind: BLOCK_KIND,
          block: blockId,
          name: uniqueName(instanceBaseName(def.name), taken),
          params: Object.fromEntries(def.params.map((q) => [q.name, q.default])),
          position,
        };
        set({ project: mapGraph(p, (g) => ({ ...g, nodes: [...g.nodes, node] })) });
        return { ok: true, id };
      },
      updateBlockNodeParams(blockId, innerId, patch) {
        const key = `${blockId}/${innerId}:${Object.keys(patch).sort().join(',')}`;
        const now = Date.now();
        const t = useDocStore.temporal.getState();
        const coalesce = key === lastParamEdit.key && now - lastParamEdit.at < COALESCE_MS && get().project === lastParamEdit.result && t.pastStates.length > 0 && t.futureStates.length === 0;
        if (coalesce) t.pause();
        set((s) => ({
          project: {
            ...s.project,
            blocks: (s.project.blocks ?? []).map((b) =>
              b.id !== blockId
                ? b
                : { ...b, graph: { ...b.graph, nodes: b.graph.nodes.map((n) => (n.id === innerId ? { ...n, params: { ...n.params, ...patch } } : n)) } },
            ),
          },
        }));
        if (coalesce) t.resume();
        lastParamEdit = { key, at: now, result: get().project };
      },
      expandInstance(id) {
        const p = get().project;
        const r = expandInstance(p.graph, p.blocks ?? [], id, freshId);
        if ('error' in r) return { ok: false, reason: r.error };
        set({ project: { ...p, graph: r } });
        return { ok: true };
      },
      addToBlock(instanceId, what, position) {
        const p = get().project;
        const def = defOfInstance(p, instanceId);
        if (!def) return { ok: false, reason: 'that block instance no longer exists' };
        let addition: { kind: string } | { block: BlockDef };
        if ('block' in what) {
          const placed = p.blocks?.find((b) => b.id === what.block);
          if (!placed) return { ok: false, reason: 'that block no longer exists' };
          const problem = recursionProblem(p.blocks ?? [], def.id, placed.id);
          if (problem) return { ok: false, reason: problem };
          addition = { block: placed };
        } else addition = what;
        const r = addToBlock(def, addition, freshId('n'), position);
        if ('error' in r) return { ok: false, reason: r.error };
        set({ project: withBlock(p, r.def) });
        return { ok: true, id: `${instanceId}${BLOCK_SEP}${r.node.id}` };
      },
      moveInBlock(instanceId, positions) {
        const p = get().project;
        const def = defOfInstance(p, instanceId);
        if (!def) return { ok: false, reason: 'that block instance no longer exists' };
        const r = moveInBlock(def, positions);
        if ('error' in r) return { ok: false, reason: r.error };
        if (r.def === def) return { ok: true };
        const { x, y } = r.frameShift;
        const graph = x || y
          ? { ...p.graph, nodes: p.graph.nodes.map((n) => (n.id === instanceId ? { ...n, position: { x: n.position.x + x, y: n.position.y + y } } : n)) }
          : p.graph;
        set({ project: { ...withBlock(p, r.def), graph } });
        return { ok: true };
      },
      addBlockInput(drawnId) {
        const p = get().project;
        const at = innerLayer(p, drawnId);
        if ('error' in at) return { ok: false, reason: at.error };
        const slot = freeInputSlot(at.def, p.blocks!, at.inner);
        if ('error' in slot) return { ok: false, reason: slot.error };
        const r = addInputPort(at.def, p.blocks!, { node: at.inner, index: slot.slot });
        if ('error' in r) return { ok: false, reason: r.error };
        set({ project: withBlock(p, r.def) });
        return { ok: true, port: r.port.name };
      },
      addBlockOutput(drawnId, index) {
        const p = get().project;
        const at = innerLayer(p, drawnId);
        if ('error' in at) return { ok: false, reason: at.error };
        const r = addOutputPort(at.def, p.blocks!, { node: at.inner, index });
        if ('error' in r) return { ok: false, reason: r.error };
        set({ project: withBlock(p, r.def) });
        return { ok: true, port: r.port.name };
      },
      removeBlockPort(blockId, side, index) {
        const p = get().project;
        const r = removePort(p.graph, p.blocks ?? [], blockId, side, index);
        if ('error' in r) return { ok: false, reason: r.error };
        set({ project: { ...p, graph: r.graph, blocks: r.blocks } });
        return { ok: true, wires: r.wires };
      },
      makeSeparable(flatId, opts) {
        try {
          set({ project: toSeparableInProject(get().project, flatId, opts) });
          return { ok: true };
        } catch (e) {
          return { ok: false, reason: (e as Error).message };
        }
      },
    }),
    {
      partialize: (s) => ({ project: s.project }),
      equality: (a, b) => a.project === b.project,
      limit: 200,
    },
  ),
);

function defOfInstance(p: ProjectFileV1, instanceId: string): BlockDef | undefined {
  const inst = p.graph.nodes.find((n) => n.id === instanceId);
  return inst && isInstance(inst) && inst.block !== undefined ? p.blocks?.find((b) => b.id === inst.block) : undefined;
}

/** The project with block `def` (by id) replaced by this version of it. */
function withBlock(p: ProjectFileV1, def: BlockDef): ProjectFileV1 {
  return { ...p, blocks: p.blocks!.map((b) => (b.id === def.id ? def : b)) };
}

/** The block and inner id of a layer drawn inside an opened instance (`instance/inner`), or why it is not one. */
function innerLayer(p: ProjectFileV1, drawnId: string): { instanceId: string; def: BlockDef; inner: string } | { error: string } {
  const at = p.graph.nodes.some((n) => n.id === drawnId) ? undefined : splitInnerId(drawnId);
  if (!at) return { error: 'ports belong to a block: pick a layer inside an opened block instance' };
  if (at.inner.includes(BLOCK_SEP)) return { error: 'that layer sits in a block inside the block: open that block on its own to change its ports' };
  const def = defOfInstance(p, at.instance);
  if (!def) return { error: 'that block instance no longer exists' };
  if (!def.graph.nodes.some((n) => n.id === at.inner)) return { error: `“${def.name}” no longer has that layer` };
  return { instanceId: at.instance, def, inner: at.inner };
}

/** A wire between two layers inside the same opened instance, made in the block's definition. */
function connectInside(source: string, target: string, targetIndex: number, sourceIndex: number | undefined): Outcome {
  const p = useDocStore.getState().project;
  const inner = (id: string) => (p.graph.nodes.some((n) => n.id === id) ? undefined : splitInnerId(id));
  const a = inner(source);
  const b = inner(target);
  if (!a || !b) {
    return { ok: false, reason: "a wire inside a block joins two of its layers; to feed the block or use its output, connect to the block's box" };
  }
  if (a.instance !== b.instance) return { ok: false, reason: 'those layers are in different block instances; a wire inside a block stays inside one block' };
  if (a.inner.includes(BLOCK_SEP) || b.inner.includes(BLOCK_SEP)) return { ok: false, reason: 'that layer sits in a block inside the block: open that block on its own to rewire it' };
  const def = defOfInstance(p, a.instance);
  if (!def) return { ok: false, reason: 'that block instance no longer exists' };
  const problem =
    portFeedProblem(def, b.inner, targetIndex) ??
    connectionProblem(def.graph, a.inner, b.inner, targetIndex) ??
    portRangeProblem(def.graph, p.blocks!, a.inner, sourceIndex ?? 0, b.inner, targetIndex);
  if (problem) return { ok: false, reason: problem };
  const edge: GraphEdge = { id: freshId('e'), source: a.inner, target: b.inner, targetIndex, ...(sourceIndex ? { sourceIndex } : {}) };
  const next = connectInBlock(def, edge);
  useDocStore.setState({ project: withBlock(p, next) });
  return { ok: true };
}

let dragStart: ProjectFileV1 | null = null;

/** Starts a drag: positions change freely until `endDrag`, which records the whole drag as one undo step. */
export function beginDrag(): void {
  if (dragStart) return;
  dragStart = useDocStore.getState().project;
  useDocStore.temporal.getState().pause();
}

export function endDrag(): void {
  if (!dragStart) return;
  const before = dragStart;
  dragStart = null;
  const after = useDocStore.getState().project;
  useDocStore.setState({ project: before });
  useDocStore.temporal.getState().resume();
  if (after !== before) useDocStore.setState({ project: after });
}

/**
 * Shapes, counts and errors of the current graph, derived and never stored.
 * Recomputed only when something other than positions changed; per-node results keep their identity when unchanged,
 * so memoised node components re-render only where something moved.
 */
export function useInference() {
  // The selector returns the memoised result, so moving nodes does not re-render the views that read it.
  return useDocStore((s) => inferenceFor(flatFor(s.project).graph));
}

/** The inference plus one summed entry per block instance, keyed by the instance's id: what the canvas draws. */
export function useCanvasInference() {
  return useDocStore((s) => {
    const flat = flatFor(s.project);
    return canvasInferenceFor(s.project.graph, flat, inferenceFor(flat.graph));
  });
}

/**
 * The layers as lists show them (id, name, kind), in document order; the same array while only positions change.
 */
export function useLayerList(): readonly LayerMeta[] {
  return useDocStore((s) => layerListFor(flatFor(s.project).graph));
}

/** A problem of a top-level block instance (an input port nothing feeds…), with the instance's name. */
export interface InstanceProblemMeta {
  nodeId: string;
  name: string;
  message: string;
}

let lastProblemsIn: unknown = null;
let lastProblemsOut: readonly InstanceProblemMeta[] = [];

/**
 * The problems found while expanding blocks, on the top-level instances the user sees (nested instances' problems are
 * also listed under their top-level one); the same array while they do not change.
 */
export function useInstanceProblems(): readonly InstanceProblemMeta[] {
  return useDocStore((s) => {
    const flat = flatFor(s.project);
    if (flat.problems === lastProblemsIn) return lastProblemsOut;
    lastProblemsIn = flat.problems;
    const names = new Map(s.project.graph.nodes.map((n) => [n.id, n.name]));
    lastProblemsOut = flat.problems.filter((p) => names.has(p.nodeId)).map((p) => ({ ...p, name: names.get(p.nodeId)! }));
    return lastProblemsOut;
  });
}

/** The graph for views that ignore positions: the same object while only positions change. */
export function useStructuralGraph(): Graph {
  return useDocStore((s) => structuralGraphFor(flatFor(s.project).graph));
}
