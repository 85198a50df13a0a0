/**
 * Cross-validation splits for the neural-fit metrics, following Brain-Score's `CrossValidation`
 * (brainscore_vision/metric_helpers/transformations.py: `Split`, defaults splits = 10, train_size = 0.9,
 * random_state = 1), which uses sklearn's `StratifiedShuffleSplit` with stratification_coord = 'object_name'
 * for MajajHong2015. The allocation below is sklearn's (`_approximate_mode`: per-class counts proportional to the
 * class sizes, remainders given to the classes with the largest fractional parts, ties broken at random); the
 * random stream is this kit's seeded `rng`, so the splits are deterministic by seed but not numpy's.
 */
import { rng, Rng } from "../util/random";

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
