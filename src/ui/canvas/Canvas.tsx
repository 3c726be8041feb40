import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type Edge,
  type EdgeChange,
  type EdgeTypes,
  type NodeChange,
  type NodeTypes,
  type Viewport as FlowViewport,
} from '@xyflow/react';
import { getLayerKind, layerKinds } from '../../../nodes/index';
import { BLOCK_SEP, boundNodes, instanceValues, isInstance, type BlockDef } from '../../graph/blocks';
import { NODE_SIZE } from '../../graph/layout';
import type { GraphEdge, GraphInference, GraphNode, XY } from '../../graph/types';
import { beginDrag, endDrag, useCanvasInference, useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { fmtShapeX } from '../format';
import { CanvasContextMenu, openContextMenuAt, useLongPress } from './ContextMenu';
import { framesOnScreen, type Frame } from './on-screen';
import { dropSpot } from './placement';
import { DotGrid } from './DotGrid';
import { dropIntoOpenedBlock, moveInOpenedBlocks } from './block-drop';
import { useBlockView } from './block-view';
import { groupSize, inFrame, openedShifts } from './opened-layout';
import { BlockNode, type BlockData, type BlockFlowNode } from './BlockNode';
import { LayerNode, type LayerData, type LayerFlowNode } from './LayerNode';
import { MakeBlockBar } from './MakeBlock';
import { ShapeEdge } from './ShapeEdge';
import './canvas.css';

/** Built once from the registry (React Flow warns when nodeTypes changes between renders). */
const nodeTypes: NodeTypes = Object.fromEntries([...layerKinds.map((k) => [k.kind, LayerNode]), ['unknown', LayerNode], ['block', BlockNode]]);

const edgeTypes: EdgeTypes = { shape: ShapeEdge };

/** MIME type the palette puts on a drag so the canvas knows which kind to add. */
export const KIND_MIME = 'application/x-convas-kind';
/** MIME type of a block dragged from the palette's Blocks section (the value is the block's id). */
export const BLOCK_MIME = 'application/x-convas-block';

type FlowNode = LayerFlowNode | BlockFlowNode;

/** The class of boxes being dragged, and of the layers inside a dragged frame. */
const MOVING = 'is-moving';

/** Above this many boxes, only what is on screen is rendered (ResNet-50 opened has ~190). */
const LARGE_GRAPH = 120;

type Measured = { width: number; height: number };

interface CacheEntry {
  node: GraphNode;
  data: LayerData;
  selected: boolean;
  measured: Measured | undefined;
  flow: LayerFlowNode;
}

interface BlockCacheEntry {
  node: GraphNode;
  data: BlockData;
  selected: boolean;
  measured: Measured | undefined;
  flow: BlockFlowNode;
}

/** Children of opened instances: the same display node while the inner layer, its bound params and the instance's name stay. */
const childCache = new Map<string, { inner: GraphNode; instName: string; x0: number; y0: number; display: GraphNode }>();

/**
 * The same layer: `boundNodes` returns a new object for every layer with a bound param on each call (only its params
 * object is kept), so identity alone would redraw every child of every opened instance on every drag frame.
 */
function sameLayer(a: GraphNode, b: GraphNode): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as Array<keyof GraphNode>;
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function childNode(inst: GraphNode, inner: GraphNode, x0: number, y0: number): GraphNode {
  const id = `${inst.id}/${inner.id}`;
  const old = childCache.get(id);
  if (old && sameLayer(old.inner, inner) && old.instName === inst.name && old.x0 === x0 && old.y0 === y0) return old.display;
  const display = { ...inner, id, name: `${inst.name}/${inner.name}`, position: inFrame(inner.position, x0, y0) };
  childCache.set(id, { inner, instName: inst.name, x0, y0, display });
  return display;
}

function slotsFor(node: GraphNode, maxIndex: number): number {
  const kind = getLayerKind(node.kind);
  if (!kind) return 1;
  if (kind.inputs.max === 0) return 0;
  if (kind.inputs.max === 1) return 1;
  return Math.min(kind.inputs.max, Math.max(kind.inputs.min, maxIndex + 2));
}

/** How far each layer is drawn from its stored position so that opened instances push what follows out of their way. */
let displayShift = new Map<string, XY>();
/**
 * Set while a node is dragged: the shifts stay as they were when the drag began. Recomputed on every move, a dragged
 * opened instance passing another's row flips which layers it pushes, its own stored position (display minus shift)
 * flips back on the next move, and dozens of boxes jump, mount and unmount on every frame.
 */
let shiftsFrozen = false;

/**
 * Where dragged layers inside opened instances are drawn (relative to their frames, by drawn id) until the drop
 * writes them into their blocks: rewriting a definition on every move would flatten and infer the project again on
 * every frame. Meanwhile the frames keep their size and do not hold the layers in (no `extent: 'parent'`, which
 * would stop a layer at the frame's edge, so a frame could never grow): on the drop the frame fits its layers again,
 * on every side, and the instance moves by as much as its corner did so that nothing else shifts on screen.
 */
const innerDrag = new Map<string, XY>();

/**
 * Where dragged top-level boxes are drawn (canvas coordinates, display shifts included) until the drop writes them to
 * the document in one go, for the same reason: a store update per mouse move re-ran every subscriber of the document
 * (totals, lists, the flat graph's memo) on every frame of a drag.
 */
const topDrag = new Map<string, XY>();


/** How far past each edge of the screen, in screen sizes, an opened instance still counts as on screen. */
const ON_SCREEN_MARGIN = 0.5;

/**
 * Below this zoom labels are unreadable (they are hidden) and a layer's handles are a pixel or two wide: too small to
 * work in. There, on a large graph, opened instances draw a sketch of their layers and hand none to React Flow.
 */
const FAR_ZOOM = 0.3;

/**
 * On a large graph, the opened instances whose frames are on screen or near it (by id), none when zoomed out past
 * FAR_ZOOM; undefined when every instance is drawn in full. Only those hand their layers and inner wires to React
 * Flow: the others are their frames alone, with a sketch of their layers inside.
 * React Flow keeps every node it is given in its store and goes over all of them on every mouse move of a drag
 * (positions, visibility, the minimap), so ResNet-50 with its 16 instances opened cost a drag frame about 1.5 times
 * what the same graph collapsed does, with fewer boxes on screen. The set changes only when an instance comes near
 * the screen or leaves it, and only then does the canvas re-render for it.
 */
function useOnScreenInstances(): { onScreen: ReadonlySet<string> | undefined; large: boolean } {
  const graph = useDocStore((s) => s.project.graph);
  const blocks = useDocStore((s) => s.project.blocks);
  const expanded = useBlockView((s) => s.expanded);
  const direction = useUiStore((s) => s.direction);
  const { frames, large } = useMemo(() => {
    const defs = new Map((blocks ?? []).map((b) => [b.id, b]));
    const shifts = expanded.size ? openedShifts(graph.nodes, defs, expanded, direction) : new Map<string, XY>();
    const frames: Frame[] = [];
    // The boxes drawn with every instance in full: each opened instance adds its layers to its frame.
    let boxes = graph.nodes.length;
    for (const n of graph.nodes) {
      const def = expanded.has(n.id) && isInstance(n) && n.block !== undefined ? defs.get(n.block) : undefined;
      if (!def) continue;
      boxes += def.graph.nodes.length;
      const d = shifts.get(n.id) ?? { x: 0, y: 0 };
      const { width, height } = groupSize(def);
      frames.push({ id: n.id, x: n.position.x + d.x, y: n.position.y + d.y, width, height });
    }
    const large = boxes > LARGE_GRAPH;
    return { frames: large ? frames : [], large };
  }, [graph, blocks, expanded, direction]);
  const key = useStore(
    useCallback(
      (s: { transform: [number, number, number]; width: number; height: number }) =>
        frames.length && s.transform[2] >= FAR_ZOOM ? framesOnScreen(frames, s.transform, s.width, s.height, ON_SCREEN_MARGIN).join('\n') : '',
      [frames],
    ),
  );
  const onScreen = useMemo(() => (large ? new Set(key ? key.split('\n') : []) : undefined), [large, key]);
  return { onScreen, large };
}

/** Builds React Flow nodes, reusing the previous object for every node whose inputs did not change. */
function useFlowNodes(inference: GraphInference, measured: Map<string, Measured>, firstMeasures: number, dragsEnded: number, onScreen: ReadonlySet<string> | undefined): FlowNode[] {
  const graph = useDocStore((s) => s.project.graph);
  const blocks = useDocStore((s) => s.project.blocks);
  const expanded = useBlockView((s) => s.expanded);
  const selectedNodes = useUiStore((s) => s.selectedNodes);
  const direction = useUiStore((s) => s.direction);
  const cache = useRef(new Map<string, CacheEntry | BlockCacheEntry>());
  return useMemo(() => {
    const selected = new Set(selectedNodes);
    const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
    const defs = new Map((blocks ?? []).map((b) => [b.id, b]));
    const maxIndex = new Map<string, number>();
    for (const e of graph.edges) maxIndex.set(e.target, Math.max(maxIndex.get(e.target) ?? -1, e.targetIndex));
    const next = new Map<string, CacheEntry | BlockCacheEntry>();
    const out: FlowNode[] = [];
    if (!shiftsFrozen) displayShift = openedShifts(graph.nodes, defs, expanded, direction);
    const at = (node: GraphNode, parent?: string) => {
      if (parent) return innerDrag.get(node.id) ?? node.position;
      const dragged = topDrag.get(node.id);
      if (dragged) return dragged;
      const d = displayShift.get(node.id);
      return d ? { x: node.position.x + d.x, y: node.position.y + d.y } : node.position;
    };
    const samePos = (a: { x: number; y: number }, b: { x: number; y: number }) => a.x === b.x && a.y === b.y;
    const layer = (node: GraphNode, parent?: string) => {
      const inf = inference.nodes[node.id];
      const slots = slotsFor(node, maxIndex.get(node.id) ?? -1);
      const blockedByNames = inf?.blockedBy?.map((id) => names.get(id) ?? id).join(', ');
      const isSel = selected.has(node.id);
      const m = measured.get(node.id);
      const old = cache.current.get(node.id) as CacheEntry | undefined;
      if (
        old &&
        old.node === node &&
        old.data.inf === inf &&
        old.data.slots === slots &&
        old.data.direction === direction &&
        old.data.blockedByNames === blockedByNames &&
        old.selected === isSel &&
        old.measured === m &&
        samePos(old.flow.position, at(node, parent))
      ) {
        next.set(node.id, old);
        out.push(old.flow);
        return;
      }
      const data: LayerData =
        old && old.node === node && old.data.inf === inf && old.data.slots === slots && old.data.direction === direction && old.data.blockedByNames === blockedByNames
          ? old.data
          : { node, inf, slots, direction, blockedByNames, ...(parent ? { label: node.name.slice(node.name.lastIndexOf('/') + 1) } : {}) };
      const flow: LayerFlowNode = {
        id: node.id,
        type: getLayerKind(node.kind) ? node.kind : 'unknown',
        position: at(node, parent),
        data,
        selected: isSel,
        measured: m,
        ...(parent ? { parentId: parent, zIndex: 11 } : {}),
      };
      next.set(node.id, { node, data, selected: isSel, measured: m, flow });
      out.push(flow);
    };
    const block = (node: GraphNode, parent?: string) => {
      const def = node.block === undefined ? undefined : defs.get(node.block);
      const open = !parent && !!def && expanded.has(node.id);
      const inf = inference.nodes[node.id];
      const isSel = selected.has(node.id);
      const size = open && def ? groupSize(def) : undefined;
      // An opened frame is as large as its style says. Handing React Flow the size the box had collapsed (all it may
      // have measured of a frame that opened off screen) would stick: a frame whose node changes when it is first
      // drawn opened (its sketch, when zoomed far out) keeps that stale size for the minimap and for fitting.
      let m = measured.get(node.id);
      if (size && (m?.width !== size.width || m?.height !== size.height)) measured.set(node.id, (m = { width: size.width, height: size.height }));
      const sketch = open && !!onScreen && !onScreen.has(node.id);
      const old = cache.current.get(node.id) as BlockCacheEntry | undefined;
      let entry: BlockCacheEntry;
      if (old && old.node === node && old.data.inf === inf && old.data.def === def && old.data.expanded === open && old.data.sketch === sketch && old.data.direction === direction && old.selected === isSel && old.measured === m && samePos(old.flow.position, at(node, parent))) {
        entry = old;
      } else {
        const data: BlockData = { node, def, inf, direction, expanded: open, sketch, nested: !!parent };
        const flow: BlockFlowNode = {
          id: node.id,
          type: 'block',
          position: at(node, parent),
          data,
          selected: isSel,
          measured: m,
          ...(size ? { style: { width: size.width, height: size.height }, zIndex: 10 } : {}),
          ...(parent ? { parentId: parent, zIndex: 11 } : {}),
        };
        entry = { node, data, selected: isSel, measured: m, flow };
      }
      next.set(node.id, entry);
      out.push(entry.flow);
      if (!open || !def || sketch) return;
      const { x0, y0 } = groupSize(def);
      // Inner merges get their handles from the block's own wires and ports.
      for (const e of def.graph.edges) maxIndex.set(`${node.id}/${e.target}`, Math.max(maxIndex.get(`${node.id}/${e.target}`) ?? -1, e.targetIndex));
      for (const t of def.inputs.flatMap((port) => port.targets)) maxIndex.set(`${node.id}/${t.node}`, Math.max(maxIndex.get(`${node.id}/${t.node}`) ?? -1, t.index));
      for (const inner of boundNodes(def, instanceValues(def, node))) {
        const child = childNode(node, inner, x0, y0);
        if (isInstance(inner)) block(child, node.id);
        else layer(child, node.id);
      }
    };
    for (const node of graph.nodes) {
      if (isInstance(node)) block(node);
      else layer(node);
    }
    cache.current = next;
    return out;
    // dragsEnded: after a drag the shifts are computed again even though the graph is the one of the last move.
  }, [graph, blocks, expanded, inference, selectedNodes, direction, measured, firstMeasures, dragsEnded, onScreen]);
}

type EdgeEntry = { edge: GraphEdge; label: string | undefined; selected: boolean; flow: Edge };

function useFlowEdges(inference: GraphInference, onScreen: ReadonlySet<string> | undefined): Edge[] {
  const edges = useDocStore((s) => s.project.graph.edges);
  const nodes = useDocStore((s) => s.project.graph.nodes);
  const blocks = useDocStore((s) => s.project.blocks);
  const expanded = useBlockView((s) => s.expanded);
  const selectedEdges = useUiStore((s) => s.selectedEdges);
  const cache = useRef(new Map<string, EdgeEntry>());
  const lastOut = useRef<Edge[]>([]);
  // The wires inside opened instances: the block's edges between the instance's children (the same objects while unchanged).
  const innerEdges = useMemo(() => {
    if (!expanded.size) return [] as GraphEdge[];
    const defs = new Map((blocks ?? []).map((b) => [b.id, b]));
    const out: GraphEdge[] = [];
    for (const n of nodes) {
      if (!expanded.has(n.id) || !isInstance(n) || (onScreen && !onScreen.has(n.id))) continue;
      const def = n.block === undefined ? undefined : defs.get(n.block);
      for (const e of def?.graph.edges ?? []) out.push({ ...e, id: `${n.id}/${e.id}`, source: `${n.id}/${e.source}`, target: `${n.id}/${e.target}` });
    }
    return out;
  }, [nodes, blocks, expanded, onScreen]);
  return useMemo(() => {
    const sel = new Set(selectedEdges);
    const next = new Map<string, EdgeEntry>();
    const flowOf = (e: GraphEdge, inner: boolean): Edge => {
      const shape = inference.nodes[e.source]?.outputShape;
      const label = shape ? fmtShapeX(shape) : undefined;
      const selected = sel.has(e.id);
      const old = cache.current.get(e.id);
      // Unchanged edges keep their object so React Flow does not re-render (and re-measure the label of) every edge.
      if (old && (old.edge === e || (inner && old.edge.source === e.source && old.edge.target === e.target && old.edge.targetIndex === e.targetIndex)) && old.label === label && old.selected === selected) {
        next.set(e.id, old);
        return old.flow;
      }
      const flow: Edge = {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceIndex ? `out-${e.sourceIndex}` : 'out',
        targetHandle: `in-${e.targetIndex}`,
        // Set on each edge rather than through defaultEdgeOptions: React Flow merges those into every edge on every
        // render of every edge, and a new options object re-renders them all.
        type: 'shape',
        label,
        selected,
        className: shape ? 'edge-ok' : 'edge-unknown',
      };
      next.set(e.id, { edge: e, label, selected, flow });
      return flow;
    };
    const out = edges.map((e) => flowOf(e, false));
    for (const e of innerEdges) out.push(flowOf(e, true));
    cache.current = next;
    // Every wire unchanged (a drag moves nodes, not wires): the same array, so React Flow does not rebuild its
    // connection lookup and re-render every edge on each frame.
    const prev = lastOut.current;
    if (prev.length === out.length && out.every((f, i) => f === prev[i])) return prev;
    lastOut.current = out;
    return out;
  }, [edges, innerEdges, inference, selectedEdges]);
}

/** Below this zoom, layer cards cannot be read. */
const READABLE_ZOOM = 0.45;

/**
 * The viewport to open a graph with: undefined when fitting the whole graph stays readable (let React Flow fit it),
 * otherwise the top of the graph, centred, at a readable zoom — a tall ResNet fitted whole is a thin line.
 */
export function openingViewport(nodes: readonly GraphNode[], width: number, height: number): { x: number; y: number; zoom: number } | undefined {
  if (!nodes.length || width <= 0 || height <= 0) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + NODE_SIZE.width);
    y1 = Math.max(y1, n.position.y + NODE_SIZE.height);
  }
  const fit = Math.min(width / ((x1 - x0) * 1.3), height / ((y1 - y0) * 1.3));
  if (fit >= READABLE_ZOOM) return undefined;
  const zoom = Math.max(READABLE_ZOOM, Math.min(0.8, width / ((x1 - x0) * 1.1)));
  const wide = (x1 - x0) * zoom > width;
  const left = wide ? x0 : (x0 + x1) / 2;
  return { x: wide ? 24 - left * zoom : width / 2 - left * zoom, y: 24 - y0 * zoom, zoom };
}

/**
 * Where a layer of an opened instance sits in its frame (as `useFlowNodes` draws it), for a layer the canvas has not
 * handed to React Flow; undefined when the instance is not opened or the layer is not directly inside it.
 */
function innerLayerOffset(instanceId: string, layerId: string): XY | undefined {
  if (!useBlockView.getState().expanded.has(instanceId)) return undefined;
  const { project } = useDocStore.getState();
  const inst = project.graph.nodes.find((n) => n.id === instanceId);
  const def = inst?.block === undefined ? undefined : project.blocks?.find((b) => b.id === inst.block);
  const inner = def?.graph.nodes.find((n) => `${instanceId}${BLOCK_SEP}${n.id}` === layerId);
  if (!def || !inner) return undefined;
  const { x0, y0 } = groupSize(def);
  return inFrame(inner.position, x0, y0);
}

/** Carries out one-shot view requests (fit, centre on a node, set viewport) from outside the canvas. */
function ViewRequests() {
  const flow = useReactFlow();
  const req = useUiStore((s) => s.viewRequest);
  const measured = useNodesInitialized();
  const done = useRef(0);
  useEffect(() => {
    if (!req || done.current === req.seq) return;
    const fitting = req.type === 'fit' || req.type === 'open';
    // Nothing to fit on an empty canvas: a fit left pending would move the first dropped layer away from the cursor.
    if (fitting && !useDocStore.getState().project.graph.nodes.length) {
      done.current = req.seq;
      return;
    }
    // Fitting needs the nodes' real sizes: wait until React Flow has measured them.
    if (fitting && !measured) return;
    const t = window.setTimeout(() => {
      done.current = req.seq;
      if (req.type === 'fit') void flow.fitView({ padding: 0.15, maxZoom: 1.2, duration: 200 });
      else if (req.type === 'open') {
        const el = document.querySelector('.canvas .react-flow');
        const vp = el ? openingViewport(useDocStore.getState().project.graph.nodes, el.clientWidth, el.clientHeight) : undefined;
        if (vp) void flow.setViewport(vp);
        else void flow.fitView({ padding: 0.15, maxZoom: 1.2 });
      }
      else if (req.type === 'set') void flow.setViewport({ x: req.x, y: req.y, zoom: req.zoom });
      else {
        // A layer inside a collapsed instance is shown by its instance; one inside an opened instance that is off
        // screen (so not handed to React Flow yet) by where its frame will draw it.
        const n = flow.getInternalNode(req.nodeId) ?? flow.getInternalNode(req.nodeId.split(BLOCK_SEP)[0]);
        const offset = n && n.id !== req.nodeId ? innerLayerOffset(n.id, req.nodeId) : undefined;
        if (n) {
          const at = offset ? { x: n.internals.positionAbsolute.x + offset.x, y: n.internals.positionAbsolute.y + offset.y } : n.internals.positionAbsolute;
          const w = offset ? NODE_SIZE.width : (n.measured.width ?? NODE_SIZE.width);
          const h = offset ? NODE_SIZE.height : (n.measured.height ?? NODE_SIZE.height);
          void flow.setCenter(at.x + w / 2, at.y + h / 2, {
            zoom: Math.max(flow.getZoom(), 0.8),
            duration: 250,
          });
        }
      }
    }, 30);
    return () => window.clearTimeout(t);
  }, [req, flow, measured]);
  return null;
}

export interface CanvasProps {
  /** Files dropped on the canvas; `dataTransfer` is live only during this call (folders are read from its items). */
  onDropFiles?(files: File[], dataTransfer: DataTransfer): void;
}

/** The React Flow canvas over the document; every edit goes through the document store. */
export function Canvas({ onDropFiles }: CanvasProps) {
  const inference = useCanvasInference();
  // The boxes' sizes as React Flow measured them. It keeps them itself, so a box that only changes size (an edit
  // that shows an error) needs no new nodes from here: the map is read when a node is built anyway. Nodes are handed
  // over again only when a box is measured for the first time, because React Flow counts them as initialised (what a
  // fit waits for) only when it is given nodes that carry their sizes.
  const measured = useRef(new Map<string, Measured>()).current;
  const [firstMeasures, setFirstMeasures] = useState(0);
  const [dragsEnded, setDragsEnded] = useState(0);
  const { onScreen, large } = useOnScreenInstances();
  const nodes = useFlowNodes(inference, measured, firstMeasures, dragsEnded, onScreen);
  const drawn = useRef(new Set<string>());
  drawn.current = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);
  const edges = useFlowEdges(inference, onScreen);
  const flow = useReactFlow();
  const storeApi = useStoreApi<FlowNode>();
  const showMinimap = useUiStore((s) => s.showMinimap);
  // Far out, labels are unreadable: hiding them spares the (software) painter on big graphs.
  const zoomedOut = useStore((s) => s.transform[2] < FAR_ZOOM);
  const initialViewport = useRef(useDocStore.getState().viewport);
  useEffect(() => {
    if (!initialViewport.current) useUiStore.getState().requestView({ type: 'open' });
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    let moved = false;
    let dims: Map<string, Measured> | null = null;
    let selection: Set<string> | null = null;
    let inner: Map<string, XY> | null = null;
    let dragged = false;
    for (const c of changes) {
      // A layer inside an opened instance is a child of its frame: React Flow gives its position relative to it.
      if (c.type === 'position' && c.position && c.id.includes(BLOCK_SEP) && flow.getInternalNode(c.id)?.parentId) {
        (inner ??= new Map()).set(c.id, c.position);
      } else if (c.type === 'position' && c.position && shiftsFrozen) {
        topDrag.set(c.id, c.position);
        dragged = true;
      } else if (c.type === 'position' && c.position) {
        // A keyboard nudge: written at once, one step each.
        const d = displayShift.get(c.id) ?? { x: 0, y: 0 };
        positions[c.id] = { x: Math.round(c.position.x - d.x), y: Math.round(c.position.y - d.y) };
        moved = true;
      } else if (c.type === 'dimensions' && c.dimensions) {
        dims ??= new Map();
        dims.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
      } else if (c.type === 'select') {
        // Ids the canvas does not draw (a layer inside a collapsed instance, picked in the summary) leave the selection.
        selection ??= new Set(useUiStore.getState().selectedNodes.filter((id) => drawn.current.has(id)));
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (moved) useDocStore.getState().moveNodes(positions);
    if (inner && shiftsFrozen) {
      for (const [id, p] of inner) innerDrag.set(id, p);
      dragged = true;
    } else if (inner) moveInOpenedBlocks(inner); // a keyboard nudge: one step
    if (dragged) {
      // Straight into React Flow's store, as it does itself for nodes it owns: re-rendering the canvas to hand over a
      // new nodes array cost a render and commit of the canvas, then one of React Flow, per mouse move. The canvas
      // catches up on the drop; if it re-renders before (an instance coming near the screen), it draws the dragged
      // boxes from topDrag and innerDrag.
      // Moving boxes (and the layers riding in a moved frame) are marked so that each gets its own compositing layer
      // (canvas.css): the drag then moves pictures instead of painting a frame's whole area again on every move. The
      // canvas' next nodes, on the drop, carry no mark.
      const moves = new Map<string, XY>();
      for (const c of changes) if (c.type === 'position' && c.position) moves.set(c.id, c.position);
      const st = storeApi.getState();
      st.setNodes(
        st.nodes.map((n) =>
          moves.has(n.id)
            ? { ...n, position: moves.get(n.id)!, className: MOVING }
            : n.parentId && moves.has(n.parentId) && n.className !== MOVING
              ? { ...n, className: MOVING }
              : n,
        ),
      );
    }
    if (dims) {
      let first = false;
      for (const [id, m] of dims) {
        const o = measured.get(id);
        first ||= !o;
        if (!o || o.width !== m.width || o.height !== m.height) measured.set(id, m);
      }
      if (first) setFirstMeasures((n) => n + 1);
    }
    if (selection) {
      const ui = useUiStore.getState();
      ui.select([...selection], ui.selectedEdges);
    }
  }, [measured, flow, storeApi]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        selection ??= new Set(useUiStore.getState().selectedEdges);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (selection) {
      const ui = useUiStore.getState();
      ui.select(ui.selectedNodes, [...selection]);
    }
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const slot = Number((c.targetHandle ?? 'in-0').replace('in-', '')) || 0;
    const from = Number((c.sourceHandle ?? 'out').replace(/^out-?/, '')) || 0;
    // Between two layers of an opened instance, the store wires the block's definition.
    const r = useDocStore.getState().connect(c.source, c.target, slot, from);
    if (!r.ok) useUiStore.getState().toast('error', `Connection refused: ${r.reason}`);
  }, []);

  const onNodeClick = useCallback(() => {
    const ui = useUiStore.getState();
    if (ui.tab === 'summary') ui.setTab('layer');
  }, []);

  const onNodeDragStart = useCallback(() => {
    shiftsFrozen = true;
    beginDrag();
  }, []);
  const onNodeDragStop = useCallback(() => {
    shiftsFrozen = false;
    if (topDrag.size) {
      // In document coordinates, against the shifts the drag was drawn with (still those of its start).
      const positions: Record<string, XY> = {};
      for (const [id, p] of topDrag) {
        const d = displayShift.get(id) ?? { x: 0, y: 0 };
        positions[id] = { x: Math.round(p.x - d.x), y: Math.round(p.y - d.y) };
      }
      topDrag.clear();
      useDocStore.getState().moveNodes(positions);
    }
    if (innerDrag.size) {
      // Cleared first: the store's update draws the layers from their blocks, which then hold these positions.
      const moved = [...innerDrag];
      innerDrag.clear();
      moveInOpenedBlocks(moved);
    }
    endDrag();
    setDragsEnded((n) => n + 1);
  }, []);

  const onMoveEnd = useCallback((_e: unknown, vp: FlowViewport) => {
    useDocStore.getState().setViewport({ x: vp.x, y: vp.y, zoom: vp.zoom });
  }, []);

  const [fileOver, setFileOver] = useState(false);
  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    const files = e.dataTransfer.types.includes('Files');
    e.dataTransfer.dropEffect = files ? 'copy' : 'move';
    if (files) setFileOver(true);
  }, []);
  const onDragLeave = useCallback((e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFileOver(false);
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      setFileOver(false);
      const blockId = e.dataTransfer.getData(BLOCK_MIME);
      const dropped = blockId ? { block: blockId } : e.dataTransfer.getData(KIND_MIME) ? { kind: e.dataTransfer.getData(KIND_MIME) } : undefined;
      if (dropped && dropIntoOpenedBlock(flow, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }), dropped)) return;
      if (blockId) {
        const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        const r = useDocStore.getState().addInstance(blockId, { x: Math.round(p.x - NODE_SIZE.width / 2), y: Math.round(p.y - 30) });
        if (!r.ok) useUiStore.getState().toast('error', r.reason);
        else useUiStore.getState().select([r.id!]);
        return;
      }
      const kind = e.dataTransfer.getData(KIND_MIME);
      if (kind) {
        const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        const ui = useUiStore.getState();
        const doc = useDocStore.getState();
        const at = dropSpot(doc.project.graph.nodes, { x: Math.round(p.x - NODE_SIZE.width / 2), y: Math.round(p.y - 30) }, ui.direction === 'DOWN');
        const id = doc.addNode(kind, at);
        ui.select([id]);
        if (ui.tab === 'summary') ui.setTab('layer');
        return;
      }
      const files = [...e.dataTransfer.files];
      if ((files.length || e.dataTransfer.types.includes('Files')) && onDropFiles) onDropFiles(files, e.dataTransfer);
    },
    [flow, onDropFiles],
  );

  const longPress = useLongPress();
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, node: FlowNode) => {
    e.preventDefault();
    openContextMenuAt(e.clientX, e.clientY, node.id);
  }, []);
  const onPaneContextMenu = useCallback((e: ReactMouseEvent | MouseEvent) => {
    e.preventDefault();
    openContextMenuAt(e.clientX, e.clientY);
  }, []);
  // The keyboard's way to the same menu: the Menu key or Shift+F10 on a focused layer.
  const onKeyDown = useCallback((e: ReactKeyboardEvent) => {
    if (e.key !== 'ContextMenu' && !(e.key === 'F10' && e.shiftKey)) return;
    const el = (e.target as Element).closest('.react-flow__node');
    if (!el) return;
    e.preventDefault();
    const r = el.getBoundingClientRect();
    openContextMenuAt(r.left + 24, r.top + r.height / 2, el.getAttribute('data-id') ?? undefined);
  }, []);

  return (
    <div
      className={`canvas${zoomedOut ? ' zoomed-out' : ''}`}
      data-testid="canvas"
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      onKeyDown={onKeyDown}
      {...longPress}
    >
      {fileOver && (
        <div className="drop-hint" data-testid="drop-hint">
          Drop a <code>.convas.json</code> project or a Keras/tfjs <code>model.json</code> to import it as a new project
        </div>
      )}
      <ReactFlow<FlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onMoveEnd={onMoveEnd}
        onNodeClick={onNodeClick}
        onNodeContextMenu={onNodeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        zoomOnPinch
        deleteKeyCode={null}
        onlyRenderVisibleElements={large}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        defaultViewport={initialViewport.current ?? { x: 0, y: 0, zoom: 1 }}
        minZoom={0.02}
        maxZoom={2.5}
        attributionPosition="top-right"
        edgeTypes={edgeTypes}
      >
        {/* Zoomed far out the dots are under a pixel apart: a grey wash that costs the painter dearly wherever a drag
            uncovers it. */}
        {!zoomedOut && <DotGrid gap={20} radius={0.6} color="#c9ced8" />}
        <Controls showInteractive={false} position="bottom-left" />
        {showMinimap && <MiniMap pannable zoomable position="bottom-right" style={{ width: 150, height: 110 }} nodeClassName={minimapClass} maskColor="rgba(240,242,246,0.7)" />}
        <ViewRequests />
        <MakeBlockBar />
      </ReactFlow>
      <CanvasContextMenu />
    </div>
  );
}

function minimapClass(n: FlowNode): string {
  if (n.type === 'block') return `mm cat-block status-${n.data.inf?.status ?? 'ok'}`;
  const kind = getLayerKind(n.data.node.kind);
  return `mm cat-${kind?.ui.category ?? 'unknown'} status-${n.data.inf?.status ?? 'ok'}`;
}
