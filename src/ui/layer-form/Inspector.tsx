import { memo, useEffect, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { getLayerKind } from '../../../nodes/index';
import type { GraphNode, NodeInference } from '../../graph/types';
import { nameProblem, useDocStore, useInference } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { fmtCompact, fmtInt, fmtShapeX } from '../format';
import { fieldLabel, fieldMessage, fieldsOf, readNumber, readNumbers, type Field } from './fields';
import { BlockInspector } from '../canvas/BlockInspector';
import './layer-form.css';

/** A text input that keeps what the user types while the stored value follows it, and resyncs on undo. */
function DraftInput({
  value,
  onText,
  same,
  ...rest
}: { value: string; onText(text: string): void; same?(text: string, value: string): boolean } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [text, setText] = useState(value);
  useEffect(() => {
    setText((t) => ((same ? same(t, value) : t === value) ? t : value));
  }, [value, same]);
  return (
    <input
      type="text"
      spellCheck={false}
      autoComplete="off"
      {...rest}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onText(e.target.value);
      }}
    />
  );
}

const numText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : String(v));
const sameNumber = (t: string, v: string) => numText(readNumber(t)) === v || t === v;
const listText = (v: unknown): string => (Array.isArray(v) ? v.join(' × ') : numText(v));
const sameList = (t: string, v: string) => listText(readNumbers(t)) === v || t === v;

function pairParts(v: unknown): [unknown, unknown] {
  if (Array.isArray(v)) return [v[0], v[1]];
  return [v, v];
}

interface FieldProps {
  field: Field;
  /** The value as stored (may be missing: the default applies). */
  raw: unknown;
  /** The value as the schema parsed it, with defaults (absent when the params did not parse). */
  parsed: unknown;
  /** Every problem of this field, in the words the layer box uses. */
  messages?: string[];
  onChange(value: unknown): void;
}

function FieldEditor({ field, raw, parsed, messages, onChange }: FieldProps) {
  const shown = raw === undefined ? parsed : raw;
  const id = `field-${field.key}`;
  const testid = `param-${field.key}`;
  const empty = (text: string): unknown | undefined =>
    text.trim() === '' && field.emptyAs ? (field.emptyAs === 'null' ? null : undefined) : undefined;
  let control;
  const { spec } = field;
  switch (spec.type) {
    case 'boolean':
      control = <input id={id} type="checkbox" checked={shown === true} onChange={(e) => onChange(e.target.checked)} data-testid={testid} />;
      break;
    case 'enum':
      control = (
        <select id={id} value={String(shown ?? '')} onChange={(e) => onChange(e.target.value)} data-testid={testid}>
          {!spec.options.includes(String(shown)) && <option value={String(shown ?? '')}>{String(shown ?? '—')}</option>}
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
      control = (
        <DraftInput
          id={id}
          inputMode="decimal"
          value={numText(shown)}
          same={sameNumber}
          placeholder={field.emptyAs ? 'none' : undefined}
          onText={(t) => {
            const e = empty(t);
            onChange(e !== undefined || (field.emptyAs && t.trim() === '') ? e : readNumber(t));
          }}
          data-testid={testid}
        />
      );
      break;
    case 'pair': {
      const [a, b] = pairParts(shown);
      const set = (i: 0 | 1, t: string) => {
        const parts = pairParts(raw === undefined ? parsed : raw);
        const next: unknown[] = [parts[0], parts[1]];
        next[i] = readNumber(t);
        onChange(typeof next[0] === 'number' && next[0] === next[1] ? next[0] : next);
      };
      control = (
        <div className="pair">
          <DraftInput id={id} inputMode="numeric" value={numText(a)} same={sameNumber} onText={(t) => set(0, t)} data-testid={testid} aria-label={`${fieldLabel(field.key)} (height)`} />
          <span className="muted">×</span>
          <DraftInput inputMode="numeric" value={numText(b)} same={sameNumber} onText={(t) => set(1, t)} data-testid={`${testid}-2`} aria-label={`${fieldLabel(field.key)} (width)`} />
        </div>
      );
      break;
    }
    case 'numbers':
      control = <DraftInput id={id} value={listText(shown)} same={sameList} onText={(t) => onChange(readNumbers(t))} data-testid={testid} />;
      break;
    case 'string':
      control = (
        <DraftInput
          id={id}
          value={shown === undefined || shown === null ? '' : String(shown)}
          onText={(t) => onChange(empty(t) ?? t)}
          data-testid={testid}
        />
      );
      break;
    default:
      control = (
        <DraftInput
          id={id}
          value={shown === undefined ? '' : JSON.stringify(shown)}
          onText={(t) => {
            try {
              onChange(JSON.parse(t));
            } catch {
              onChange(t);
            }
          }}
          data-testid={testid}
        />
      );
  }
  return (
    <div className={`field${messages?.length ? ' invalid' : ''}`}>
      <label htmlFor={id}>{fieldLabel(field.key)}</label>
      <div className="field-control">{control}</div>
      {!!messages?.length && (
        <div className="field-msg" data-testid={`param-error-${field.key}`}>
          {messages.map((m, i) => (
            <div key={i}>{m}</div>
          ))}
        </div>
      )}
    </div>
  );
}

export function RenameField({ node }: { node: GraphNode }) {
  const graph = useDocStore((s) => s.project.graph);
  const [text, setText] = useState(node.name);
  useEffect(() => setText(node.name), [node.name, node.id]);
  const problem = text === node.name ? undefined : nameProblem(graph, node.id, text);
  const commit = () => {
    if (text === node.name) return;
    const r = useDocStore.getState().renameNode(node.id, text);
    if (!r.ok) setText(node.name);
  };
  return (
    <div className={`field${problem ? ' invalid' : ''}`}>
      <label htmlFor="layer-name">Name</label>
      <div className="field-control">
        <input
          id="layer-name"
          type="text"
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setText(node.name);
          }}
          data-testid="layer-name"
        />
      </div>
      {problem && (
        <div className="field-msg" data-testid="layer-name-error">
          {problem}
        </div>
      )}
    </div>
  );
}

/** A merge layer's inputs in slot order (the order Concatenate stacks them in). */
function OrderedInputs({ nodeId }: { nodeId: string }) {
  const graph = useDocStore((s) => s.project.graph);
  const inference = useInference();
  const edges = graph.edges.filter((e) => e.target === nodeId).sort((a, b) => a.targetIndex - b.targetIndex);
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  return (
    <div className="section">
      <h3>Inputs, in order</h3>
      {edges.length ? (
        <ol className="ordered-inputs" data-testid="ordered-inputs">
          {edges.map((e) => (
            <li key={e.id}>
              <span className="lname-inline">{names.get(e.source) ?? e.source}</span>
              <span className="muted"> {fmtShapeX(inference.nodes[e.source]?.outputShape)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">Nothing connected yet: drag wires onto the numbered handles.</p>
      )}
    </div>
  );
}

/** `onParams` and `head` serve a layer inside a block (its edits go to the block's definition, its name is not its own). */
export const NodeInspector = memo(function NodeInspector({
  node,
  inf,
  onParams,
  head,
}: {
  node: GraphNode;
  inf: NodeInference | undefined;
  onParams?(patch: Record<string, unknown>): void;
  head?: ReactNode;
}) {
  const kind = getLayerKind(node.kind);
  const updateNode = useDocStore((s) => s.updateNodeParams);
  const update = (id: string, patch: Record<string, unknown>) => (onParams ? onParams(patch) : updateNode(id, patch));
  if (!kind) {
    return (
      <div className="section">
        <div className="node-error-box">Unknown layer kind “{node.kind}”: this version of Convas cannot edit it.</div>
      </div>
    );
  }
  const fields = fieldsOf(kind.params);
  const parsedAll = inf?.params ?? (kind.params.safeParse({}).success ? (kind.params.parse({}) as Record<string, unknown>) : {});
  // Inference words every problem of the layer; a layer waiting on an upstream error has not been judged, so its
  // fields are judged here with the same function (messages.ts) and read the same.
  const errors = inf?.status === 'error' ? (inf.errors ?? (inf.error ? [inf.error] : [])) : [];
  const keys = new Set(fields.map((f) => f.key));
  const messages: Record<string, string[]> = {};
  for (const e of errors) if (e.param && keys.has(e.param)) (messages[e.param] ??= []).push(e.message);
  for (const f of fields) {
    if (messages[f.key]) continue;
    const m = fieldMessage(f, node.params[f.key]);
    if (m) messages[f.key] = [m];
  }
  const general = errors.filter((e) => !e.param || !keys.has(e.param));
  const warnings = inf?.warnings ?? [];
  const params = inf ? inf.count.trainable + inf.count.nonTrainable : 0;
  return (
    <>
      <div className={`section cat-${kind.ui.category}`}>
        <div className="insp-head">
          <span className="dot" />
          <span className="insp-kind">{kind.ui.label}</span>
        </div>
        <p className="insp-desc">
          {kind.ui.description.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part))}
        </p>
        {general.map((e, i) => (
          <div key={i} className="node-error-box" data-testid="inspector-error">
            {e.message}
          </div>
        ))}
        {warnings.map((w, i) => (
          <div key={i} className="node-warning-box" data-testid="inspector-warning">
            {w.message}
          </div>
        ))}
        {inf?.status === 'blocked' && <div className="node-error-box">Waiting for an upstream layer to be fixed.</div>}
      </div>
      <div className="section" data-testid="inspector-form">
        <h3>Parameters</h3>
        {head ?? <RenameField node={node} />}
        {fields.map((f) => (
          <FieldEditor
            key={`${node.id}:${f.key}`}
            field={f}
            raw={node.params[f.key]}
            parsed={parsedAll[f.key]}
            messages={messages[f.key]}
            onChange={(v) => update(node.id, { [f.key]: v })}
          />
        ))}
        {!fields.length && <p className="muted">This layer has no parameters.</p>}
      </div>
      {kind.inputs.max > 1 && <OrderedInputs nodeId={node.id} />}
      <div className="section">
        <h3>Shapes and cost</h3>
        <dl className="kv">
          <dt>Input</dt>
          <dd>{inf?.inputShapes.length ? inf.inputShapes.map(fmtShapeX).join(', ') : '—'}</dd>
          <dt>Output</dt>
          <dd data-testid="inspector-output-shape">{fmtShapeX(inf?.outputShape)}</dd>
          <dt>Params</dt>
          <dd>
            {fmtInt(params)}
            {inf?.count.nonTrainable ? ` (${fmtInt(inf.count.nonTrainable)} non-trainable)` : ''}
          </dd>
          <dt>MACs</dt>
          <dd title={fmtInt(inf?.macs ?? 0)}>{fmtCompact(inf?.macs ?? 0)}</dd>
          <dt>FLOPs</dt>
          <dd title={fmtInt(inf?.flops ?? 0)}>{fmtCompact(inf?.flops ?? 0)}</dd>
          <dt>Elementwise</dt>
          <dd title={fmtInt(inf?.elementwise ?? 0)}>{fmtCompact(inf?.elementwise ?? 0)}</dd>
        </dl>
      </div>
    </>
  );
});

/** The selected layer's form (generated from its params schema), or a hint when nothing is selected. */
export function Inspector() {
  const selected = useUiStore((s) => s.selectedNodes);
  const id = selected.length === 1 ? selected[0] : undefined;
  const node = useDocStore((s) => (id ? s.project.graph.nodes.find((n) => n.id === id) : undefined));
  const inference = useInference();
  // Block instances and the layers inside them have their own inspectors (src/ui/canvas/BlockInspector.tsx).
  if (node?.block !== undefined || (!node && id?.includes('/'))) return <BlockInspector id={id!} />;
  if (!node) {
    return (
      <div className="section">
        <p className="hint">
          {selected.length > 1
            ? `${selected.length} layers selected. Copy, duplicate or delete them from the toolbar, or make a reusable block of them (Make block, over the canvas).`
            : 'Select a layer on the canvas to edit its parameters. Its output shape, parameters and FLOPs update as you type.'}
        </p>
      </div>
    );
  }
  return <NodeInspector node={node} inf={inference.nodes[node.id]} />;
}
