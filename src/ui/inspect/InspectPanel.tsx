import { sameShape } from '../../../nodes/index';
import type * as tfjs from '@tensorflow/tfjs';
import { memo, useEffect, useMemo, useState, type ReactNode } from 'react';
import { featureMapNodes, filterImage, filterNodes as filterNodesOf, kernelAmplitude, layerKernel, topK, type Activation } from '../../analysis/activations';
import type { SeparableOptions } from '../../graph/transform';
import type { Graph, GraphInference } from '../../graph/types';
import type { WeightSnapshot } from '../../compile/weights';
import { datasetList } from '../../train/datasets/index';
import { useTrainingStore } from '../../store/training';
import { saveConfusionForDesign, useReplayStore } from '../../store/runs';
import { EpochReplay } from '../runs/EpochReplay';
import { useUiStore } from '../../store/ui';
import { describeCarry, StaleBanner, useTrainedWeights } from '../stale';
import { Compression } from './Compression';
import { DrawPad } from './DrawPad';
import { Evaluation } from './Evaluation';
import { Explainer } from './Explainer';
import { drawImage, drawPlane, drawSeries } from './heatmap';
import { Tile } from './Tile';
import { useActivations, type Sample } from './useActivations';
import { useInspectModel } from './useInspectModel';
import { useEvaluation, useTestSet } from './useTestSet';
import './inspect.css';

export interface InspectPanelProps {
  graph: Graph;
  inference: GraphInference;
  /** Makes a Conv2D (by its id in `graph`) depthwise-separable as one undoable edit, or says why not. */
  onMakeSeparable(nodeId: string, opts: SeparableOptions): { ok: true } | { ok: false; reason: string };
  selectedNodeId?: string;
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
 * The Inspect tab: run one image (drawn, or from the test set) through the model and see every conv and pooling
 * layer's feature maps and the top-k prediction; learned filters; confusion matrix, per-class accuracy and
 * misclassified images after training; the compression analysis with the one-click separable transform; and the
 * X-versus-O convolution explainer. Uses the trained weights of the Train tab when they fit the graph.
 * The tfjs work lives in `analysis/activations` and the hooks; this component holds view state only.
 */
export function InspectPanel({ graph, inference, onMakeSeparable, selectedNodeId }: InspectPanelProps) {
  const trainedWeights = useTrainingStore((s) => s.weights);
  // A replayed epoch (Runs): the weights of a kept epoch of this very design, in place of the latest ones.
  const replayWeights = useReplayStore((s) => s.weights);
  const replayEpoch = useReplayStore((s) => s.epoch);
  const weights = replayWeights ?? trainedWeights;
  const storeDataset = useTrainingStore((s) => s.datasetId);
  const trained = useTrainedWeights(graph, inference);
  const { carry, designChanged } = trained;
  // The trained weights that still fit this graph (renamed to its layer names); the other layers start fresh.
  const applied = replayWeights ?? (carry && carry.kept.length > 0 ? carry.snapshot : null);
  const big = inference.totals.params > AUTO_BUILD_PARAMS;
  const [buildBig, setBuildBig] = useState(false);
  const m = useInspectModel(graph, inference, applied, !big || buildBig, !!replayWeights || (!!carry && carry.fresh.length === 0));
  const inputId = inference.inputs.length === 1 ? inference.inputs[0] : undefined;
  const inShape = (inputId && inference.nodes[inputId]?.outputShape) || undefined;
  const datasets = useMemo(() => (inShape ? datasetList.filter((d) => sameShape(d.inputShape, inShape)) : []), [inShape]);
  const dsInfo = datasets.find((d) => d.id === storeDataset) ?? datasets[0];
  const canDraw = !!inShape && inShape.length === 3;
  const [mode, setMode] = useState<'draw' | 'dataset'>('draw');
  const source = canDraw ? mode : 'dataset';
  const [sample, setSample] = useState<Sample | null>(null);
  const [evalLimit, setEvalLimit] = useState(1000);
  const [filterLayer, setFilterLayer] = useState<string | undefined>(undefined);
  const heavy = inference.totals.macs > AUTO_RUN_MACS;

  const mapNodes = useMemo(() => featureMapNodes(graph, inference), [graph, inference]);
  const filterNodes = useMemo(() => filterNodesOf(mapNodes), [mapNodes]);
  const shownFilter = filterNodes.find((n) => n.id === (filterLayer ?? selectedNodeId)) ?? filterNodes[0];

  const { acts, stale: actsStale, error: runError, run } = useActivations(m, inShape, mapNodes, sample, !heavy);
  const test = useTestSet(dsInfo, evalLimit, setSample);
  // An evaluation holds for one design (fingerprint) with one set of trained weights.
  const evalStamp = useMemo(() => ({ key: trained.key, weights }), [trained.key, weights]);
  const [evalState, runEval] = useEvaluation(m, test, dsInfo?.id, evalLimit, evalStamp);
  const evalStale = evalState.result && evalState.stamp ? staleReason(evalState.stamp, evalStamp) : null;
  const freshIds = useMemo(() => new Set(designChanged && carry ? carry.fresh.map((f) => f.id) : []), [designChanged, carry]);
  const retrain = () => useUiStore.getState().setTab('train');
  const { ds, error: dsError, index, pick: pickTest } = test;
  // Kept with the run the trained weights came from (not for a replayed epoch).
  useEffect(() => {
    if (evalState.result && m.trained && !replayWeights) void saveConfusionForDesign(graph, evalState.result.confusion);
  }, [evalState.result]);

  const classNames = ds && acts && acts.output.length === ds.numClasses ? ds.classNames : undefined;
  const topk = useMemo(() => (acts ? topK(acts.output) : []), [acts]);

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
      {designChanged && carry && (
        <StaleBanner sticky testid="inspect-design-changed" action="Retrain…" onAction={retrain} actionTitle="Open the Train tab to train this design">
          Design changed since training: <span data-testid="inspect-carry" data-kept={carry.kept.map((k) => k.name).join(',')} data-fresh={carry.fresh.map((f) => f.name).join(',')}>{describeCarry(carry)}</span>.
        </StaleBanner>
      )}
      <p className="small muted" data-testid="inspect-weights">
        {m.status === 'idle'
          ? 'The model is not built yet.'
          : m.status === 'loading'
            ? 'Building the model…'
            : !m.trained
              ? 'Untrained: fresh random weights (train in the Train tab, or import a tfjs model).'
              : designChanged
                ? `Using the trained weights of ${carry!.kept.length} of ${carry!.kept.length + carry!.fresh.length} layers: what this tab shows is of a partly trained model.`
                : carry && carry.fresh.length > 0
                  ? `Using the trained weights; ${describeCarry(carry)} (the weights do not fit them).`
                  : 'Using the trained weights.'}
      </p>
      <EpochReplay graph={graph} />

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
                    <button className="btn" onClick={() => void test.step(-1)} aria-label="Previous image">
                      ◀
                    </button>
                    <span className="small" data-testid="input-index">#{index}</span>
                    <button className="btn" onClick={() => void test.step(1)} aria-label="Next image" data-testid="input-next">
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
              <div className={`ins-pred${actsStale ? ' stale-result' : ''}`} data-testid="prediction" data-source={acts?.source ?? ''} data-stale={actsStale}>
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
        {acts && actsStale && (heavy || m.status !== 'loading') && (
          <StaleBanner
            testid="fmaps-stale"
            action="Recompute"
            onAction={() => sample && run(sample)}
            disabled={m.status !== 'ready' || !sample}
            actionTitle={m.status === 'ready' ? undefined : 'The model is not ready (fix the errors in the graph)'}
          >
            The design or the weights changed since these feature maps and the prediction were computed.
          </StaleBanner>
        )}
        <div className={actsStale ? 'stale-result' : undefined} data-testid="fmaps" data-stale={actsStale} data-epoch={acts && !actsStale ? (replayWeights ? replayEpoch : 'latest') : ''}>
          {acts?.layers.map((a) => (
            <FeatureMapGrid key={a.nodeId} a={a} highlight={a.nodeId === selectedNodeId} fresh={!actsStale && freshIds.has(a.nodeId)} />
          ))}
        </div>
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
            {freshIds.has(shownFilter.id) && (
              <p className="small ins-note" data-testid="filters-fresh">
                {shownFilter.name} starts fresh since the design changed: these are random initial filters, not learned ones.
              </p>
            )}
            <FilterGrid model={m.model} weights={m.weights} name={shownFilter.name} />
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
            {evalStale && (
              <StaleBanner testid="eval-stale" action="Recompute" onAction={() => void runEval()} disabled={evalState.running || m.status !== 'ready'}>
                {evalStale} since this evaluation.
              </StaleBanner>
            )}
            {evalState.result && ds && (
              <div className={evalStale ? 'stale-result' : undefined}>
                <Evaluation
                  result={evalState.result}
                  ds={ds}
                  onPick={(i) => {
                    setMode('dataset');
                    void pickTest(i);
                  }}
                />
              </div>
            )}
          </>
        )}
      </Section>

      <Section title="Compression" testid="inspect-compression">
        <Compression graph={graph} inference={inference} weights={m.trained ? applied : null} onMakeSeparable={onMakeSeparable} />
      </Section>

      <Section title="How a convolution works (X vs O)" testid="inspect-explainer" open={false}>
        <Explainer />
      </Section>
    </div>
  );
}

/** Why an evaluation stamped `then` no longer describes the model of `now`, or null when it still does. */
function staleReason(then: { key: string; weights: unknown }, now: { key: string; weights: unknown }): string | null {
  if (then.key !== now.key) return 'The design changed';
  if (then.weights !== now.weights) return 'The model was trained again';
  return null;
}

/** Memoised: the panel re-renders for many reasons (a replayed epoch, an evaluation's progress); a ResNet's ~600 tiles need not follow. */
const FeatureMapGrid = memo(function FeatureMapGrid({ a, highlight, fresh }: { a: Activation; highlight: boolean; fresh: boolean }) {
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
        {fresh && <span className="small ins-fresh" title="This layer's weights start fresh since the design changed"> · fresh weights (untrained)</span>}
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
});

/** Kernels read from a model, by the weights it held (the model itself for its random draw) and layer. */
const kernels = new WeakMap<object, Map<string, ReturnType<typeof layerKernel>>>();

function FilterGrid({ model, weights, name }: { model: tfjs.LayersModel; weights: WeightSnapshot | null; name: string }) {
  // Read again when the weights change (a replayed epoch swaps them into the same model); an epoch seen before is at hand.
  const kernel = useMemo(() => {
    let byName = kernels.get(weights ?? model);
    if (!byName) kernels.set(weights ?? model, (byName = new Map()));
    if (!byName.has(name)) byName.set(name, layerKernel(model, name));
    return byName.get(name)!;
  }, [model, weights, name]);
  const [all, setAll] = useState(false);
  // Before the early return: the hooks run in the same order whether or not the layer has a kernel.
  const draws = useMemo(() => {
    if (!kernel) return [];
    const [kh, kw, , cout] = kernel.shape;
    const amp = kernelAmplitude(kernel);
    return Array.from({ length: cout }, (_v, f) => (canvas: HTMLCanvasElement) => {
      const img = filterImage(kernel, f);
      if (img.channels === 3) drawImage(canvas, img.data, kh, kw, 3);
      else drawPlane(canvas, kh, kw, (i) => img.data[i], 'diverging', [-amp, amp]);
    });
  }, [kernel]);
  if (!kernel) return <p className="muted small">No kernel.</p>;
  const [kh, kw, cin, cout] = kernel.shape;
  const shown = all ? cout : Math.min(cout, 64);
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
