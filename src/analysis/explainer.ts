/**
 * The convolution walk-through of the CNN slides (after Brandon Rohrer's "How do CNNs work"): a 9×9 X or O drawn
 * in ±1, three 3×3 feature filters, the feature map as the mean of the nine products, then ReLU and 2×2 max-pooling.
 */

export type Grid = number[][];

const fromRows = (rows: string[]): Grid => rows.map((r) => [...r].map((ch) => (ch === 'X' ? 1 : -1)));

/** The slides' X: two diagonals crossing in the middle. */
export const XO_X: Grid = fromRows([
  '.........',
  '.X.....X.',
  '..X...X..',
  '...X.X...',
  '....X....',
  '...X.X...',
  '..X...X..',
  '.X.....X.',
  '.........',
]);

/** An O in the same 9×9 frame. */
export const XO_O: Grid = fromRows([
  '.........',
  '...XXX...',
  '..X...X..',
  '.X.....X.',
  '.X.....X.',
  '.X.....X.',
  '..X...X..',
  '...XXX...',
  '.........',
]);

/** The slides' three features: a falling diagonal, a small X, a rising diagonal. */
export const XO_FILTERS: Record<'diagonal' | 'cross' | 'antidiagonal', Grid> = {
  diagonal: fromRows(['X..', '.X.', '..X']),
  cross: fromRows(['X.X', '.X.', 'X.X']),
  antidiagonal: fromRows(['..X', '.X.', 'X..']),
};

/** The products of the filter with the window whose top-left corner is (r, c). */
export function windowProducts(img: Grid, k: Grid, r: number, c: number): Grid {
  const kh = k.length;
  const kw = k[0].length;
  if (r < 0 || c < 0 || r + kh > img.length || c + kw > img[0].length) throw new Error(`window at (${r}, ${c}) leaves the ${img.length}×${img[0].length} image`);
  return k.map((row, i) => row.map((w, j) => w * img[r + i][c + j]));
}

const mean = (g: Grid) => g.flat().reduce((a, b) => a + b, 0) / g.flat().length;

/** 'valid' convolution (cross-correlation, as CNNs compute it) where each cell is the mean of the products. */
export function featureMap(img: Grid, k: Grid): Grid {
  const h = img.length - k.length + 1;
  const w = img[0].length - k[0].length + 1;
  return Array.from({ length: h }, (_r, r) => Array.from({ length: w }, (_c, c) => mean(windowProducts(img, k, r, c))));
}

export const relu = (g: Grid): Grid => g.map((row) => row.map((v) => Math.max(0, v)));

/** Max-pooling with 'same' padding (partial windows at the edge), as the slides pool a 7×7 map into 4×4. */
export function maxPool(g: Grid, size = 2, stride = 2): Grid {
  const h = Math.ceil(g.length / stride);
  const w = Math.ceil(g[0].length / stride);
  return Array.from({ length: h }, (_r, r) =>
    Array.from({ length: w }, (_c, c) => {
      let m = -Infinity;
      for (let i = r * stride; i < Math.min(r * stride + size, g.length); i++) {
        for (let j = c * stride; j < Math.min(c * stride + size, g[0].length); j++) m = Math.max(m, g[i][j]);
      }
      return m;
    }),
  );
}
