/**
 * The small statistics the neural metrics are built from: per-site Pearson r (scipy.stats.pearsonr, as in
 * Brain-Score's `pearsonr_correlation`), Spearman's rank correlation (scipy.stats.spearmanr: Pearson of
 * tie-averaged ranks), median, mean and Brain-Score's standard error of the mean over splits
 * (`values.std('split') / sqrt(n)`: xarray's std, i.e. population std, ddof = 0).
 */
import { rng } from "../util/random";
import { Matrix } from "../util/linalg";

/** Pearson r between two equal-length vectors (NaN if either is constant). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new Error(`pearson: vectors have lengths ${n} and ${y.length}`);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Pearson r of each column of `a` with the same column of `b` (e.g. predicted vs measured, per site). */
export function pearsonPerColumn(a: Matrix, b: Matrix): Float64Array {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`pearsonPerColumn: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
  }
  const { rows: n, cols: q } = a;
  const ma = new Float64Array(q), mb = new Float64Array(q);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) { ma[j] += a.data[i * q + j]; mb[j] += b.data[i * q + j]; }
  for (let j = 0; j < q; j++) { ma[j] /= n; mb[j] /= n; }
  const sab = new Float64Array(q), saa = new Float64Array(q), sbb = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < q; j++) {
      const da = a.data[i * q + j] - ma[j], db = b.data[i * q + j] - mb[j];
      sab[j] += da * db; saa[j] += da * da; sbb[j] += db * db;
    }
  }
  return Float64Array.from(sab, (s, j) => Math.max(-1, Math.min(1, s / Math.sqrt(saa[j] * sbb[j]))));
}

/** Ranks 1..n with ties given their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j]);
  const out = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && x[order[end + 1]] === x[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k]] = rank;
    start = end + 1;
  }
  return out;
}

/** Spearman's rank correlation. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Median (mean of the two middle values for an even count). NaNs are not allowed. */
export function median(x: ArrayLike<number>): number {
  if (x.length === 0) return NaN;
  const s = Float64Array.from(x).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Standard error of the mean as Brain-Score computes it over splits: population std / √n. */
export function sem(x: ArrayLike<number>): number {
  const n = x.length;
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) ** 2;
  return Math.sqrt(ss / n) / Math.sqrt(n);
}

/**
 * Pearson r with a percentile-bootstrap 95 % interval: resample the pairs with replacement `resamples` times
 * (seeded), skip resamples where r is undefined (all points alike), take the 2.5th and 97.5th percentiles.
 */
export function pearsonWithBootstrapCI(
  x: readonly number[], y: readonly number[], options: { resamples?: number; seed?: number } = {},
): { r: number; lo: number; hi: number } {
  if (x.length !== y.length) throw new Error(`pearsonWithBootstrapCI: ${x.length} x values but ${y.length} y values`);
  const random = rng(options.seed ?? 1);
  const rs: number[] = [];
  for (let b = 0; b < (options.resamples ?? 2000); b++) {
    const idx = x.map(() => random.int(x.length));
    const r = pearson(idx.map((i) => x[i]), idx.map((i) => y[i]));
    if (Number.isFinite(r)) rs.push(r);
  }
  rs.sort((a, b) => a - b);
  return { r: pearson(x, y), lo: rs[Math.floor(0.025 * rs.length)], hi: rs[Math.floor(0.975 * rs.length)] };
}
