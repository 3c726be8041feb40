import { getLayerKind } from '../../nodes/index';
import { useDocStore } from '../store/doc';
import * as act from './actions';
import { useAddLayer } from './palette/Palette';

/** Shown on an empty canvas: how to start. */
export function EmptyState() {
  const empty = useDocStore((s) => s.project.graph.nodes.length === 0);
  const add = useAddLayer();
  if (!empty) return null;
  const input = getLayerKind('Input');
  return (
    <div className="empty-state">
      <div className="empty-card" data-testid="empty-state">
        <h2>Design a network</h2>
        <p>Drag layers from the palette onto the canvas and connect them, or start from a preset. Shapes, parameters and FLOPs update as you go.</p>
        <div className="actions">
          {input && (
            <button className="btn primary" onClick={() => add(input)}>
              Add an Input layer
            </button>
          )}
          <button className="btn outline" onClick={() => act.openPreset('lenet5')}>
            Open LeNet-5
          </button>
        </div>
      </div>
    </div>
  );
}
