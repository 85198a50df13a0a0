/**
 * Linear mappings from model features to neural sites, as Brain-Score fits them (github.com/brain-score/vision,
 * brainscore_vision/metrics/regression_correlation/metric.py @ d374a93dc19184f72f46a40a48e784b825fcba26:
 * `pls_regression`, `ridge_regression`).
 *
 * - `plsRegression`: PLS2 (partial least squares with a multi-column target) in sklearn's `PLSRegression`
 *   formulation — NIPALS weights, regression-mode deflation of X and Y, `coef = W (PᵀW)⁻¹ Qᵀ` — with 25 components
 *   (Yamins et al. 2014; Brain-Score's default). Brain-Score passes `scale=False` (centre only); `scale: true`
 *   gives sklearn's default (unit variance columns).
 * - `ridgeRegression`: ridge with an intercept; the penalty is chosen from a log grid by exact leave-one-out
 *   cross-validation in closed form (sklearn's `RidgeCV`, i.e. its `_RidgeGCV`; Brain-Score ports that to PyTorch
 *   as `RidgeGCVTorch`, regression_correlation/ridgecv_gpu.py @ d81a481bc1efabec63020da96115708e16f1d054), or
 *   fixed if one penalty is given (Brain-Score's `ridge` metric uses sklearn `Ridge()`, i.e. alpha = 1).
 *
 * Every regression is `fit(X[n×p], Y[n×q])` then `predict(X[m×p]) → [m×q]`; a metric takes a factory so each
 * cross-validation split gets a fresh one.
 */
import { tf } from "../tf";
import {
  Matrix, Matrix64, choleskySolve, columnMoments, crossprod, dot, fastMatmulBackend, matmul, matrix, matvec, solve, standardize,
  symmetricEigen, tmatvec, transpose, tridiagonalEigen, MatmulPath,
} from "../util/linalg";

export interface Regression {
  /** Learn the mapping from X (stimuli × features) to Y (stimuli × sites). */
  fit(X: Matrix, Y: Matrix): void;
  /** Predict sites for new stimuli (rows of X, same features as in `fit`). */
  predict(X: Matrix): Matrix64;
}

/** Makes a fresh regression (one per cross-validation split). */
export type RegressionFactory = () => Regression;

function checkFitShapes(name: string, X: Matrix, Y: Matrix): void {
  if (X.rows !== Y.rows) {
    throw new Error(`${name}.fit: X has ${X.rows} stimuli (rows) but Y has ${Y.rows}; rows must be the same stimuli`);
  }
  if (X.rows < 2) throw new Error(`${name}.fit: need at least 2 stimuli, got ${X.rows}`);
}

/** Column moments, which double as the finiteness check: a NaN or ±Inf anywhere makes its column mean non-finite. */
function checkedMoments(name: string, label: "X" | "Y", m: Matrix, scale: boolean): Moments {
  const moments = columnMoments(m, scale);
  for (let j = 0; j < m.cols; j++) {
    if (Number.isFinite(moments.mean[j]) && Number.isFinite(moments.std[j])) continue;
    for (let i = 0; i < m.rows; i++) {
      const v = m.data[i * m.cols + j];
      if (!Number.isFinite(v)) throw new Error(`${name}.fit: ${label}[${i}, ${j}] is ${v}; inputs must be finite`);
    }
  }
  return moments;
}

function checkPredictShape(name: string, X: Matrix, features: number | undefined): number {
  if (features === undefined) throw new Error(`${name}.predict called before fit`);
  if (X.cols !== features) throw new Error(`${name}.predict: X has ${X.cols} features, the fit had ${features}`);
  return features;
}

// ---------------------------------------------------------------------------------------------------------------
// PLS

export interface PlsOptions {
  /** Number of latent components (Brain-Score and Yamins et al. 2014: 25). */
  nComponents?: number;
  /** Scale X and Y columns to unit variance after centring (sklearn's default; Brain-Score passes false). */
  scale?: boolean;
  /**
   * Convergence of each component's weights: relative residual of the eigenvector of CₖᵀCₖ (default 1e-6;
   * sklearn's NIPALS stops when successive weights differ by less than 1e-3, i.e. much earlier).
   */
  tol?: number;
  /** Cap on products with CₖᵀCₖ per component (default 2000). */
  maxIter?: number;
  /** How large products are computed (default: tfjs when its backend is fast). */
  matmul?: MatmulPath;
}

/** What a fitted PLS exposes (sklearn's attribute names in comments). */
export interface PlsFit {
  /** Components actually extracted (fewer than asked only if the residual cross-covariance vanished). */
  nComponents: number;
  /** x_weights_ (p × K). */
  xWeights: Matrix64;
  /** x_loadings_ (p × K). */
  xLoadings: Matrix64;
  /** y_loadings_ (q × K). */
  yLoadings: Matrix64;
  /** coef_ as p × q, applied to standardized X; includes Y's scale. */
  coef: Matrix64;
  xMean: Float64Array;
  xStd: Float64Array;
  yMean: Float64Array;
  /** Products with CₖᵀCₖ used per component (Lanczos steps). */
  iterations: number[];
}

export interface PlsRegression extends Regression {
  /** The fitted model (after `fit`). */
  readonly model: PlsFit | undefined;
}

/**
 * PLS2 regression (sklearn `PLSRegression(n_components=25, scale=False)`, as in Brain-Score's `pls_regression`).
 *
 * NIPALS finds each component's weights w as the fixed point of w ∝ Xₖᵀ Yₖ Yₖᵀ Xₖ w, i.e. the dominant left
 * singular vector of the deflated cross-covariance Cₖ = XₖᵀYₖ. Deflating X and Y by the score t = Xₖw changes C by
 * a rank-one term, Cₖ₊₁ = Cₖ − (tᵀt)·pqᵀ, so we find that vector from the small q×q matrix CₖᵀCₖ (Lanczos, kept up
 * to date by rank-two updates) instead of alternating products with the n×p data: the same fixed point, converged
 * more tightly than sklearn's NIPALS (which stops once successive weights differ by < 1e-3), at a fraction of the
 * cost. Weights are sign-flipped like sklearn's `_svd_flip_1d`; coef = W (PᵀW)⁻¹ Qᵀ · y_std, intercept = ȳ.
 */
export function plsRegression(options: PlsOptions = {}): PlsRegression {
  const nComponents = options.nComponents ?? 25;
  const scale = options.scale ?? false;
  const tol = options.tol ?? 1e-6;
  const maxIter = options.maxIter ?? 2000;
  const path = options.matmul ?? "auto";
  if (!Number.isInteger(nComponents) || nComponents < 1) {
    throw new Error(`plsRegression: nComponents must be a positive integer, got ${nComponents}`);
  }
  let model: PlsFit | undefined;
  return {
    get model() { return model; },
    fit(X, Y) {
      checkFitShapes("plsRegression", X, Y);
      if (nComponents > X.cols) {
        throw new Error(`plsRegression: nComponents = ${nComponents} exceeds the ${X.cols} features; ` +
          `ask for at most ${X.cols} (sklearn raises the same error)`);
      }
      model = fitPls(X, Y, nComponents, scale, tol, maxIter, path);
    },
    predict(X) {
      checkPredictShape("plsRegression", X, model?.xMean.length);
      const m = model as PlsFit;
      const Z = standardize(X, m.xMean, m.xStd);
      const out = matmul(Z, m.coef, path);
      const q = m.yMean.length;
      for (let i = 0; i < out.rows; i++) for (let j = 0; j < q; j++) out.data[i * q + j] += m.yMean[j];
      return out;
    },
  };
}

/**
 * The products one PLS fit needs with its fixed operands — centred X (n×p), Y (n×q) and C₀ = XᵀY (p×q) — each
 * a matrix times a vector. On a fast tfjs backend the operands are uploaded once per fit, with explicit
 * transposed copies, because transposed operands fall off XNNPACK's fast path.
 */
interface PlsProducts {
  /** C₀ = XᵀY as a float64 p×q matrix. */
  readonly C0: Float64Array;
  /** C₀ᵀC₀ (q×q). */
  gram(): Float64Array;
  /** X·w (n). */
  xTimes(w: Float64Array): Float64Array;
  /** Xᵀ·t (p). */
  xtTimes(t: Float64Array): Float64Array;
  /** Yᵀ·t (q). */
  ytTimes(t: Float64Array): Float64Array;
  /** C₀·v (p). */
  cTimes(v: Float64Array): Float64Array;
  /** C₀ᵀ·x (q). */
  ctTimes(x: Float64Array): Float64Array;
  dispose(): void;
}

function plsProducts(X: Matrix, xm: Moments, Y: Matrix, ym: Moments, path: MatmulPath): PlsProducts {
  const n = X.rows, p = X.cols, q = Y.cols;
  const onTf = path === "tf" || (path === "auto" && fastMatmulBackend() && n * p * q >= 1e6);
  if (!onTf) {
    const Xs = standardize(X, xm.mean, xm.std).data, Ys = standardize(Y, ym.mean, ym.std).data;
    const C0 = crossprod({ rows: n, cols: p, data: Xs }, { rows: n, cols: q, data: Ys }, "js").data;
    const js = (A: Float64Array, rows: number, cols: number) => ({
      times: (v: Float64Array) => matvec({ rows, cols, data: A }, v),
      ttimes: (v: Float64Array) => tmatvec({ rows, cols, data: A }, v),
    });
    const x = js(Xs, n, p), y = js(Ys, n, q), c = js(C0, p, q);
    return {
      C0,
      gram: () => crossprod({ rows: p, cols: q, data: C0 }, { rows: p, cols: q, data: C0 }, "js").data,
      xTimes: x.times, xtTimes: x.ttimes, ytTimes: y.ttimes, cTimes: c.times, ctTimes: c.ttimes,
      dispose() { /* nothing held */ },
    };
  }
  // Standardised straight into float32, plain and transposed, for upload. Every product is then a row vector
  // times a matrix: XNNPACK streams the matrix once for that shape (≈ 7× faster than matrix × column here).
  const upload = (m: Matrix, mo: Moments, transposed: boolean) =>
    tf.tensor2d(standardizedFloat32(m, mo, transposed), transposed ? [m.cols, m.rows] : [m.rows, m.cols]);
  const Xt = upload(X, xm, false), XTt = tf.transpose(Xt), Yt = upload(Y, ym, false);
  const C0t = tf.matMul(XTt, Yt);
  const C0 = Float64Array.from(C0t.dataSync() as Float32Array);
  const C0Tt = upload({ rows: p, cols: q, data: C0 }, { mean: new Float64Array(q), std: new Float64Array(q).fill(1) }, true);
  const rowTimes = (v: Float64Array, A: tf.Tensor): Float64Array => {
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(v), [1, v.length]), A as tf.Tensor2D));
    const values = Float64Array.from(out.dataSync() as Float32Array);
    out.dispose();
    return values;
  };
  return {
    C0,
    gram() {
      const g = tf.matMul(C0Tt, C0t);
      const values = Float64Array.from(g.dataSync() as Float32Array);
      g.dispose();
      return values;
    },
    xTimes: (w) => rowTimes(w, XTt),
    xtTimes: (t) => rowTimes(t, Xt),
    ytTimes: (t) => rowTimes(t, Yt),
    cTimes: (v) => rowTimes(v, C0Tt),
    ctTimes: (x) => rowTimes(x, C0t),
    dispose() { for (const t of [Xt, XTt, Yt, C0t, C0Tt]) t.dispose(); },
  };
}

interface Moments { mean: Float64Array; std: Float64Array }

/** (m − mean)/std as float32, optionally transposed. */
function standardizedFloat32(m: Matrix, mo: Moments, transposed: boolean): Float32Array {
  const { rows, cols, data } = m;
  const mean = mo.mean, inv = mo.std.map((v) => 1 / v);
  const out = new Float32Array(rows * cols);
  if (transposed) {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = (data[i * cols + j] - mean[j]) * inv[j];
  } else {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) out[o + j] = (data[o + j] - mean[j]) * inv[j];
    }
  }
  return out;
}

function fitPls(
  X: Matrix, Y: Matrix, K: number, scale: boolean, tol: number, maxIter: number, path: MatmulPath,
): PlsFit {
  const n = X.rows, p = X.cols, q = Y.cols;
  const xm = checkedMoments("plsRegression", "X", X, scale), ym = checkedMoments("plsRegression", "Y", Y, scale);
  const products = plsProducts(X, xm, Y, ym, path);
  try {
    // The deflated cross-covariance is never formed: Cₖ = C₀ − Σⱼ ttⱼ pⱼ qⱼᵀ, applied as C₀· minus the sum.
    const M = products.gram(); // q × q = CₖᵀCₖ, kept up to date by rank-two updates
    const W = matrix(p, K), P = matrix(p, K), Q = matrix(q, K);
    const scores: Float64Array[] = [];
    const tts: number[] = [];
    const iterations: number[] = [];
    const initialNorm = frobenius(M);
    let runnerUp: Float64Array | undefined;
    let k = 0;
    for (; k < K; k++) {
      // Stop early, like sklearn's "Y residual is constant" warning, once no cross-covariance is left.
      if (!(frobenius(M) > 1e-20 * initialNorm)) break;
      // Dominant eigenvector of M = CₖᵀCₖ (Cₖ's right singular vector), started from the previous component's
      // runner-up direction mixed with M's largest column (so the start cannot be orthogonal to the answer).
      const v = largestColumn(M, q);
      if (runnerUp) {
        const scaleV = Math.sqrt(dot(runnerUp, runnerUp) / dot(v, v)) * 1e-3;
        for (let i = 0; i < q; i++) v[i] = runnerUp[i] + scaleV * v[i];
      }
      const found = dominantEigenvector(M, q, v, tol, maxIter);
      iterations.push(found.products);
      runnerUp = found.runnerUp;
      // w = Cₖ v / ‖Cₖ v‖, signed like sklearn's _svd_flip_1d (largest |w_i| positive).
      const w = products.cTimes(v);
      for (let j = 0; j < k; j++) {
        const c = tts[j] * columnDot(Q, j, v);
        for (let i = 0; i < p; i++) w[i] -= c * P.data[i * K + j];
      }
      const wn = Math.sqrt(dot(w, w));
      if (!(wn > 0)) break;
      let big = 0;
      for (let i = 0; i < p; i++) { w[i] /= wn; if (Math.abs(w[i]) > Math.abs(w[big])) big = i; }
      if (w[big] < 0) for (let i = 0; i < p; i++) w[i] = -w[i];
      // Score on the deflated data: t = Xₖ w = X w − Σⱼ tⱼ (pⱼ·w).
      const t = products.xTimes(w);
      for (let j = 0; j < k; j++) {
        const c = columnDot(P, j, w);
        const tj = scores[j];
        for (let i = 0; i < n; i++) t[i] -= tj[i] * c;
      }
      const tt = dot(t, t);
      if (!(tt > 0)) break;
      // Loadings on the deflated data: p = Xₖᵀt / tᵀt, q = Yₖᵀt / tᵀt (prior scores are ~orthogonal to t).
      const pk = products.xtTimes(t);
      const qk = products.ytTimes(t);
      for (let j = 0; j < k; j++) {
        const c = dot(scores[j], t);
        for (let i = 0; i < p; i++) pk[i] -= P.data[i * K + j] * c;
        for (let i = 0; i < q; i++) qk[i] -= Q.data[i * K + j] * c;
      }
      for (let i = 0; i < p; i++) pk[i] /= tt;
      for (let i = 0; i < q; i++) qk[i] /= tt;
      // Deflation changes C by −tt·p qᵀ; update M = CᵀC to match, with u = Cₖᵀp.
      const u = products.ctTimes(pk);
      for (let j = 0; j < k; j++) {
        const c = tts[j] * columnDot(P, j, pk);
        for (let i = 0; i < q; i++) u[i] -= c * Q.data[i * K + j];
      }
      const pp = dot(pk, pk);
      for (let a = 0; a < q; a++) {
        for (let b = 0; b < q; b++) {
          M[a * q + b] += -tt * (qk[a] * u[b] + u[a] * qk[b]) + tt * tt * pp * qk[a] * qk[b];
        }
      }
      for (let i = 0; i < p; i++) { W.data[i * K + k] = w[i]; P.data[i * K + k] = pk[i]; }
      for (let i = 0; i < q; i++) Q.data[i * K + k] = qk[i];
      scores.push(t);
      tts.push(tt);
    }
    const used = k;
    const Wk = keepColumns(W, used), Pk = keepColumns(P, used), Qk = keepColumns(Q, used);
    // x_rotations = W (PᵀW)⁻¹; coef = x_rotations Qᵀ, times Y's scale.
    const PtW = matrix(used, used);
    for (let a = 0; a < used; a++) for (let b = 0; b < used; b++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += Pk.data[i * used + a] * Wk.data[i * used + b];
      PtW.data[a * used + b] = s;
    }
    const rotations = used > 0 ? transpose(solve(transpose(PtW), transpose(Wk))) : matrix(p, 0);
    const coef = matmul(rotations, transpose(Qk), path);
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) coef.data[i * q + j] *= ym.std[j];
    return {
      nComponents: used, xWeights: Wk, xLoadings: Pk, yLoadings: Qk, coef,
      xMean: xm.mean, xStd: xm.std, yMean: ym.mean, iterations,
    };
  } finally {
    products.dispose();
  }
}

function frobenius(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function largestColumn(M: Float64Array, q: number): Float64Array {
  let best = 0;
  for (let j = 1; j < q; j++) if (M[j * q + j] > M[best * q + best]) best = j;
  const v = new Float64Array(q);
  for (let i = 0; i < q; i++) v[i] = M[i * q + best];
  return v;
}

/**
 * Dominant eigenvector of the symmetric q×q matrix M (into v, which holds the start vector): Lanczos with full
 * re-orthogonalisation, restarted from the Ritz vector until the residual ‖My − θy‖ ≤ tol·θ. Converges in tens
 * of products where the power iteration NIPALS uses needs thousands when the top two singular values are close.
 * Returns the number of products with M and the second Ritz vector (a good start for the next component, whose
 * dominant direction after deflation is usually near this one's runner-up).
 */
function dominantEigenvector(
  M: Float64Array, q: number, v: Float64Array, tol: number, maxIter: number,
): { products: number; runnerUp: Float64Array | undefined } {
  const m = Math.min(q, 60);
  let products = 0;
  let start = Float64Array.from(v);
  if (!(dot(start, start) > 0)) start[0] = 1;
  while (true) {
    const basis: Float64Array[] = [];
    const alpha: number[] = [], beta: number[] = [];
    let w = scaled(start, 1 / Math.sqrt(dot(start, start)));
    let ritz: RitzPairs | undefined;
    for (let j = 0; j < m; j++) {
      basis.push(w);
      const z = new Float64Array(q);
      for (let a = 0; a < q; a++) { let s = 0; const o = a * q; for (let b = 0; b < q; b++) s += M[o + b] * w[b]; z[a] = s; }
      products++;
      const a0 = dot(z, w);
      alpha.push(a0);
      // Three-term recurrence, then one full re-orthogonalisation pass against the whole basis.
      const prev = j > 0 ? basis[j - 1] : undefined;
      const b0 = j > 0 ? beta[j - 1] : 0;
      for (let a = 0; a < q; a++) z[a] -= a0 * w[a] + (prev ? b0 * prev[a] : 0);
      for (const u of basis) { const c = dot(z, u); for (let a = 0; a < q; a++) z[a] -= c * u[a]; }
      const next = Math.sqrt(dot(z, z));
      const invariant = next <= 1e-14 * Math.abs(alpha[0]);
      // Check the Ritz pair every few steps, and at the end of the cycle.
      if (invariant || j === m - 1 || (j + 1) % 4 === 0) {
        ritz = topRitzPairs(alpha, beta, invariant ? 0 : next);
        if (invariant || ritz.residual <= tol * Math.abs(ritz.theta)) break;
      }
      if (j === m - 1) break;
      beta.push(next);
      w = scaled(z, 1 / next);
    }
    const { s, s2, residual, theta } = ritz as RitzPairs;
    const combine = (coefficients: Float64Array) => {
      const out = new Float64Array(q);
      for (let i = 0; i < basis.length; i++) for (let a = 0; a < q; a++) out[a] += coefficients[i] * basis[i][a];
      return out;
    };
    v.set(combine(s));
    const nv = Math.sqrt(dot(v, v));
    for (let a = 0; a < q; a++) v[a] /= nv;
    if (residual <= tol * Math.abs(theta) || products >= maxIter) {
      return { products, runnerUp: s2 ? combine(s2) : undefined };
    }
    start = Float64Array.from(v);
  }
}

interface RitzPairs {
  theta: number;
  /** Top Ritz vector in the Lanczos basis. */
  s: Float64Array;
  /** Second Ritz vector, if the basis has two vectors. */
  s2: Float64Array | undefined;
  residual: number;
}

/** Top two Ritz vectors of the Lanczos tridiagonal, and the top one's residual ‖My − θy‖ = |β_next · s_last|. */
function topRitzPairs(alpha: number[], beta: number[], nextBeta: number): RitzPairs {
  const k = alpha.length;
  const { values, vectors } = tridiagonalEigen(alpha, beta);
  const s = Float64Array.from({ length: k }, (_, i) => vectors.data[i * k]);
  const s2 = k > 1 ? Float64Array.from({ length: k }, (_, i) => vectors.data[i * k + 1]) : undefined;
  return { theta: values[0], s, s2, residual: Math.abs(nextBeta * s[k - 1]) };
}

function scaled(x: Float64Array, c: number): Float64Array {
  return Float64Array.from(x, (v) => v * c);
}

function columnDot(A: Matrix64, j: number, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < A.rows; i++) s += A.data[i * A.cols + j] * x[i];
  return s;
}

function keepColumns(A: Matrix64, k: number): Matrix64 {
  const out = matrix(A.rows, k);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = A.data[i * A.cols + j];
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Ridge

export interface RidgeOptions {
  /**
   * Penalties to choose from. Default: a log grid of 17 values from 1e-4 to 1e4 times the mean eigenvalue of the
   * centred Gram matrix (so the grid follows the features' units). One value = a fixed penalty, no search
   * (`[1]` is Brain-Score's `ridge_regression`, sklearn `Ridge()`).
   */
  alphas?: readonly number[];
  /** Multiply `alphas` by the mean Gram eigenvalue (default true for the default grid, false when you pass alphas). */
  relative?: boolean;
  /** How large products are computed (default: tfjs when its backend is fast). */
  matmul?: MatmulPath;
}

export interface RidgeRegression extends Regression {
  /** The penalty used by the last fit. */
  readonly alpha: number | undefined;
  /** Mean leave-one-out squared error per candidate penalty (last fit; empty for a fixed penalty). */
  readonly looErrors: readonly { alpha: number; mse: number }[];
}

/** The default relative grid: 10^-4 … 10^4 in half decades. */
export const DEFAULT_RIDGE_GRID: readonly number[] = Array.from({ length: 17 }, (_, i) => 10 ** (-4 + i / 2));

/**
 * Ridge regression with intercept: W = (XcᵀXc + αI)⁻¹ XcᵀYc on centred X and Y, one α shared by all sites.
 *
 * α is chosen by exact leave-one-out cross-validation: with the eigen-decomposition of the smaller Gram matrix
 * (XcᵀXc when features < stimuli — the primal form — else XcXcᵀ, the dual/kernel form), every α on the grid
 * costs only products with the eigenvectors, and the left-out residual of stimulus i is (yᵢ − ŷᵢ)/(1 − hᵢᵢ)
 * with hᵢᵢ the hat-matrix diagonal (including the unpenalised intercept's 1/n). The eigen-decomposition is
 * O(min(n, p)³) in JavaScript: about 2 s at 600 and roughly 10 s at 1,000 on the shared 2-core development machine
 * — for big layers prefer PLS (Brain-Score's default) or a fixed α (a single linear solve, about a tenth of that).
 */
export function ridgeRegression(options: RidgeOptions = {}): RidgeRegression {
  const grid = options.alphas ?? DEFAULT_RIDGE_GRID;
  const relative = options.relative ?? options.alphas === undefined;
  const path = options.matmul ?? "auto";
  if (grid.length === 0 || grid.some((a) => !(a > 0) || !Number.isFinite(a))) {
    throw new Error(`ridgeRegression: alphas must be positive finite numbers, got [${grid.join(", ")}]`);
  }
  let alpha: number | undefined;
  let looErrors: { alpha: number; mse: number }[] = [];
  let xMean: Float64Array | undefined, yMean: Float64Array | undefined;
  let coef: Matrix64 | undefined;
  return {
    get alpha() { return alpha; },
    get looErrors() { return looErrors; },
    fit(X, Y) {
      checkFitShapes("ridgeRegression", X, Y);
      const xm = checkedMoments("ridgeRegression", "X", X, false), ym = checkedMoments("ridgeRegression", "Y", Y, false);
      const ones = new Float64Array(X.cols).fill(1), onesY = new Float64Array(Y.cols).fill(1);
      const Xc = standardize(X, xm.mean, ones), Yc = standardize(Y, ym.mean, onesY);
      const fitted = grid.length === 1 && !relative
        ? { alpha: grid[0], coef: ridgeFixed(Xc, Yc, grid[0], path), looErrors: [] }
        : ridgeLoo(Xc, Yc, grid, relative, path);
      alpha = fitted.alpha;
      coef = fitted.coef;
      looErrors = fitted.looErrors;
      xMean = xm.mean;
      yMean = ym.mean;
    },
    predict(X) {
      checkPredictShape("ridgeRegression", X, xMean?.length);
      const ones = new Float64Array(X.cols).fill(1);
      const out = matmul(standardize(X, xMean as Float64Array, ones), coef as Matrix64, path);
      const q = (yMean as Float64Array).length;
      for (let i = 0; i < out.rows; i++) for (let j = 0; j < q; j++) out.data[i * q + j] += (yMean as Float64Array)[j];
      return out;
    },
  };
}

/** W for one fixed α: Cholesky on the smaller of the primal (p×p) and dual (n×n) systems. */
function ridgeFixed(Xc: Matrix64, Yc: Matrix64, alpha: number, path: MatmulPath): Matrix64 {
  const { rows: n, cols: p } = Xc;
  if (p <= n) {
    const G = crossprod(Xc, Xc, path);
    for (let i = 0; i < p; i++) G.data[i * p + i] += alpha;
    return choleskySolve(G, crossprod(Xc, Yc, path));
  }
  const Xt = transpose(Xc);
  const K = crossprod(Xt, Xt, path); // n × n = Xc Xcᵀ
  for (let i = 0; i < n; i++) K.data[i * n + i] += alpha;
  return matmul(Xt, choleskySolve(K, Yc), path); // W = Xcᵀ (K + αI)⁻¹ Yc
}

function ridgeLoo(
  Xc: Matrix64, Yc: Matrix64, grid: readonly number[], relative: boolean, path: MatmulPath,
): { alpha: number; coef: Matrix64; looErrors: { alpha: number; mse: number }[] } {
  const { rows: n, cols: p } = Xc;
  const q = Yc.cols;
  const primal = p <= n;
  // Eigen-decomposition of the smaller Gram matrix. U (n × r) are the left singular vectors of Xc with
  // squared singular values `lambda`: primal U = Xc V / s, dual U = eigenvectors of XcXcᵀ.
  const Xt = primal ? undefined : transpose(Xc);
  const G = primal ? crossprod(Xc, Xc, path) : crossprod(Xt as Matrix64, Xt as Matrix64, path);
  const { values, vectors } = symmetricEigen(G);
  const m = values.length;
  const top = Math.max(values[0], 0);
  // Directions with no variance (rank deficiency, or the dual's centring direction) contribute nothing.
  let r = 0;
  while (r < m && values[r] > 1e-10 * top) r++;
  const lambda = values.slice(0, r);
  const V = keepColumns(vectors, r);
  let U: Matrix64;
  if (primal) {
    U = matmul(Xc, V, path);
    for (let j = 0; j < r; j++) { const s = Math.sqrt(lambda[j]); for (let i = 0; i < n; i++) U.data[i * r + j] /= s; }
  } else {
    U = V;
  }
  const UtY = crossprod(U, Yc, path); // r × q
  const scaleBy = relative ? lambda.reduce((a, b) => a + b, 0) / Math.max(1, Math.min(n - 1, p)) : 1;
  const looErrors: { alpha: number; mse: number }[] = [];
  let best = { alpha: NaN, mse: Infinity };
  const shrunk = matrix(r, q);
  for (const a of grid) {
    const alpha = a * scaleBy;
    // Ŷ = U diag(λ/(λ+α)) UᵀY; h_ii = 1/n + Σ_k U_ik² λ_k/(λ_k+α).
    for (let k = 0; k < r; k++) {
      const f = lambda[k] / (lambda[k] + alpha);
      for (let j = 0; j < q; j++) shrunk.data[k * q + j] = f * UtY.data[k * q + j];
    }
    const Yhat = matmul(U, shrunk, path);
    let sse = 0;
    for (let i = 0; i < n; i++) {
      let h = 1 / n;
      for (let k = 0; k < r; k++) { const u = U.data[i * r + k]; h += (u * u * lambda[k]) / (lambda[k] + alpha); }
      const denom = 1 - h;
      for (let j = 0; j < q; j++) {
        const e = (Yc.data[i * q + j] - Yhat.data[i * q + j]) / denom;
        sse += e * e;
      }
    }
    const mse = sse / (n * q);
    looErrors.push({ alpha, mse });
    if (mse < best.mse) best = { alpha, mse };
  }
  // W = V diag(1/(λ+α)) VᵀXcᵀY in the primal; Xcᵀ U diag(1/(λ+α)) UᵀY in the dual.
  const inv = matrix(r, q);
  for (let k = 0; k < r; k++) {
    const f = primal ? Math.sqrt(lambda[k]) / (lambda[k] + best.alpha) : 1 / (lambda[k] + best.alpha);
    for (let j = 0; j < q; j++) inv.data[k * q + j] = f * UtY.data[k * q + j];
  }
  // Primal: VᵀXcᵀY = diag(s) UᵀY, hence the √λ above.
  const coef = primal ? matmul(V, inv, path) : matmul(Xt as Matrix64, matmul(U, inv, path), path);
  return { alpha: best.alpha, coef, looErrors };
}
