/**
 * Small dense linear algebra for the compression panel: eigenvalues of a symmetric matrix by cyclic Jacobi
 * rotations, and singular values through the smaller Gram matrix. Sizes here are filter counts (≤ a few hundred).
 */

/** Eigenvalues of the symmetric n×n matrix `a` (row-major; only read), largest first. */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): number[] {
  if (a.length !== n * n) throw new Error(`expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
  const m = Float64Array.from(a);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(m[i * n + j] - m[j * n + i]);
      if (d > 1e-9 * (Math.abs(m[i * n + j]) + Math.abs(m[j * n + i]) + 1e-300)) throw new Error(`matrix is not symmetric at (${i}, ${j})`);
    }
  }
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += m[i] * m[i];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(m[i * n + i]);
  return out.sort((x, y) => y - x);
}

/** A·Aᵀ of a rows×cols row-major matrix (rows×rows). */
export function gramRows(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += a[i * cols + k] * a[j * cols + k];
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  }
  return g;
}

/** Aᵀ·A of a rows×cols row-major matrix (cols×cols). */
export function gramCols(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      const x = a[r * cols + i];
      if (x === 0) continue;
      for (let j = i; j < cols; j++) g[i * cols + j] += x * a[r * cols + j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = i + 1; j < cols; j++) g[j * cols + i] = g[i * cols + j];
  return g;
}

/** Singular values (largest first, min(rows, cols) of them) from the eigenvalues of the smaller Gram matrix. */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number): number[] {
  if (a.length !== rows * cols) throw new Error(`expected ${rows}×${cols} = ${rows * cols} entries, got ${a.length}`);
  const ev = rows <= cols ? symmetricEigenvalues(gramRows(a, rows, cols), rows) : symmetricEigenvalues(gramCols(a, rows, cols), cols);
  return ev.map((e) => Math.sqrt(Math.max(e, 0)));
}

/** The fewest singular values whose squares hold `energy` (default 99%) of the total; 0 for a zero matrix. */
export function effectiveRank(sv: readonly number[], energy = 0.99): number {
  const total = sv.reduce((s, x) => s + x * x, 0);
  if (total === 0) return 0;
  let acc = 0;
  for (let i = 0; i < sv.length; i++) {
    acc += sv[i] * sv[i];
    if (acc >= energy * total * (1 - 1e-12)) return i + 1;
  }
  return sv.length;
}
