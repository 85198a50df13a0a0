/**
 * Cross-validation for the neural-fit metrics, after Brain-Score's (brainscore_vision/metric_helpers/
 * transformations.py at commit 9e31844479e7e62887f3c7c1024412d605cbf028: `Split`, defaults splits = 10,
 * train_size = 0.9, stratification_coord = 'object_name', random_state = 1; `CrossValidation` runs a score on
 * every split and `Split.aggregate` takes the mean and `standard_error_of_the_mean` over splits).
 *
 * - Splits: sklearn's `StratifiedShuffleSplit` allocation (`_approximate_mode`: per-class counts proportional to
 *   the class sizes, remainders given to the classes with the largest fractional parts, ties broken at random)
 *   and `ShuffleSplit`; the random stream is this kit's seeded `rng`, so splits are deterministic by seed but
 *   not numpy's.
 * - `crossValidate`: the one driver every cross-validated score and ceiling in metrics.ts runs through.
 * - `repetitionHalves` / `halfMeans`: the split-half of the repetitions behind both ceilings (Brain-Score's
 *   `InternalConsistency` runs its `CrossValidationSingle` over 'repetition' with train_size 0.5).
 */
import { rng, Rng } from "../util/random";
import { NeuralAssembly, meanOverRepetitions } from "./assembly";
import { Matrix64, takeRows } from "../util/linalg";
import { mean, sem } from "./stats";

/** One train/test split: stimulus indices, each sorted ascending, disjoint. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export interface SplitOptions {
  /** Number of random splits (Brain-Score: 10). */
  splits?: number;
  /** Fraction of stimuli used for training (Brain-Score: 0.9); the rest are held out. */
  trainSize?: number;
  /** Seed of the shuffles (Brain-Score's random_state is 1). */
  seed?: number;
}

export const SPLIT_DEFAULTS = { splits: 10, trainSize: 0.9, seed: 1 } as const;

/**
 * Stratified shuffle splits: each split holds out ⌈(1 − trainSize)·n⌉ stimuli, with every label (e.g. object)
 * represented in train and test in proportion to its size. With HvM's 64 objects × 40 images and 90/10,
 * every test fold has exactly 4 images of every object.
 */
export function stratifiedShuffleSplits(labels: readonly string[], options: SplitOptions = {}): Split[] {
  const { splits, trainSize, seed } = withDefaults(options);
  const n = labels.length;
  checkSplitArgs(n, splits, trainSize);
  const nTrain = Math.floor(trainSize * n);
  const nTest = n - nTrain;
  const classes = Array.from(new Set(labels));
  const members = classes.map(() => [] as number[]);
  const index = new Map(classes.map((c, i) => [c, i]));
  labels.forEach((l, i) => members[index.get(l) as number].push(i));
  const counts = members.map((m) => m.length);
  if (nTrain < classes.length || nTest < classes.length) {
    throw new Error(
      `stratifiedShuffleSplits: ${classes.length} classes need at least that many train and test stimuli; ` +
        `got ${nTrain} train and ${nTest} test of ${n} (use fewer classes or a different trainSize)`,
    );
  }
  const random = rng(seed);
  const out: Split[] = [];
  for (let s = 0; s < splits; s++) {
    const trainCounts = approximateMode(counts, nTrain, random);
    const testCounts = approximateMode(counts.map((c, i) => c - trainCounts[i]), nTest, random);
    const train: number[] = [], test: number[] = [];
    members.forEach((m, c) => {
      const perm = random.shuffle(m);
      train.push(...perm.slice(0, trainCounts[c]));
      test.push(...perm.slice(trainCounts[c], trainCounts[c] + testCounts[c]));
    });
    out.push({ train: sortedInt32(train), test: sortedInt32(test) });
  }
  return out;
}

/** Unstratified shuffle splits (sklearn `ShuffleSplit`), e.g. of repetitions for a split-half ceiling. */
export function shuffleSplits(n: number, options: SplitOptions = {}): Split[] {
  const { splits, trainSize, seed } = withDefaults(options);
  checkSplitArgs(n, splits, trainSize);
  const nTrain = Math.floor(trainSize * n);
  const random = rng(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: splits }, () => {
    const perm = random.shuffle(all);
    return { train: sortedInt32(perm.slice(0, nTrain)), test: sortedInt32(perm.slice(nTrain)) };
  });
}

/** Defaults for missing or undefined options (a spread would let an explicit `undefined` win). */
function withDefaults(options: SplitOptions): Required<SplitOptions> {
  return {
    splits: options.splits ?? SPLIT_DEFAULTS.splits,
    trainSize: options.trainSize ?? SPLIT_DEFAULTS.trainSize,
    seed: options.seed ?? SPLIT_DEFAULTS.seed,
  };
}

function checkSplitArgs(n: number, splits: number, trainSize: number): void {
  if (!Number.isInteger(splits) || splits < 1) throw new Error(`splits must be a positive integer, got ${splits}`);
  if (!(trainSize > 0 && trainSize < 1)) throw new Error(`trainSize must be in (0, 1), got ${trainSize}`);
  const nTrain = Math.floor(trainSize * n);
  if (nTrain < 1 || n - nTrain < 1) {
    throw new Error(`cannot split ${n} items ${Math.round(trainSize * 100)}/${Math.round((1 - trainSize) * 100)}: ` +
      `both parts need at least one`);
  }
}

/** sklearn's `_approximate_mode`: draw `draws` items from classes of the given sizes as evenly as possible. */
function approximateMode(counts: readonly number[], draws: number, random: Rng): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let need = draws - floored.reduce((a, b) => a + b, 0);
  const remainder = continuous.map((c, i) => c - floored[i]);
  const levels = Array.from(new Set(remainder)).sort((a, b) => b - a);
  for (const level of levels) {
    if (need <= 0) break;
    const tied = remainder.map((r, i) => (r === level ? i : -1)).filter((i) => i >= 0);
    const chosen = random.shuffle(tied).slice(0, Math.min(need, tied.length));
    for (const i of chosen) floored[i]++;
    need -= chosen.length;
  }
  return floored;
}

function sortedInt32(xs: number[]): Int32Array {
  return Int32Array.from(xs).sort();
}

// ---------------------------------------------------------------------------------------------------------------
// The driver

/** What a score returns for one split: its value, and per-site values if it has them. */
export interface SplitScore {
  score: number;
  perSite?: Float64Array;
}

export interface CrossValidated<S extends SplitScore> {
  /** Mean of the split scores. */
  mean: number;
  /** Standard error over splits (population std / √splits, as Brain-Score). */
  sem: number;
  perSplit: Float64Array;
  /** Mean over splits of the per-site values (when the score has them). */
  perSite?: Float64Array;
  /** What each split returned, in split order. */
  results: S[];
}

/** Run `score` on every split; aggregate as Brain-Score does: mean over splits ± SEM. */
export function crossValidate<S extends SplitScore>(
  splits: readonly Split[], score: (split: Split, index: number) => S,
): CrossValidated<S> {
  const results = splits.map((split, k) => score(split, k));
  const perSplit = Float64Array.from(results, (r) => r.score);
  let perSite: Float64Array | undefined;
  for (const r of results) {
    if (!r.perSite) continue;
    perSite ??= new Float64Array(r.perSite.length);
    for (let j = 0; j < perSite.length; j++) perSite[j] += r.perSite[j] / results.length;
  }
  return { mean: mean(perSplit), sem: sem(perSplit), perSplit, ...(perSite ? { perSite } : {}), results };
}

// ---------------------------------------------------------------------------------------------------------------
// Split-half of the repetitions

export interface HalfSplitOptions {
  /** Random half splits of the repetitions (Brain-Score: 10). */
  splits?: number;
  /** Seed of the half splits (Brain-Score's random_state is 1). */
  seed?: number;
}

/** Random halves of an assembly's repetition slots: `train` is one half, `test` the other. */
export function repetitionHalves(assembly: NeuralAssembly, options: HalfSplitOptions, where: string): Split[] {
  const R = assembly.shape[2];
  if (R < 2) throw new Error(`${where}: needs at least 2 repetitions per stimulus, the assembly has ${R}`);
  return shuffleSplits(R, { splits: options.splits ?? SPLIT_DEFAULTS.splits, trainSize: 0.5, seed: options.seed ?? SPLIT_DEFAULTS.seed });
}

/**
 * Trial-averaged responses of each half (stimulus × site), over the stimuli with data in both halves (a stimulus
 * with few repetitions may have none in one half); `stimuli` are their indices in the assembly.
 */
export function halfMeans(assembly: NeuralAssembly, half: Split): { first: Matrix64; second: Matrix64; stimuli: number[] } {
  const a = meanOverRepetitions(assembly, half.train), b = meanOverRepetitions(assembly, half.test);
  const stimuli: number[] = [];
  for (let i = 0; i < a.rows; i++) if (!Number.isNaN(a.data[i * a.cols]) && !Number.isNaN(b.data[i * b.cols])) stimuli.push(i);
  if (stimuli.length === a.rows) return { first: a, second: b, stimuli };
  return { first: takeRows(a, stimuli), second: takeRows(b, stimuli), stimuli };
}
