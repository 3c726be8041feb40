import { memo, useEffect, useMemo, useRef } from 'react';
import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps } from '@xyflow/react';
import { getLayerKind } from '../../../nodes/index';
import { BLOCK_SEP, type BlockDef } from '../../graph/blocks';
import { NODE_SIZE, type LayoutDirection } from '../../graph/layout';
import type { GraphNode, NodeInference } from '../../graph/types';
import { fmtCompact, fmtInt, fmtShapeX } from '../format';
import { useUiStore } from '../../store/ui';
import { useBlockView } from './block-view';
import { blockSketch } from './opened-layout';
import './block-node.css';

export interface BlockData extends Record<string, unknown> {
  node: GraphNode;
  def: BlockDef | undefined;
  inf: NodeInference | undefined;
  direction: LayoutDirection;
  expanded: boolean;
  /** Set on an instance drawn inside an opened one: it cannot be opened there. */
  nested?: boolean;
  /** Set on an opened instance whose layers are not handed to React Flow (zoomed far out): it draws them itself. */
  sketch?: boolean;
}

export type BlockFlowNode = Node<BlockData, string>;

const categoryOf = (kind: string) => getLayerKind(kind)?.ui.category;

/**
 * An opened instance's layers and wires as one picture, for when it is too small on screen to work in. The selected
 * layers stand out, as their boxes would.
 */
const BlockSketch = memo(function BlockSketch({ id, def, direction }: { id: string; def: BlockDef; direction: LayoutDirection }) {
  const sketch = useMemo(() => blockSketch(def, direction, categoryOf), [def, direction]);
  const prefix = `${id}${BLOCK_SEP}`;
  const selected = useUiStore((s) => s.selectedNodes.filter((n) => n.startsWith(prefix)).join('\n'));
  const isSelected = new Set(selected.split('\n').map((n) => n.slice(prefix.length)));
  return (
    <svg className="block-sketch" data-testid="block-sketch" width={sketch.width} height={sketch.height} aria-hidden="true">
      {sketch.wires.map((w, i) => (
        <line key={i} x1={w.x1} y1={w.y1} x2={w.x2} y2={w.y2} />
      ))}
      {sketch.boxes.map((b) => (
        <rect key={b.id} className={`cat-${b.category}${isSelected.has(b.id) ? ' is-selected' : ''}`} x={b.x} y={b.y} width={NODE_SIZE.width} height={NODE_SIZE.height} rx={8} />
      ))}
    </svg>
  );
});

function paramsText(def: BlockDef | undefined, node: GraphNode): string {
  if (!def) return '';
  return def.params.map((p) => `${p.name} ${String(node.params[p.name] ?? p.default)}`).join(' · ');
}

/**
 * A block instance: collapsed, one box with the block's name, exposed params, output shape and totals;
 * opened, the frame of a group whose children are the block's layers.
 */
function BlockNodeView({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const { node, def, inf, direction, expanded, nested, sketch } = data;
  const status = inf?.status ?? 'ok';
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  const vertical = direction === 'DOWN';
  const ins = Math.max(1, def?.inputs.length ?? 1);
  const outs = Math.max(1, def?.outputs.length ?? 1);
  const at = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;
  // A port added or removed (here or by undo) adds or removes a handle: React Flow must measure them again to draw wires to it.
  // (On mount React Flow measures them itself.)
  const updateInternals = useUpdateNodeInternals();
  const ports = `${ins}:${outs}`;
  const measuredPorts = useRef(ports);
  useEffect(() => {
    if (measuredPorts.current === ports) return;
    measuredPorts.current = ports;
    updateInternals(id);
  }, [id, ports, updateInternals]);
  const handles = [];
  for (let i = 0; i < ins; i++) {
    handles.push(
      <Handle key={`in${i}`} id={`in-${i}`} type="target" position={vertical ? Position.Top : Position.Left} className="layer-handle layer-handle-in" style={vertical ? { left: at(i, ins) } : { top: at(i, ins) }} title={def?.inputs[i]?.name ?? 'input'}>
        {ins > 1 && <span className={`handle-index ${vertical ? 'v' : 'h'}`}>{i + 1}</span>}
      </Handle>,
    );
  }
  for (let i = 0; i < outs; i++) {
    handles.push(
      <Handle key={`out${i}`} id={i ? `out-${i}` : 'out'} type="source" position={vertical ? Position.Bottom : Position.Right} className="layer-handle layer-handle-out" style={vertical ? { left: at(i, outs) } : { top: at(i, outs) }} title={def?.outputs[i]?.name ?? 'output'} />,
    );
  }
  const toggle = () => useBlockView.getState().setExpanded(node.id, !expanded);
  return (
    <div
      className={`block-node status-${status}${expanded ? ' is-expanded' : ''}${selected ? ' is-selected' : ''}`}
      data-testid={`block-${node.name}`}
      data-status={status}
      data-expanded={expanded}
    >
      {handles}
      {sketch && def && <BlockSketch id={id} def={def} direction={direction} />}
      <div className="block-node-head">
        <span className="block-node-kind" title="A block: one box for a group of layers">Block</span>
        <span className="block-node-def" data-testid="block-def-name">{def?.name ?? 'missing block'}</span>
        {!nested && (
          <button type="button" className="block-node-toggle nodrag" onClick={toggle} data-testid="block-toggle" title={expanded ? 'Collapse to one box' : 'Show the layers inside'} aria-expanded={expanded}>
            {expanded ? '▾ Collapse' : '▸ Open'}
          </button>
        )}
      </div>
      <div className="block-node-name">{node.name}</div>
      {def && def.params.length > 0 && <div className="block-node-params" data-testid="block-params">{paramsText(def, node)}</div>}
      {status === 'error' && inf?.error ? (
        <div className="layer-node-error" data-testid="node-error">
          {inf.error.message}
        </div>
      ) : status === 'blocked' ? (
        <div className="layer-node-blocked">blocked by an upstream error</div>
      ) : (
        <div className="layer-node-stats">
          <span className="layer-node-shape" data-testid="node-shape">
            {fmtShapeX(inf?.outputShape)}
          </span>
          {params > 0 && <span title={`${fmtInt(params)} params`}>{fmtCompact(params)} params</span>}
          {!!inf?.flops && <span title={`${fmtInt(inf.flops)} FLOPs`}>{fmtCompact(inf.flops)} FLOPs</span>}
          <span className="muted">{def ? `${def.graph.nodes.length} layers` : ''}</span>
        </div>
      )}
      {/* The header has room for one of the error and the note: the error matters more. */}
      {expanded && status === 'ok' && (
        <div className="block-node-note" title="Drag its layers to arrange them (the frame fits them when let go), drag wires between them (and to the ports of a block inside), drop layers from the palette into this frame, Del removes the selected layer or wire; right-click a layer to give the block an input or output there">
          Edits here change the block “{def?.name}”: every instance follows.
        </div>
      )}
    </div>
  );
}

export const BlockNode = memo(BlockNodeView);
