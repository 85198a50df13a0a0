/**
 * Dense linear algebra shared by the neural-fit metrics (lib/neuro), the SSL evaluation (lib/vision/ssl) and the
 * gait phase (lib/rl/analysis/gait.ts): a row-major `Matrix`, products, centring, a symmetric
 * eigensolver and a small linear solver. Plain Float64Array loops, with the one heavy product (A^T·B and A·B
 * on thousands of rows) handed to TensorFlow.js when a fast backend (wasm/XNNPACK or native) is active —
 * on the pure-JS `cpu` backend our own loops are faster, so they are used instead.
 *
 * The eigensolver is the textbook Householder tridiagonalisation followed by the implicit QL method
 * (Wilkinson & Reinsch, Handbook for Automatic Computation II, 1971; as in EISPACK tred2/tql2).
 */
import { tf } from "../tf";

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array | Float32Array;
}

/** A matrix this module computed (always float64). */
export interface Matrix64 extends Matrix {
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: Float64Array | Float32Array | ArrayLike<number>): Matrix64 {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`matrix: rows and cols must be non-negative integers, got ${rows} × ${cols}`);
  }
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw new Error(`matrix: ${rows} × ${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>) };
}

/** Matrix from an array of equal-length rows. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix64 {
  const cols = rows.length ? rows[0].length : 0;
  const out = matrix(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`fromRows: row ${i} has ${row.length} values, row 0 has ${cols}`);
    out.data.set(row, i * cols);
  });
  return out;
}

/** The rows at `indices`, in that order. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix64 {
  const out = matrix(indices.length, m.cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < m.rows)) throw new Error(`takeRows: row index ${i} outside 0..${m.rows - 1}`);
    out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  }
  return out;
}

export function transpose(m: Matrix): Matrix64 {
  const out = matrix(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

export function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
}

/** Column means and (if `scale`) sample standard deviations (ddof 1; 1 where a column is constant). */
export function columnMoments(m: Matrix, scale: boolean): { mean: Float64Array; std: Float64Array } {
  const { rows: n, cols: p, data } = m;
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += data[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  const std = new Float64Array(p).fill(1);
  if (scale) {
    const ss = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) { const d = data[i * p + j] - mean[j]; ss[j] += d * d; }
    for (let j = 0; j < p; j++) { const s = Math.sqrt(ss[j] / Math.max(1, n - 1)); std[j] = s > 0 ? s : 1; }
  }
  return { mean, std };
}

/** (m − mean) / std, column-wise, as a new float64 matrix. */
export function standardize(m: Matrix, mean: Float64Array, std: Float64Array): Matrix64 {
  const { rows: n, cols: p, data } = m;
  const out = matrix(n, p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < p; j++) out.data[o + j] = (data[o + j] - mean[j]) / std[j];
  }
  return out;
}

/** Multiply-adds above which a product goes to TensorFlow.js (when its backend is fast). */
const TF_MIN_WORK = 4e6;

/** True when the active tfjs backend has fast matrix products (wasm/XNNPACK or native TensorFlow). */
export function fastMatmulBackend(): boolean {
  // Read the engine's field instead of tf.getBackend(), which would initialise a backend as a side effect.
  const name = (tf.engine() as unknown as { backendName?: string | null }).backendName;
  return name === "wasm" || name === "tensorflow";
}

/** How products are computed: "auto" (tfjs for large products on a fast backend), "js" or "tf". */
export type MatmulPath = "auto" | "js" | "tf";

function useTf(path: MatmulPath, work: number): boolean {
  if (path === "js") return false;
  if (path === "tf") return true;
  return work >= TF_MIN_WORK && fastMatmulBackend();
}

function tfProduct(a: Matrix, b: Matrix, transposeA: boolean): Matrix64 {
  const out = tf.tidy(() => {
    const ta = tf.tensor2d(toFloat32(a.data), [a.rows, a.cols]);
    const tb = tf.tensor2d(toFloat32(b.data), [b.rows, b.cols]);
    return tf.matMul(ta, tb, transposeA, false);
  });
  const [rows, cols] = out.shape as [number, number];
  const data = Float64Array.from(out.dataSync() as Float32Array);
  out.dispose();
  return { rows, cols, data };
}

function toFloat32(x: Float64Array | Float32Array): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

/**
 * A·B. On the tfjs path the inputs are rounded to float32 and accumulated in float32 (relative error ~1e-6),
 * ample for regression fits on noisy neural data; pass `path: "js"` for full float64.
 */
export function matmul(a: Matrix, b: Matrix, path: MatmulPath = "auto"): Matrix64 {
  if (a.cols !== b.rows) throw new Error(`matmul: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} do not chain`);
  if (useTf(path, a.rows * a.cols * b.cols)) return tfProduct(a, b, false);
  const { rows: n, cols: k } = a;
  const m = b.cols;
  const out = matrix(n, m);
  const A = a.data, B = b.data, C = out.data;
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let l = 0; l < k; l++) {
      const v = A[i * k + l];
      if (v === 0) continue;
      const bl = l * m;
      for (let j = 0; j < m; j++) C[ci + j] += v * B[bl + j];
    }
  }
  return out;
}

/** Aᵀ·B for A (n×p) and B (n×q): the cross-product that dominates PLS and ridge fits. */
export function crossprod(a: Matrix, b: Matrix, path: MatmulPath = "auto"): Matrix64 {
  if (a.rows !== b.rows) throw new Error(`crossprod: A has ${a.rows} rows, B has ${b.rows}`);
  if (useTf(path, a.rows * a.cols * b.cols)) return tfProduct(a, b, true);
  const { rows: n, cols: p } = a;
  const q = b.cols;
  const out = matrix(p, q);
  const A = a.data, B = b.data, C = out.data;
  for (let i = 0; i < n; i++) {
    const bi = i * q;
    for (let j = 0; j < p; j++) {
      const v = A[i * p + j];
      if (v === 0) continue;
      const cj = j * q;
      for (let l = 0; l < q; l++) C[cj + l] += v * B[bi + l];
    }
  }
  return out;
}

/** A·x for a vector x. */
export function matvec(a: Matrix, x: Float64Array, out = new Float64Array(a.rows)): Float64Array {
  const { rows: n, cols: p, data } = a;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * p;
    for (let j = 0; j < p; j++) s += data[o + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Aᵀ·x for a vector x. */
export function tmatvec(a: Matrix, x: Float64Array, out = new Float64Array(a.cols)): Float64Array {
  const { rows: n, cols: p, data } = a;
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === 0) continue;
    const o = i * p;
    for (let j = 0; j < p; j++) out[j] += v * data[o + j];
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major; symmetry is assumed, not checked).
 * Returns eigenvalues in descending order and the eigenvectors as the columns of an n×n matrix.
 * Householder tridiagonalisation + implicit QL (tred2/tql2): O(n³), about 2 s for n = 600 on the shared 2-core machine.
 */
export function symmetricEigen(a: Matrix): { values: Float64Array; vectors: Matrix64 } {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`symmetricEigen: matrix must be square, got ${a.rows}×${a.cols}`);
  const Z = Float64Array.from(a.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(Z, d, e, n);
  tql2(Z, d, e, n);
  return sortedEigen(d, Z, n);
}

/**
 * Eigen-decomposition of the symmetric tridiagonal matrix with diagonal `diagonal` and off-diagonal `offDiagonal`
 * (implicit QL directly, no reduction needed). Eigenvalues descending; eigenvectors as columns.
 */
export function tridiagonalEigen(diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>): { values: Float64Array; vectors: Matrix64 } {
  const n = diagonal.length;
  const d = Float64Array.from(diagonal);
  // tql2 expects the off-diagonal in e[1..n-1].
  const e = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i] = offDiagonal[i - 1];
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Z[i * n + i] = 1;
  tql2(Z, d, e, n);
  return sortedEigen(d, Z, n);
}

function sortedEigen(d: Float64Array, Z: Float64Array, n: number): { values: Float64Array; vectors: Matrix64 } {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = new Float64Array(n);
  const vectors = matrix(n, n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    for (let i = 0; i < n; i++) vectors.data[i * n + dst] = Z[src * n + i];
  });
  return { values, vectors };
}

/**
 * Householder reduction to tridiagonal form (d diagonal, e sub-diagonal). W holds the matrix and ends as the
 * transpose of the accumulated orthogonal transform, one basis vector per row: stored this way every inner loop
 * runs along contiguous memory (EISPACK's column-wise loops are 10× slower in JavaScript).
 */
function tred2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + (i - 1)];
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f;
        g = e[j] + W[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += W[j * n + k] * d[k];
          e[k] += W[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) W[j * n + k] -= f * e[k] + g * d[k];
        d[j] = W[j * n + (i - 1)];
        W[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + (n - 1)] = W[i * n + i];
    W[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[(i + 1) * n + k] * W[j * n + k];
        for (let k = 0; k <= i; k++) W[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) { d[j] = W[j * n + (n - 1)]; W[j * n + (n - 1)] = 0; }
  if (n > 0) W[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), rotating the rows of Z (the eigenvectors, one per row). */
function tql2(Z: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error("symmetricEigen: QL iteration did not converge");
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.sqrt(p * p + e[i] * e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const zi = i * n, zi1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            h = Z[zi1 + k];
            Z[zi1 + k] = s * Z[zi + k] + c * h;
            Z[zi + k] = c * Z[zi + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * Solve A·X = B for symmetric positive-definite A by Cholesky (A = L·Lᵀ; half the work of `solve`).
 * Throws if A is not positive definite.
 */
export function choleskySolve(a: Matrix, b: Matrix): Matrix64 {
  const n = a.rows;
  if (a.cols !== n || b.rows !== n) throw new Error(`choleskySolve: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j <= i; j++) {
      const lj = j * n;
      let s = a.data[li + j];
      for (let k = 0; k < j; k++) s -= L[li + k] * L[lj + k];
      if (i === j) {
        if (!(s > 0)) throw new Error("choleskySolve: matrix is not positive definite");
        L[li + i] = Math.sqrt(s);
      } else {
        L[li + j] = s / L[lj + j];
      }
    }
  }
  const m = b.cols;
  const X = Float64Array.from(b.data);
  // Forward: L·Z = B, row by row.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k];
      if (l === 0) continue;
      for (let j = 0; j < m; j++) X[i * m + j] -= l * X[k * m + j];
    }
    const d = L[i * n + i];
    for (let j = 0; j < m; j++) X[i * m + j] /= d;
  }
  // Backward: Lᵀ·X = Z.
  for (let i = n - 1; i >= 0; i--) {
    const d = L[i * n + i];
    for (let j = 0; j < m; j++) X[i * m + j] /= d;
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k];
      if (l === 0) continue;
      for (let j = 0; j < m; j++) X[k * m + j] -= l * X[i * m + j];
    }
  }
  return { rows: n, cols: m, data: X };
}

/** Solve A·X = B for square A (Gaussian elimination with partial pivoting); throws if A is singular. */
export function solve(a: Matrix, b: Matrix): Matrix64 {
  const n = a.rows;
  if (a.cols !== n || b.rows !== n) throw new Error(`solve: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
  const A = Float64Array.from(a.data);
  const m = b.cols;
  const B = Float64Array.from(b.data);
  let norm = 0;
  for (let i = 0; i < A.length; i++) norm = Math.max(norm, Math.abs(A[i]));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(A[i * n + col]) > Math.abs(A[piv * n + col])) piv = i;
    if (Math.abs(A[piv * n + col]) <= 1e-13 * norm) throw new Error("solve: matrix is singular to working precision");
    if (piv !== col) {
      for (let j = 0; j < n; j++) { const t = A[col * n + j]; A[col * n + j] = A[piv * n + j]; A[piv * n + j] = t; }
      for (let j = 0; j < m; j++) { const t = B[col * m + j]; B[col * m + j] = B[piv * m + j]; B[piv * m + j] = t; }
    }
    const pivot = A[col * n + col];
    for (let i = col + 1; i < n; i++) {
      const f = A[i * n + col] / pivot;
      if (f === 0) continue;
      for (let j = col; j < n; j++) A[i * n + j] -= f * A[col * n + j];
      for (let j = 0; j < m; j++) B[i * m + j] -= f * B[col * m + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < m; j++) {
      let s = B[i * m + j];
      for (let k = i + 1; k < n; k++) s -= A[i * n + k] * B[k * m + j];
      B[i * m + j] = s / A[i * n + i];
    }
  }
  return { rows: n, cols: m, data: B };
}
