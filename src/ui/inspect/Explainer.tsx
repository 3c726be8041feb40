import { useEffect, useMemo, useState } from 'react';
import { featureMap, maxPool, relu, windowProducts, XO_FILTERS, XO_O, XO_X, type Grid } from '../../analysis/explainer';

type FilterId = keyof typeof XO_FILTERS;
const FILTER_LABEL: Record<FilterId, string> = { diagonal: 'falling diagonal ╲', cross: 'small X', antidiagonal: 'rising diagonal ╱' };

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/^(-?)0\./, '$1.'));

function Cells({ g, hi, shade, testid, show = () => true }: { g: Grid; hi?: (r: number, c: number) => boolean; shade: 'pm' | 'map'; testid?: string; show?(r: number, c: number): boolean }) {
  return (
    <div className="ins-cells" style={{ gridTemplateColumns: `repeat(${g[0].length}, 1fr)` }} data-testid={testid}>
      {g.flatMap((row, r) =>
        row.map((v, c) => {
          const visible = show(r, c);
          const bg = !visible ? '#f1f3f5' : shade === 'pm' ? (v > 0 ? '#fff' : '#343a40') : `rgba(59, 91, 219, ${Math.max(0, Math.min(1, (v + 1) / 2))})`;
          const fg = shade === 'pm' ? (v > 0 ? '#212529' : '#f8f9fa') : Math.abs(v) > 0.4 && v > 0 ? '#fff' : '#212529';
          return (
            <div key={`${r}-${c}`} className={`ins-cell${hi?.(r, c) ? ' hi' : ''}`} style={{ background: bg, color: fg }}>
              {visible ? fmt(v) : ''}
            </div>
          );
        }),
      )}
    </div>
  );
}

/**
 * The slides' convolution walk-through: a 3×3 filter steps over the 9×9 X (or O); each step shows the nine products
 * and their mean landing in the 7×7 feature map; then ReLU and 2×2 max-pooling.
 */
export function Explainer() {
  const [which, setWhich] = useState<'X' | 'O'>('X');
  const [fid, setFid] = useState<FilterId>('diagonal');
  const [step, setStep] = useState(0);
  const [playing, setPlaying] = useState(false);
  const img = which === 'X' ? XO_X : XO_O;
  const k = XO_FILTERS[fid];
  const map = useMemo(() => featureMap(img, k), [img, k]);
  const cells = map.length * map[0].length;
  const last = cells + 1; // steps 0…cells−1 slide the filter; cells = ReLU; cells + 1 = pooling
  const r = Math.floor(Math.min(step, cells - 1) / map[0].length);
  const c = Math.min(step, cells - 1) % map[0].length;
  const products = windowProducts(img, k, r, c);
  const sum = products.flat().reduce((a, b) => a + b, 0);

  useEffect(() => {
    if (!playing) return;
    const t = setInterval(() => setStep((s) => (s >= last ? (setPlaying(false), s) : s + 1)), 350);
    return () => clearInterval(t);
  }, [playing, last]);

  const done = (rr: number, cc: number) => rr * map[0].length + cc <= step;
  return (
    <div className="ins-explain" data-testid="explainer">
      <div className="ins-row">
        <label>
          Image{' '}
          <select value={which} onChange={(e) => (setWhich(e.target.value as 'X' | 'O'), setStep(0))} data-testid="explainer-image">
            <option value="X">X</option>
            <option value="O">O</option>
          </select>
        </label>
        <label>
          Filter{' '}
          <select value={fid} onChange={(e) => (setFid(e.target.value as FilterId), setStep(0))}>
            {Object.keys(XO_FILTERS).map((f) => (
              <option key={f} value={f}>
                {FILTER_LABEL[f as FilterId]}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" onClick={() => setStep((s) => Math.max(0, s - 1))} disabled={step === 0} aria-label="Previous step">
          ◀
        </button>
        <button className="btn" onClick={() => setStep((s) => Math.min(last, s + 1))} disabled={step === last} data-testid="explainer-next" aria-label="Next step">
          ▶
        </button>
        <button className="btn" onClick={() => (step >= last && setStep(0), setPlaying((p) => !p))}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button className="btn" onClick={() => setStep(last)} data-testid="explainer-end">
          To the end
        </button>
      </div>
      <p className="small" data-testid="explainer-caption">
        {step < cells
          ? `Step ${step + 1} of ${cells}: the filter at row ${r + 1}, column ${c + 1}. Multiply each pixel by the filter weight under it, add the nine products (${fmt(sum)}) and divide by 9: ${fmt(sum / 9)}.`
          : step === cells
            ? 'ReLU: every negative value of the feature map becomes 0; positives stay.'
            : 'Max-pooling 2×2, stride 2: each window keeps its largest value, 7×7 → 4×4 (the edge windows are partial).'}
      </p>
      <div className="ins-explain-grids">
        <div>
          <div className="small muted">Image (±1)</div>
          <Cells g={img} shade="pm" hi={(rr, cc) => step < cells && rr >= r && rr < r + 3 && cc >= c && cc < c + 3} />
        </div>
        <div>
          <div className="small muted">Filter</div>
          <Cells g={k} shade="pm" />
          <div className="small muted" style={{ marginTop: 8 }}>
            Products
          </div>
          <Cells g={products} shade="pm" testid="explainer-products" />
        </div>
        <div>
          <div className="small muted">Feature map (mean of products)</div>
          <Cells g={map} shade="map" show={done} hi={(rr, cc) => step < cells && rr === r && cc === c} testid="explainer-map" />
        </div>
        {step >= cells && (
          <div>
            <div className="small muted">After ReLU</div>
            <Cells g={relu(map)} shade="map" />
          </div>
        )}
        {step > cells && (
          <div>
            <div className="small muted">Max-pooled 2×2</div>
            <Cells g={maxPool(relu(map))} shade="map" testid="explainer-pooled" />
          </div>
        )}
      </div>
    </div>
  );
}
