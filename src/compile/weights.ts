import type * as tfjs from '@tensorflow/tfjs';

/** One layer's weights as plain arrays, so they cross a worker boundary (transferable buffers) and outlive the model. */
export interface LayerWeights {
  /** Layer name, equal to the graph node's `name`. */
  layer: string;
  tensors: { name: string; shape: number[]; data: Float32Array }[];
}

/** The weights of a whole model, layer by layer, in model order. */
export type WeightSnapshot = LayerWeights[];

/** Copies every layer's weights out of a tfjs model (synchronous reads; call outside hot loops). */
export function snapshotWeights(model: tfjs.LayersModel): WeightSnapshot {
  return model.layers
    .filter((l) => l.weights.length > 0)
    .map((l) => ({
      layer: l.name,
      tensors: l.weights.map((w) => {
        const t = w.read();
        return { name: w.originalName, shape: [...t.shape], data: t.dataSync() as Float32Array };
      }),
    }));
}

/**
 * Loads a snapshot into a model built from the same graph, matching layers by name.
 * Throws naming the first layer whose weights do not fit, so a stale snapshot is never half-applied silently.
 */
export function applyWeights(tf: typeof tfjs, model: tfjs.LayersModel, snapshot: WeightSnapshot): void {
  const byName = new Map(snapshot.map((s) => [s.layer, s]));
  for (const layer of model.layers) {
    const snap = byName.get(layer.name);
    if (!snap || layer.weights.length === 0) continue;
    if (snap.tensors.length !== layer.weights.length) {
      throw new Error(`layer ${layer.name}: snapshot has ${snap.tensors.length} weights, model has ${layer.weights.length}`);
    }
    const tensors = snap.tensors.map((t, i) => {
      const want = layer.weights[i].shape;
      if (want.join('x') !== t.shape.join('x')) {
        throw new Error(`layer ${layer.name}: weight ${t.name} is ${t.shape.join('×')}, model expects ${want.join('×')}`);
      }
      return tf.tensor(t.data, t.shape);
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}
