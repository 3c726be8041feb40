import { layerKinds, type Category, type LayerKind } from '../../../nodes/index';

/** Palette group titles, in palette order. */
export const CATEGORY_LABELS: Record<Category, string> = {
  input: 'Input',
  conv: 'Convolution',
  pool: 'Pooling',
  norm: 'Normalization',
  activation: 'Activation',
  regularization: 'Regularization',
  reshape: 'Reshape',
  dense: 'Dense',
  merge: 'Merge',
};

const ORDER = Object.keys(CATEGORY_LABELS) as Category[];

/**
 * The palette's list: every registered kind matching `query`, grouped by category in palette order (registry order
 * within a group). Names first; descriptions only when no name matches ("residual" finds Add).
 */
export function paletteGroups(query: string, kinds: readonly LayerKind[] = layerKinds): Array<{ cat: Category; kinds: LayerKind[] }> {
  const q = query.trim().toLowerCase();
  const byName = (k: LayerKind) =>
    !q || k.ui.label.toLowerCase().includes(q) || k.kind.toLowerCase().includes(q) || CATEGORY_LABELS[k.ui.category].toLowerCase().includes(q);
  const match = kinds.some(byName) ? byName : (k: LayerKind) => k.ui.description.toLowerCase().includes(q);
  return ORDER.map((cat) => ({ cat, kinds: kinds.filter((k) => k.ui.category === cat && match(k)) })).filter((g) => g.kinds.length);
}
