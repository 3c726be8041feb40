import { fmtShape } from '../../../nodes/index';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { inferGraph } from '../../graph/infer';
import type { Graph } from '../../graph/types';
import { trainingClient } from '../../store/training-client';
import { checkCompatibility, fittingDataset, type CompatIssue } from '../../train/compat';
import { datasetInfoFromMeta, datasetList, type DatasetInfo } from '../../train/datasets/index';
import { describeEstimate, estimateTrainingMemory } from '../../train/memory';
import { noAugmentation, type Augmentation } from '../../data/types';
import { ensureDatasetsLoaded, useDatasetsStore } from '../../store/datasets';
import { BACKENDS, OPTIMIZERS, trainSettingsSchema, type BackendName, type BackendReport, type EpochMetrics, type TrainSettings } from '../../train/protocol';
import { replicaCount } from '../../train/replicas';
import { describeDecision, forgetBackendCache } from '../../train/backend-probe';
import { updateTrainSettings, useTrainingStore, type BatchPoint } from '../../store/training';
import { describeBackend, formatDuration, formatPercent, formatRate, parseNumber } from './format';
import { StaleRun } from './StaleRun';
import { CarryOption } from './CarryOption';
import { ResumeInterrupted, SilentWorker } from './WorkerHealth';
import { useTrainedWeights } from '../stale';
import { carriedStart } from '../../store/training-client';
import { useRunsStore } from '../../store/runs';
import { useInstanceProblems } from '../../store/doc';
import './train.css';

export interface TrainPanelProps {
  graph: Graph;
  projectName: string;
  onUpdateParams(nodeId: string, patch: Record<string, unknown>): void;
}

const OPTIMIZER_LABEL: Record<(typeof OPTIMIZERS)[number], string> = { adam: 'Adam', sgd: 'SGD (momentum)', rmsprop: 'RMSprop' };
const LOSS_LABEL = {
  categoricalCrossentropy: 'categorical cross-entropy (softmax head)',
  softmaxCrossEntropyFromLogits: 'softmax cross-entropy from logits (linear head)',
  binaryCrossentropy: 'binary cross-entropy (sigmoid head)',
} as const;

/** A number input that keeps what the user types and commits only values the settings schema accepts. */
function NumberField(props: { label: string; testId: string; value: number | undefined; field: keyof TrainSettings; optional?: boolean; placeholder?: string; disabled?: boolean; step?: string }) {
  const [text, setText] = useState(props.value === undefined ? '' : String(props.value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => (parseNumber(t) === props.value ? t : props.value === undefined ? '' : String(props.value)));
  }, [props.value]);
  const commit = (t: string) => {
    setText(t);
    const v = parseNumber(t);
    if (v === undefined) {
      if (props.optional && t.trim() === '') {
        setError(null);
        updateTrainSettings({ [props.field]: undefined });
      } else setError('enter a number');
      return;
    }
    const check = trainSettingsSchema.shape[props.field].safeParse(v);
    if (!check.success) {
      setError(check.error.issues[0]?.message ?? 'invalid');
      return;
    }
    setError(null);
    updateTrainSettings({ [props.field]: v });
  };
  const id = `train-${props.field}`;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <div className="field-control">
        <input id={id} type="text" inputMode="decimal" data-testid={props.testId} value={text} placeholder={props.placeholder} disabled={props.disabled} onChange={(e) => commit(e.target.value)} />
      </div>
      {error && <div className="field-msg">{error}</div>}
    </div>
  );
}

function Issues({ issues, onUpdateParams, disabled }: { issues: CompatIssue[]; onUpdateParams: TrainPanelProps['onUpdateParams']; disabled: boolean }) {
  if (issues.length === 0) return null;
  return (
    <ul className="train-issues" data-testid="train-issues">
      {issues.map((i, k) => (
        <li key={k} className={`train-issue ${i.severity}`}>
          <span>{i.message}</span>
          {i.fix && (
            <button className="btn outline" data-testid="train-fix" disabled={disabled} onClick={() => onUpdateParams(i.fix!.nodeId, i.fix!.patch)}>
              {i.fix.label}
            </button>
          )}
          {i.settingsFix && (
            <button className="btn outline" data-testid="train-fix" disabled={disabled} onClick={() => updateTrainSettings(i.settingsFix!.patch)}>
              {i.settingsFix.label}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Most batch points a chart draws: a 170 px chart cannot show more, and each re-render costs per point. */
const MAX_DRAWN_POINTS = 300;
/** How often the curves redraw while training (the progress line updates with every batch message). */
const CHART_REFRESH_MS = 1000;

/**
 * `value`, but changing at most once per `ms`: the latest value is shown when the interval has passed. Redrawing two
 * recharts charts at every batch message (10 Hz) kept the main thread busy nearly all the time, which took a core from
 * the training workers and made the editor sluggish.
 */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const [lastAt, setLastAt] = useState(0);
  useEffect(() => {
    if (value === shown) return;
    const wait = Math.max(0, lastAt + ms - performance.now());
    const t = setTimeout(() => {
      setShown(value);
      setLastAt(performance.now());
    }, wait);
    return () => clearTimeout(t);
  }, [value, shown, lastAt, ms]);
  return shown;
}

function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}

function Charts() {
  const batchesLive = useTrainingStore((s) => s.history.batches);
  const epochs = useTrainingStore((s) => s.history.epochs);
  const status = useTrainingStore((s) => s.status);
  // While training the curves lag by at most a second; once it stops they show everything at once.
  const throttled = useThrottled(batchesLive, CHART_REFRESH_MS);
  const batches = status === 'training' ? throttled : batchesLive;
  return <ChartsView batches={batches} epochs={epochs} />;
}

const ChartsView = memo(function ChartsView({ batches: allBatches, epochs }: { batches: BatchPoint[]; epochs: EpochMetrics[] }) {
  const batches = useMemo(() => thin(allBatches, MAX_DRAWN_POINTS), [allBatches]);
  const epochPoints = useMemo(() => epochs.map((e) => ({ x: e.epoch, loss: e.loss, acc: e.acc, valLoss: e.valLoss, valAcc: e.valAcc })), [epochs]);
  if (batches.length === 0 && epochs.length === 0) return <p className="train-hint">Curves appear here while the model trains.</p>;
  const hasVal = epochs.some((e) => e.valLoss !== undefined);
  const xAxis = <XAxis dataKey="x" type="number" domain={[0, 'dataMax']} allowDecimals tickFormatter={(v: number) => String(Math.round(v * 10) / 10)} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />;
  const chart = (title: string, testId: string, key: 'loss' | 'acc', valKey: 'valLoss' | 'valAcc') => (
    <div className="train-chart" data-testid={testId}>
      <div className="train-chart-title">{title}</div>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart margin={{ top: 4, right: 12, bottom: 12, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
          {xAxis}
          <YAxis width={44} fontSize={11} domain={key === 'acc' ? [0, 1] : ['auto', 'auto']} tickFormatter={(v: number) => (key === 'acc' ? `${Math.round(v * 100)}%` : v.toFixed(2))} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? (key === 'acc' ? formatPercent(v) : v.toFixed(4)) : String(v))} labelFormatter={(l) => `epoch ${Number(l).toFixed(2)}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Line data={batches} dataKey={key} name="batch (smoothed)" stroke="#3b5bdb" dot={false} isAnimationActive={false} strokeWidth={1.5} />
          <Line data={epochPoints} dataKey={key} name="epoch train" stroke="#c2255c" isAnimationActive={false} />
          {hasVal && <Line data={epochPoints} dataKey={valKey} name="validation" stroke="#2b8a3e" isAnimationActive={false} strokeDasharray="4 3" />}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
  return (
    <>
      {chart('Loss', 'train-loss-chart', 'loss', 'valLoss')}
      {chart('Accuracy', 'train-acc-chart', 'acc', 'valAcc')}
    </>
  );
});

function Progress() {
  const p = useTrainingStore((s) => s.progress);
  const settings = useTrainingStore((s) => s.settings);
  const status = useTrainingStore((s) => s.status);
  if (!p) return null;
  const frac = p.total > 0 ? p.seen / p.total : 0;
  return (
    <div className="train-progress" data-testid="train-progress">
      <div className="train-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(frac * 100)}>
        <div className="train-bar-fill" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </div>
      <div className="train-progress-text">
        Epoch {p.epoch}/{settings.epochs} · batch {p.batch}/{p.batchesPerEpoch} · <span data-testid="train-rate">{formatRate(p.samplesPerSec)}</span>
        {status === 'training' && <> · ETA {formatDuration(p.etaSec)}</>}
      </div>
      <div className="train-progress-text">
        loss <b data-testid="train-loss">{p.smoothLoss.toFixed(4)}</b> · accuracy <b>{formatPercent(p.smoothAcc)}</b>
      </div>
    </div>
  );
}

function EpochTable() {
  const epochs = useTrainingStore((s) => s.history.epochs);
  if (epochs.length === 0) return null;
  return (
    <table className="train-epochs" data-testid="train-epochs">
      <thead>
        <tr><th>epoch</th><th>loss</th><th>acc</th><th>val loss</th><th>val acc</th><th title="Wall time of that epoch's training and validation passes; loading data, compiling and the final test are not in it">epoch time</th></tr>
      </thead>
      <tbody>
        {epochs.map((e) => (
          <tr key={e.epoch}>
            <td>{e.epoch}</td><td>{e.loss.toFixed(4)}</td><td>{formatPercent(e.acc)}</td>
            <td>{e.valLoss === undefined ? '–' : e.valLoss.toFixed(4)}</td><td>{formatPercent(e.valAcc)}</td><td>{e.seconds.toFixed(1)} s</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Why the run trains on its backend: the probe's figures, the cached probe, or "chosen by you"; for a probed choice,
 * a link that forgets the remembered choices so that the next `auto` run measures again.
 */
function BackendWhy({ decision }: { decision: NonNullable<BackendReport['decision']> }) {
  const [forgotten, setForgotten] = useState(false);
  useEffect(() => setForgotten(false), [decision]);
  const probed = decision.how === 'probed' || decision.how === 'cached';
  return (
    <div className="train-hint train-backend-why" data-testid="train-backend-why" data-how={decision.how}>
      Why: {describeDecision(decision)}
      {probed && !forgotten && (
        <> · <button type="button" className="link-btn" data-testid="train-backend-reprobe" title="Forget the backend choices remembered in this browser; the next run with “fastest here” measures again"
          onClick={() => {
            forgetBackendCache();
            setForgotten(true);
          }}>measure again next run</button></>
      )}
      {forgotten && <> · <span data-testid="train-backend-forgotten">forgotten: the next run measures again</span></>}
    </div>
  );
}

/**
 * The Train tab: pick a dataset and settings, see what stops the graph from training (with one-click fixes), train in a
 * worker and watch loss/accuracy curves, progress, and the final test accuracy. Training never blocks the editor.
 */
export function TrainPanel({ graph, projectName, onUpdateParams }: TrainPanelProps) {
  const settings = useTrainingStore((s) => s.settings);
  const status = useTrainingStore((s) => s.status);
  const phase = useTrainingStore((s) => s.phase);
  const message = useTrainingStore((s) => s.message);
  const run = useTrainingStore((s) => s.run);
  const outcome = useTrainingStore((s) => s.outcome);
  const test = useTrainingStore((s) => s.test);
  const available = useTrainingStore((s) => s.available);
  const inference = useMemo(() => inferGraph(graph), [graph]);
  const stored = useDatasetsStore((s) => s.datasets);
  const storedInfo = useMemo(() => (stored ?? []).map(datasetInfoFromMeta), [stored]);
  const storedMeta = stored?.find((d) => d.id === settings.datasetId);
  const dataset: DatasetInfo | undefined = datasetList.find((d) => d.id === settings.datasetId) ?? storedInfo.find((d) => d.id === settings.datasetId);
  // The backend and workers a run would get: `auto` takes the first that initialises here (wasm until probed).
  const backend: BackendName = settings.backend === 'auto' ? available?.[0] ?? 'wasm' : settings.backend;
  const workers = replicaCount({
    backend, fastKernels: settings.fastKernels, workers: settings.workers, batchSize: settings.batchSize,
    cores: typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1,
    sharedMemory: typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined',
  });
  const memory = useMemo(
    () => (inference.valid ? estimateTrainingMemory(graph, inference, settings, backend, workers) : undefined),
    [graph, inference, settings, backend, workers],
  );
  // A block instance with a problem (an input port nothing feeds) can still flatten into a graph that trains, a merge
  // taking one input fewer: the network would not be the one drawn, so the problem blocks training like a layer's.
  const instanceProblems = useInstanceProblems();
  const issues = useMemo<CompatIssue[]>(
    () => [
      ...instanceProblems.map((p): CompatIssue => ({ severity: 'error', message: `${p.message.charAt(0).toUpperCase()}${p.message.slice(1)}.`, nodeIds: [p.nodeId] })),
      ...(dataset
        ? checkCompatibility(graph, inference, dataset, memory)
        : [{ severity: 'error', message: stored === null ? 'Reading the imported datasets…' : `The dataset "${settings.datasetId}" is no longer stored in this browser; pick another.`, nodeIds: [] } satisfies CompatIssue]),
    ],
    [instanceProblems, graph, inference, dataset, memory, stored, settings.datasetId],
  );
  const canAugment = storedMeta?.kind === 'image' || (dataset !== undefined && !storedMeta && dataset.inputShape.length === 3);
  const augment = settings.augment ?? noAugmentation;
  const setAugment = (patch: Partial<Augmentation>) => set({ augment: { ...augment, ...patch } });
  const blocked = issues.some((i) => i.severity === 'error');
  const active = status === 'training' || status === 'loading' || status === 'paused';

  useEffect(() => {
    if (useTrainingStore.getState().available === null) trainingClient().probe();
  }, []);
  useEffect(ensureDatasetsLoaded, []);

  // When the panel opens on a graph the chosen dataset does not fit but another fits as it is (the X/O or waveform
  // presets), pick that one; the user's choice is never overridden afterwards.
  useEffect(() => {
    // Only a dataset mismatch switches datasets: a step too large for memory is the batch's business.
    if (!dataset) return; // an imported dataset still being read, or one no longer stored: the user picks
    const mismatched = checkCompatibility(graph, inference, dataset).some((i) => i.severity === 'error');
    if (!mismatched || useTrainingStore.getState().status !== 'idle') return;
    const fits = fittingDataset(graph, inference); // never the chosen one: that one does not fit
    if (fits) updateTrainSettings({ datasetId: fits.id });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const set = (patch: Partial<TrainSettings>) => updateTrainSettings(patch);
  // After an edit of a trained design: the next run may start from the weights of the layers the edit left alone.
  const { carry, designChanged } = useTrainedWeights(graph, inference);
  const weightsKey = useTrainingStore((s) => s.weightsGraphKey);
  const sourceRunId = useRunsStore((s) => s.runs.find((r) => r.fingerprint === weightsKey && r.kept.length > 0)?.id);
  const canCarry = designChanged && !!carry && carry.kept.length > 0;
  const [fromKept, setFromKept] = useState(false);
  const startRun = () => trainingClient().start(graph, undefined, canCarry && fromKept ? carriedStart(carry!, sourceRunId) ?? undefined : undefined);
  const backendText = run ? describeBackend(run.backend) : null;

  // A run folds the settings away so that the curves come into view; the user can open them again at any time.
  const [settingsOpen, setSettingsOpen] = useState(!active);
  const wasActive = useRef(active);
  const curves = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (active && !wasActive.current) {
      setSettingsOpen(false);
      requestAnimationFrame(() => curves.current?.scrollIntoView({ block: 'nearest' }));
    }
    wasActive.current = active;
  }, [active]);
  const settingsLine = `${OPTIMIZER_LABEL[settings.optimizer]}, rate ${settings.learningRate}, batch ${settings.batchSize}, ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}`;

  return (
    <div className="train-panel" data-testid="train-panel">
      <h3 className="train-title">Train “{projectName}”</h3>
      <div className="field">
        <label htmlFor="train-dataset">Dataset</label>
        <div className="field-control">
          <select id="train-dataset" data-testid="train-dataset" value={settings.datasetId} disabled={active} onChange={(e) => set({ datasetId: e.target.value as TrainSettings['datasetId'] })}>
            {[...datasetList, ...storedInfo].map((d) => (
              <option key={d.id} value={d.id}>{d.name} ({fmtShape(d.inputShape)}, {d.numClasses} classes)</option>
            ))}
            {!dataset && <option value={settings.datasetId}>{settings.datasetId}</option>}
          </select>
          {dataset && <div className="train-hint">{dataset.description}</div>}
        </div>
      </div>
      <Issues issues={issues} onUpdateParams={onUpdateParams} disabled={active} />

      <details className="train-settings" open={settingsOpen} onToggle={(e) => setSettingsOpen(e.currentTarget.open)} data-testid="train-settings">
        <summary>
          Settings{!settingsOpen && <span className="train-settings-line"> · {settingsLine}</span>}
        </summary>
        <div className="field">
          <label htmlFor="train-optimizer">Optimizer</label>
          <div className="field-control">
            <select id="train-optimizer" data-testid="train-optimizer" value={settings.optimizer} disabled={active} onChange={(e) => set({ optimizer: e.target.value as TrainSettings['optimizer'] })}>
              {OPTIMIZERS.map((o) => <option key={o} value={o}>{OPTIMIZER_LABEL[o]}</option>)}
            </select>
          </div>
        </div>
        <NumberField label="Learning rate" testId="train-lr" field="learningRate" value={settings.learningRate} disabled={active} />
        {settings.optimizer !== 'adam' && <NumberField label="Momentum" testId="train-momentum" field="momentum" value={settings.momentum} disabled={active} />}
        <NumberField label="Batch size" testId="train-batch" field="batchSize" value={settings.batchSize} disabled={active} />
        <NumberField label="Epochs" testId="train-epochs-input" field="epochs" value={settings.epochs} disabled={active} />
        <NumberField label="Validation split" testId="train-val" field="validationSplit" value={settings.validationSplit} disabled={active} />
        <NumberField label="Training samples" testId="train-limit" field="trainLimit" value={settings.trainLimit} optional placeholder="all" disabled={active} />
        <NumberField label="Seed" testId="train-seed" field="seed" value={settings.seed} disabled={active} />
        <div className="field">
          <label htmlFor="train-reproducible">Reproducible</label>
          <div className="field-control">
            <input id="train-reproducible" type="checkbox" data-testid="train-reproducible" checked={settings.reproducible ?? false} disabled={active} onChange={(e) => set({ reproducible: e.target.checked })} />
            <div className="train-hint" data-testid="train-seed-hint">
              The seed fixes the initial weights, the validation split, shuffling, augmentation and dropout.
              {settings.reproducible
                ? ' Batches are split evenly across the workers: the same seed, settings, backend and worker count give the same numbers on every run.'
                : ' With several workers, how a batch is split follows their measured speed, which changes rounding (and BatchNorm statistics) from run to run; tick this to split evenly and get the same numbers every time.'}
            </div>
          </div>
        </div>
        <div className="field">
          <label htmlFor="train-shuffle">Shuffle</label>
          <div className="field-control">
            <input id="train-shuffle" type="checkbox" checked={settings.shuffle} disabled={active} onChange={(e) => set({ shuffle: e.target.checked })} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="train-flip" title="Random changes of the training images at every epoch (never of validation or test samples)">Augmentation</label>
          <div className="field-control train-augment" data-testid="train-augment">
            <label><input id="train-flip" type="checkbox" data-testid="train-aug-flip" checked={augment.flip} disabled={active || !canAugment} onChange={(e) => setAugment({ flip: e.target.checked })} /> flip</label>
            <label>shift <input type="number" min={0} max={16} step={1} data-testid="train-aug-shift" value={augment.shift} disabled={active || !canAugment}
              onChange={(e) => setAugment({ shift: Math.max(0, Math.min(16, Math.round(Number(e.target.value) || 0))) })} /> px</label>
            <label>rotate <input type="number" min={0} max={45} step={1} data-testid="train-aug-rotate" value={augment.rotate} disabled={active || !canAugment}
              onChange={(e) => setAugment({ rotate: Math.max(0, Math.min(45, Number(e.target.value) || 0)) })} /> °</label>
            {!canAugment && <div className="train-hint">For image datasets only.</div>}
          </div>
        </div>
        <div className="field">
          <label htmlFor="train-backend">Backend</label>
          <div className="field-control">
            <select id="train-backend" data-testid="train-backend" value={settings.backend} disabled={active} onChange={(e) => set({ backend: e.target.value as TrainSettings['backend'] })}>
              <option value="auto">fastest here (measured on this model)</option>
              {BACKENDS.map((b) => (
                <option key={b} value={b} disabled={available !== null && !available.includes(b)}>
                  {b}{available !== null && !available.includes(b) ? ' (unavailable)' : ''}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor="train-workers" title="wasm only: workers that each train on a slice of every batch and average their gradients (needs a cross-origin isolated page)">Workers</label>
          <div className="field-control">
            <select id="train-workers" data-testid="train-workers" value={settings.workers ?? 'auto'} disabled={active || (settings.backend !== 'auto' && settings.backend !== 'wasm')}
              onChange={(e) => set({ workers: e.target.value === 'auto' ? undefined : Number(e.target.value) })}>
              <option value="auto">one per core{typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? ` (${Math.min(4, navigator.hardwareConcurrency)})` : ''}</option>
              {[1, 2, 3, 4].map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
        </div>
      </details>

      {memory && <div className="train-hint" data-testid="train-memory">Memory: {describeEstimate(memory)}</div>}

      {canCarry && !active && <CarryOption carry={carry!} checked={fromKept} onChange={setFromKept} disabled={active} />}

      <div className="train-actions">
        {!active && (
          <button className="btn primary" data-testid="train-start" disabled={blocked} title={blocked ? 'Fix the problems above first' : undefined} onClick={startRun}>
            Train
          </button>
        )}
        {status === 'training' && <button className="btn" data-testid="train-pause" onClick={() => trainingClient().pause()}>Pause</button>}
        {status === 'paused' && <button className="btn" data-testid="train-resume" onClick={() => trainingClient().resume()}>Resume</button>}
        {active && <button className="btn outline" data-testid="train-stop" onClick={() => trainingClient().stop()}>Stop</button>}
        <span className="train-status" data-testid="train-status" data-status={status}>{phase}</span>
      </div>
      <StaleRun graph={graph} inference={inference} blocked={blocked} onRetrain={startRun} fromKept={canCarry && fromKept} />
      <SilentWorker />
      {backendText && (
        <div className="train-hint" data-testid="train-backend-used">
          Backend: {backendText} · loss: {LOSS_LABEL[run!.loss]} · {run!.trainSamples.toLocaleString('en-US')} train / {run!.valSamples.toLocaleString('en-US')} validation samples
        </div>
      )}
      {run?.backend.decision && <BackendWhy decision={run.backend.decision} />}
      {message && <div className={`train-message ${message.kind}`} data-testid="train-message" role={message.kind === 'error' ? 'alert' : undefined}>{message.text}</div>}
      <ResumeInterrupted />
      <Progress />
      {test && (
        <div className="train-result" data-testid="train-test-acc">
          Test accuracy <b>{formatPercent(test.acc, 2)}</b> (loss {test.loss.toFixed(4)}, {run?.testSamples.toLocaleString('en-US')} samples)
        </div>
      )}
      {outcome && (
        <div className="train-hint" data-testid="train-total-time" title="From pressing Train to the end of the run: choosing the backend, loading the data, compiling, every epoch's training and validation, and the final test">
          {outcome.epochsDone} epoch{outcome.epochsDone === 1 ? '' : 's'} in {formatDuration(outcome.seconds)} in all (loading data, compiling and testing included; the table's epoch time counts training and validation only)
        </div>
      )}
      <div className="train-curves" ref={curves}>
        <Charts />
      </div>
      <EpochTable />
    </div>
  );
}
