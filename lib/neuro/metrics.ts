/**
 * Neural-fit metrics of notebook 01, composed like Brain-Score's. Upstream names, as they are in
 * github.com/brain-score/vision at the commits given:
 *   - brainscore_vision/metrics/regression_correlation/metric.py @ d374a93dc19184f72f46a40a48e784b825fcba26:
 *     `CrossRegressedCorrelation` (regression × correlation × `CrossValidation`, median over neuroids),
 *     `pls_regression`, `ridge_regression`, `pearsonr_correlation`;
 *   - brainscore_vision/metric_helpers/transformations.py @ 9e31844479e7e62887f3c7c1024412d605cbf028:
 *     `Split`, `CrossValidation`, `CrossValidationSingle` (see crossval.ts);
 *   - brainscore_vision/metrics/internal_consistency/ceiling.py @ 3ea47a4eeba6781b455e876357b9a75bc3689573:
 *     `InternalConsistency` (split-half over repetitions, `SpearmanBrownCorrection`; its `consistency_metric` is
 *     Pearson per neuroid by default — our RDM ceiling passes the RDM similarity instead);
 *   - brainscore_vision/metrics/rdm/metric.py @ 54342f0fdbce6f4781977f301eb0af10eb461936: `RDM`, `RDMSimilarity`,
 *     `RDMMetric`;
 *   - brainscore_vision/benchmark_helpers/neural_common.py: `explained_variance(score, ceiling)`, which was
 *     (r / ceiling)² (e.g. @ a0ac86fd3631b72449004901cf238c5f77740a02) and is r² / ceiling since Brain-Score
 *     PR #2169 (merged December 2025).
 *
 *   regression (PLS-25 or ridge) × correlation (per-site Pearson r on held-out stimuli)
 *   × cross-validation (10 splits, 90/10, stratified by object) × aggregation (median over sites, then mean
 *   over splits ± SEM), and a ceiling computed separately from the repetitions (split-half, Spearman–Brown).
 * Every cross-validated score and ceiling here runs through one driver, `crossValidate` (crossval.ts); both
 * ceilings use the same repetition half-split.
 *
 * Scores are named for what they are:
 *   - `r`                          median-over-sites held-out Pearson r, mean over splits (Brain-Score's raw score)
 *   - `r_ceiled`                   r / ceiling (Brain-Score's ceiled score in its 2018–2023 releases)
 *   - `explained_variance`         r² — fraction of the variance of the trial-averaged responses explained
 *   - `explained_variance_ceiled`  r² / ceiling — fraction of the *explainable* variance explained (the
 *                                  split-half reliability is the explainable fraction; Yamins et al. 2014);
 *                                  what brainscore_vision's `explained_variance()` reports since PR #2169
 *   - `r_ceiled_squared`           (r / ceiling)² — what `explained_variance()` reported before PR #2169
 * plus RSA (correlation-distance RDMs compared by Spearman, with a split-half RDM ceiling) and linear
 * categorisation accuracy (ridge one-vs-rest on held-out images).
 *
 * Features travel with their stimulus ids (`StimulusFeatures`); a metric given an assembly refuses features
 * whose rows are not its stimuli in its order, naming the first differing id.
 */
import {
  NeuralAssembly, StimulusFeatures, checkStimulusOrder, firstConstantColumn, meanOverRepetitions, stimulusLabels,
} from "./assembly";
import {
  HalfSplitOptions, Split, SplitOptions, crossValidate, halfMeans, repetitionHalves, shuffleSplits, stratifiedShuffleSplits,
} from "./crossval";
import { Matrix, Matrix64, matmul, matrix, takeRows, transpose } from "../util/linalg";
import { RegressionFactory, plsRegression, ridgeRegression } from "./regression";
import { median, pearsonPerColumn, spearman } from "./stats";

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
 * mean over splits. `features` rows are the assembly's stimuli, in its order (checked by stimulus id).
 */
export function crossRegressedCorrelation(
  features: StimulusFeatures, target: NeuralAssembly, options: CrossRegressedCorrelationOptions = {},
): CrossRegressedCorrelationScore {
  checkStimulusOrder(features, target, "crossRegressedCorrelation");
  const key = options.stratifyBy === undefined ? "object" : options.stratifyBy;
  const strata = key === null ? null : stimulusLabels(target, key);
  return crossRegressedCorrelationOnMatrices(features, meanOverRepetitions(target), strata, options);
}

/**
 * The same metric on bare matrices: X (stimuli × features), Y (stimuli × sites), optional strata per stimulus.
 * Nothing checks that the rows of X and Y are the same stimuli: prefer `crossRegressedCorrelation`.
 */
export function crossRegressedCorrelationOnMatrices(
  X: Matrix, Y: Matrix, strata: readonly string[] | null, options: CrossRegressedCorrelationOptions = {},
): CrossRegressedCorrelationScore {
  if (X.rows !== Y.rows) {
    throw new Error(`crossRegressedCorrelation: X has ${X.rows} stimuli, Y has ${Y.rows}; they must be the same stimuli`);
  }
  const constant = firstConstantColumn(Y);
  if (constant >= 0) {
    throw new Error(`crossRegressedCorrelation: site ${constant} has the same response to every stimulus; ` +
      `Pearson r is undefined for it — remove it first`);
  }
  const makeRegression = options.regression ?? (() => plsRegression());
  const splits = options.splitList ?? (strata ? stratifiedShuffleSplits(strata, options) : shuffleSplits(X.rows, options));
  const cv = crossValidate(splits, (split) => {
    const regression = makeRegression();
    regression.fit(takeRows(X, split.train), takeRows(Y, split.train));
    const predicted = regression.predict(takeRows(X, split.test));
    const perSite = pearsonPerColumn(predicted, takeRows(Y, split.test));
    return { score: nanMedian(perSite), perSite, predicted };
  });
  return {
    r: cv.mean, sem: cv.sem, perSplit: cv.perSplit, perSite: cv.perSite!, splits: splits.length,
    ...(options.keepPredictions ? { predictions: cv.results.map((r, k) => ({ test: splits[k].test, predicted: r.predicted })) } : {}),
  };
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

/** Options of the split-half ceilings: number of random half splits (Brain-Score: 10) and their seed (1). */
export type CeilingOptions = HalfSplitOptions;

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
  const cv = crossValidate(repetitionHalves(assembly, options, "splitHalfCeiling"), (half) => {
    const { first, second } = halfMeans(assembly, half);
    const perSite = pearsonPerColumn(first, second).map((r) => spearmanBrown(r));
    return { score: nanMedian(perSite), perSite };
  });
  return { ceiling: cv.mean, sem: cv.sem, perSplit: cv.perSplit, perSite: cv.perSite! };
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
  /** r² / ceiling: fraction of the explainable (reliable) variance the model explains (brainscore_vision's
   *  `explained_variance(score, ceiling)` since PR #2169). */
  explained_variance_ceiled: number;
  /** (r / ceiling)²: brainscore_vision's `explained_variance(score, ceiling)` before PR #2169. */
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
  features: StimulusFeatures, assembly: NeuralAssembly,
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
    const grouped = groupMeans(responses, options.groupBy);
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

/** Mean row per group label (groups in order of first appearance), e.g. the mean response pattern per object. */
export function groupMeans(m: Matrix, groupBy: readonly string[]): { groups: string[]; means: Matrix64 } {
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

/** Spearman correlation between the upper triangles of two RDMs over the same conditions (Brain-Score's `RDMSimilarity`). */
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
 * Split-half RDM ceiling: the repetition half-split of `splitHalfCeiling` with the RDM similarity as the
 * consistency (Brain-Score's `InternalConsistency` takes any `consistency_metric`): RDMs from the two half
 * means, Spearman between them, Spearman–Brown corrected, mean over half splits.
 */
export function rdmSplitHalfCeiling(assembly: NeuralAssembly, options: RsaOptions = {}): Omit<CeilingResult, "perSite"> {
  const groupBy = groupLabels(assembly, options.groupBy);
  const labels = stimulusLabels(assembly, "id");
  const cv = crossValidate(repetitionHalves(assembly, options, "rdmSplitHalfCeiling"), (half) => {
    const { first, second, stimuli } = halfMeans(assembly, half);
    const rows = { labels: stimuli.map((i) => labels[i]), groupBy: groupBy && stimuli.map((i) => groupBy[i]) };
    return { score: spearmanBrown(rdmCorrelation(rdm(first, rows), rdm(second, rows))) };
  });
  return { ceiling: cv.mean, sem: cv.sem, perSplit: cv.perSplit };
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

/** RSA of model features against an assembly (RDMs per object by default); rows checked by stimulus id. */
export function rsa(features: StimulusFeatures, assembly: NeuralAssembly, options: RsaOptions = {}): RsaScore {
  checkStimulusOrder(features, assembly, "rsa");
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
  const cv = crossValidate(stratifiedShuffleSplits(labels, options), (split) => {
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
    return { score: correct / split.test.length };
  });
  return { accuracy: cv.mean, sem: cv.sem, perSplit: cv.perSplit, chance: 1 / classes.length, classes };
}

/** Nearest-neighbour agreement of a representation with a labelling, and what chance would give. */
export interface NeighbourAgreement {
  /** Mean over rows of the share of the row's k nearest other rows that carry its label. */
  agreement: number;
  /** The same for neighbours drawn at random: mean over rows of the share of the other rows that carry its label. */
  chance: number;
  k: number;
}

/**
 * k-nearest-neighbour agreement: for each row (an image's features), its k nearest other rows by cosine similarity of
 * the features centred over the rows, and the share of them that carry its label, averaged over the rows. The k-NN
 * read-out of instance recognition (Wu et al. 2018, with category labels); with object labels it asks whether the
 * images nearest to an image show the same object. Ties go to the earlier row.
 */
export function neighbourAgreement(features: Matrix, labels: readonly string[], k = 5): NeighbourAgreement {
  const { rows: n, cols: d, data } = features;
  if (labels.length !== n) throw new Error(`neighbourAgreement: ${n} feature rows but ${labels.length} labels`);
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new Error(`neighbourAgreement: k must be a whole number in [1, ${n - 1}] for ${n} rows, got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const unit = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) { const v = data[i * d + j] - mean[j]; unit[i * d + j] = v; norm += v * v; }
    if (!Number.isFinite(norm)) throw new Error(`neighbourAgreement: row ${i} has a value that is not a finite number`);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < d; j++) unit[i * d + j] *= scale;
  }
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  let agreement = 0, chance = 0;
  const similarity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < n; m++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += unit[i * d + j] * unit[m * d + j];
      similarity[m] = dot;
    }
    similarity[i] = -Infinity;
    const order = Array.from({ length: n }, (_, m) => m).sort((a, b) => similarity[b] - similarity[a] || a - b);
    let same = 0;
    for (let r = 0; r < k; r++) if (labels[order[r]] === labels[i]) same++;
    agreement += same / k / n;
    chance += ((count.get(labels[i]) as number) - 1) / (n - 1) / n;
  }
  return { agreement, chance, k };
}
