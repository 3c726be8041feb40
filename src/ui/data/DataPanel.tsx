import { fmtShape } from '../../../nodes/index';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DatasetMeta } from '../../data/types';
import { inferGraph } from '../../graph/infer';
import type { Graph } from '../../graph/types';
import { ensureDatasetsLoaded, useDatasetsStore, type ImportChoice } from '../../store/datasets';
import { updateTrainSettings } from '../../store/training';
import { useUiStore } from '../../store/ui';
import { checkCompatibility } from '../../train/compat';
import { datasetInfoFromMeta } from '../../train/datasets/index';
import { fmtBytes, fmtInt } from '../format';
import { graphInputShape, importDatasetFiles } from './actions';
import { ImageSample, SeriesSample } from './Examples';
import { DATASET_ACCEPT, pickedFromList } from './files';
import './data.css';

export interface DataPanelProps {
  graph: Graph;
  onUpdateParams(nodeId: string, patch: Record<string, unknown>): void;
}

const total = (m: DatasetMeta) => m.train.n + m.test.n;

/** "28×28×1, 10 classes" */
export const describeDataset = (m: DatasetMeta) => `${fmtShape(m.inputShape)}, ${m.classNames.length} classes`;

function ImportButtons({ disabled }: { disabled: boolean }) {
  const folder = useRef<HTMLInputElement>(null);
  const files = useRef<HTMLInputElement>(null);
  const pick = (list: FileList | null, input: HTMLInputElement | null) => {
    if (list && list.length) void importDatasetFiles(pickedFromList(list));
    if (input) input.value = '';
  };
  // React does not know webkitdirectory; it is set on the element itself.
  useEffect(() => {
    folder.current?.setAttribute('webkitdirectory', '');
  }, []);
  return (
    <div className="data-import-buttons">
      <button className="btn primary" data-testid="data-import-folder" disabled={disabled} onClick={() => folder.current?.click()}>Import folder…</button>
      <button className="btn outline" data-testid="data-import-files" disabled={disabled} onClick={() => files.current?.click()}>Import files…</button>
      <input ref={folder} type="file" multiple hidden data-testid="data-folder-input" onChange={(e) => pick(e.target.files, e.target)} />
      <input ref={files} type="file" multiple hidden accept={DATASET_ACCEPT} data-testid="data-files-input" onChange={(e) => pick(e.target.files, e.target)} />
    </div>
  );
}

function NumberInput({ value, min, max, onChange, testId, label, width = 56 }: { value: number; min: number; max: number; onChange(v: number): void; testId: string; label: string; width?: number }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  const bad = !(Number.isInteger(Number(text)) && Number(text) >= min && Number(text) <= max) || text.trim() === '';
  return (
    <input type="text" inputMode="numeric" aria-label={label} data-testid={testId} className={bad ? 'invalid' : ''} style={{ width }} value={text}
      onChange={(e) => {
        setText(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isInteger(v) && v >= min && v <= max) onChange(v);
      }} />
  );
}

function Options({ inputShape, disabled }: { inputShape: number[] | undefined; disabled: boolean }) {
  const choice = useDatasetsStore((s) => s.choice);
  const setChoice = useDatasetsStore((s) => s.setChoice);
  const imageInput = inputShape?.length === 3 && (inputShape[2] === 1 || inputShape[2] === 3);
  const size = choice.size === 'input' && !imageInput ? 'files' : choice.size;
  const set = (patch: Partial<ImportChoice>) => setChoice(patch);
  return (
    <details className="data-options" data-testid="data-options">
      <summary>Import options</summary>
      <fieldset disabled={disabled}>
        <div className="field">
          <label htmlFor="data-size">Image size</label>
          <div className="field-control">
            <select id="data-size" data-testid="data-size" value={size} onChange={(e) => set({ size: e.target.value as ImportChoice['size'] })}>
              <option value="input" disabled={!imageInput}>match the Input layer{imageInput ? ` (${fmtShape(inputShape!)})` : ' (not H×W×C)'}</option>
              <option value="files">as in the files</option>
              <option value="custom">custom</option>
            </select>
            {size === 'custom' && (
              <div className="data-pair">
                <NumberInput label="height" testId="data-size-h" value={choice.custom[0]} min={1} max={1024} onChange={(h) => set({ custom: [h, choice.custom[1], choice.custom[2]] })} />×
                <NumberInput label="width" testId="data-size-w" value={choice.custom[1]} min={1} max={1024} onChange={(w) => set({ custom: [choice.custom[0], w, choice.custom[2]] })} />×
                <select aria-label="channels" data-testid="data-size-c" value={choice.custom[2]} onChange={(e) => set({ custom: [choice.custom[0], choice.custom[1], Number(e.target.value) as 1 | 3] })}>
                  <option value={1}>1 (gray)</option>
                  <option value={3}>3 (RGB)</option>
                </select>
              </div>
            )}
          </div>
        </div>
        <div className="field">
          <label htmlFor="data-test">Test split</label>
          <div className="field-control data-pair">
            <NumberInput label="test split percent" testId="data-test-percent" value={choice.testPercent} min={0} max={90} onChange={(v) => set({ testPercent: v })} /> %
            <span className="data-sep">seed</span>
            <NumberInput label="seed" testId="data-seed" value={choice.seed} min={0} max={2 ** 31} onChange={(v) => set({ seed: v })} width={70} />
          </div>
        </div>
        <div className="data-hint">Used when the files carry no split of their own (train/ and test/ folders, CIFAR's test batch).</div>
        <div className="field">
          <label htmlFor="data-std">Standardise</label>
          <div className="field-control">
            <label className="data-check"><input id="data-std" type="checkbox" data-testid="data-standardize" checked={choice.standardize} onChange={(e) => set({ standardize: e.target.checked })} /> per channel (training split's mean and std)</label>
          </div>
        </div>
        <div className="field">
          <label htmlFor="data-label">CSV label</label>
          <div className="field-control data-pair">
            <input id="data-label" type="text" placeholder="label / class / target" data-testid="data-label-column" value={choice.labelColumn} onChange={(e) => set({ labelColumn: e.target.value })} />
            <select aria-label="CSV layout" data-testid="data-csv-layout" value={choice.csvLayout} onChange={(e) => set({ csvLayout: e.target.value as ImportChoice['csvLayout'] })}>
              <option value="series">rows are series</option>
              <option value="image">rows are images</option>
            </select>
          </div>
        </div>
      </fieldset>
    </details>
  );
}

function ImportProgress() {
  const importing = useDatasetsStore((s) => s.importing);
  if (!importing) return null;
  const frac = importing.total > 0 ? Math.min(1, importing.done / importing.total) : 0;
  return (
    <div className="data-progress" data-testid="data-progress">
      <div className="data-bar" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(frac * 100)}>
        <div className="data-bar-fill" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </div>
      <div className="data-progress-text">
        Importing {importing.source}: {importing.phase} {importing.total > 0 && <>{fmtInt(importing.done)} / {fmtInt(importing.total)}</>}
      </div>
    </div>
  );
}

function ClassChart({ meta }: { meta: DatasetMeta }) {
  const data = useMemo(() => meta.classNames.map((name, i) => ({ name, train: meta.train.perClass[i] ?? 0, test: meta.test.perClass[i] ?? 0 })), [meta]);
  const height = Math.min(260, 60 + data.length * 18);
  return (
    <div className="data-chart" data-testid="data-class-chart">
      <ResponsiveContainer width="100%" height={data.length > 12 ? 160 : height}>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" vertical={false} />
          <XAxis dataKey="name" fontSize={11} interval={data.length > 12 ? 'preserveStartEnd' : 0} tickFormatter={(v: string) => (v.length > 10 ? `${v.slice(0, 9)}…` : v)} />
          <YAxis width={44} fontSize={11} allowDecimals={false} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Bar dataKey="train" stackId="n" fill="#3b5bdb" isAnimationActive={false} />
          <Bar dataKey="test" stackId="n" fill="#94a8f0" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Classes shown in the examples grid (a CIFAR-100 set would otherwise draw 800 thumbnails). */
const MAX_CLASSES_SHOWN = 20;

function ExampleGrid({ meta }: { meta: DatasetMeta }) {
  const examples = useDatasetsStore((s) => s.examples[meta.id]);
  if (!examples) return <p className="data-hint">Loading examples…</p>;
  if ('error' in examples) return <p className="data-hint">Examples could not be read: {examples.error}</p>;
  const Sample = meta.kind === 'image' ? ImageSample : SeriesSample;
  return (
    <div className="data-examples" data-testid="data-examples">
      {examples.perClass.slice(0, MAX_CLASSES_SHOWN).map((samples, k) => (
        <div className="data-example-row" key={k} data-testid="data-example-row">
          <div className="data-example-class" title={meta.classNames[k]}>{meta.classNames[k]}</div>
          <div className="data-example-samples">
            {samples.map((x, i) => <Sample key={i} x={x} shape={meta.inputShape} title={`${meta.classNames[k]} #${i + 1}`} />)}
            {samples.length === 0 && <span className="data-hint">no samples</span>}
          </div>
        </div>
      ))}
      {examples.perClass.length > MAX_CLASSES_SHOWN && <p className="data-hint">…and {examples.perClass.length - MAX_CLASSES_SHOWN} more classes.</p>}
    </div>
  );
}

function splitText(m: DatasetMeta): string {
  const from = m.split.from === 'files' ? 'the split of the files' : `a seeded draw (${Math.round(m.split.testFraction * 100)}% test, seed ${m.split.seed})`;
  return `${fmtInt(m.train.n)} train / ${fmtInt(m.test.n)} test, from ${from}`;
}

function Preview({ meta, graph, onUpdateParams }: { meta: DatasetMeta } & DataPanelProps) {
  const inference = useMemo(() => inferGraph(graph), [graph]);
  const info = useMemo(() => datasetInfoFromMeta(meta), [meta]);
  const fixes = useMemo(() => checkCompatibility(graph, inference, info).flatMap((i) => (i.fix ? [i.fix] : [])), [graph, inference, info]);
  const train = () => {
    updateTrainSettings({ datasetId: meta.id });
    useUiStore.getState().setTab('train');
  };
  return (
    <section className="data-preview" data-testid="data-preview">
      <h4 className="data-preview-title">{meta.name}</h4>
      <dl className="data-facts">
        <dt>Input shape</dt>
        <dd data-testid="data-preview-shape">{fmtShape(meta.inputShape)} ({meta.kind}, {meta.dtype})</dd>
        <dt>Classes</dt>
        <dd>{meta.classNames.length}</dd>
        <dt>Split</dt>
        <dd data-testid="data-preview-split">{splitText(meta)}</dd>
        {meta.conversion && (
          <>
            <dt>Conversion</dt>
            <dd>{meta.conversion}</dd>
          </>
        )}
        {meta.standardize && (
          <>
            <dt>Standardised</dt>
            <dd>per channel, mean {meta.stats.mean.map((v) => v.toFixed(3)).join(', ')}; std {meta.stats.std.map((v) => v.toFixed(3)).join(', ')}</dd>
          </>
        )}
      </dl>
      {meta.notes.length > 0 && (
        <ul className="data-notes" data-testid="data-notes">
          {meta.notes.map((n, i) => <li key={i}>{n}</li>)}
        </ul>
      )}
      <div className="data-actions">
        {fixes.map((f) => (
          <button key={f.label} className="btn outline" data-testid="data-fix" onClick={() => onUpdateParams(f.nodeId, f.patch)}>{f.label}</button>
        ))}
        <button className="btn primary" data-testid="data-train" onClick={train}>Train on this dataset</button>
      </div>
      <ClassChart meta={meta} />
      <ExampleGrid meta={meta} />
    </section>
  );
}

function DatasetList() {
  const datasets = useDatasetsStore((s) => s.datasets);
  const previewId = useDatasetsStore((s) => s.previewId);
  const preview = useDatasetsStore((s) => s.preview);
  const remove = useDatasetsStore((s) => s.remove);
  const [confirming, setConfirming] = useState<string | null>(null);
  if (datasets === null) return <p className="data-hint">Reading stored datasets…</p>;
  if (datasets.length === 0) return <p className="data-hint" data-testid="data-empty">No datasets yet. Import a folder of images (one subfolder per class), a zip of one, CIFAR-10/100 batches, .npy/.npz arrays or a CSV, or drop them anywhere on the page.</p>;
  return (
    <table className="data-list" data-testid="data-list">
      <thead>
        <tr><th>Name</th><th>Samples</th><th>Classes</th><th>Shape</th><th>Size</th><th /></tr>
      </thead>
      <tbody>
        {datasets.map((d) => (
          <tr key={d.id} className={d.id === previewId ? 'current' : ''} data-testid="data-row" data-id={d.id}>
            <td><button className="data-link" title="Show its preview" onClick={() => preview(d.id)}>{d.name}</button></td>
            <td>{fmtInt(total(d))}</td>
            <td>{d.classNames.length}</td>
            <td>{fmtShape(d.inputShape)}</td>
            <td>{(d.bytes / 2 ** 20).toFixed(1)} MB</td>
            <td className="data-row-actions">
              {confirming === d.id ? (
                <span className="data-confirm">
                  <button className="btn danger" data-testid="data-delete-confirm" onClick={() => { setConfirming(null); void remove(d.id); }}>Delete</button>
                  <button className="btn" onClick={() => setConfirming(null)}>Keep</button>
                </span>
              ) : (
                <button className="btn outline" data-testid="data-delete" aria-label={`Delete ${d.name}`} onClick={() => setConfirming(d.id)}>Delete</button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Storage() {
  const estimate = useDatasetsStore((s) => s.estimate);
  if (!estimate) return null;
  return (
    <div className="data-hint" data-testid="data-storage">
      Storage: {fmtBytes(estimate.usage)} used, {fmtBytes(estimate.available)} available in this browser.
    </div>
  );
}

/**
 * The Data tab: import a dataset (folder, zip, CIFAR, NumPy, CSV; or drop anywhere), watch the import's progress, see
 * what was imported (classes, examples, shape, split, notes) with one-click fixes to the graph, and manage the stored
 * datasets. Importing runs in a worker; errors stay here, name the file, and change nothing else.
 */
export function DataPanel({ graph, onUpdateParams }: DataPanelProps) {
  const importing = useDatasetsStore((s) => s.importing);
  const error = useDatasetsStore((s) => s.error);
  const skipped = useDatasetsStore((s) => s.skipped);
  const datasets = useDatasetsStore((s) => s.datasets);
  const previewId = useDatasetsStore((s) => s.previewId);
  const inputShape = graphInputShape(graph);
  const shown = datasets?.find((d) => d.id === previewId);

  useEffect(ensureDatasetsLoaded, []);

  return (
    <div className="data-panel" data-testid="data-panel">
      <h3 className="data-title">Datasets</h3>
      <ImportButtons disabled={importing !== null} />
      <div className="data-hint">Image folders (one subfolder per class, optionally under train/ and test/), zip, CIFAR-10/100 .bin or .tar.gz, .npy/.npz, CSV. Or drop files or folders anywhere.</div>
      <Options inputShape={inputShape} disabled={importing !== null} />
      <ImportProgress />
      {error && (
        <div className="data-error" role="alert" data-testid="data-error">
          {error.message}
        </div>
      )}
      {skipped.length > 0 && (
        <ul className="data-skipped" data-testid="data-skipped">
          {skipped.map((s, i) => <li key={i}>{s}</li>)}
        </ul>
      )}
      {shown && <Preview meta={shown} graph={graph} onUpdateParams={onUpdateParams} />}
      <h4 className="data-subtitle">Stored in this browser</h4>
      <DatasetList />
      <Storage />
    </div>
  );
}
