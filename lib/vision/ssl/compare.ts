/**
 * The comparison of notebook 02 (Zhuang et al. 2021, Fig. 2): every shipped backbone (objective × seed) scored
 * with notebook 01's benchmark (lib/vision/ssl/evaluate.ts), one record per run — what the notebook tabulates and
 * plots and what out/results/02-ssl-comparison.json holds. A second benchmark (`imageOnly`: the simulated IT
 * without its label-driven identity part) can be given; its V4/IT scores are reported beside the default's.
 */
import * as fs from "fs";
import * as path from "path";
import { neighbourAgreement } from "../../neuro";
import type { Backbone } from "./backbone";
import { backboneReadouts, BenchmarkOptions, LayerScores, NeuralBenchmark, scoreReadouts, summarizeBackbone } from "./evaluate";
import { sslPlan } from "./plan";
import { loadSslBackbone, OBJECTIVE_NAMES, ObjectiveName, poolStudyRunName, SSL_BUDGET_STUDY, SSL_POOL_STUDY, SslEvaluation, SslIntervalLog, sslRunName } from "./train";

export interface ShippedBackbone {
  objective: ObjectiveName;
  seed: number;
  /** The shipped folder. */
  dir: string;
  /** Steps trained (0 for the untrained baseline). */
  steps: number;
  /** Training wall time from the manifest, seconds. */
  wallSeconds: number;
  /** The learning curve from the manifest: mean loss and diagnostics per pass over a pool. */
  log: SslIntervalLog[];
  /** The manifest's linear-probe accuracy right after training (novel objects; lib/vision/ssl/train.ts). */
  shippedProbeAccuracy: number | null;
}

/** The shipped backbone in `dir`, from its manifest; null when it has none. */
export function readShippedBackbone(dir: string): ShippedBackbone | null {
  const manifestFile = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestFile)) return null;
  const m = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
    objective: ObjectiveName; seed: number; steps: number; wall_seconds: number; training_log: SslIntervalLog[]; evaluation: SslEvaluation | null;
  };
  return {
    objective: m.objective, seed: m.seed, dir, steps: m.steps, wallSeconds: m.wall_seconds, log: m.training_log,
    shippedProbeAccuracy: m.evaluation?.probe_accuracy ?? null,
  };
}

/**
 * The shipped SSL checkpoints of the plan found under `checkpointRoot`, and the plan's folders that are missing.
 * With `budget`, a trained backbone shipped at another number of steps (under an earlier budget, awaiting its
 * retraining) goes to `earlier` instead of `entries`, so that a comparison never mixes budgets.
 */
export function shippedBackbones(checkpointRoot: string, options: { budget?: number } = {}): { entries: ShippedBackbone[]; missing: string[]; earlier: ShippedBackbone[] } {
  const entries: ShippedBackbone[] = [], missing: string[] = [], earlier: ShippedBackbone[] = [];
  for (const run of sslPlan()) {
    const dir = path.join(checkpointRoot, run.name);
    const entry = readShippedBackbone(dir);
    if (!entry) { missing.push(dir); continue; }
    (options.budget !== undefined && entry.objective !== "untrained" && entry.steps !== options.budget ? earlier : entries).push(entry);
  }
  // Objective order (OBJECTIVE_NAMES), then seed, whatever order the plan trains them in.
  const order = (e: ShippedBackbone) => OBJECTIVE_NAMES.indexOf(e.objective) * 1000 + e.seed;
  const byObjective = (a: ShippedBackbone, b: ShippedBackbone) => order(a) - order(b);
  return { entries: entries.sort(byObjective), missing, earlier: earlier.sort(byObjective) };
}

/** One run's record (the results file's fields, plus the layer profiles for figures). */
export interface ComparisonRecord {
  objective: ObjectiveName;
  seed: number;
  probe_accuracy: number;
  /** Best-layer ceiled predictivity with the default simulation. */
  V4: number;
  IT: number;
  /** The same with IT's identity part off (null when that benchmark was not given). */
  V4_image_only: number | null;
  IT_image_only: number | null;
  rsa_IT: number;
  /**
   * Object retrieval in the pooled embedding: the share of each test image's 5 nearest other images (cosine, centred
   * features) that show the same object (`neighbourAgreement`), and its chance level.
   */
  object_neighbours: number;
  object_neighbours_chance: number;
  IT_layer: string;
  V4_layer: string;
  wall_s: number;
  layers: LayerScores[];
  layers_image_only: LayerScores[] | null;
}

/** Neighbours per image of the object-retrieval score (ComparisonRecord.object_neighbours). */
export const OBJECT_NEIGHBOURS = 5;

/**
 * Score one backbone with the benchmark(s): activations once; on the image-only benchmark only what differs is
 * recomputed (IT and RSA with IT when its images and V4 are the default's; see scoreReadouts).
 */
export function compareBackbone(
  backbone: Backbone, id: { objective: ObjectiveName; seed: number; wallSeconds: number },
  bench: NeuralBenchmark, imageOnly: NeuralBenchmark | null, options: BenchmarkOptions = {},
): ComparisonRecord {
  const readouts = backboneReadouts(backbone, bench.stimuli, options);
  const layers = scoreReadouts(readouts, bench, options);
  const summary = summarizeBackbone(layers);
  const other = imageOnly ? scoreReadouts(readouts, imageOnly, options, { bench, layers }) : null;
  const otherSummary = other ? summarizeBackbone(other) : null;
  const pooled = readouts[readouts.length - 1];
  const retrieval = neighbourAgreement(pooled.features, bench.stimuli.meta.map((m) => m.object), OBJECT_NEIGHBOURS);
  return {
    objective: id.objective, seed: id.seed, probe_accuracy: summary.probe_accuracy,
    V4: summary.V4, IT: summary.IT, V4_image_only: otherSummary?.V4 ?? null, IT_image_only: otherSummary?.IT ?? null,
    rsa_IT: summary.rsa_IT, object_neighbours: retrieval.agreement, object_neighbours_chance: retrieval.chance,
    IT_layer: summary.IT_layer, V4_layer: summary.V4_layer, wall_s: id.wallSeconds,
    layers, layers_image_only: other,
  };
}

/** The results file's record of a run (out/results/02-ssl-comparison.json): plain numbers, rounded to 4 decimals. */
export function resultRecord(r: ComparisonRecord): Record<string, string | number | null> {
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);
  return {
    objective: r.objective, seed: r.seed, probe_accuracy: round(r.probe_accuracy), V4: round(r.V4), IT: round(r.IT),
    V4_image_only: round(r.V4_image_only), IT_image_only: round(r.IT_image_only), rsa_IT: round(r.rsa_IT),
    object_neighbours: round(r.object_neighbours),
    V4_layer: r.V4_layer, IT_layer: r.IT_layer, wall_s: Math.round(r.wall_s),
  };
}

/** Score every shipped backbone; `onEach` reports progress. */
export function compareShipped(
  entries: readonly ShippedBackbone[], bench: NeuralBenchmark, imageOnly: NeuralBenchmark | null,
  options: BenchmarkOptions & { onEach?: (done: number, record: ComparisonRecord) => void } = {},
): ComparisonRecord[] {
  return entries.map((entry, k) => {
    const backbone = loadSslBackbone(entry.dir);
    try {
      const record = compareBackbone(backbone, entry, bench, imageOnly, options);
      options.onEach?.(k + 1, record);
      return record;
    } finally {
      backbone.dispose();
    }
  });
}

/** Mean and spread over seeds per objective, in the order of `objectives`. */
export function seedSummary(
  records: readonly ComparisonRecord[], key: "probe_accuracy" | "V4" | "IT" | "V4_image_only" | "IT_image_only" | "rsa_IT",
): { objective: ObjectiveName; mean: number; min: number; max: number; seeds: number }[] {
  const byObjective = new Map<ObjectiveName, number[]>();
  for (const r of records) {
    const v = r[key];
    if (v === null) continue;
    byObjective.set(r.objective, [...(byObjective.get(r.objective) ?? []), v]);
  }
  return Array.from(byObjective, ([objective, values]) => ({
    objective, mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), seeds: values.length,
  }));
}

/**
 * The layer where the linear category probe reads an objective's backbone best (mean over its seeds), beside the
 * mean over `baseline`'s seeds at that layer: where category is, when the pooled embedding (the last layer, which
 * `probe_accuracy` reads) does not keep it. Null when the objective or the baseline has no records.
 */
export function bestProbeLayer(records: readonly ComparisonRecord[], objective: ObjectiveName, baseline: ObjectiveName = "untrained"):
  { layer: string; probe_accuracy: number; baseline: number } | null {
  const meanAt = (o: ObjectiveName, layer: string) => {
    const v = records.filter((r) => r.objective === o).map((r) => r.layers.find((l) => l.layer === layer)?.probe_accuracy).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  const first = records.find((r) => r.objective === objective);
  if (!first || !records.some((r) => r.objective === baseline)) return null;
  const best = first.layers.map((l) => ({ layer: l.layer, probe_accuracy: meanAt(objective, l.layer) })).reduce((a, b) => (b.probe_accuracy > a.probe_accuracy ? b : a));
  return { ...best, baseline: meanAt(baseline, best.layer) };
}

/**
 * The shape of a learning curve, beyond "did the loss fall": its first, lowest and last logged loss, the step of
 * the lowest, and how much of the fall was given back by the end, (last − lowest) / (first − lowest): 0 when the
 * loss ends at its lowest, 1 when it climbs back to where it started (BYOL's loss can, as its target moves).
 * null for a curve of fewer than two points or one that never fell below its first value.
 */
export function lossShape(log: readonly Pick<SslIntervalLog, "step" | "loss">[]): { first: number; lowest: number; lowestStep: number; last: number; givenBack: number } | null {
  if (log.length < 2) return null;
  let k = 0;
  log.forEach((l, i) => { if (l.loss < log[k].loss) k = i; });
  const first = log[0].loss, lowest = log[k].loss, last = log[log.length - 1].loss;
  if (!(first > lowest)) return null;
  return { first, lowest, lowestStep: log[k].step, last, givenBack: (last - lowest) / (first - lowest) };
}

/**
 * The budget study's backbones (SSL_BUDGET_STUDY: each objective's run shipped at every budget on the way, and its
 * spread seed at the first budget), found under `root`; `missing` names the snapshots not there yet.
 */
export function budgetStudyBackbones(root: string = SSL_BUDGET_STUDY.root): { entries: (ShippedBackbone & { step: number })[]; missing: string[] } {
  const entries: (ShippedBackbone & { step: number })[] = [], missing: string[] = [];
  const wanted = [...SSL_BUDGET_STUDY.steps.map((step) => ({ seed: SSL_BUDGET_STUDY.seed, step })), { seed: SSL_BUDGET_STUDY.spreadSeed, step: SSL_BUDGET_STUDY.steps[0] }];
  for (const objective of SSL_BUDGET_STUDY.objectives) {
    for (const { seed, step } of wanted) {
      const dir = path.join(root, `${sslRunName(objective, seed)}-step${step}`);
      const entry = readShippedBackbone(dir);
      if (!entry) { missing.push(dir); continue; }
      entries.push({ ...entry, step: entry.steps });
    }
  }
  return { entries, missing };
}

/** The pool-composition study's shipped runs (SSL_POOL_STUDY) under `root`, and its runs not shipped yet. */
export function poolStudyBackbones(root: string = SSL_POOL_STUDY.root): { entries: ShippedBackbone[]; missing: string[] } {
  const entries: ShippedBackbone[] = [], missing: string[] = [];
  for (const objective of SSL_POOL_STUDY.objectives) {
    const dir = path.join(root, poolStudyRunName(objective, SSL_POOL_STUDY.seed));
    const entry = readShippedBackbone(dir);
    if (entry) entries.push(entry);
    else missing.push(dir);
  }
  return { entries, missing };
}

/** A score the pool-composition study compares. */
export type PoolStudyScore = "IT" | "IT_image_only" | "object_neighbours" | "probe_accuracy";

/** One objective's change when its pools hold 256 objects × 12 views instead of 64 × 48, on one score. */
export interface PoolStudyEffect {
  objective: ObjectiveName;
  /** The main plan's run of the study's seed (same initial weights), on 64 × 48 pools. */
  pools64: number;
  /** The study's run, on 256 × 12 pools. */
  pools256: number;
  change: number;
  /** The main plan's seed spread of the objective on this score (|seed 0 − seed 1|), null with one seed. */
  spread: number | null;
}

/**
 * The study's effect per objective on one score: each study run against the main plan's run of the same objective and
 * seed (paired: the same initial weights and augmentations), with the main plan's seed spread as the yardstick.
 */
export function poolStudyEffects(main: readonly ComparisonRecord[], study: readonly ComparisonRecord[], key: PoolStudyScore): PoolStudyEffect[] {
  return study.flatMap((s) => {
    const paired = main.find((r) => r.objective === s.objective && r.seed === s.seed);
    if (!paired) return [];
    const seeds = main.filter((r) => r.objective === s.objective).map((r) => r[key] as number);
    return [{
      objective: s.objective, pools64: paired[key] as number, pools256: s[key] as number, change: (s[key] as number) - (paired[key] as number),
      spread: seeds.length > 1 ? Math.max(...seeds) - Math.min(...seeds) : null,
    }];
  });
}

/**
 * The study's reading on one score: does instance recognition gain more than SimCLR (the control) from pools with fewer
 * views per object? "supported" when its gain exceeds SimCLR's by more than the larger of their seed spreads,
 * "contradicted" when it falls short by more, "within the seed spread" otherwise; "not measured" without both runs,
 * without a spread (one seed in the main plan), or with a spread of zero: two seeds that score exactly alike (lecture
 * mode's probe counts 231 test images, so two seeds can) give no measure of the noise, and any difference, even a
 * rounding error's, would otherwise decide the verdict.
 */
export function poolStudyVerdict(effects: readonly PoolStudyEffect[]): { verdict: "supported" | "contradicted" | "within the seed spread" | "not measured"; difference: number | null; spread: number | null } {
  const ir = effects.find((e) => e.objective === "instance-recognition"), control = effects.find((e) => e.objective === "simclr");
  if (!ir || !control) return { verdict: "not measured", difference: null, spread: null };
  const difference = ir.change - control.change;
  if (ir.spread === null || control.spread === null) return { verdict: "not measured", difference, spread: null };
  const spread = Math.max(ir.spread, control.spread);
  if (spread === 0) return { verdict: "not measured", difference, spread };
  return { verdict: difference > spread ? "supported" : difference < -spread ? "contradicted" : "within the seed spread", difference, spread };
}

/** One objective's score at one budget (the budget study). */
export interface BudgetPoint { objective: ObjectiveName; steps: number; probe_accuracy: number; IT: number; IT_image_only: number }

/**
 * The budget study's seed spread: per score, the largest difference between the study's seed and its spread seed at
 * the first budget, over the study's objectives (an objective missing either seed does not count).
 */
export function budgetStudySpread(points: readonly (BudgetPoint & { seed: number })[]): { probe_accuracy: number; IT: number; IT_image_only: number } {
  const at = (objective: ObjectiveName, seed: number) => points.find((p) => p.objective === objective && p.seed === seed && p.steps === SSL_BUDGET_STUDY.steps[0]);
  const spread = { probe_accuracy: 0, IT: 0, IT_image_only: 0 };
  let pairs = 0;
  for (const objective of SSL_BUDGET_STUDY.objectives) {
    const a = at(objective, SSL_BUDGET_STUDY.seed), b = at(objective, SSL_BUDGET_STUDY.spreadSeed);
    if (!a || !b) continue;
    pairs++;
    for (const key of ["probe_accuracy", "IT", "IT_image_only"] as const) spread[key] = Math.max(spread[key], Math.abs(a[key] - b[key]));
  }
  if (!pairs) throw new Error(`budgetStudySpread: no objective has both seeds ${SSL_BUDGET_STUDY.seed} and ${SSL_BUDGET_STUDY.spreadSeed} at ${SSL_BUDGET_STUDY.steps[0]} steps (npm run sweep -- run ssl-budget trains them)`);
  return spread;
}

/**
 * The shared budget from the budget study: per objective, the smallest budget at least `minimum` steps from which
 * the next budget on the study's grid improves neither probe accuracy nor IT predictivity by more than their seed
 * spread (`spread`: the largest difference between two seeds of one objective at the first budget, budgetStudySpread;
 * IT in both simulations); the shared
 * budget is the largest of these, so that every objective gets one at which the study's objectives had stopped
 * improving. An objective still improving at the grid's last step is reported so (`levelled: false`), and the last
 * step is its budget.
 */
export function budgetFromStudy(points: readonly BudgetPoint[], spread: { probe_accuracy: number; IT: number; IT_image_only: number }, minimum: number):
  { budget: number; perObjective: { objective: ObjectiveName; budget: number; levelled: boolean; gains: { from: number; to: number; probe: number; IT: number; IT_image_only: number }[] }[] } {
  if (!(spread.probe_accuracy >= 0 && spread.IT >= 0 && spread.IT_image_only >= 0)) throw new Error(`budgetFromStudy: the seed spreads must be ≥ 0, got ${JSON.stringify(spread)}`);
  const objectives = [...new Set(points.map((p) => p.objective))];
  if (!objectives.length) throw new Error("budgetFromStudy: no budget-study points (npm run sweep -- run ssl-budget trains them)");
  const perObjective = objectives.map((objective) => {
    const mine = points.filter((p) => p.objective === objective).sort((a, b) => a.steps - b.steps);
    const gains = mine.slice(1).map((p, i) => ({
      from: mine[i].steps, to: p.steps, probe: p.probe_accuracy - mine[i].probe_accuracy, IT: p.IT - mine[i].IT, IT_image_only: p.IT_image_only - mine[i].IT_image_only,
    }));
    const stop = gains.find((g) => g.from >= minimum && g.probe <= spread.probe_accuracy && g.IT <= spread.IT && g.IT_image_only <= spread.IT_image_only);
    return { objective, budget: stop ? stop.from : mine[mine.length - 1].steps, levelled: Boolean(stop), gains };
  });
  return { budget: Math.max(...perObjective.map((o) => o.budget)), perObjective };
}

