import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type NodeTypes,
  type Viewport as FlowViewport,
} from '@xyflow/react';
import { getLayerKind, layerKinds } from '../../../nodes/index';
import { NODE_SIZE } from '../../graph/layout';
import type { GraphEdge, GraphInference, GraphNode } from '../../graph/types';
import { beginDrag, endDrag, useDocStore, useInference } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { fmtShapeX } from '../format';
import { CanvasContextMenu, openContextMenuAt, useLongPress } from './ContextMenu';
import { dropSpot } from './placement';
import { LayerNode, type LayerData, type LayerFlowNode } from './LayerNode';
import './canvas.css';

/** Built once from the registry (React Flow warns when nodeTypes changes between renders). */
const nodeTypes: NodeTypes = Object.fromEntries([...layerKinds.map((k) => [k.kind, LayerNode]), ['unknown', LayerNode]]);

/** MIME type the palette puts on a drag so the canvas knows which kind to add. */
export const KIND_MIME = 'application/x-convas-kind';

/** Above this many layers, only what is on screen is rendered (ResNet-50 has ~180). */
const LARGE_GRAPH = 120;

type Measured = { width: number; height: number };

interface CacheEntry {
  node: GraphNode;
  data: LayerData;
  selected: boolean;
  measured: Measured | undefined;
  flow: LayerFlowNode;
}

function slotsFor(node: GraphNode, maxIndex: number): number {
  const kind = getLayerKind(node.kind);
  if (!kind) return 1;
  if (kind.inputs.max === 0) return 0;
  if (kind.inputs.max === 1) return 1;
  return Math.min(kind.inputs.max, Math.max(kind.inputs.min, maxIndex + 2));
}

/** Builds React Flow nodes, reusing the previous object for every node whose inputs did not change. */
function useFlowNodes(inference: GraphInference, measured: Map<string, Measured>): LayerFlowNode[] {
  const graph = useDocStore((s) => s.project.graph);
  const selectedNodes = useUiStore((s) => s.selectedNodes);
  const direction = useUiStore((s) => s.direction);
  const cache = useRef(new Map<string, CacheEntry>());
  return useMemo(() => {
    const selected = new Set(selectedNodes);
    const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
    const maxIndex = new Map<string, number>();
    for (const e of graph.edges) maxIndex.set(e.target, Math.max(maxIndex.get(e.target) ?? -1, e.targetIndex));
    const next = new Map<string, CacheEntry>();
    const out = graph.nodes.map((node) => {
      const inf = inference.nodes[node.id];
      const slots = slotsFor(node, maxIndex.get(node.id) ?? -1);
      const blockedByNames = inf?.blockedBy?.map((id) => names.get(id) ?? id).join(', ');
      const isSel = selected.has(node.id);
      const m = measured.get(node.id);
      const old = cache.current.get(node.id);
      if (
        old &&
        old.node === node &&
        old.data.inf === inf &&
        old.data.slots === slots &&
        old.data.direction === direction &&
        old.data.blockedByNames === blockedByNames &&
        old.selected === isSel &&
        old.measured === m
      ) {
        next.set(node.id, old);
        return old.flow;
      }
      const data: LayerData =
        old && old.node === node && old.data.inf === inf && old.data.slots === slots && old.data.direction === direction && old.data.blockedByNames === blockedByNames
          ? old.data
          : { node, inf, slots, direction, blockedByNames };
      const flow: LayerFlowNode = {
        id: node.id,
        type: getLayerKind(node.kind) ? node.kind : 'unknown',
        position: node.position,
        data,
        selected: isSel,
        measured: m,
      };
      next.set(node.id, { node, data, selected: isSel, measured: m, flow });
      return flow;
    });
    cache.current = next;
    return out;
  }, [graph, inference, selectedNodes, direction, measured]);
}

function useFlowEdges(inference: GraphInference): Edge[] {
  const edges = useDocStore((s) => s.project.graph.edges);
  const selectedEdges = useUiStore((s) => s.selectedEdges);
  const cache = useRef(new Map<string, { edge: GraphEdge; label: string | undefined; selected: boolean; flow: Edge }>());
  return useMemo(() => {
    const sel = new Set(selectedEdges);
    const next = new Map<string, { edge: GraphEdge; label: string | undefined; selected: boolean; flow: Edge }>();
    const out = edges.map((e) => {
      const shape = inference.nodes[e.source]?.outputShape;
      const label = shape ? fmtShapeX(shape) : undefined;
      const selected = sel.has(e.id);
      const old = cache.current.get(e.id);
      // Unchanged edges keep their object so React Flow does not re-render (and re-measure the label of) every edge.
      if (old && old.edge === e && old.label === label && old.selected === selected) {
        next.set(e.id, old);
        return old.flow;
      }
      const flow: Edge = {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: 'out',
        targetHandle: `in-${e.targetIndex}`,
        label,
        selected,
        className: shape ? 'edge-ok' : 'edge-unknown',
        labelBgPadding: [6, 2],
        labelBgBorderRadius: 4,
      };
      next.set(e.id, { edge: e, label, selected, flow });
      return flow;
    });
    cache.current = next;
    return out;
  }, [edges, inference, selectedEdges]);
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
        const n = flow.getInternalNode(req.nodeId);
        if (n) {
          const w = n.measured.width ?? NODE_SIZE.width;
          const h = n.measured.height ?? NODE_SIZE.height;
          void flow.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, {
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
  const inference = useInference();
  const [measured, setMeasured] = useState(() => new Map<string, Measured>());
  const nodes = useFlowNodes(inference, measured);
  const edges = useFlowEdges(inference);
  const flow = useReactFlow();
  const showMinimap = useUiStore((s) => s.showMinimap);
  // Far out, labels are unreadable: hiding them spares the (software) painter on big graphs.
  const zoomedOut = useStore((s) => s.transform[2] < 0.3);
  const initialViewport = useRef(useDocStore.getState().viewport);
  useEffect(() => {
    if (!initialViewport.current) useUiStore.getState().requestView({ type: 'open' });
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<LayerFlowNode>[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    let moved = false;
    let dims: Map<string, Measured> | null = null;
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'position' && c.position) {
        positions[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
        moved = true;
      } else if (c.type === 'dimensions' && c.dimensions) {
        dims ??= new Map();
        dims.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
      } else if (c.type === 'select') {
        selection ??= new Set(useUiStore.getState().selectedNodes);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (moved) useDocStore.getState().moveNodes(positions);
    if (dims) {
      const d = dims;
      setMeasured((prev) => {
        const next = new Map(prev);
        for (const [id, m] of d) {
          const o = prev.get(id);
          if (!o || o.width !== m.width || o.height !== m.height) next.set(id, m);
        }
        return next;
      });
    }
    if (selection) {
      const ui = useUiStore.getState();
      ui.select([...selection], ui.selectedEdges);
    }
  }, []);

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
    const r = useDocStore.getState().connect(c.source, c.target, slot);
    if (!r.ok) useUiStore.getState().toast('error', `Connection refused: ${r.reason}`);
  }, []);

  const onNodeClick = useCallback(() => {
    const ui = useUiStore.getState();
    if (ui.tab === 'summary') ui.setTab('layer');
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
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, node: LayerFlowNode) => {
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
      <ReactFlow<LayerFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={beginDrag}
        onNodeDragStop={endDrag}
        onMoveEnd={onMoveEnd}
        onNodeClick={onNodeClick}
        onNodeContextMenu={onNodeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        zoomOnPinch
        deleteKeyCode={null}
        onlyRenderVisibleElements={nodes.length > LARGE_GRAPH}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        defaultViewport={initialViewport.current ?? { x: 0, y: 0, zoom: 1 }}
        minZoom={0.02}
        maxZoom={2.5}
        attributionPosition="top-right"
        defaultEdgeOptions={{ type: 'smoothstep' }}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#c9ced8" />
        <Controls showInteractive={false} position="bottom-left" />
        {showMinimap && <MiniMap pannable zoomable position="bottom-right" style={{ width: 150, height: 110 }} nodeClassName={minimapClass} maskColor="rgba(240,242,246,0.7)" />}
        <ViewRequests />
      </ReactFlow>
      <CanvasContextMenu />
    </div>
  );
}

function minimapClass(n: LayerFlowNode): string {
  const kind = getLayerKind(n.data.node.kind);
  return `mm cat-${kind?.ui.category ?? 'unknown'} status-${n.data.inf?.status ?? 'ok'}`;
}
