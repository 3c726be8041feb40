import { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { getLayerKind } from '../../../nodes/index';
import type { GraphNode, NodeInference } from '../../graph/types';
import type { LayoutDirection } from '../../graph/layout';
import { fmtCompact, fmtInt, fmtShapeX, plainText } from '../format';
import './layer-node.css';

export interface LayerData extends Record<string, unknown> {
  node: GraphNode;
  inf: NodeInference | undefined;
  /** How many input handles to draw (merges get one spare slot for the next connection). */
  slots: number;
  direction: LayoutDirection;
  /** Names of the upstream layers whose errors block this one. */
  blockedByNames?: string;
  /** Shown instead of the name (a layer inside an opened block shows its own name, not the instance's prefix). */
  label?: string;
}

export type LayerFlowNode = Node<LayerData, string>;

function summaryOf(node: GraphNode, inf: NodeInference | undefined): string {
  const kind = getLayerKind(node.kind);
  if (!kind || !inf?.params) return '';
  try {
    return kind.ui.summary(inf.params);
  } catch {
    return '';
  }
}

/** One component for every layer kind: category colour, name, summary, output shape, params and FLOPs, errors. */
function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const { node, inf, slots, direction } = data;
  const kind = getLayerKind(node.kind);
  const category = kind?.ui.category ?? 'unknown';
  const status = inf?.status ?? 'ok';
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  const vertical = direction === 'DOWN';
  const inPos = vertical ? Position.Top : Position.Left;
  const outPos = vertical ? Position.Bottom : Position.Right;
  const handles = [];
  for (let i = 0; i < slots; i++) {
    const at = `${((i + 1) / (slots + 1)) * 100}%`;
    handles.push(
      <Handle
        key={i}
        id={`in-${i}`}
        type="target"
        position={inPos}
        className="layer-handle layer-handle-in"
        style={vertical ? { left: at } : { top: at }}
        title={slots > 1 ? `input ${i + 1}` : 'input'}
      >
        {slots > 1 && <span className={`handle-index ${vertical ? 'v' : 'h'}`}>{i + 1}</span>}
      </Handle>,
    );
  }
  const summary = summaryOf(node, inf);
  const errors = status === 'error' ? (inf?.errors ?? (inf?.error ? [inf.error] : [])) : [];
  const warnings = status === 'ok' ? (inf?.warnings ?? []) : [];
  return (
    <div
      className={`layer-node cat-${category} status-${status}${warnings.length ? ' has-warning' : ''}${selected ? ' is-selected' : ''}`}
      data-testid={`node-${node.name}`}
      data-status={status}
      title={kind ? plainText(kind.ui.description) : undefined}
    >
      {handles}
      <div className="layer-node-head">
        <span className="layer-node-kind">{kind?.ui.label ?? node.kind}</span>
        <span className="layer-node-name" title={node.name}>
          {data.label ?? node.name}
        </span>
      </div>
      {summary && <div className="layer-node-summary">{summary}</div>}
      {errors.length ? (
        <ul className="layer-node-problems">
          {errors.map((e, i) => (
            <li key={i} className="layer-node-error" data-testid="node-error">
              {e.message}
            </li>
          ))}
        </ul>
      ) : status === 'blocked' ? (
        <div className="layer-node-blocked">blocked by {data.blockedByNames || 'an upstream error'}</div>
      ) : (
        <div className="layer-node-stats">
          <span className="layer-node-shape" data-testid="node-shape">
            {fmtShapeX(inf?.outputShape)}
          </span>
          {params > 0 && <span title={`${fmtInt(params)} params`}>{fmtCompact(params)} params</span>}
          {!!inf?.flops && <span title={`${fmtInt(inf.flops)} FLOPs`}>{fmtCompact(inf.flops)} FLOPs</span>}
          {!params && !inf?.flops && <span className="muted">no weights</span>}
        </div>
      )}
      {!!warnings.length && (
        <ul className="layer-node-problems">
          {warnings.map((w, i) => (
            <li key={i} className="layer-node-warning" data-testid="node-warning">
              {w.message}
            </li>
          ))}
        </ul>
      )}
      <Handle id="out" type="source" position={outPos} className="layer-handle layer-handle-out" />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
