import { memo } from 'react';
import { BaseEdge, getSmoothStepPath, type EdgeProps } from '@xyflow/react';

/**
 * Label metrics of the canvas' monospace at 10.5 px (canvas.css): one character is 0.6 em wide in every font of
 * `--mono`'s list, so the label's background is sized from its length. React Flow's own label measures its text with
 * `getBBox` after every change and on every mount, which forces a layout of the whole page and then a second one for
 * the resulting state update: about half of an edit's time on ResNet-50.
 */
const CHAR_WIDTH = 6.3;
const TEXT_HEIGHT = 13;
const PAD = { x: 6, y: 2 };

/** A smooth-step wire with its output shape as the label, drawn without measuring the text. */
function ShapeEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, style, markerEnd, markerStart, interactionWidth }: EdgeProps) {
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const text = typeof label === 'string' || typeof label === 'number' ? String(label) : '';
  const width = text.length * CHAR_WIDTH + 2 * PAD.x;
  const height = TEXT_HEIGHT + 2 * PAD.y;
  return (
    <>
      <BaseEdge id={id} path={path} style={style} markerEnd={markerEnd} markerStart={markerStart} interactionWidth={interactionWidth} />
      {text && (
        <g className="react-flow__edge-textwrapper" transform={`translate(${labelX} ${labelY})`}>
          <rect className="react-flow__edge-textbg" x={-width / 2} y={-height / 2} width={width} height={height} rx={4} ry={4} />
          <text className="react-flow__edge-text" textAnchor="middle" dy="0.35em">
            {text}
          </text>
        </g>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
