import { useCallback, useEffect, useRef, useState } from 'react';
import { create } from 'zustand';
import { fetchReader, loadDataset, type Dataset, type DatasetId, type DatasetInfo } from '../../train/datasets/index';
import { modelInput } from '../../train/datasets/input';
import type { Sample } from './useActivations';
import { evaluate, type EvalResult } from './Evaluation';
import { modelWeights, type InspectModel } from './useInspectModel';
import type * as tfjs from '@tensorflow/tfjs';

/**
 * Evaluations already computed, by model and the weights it held (the model itself for its random draw), then
 * dataset and size: scrubbing back to a replayed epoch shows its confusion matrix again without recomputing it.
 */
const evaluated = new WeakMap<tfjs.LayersModel, WeakMap<object, Map<string, EvalState<unknown>>>>();

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

export interface TestSet {
  ds: Dataset | null;
  error: string | null;
  /** The index of the image shown. */
  index: number;
  /** Loads the test split (at least `limit` images) once; null when it cannot. */
  load(): Promise<Dataset | null>;
  /** Shows test image `i` (wrapping around) through `onSample`. */
  pick(i: number): Promise<void>;
  /** Shows the image `delta` after the one last asked for (quick clicks step from it, not from a stale render). */
  step(delta: number): Promise<void>;
}

/** The test split of `info` loaded on demand, and the test image being looked at. */
export function useTestSet(info: DatasetInfo | undefined, limit: number, onSample: (s: Sample) => void): TestSet {
  const [ds, setDs] = useState<Dataset | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  // The index a click asked for, ahead of the (async) load.
  const wanted = useRef(0);
  useEffect(() => {
    setDs(null);
    setError(null);
  }, [info?.id]);

  const load = useCallback(async () => {
    if (!info) return null;
    if (ds && ds.id === info.id && ds.test.n >= Math.min(limit, 10000)) return ds;
    try {
      const loaded = await loadTestSplit(info.id as DatasetId, Math.max(limit, 1000));
      setDs(loaded);
      return loaded;
    } catch (e) {
      setError(`Could not load ${info.name}: ${(e as Error).message}`);
      return null;
    }
  }, [info, ds, limit]);

  const pick = useCallback(
    async (i: number) => {
      wanted.current = i;
      const d = await load();
      if (wanted.current !== i || !d) return;
      const n = d.test.n;
      const k = ((i % n) + n) % n;
      wanted.current = k;
      setIndex(k);
      onSample({ data: modelInput(d, 'test', k, k + 1), label: d.test.y[k], source: `${info!.name} test #${k}` });
    },
    [load, info, onSample],
  );
  const step = useCallback((delta: number) => pick(wanted.current + delta), [pick]);
  return { ds, error, index, load, pick, step };
}

export interface EvalState<S> {
  running: boolean;
  done: number;
  result?: EvalResult;
  error?: string;
  /** What the result was computed for (the caller's `stamp` when the run started): compare to tell a stale result. */
  stamp?: S;
}

/**
 * The last evaluation, kept outside the panel so that it outlives a visit to another tab (where the graph is usually
 * edited): it comes back marked stale instead of silently gone. One Inspect panel at a time, so one slot.
 */
let current = 0;
const useLastEvaluation = create<{ datasetId: string | undefined; state: EvalState<unknown> }>(() => ({ datasetId: undefined, state: { running: false, done: 0 } }));

/**
 * Evaluation of the model on the first `limit` test images; reset when the dataset changes. A result keeps the
 * `stamp` of the model it was computed with (design and weights), so the panel can mark it stale after an edit.
 */
export function useEvaluation<S>(m: InspectModel, test: TestSet, datasetId: string | undefined, limit: number, stamp: S): [EvalState<S>, () => Promise<void>] {
  const state = useLastEvaluation((s) => s.state) as EvalState<S>;
  const setState = (f: EvalState<S> | ((s: EvalState<S>) => EvalState<S>)) =>
    useLastEvaluation.setState((s) => ({ state: typeof f === 'function' ? f(s.state as EvalState<S>) : f }));
  useEffect(() => {
    if (useLastEvaluation.getState().datasetId !== datasetId) useLastEvaluation.setState({ datasetId, state: { running: false, done: 0 } });
  }, [datasetId]);
  // A result kept from an earlier visit needs its test images to show the misclassified ones.
  const { ds, load } = test;
  const hasResult = !!state.result;
  useEffect(() => {
    if (hasResult && !ds) void load();
  }, [hasResult, ds, load]);
  // Leaving the tab disposes the model: a run still going then ends without a result (the earlier one stays).
  useEffect(
    () => () => {
      current++;
      useLastEvaluation.setState((s) => ({ state: { ...s.state, running: false, done: s.state.result?.n ?? 0 } }));
    },
    [],
  );
  const slot = `${datasetId}:${limit}`;
  const run = async () => {
    if (!m.tf || !m.model) return;
    const at = stamp;
    const { model, weights } = m;
    const id = ++current;
    const d = await test.load();
    if (!d || id !== current) return;
    setState((s) => ({ ...s, running: true, done: 0, error: undefined }));
    try {
      const result = await evaluate(m.tf, model, d, limit, (done) => id === current && setState((s) => ({ ...s, done })), () => modelWeights.get(model) === weights);
      const next = { running: false, done: result.n, result, stamp: at };
      let byWeights = evaluated.get(model);
      if (!byWeights) evaluated.set(model, (byWeights = new WeakMap()));
      let bySlot = byWeights.get(weights ?? model);
      if (!bySlot) byWeights.set(weights ?? model, (bySlot = new Map()));
      bySlot.set(slot, next);
      if (id === current) setState(next);
    } catch (e) {
      if (id === current) setState({ running: false, done: 0, error: (e as Error).message });
    }
  };
  // The model's current weights were evaluated before (a replayed epoch shown again): show that result.
  const earlier = m.model && !state.running ? (evaluated.get(m.model)?.get(m.weights ?? m.model)?.get(slot) as EvalState<S> | undefined) : undefined;
  return [earlier && earlier.result !== state.result ? earlier : state, run];
}
