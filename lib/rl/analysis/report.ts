/**
 * What notebook 03 (part 2) and 04 report about shipped Ant policies, read from their manifests: each manifest
 * holds the evaluation measured right after training, on the full shipped test sets (100 bodies per σ, the
 * evaluation seed of lib/rl/env/evaluate.ts). Here: finding them, pooling seeds (mean of the seed means, with the
 * spread across seeds), the published Ant numbers (DMAP's table, Chiappa et al. 2022), the claims with a bootstrap
 * over seeds and bodies (after Agarwal et al. 2021), each seed's return split into its skill and the fraction of it
 * kept as bodies vary, and how far a run had learned when its budget ran out.
 */
import * as fs from "fs";
import * as path from "path";
import type { AgentConfig, PolicyKind } from "../learning/agent";
import type { Morphology } from "../env/morphology";
import type { EvaluationSummary } from "../env/evaluate";
import type { AdaptationLog } from "../learning/rma";
import type { LatentConvergence } from "../learning/rma";
import { stdFromEntropy } from "../policies/distribution";
import { ACTION_SIZE } from "../env/ant";
import { median, pearson } from "../../neuro/stats";
import { rng } from "../../util/random";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** The plan's shipped Ant policies, trained for its budget (lib/rl/learning/plan.ts PPO_BUDGET). */
export const CHECKPOINT_ROOT = path.join(ROOT, "data", "checkpoints");
/**
 * The earlier set, every policy of the same plan trained for 2 M env steps (SHORT_BUDGET) with the fixed, annealed
 * learning rate and 10 epochs per rollout: kept to show how the comparison changes with training.
 */
export const SHORT_BUDGET_ROOT = path.join(ROOT, "data", "short-budget");
/** Both sets, newest first: where a run of the budget set is not shipped yet, its short-budget run stands in. */
export type AntSetKey = "budget" | "short";
export interface AntSet { key: AntSetKey; root: string }
export const ANT_SETS: readonly AntSet[] = [
  { key: "budget", root: CHECKPOINT_ROOT },
  { key: "short", root: SHORT_BUDGET_ROOT },
];

/**
 * The shipped folder of one run (name as lib/rl/learning/train.ts runName), from the budget set if it is there, else from the
 * short-budget set; null when neither holds it.
 */
export function shippedRun(name: string, sets: readonly AntSet[] = ANT_SETS): { dir: string; set: AntSetKey } | null {
  const found = sameSetRuns([name], sets);
  return found && { dir: found.dirs[0], set: found.set };
}

/**
 * Runs to be compared with one another, from one set: the first set (the budget set before the short-budget set)
 * that holds every one of them, so that no comparison mixes budgets; null when no set holds them all.
 */
export function sameSetRuns(names: readonly string[], sets: readonly AntSet[] = ANT_SETS): { set: AntSetKey; dirs: string[] } | null {
  for (const s of sets) {
    const dirs = names.map((n) => path.join(s.root, n));
    if (dirs.every((d) => fs.existsSync(path.join(d, "manifest.json")))) return { set: s.key, dirs };
  }
  return null;
}

/**
 * DMAP's Ant results (their repository's table: PyBullet Ant, SAC, 11.6 M steps, mean return over 5 seeds × 100
 * bodies, trained and tested at the same σ). Another simulator, algorithm and reward scale: compare orderings and ratios.
 */
export const PUBLISHED_ANT: Record<string, Record<number, number>> = {
  simple: { 0.1: 2164, 0.3: 1270, 0.5: 391 },
  oracle: { 0.1: 2148, 0.3: 1723, 0.5: 974 },
  rma: { 0.1: 2138, 0.3: 1700, 0.5: 966 },
  tcn: { 0.1: 932, 0.3: 251, 0.5: 481 },
  dmap: { 0.1: 2240, 0.3: 1623, 0.5: 960 },
};

export interface AntManifest {
  name: string;
  command: string;
  config: AgentConfig;
  env_steps: number;
  wall_seconds: number;
  backend: string;
  code_commit: string;
  teacher?: string;
  /** PPO's settings (RMA's phase 2 has `adaptation` instead). */
  ppo?: Record<string, unknown>;
  rma_phase2?: { rounds: { round: number; env_steps: number; error_on_policy: number; error_train: number }[]; convergence: LatentConvergence };
  evaluation: Record<string, Omit<EvaluationSummary, "perMorphology"> & { perMorphology: { return: number }[] }>;
}

export interface ShippedAgent {
  dir: string;
  manifest: AntManifest;
}

/** Where the pilots' training logs are shipped (lib/rl/learning/plan.ts ANT_PILOTS); they have no test-set evaluation. */
export const PILOT_SHIP_ROOT = path.join(ROOT, "data", "pilots");

/**
 * Every shipped Ant agent (folders named ant-… with a manifest; `prefix` "pilot-" under PILOT_SHIP_ROOT for the
 * pilots), optionally of some kinds only, sorted by kind, σ, seed (then name).
 */
export function shippedAgents(kinds?: readonly PolicyKind[], root = CHECKPOINT_ROOT, prefix = "ant-"): ShippedAgent[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).sort()
    .filter((d) => d.startsWith(prefix) && fs.existsSync(path.join(root, d, "manifest.json")))
    .map((d) => ({ dir: path.join(root, d), manifest: JSON.parse(fs.readFileSync(path.join(root, d, "manifest.json"), "utf8")) as AntManifest }))
    .filter((a) => !kinds || kinds.includes(a.manifest.config.policy))
    .sort(byKindSigmaSeed);
}

/** Runs in the notebooks' order: by kind (Simple, Oracle, RMA, TCN, DMAP), then σ, then seed. */
function byConfig(a: AgentConfig, b: AgentConfig): number {
  const order = ["simple", "oracle", "rma", "tcn", "dmap"];
  return order.indexOf(a.policy) - order.indexOf(b.policy) || a.sigma - b.sigma || a.seed - b.seed;
}
const byKindSigmaSeed = (a: ShippedAgent, b: ShippedAgent) => byConfig(a.manifest.config, b.manifest.config);

/**
 * Each run once, from the budget set where it is shipped there, else from the short-budget set, with the set it
 * came from: for the notebooks' demonstrations (a policy walking, RMA's estimate, DMAP's attention), never for a
 * comparison, which takes one set (`shippedAgents(kinds, root)`).
 */
export function newestAgents(kinds?: readonly PolicyKind[], sets: readonly AntSet[] = ANT_SETS): (ShippedAgent & { set: AntSetKey })[] {
  const seen = new Set<string>();
  const found = sets.flatMap((s) => shippedAgents(kinds, s.root).filter((a) => !seen.has(path.basename(a.dir)) && seen.add(path.basename(a.dir)))
    .map((a) => ({ ...a, set: s.key })));
  return found.sort(byKindSigmaSeed);
}

/** One policy kind at one train σ and test σ, pooled over its seeds. */
export interface SeedPooled {
  policy: PolicyKind;
  trainSigma: number;
  testSigma: number;
  seeds: number[];
  /** Per seed: mean return over the test bodies. */
  perSeed: number[];
  /** Mean of the seed means; the spread is the standard deviation across seeds (0 for one seed). */
  meanReturn: number;
  seedSpread: number;
  /** Mean over seeds of the SEM over bodies. */
  semOverBodies: number;
  /** Per seed: the return on each test body, in the test set's order (the same bodies for every policy). */
  perBody: number[][];
  forwardSpeed: number;
  fallRate: number;
  bodies: number;
}

/** The standard deviation across seeds (n − 1 in the denominator; 0 for one seed). */
function seedStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((p, q) => p + q, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Pool the manifests' evaluations by (policy, train σ, test σ). */
export function poolSeeds(agents: ShippedAgent[]): SeedPooled[] {
  const groups = new Map<string, ShippedAgent[]>();
  for (const a of agents) {
    for (const key of Object.keys(a.manifest.evaluation)) {
      const k = `${a.manifest.config.policy}|${a.manifest.config.sigma}|${key}`;
      groups.set(k, [...(groups.get(k) ?? []), a]);
    }
  }
  return [...groups.entries()].map(([k, group]) => {
    const [policy, trainSigma, key] = k.split("|");
    const evals = group.map((a) => a.manifest.evaluation[key]);
    const perSeed = evals.map((e) => e.meanReturn);
    const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
    return {
      policy: policy as PolicyKind, trainSigma: Number(trainSigma), testSigma: Number(key.replace("sigma_", "")),
      seeds: group.map((a) => a.manifest.config.seed), perSeed, meanReturn: mean(perSeed), seedSpread: seedStd(perSeed),
      semOverBodies: mean(evals.map((e) => e.semReturn)), forwardSpeed: mean(evals.map((e) => e.meanForwardSpeed)),
      fallRate: mean(evals.map((e) => e.fallRate)), bodies: evals[0].n, perBody: evals.map((e) => (e.perMorphology ?? []).map((r) => r.return)),
    };
  });
}

/** The learning curve a shipped agent's training log holds (PPO or RMA phase 2). */
export function trainingLog<L = AdaptationLog>(agent: ShippedAgent): L[] {
  const file = path.join(agent.dir, "training-log.jsonl");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as L) : [];
}

/**
 * Is a PPO run still learning when its budget ends, or did it peak earlier and fall back? Mean episodic training
 * return over the last `fraction` of its env steps against the same span just before, and the best span of that
 * width anywhere in the run (sliding over the logged iterations; `peakEnd` is the env step where it ends).
 * Training returns: the stochastic policy, episodes ending in a fall included. null when either of the last two
 * spans has no finished episode.
 */
export function lateGrowth(log: readonly { globalStep: number; episodicReturn?: number | null }[], totalSteps: number, fraction = 0.1):
  { last: number; before: number; change: number; peak: number; peakEnd: number; fromPeak: number } | null {
  if (!(fraction > 0 && fraction <= 0.5)) throw new Error(`lateGrowth: fraction must be in (0, 0.5], got ${fraction}`);
  const span = totalSteps * fraction;
  const mean = (lo: number, hi: number) => {
    const xs = log.filter((l) => l.globalStep > lo && l.globalStep <= hi && Number.isFinite(l.episodicReturn)).map((l) => l.episodicReturn as number);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  const last = mean(totalSteps - span, totalSteps), before = mean(totalSteps - 2 * span, totalSteps - span);
  if (!(Number.isFinite(last) && Number.isFinite(before))) return null;
  let peak = last, peakEnd = totalSteps;
  for (const l of log) {
    if (l.globalStep < span || l.globalStep > totalSteps) continue;
    const m = mean(l.globalStep - span, l.globalStep);
    if (m > peak) { peak = m; peakEnd = l.globalStep; }
  }
  return { last, before, change: (last - before) / Math.abs(before), peak, peakEnd, fromPeak: (last - peak) / Math.abs(peak) };
}

/** The levelling-off test: a run has levelled off by a budget when its last 10 % is within 3 % of the 10 % before. */
export const LEVELLED_TOLERANCE = 0.03;

/** Did a run's training return level off by `budget` (lateGrowth's change within ±tolerance)? null: no episodes to judge. */
export function levelledOff(log: readonly { globalStep: number; episodicReturn?: number | null }[], budget: number, tolerance = LEVELLED_TOLERANCE):
  { levelled: boolean; change: number } | null {
  const g = lateGrowth(log.filter((l) => l.globalStep <= budget), budget);
  return g ? { levelled: Math.abs(g.change) <= tolerance, change: g.change } : null;
}

/** What two logs of one command are compared on, per iteration. */
export interface LogRow { iteration: number; globalStep: number; policyLoss?: number; episodicReturn?: number | null }

/**
 * The first iteration at which two training logs differ (its policy loss or its training return), or null when
 * they agree to the last digit over every iteration both have. Runs of one command agree so on one machine; another
 * processor's rounding (native TensorFlow) or a resumed run (the episodes in progress restart) sets them apart.
 */
export function partingIteration(a: readonly LogRow[], b: readonly LogRow[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i].iteration !== b[i].iteration) throw new Error(`partingIteration: the logs are not aligned (iteration ${a[i].iteration} against ${b[i].iteration} at row ${i})`);
    if (a[i].policyLoss !== b[i].policyLoss || (a[i].episodicReturn ?? null) !== (b[i].episodicReturn ?? null)) return a[i].iteration;
  }
  return null;
}

/** Two runs of one training command, read at one budget. */
export interface SameCommandPair {
  pilot: ShippedAgent;
  run: ShippedAgent;
  /** Mean training return over the last 10 % of the budget (lateGrowth's `last`), pilot and run. */
  pilotReturn: number;
  runReturn: number;
  /** (run − pilot) / pilot. */
  change: number;
  /** Where their logs part (null: identical over the budget). */
  partedAt: number | null;
}

/**
 * Pairs of runs of the same command: each pilot whose configuration and PPO settings equal a shipped run's (a pilot
 * that trains on past the run's budget is the same command as long as no setting depends on the budget, i.e. not
 * under the annealed schedule), with both runs' training return over the last 10 % of `budget` and where they part.
 */
export function sameCommandPairs(pilots: readonly ShippedAgent[], runs: readonly ShippedAgent[], budget: number): SameCommandPair[] {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const pairs: SameCommandPair[] = [];
  for (const pilot of pilots) {
    const { ppo, config } = pilot.manifest;
    if (!ppo || ppo.lrSchedule === "anneal") continue;
    const run = runs.find((r) => same(r.manifest.config, config) && same(r.manifest.ppo, ppo));
    if (!run || pilot.manifest.env_steps < budget || run.manifest.env_steps < budget) continue;
    const upTo = (a: ShippedAgent) => trainingLog<LogRow>(a).filter((l) => l.globalStep <= budget);
    const [p, r] = [upTo(pilot), upTo(run)];
    const [gp, gr] = [lateGrowth(p, budget), lateGrowth(r, budget)];
    if (!gp || !gr) continue;
    pairs.push({ pilot, run, pilotReturn: gp.last, runReturn: gr.last, change: (gr.last - gp.last) / Math.abs(gp.last), partedAt: partingIteration(p, r) });
  }
  return pairs;
}

export interface BudgetChoice {
  /** The smallest budget on the grid at which every judged pilot had levelled off; the grid's end if none did. */
  budget: number;
  /** Whether every judged pilot levelled off at `budget` (false: the grid ran out first). */
  levelled: boolean;
  perRun: { name: string; reached: number; levelledAt: number | null; changeAtBudget: number | null }[];
}

/**
 * The plan's budget from the pilots' learning curves: the smallest B in [min, max] (every `step` env steps) at
 * which each pilot that trained to `max` has levelled off at B (training return, lateGrowth's 10 % spans). A pilot
 * that stopped short of `max` is listed but does not vote. One budget for every compared policy.
 */
export function budgetFromPilots(pilots: readonly { name: string; log: readonly { globalStep: number; episodicReturn?: number | null }[] }[],
  grid = { min: 10_000_000, max: 20_000_000, step: 1_000_000 }, tolerance = LEVELLED_TOLERANCE): BudgetChoice {
  if (!(grid.min > 0 && grid.step > 0 && grid.max >= grid.min)) throw new Error(`budgetFromPilots: the grid must have 0 < min ≤ max and step > 0, got ${JSON.stringify(grid)}`);
  const budgets: number[] = [];
  for (let b = grid.min; b <= grid.max; b += grid.step) budgets.push(b);
  const reached = (log: readonly { globalStep: number }[]) => log.reduce((m, l) => Math.max(m, l.globalStep), 0);
  const voters = pilots.filter((p) => reached(p.log) >= grid.max);
  if (!voters.length) throw new Error(`budgetFromPilots: no pilot reached ${grid.max.toLocaleString("en-US")} env steps (reached: ${pilots.map((p) => `${p.name} ${reached(p.log).toLocaleString("en-US")}`).join(", ") || "none"})`);
  const at = (p: (typeof pilots)[number], b: number) => levelledOff(p.log, b, tolerance);
  const chosen = budgets.find((b) => voters.every((p) => at(p, b)?.levelled));
  const budget = chosen ?? grid.max;
  return {
    budget, levelled: chosen !== undefined,
    perRun: pilots.map((p) => ({
      name: p.name, reached: reached(p.log),
      levelledAt: budgets.find((b) => b <= reached(p.log) && at(p, b)?.levelled) ?? null,
      changeAtBudget: reached(p.log) >= budget ? at(p, budget)?.change ?? null : null,
    })),
  };
}

/**
 * How the comparison changes with training: per policy and σ (trained and tested at the same σ), the seed-pooled
 * return of the short-budget set next to the budget set's, and the policies of each set ordered by return.
 */
export function budgetChange(short: SeedPooled[], budget: SeedPooled[], kinds: readonly PolicyKind[], sigmas: readonly number[]): {
  rows: { sigma: number; policy: PolicyKind; short: SeedPooled | undefined; budget: SeedPooled | undefined; change: number | null }[];
  ordering: { sigma: number; short: PolicyKind[]; budget: PolicyKind[] }[];
} {
  const at = (pooled: SeedPooled[], policy: PolicyKind, s: number) => pooled.find((p) => p.policy === policy && p.trainSigma === s && p.testSigma === s);
  const rows = sigmas.flatMap((sigma) => kinds.map((policy) => {
    const a = at(short, policy, sigma), b = at(budget, policy, sigma);
    return { sigma, policy, short: a, budget: b, change: a && b ? b.meanReturn / a.meanReturn - 1 : null };
  }));
  const order = (pooled: SeedPooled[], sigma: number) => kinds.map((k) => at(pooled, k, sigma)).filter((p): p is SeedPooled => !!p)
    .sort((x, y) => y.meanReturn - x.meanReturn).map((p) => p.policy);
  return { rows, ordering: sigmas.map((sigma) => ({ sigma, short: order(short, sigma), budget: order(budget, sigma) })) };
}

/** Where runs partway keep their training checkpoints (lib/rl/learning/train.ts: out/runs/<name>/checkpoint/). */
export const RUNS_ROOT = path.join(ROOT, "out", "runs");

/** A PPO run partway: its training checkpoint's configuration, progress and learning curve so far. */
export interface PartwayRun {
  dir: string;
  name: string;
  config: AgentConfig;
  globalStep: number;
  totalSteps: number;
  /** The PPO options it trains with (the checkpoint's). */
  ppo: Record<string, unknown>;
  log: PpoLogRow[];
}

/**
 * PPO runs partway under `root` (folders ant-… with a training checkpoint), optionally of some kinds only, in the
 * notebooks' order. A run already shipped to `shippedRoot` is not partway. The checkpoint's index is read as JSON;
 * its weights are not loaded.
 */
export function partwayRuns(kinds?: readonly PolicyKind[], root = RUNS_ROOT, shippedRoot = CHECKPOINT_ROOT): PartwayRun[] {
  if (!fs.existsSync(root)) return [];
  const runs: PartwayRun[] = [];
  for (const name of fs.readdirSync(root).sort()) {
    const index = path.join(root, name, "checkpoint", "checkpoint.json");
    if (!name.startsWith("ant-") || !fs.existsSync(index) || fs.existsSync(path.join(shippedRoot, name, "manifest.json"))) continue;
    let state: { config: AgentConfig; ppo: { globalStep: number }; extra: { totalSteps: number; log: PpoLogRow[]; options?: Record<string, unknown> } };
    try { state = JSON.parse(fs.readFileSync(index, "utf8")).state; } catch (e) {
      throw new Error(`partwayRuns: ${index} is not a readable checkpoint index (${e instanceof Error ? e.message : e}); delete the run folder or run its training command again`);
    }
    if (kinds && !kinds.includes(state.config.policy)) continue;
    runs.push({ dir: path.join(root, name), name, config: state.config, globalStep: state.ppo.globalStep, totalSteps: state.extra.totalSteps, ppo: state.extra.options ?? {}, log: state.extra.log });
  }
  return runs.sort((a, b) => byConfig(a.config, b.config));
}

/** What PPO logs per update that `ppoDiagnostics` reads. */
export interface PpoLogRow { globalStep: number; approxKl: number; clipFraction: number; entropy: number; learningRate?: number; meanLearningRate?: number; episodicReturn?: number | null }

/**
 * How hard PPO pushed a run's policy, over its whole training log: the median approx-KL between the policy before
 * and after an update, the median fraction of samples whose probability ratio was clipped, and the action noise
 * at the end (geometric-mean std over the 8 joints, from the logged entropy of the diagonal Gaussian), and with the
 * KL-adaptive rate the share of updates whose last minibatch step ran at the rate's floor `lrMin` (null for other
 * schedules): there the floor, not the desired KL, set the step. The same PPO settings for every policy: a run whose
 * updates move it much further than another's is less stable, not tuned.
 */
export function ppoDiagnostics(agent: ShippedAgent | PartwayRun): { medianApproxKl: number; medianClipFraction: number; finalActionStd: number; lrAtFloor: number | null } {
  const log = ("manifest" in agent ? trainingLog<PpoLogRow>(agent) : agent.log).filter((l) => Number.isFinite(l.approxKl));
  if (!log.length) throw new Error(`ppoDiagnostics: ${agent.dir} has no PPO training log (approxKl per iteration); RMA's log is its phase 2`);
  const ppo = ("manifest" in agent ? agent.manifest.ppo : agent.ppo) ?? {};
  const lrMin = ppo.lrSchedule === "adaptive" && typeof ppo.lrMin === "number" ? ppo.lrMin : null;
  const rates = log.filter((l) => typeof l.learningRate === "number");
  return {
    medianApproxKl: median(log.map((l) => l.approxKl)), medianClipFraction: median(log.map((l) => l.clipFraction)),
    finalActionStd: stdFromEntropy(log[log.length - 1].entropy, ACTION_SIZE),
    lrAtFloor: lrMin === null || !rates.length ? null : rates.filter((l) => l.learningRate! <= lrMin * (1 + 1e-9)).length / rates.length,
  };
}

/**
 * One line on a run still in training, for the notebooks: how far it is; its training return over the last 10 % of
 * its env steps so far (`lateGrowth`) beside the Oracles' of `shipped` (the budget set) at its σ over the same env
 * steps — a learning curve read at one point: is it on the Oracles' pace?; and its median approx-KL so far beside
 * theirs (the median of their runs' medians). Nothing is claimed of the run until it ships.
 */
export function partwayLine(r: PartwayRun, shipped: readonly ShippedAgent[]): string {
  const d = ppoDiagnostics(r);
  const g = lateGrowth(r.log, r.globalStep);
  const oracles = shipped.filter((a) => a.manifest.config.policy === "oracle" && a.manifest.config.sigma === r.config.sigma);
  const oracleKl = oracles.length ? median(oracles.map((a) => ppoDiagnostics(a).medianApproxKl)) : NaN;
  const pace = oracles.map((a) => lateGrowth(trainingLog<PpoLogRow>(a), r.globalStep)?.last).filter((x): x is number => x !== undefined);
  const theirs = `the budget-set Oracle${oracles.length > 1 ? "s'" : "'s"} at σ = ${r.config.sigma}`;
  return `In training: ${r.name} at ${(r.globalStep / 1e6).toFixed(2)} M of ${(r.totalSteps / 1e6).toFixed(0)} M env steps` +
    (g ? `, training return ${g.last.toFixed(0)} over its last 10 % so far` + (pace.length ? ` (${theirs} over the same env steps: ${pace.map((x) => x.toFixed(0)).join(", ")})` : "") : "") +
    `, median approx-KL so far ${d.medianApproxKl.toFixed(4)}` + (Number.isFinite(oracleKl) ? ` (${(d.medianApproxKl / oracleKl).toFixed(1)}× ${theirs})` : "") + ".";
}

/**
 * A claim about the shipped numbers, tested: "holds", "does not hold", or "not tested" (a policy not trained).
 * A type, not an interface, so that a list of claims is a table's rows (showTable).
 */
export type Claim = {
  claim: string;
  sigma: number;
  verdict: "holds" | "does not hold" | "not tested";
  evidence: string;
};

/**
 * How uncertain a pooled return is, and from what. With several seeds: their spread. With one seed: the seed spread
 * of the same policy at the train σ where it has the most seeds among `pooled` (train σ = test σ), because a run's
 * luck in training does not shrink with the number of test bodies (notebook 03: at σ 0.3 the seeds of one policy
 * spread several times their SEM over bodies); only when no σ has several seeds of it, the SEM over bodies.
 */
export function seedMargin(p: SeedPooled, pooled: SeedPooled[] = []): { margin: number; from: string } {
  if (p.seeds.length > 1) return { margin: p.seedSpread, from: `${p.seeds.length} seeds` };
  const donor = pooled
    .filter((q) => q.policy === p.policy && q.trainSigma === q.testSigma && q.seeds.length > 1)
    .sort((x, y) => y.seeds.length - x.seeds.length || Math.abs(x.trainSigma - p.trainSigma) - Math.abs(y.trainSigma - p.trainSigma))[0];
  if (donor) return { margin: donor.seedSpread, from: `1 seed; spread of its ${donor.seeds.length} seeds at σ ${donor.trainSigma}` };
  return { margin: p.semOverBodies, from: "1 seed; SEM over bodies" };
}

/**
 * A 95 % percentile interval for the difference between two policies of a statistic each seed gives from its mean
 * returns on one or more test sets, by a bootstrap over both levels of the design (as Agarwal et al. 2021 resample
 * runs): each replicate draws every test set's bodies with replacement, once for both policies (every policy walked
 * the same bodies), and each policy's seeds with replacement; a policy's value is the mean of its drawn seeds'
 * statistics. `a` and `b` hold, per seed and per test set, the per-body returns. With one seed per policy only the
 * bodies vary, and with few seeds the interval is narrower than the truth (a bootstrap over n seeds sees (n − 1)/n of
 * their variance). null when the two were not tested on the same number of bodies per set or a seed's per-body
 * returns are missing. Deterministic by `seed`.
 */
function bootstrapDifference(a: readonly (readonly number[][])[], b: readonly (readonly number[][])[], statistic: (setMeans: readonly number[]) => number,
  resamples: number, seed: number): { low: number; high: number } | null {
  const sizes = a[0]?.map((xs) => xs.length) ?? [];
  if (!sizes.length || sizes.some((n) => !n) || !b.length || [...a, ...b].some((sets) => sets.length !== sizes.length || sets.some((xs, j) => xs.length !== sizes[j]))) return null;
  const r = rng(seed);
  const stats = new Float64Array(resamples);
  const drawn = sizes.map((n) => new Int32Array(n));
  const setMeans = new Array<number>(sizes.length);
  const pooledMean = (seeds: readonly (readonly number[][])[]) => {
    let total = 0;
    for (let k = 0; k < seeds.length; k++) {
      const sets = seeds[r.int(seeds.length)];
      for (let j = 0; j < sizes.length; j++) {
        let s = 0;
        for (let i = 0; i < sizes[j]; i++) s += sets[j][drawn[j][i]];
        setMeans[j] = s / sizes[j];
      }
      total += statistic(setMeans);
    }
    return total / seeds.length;
  };
  for (let t = 0; t < resamples; t++) {
    drawn.forEach((d, j) => { for (let i = 0; i < sizes[j]; i++) d[i] = r.int(sizes[j]); });
    stats[t] = pooledMean(a) - pooledMean(b);
  }
  stats.sort();
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { low: at(0.025), high: at(0.975) };
}

/**
 * A 95 % interval for the difference of two pooled returns (mean over seeds of each seed's mean over the test
 * bodies): `bootstrapDifference` over seeds and bodies.
 */
export function differenceInterval(a: SeedPooled, b: SeedPooled, resamples = 4000, seed = 1): { difference: number; low: number; high: number } | null {
  const ci = bootstrapDifference(a.perBody.map((xs) => [xs]), b.perBody.map((xs) => [xs]), (m) => m[0], resamples, seed);
  return ci && { difference: a.meanReturn - b.meanReturn, ...ci };
}

/**
 * Skill and robustness, separated. Per seed of a policy: its mean return on the least perturbed test set (σ = `from`),
 * how well it walks, and the fraction of that return it keeps on a wider test set, how well it copes as bodies vary.
 * A seed that walks badly everywhere lowers its policy's return at every σ but not its fractions; a policy that uses
 * its body should keep more as bodies vary. The two test sets hold different bodies, so a fraction is a ratio of the
 * seed's two means over bodies.
 */
export interface KeptFraction {
  policy: PolicyKind;
  trainSigma: number;
  testSigma: number;
  /** The test σ whose return is the reference (its skill). */
  from: number;
  seeds: number[];
  /** Per seed: its mean return at `from`. */
  skill: number[];
  /** Per seed: its mean return at `testSigma` ÷ its skill. */
  perSeed: number[];
  /** Mean over seeds, and the standard deviation across them (0 for one seed). */
  mean: number;
  spread: number;
  /** Per seed: per-body returns at [`from`, `testSigma`] (for the bootstrap). */
  perBody: number[][][];
}

/**
 * Every pooled (policy, train σ, test σ ≠ `from`) as the fraction its seeds keep of their return at test σ `from`,
 * seeds matched by number; only the seeds `keep` accepts. Pooled results without their `from` evaluation are left out.
 */
export function keptFractions(pooled: readonly SeedPooled[], from = 0.1, keep: (policy: PolicyKind, trainSigma: number, seed: number) => boolean = () => true): KeptFraction[] {
  return pooled.flatMap((p) => {
    const ref = pooled.find((q) => q.policy === p.policy && q.trainSigma === p.trainSigma && q.testSigma === from);
    if (!ref || p.testSigma === from) return [];
    const pairs = p.seeds.map((s, k) => ({ s, k, r: ref.seeds.indexOf(s) })).filter((x) => x.r >= 0 && keep(p.policy, p.trainSigma, x.s));
    if (!pairs.length) return [];
    const perSeed = pairs.map((x) => p.perSeed[x.k] / ref.perSeed[x.r]);
    return [{
      policy: p.policy, trainSigma: p.trainSigma, testSigma: p.testSigma, from, seeds: pairs.map((x) => x.s),
      skill: pairs.map((x) => ref.perSeed[x.r]), perSeed, mean: perSeed.reduce((u, v) => u + v, 0) / perSeed.length, spread: seedStd(perSeed),
      perBody: pairs.map((x) => [ref.perBody[x.r] ?? [], p.perBody[x.k] ?? []]),
    }];
  });
}

/**
 * Does `a` keep more of its return than `b`? The difference of their mean fractions against the larger of their seed
 * spreads (the claims' rule; `exceeds` is null when either has one seed, since a fraction's seed spread is not
 * borrowed from elsewhere), and the difference's 95 % interval from `bootstrapDifference` (bodies drawn once per test
 * set for both, seeds matched within each policy).
 */
export function keptDifference(a: KeptFraction, b: KeptFraction, resamples = 4000, seed = 1):
  { difference: number; margin: number; exceeds: boolean | null; low: number | null; high: number | null } {
  const difference = a.mean - b.mean, margin = Math.max(a.spread, b.spread);
  const ci = bootstrapDifference(a.perBody, b.perBody, (m) => m[1] / m[0], resamples, seed);
  return { difference, margin, exceeds: a.seeds.length > 1 && b.seeds.length > 1 ? difference > margin : null, low: ci?.low ?? null, high: ci?.high ?? null };
}

/**
 * A seed failed when its return on its own training σ is below this fraction of the Oracle's there (mean of the
 * Oracle's seeds): it never learned to walk (notebook 03's TCN verdicts; the paper: 3 of 5 TCN seeds failed).
 */
export const FAILURE_FRACTION = 0.5;

/** The seeds of `pooled` that failed (`FAILURE_FRACTION`), at every train σ that has an Oracle. */
export function failedSeeds(pooled: readonly SeedPooled[]): { policy: PolicyKind; trainSigma: number; seed: number }[] {
  return pooled.filter((p) => p.testSigma === p.trainSigma).flatMap((p) => {
    const oracle = pooled.find((q) => q.policy === "oracle" && q.trainSigma === p.trainSigma && q.testSigma === p.trainSigma);
    return oracle ? p.seeds.filter((_, k) => p.perSeed[k] < FAILURE_FRACTION * oracle.meanReturn).map((seed) => ({ policy: p.policy, trainSigma: p.trainSigma, seed })) : [];
  });
}

/** One policy's fractions kept at one test σ, and (for a policy other than Simple) its difference with Simple's. */
export interface KeptRow { kept: KeptFraction; vsSimple: ReturnType<typeof keptDifference> | null }

/**
 * The fractions kept by `kinds` trained at `trainSigma`, each against Simple's at the same test σ (`keptDifference`),
 * in the order of `kinds`, then of test σ. Failed seeds (`failedSeeds`) are left out, and listed: a seed that never
 * walked keeps all of nothing.
 */
export function keptAgainstSimple(pooled: readonly SeedPooled[], trainSigma: number, kinds: readonly string[], from = 0.1):
  { rows: KeptRow[]; failed: { policy: PolicyKind; seed: number }[] } {
  const failed = failedSeeds(pooled).filter((f) => f.trainSigma === trainSigma && kinds.includes(f.policy));
  const kept = keptFractions(pooled, from, (policy, sigma, seed) => !failed.some((f) => f.policy === policy && f.trainSigma === sigma && f.seed === seed))
    .filter((k) => k.trainSigma === trainSigma && kinds.includes(k.policy));
  const rows = kept
    .sort((a, b) => kinds.indexOf(a.policy) - kinds.indexOf(b.policy) || a.testSigma - b.testSigma)
    .map((k) => {
      const simple = kept.find((q) => q.policy === "simple" && q.testSigma === k.testSigma);
      return { kept: k, vsSimple: k.policy !== "simple" && simple ? keptDifference(k, simple) : null };
    });
  return { rows, failed: failed.map(({ policy, seed }) => ({ policy, seed })) };
}

/**
 * Is a fraction kept free of skill? Per test σ, the Pearson correlation across seeds between skill and the fraction
 * kept, with each policy's own means removed (so that a difference between policies does not count, only whether a
 * policy's abler seeds keep more or less), over the policies with at least two seeds. NaN with fewer than three seeds.
 */
export function skillKeptCorrelation(rows: readonly KeptRow[]): { testSigma: number; r: number; seeds: number }[] {
  const sigmas = [...new Set(rows.map((r) => r.kept.testSigma))].sort((a, b) => a - b);
  const centred = (xs: readonly number[]) => { const m = xs.reduce((a, b) => a + b, 0) / xs.length; return xs.map((x) => x - m); };
  return sigmas.map((testSigma) => {
    const several = rows.filter((r) => r.kept.testSigma === testSigma && r.kept.seeds.length > 1);
    const skill = several.flatMap((r) => centred(r.kept.skill)), kept = several.flatMap((r) => centred(r.kept.perSeed));
    return { testSigma, r: skill.length >= 3 ? pearson(skill, kept) : NaN, seeds: skill.length };
  });
}

/** `skillKeptCorrelation` in one line ("" when no test σ has three seeds of policies with several). */
export function skillKeptLine(rows: readonly KeptRow[]): string {
  const c = skillKeptCorrelation(rows).filter((x) => x.seeds >= 3);
  return c.length ? `Within each policy (${c[0].seeds} seeds, each policy's means removed), skill against fraction kept: ` +
    c.map((x) => `r = ${signed(x.r, 2)} at test σ ${x.testSigma}`).join(", ") + " (negative: a policy's abler seeds keep less)" : "";
}

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** `keptAgainstSimple`'s rows as a table's rows: skill and fraction per seed, the difference with Simple and its verdict. */
export function keptTable(rows: readonly KeptRow[], label: (kind: string) => string): Record<string, string | number>[] {
  return rows.map(({ kept: k, vsSimple: d }) => ({
    policy: label(k.policy), "test σ": k.testSigma, [`skill per seed (return at σ ${k.from})`]: k.skill.map((x) => x.toFixed(0)).join(", "),
    "kept per seed": k.perSeed.map((x) => x.toFixed(2)).join(", "), "kept: mean ± spread": `${k.mean.toFixed(3)} ± ${k.spread.toFixed(3)}`,
    "− Simple's": d ? signed(d.difference, 3) : "–", "95 % interval": d && d.low !== null ? `${signed(d.low, 3)} to ${signed(d.high!, 3)}` : "–",
    "more than the seed spread?": !d ? "–" : d.exceeds === null ? "one seed: no spread" : d.exceeds ? "yes" : "no",
  }));
}

/**
 * In one line: which policies keep more than Simple by more than the seed spread; where a policy has one seed (no
 * spread to judge by), which differences have a bodies-only 95 % interval above zero; and which failed seeds were left out.
 */
export function keptSummary(k: ReturnType<typeof keptAgainstSimple>, label: (kind: string) => string): string {
  const compared = k.rows.filter((r) => r.vsSimple);
  const judged = compared.filter((r) => r.vsSimple!.exceeds !== null), oneSeed = compared.filter((r) => r.vsSimple!.exceeds === null);
  const name = (r: KeptRow) => `${label(r.kept.policy)} at test σ ${r.kept.testSigma}`;
  const more = judged.filter((r) => r.vsSimple!.exceeds).map((r) => `${name(r)} (${signed(r.vsSimple!.difference, 3)}, spread ${r.vsSimple!.margin.toFixed(3)})`);
  const above = oneSeed.filter((r) => r.vsSimple!.low !== null && r.vsSimple!.low > 0)
    .map((r) => `${name(r)} (${signed(r.vsSimple!.difference, 3)}, ${signed(r.vsSimple!.low!, 3)} to ${signed(r.vsSimple!.high!, 3)})`);
  return (judged.length ? `keeps more than Simple by more than the seed spread: ${more.length ? more.join("; ") : "none"} (of ${judged.length} comparisons)` : "no comparison with several seeds on both sides") +
    (oneSeed.length ? `; ${oneSeed.length} comparisons with one seed, not judged by a spread; bodies-only interval above zero: ${above.length ? above.join("; ") : "none"}` : "") +
    (k.failed.length ? `; left out, failed (return below ${FAILURE_FRACTION} of the Oracle's): ${k.failed.map((f) => `${label(f.policy)} seed ${f.seed}`).join(", ")}` : "");
}

/**
 * "`a` beats `b` by more than the seed spread": the difference of their seed means exceeds the larger of the two
 * margins (`seedMargin`, which borrows a one-seed policy's spread from `pooled`). Labels name the policies in the claim.
 */
export function beatsClaim(a: SeedPooled | undefined, b: SeedPooled | undefined, labels: [string, string], sigma: number, pooled: SeedPooled[] = []): Claim {
  const claim = `${labels[0]} beats ${labels[1]} by more than the seed spread`;
  if (!a || !b) return { claim, sigma, verdict: "not tested", evidence: `${!a ? labels[0] : labels[1]} not trained at σ = ${sigma}` };
  const [ma, mb] = [seedMargin(a, pooled), seedMargin(b, pooled)];
  const holds = a.meanReturn - b.meanReturn > Math.max(ma.margin, mb.margin);
  const ci = differenceInterval(a, b);
  return {
    claim, sigma, verdict: holds ? "holds" : "does not hold",
    evidence: `${a.meanReturn.toFixed(0)} (± ${ma.margin.toFixed(0)}, ${ma.from}) vs ${labels[1]} ${b.meanReturn.toFixed(0)} (± ${mb.margin.toFixed(0)}, ${mb.from})` +
      (ci ? `; difference ${signed(ci.difference, 0)}, 95 % interval ${signed(ci.low, 0)} to ${signed(ci.high, 0)} (bootstrap over ${a.seeds.length > 1 || b.seeds.length > 1 ? "seeds and bodies" : "bodies only: 1 seed each"})` : ""),
  };
}

/**
 * "`a` reaches at least `fraction` of `b`'s return" (seed means), e.g. RMA ≥ 90 % of the Oracle. The evidence gives
 * the ratio to 0.1 %, so that 84.7 % is not shown as 85 % beside "does not hold".
 */
export function ratioClaim(a: SeedPooled | undefined, b: SeedPooled | undefined, labels: [string, string], fraction: number, sigma: number): Claim {
  const claim = `${labels[0]} reaches ≥ ${(100 * fraction).toFixed(0)} % of the ${labels[1]}'s return`;
  if (!a || !b) return { claim, sigma, verdict: "not tested", evidence: `${!a ? labels[0] : labels[1]} not trained at σ = ${sigma}` };
  return {
    claim, sigma, verdict: a.meanReturn >= fraction * b.meanReturn ? "holds" : "does not hold",
    evidence: `${(100 * a.meanReturn / b.meanReturn).toFixed(1)} % (${a.meanReturn.toFixed(0)} / ${b.meanReturn.toFixed(0)})`,
  };
}

/**
 * Results across morphologies, from the manifests: per policy trained at `trainSigma`, each body's return at
 * `testSigma` (mean over the policy's seeds), and the mean return per group of bodies after sorting them by their
 * mean leg-length perturbation (the 4 legs' relative change; `groups` near-equal groups, shortest legs first).
 * `bodies` is the test set the manifests were evaluated on, in its order.
 */
export function returnByLegLength(agents: ShippedAgent[], trainSigma: number, testSigma: number, bodies: readonly Morphology[], groups = 3): {
  legLength: number[];
  groups: { bodies: number[]; meanLegLength: number }[];
  policies: { policy: PolicyKind; seeds: number; perBody: number[]; groupMeans: number[] }[];
} {
  const key = `sigma_${testSigma}`;
  const legLength = bodies.map((b) => b.legLength.reduce((s, v) => s + v, 0) / 4);
  const order = legLength.map((_, i) => i).sort((a, b) => legLength[a] - legLength[b]);
  const mean = (ids: number[], xs: number[]) => ids.reduce((s, i) => s + xs[i], 0) / ids.length;
  const parts = Array.from({ length: groups }, (_, g) => order.slice(Math.round((g * order.length) / groups), Math.round(((g + 1) * order.length) / groups)));
  const trained = agents.filter((a) => a.manifest.config.sigma === trainSigma && a.manifest.evaluation[key]);
  const kinds = [...new Set(trained.map((a) => a.manifest.config.policy))];
  return {
    legLength,
    groups: parts.map((ids) => ({ bodies: ids, meanLegLength: mean(ids, legLength) })),
    policies: kinds.map((policy) => {
      const runs = trained.filter((a) => a.manifest.config.policy === policy).map((a) => a.manifest.evaluation[key].perMorphology);
      if (runs.some((r) => r.length !== bodies.length)) {
        throw new Error(`returnByLegLength: ${policy} was evaluated on ${runs[0].length} bodies at σ = ${testSigma}, but ${bodies.length} bodies were given`);
      }
      const perBody = bodies.map((_, i) => runs.reduce((s, r) => s + r[i].return, 0) / runs.length);
      return { policy, seeds: runs.length, perBody, groupMeans: parts.map((ids) => mean(ids, perBody)) };
    }),
  };
}
