import type * as tfjs from '@tensorflow/tfjs';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { getLayerKind } from '../../../nodes/index';
import type { Graph, GraphInference } from '../../graph/types';
import { datasetList, fetchReader, loadDataset, type Dataset, type DatasetId } from '../../train/datasets/index';
import { modelInput } from '../../train/datasets/input';
import { useTrainingStore } from '../../store/training';
import { Compression } from './Compression';
import { DrawPad } from './DrawPad';
import { evaluate, Evaluation, type EvalResult } from './Evaluation';
import { Explainer } from './Explainer';
import { drawImage, drawPlane, drawSeries } from './heatmap';
import { Tile } from './Tile';
import { useInspectModel } from './useInspectModel';
import './inspect.css';

export interface InspectPanelProps {
  graph: Graph;
  inference: GraphInference;
  /** Replaces the graph as one undoable edit (the separable transform). */
  onReplaceGraph(g: Graph): void;
  selectedNodeId?: string;
}

interface Sample {
  data: Float32Array;
  label?: number;
  source: string;
}

interface Activation {
  nodeId: string;
  name: string;
  kind: string;
  shape: number[];
  data: Float32Array;
}

const MAX_CHANNELS = 32;
/** Above this many MACs per image, feature maps wait for a click instead of following every stroke. */
const AUTO_RUN_MACS = 2e8;
const EVAL_LIMITS = [500, 1000, 10000];
/** Above this many params the model (weights initialised in the page's memory) is built only on request. */
const AUTO_BUILD_PARAMS = 5e6;

function Section({ title, children, testid, open = true }: { title: string; children: ReactNode; testid?: string; open?: boolean }) {
  return (
    <details className="ins-section" open={open} data-testid={testid}>
      <summary>{title}</summary>
      <div className="ins-section-body">{children}</div>
    </details>
  );
}

/**
 * The test split only: the prepared datasets' loader also fetches the 47 MB training file, which inspection never needs.
 * Generated datasets (X/O, waveforms) come from `loadDataset` as they are cheap.
 */
async function loadTestSplit(id: DatasetId, limit: number): Promise<Dataset> {
  if (id !== 'mnist' && id !== 'fashion-mnist') return loadDataset(id, { testLimit: limit, trainLimit: 0 });
  const read = fetchReader(import.meta.env.BASE_URL);
  const meta = JSON.parse(new TextDecoder().decode(await read(id, 'meta.json'))) as { inputShape: number[]; numClasses: number; classNames: string[]; test: { n: number } };
  const size = meta.inputShape.reduce((a, b) => a * b, 1);
  const [images, labels] = await Promise.all([read(id, 'test-images.u8'), read(id, 'test-labels.u8')]);
  if (images.length !== meta.test.n * size || labels.length !== meta.test.n) throw new Error(`${id}: the test files do not match meta.json; run \`node scripts/prepare.mjs\``);
  const n = Math.min(limit, meta.test.n);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = images[i] / 255;
  const empty = { x: new Float32Array(0), y: new Uint8Array(0), n: 0 };
  return { id, inputShape: meta.inputShape, numClasses: meta.numClasses, classNames: meta.classNames, train: empty, test: { x, y: labels.slice(0, n), n } };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The Inspect tab: run one image (drawn, or from the test set) through the model and see every conv and pooling
 * layer's feature maps and the top-k prediction; learned filters; confusion matrix, per-class accuracy and
 * misclassified images after training; the compression analysis with the one-click separable transform; and the
 * X-versus-O convolution explainer. Uses the trained weights of the Train tab when they fit the graph.
 */
export function InspectPanel({ graph, inference, onReplaceGraph, selectedNodeId }: InspectPanelProps) {
  const weights = useTrainingStore((s) => s.weights);
  const storeDataset = useTrainingStore((s) => s.datasetId);
  const big = inference.totals.params > AUTO_BUILD_PARAMS;
  const [buildBig, setBuildBig] = useState(false);
  const m = useInspectModel(graph, inference, weights, !big || buildBig);
  const inputId = inference.inputs.length === 1 ? inference.inputs[0] : undefined;
  const inShape = (inputId && inference.nodes[inputId]?.outputShape) || undefined;
  const datasets = useMemo(() => (inShape ? datasetList.filter((d) => sameShape(d.inputShape, inShape)) : []), [inShape]);
  const dsInfo = datasets.find((d) => d.id === storeDataset) ?? datasets[0];
  const canDraw = !!inShape && inShape.length === 3;
  const [mode, setMode] = useState<'draw' | 'dataset'>('draw');
  const source = canDraw ? mode : 'dataset';
  const [sample, setSample] = useState<Sample | null>(null);
  const [ds, setDs] = useState<Dataset | null>(null);
  const [dsError, setDsError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  // The index a click asked for, ahead of the (async) load: quick ◀/▶ clicks step from it, not from a stale render.
  const wanted = useRef(0);
  const [acts, setActs] = useState<{ layers: Activation[]; output: Float32Array; source: string } | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [evalLimit, setEvalLimit] = useState(1000);
  const [evalState, setEvalState] = useState<{ running: boolean; done: number; result?: EvalResult; error?: string }>({ running: false, done: 0 });
  const [filterLayer, setFilterLayer] = useState<string | undefined>(undefined);
  const heavy = inference.totals.macs > AUTO_RUN_MACS;

  // The layers whose maps we show: conv and pooling with spatial outputs (H×W×C or L×C).
  const mapNodes = useMemo(
    () =>
      inference.order
        .map((id) => graph.nodes.find((n) => n.id === id)!)
        .filter((n) => {
          const cat = getLayerKind(n.kind)?.ui.category;
          const s = inference.nodes[n.id].outputShape;
          return (cat === 'conv' || cat === 'pool') && s && s.length >= 2;
        }),
    [graph, inference],
  );
  const convNodes = useMemo(() => mapNodes.filter((n) => n.kind === 'Conv2D' || n.kind === 'Conv1D' || n.kind === 'DepthwiseConv2D'), [mapNodes]);

  useEffect(() => setActs(null), [m.model]);
  useEffect(() => {
    setDs(null);
    setDsError(null);
    setEvalState({ running: false, done: 0 });
  }, [dsInfo?.id]);

  const loadDs = useCallback(async () => {
    if (!dsInfo) return null;
    if (ds && ds.id === dsInfo.id && ds.test.n >= Math.min(evalLimit, 10000)) return ds;
    try {
      const loaded = await loadTestSplit(dsInfo.id as DatasetId, Math.max(evalLimit, 1000));
      setDs(loaded);
      return loaded;
    } catch (e) {
      setDsError(`Could not load ${dsInfo.name}: ${(e as Error).message}`);
      return null;
    }
  }, [dsInfo, ds, evalLimit]);

  const pickTest = useCallback(
    async (i: number) => {
      wanted.current = i;
      const d = await loadDs();
      if (wanted.current !== i) return;
      if (!d) return;
      const n = d.test.n;
      const k = ((i % n) + n) % n;
      wanted.current = k;
      setIndex(k);
      setSample({ data: modelInput(d, 'test', k, k + 1), label: d.test.y[k], source: `${dsInfo!.name} test #${k}` });
    },
    [loadDs, dsInfo],
  );

  const run = useCallback(
    (s: Sample) => {
      if (m.status !== 'ready' || !m.tf || !m.model || !inShape) return;
      const tf = m.tf;
      const model = m.model;
      try {
        const outs = mapNodes.map((n) => model.getLayer(n.name).output as tfjs.SymbolicTensor);
        const probe = tf.model({ inputs: model.inputs, outputs: [...outs, model.outputs[0]] });
        const size = inShape.reduce((a, b) => a * b, 1);
        const c = inShape[inShape.length - 1];
        // A drawing is one grey plane: copy it into every channel.
        const x = s.data.length === size ? s.data : Float32Array.from({ length: size }, (_v, i) => s.data[Math.floor(i / c)]);
        const res = tf.tidy(() => {
          const r = probe.predict(tf.tensor(x, [1, ...inShape]));
          const list = Array.isArray(r) ? r : [r];
          return list.map((t) => ({ shape: t.shape.slice(1) as number[], data: t.dataSync() as Float32Array }));
        });
        setActs({
          layers: mapNodes.map((n, i) => ({ nodeId: n.id, name: n.name, kind: n.kind, shape: res[i].shape, data: res[i].data })),
          output: res[res.length - 1].data,
          source: s.source,
        });
        setRunError(null);
      } catch (e) {
        setRunError((e as Error).message);
      }
    },
    [m, inShape, mapNodes],
  );

  useEffect(() => {
    if (sample && !heavy) run(sample);
  }, [sample, run, heavy]);

  const classNames = ds && acts && acts.output.length === ds.numClasses ? ds.classNames : undefined;
  const topk = useMemo(() => {
    if (!acts) return [];
    const out = acts.output;
    if (out.length === 1) return [{ k: 1, p: out[0] }, { k: 0, p: 1 - out[0] }];
    return [...out].map((p, k) => ({ k, p })).sort((a, b) => b.p - a.p).slice(0, 5);
  }, [acts]);

  const filterNodes = convNodes.filter((n) => n.kind === 'Conv2D');
  const shownFilter = filterNodes.find((n) => n.id === (filterLayer ?? selectedNodeId)) ?? filterNodes[0];

  const runEval = async () => {
    if (!m.tf || !m.model) return;
    const d = await loadDs();
    if (!d) return;
    setEvalState({ running: true, done: 0 });
    try {
      const result = await evaluate(m.tf, m.model, d, evalLimit, (done) => setEvalState((s) => ({ ...s, done })));
      setEvalState({ running: false, done: result.n, result });
    } catch (e) {
      setEvalState({ running: false, done: 0, error: (e as Error).message });
    }
  };

  return (
    <div className="ins" data-testid="inspect-panel">
      {big && !buildBig && (
        <p className="ins-note">
          This model has {inference.totals.params.toLocaleString('en-US')} params; building it here takes a while and {Math.round((inference.totals.params * 4) / 1048576)} MB.{' '}
          <button className="btn" onClick={() => setBuildBig(true)} data-testid="inspect-build">
            Build it
          </button>
        </p>
      )}
      {m.note && <p className={m.status === 'error' ? 'ins-error' : 'ins-note'}>{m.note}</p>}
      <p className="small muted" data-testid="inspect-weights">
        {m.status === 'idle' ? 'The model is not built yet.' : m.status === 'loading' ? 'Building the model…' : m.trained ? 'Using the trained weights.' : 'Untrained: fresh random weights (train in the Train tab, or import a tfjs model).'}
      </p>

      <Section title="Input and prediction" testid="inspect-input">
        {!inShape && <p className="muted">The graph needs exactly one valid Input to run images through it.</p>}
        {inShape && (
          <>
            <div className="ins-row">
              {canDraw && (
                <button className={`btn${source === 'draw' ? ' active' : ''}`} onClick={() => setMode('draw')} data-testid="input-draw">
                  Draw
                </button>
              )}
              <button
                className={`btn${source === 'dataset' ? ' active' : ''}`}
                disabled={!dsInfo}
                title={dsInfo ? `Images from ${dsInfo.name}` : `No dataset has ${inShape.join('×')} samples`}
                onClick={() => (setMode('dataset'), void pickTest(index))}
                data-testid="input-dataset"
              >
                Test image
              </button>
              {heavy && sample && (
                <button className="btn primary" onClick={() => run(sample)} data-testid="inspect-run">
                  Run
                </button>
              )}
            </div>
            <div className="ins-input">
              {source === 'draw' && canDraw && (
                <DrawPad h={inShape[0]} w={inShape[1]} onChange={(data) => setSample({ data, source: 'drawing' })} />
              )}
              {source === 'dataset' && dsInfo && (
                <div className="ins-pad">
                  {sample && sample.source !== 'drawing' && inShape.length === 3 && (
                    <Tile size={140} title={sample.source} draw={(c) => drawImage(c, sample.data, inShape[0], inShape[1], inShape[2])} />
                  )}
                  {sample && sample.source !== 'drawing' && inShape.length === 2 && (
                    <Tile size={200} height={75} title={sample.source} draw={(c) => drawSeries(c, sample.data, inShape[0], inShape[1])} />
                  )}
                  <div className="ins-row">
                    <button className="btn" onClick={() => void pickTest(wanted.current - 1)} aria-label="Previous image">
                      ◀
                    </button>
                    <span className="small" data-testid="input-index">#{index}</span>
                    <button className="btn" onClick={() => void pickTest(wanted.current + 1)} aria-label="Next image" data-testid="input-next">
                      ▶
                    </button>
                    <button className="btn" onClick={() => void pickTest(Math.floor(Math.random() * (ds?.test.n ?? 1000)))}>
                      Random
                    </button>
                  </div>
                  {sample?.label !== undefined && ds && <div className="small">label: {ds.classNames[sample.label]}</div>}
                  {dsError && <p className="ins-error">{dsError}</p>}
                </div>
              )}
              <div className="ins-pred" data-testid="prediction" data-source={acts?.source ?? ''}>
                {runError && <p className="ins-error">{runError}</p>}
                {!acts && !runError && <p className="muted small">{source === 'draw' ? 'Draw a digit to see what the model makes of it.' : 'Pick an image.'}</p>}
                {topk.map(({ k, p }) => (
                  <div key={k} className="ins-bar-row" data-testid="prediction-bar">
                    <span className="ins-bar-label">{classNames?.[k] ?? String(k)}</span>
                    <span className="ins-bar">
                      <span style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
                    </span>
                    <span className="ins-bar-value">{(100 * p).toFixed(1)}%</span>
                  </div>
                ))}
              </div>
            </div>
          </>
        )}
      </Section>

      <Section title={`Feature maps (${mapNodes.length} conv/pooling layers)`} testid="inspect-feature-maps">
        {!acts && <p className="muted small">Run an image first.</p>}
        {acts?.layers.map((a) => (
          <FeatureMapGrid key={a.nodeId} a={a} highlight={a.nodeId === selectedNodeId} />
        ))}
      </Section>

      <Section title="Learned filters" testid="inspect-filters" open={false}>
        {filterNodes.length === 0 && <p className="muted small">No Conv2D layers.</p>}
        {filterNodes.length > 0 && m.model && shownFilter && (
          <>
            <select value={shownFilter.id} onChange={(e) => setFilterLayer(e.target.value)} data-testid="filter-layer">
              {filterNodes.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name}
                </option>
              ))}
            </select>
            <FilterGrid model={m.model} name={shownFilter.name} />
          </>
        )}
      </Section>

      <Section title="Test set: confusion matrix" testid="inspect-eval" open={!!weights}>
        {!dsInfo && <p className="muted small">No dataset matches the input shape {inShape?.join('×')}.</p>}
        {dsInfo && (
          <>
            <div className="ins-row">
              <button className="btn primary" disabled={evalState.running || m.status !== 'ready'} onClick={() => void runEval()} data-testid="evaluate">
                {evalState.running ? `Evaluating… ${evalState.done}` : `Evaluate on ${dsInfo.name}`}
              </button>
              <select value={evalLimit} onChange={(e) => setEvalLimit(Number(e.target.value))} aria-label="Number of test images">
                {EVAL_LIMITS.map((n) => (
                  <option key={n} value={n}>
                    first {n.toLocaleString('en-US')}
                  </option>
                ))}
              </select>
            </div>
            {!m.trained && <p className="muted small">The model is untrained: expect chance-level accuracy.</p>}
            {evalState.error && <p className="ins-error">{evalState.error}</p>}
            {dsError && <p className="ins-error">{dsError}</p>}
            {evalState.result && ds && (
              <Evaluation
                result={evalState.result}
                ds={ds}
                onPick={(i) => {
                  setMode('dataset');
                  void pickTest(i);
                }}
              />
            )}
          </>
        )}
      </Section>

      <Section title="Compression" testid="inspect-compression">
        <Compression graph={graph} inference={inference} weights={m.trained ? weights : null} onReplaceGraph={onReplaceGraph} />
      </Section>

      <Section title="How a convolution works (X vs O)" testid="inspect-explainer" open={false}>
        <Explainer />
      </Section>
    </div>
  );
}

function FeatureMapGrid({ a, highlight }: { a: Activation; highlight: boolean }) {
  const [all, setAll] = useState(false);
  const c = a.shape[a.shape.length - 1];
  const spatial = a.shape.slice(0, -1);
  const [h, w] = spatial.length === 2 ? spatial : [1, spatial[0]];
  const shown = all ? c : Math.min(c, MAX_CHANNELS);
  const draws = useMemo(
    () => Array.from({ length: c }, (_v, ch) => (canvas: HTMLCanvasElement) => drawPlane(canvas, h, w, (i) => a.data[i * c + ch])),
    [a, c, h, w],
  );
  return (
    <div className={`ins-layer${highlight ? ' hi' : ''}`} data-testid={`fmap-layer-${a.name}`}>
      <div className="ins-layer-head">
        <strong>{a.name}</strong> <span className="muted small">{a.kind} · {a.shape.join('×')}</span>
      </div>
      <div className="ins-grid">
        {draws.slice(0, shown).map((d, ch) => (
          <Tile key={ch} size={spatial.length === 2 ? 48 : 120} height={spatial.length === 2 ? 48 : 16} title={`${a.name} channel ${ch}`} draw={d} testid="fmap-tile" />
        ))}
      </div>
      {c > MAX_CHANNELS && (
        <button className="link small" onClick={() => setAll(!all)}>
          {all ? 'show fewer' : `show all ${c} channels`}
        </button>
      )}
    </div>
  );
}

function FilterGrid({ model, name }: { model: tfjs.LayersModel; name: string }) {
  const kernel = useMemo(() => {
    try {
      const w = model.getLayer(name).getWeights()[0];
      return { shape: w.shape, data: w.dataSync() as Float32Array };
    } catch {
      return null;
    }
  }, [model, name]);
  const [all, setAll] = useState(false);
  if (!kernel || kernel.shape.length !== 4) return <p className="muted small">No kernel.</p>;
  const [kh, kw, cin, cout] = kernel.shape;
  const amp = kernel.data.reduce((s, v) => Math.max(s, Math.abs(v)), 0) || 1;
  const shown = all ? cout : Math.min(cout, 64);
  const draws = useMemo(() => Array.from({ length: cout }, (_v, f) => (canvas: HTMLCanvasElement) => {
    if (cin === 3) {
      const rgb = new Float32Array(kh * kw * 3);
      for (let i = 0; i < kh * kw; i++) for (let ch = 0; ch < 3; ch++) rgb[i * 3 + ch] = kernel.data[(i * cin + ch) * cout + f];
      drawImage(canvas, rgb, kh, kw, 3);
    } else {
      drawPlane(canvas, kh, kw, (i) => {
        let s = 0;
        for (let ch = 0; ch < cin; ch++) s += kernel.data[(i * cin + ch) * cout + f];
        return s / cin;
      }, 'diverging', [-amp, amp]);
    }
  }), [kernel, kh, kw, cin, cout, amp]);
  return (
    <div data-testid="filter-grid">
      <p className="small muted">
        {cout} filters of {kh}×{kw}×{cin}
        {cin === 3 ? ', shown as RGB' : cin > 1 ? ', averaged over the input channels' : ''}; red positive, blue negative.
      </p>
      <div className="ins-grid">
        {Array.from({ length: shown }, (_v, f) => (
          <Tile key={`${name}-${f}`} size={40} title={`${name} filter ${f}`} draw={draws[f]} />
        ))}
      </div>
      {cout > 64 && (
        <button className="link small" onClick={() => setAll(!all)}>
          {all ? 'show fewer' : `show all ${cout}`}
        </button>
      )}
    </div>
  );
}
