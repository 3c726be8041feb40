import { fmtShape, getLayerKind, product } from '../../nodes/index';
import type { WeightSnapshot } from '../compile/weights';
import { separableSaving, type SeparableSaving } from '../graph/transform';
import type { Graph, GraphInference } from '../graph/types';
import { effectiveRank, gramRows, singularValues } from './linalg';

export interface DuplicatePair {
  a: number;
  b: number;
  /** Signed cosine; |cosine| > threshold (a filter and its negative are duplicates too: ReLU aside, one can replace the other). */
  cosine: number;
}

/** What the trained weights of one conv layer say about compressing it. */
export interface WeightAnalysis {
  /** Filters as rows: `filters` rows of `filterSize` = K·K·Cin values. */
  filters: number;
  filterSize: number;
  singularValues: number[];
  /** Fewest singular values holding `energy` of Σσ². */
  effectiveRank: number;
  energy: number;
  duplicates: DuplicatePair[];
  duplicateThreshold: number;
  /** Fraction of kernel weights (bias excluded) with |w| < sparsityThreshold. */
  sparsity: number;
  sparsityThreshold: number;
}

export interface ConvCompression {
  nodeId: string;
  name: string;
  kind: string;
  /** From the trained weights, when a snapshot with this layer is given. */
  weights?: WeightAnalysis;
  /** Why `weights` is missing (no snapshot, layer not in it, shape mismatch). */
  weightsNote?: string;
  /** For Conv2D: what `toSeparable` would save, with and without BN. */
  separable?: { plain: SeparableSaving; withBatchNorm: SeparableSaving };
  separableNote?: string;
}

export interface CompressionOptions {
  energy?: number;
  duplicateThreshold?: number;
  sparsityThreshold?: number;
  /** Analyse only these nodes (the UI spreads big models over several frames). */
  nodeIds?: ReadonlySet<string>;
}

/**
 * Filters as rows from a channels-last conv kernel (`[kh, kw, cin, cout]` or `[k, cin, cout]`):
 * tfjs/Keras keep `cout` last, so filter f is every cout-th value starting at f.
 */
export function filterRows(kernel: Float32Array | readonly number[], shape: readonly number[]): { rows: Float64Array; filters: number; size: number } {
  const filters = shape[shape.length - 1];
  const size = product(shape.slice(0, -1));
  if (kernel.length !== filters * size) throw new Error(`kernel has ${kernel.length} values, shape ${fmtShape(shape)} needs ${filters * size}`);
  const rows = new Float64Array(filters * size);
  for (let i = 0; i < size; i++) for (let f = 0; f < filters; f++) rows[f * size + i] = kernel[i * filters + f];
  return { rows, filters, size };
}

/** Pairs of rows with |cosine| above `threshold`; zero rows pair with nothing. */
export function duplicatePairs(rows: Float64Array, count: number, size: number, threshold = 0.9): DuplicatePair[] {
  const g = gramRows(rows, count, size);
  const out: DuplicatePair[] = [];
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      const d = Math.sqrt(g[a * count + a] * g[b * count + b]);
      if (d === 0) continue;
      const cosine = g[a * count + b] / d;
      if (Math.abs(cosine) > threshold) out.push({ a, b, cosine });
    }
  }
  return out.sort((x, y) => Math.abs(y.cosine) - Math.abs(x.cosine));
}

/** Fraction of values with |v| < threshold. */
export function sparsity(values: ArrayLike<number>, threshold = 1e-3): number {
  if (values.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) < threshold) n++;
  return n / values.length;
}

/** Rank, duplicates and sparsity of one conv kernel. */
export function analyseKernel(kernel: Float32Array, shape: readonly number[], opts: CompressionOptions = {}): WeightAnalysis {
  const energy = opts.energy ?? 0.99;
  const duplicateThreshold = opts.duplicateThreshold ?? 0.9;
  const sparsityThreshold = opts.sparsityThreshold ?? 1e-3;
  const { rows, filters, size } = filterRows(kernel, shape);
  const sv = singularValues(rows, filters, size);
  return {
    filters,
    filterSize: size,
    singularValues: sv,
    effectiveRank: effectiveRank(sv, energy),
    energy,
    duplicates: duplicatePairs(rows, filters, size, duplicateThreshold),
    duplicateThreshold,
    sparsity: sparsity(kernel, sparsityThreshold),
    sparsityThreshold,
  };
}

/** Kinds whose main weight is a dense filter bank [k…, C_in, C_out] (Conv1D, Conv2D): the filters this analysis reads. */
const denseFilters = (kind: string) => {
  const f = getLayerKind(kind)?.spatialFilters;
  return f?.layout === 'dense' ? f : undefined;
};

/**
 * The compression panel's table: every valid layer with a dense filter bank (Conv2D, Conv1D) in topological order, with weight statistics when
 * `weights` holds the layer (matched by name and kernel shape) and, for Conv2D, the depthwise-separable saving.
 */
export function analyseCompression(
  graph: Graph,
  inference: GraphInference,
  weights: WeightSnapshot | null,
  opts: CompressionOptions = {},
): ConvCompression[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const snap = new Map((weights ?? []).map((l) => [l.layer, l]));
  const out: ConvCompression[] = [];
  for (const id of inference.order) {
    const node = byId.get(id)!;
    const inf = inference.nodes[id];
    const filters = denseFilters(node.kind);
    if (!filters || inf.status !== 'ok' || (opts.nodeIds && !opts.nodeIds.has(id))) continue;
    const row: ConvCompression = { nodeId: id, name: node.name, kind: node.kind };
    const layer = snap.get(node.name);
    const rank = filters.dims + 2;
    const kernel = layer?.tensors.find((t) => t.shape.length === rank);
    const cin = inf.inputShapes[0][inf.inputShapes[0].length - 1];
    const cout = inf.outputShape![inf.outputShape!.length - 1];
    if (!weights) row.weightsNote = 'train the model (or import weights) to analyse its filters';
    else if (!kernel) row.weightsNote = `the trained weights have no kernel for "${node.name}"; retrain after editing`;
    else if (kernel.shape[rank - 2] !== cin || kernel.shape[rank - 1] !== cout) {
      row.weightsNote = `the trained kernel is ${fmtShape(kernel.shape)} but the layer now needs …×${cin}×${cout}; retrain after editing`;
    } else row.weights = analyseKernel(kernel.data, kernel.shape, opts);
    // The separable rewrite (graph/transform) replaces a dense 2-D filter bank.
    if (filters.dims === 2) {
      try {
        row.separable = {
          plain: separableSaving(graph, id, inf, { batchNorm: false }),
          withBatchNorm: separableSaving(graph, id, inf, { batchNorm: true }),
        };
      } catch (e) {
        row.separableNote = (e as Error).message;
      }
    } else row.separableNote = 'only Conv2D layers have a depthwise-separable replacement here';
    out.push(row);
  }
  return out;
}
