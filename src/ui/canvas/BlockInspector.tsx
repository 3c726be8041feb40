import { useEffect, useState } from 'react';
import { BLOCK_SEP, boundNodes, instanceValues, isInstance, type BlockDef } from '../../graph/blocks';
import type { GraphNode } from '../../graph/types';
import { useCanvasInference, useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { fmtCompact, fmtInt, fmtShapeX } from '../format';
import { NodeInspector, RenameField } from '../layer-form/Inspector';
import { useBlockView } from './block-view';
import { portCommands, removeBlockPort } from './block-ports';
import { unpackInstance } from '../actions';

const NUMBER = /^-?\d+(\.\d+)?(e-?\d+)?$/i;

/** One exposed param of an instance: numbers stay numbers, anything else is kept as typed (inference judges it). */
function ExposedField({ node, name, value }: { node: GraphNode; name: string; value: unknown }) {
  const shown = Array.isArray(value) ? value.join(', ') : String(value ?? '');
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  return (
    <div className="field">
      <label htmlFor={`exposed-${name}`}>{name}</label>
      <div className="field-control">
        <input
          id={`exposed-${name}`}
          type="text"
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            const t = e.target.value.trim();
            useDocStore.getState().updateNodeParams(node.id, { [name]: NUMBER.test(t) ? Number(t) : t });
          }}
          data-testid={`param-${name}`}
        />
      </div>
    </div>
  );
}

function blockActions(instance: GraphNode, def: BlockDef, open: boolean) {
  const view = useBlockView.getState();
  return (
    <div className="block-actions">
      <button className="btn" onClick={() => view.setExpanded(instance.id, !open)} data-testid="inspector-toggle-block">
        {open ? 'Collapse' : 'Open'}
      </button>
      <button
        className="btn"
        onClick={() => {
          view.setExpanded(instance.id, true);
          const first = def.graph.nodes[0];
          if (first) useUiStore.getState().select([`${instance.id}${BLOCK_SEP}${first.id}`]);
        }}
        data-testid="edit-block"
        title="Open this instance and edit the block's layers; every instance follows"
      >
        Edit block
      </button>
      <button
        className="btn"
        onClick={() => unpackInstance(instance.id)}
        title="Replace this instance by its layers"
      >
        Unpack into layers
      </button>
    </div>
  );
}

/** The block's input and output ports, what each feeds or comes from, and a way to remove one. */
function PortsSection({ def }: { def: BlockDef }) {
  const name = (id: string) => def.graph.nodes.find((n) => n.id === id)?.name ?? id;
  const only = def.outputs.length === 1;
  return (
    <div className="section" data-testid="block-ports">
      <h3>Inputs and outputs</h3>
      <ul className="block-ports">
        {def.inputs.map((p, k) => (
          <li key={`in-${k}`} data-testid={`block-port-input-${k}`}>
            <span className="block-port-text">
              <span className="muted">input {k + 1}</span> <b>{p.name}</b> → {p.targets.map((t) => `${name(t.node)}${t.index ? ` (input ${t.index + 1})` : ''}`).join(', ') || <i>nothing</i>}
            </span>
            <button className="btn" onClick={() => removeBlockPort(def, 'input', k)} data-testid={`remove-port-input-${k}`} title={`Remove the input “${p.name}” and the wires into it, on every instance`}>
              Remove
            </button>
          </li>
        ))}
        {def.outputs.map((o, k) => (
          <li key={`out-${k}`} data-testid={`block-port-output-${k}`}>
            <span className="block-port-text">
              <span className="muted">output {k + 1}</span> <b>{o.name}</b> ← {name(o.node)}
              {o.index ? ` (output ${o.index + 1})` : ''}
            </span>
            <button
              className="btn"
              disabled={only}
              onClick={() => removeBlockPort(def, 'output', k)}
              data-testid={`remove-port-output-${k}`}
              title={only ? 'A block needs at least one output' : `Remove the output “${o.name}” and the wires from it, on every instance`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <p className="hint">To add one, open the block and right-click a layer inside it (or select the layer): “Add block input feeding this layer”, “Make block output”.</p>
    </div>
  );
}

function InstanceInspector({ node, def }: { node: GraphNode; def: BlockDef | undefined }) {
  const inf = useCanvasInference().nodes[node.id];
  const open = useBlockView((s) => s.expanded.has(node.id));
  const count = useDocStore((s) => (def ? s.project.graph.nodes.filter((n) => n.block === def.id).length : 0));
  if (!def) {
    return (
      <div className="section">
        <div className="node-error-box">{node.name} uses a block that is not in this project.</div>
      </div>
    );
  }
  const values = instanceValues(def, node);
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  return (
    <>
      <div className="section" data-testid="instance-inspector">
        <div className="insp-head">
          <span className="dot" />
          <span className="insp-kind">Block · {def.name}</span>
        </div>
        <p className="insp-desc">
          An instance of the block “{def.name}” ({def.graph.nodes.length} layers; {count} instance{count === 1 ? '' : 's'} in this graph). The params below are this
          instance's own; the layers inside are shared: editing one edits every instance.
        </p>
        {inf?.status === 'error' && inf.error && (
          <div className="node-error-box" data-testid="inspector-error">
            {inf.error.message}
          </div>
        )}
        {blockActions(node, def, open)}
      </div>
      <div className="section" data-testid="inspector-form">
        <h3>Parameters</h3>
        <RenameField node={node} />
        {def.params.map((p) => (
          <ExposedField key={`${node.id}:${p.name}`} node={node} name={p.name} value={values[p.name]} />
        ))}
        {!def.params.length && <p className="muted">This block exposes no params: every instance is the same.</p>}
      </div>
      <PortsSection def={def} />
      <div className="section">
        <h3>Shapes and cost</h3>
        <dl className="kv">
          <dt>Output</dt>
          <dd data-testid="inspector-output-shape">{fmtShapeX(inf?.outputShape)}</dd>
          <dt>Params</dt>
          <dd>{fmtInt(params)}</dd>
          <dt>MACs</dt>
          <dd title={fmtInt(inf?.macs ?? 0)}>{fmtCompact(inf?.macs ?? 0)}</dd>
        </dl>
      </div>
    </>
  );
}

/** A layer inside an instance: its form edits the block's definition (so every instance follows), bound params excepted. */
function InnerInspector({ instance, def, innerId, flatId }: { instance: GraphNode; def: BlockDef; innerId: string; flatId: string }) {
  const inference = useCanvasInference();
  const inner = def.graph.nodes.find((n) => n.id === innerId);
  if (!inner) return <div className="section"><p className="hint">That layer is no longer in the block.</p></div>;
  const bound = boundNodes(def, instanceValues(def, instance)).find((n) => n.id === innerId)!;
  const exposed = def.params.filter((p) => p.binds.some((b) => b.node === innerId));
  const shown = { ...bound, id: flatId, name: `${instance.name}${BLOCK_SEP}${inner.name}` };
  const onParams = (patch: Record<string, unknown>) => {
    const taken = exposed.flatMap((p) => p.binds.filter((b) => b.node === innerId && b.param in patch).map((b) => `${b.param} (exposed as “${p.name}”)`));
    if (taken.length) {
      useUiStore.getState().toast('info', `${taken.join(', ')} is set per instance: change it on ${instance.name} itself.`);
      return;
    }
    useDocStore.getState().updateBlockNodeParams(def.id, innerId, patch);
  };
  const head = (
    <div className="block-edit-note" data-testid="block-edit-note">
      Layer <b>{inner.name}</b> of the block <b>“{def.name}”</b>, seen in {instance.name}. <b>Editing it edits the block: every instance follows.</b>
      {exposed.length > 0 && <> Set per instance: {exposed.map((p) => p.name).join(', ')}.</>}
      {' '}Rewire it on the canvas; Del removes it from the block.
      <div className="block-actions">
        {/* The ones that cannot be used now are left to the context menu, which says why. */}
        {portCommands(flatId).filter((c) => !c.disabled).map((c) => (
          <button key={c.id} className="btn" title={c.title} onClick={c.run} data-testid={`inspector-${c.id}`}>
            {c.label}
          </button>
        ))}
      </div>
    </div>
  );
  if (isInstance(inner)) {
    return (
      <div className="section">
        {head}
        <p className="muted">
          A block inside the block: wire its inputs and outputs on the canvas, here in {instance.name}. Its own layers belong to its block: open an
          instance of that block on the main canvas, or unpack {instance.name}, to edit them.
        </p>
      </div>
    );
  }
  return <NodeInspector node={shown} inf={inference.nodes[flatId]} onParams={onParams} head={head} />;
}

/** The inspector for a block instance, or for a layer inside one (`instance/layer` ids). */
export function BlockInspector({ id }: { id: string }) {
  const graph = useDocStore((s) => s.project.graph);
  const blocks = useDocStore((s) => s.project.blocks);
  const [instId, ...rest] = id.split(BLOCK_SEP);
  const instance = graph.nodes.find((n) => n.id === instId);
  const def = instance?.block === undefined ? undefined : blocks?.find((b) => b.id === instance.block);
  if (!instance) return <div className="section"><p className="hint">Select a layer on the canvas to edit its parameters.</p></div>;
  if (!rest.length) return <InstanceInspector node={instance} def={def} />;
  if (!def || rest.length > 1) {
    return <div className="section"><p className="hint">This layer sits in a block inside a block: unpack {instance.name} to edit it.</p></div>;
  }
  return <InnerInspector instance={instance} def={def} innerId={rest[0]} flatId={id} />;
}
