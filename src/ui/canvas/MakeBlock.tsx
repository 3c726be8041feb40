import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { Panel } from '@xyflow/react';
import { getLayerKind } from '../../../nodes/index';
import { isInstance, paramValue, type ExposeChoice } from '../../graph/blocks';
import type { GraphNode } from '../../graph/types';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import '../styles/overlays.css';
import { useBlockView } from './block-view';
import { unpackInstance } from '../actions';

/** Params worth exposing by default: the ones that change from one copy of a block to the next. */
const USUAL = new Set(['filters', 'strides', 'units']);

/**
 * What the user may expose: one candidate per param key when every selected layer having it holds the same value
 * (e.g. `filters` of three convs of one width), else one per layer (`conv2d_1_filters`), so exposing never changes the
 * network being turned into a block.
 */
export function exposeCandidates(nodes: readonly GraphNode[]): Array<ExposeChoice & { layers: string[] }> {
  const byKey = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    const kind = getLayerKind(n.kind);
    if (!kind) continue;
    const shape = (kind.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    for (const key of Object.keys(shape)) {
      if (key === 'name') continue;
      byKey.set(key, [...(byKey.get(key) ?? []), n]);
    }
  }
  const out: Array<ExposeChoice & { layers: string[] }> = [];
  for (const [key, layers] of byKey) {
    const values = new Set(layers.map((n) => JSON.stringify(paramValue(n, key) ?? null)));
    if (values.size === 1) out.push({ name: key, binds: layers.map((n) => ({ node: n.id, param: key })), layers: layers.map((n) => n.name) });
    else for (const n of layers) out.push({ name: `${n.name}_${key}`, binds: [{ node: n.id, param: key }], layers: [n.name] });
  }
  return out;
}

function MakeBlockDialog({ ids, onClose }: { ids: string[]; onClose(): void }) {
  const graph = useDocStore((s) => s.project.graph);
  const count = useDocStore((s) => s.project.blocks?.length ?? 0);
  const nodes = useMemo(() => graph.nodes.filter((n) => ids.includes(n.id)), [graph, ids]);
  const candidates = useMemo(() => exposeCandidates(nodes), [nodes]);
  const [name, setName] = useState(`Block ${count + 1}`);
  // Per-layer strides (a conv's next to a pool's) are rarely what changes between copies: leave those unticked.
  const [chosen, setChosen] = useState(
    () => new Set(candidates.filter((c) => USUAL.has(c.binds[0].param) && (c.name === c.binds[0].param || c.binds[0].param !== 'strides')).map((c) => c.name)),
  );
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const make = () => {
    const r = useDocStore.getState().makeBlock(ids, name, candidates.filter((c) => chosen.has(c.name)));
    if (!r.ok) {
      setError(r.reason);
      return;
    }
    useUiStore.getState().select([r.instanceId!]);
    useUiStore.getState().toast('info', `Made the block “${name.trim()}” from ${ids.length} layers; place more from the palette's Blocks section.`);
    onClose();
  };
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog make-block" role="dialog" aria-label="Make a block" data-testid="make-block-dialog">
        <div className="dialog-head">
          <h2>Make a block of {nodes.length} layers</h2>
          <button className="btn icon" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            make();
          }}
        >
          <label className="mb-field">
            <span>Block name</span>
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} data-testid="make-block-name" spellCheck={false} />
          </label>
          <fieldset className="mb-params">
            <legend>Exposed params — set per instance; the rest is shared by every instance</legend>
            {candidates.map((c) => (
              <label key={c.name} className="mb-param">
                <input
                  type="checkbox"
                  checked={chosen.has(c.name)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(c.name);
                    else next.delete(c.name);
                    setChosen(next);
                  }}
                  data-testid={`make-block-expose-${c.name}`}
                />
                <code>{c.name}</code> <span className="muted">({c.layers.join(', ')})</span>
              </label>
            ))}
            {!candidates.length && <p className="muted">These layers have no params to expose.</p>}
          </fieldset>
          {error && (
            <div className="node-error-box" data-testid="make-block-error">
              {error}
            </div>
          )}
          <div className="mb-actions">
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn primary" data-testid="make-block-confirm">
              Make block
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/**
 * A bar over the canvas while layers are selected: "Make block" turns them into a block; with one instance selected,
 * open/collapse and unpack it.
 */
export function MakeBlockBar() {
  const selected = useUiStore((s) => s.selectedNodes);
  const graph = useDocStore((s) => s.project.graph);
  const expanded = useBlockView((s) => s.expanded);
  const [dialog, setDialog] = useState<string[] | null>(null);
  const top = useMemo(() => {
    const ids = new Set(selected);
    return graph.nodes.filter((n) => ids.has(n.id));
  }, [graph, selected]);
  const instance = top.length === 1 && isInstance(top[0]) ? top[0] : undefined;
  const layers = top.filter((n) => getLayerKind(n.kind)?.inputs.max !== 0);
  return (
    <>
      {(layers.length >= 2 || instance) && (
        <Panel position="top-center" className="make-block-bar" data-testid="block-bar">
          {layers.length >= 2 && (
            <button className="btn" onClick={() => setDialog(layers.map((n) => n.id))} data-testid="make-block" title="Turn the selected layers into a reusable block">
              Make block of {layers.length} layers…
            </button>
          )}
          {instance && (
            <>
              <button className="btn" onClick={() => useBlockView.getState().setExpanded(instance.id, !expanded.has(instance.id))} data-testid="bar-toggle-block">
                {expanded.has(instance.id) ? 'Collapse' : 'Open'} {instance.name}
              </button>
              <button
                className="btn"
                onClick={() => unpackInstance(instance.id)}
                data-testid="unpack-block"
                title="Replace this instance by its layers (the block stays in the palette)"
              >
                Unpack into layers
              </button>
            </>
          )}
        </Panel>
      )}
      {/* Out of the canvas' stacking context: on a small screen the side panel lies over the canvas and hid the dialog's buttons. */}
      {dialog && createPortal(<MakeBlockDialog ids={dialog} onClose={() => setDialog(null)} />, document.body)}
    </>
  );
}
