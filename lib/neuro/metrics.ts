/**
 * Neural-fit metrics of notebook 01, composed like Brain-Score's
 * (brainscore_vision/metrics/regression_correlation/metric.py `CrossRegressedCorrelation`,
 *  metrics/internal_consistency/ceiling.py `InternalConsistency`, metrics/rdm/metric.py `RDMMetric`,
 *  benchmark_helpers/neural_common.py `explained_variance`):
 *
 *   regression (PLS-25 or ridge) × correlation (per-site Pearson r on held-out stimuli)
 *   × cross-validation (10 splits, 90/10, stratified by object) × aggregation (median over sites, then mean
 *   over splits ± SEM), and a ceiling computed separately from the repetitions (split-half, Spearman–Brown).
 *
 * Scores are named for what they are:
 *   - `r`                          median-over-sites held-out Pearson r, mean over splits (Brain-Score's raw score)
 *   - `r_ceiled`                   r / ceiling (Brain-Score's ceiled score in its 2018–2023 releases)
 *   - `explained_variance`         r² — fraction of the variance of the trial-averaged responses explained
 *   - `explained_variance_ceiled`  r² / ceiling — fraction of the *explainable* variance explained
 *                                  (the split-half reliability is the explainable fraction; Yamins et al. 2014)
 *   - `r_ceiled_squared`           (r / ceiling)² — what brainscore_vision's `explained_variance()` now reports
 * plus RSA (correlation-distance RDMs compared by Spearman, with a split-half RDM ceiling) and linear
 * categorisation accuracy (ridge one-vs-rest on held-out images).
 */
import { NeuralAssembly, meanOverRepetitions, stimulusLabels } from "./assembly";
import { Split, SplitOptions, SPLIT_DEFAULTS, shuffleSplits, stratifiedShuffleSplits } from "./crossval";
import { Matrix, Matrix64, matmul, matrix, takeRows, transpose } from "./linalg";
import { RegressionFactory, plsRegression, ridgeRegression } from "./regression";
import { mean, median, pearsonPerColumn, sem, spearman } from "./stats";

// ---------------------------------------------------------------------------------------------------------------
// Cross-regressed correlation

export interface CrossRegressedCorrelationOptions extends SplitOptions {
  /** The mapping, fresh per split. Default: `plsRegression()` (25 components, centred, as Brain-Score). */
  regression?: RegressionFactory;
  /** Stimulus label to stratify splits by (Brain-Score: object_name); null for unstratified splits. */
  stratifyBy?: "object" | "category" | null;
  /** Use these splits instead of drawing them. */
  splitList?: readonly Split[];
  /** Keep each split's held-out predictions (for predicted-vs-measured plots). */
  keepPredictions?: boolean;
}

export interface HeldOutPrediction {
  /** Indices of the held-out stimuli. */
  test: Int32Array;
  /** Predicted responses, test stimuli × sites. */
  predicted: Matrix64;
}

export interface CrossRegressedCorrelationScore {
  /** Held-out Pearson r: median over sites within each split, then mean over splits (Brain-Score's raw score). */
  r: number;
  /** Standard error of `r` over splits (population std / √splits, as Brain-Score). */
  sem: number;
  /** Median-over-sites r of each split. */
  perSplit: Float64Array;
  /** Each site's held-out r, averaged over splits. */
  perSite: Float64Array;
  splits: number;
  /** Held-out predictions per split, if asked for. */
  predictions?: HeldOutPrediction[];
}

/**
 * Brain-Score's CrossRegressedCorrelation: fit `regression` from model features to trial-averaged responses on
 * the training stimuli of each split, predict the held-out stimuli, Pearson r per site, median over sites,
 * mean over splits. `features` rows are the assembly's stimuli, in the same order.
 */
export function crossRegressedCorrelation(
  features: Matrix, target: NeuralAssembly, options: CrossRegressedCorrelationOptions = {},
): CrossRegressedCorrelationScore {
  if (features.rows !== target.shape[0]) {
    throw new Error(
      `crossRegressedCorrelation: features have ${features.rows} rows but the assembly has ${target.shape[0]} ` +
        `stimuli; rows must be the assembly's stimuli, in order`,
    );
  }
  const key = options.stratifyBy === undefined ? "object" : options.stratifyBy;
  const strata = key === null ? null : stimulusLabels(target, key);
  return crossRegressedCorrelationOnMatrices(features, meanOverRepetitions(target), strata, options);
}

/** The same metric on bare matrices: X (stimuli × features), Y (stimuli × sites), optional strata per stimulus. */
export function crossRegressedCorrelationOnMatrices(
  X: Matrix, Y: Matrix, strata: readonly string[] | null, options: CrossRegressedCorrelationOptions = {},
): CrossRegressedCorrelationScore {
  if (X.rows !== Y.rows) {
    throw new Error(`crossRegressedCorrelation: X has ${X.rows} stimuli, Y has ${Y.rows}; they must be the same stimuli`);
  }
  checkSitesVary(Y);
  const makeRegression = options.regression ?? (() => plsRegression());
  const splits = options.splitList ?? (strata
    ? stratifiedShuffleSplits(strata, options)
    : shuffleSplits(X.rows, options));
  const perSplit = new Float64Array(splits.length);
  const perSite = new Float64Array(Y.cols);
  const predictions: HeldOutPrediction[] = [];
  splits.forEach((split, k) => {
    const regression = makeRegression();
    regression.fit(takeRows(X, split.train), takeRows(Y, split.train));
    const predicted = regression.predict(takeRows(X, split.test));
    const r = pearsonPerColumn(predicted, takeRows(Y, split.test));
    perSplit[k] = nanMedian(r);
    for (let j = 0; j < r.length; j++) perSite[j] += r[j] / splits.length;
    if (options.keepPredictions) predictions.push({ test: split.test, predicted });
  });
  return {
    r: mean(perSplit), sem: sem(perSplit), perSplit, perSite, splits: splits.length,
    ...(options.keepPredictions ? { predictions } : {}),
  };
}

function checkSitesVary(Y: Matrix): void {
  for (let j = 0; j < Y.cols; j++) {
    const first = Y.data[j];
    let varies = false;
    for (let i = 1; i < Y.rows && !varies; i++) varies = Y.data[i * Y.cols + j] !== first;
    if (!varies) {
      throw new Error(`crossRegressedCorrelation: site ${j} has the same response to every stimulus; ` +
        `Pearson r is undefined for it — remove it first`);
    }
  }
}

/** Median ignoring NaN (xarray's default skipna, as Brain-Score's `median(dim='neuroid')`). */
function nanMedian(x: Float64Array): number {
  return median(x.filter((v) => !Number.isNaN(v)));
}

// ---------------------------------------------------------------------------------------------------------------
// Ceiling

/** Spearman–Brown prophecy: reliability of a measure n times as long, n·r / (1 + (n − 1)·r). */
export function spearmanBrown(r: number, n = 2): number {
  return (n * r) / (1 + (n - 1) * r);
}

export interface CeilingOptions {
  /** Random half splits of the repetitions (Brain-Score: 10). */
  splits?: number;
  /** Seed of the half splits (Brain-Score's random_state is 1). */
  seed?: number;
}

export interface CeilingResult {
  /** Median over sites of the Spearman–Brown-corrected split-half r, mean over half splits. */
  ceiling: number;
  /** Standard error over half splits (population std / √splits). */
  sem: number;
  perSplit: Float64Array;
  /** Each site's corrected split-half r, mean over half splits. */
  perSite: Float64Array;
}

/**
 * Brain-Score's InternalConsistency: split the repetitions in two random halves, average each half per
 * stimulus, Pearson r per site between the half means across stimuli, Spearman–Brown 2r/(1+r) per site,
 * median over sites; mean over several random half splits.
 *
 * For a site with signal variance s² across stimuli and noise variance σ² per repetition, with k repetitions
 * per half, the expected half-split r is s²/(s² + σ²/k), and the corrected value estimates the reliability of
 * the mean over all 2k repetitions.
 */
export function splitHalfCeiling(assembly: NeuralAssembly, options: CeilingOptions = {}): CeilingResult {
  const R = assembly.shape[2];
  if (R < 2) throw new Error(`splitHalfCeiling: needs at least 2 repetitions per stimulus, the assembly has ${R}`);
  const halves = shuffleSplits(R, { splits: options.splits ?? SPLIT_DEFAULTS.splits, trainSize: 0.5, seed: options.seed ?? SPLIT_DEFAULTS.seed });
  const N = assembly.shape[1];
  const perSplit = new Float64Array(halves.length);
  const perSite = new Float64Array(N);
  halves.forEach((half, k) => {
    const [a, b] = dropIncomplete(meanOverRepetitions(assembly, half.train), meanOverRepetitions(assembly, half.test));
    const corrected = pearsonPerColumn(a, b).map((r) => spearmanBrown(r));
    perSplit[k] = nanMedian(corrected);
    for (let n = 0; n < N; n++) perSite[n] += corrected[n] / halves.length;
  });
  return { ceiling: mean(perSplit), sem: sem(perSplit), perSplit, perSite };
}

/** Keep stimuli with data in both halves (a stimulus with few repetitions may have none in one half). */
function dropIncomplete(a: Matrix64, b: Matrix64): [Matrix64, Matrix64] {
  const keep: number[] = [];
  for (let i = 0; i < a.rows; i++) if (!Number.isNaN(a.data[i * a.cols]) && !Number.isNaN(b.data[i * b.cols])) keep.push(i);
  return keep.length === a.rows ? [a, b] : [takeRows(a, keep), takeRows(b, keep)];
}

// ---------------------------------------------------------------------------------------------------------------
// Scores relative to the ceiling

export interface CeiledScores {
  /** Held-out Pearson r (raw). */
  r: number;
  /** The split-half ceiling used. */
  ceiling: number;
  /** r / ceiling. */
  r_ceiled: number;
  /** r²: fraction of the trial-averaged responses' variance the model explains. */
  explained_variance: number;
  /** r² / ceiling: fraction of the explainable (reliable) variance the model explains. */
  explained_variance_ceiled: number;
  /** (r / ceiling)²: brainscore_vision's `explained_variance(score, ceiling)`. */
  r_ceiled_squared: number;
}

/** All the ways to put a raw r next to a ceiling, each named for what it is. */
export function ceiledScores(r: number, ceiling: number): CeiledScores {
  return {
    r, ceiling,
    r_ceiled: r / ceiling,
    explained_variance: r * r,
    explained_variance_ceiled: (r * r) / ceiling,
    r_ceiled_squared: (r / ceiling) ** 2,
  };
}

export interface NeuralPredictivity extends CeiledScores {
  /** SEM of r over splits. */
  sem: number;
  fit: CrossRegressedCorrelationScore;
  ceilingDetail: CeilingResult;
}

/** Cross-regressed correlation and split-half ceiling of one assembly, with every ceiled score. */
export function neuralPredictivity(
  features: Matrix, assembly: NeuralAssembly,
  options: CrossRegressedCorrelationOptions & { ceiling?: CeilingOptions } = {},
): NeuralPredictivity {
  const fit = crossRegressedCorrelation(features, assembly, options);
  const ceilingDetail = splitHalfCeiling(assembly, options.ceiling);
  return { ...ceiledScores(fit.r, ceilingDetail.ceiling), sem: fit.sem, fit, ceilingDetail };
}

// ---------------------------------------------------------------------------------------------------------------
// RSA

/** A representational dissimilarity matrix: `values[i * size + j]` = 1 − Pearson r of conditions i and j. */
export interface Rdm {
  readonly size: number;
  /** Condition labels (stimulus ids, or object names when averaged per object). */
  readonly labels: readonly string[];
  readonly values: Float64Array;
}

export interface RdmOptions {
  /** Labels of the rows (default "0", "1", …). */
  labels?: readonly string[];
  /** Average the rows sharing a group label (e.g. object) before computing the RDM. */
  groupBy?: readonly string[];
}

/**
 * Correlation-distance RDM (Kriegeskorte et al. 2008; Brain-Score's `RDM`: 1 − np.corrcoef over the feature
 * dimension). `responses` is conditions × features (stimuli × sites, or stimuli × model units).
 */
export function rdm(responses: Matrix, options: RdmOptions = {}): Rdm {
  let rows: Matrix = responses;
  let labels = options.labels ?? Array.from({ length: responses.rows }, (_, i) => String(i));
  if (labels.length !== responses.rows) throw new Error(`rdm: ${labels.length} labels for ${responses.rows} rows`);
  if (options.groupBy) {
    const grouped = averageByGroup(responses, options.groupBy);
    rows = grouped.means;
    labels = grouped.groups;
  }
  const n = rows.rows, p = rows.cols;
  if (p < 2) throw new Error(`rdm: need at least 2 features per condition, got ${p}`);
  // Standardise each row; the correlation matrix is then Z·Zᵀ / p.
  const Z = matrix(n, p);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < p; j++) m += rows.data[i * p + j];
    m /= p;
    let ss = 0;
    for (let j = 0; j < p; j++) ss += (rows.data[i * p + j] - m) ** 2;
    const sd = Math.sqrt(ss / p);
    if (!(sd > 0)) throw new Error(`rdm: condition "${labels[i]}" has the same value on every feature; its correlation is undefined`);
    for (let j = 0; j < p; j++) Z.data[i * p + j] = (rows.data[i * p + j] - m) / sd;
  }
  const R = matmul(Z, transpose(Z));
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) values[i * n + j] = i === j ? 0 : 1 - Math.max(-1, Math.min(1, R.data[i * n + j] / p));
  }
  return { size: n, labels, values };
}

function averageByGroup(m: Matrix, groupBy: readonly string[]): { groups: string[]; means: Matrix64 } {
  if (groupBy.length !== m.rows) throw new Error(`rdm: groupBy has ${groupBy.length} labels for ${m.rows} rows`);
  const groups = Array.from(new Set(groupBy));
  const index = new Map(groups.map((g, i) => [g, i]));
  const means = matrix(groups.length, m.cols);
  const counts = new Float64Array(groups.length);
  groupBy.forEach((g, i) => {
    const k = index.get(g) as number;
    counts[k]++;
    for (let j = 0; j < m.cols; j++) means.data[k * m.cols + j] += m.data[i * m.cols + j];
  });
  for (let k = 0; k < groups.length; k++) for (let j = 0; j < m.cols; j++) means.data[k * m.cols + j] /= counts[k];
  return { groups, means };
}

/** Upper triangle (above the diagonal), row by row. */
export function upperTriangle(d: Rdm): Float64Array {
  const n = d.size;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = d.values[i * n + j];
  return out;
}

/** Spearman correlation between the upper triangles of two RDMs over the same conditions (Brain-Score's RDMSimilarity). */
export function rdmCorrelation(a: Rdm, b: Rdm): number {
  if (a.size !== b.size) throw new Error(`rdmCorrelation: RDMs have ${a.size} and ${b.size} conditions`);
  for (let i = 0; i < a.size; i++) {
    if (a.labels[i] !== b.labels[i]) {
      throw new Error(`rdmCorrelation: condition ${i} is "${a.labels[i]}" in one RDM and "${b.labels[i]}" in the other`);
    }
  }
  if (a.size < 3) throw new Error("rdmCorrelation: needs at least 3 conditions");
  return spearman(upperTriangle(a), upperTriangle(b));
}

export interface RsaOptions extends CeilingOptions {
  /** Average stimuli per object (or category) before the RDMs; null for image-level RDMs. Default "object". */
  groupBy?: "object" | "category" | null;
}

/**
 * Split-half RDM ceiling (Brain-Score's RDMConsistency): RDMs from the two half means of the repetitions,
 * Spearman between them, Spearman–Brown corrected, mean over half splits.
 */
export function rdmSplitHalfCeiling(assembly: NeuralAssembly, options: RsaOptions = {}): Omit<CeilingResult, "perSite"> {
  const R = assembly.shape[2];
  if (R < 2) throw new Error(`rdmSplitHalfCeiling: needs at least 2 repetitions, the assembly has ${R}`);
  const groupBy = groupLabels(assembly, options.groupBy);
  const labels = stimulusLabels(assembly, "id");
  const halves = shuffleSplits(R, { splits: options.splits ?? SPLIT_DEFAULTS.splits, trainSize: 0.5, seed: options.seed ?? SPLIT_DEFAULTS.seed });
  const perSplit = Float64Array.from(halves, (half) => {
    const a = rdm(meanOverRepetitions(assembly, half.train), { labels, groupBy });
    const b = rdm(meanOverRepetitions(assembly, half.test), { labels, groupBy });
    return spearmanBrown(rdmCorrelation(a, b));
  });
  return { ceiling: mean(perSplit), sem: sem(perSplit), perSplit };
}

export interface RsaScore {
  /** Spearman between model and neural RDM upper triangles. */
  similarity: number;
  /** Split-half RDM ceiling of the neural data. */
  ceiling: number;
  /** similarity / ceiling. */
  similarity_ceiled: number;
  model: Rdm;
  neural: Rdm;
}

/** RSA of model features against an assembly (RDMs per object by default). */
export function rsa(features: Matrix, assembly: NeuralAssembly, options: RsaOptions = {}): RsaScore {
  if (features.rows !== assembly.shape[0]) {
    throw new Error(`rsa: features have ${features.rows} rows but the assembly has ${assembly.shape[0]} stimuli`);
  }
  const groupBy = groupLabels(assembly, options.groupBy);
  const labels = stimulusLabels(assembly, "id");
  const model = rdm(features, { labels, groupBy });
  const neural = rdm(meanOverRepetitions(assembly), { labels, groupBy });
  const similarity = rdmCorrelation(model, neural);
  const { ceiling } = rdmSplitHalfCeiling(assembly, options);
  return { similarity, ceiling, similarity_ceiled: similarity / ceiling, model, neural };
}

function groupLabels(assembly: NeuralAssembly, key: "object" | "category" | null | undefined): string[] | undefined {
  const k = key === undefined ? "object" : key;
  return k === null ? undefined : stimulusLabels(assembly, k);
}

// ---------------------------------------------------------------------------------------------------------------
// Linear categorisation

export interface CategorizationOptions extends SplitOptions {
  /** The linear read-out, fit to one-hot labels (default: ridge with leave-one-out penalty). */
  regression?: RegressionFactory;
}

export interface CategorizationScore {
  /** Mean over splits of the held-out accuracy. */
  accuracy: number;
  /** SEM over splits (population std / √splits). */
  sem: number;
  perSplit: Float64Array;
  /** 1 / number of classes. */
  chance: number;
  classes: string[];
}

/**
 * Linear categorisation (Yamins et al. 2014, Majaj et al. 2015): a ridge one-vs-rest read-out of the features
 * (a ridge classifier: regress one-hot labels, predict the arg-max) trained on 90 % of the images and tested on
 * the held-out 10 %, splits stratified by label.
 */
export function categorizationAccuracy(
  features: Matrix, labels: readonly string[], options: CategorizationOptions = {},
): CategorizationScore {
  if (features.rows !== labels.length) {
    throw new Error(`categorizationAccuracy: ${features.rows} feature rows but ${labels.length} labels`);
  }
  const classes = Array.from(new Set(labels));
  if (classes.length < 2) throw new Error("categorizationAccuracy: needs at least 2 classes");
  const index = new Map(classes.map((c, i) => [c, i]));
  const target = matrix(labels.length, classes.length);
  labels.forEach((l, i) => { target.data[i * classes.length + (index.get(l) as number)] = 1; });
  const makeRegression = options.regression ?? (() => ridgeRegression());
  const splits = stratifiedShuffleSplits(labels, options);
  const perSplit = Float64Array.from(splits, (split) => {
    const regression = makeRegression();
    regression.fit(takeRows(features, split.train), takeRows(target, split.train));
    const scores = regression.predict(takeRows(features, split.test));
    let correct = 0;
    split.test.forEach((stimulus, i) => {
      let best = 0;
      for (let c = 1; c < classes.length; c++) {
        if (scores.data[i * classes.length + c] > scores.data[i * classes.length + best]) best = c;
      }
      if (classes[best] === labels[stimulus]) correct++;
    });
    return correct / split.test.length;
  });
  return { accuracy: mean(perSplit), sem: sem(perSplit), perSplit, chance: 1 / classes.length, classes };
}
