import type * as tfjs from '@tensorflow/tfjs';
import { modelInput } from '../../train/datasets/input';
import type { Dataset } from '../../train/datasets/types';
import { drawImage } from './heatmap';
import { Tile } from './Tile';
import type { Tf } from './tf';

export interface EvalResult {
  n: number;
  /** confusion[true][pred] */
  confusion: number[][];
  accuracy: number;
  misclassified: Array<{ index: number; label: number; pred: number; p: number }>;
}

/**
 * Predicts the test split in batches (yielding to the browser between them) and tallies the confusion matrix.
 * `unchanged` is asked after every batch: when the model's weights were swapped meanwhile (another replayed epoch),
 * the evaluation stops with an error rather than mix two models' predictions.
 */
export async function evaluate(tf: Tf, model: tfjs.LayersModel, ds: Dataset, limit: number, onProgress?: (done: number) => void, unchanged?: () => boolean): Promise<EvalResult> {
  const n = Math.min(limit, ds.test.n);
  const k = ds.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: EvalResult['misclassified'] = [];
  const batch = 100;
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const probs = tf.tidy(() => {
      const x = tf.tensor(modelInput(ds, 'test', start, start + m), [m, ...ds.inputShape]);
      return (model.predict(x) as tfjs.Tensor).dataSync() as Float32Array;
    });
    const width = probs.length / m;
    for (let i = 0; i < m; i++) {
      const row = probs.subarray(i * width, (i + 1) * width);
      let pred = 0;
      if (width === 1) pred = row[0] > 0.5 ? 1 : 0;
      else for (let j = 1; j < width; j++) if (row[j] > row[pred]) pred = j;
      const label = ds.test.y[start + i];
      if (label < k && pred < k) confusion[label][pred]++;
      if (pred !== label) misclassified.push({ index: start + i, label, pred, p: width === 1 ? row[0] : row[pred] });
    }
    onProgress?.(start + m);
    await tf.nextFrame();
    if (unchanged && !unchanged()) throw new Error('The model changed during the evaluation (another epoch was picked, or the design was edited); evaluate again.');
  }
  const correct = confusion.reduce((s, row, i) => s + row[i], 0);
  return { n, confusion, accuracy: n ? correct / n : 0, misclassified };
}

/** Confusion matrix, per-class accuracy and a gallery of misclassified test images (click one to inspect it). */
export function Evaluation({ result, ds, onPick }: { result: EvalResult; ds: Dataset; onPick(index: number): void }) {
  const k = ds.numClasses;
  const max = Math.max(1, ...result.confusion.flat());
  const [h, w, c] = ds.inputShape.length === 3 ? ds.inputShape : [0, 0, 0];
  return (
    <div className="ins-eval" data-testid="confusion-matrix">
      <p>
        Accuracy on {result.n.toLocaleString('en-US')} test images: <strong data-testid="test-accuracy">{(100 * result.accuracy).toFixed(2)}%</strong>
      </p>
      <table className="ins-confusion">
        <thead>
          <tr>
            <th className="small muted">true ↓ pred →</th>
            {ds.classNames.map((n, j) => (
              <th key={j} title={n}>
                {n.length > 3 ? j : n}
              </th>
            ))}
            <th>acc.</th>
          </tr>
        </thead>
        <tbody>
          {result.confusion.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={i}>
                <th title={ds.classNames[i]}>{ds.classNames[i].length > 8 ? `${i} ${ds.classNames[i].slice(0, 7)}…` : ds.classNames[i]}</th>
                {row.map((v, j) => (
                  <td
                    key={j}
                    style={{ background: i === j ? `rgba(47, 158, 68, ${0.15 + (0.85 * v) / max})` : v ? `rgba(224, 49, 49, ${0.1 + (0.9 * v) / max})` : undefined }}
                    title={`${ds.classNames[i]} predicted as ${ds.classNames[j]}: ${v}`}
                  >
                    {v || ''}
                  </td>
                ))}
                <td className="small" data-testid={`class-accuracy-${i}`}>
                  {total ? `${((100 * row[i]) / total).toFixed(1)}%` : '–'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {k > 0 && h > 0 && (
        <>
          <p className="small muted">
            Misclassified: {result.misclassified.length}
            {result.misclassified.length > 48 ? ' (first 48 shown)' : ''} — click one to see its feature maps.
          </p>
          <div className="ins-grid" data-testid="misclassified">
            {result.misclassified.slice(0, 48).map((m) => (
              <div key={m.index} onDoubleClick={() => onPick(m.index)}>
                <Tile
                  size={44}
                  title={`test #${m.index}: ${ds.classNames[m.label]} predicted as ${ds.classNames[m.pred]} (p ${m.p.toFixed(2)})`}
                  label={
                    <button className="link small" onClick={() => onPick(m.index)}>
                      {m.label}→{m.pred}
                    </button>
                  }
                  draw={tileDraw(ds, m.index, h, w, c)}
                />
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

// A stable draw callback per (dataset, index), so tiles do not redraw on every render.
const drawCache = new WeakMap<Dataset, Map<number, (c: HTMLCanvasElement) => void>>();
function tileDraw(ds: Dataset, index: number, h: number, w: number, c: number) {
  let m = drawCache.get(ds);
  if (!m) drawCache.set(ds, (m = new Map()));
  let f = m.get(index);
  if (!f) {
    const size = h * w * c;
    // What the file held, in [0, 1]: image bytes scaled, never standardised (that would not draw as the image).
    const raw = ds.test.x.subarray(index * size, (index + 1) * size);
    const pixels = raw instanceof Uint8Array ? Float32Array.from(raw, (v) => v / 255) : raw;
    f = (canvas: HTMLCanvasElement) => drawImage(canvas, pixels, h, w, c);
    m.set(index, f);
  }
  return f;
}
