/**
 * The memory bank and the losses of the two objectives Zhuang et al. 2021 found the most brain-like:
 *
 * - **Instance recognition** (Wu, Xiong, Yu & Lin 2018, "Unsupervised feature learning via non-parametric instance
 *   discrimination", CVPR): every training image is its own class. A memory bank keeps one L2-normalised embedding
 *   per image; an image's embedding v must pick its own entry out of the whole bank under a non-parametric softmax,
 *   P(i | v) = exp(v_iᵀv / τ) / Σ_j exp(v_jᵀv / τ), τ = 0.07; after each step the entries of the batch's images move
 *   to the new embeddings by momentum, v_i ← normalise(m·v_i + (1 − m)·f_i), m = 0.5. (The paper approximates the
 *   denominator with NCE over 4,096 noise samples for its 1.28 M images; a bank of a few thousand is summed exactly.)
 * - **Local aggregation** (Zhuang, Zhai & Yamins 2019, "Local aggregation for unsupervised learning of visual
 *   embeddings", ICCV): the same bank; for each image, its background neighbours B_i (the k closest bank entries)
 *   and its close neighbours C_i (the entries that share its cluster in any of several k-means clusterings of the
 *   bank, itself included); the loss −log( P(C_i ∩ B_i | v) / P(B_i | v) ) pulls the close neighbours that are also
 *   near together against the rest of the background. The paper starts from a network warmed up with the instance
 *   loss, and redoes the clusterings once per epoch.
 *
 * These are the pieces — the bank, its momentum update, spherical k-means, both losses — each checked on cases with
 * known values (test/ssl-memory-bank.test.ts).
 */
import { tf } from "../../tf";
import { rng } from "../../util/random";

/** Wu et al. 2018's temperature and momentum (also Zhuang et al. 2019's). */
export const BANK_TEMPERATURE = 0.07;
export const BANK_MOMENTUM = 0.5;

/** One L2-normalised embedding per training image, row-major (size × dim). */
export class MemoryBank {
  readonly vectors: Float32Array;

  /** A bank of random unit vectors (the paper's initialisation), seeded. */
  constructor(readonly size: number, readonly dim: number, seed: number) {
    if (!(Number.isInteger(size) && size >= 2 && Number.isInteger(dim) && dim >= 1)) throw new Error(`MemoryBank: size must be ≥ 2 and dim ≥ 1 (whole numbers), got ${size} × ${dim}`);
    const r = rng(seed);
    this.vectors = Float32Array.from({ length: size * dim }, () => r.normal());
    for (let i = 0; i < size; i++) normaliseRow(this.vectors, i, dim);
  }

  /** The bank as a tensor (size × dim), for the losses. */
  tensor(): tf.Tensor2D {
    return tf.tensor2d(this.vectors, [this.size, this.dim]);
  }

  /** v_i ← normalise(m·v_i + (1 − m)·f_i) for the batch's images (`features`: rows in the order of `indices`). */
  update(indices: ArrayLike<number>, features: Float32Array, momentum = BANK_MOMENTUM): void {
    const d = this.dim;
    if (features.length !== indices.length * d) throw new Error(`MemoryBank.update: ${indices.length} indices but ${features.length / d} feature rows`);
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`MemoryBank.update: momentum must be in [0, 1), got ${momentum}`);
    const f = Float32Array.from(features);
    for (let r = 0; r < indices.length; r++) normaliseRow(f, r, d);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!(Number.isInteger(i) && i >= 0 && i < this.size)) throw new Error(`MemoryBank.update: index ${i} is outside the bank (0…${this.size - 1})`);
      for (let k = 0; k < d; k++) this.vectors[i * d + k] = momentum * this.vectors[i * d + k] + (1 - momentum) * f[r * d + k];
      normaliseRow(this.vectors, i, d);
    }
  }

  /** The k entries most similar to each of `queries` (unit rows, n × dim), most similar first. */
  nearest(queries: Float32Array, k: number): Int32Array[] {
    const d = this.dim, n = queries.length / d;
    if (!(k >= 1 && k <= this.size)) throw new Error(`MemoryBank.nearest: k must be in 1…${this.size}, got ${k}`);
    const out: Int32Array[] = [];
    const sims = new Float32Array(this.size);
    for (let q = 0; q < n; q++) {
      for (let j = 0; j < this.size; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += queries[q * d + t] * this.vectors[j * d + t];
        sims[j] = s;
      }
      const order = Array.from({ length: this.size }, (_, j) => j).sort((a, b) => sims[b] - sims[a] || a - b);
      out.push(Int32Array.from(order.slice(0, k)));
    }
    return out;
  }
}

function normaliseRow(x: Float32Array, row: number, d: number): void {
  let s = 0;
  for (let k = 0; k < d; k++) s += x[row * d + k] ** 2;
  const norm = Math.sqrt(s) || 1;
  for (let k = 0; k < d; k++) x[row * d + k] /= norm;
}

/** L2-normalised rows of a batch of embeddings. */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-12)) as tf.Tensor2D;
}

/**
 * The instance-recognition loss: mean over the batch of −log P(i | v_i), the non-parametric softmax of each image's
 * unit embedding (`v`, b × d) over the bank (n × d, held fixed: no gradient into it) at temperature τ; `indices[r]` is
 * row r's own bank entry.
 */
export function instanceLoss(v: tf.Tensor2D, bank: tf.Tensor2D, indices: ArrayLike<number>, temperature = BANK_TEMPERATURE): tf.Scalar {
  if (indices.length !== v.shape[0]) throw new Error(`instanceLoss: ${v.shape[0]} embeddings but ${indices.length} indices`);
  if (!(temperature > 0)) throw new Error(`instanceLoss: the temperature must be positive, got ${temperature}`);
  return tf.tidy(() => {
    const logits = tf.div(tf.matMul(v, bank, false, true), temperature);
    const own = tf.oneHot(tf.tensor1d(Array.from(indices), "int32"), bank.shape[0]);
    return tf.neg(tf.mean(tf.sum(tf.mul(own, tf.logSoftmax(logits, 1)), 1))) as tf.Scalar;
  });
}

/**
 * The local-aggregation loss: mean over the batch of −log( Σ_{j ∈ C_r ∩ B_r} e^{v_jᵀv_r/τ} / Σ_{j ∈ B_r} e^{v_jᵀv_r/τ} ),
 * with row r's background neighbours `background[r]` (bank indices) and `close(r, j)` saying whether bank entry j is
 * one of its close neighbours. A row whose background holds none of its close neighbours is an error (the loss would be
 * infinite): the caller includes the image's own entry in both.
 */
export function localAggregationLoss(v: tf.Tensor2D, bank: tf.Tensor2D, background: readonly ArrayLike<number>[], close: (row: number, entry: number) => boolean,
  temperature = BANK_TEMPERATURE): tf.Scalar {
  const b = v.shape[0], n = bank.shape[0];
  if (background.length !== b) throw new Error(`localAggregationLoss: ${b} embeddings but ${background.length} background sets`);
  const inB = new Float32Array(b * n), inCB = new Float32Array(b * n);
  for (let r = 0; r < b; r++) {
    let any = false;
    for (const j of Array.from(background[r])) {
      inB[r * n + j] = 1;
      if (close(r, j)) { inCB[r * n + j] = 1; any = true; }
    }
    if (!any) throw new Error(`localAggregationLoss: row ${r}'s background neighbours hold none of its close neighbours (include the image's own entry in both)`);
  }
  return tf.tidy(() => {
    const logits = tf.div(tf.matMul(v, bank, false, true), temperature);
    // log Σ over a set = logsumexp of the logits masked to −∞ outside it (a large finite value keeps gradients finite).
    const masked = (mask: Float32Array) => tf.logSumExp(tf.add(logits, tf.mul(tf.sub(tf.tensor2d(mask, [b, n]), 1), 1e9)), 1);
    return tf.neg(tf.mean(tf.sub(masked(inCB), masked(inB)))) as tf.Scalar;
  });
}

/**
 * Spherical k-means of unit rows (n × d): k centroids (unit vectors), each row assigned to the most similar one;
 * k-means++ seeding from `seed`; stops when no assignment changes or after `iterations`. Returns the assignments.
 */
export function sphericalKMeans(x: Float32Array, n: number, d: number, k: number, seed: number, iterations = 20): Int32Array {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`sphericalKMeans: k must be a whole number in 1…${n}, got ${k}`);
  if (x.length !== n * d) throw new Error(`sphericalKMeans: ${x.length} values are not ${n} rows of ${d}`);
  const r = rng(seed);
  const dot = (a: Float32Array, i: number, b: Float32Array, j: number) => { let s = 0; for (let t = 0; t < d; t++) s += a[i * d + t] * b[j * d + t]; return s; };
  const centroids = new Float32Array(k * d);
  // k-means++ on the cosine distance 1 − cos.
  const first = Math.floor(r.uniform() * n);
  centroids.set(x.subarray(first * d, (first + 1) * d), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) { best[i] = Math.min(best[i], Math.max(0, 1 - dot(x, i, centroids, c - 1))); total += best[i] ** 2; }
    let pick = r.uniform() * total, chosen = n - 1;
    for (let i = 0; i < n; i++) { pick -= best[i] ** 2; if (pick <= 0) { chosen = i; break; } }
    centroids.set(x.subarray(chosen * d, (chosen + 1) * d), c * d);
  }
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < iterations; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let top = -Infinity, arg = 0;
      for (let c = 0; c < k; c++) { const s = dot(x, i, centroids, c); if (s > top) { top = s; arg = c; } }
      if (assign[i] !== arg) { assign[i] = arg; changed = true; }
    }
    if (!changed) break;
    centroids.fill(0);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) centroids[assign[i] * d + t] += x[i * d + t];
    for (let c = 0; c < k; c++) normaliseRow(centroids, c, d);
  }
  return assign;
}
