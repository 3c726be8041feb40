import { zipSync } from 'fflate';
import type { PyTorchWeight } from '../../nodes/lib/pytorch';
import { permute } from '../../nodes/lib/onnx';
import type { WeightSnapshot } from '../compile/weights';
import { npyFloat32 } from '../data/npy';
import type { ProjectFileV1 } from '../graph/types';
import { scriptModel } from './python';
import { emitLayer } from './pytorch-script';

/** One entry of a PyTorch state dict: its key (`c1.weight`), shape and values in PyTorch's layout. */
export interface TorchTensor {
  key: string;
  shape: number[];
  data: Float32Array;
}

/** `data` of `shape` with its axes reordered: output axis i is input axis `perm[i]` (C order on both sides). */
export function permuteAxes(data: Float32Array, shape: readonly number[], perm: readonly number[]): { shape: number[]; data: Float32Array } {
  const r = permute(data, shape, perm);
  return { shape: r.dims, data: r.data };
}

/** A Keras/tfjs weight rearranged for PyTorch (see {@link PyTorchWeight}). */
export function toTorchLayout(t: { shape: readonly number[]; data: Float32Array }, layout: PyTorchWeight['layout']): { shape: number[]; data: Float32Array } {
  const r = t.shape.length;
  if (layout === 'copy') return { shape: [...t.shape], data: t.data };
  const spatial = Array.from({ length: r - 2 }, (_, i) => i);
  if (layout === 'kernel') return permuteAxes(t.data, t.shape, [r - 1, r - 2, ...spatial]);
  // depthwise (…spatial, C, M): channel c·M + m of the output, one input channel per group.
  const merged = [...t.shape.slice(0, -2), t.shape[r - 2] * t.shape[r - 1]];
  const p = permuteAxes(t.data, merged, [r - 2, ...spatial]);
  return { shape: [p.shape[0], 1, ...p.shape.slice(1)], data: p.data };
}

/**
 * The PyTorch state dict of the module `pytorchScript(project)` writes, filled from a tfjs weight snapshot (layers by
 * name): every parameter and BatchNorm running statistic, in PyTorch's layout. Each kind's `toPyTorch` says where its
 * weights go. Throws naming the layer when a weight is missing, has the wrong shape, or has no PyTorch place.
 */
export function pytorchStateDict(project: ProjectFileV1, snapshot: WeightSnapshot): TorchTensor[] {
  const m = scriptModel(project);
  const byLayer = new Map(snapshot.map((s) => [s.layer, s]));
  const out: TorchTensor[] = [];
  for (const l of m.layers) {
    const code = emitLayer(l);
    const snap = byLayer.get(l.node.name);
    const maps = code.weights ?? [];
    const have = snap?.tensors ?? [];
    if (maps.length === 0 && have.length === 0) continue;
    if (have.length !== maps.length) {
      throw new Error(`layer "${l.node.name}": ${have.length} weights to export, but its PyTorch module has ${maps.length}${snap ? '' : ' (no weights for this layer: were they taken from another design?)'}`);
    }
    for (const w of maps) {
      const t = have[w.from];
      if (!t) throw new Error(`layer "${l.node.name}": no weight #${w.from} for ${w.key}`);
      out.push({ key: w.key, ...toTorchLayout(t, w.layout) });
    }
  }
  return out;
}

/** A state dict as a NumPy .npz archive (one .npy per key, stored uncompressed): `numpy.load(path)[key]`. */
export function npzBytes(tensors: readonly TorchTensor[]): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const t of tensors) files[`${t.key}.npy`] = [npyFloat32(t.shape, t.data), { level: 0 }];
  return zipSync(files);
}
