/**
 * Evaluation of a policy on a set of morphologies (the shipped test sets): one episode per body with
 * deterministic actions (the mean of the policy), reporting per-morphology return, forward distance and
 * speed, and falls, and their mean with SEM. Several evaluations can share one vector of environments.
 */
import { ACTION_SIZE, OBSERVATION_SIZE } from "./ant";
import { Morphology, MORPHOLOGY_PARAMETER_NAMES, morphologyVector } from "./morphology";
import { AntVecEnv } from "./vec-env";

/**
 * Seed of the evaluation episodes' initial states (the bodies come from the shipped test sets): every evaluation
 * of a shipped checkpoint — after training, in its test, by `npm run eval:ant`, in the notebooks — uses it, so
 * their numbers can be compared to the manifests'.
 */
export const EVALUATION_SEED = 777;

const MORPHOLOGY_SIZE = MORPHOLOGY_PARAMETER_NAMES.length;

export interface MorphologyResult {
  index: number;
  return: number;
  length: number;
  /** Forward distance along +x, m. */
  distance: number;
  /** distance / episode duration, m/s. */
  forwardSpeed: number;
  fell: boolean;
  unstable: boolean;
}

export interface EvaluationSummary {
  n: number;
  meanReturn: number;
  semReturn: number;
  meanDistance: number;
  meanForwardSpeed: number;
  semForwardSpeed: number;
  fallRate: number;
  perMorphology: MorphologyResult[];
}

/**
 * Policy: N×28 observations and N×9 morphology vectors → N×8 actions. `starts` (N) marks observations that
 * begin an episode (policies with a memory reset there); null or absent on the first call means all do.
 */
export type ActFn = (observations: Float32Array, morphologies: Float32Array, numEnvs: number, starts?: Uint8Array | null) => Float32Array;

/**
 * The same actor told that every body is `body` (its morphology input replaced; the simulated bodies stay what they
 * are): the ablation that measures what knowing the body is worth to a policy that reads it (the Oracle).
 */
export function toldBody(act: ActFn, body: Morphology): ActFn {
  const one = morphologyVector(body);
  return (observations, _morphologies, numEnvs, starts) =>
    act(observations, Float32Array.from({ length: numEnvs * one.length }, (_, i) => one[i % one.length]), numEnvs, starts);
}

export function meanSem(xs: number[]): { mean: number; sem: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, sem: Math.sqrt(variance / n) };
}

/**
 * `a − b` per body, for two evaluations of the same bodies from the same initial states (an ablation against its
 * policy): the mean difference and its paired SEM, which leaves out the variation between bodies that both share.
 */
export function pairedDifference(a: EvaluationSummary, b: EvaluationSummary): { mean: number; sem: number; n: number } {
  const paired = a.perMorphology.length === b.perMorphology.length && a.perMorphology.every((r, i) => r.index === b.perMorphology[i].index);
  if (!paired) {
    throw new Error(`pairedDifference: the two evaluations are not of the same bodies (${a.perMorphology.length} vs ${b.perMorphology.length} results, ` +
      "or other body indices); evaluate both on one test set with one seed.");
  }
  return { ...meanSem(a.perMorphology.map((r, i) => r.return - b.perMorphology[i].return)), n: a.perMorphology.length };
}

export function summarize(results: MorphologyResult[]): EvaluationSummary {
  const r = meanSem(results.map((x) => x.return));
  const v = meanSem(results.map((x) => x.forwardSpeed));
  return {
    n: results.length,
    meanReturn: r.mean, semReturn: r.sem,
    meanDistance: meanSem(results.map((x) => x.distance)).mean,
    meanForwardSpeed: v.mean, semForwardSpeed: v.sem,
    fallRate: results.filter((x) => x.fell).length / results.length,
    perMorphology: results,
  };
}

export interface EvaluationOptions {
  seed?: number;
  maxSteps?: number;
  threads?: number;
  onProgress?: (step: number) => void;
}

/** One deterministic episode per morphology (all in parallel), seeded. */
export async function evaluateOnMorphologies(act: ActFn, morphologies: Morphology[], options: EvaluationOptions = {}): Promise<EvaluationSummary> {
  return (await evaluateMany([{ act, morphologies }], options))[0];
}

/**
 * Several evaluations at once, in one vector of environments: each actor acts on its own bodies' rows, and each
 * body's episode is seeded by its index in its own list, so every summary is the one `evaluateOnMorphologies` gives
 * alone (the same batch size per actor, the same initial states). Sharing the simulation workers and their
 * per-step hand-over is what makes many small evaluations (ten bodies each) cheaper together. An actor whose
 * episodes have all ended is no longer called. Each evaluation needs an actor of its own: a loaded agent's actor keeps
 * per-row state (previous actions, history), so give each `agent.actor()`, not one shared `agent.act`.
 */
export async function evaluateMany(jobs: readonly { act: ActFn; morphologies: Morphology[] }[], options: EvaluationOptions = {}): Promise<EvaluationSummary[]> {
  if (jobs.length === 0) return [];
  const empty = jobs.findIndex((j) => j.morphologies.length === 0);
  if (empty >= 0) throw new Error(`evaluate: evaluation ${empty} has no bodies`);
  const shared = jobs.findIndex((j, k) => jobs.findIndex((o) => o.act === j.act) !== k);
  if (shared >= 0) {
    throw new Error(`evaluate: evaluations ${jobs.findIndex((o) => o.act === jobs[shared].act)} and ${shared} share one actor; an actor keeps per-row ` +
      "state (previous actions, history), so give each evaluation its own (agent.actor())");
  }
  const offsets = [0];
  for (const j of jobs) offsets.push(offsets[offsets.length - 1] + j.morphologies.length);
  const n = offsets[jobs.length];
  const env = await AntVecEnv.create({
    numEnvs: n, seed: options.seed ?? 12345, threads: options.threads, maxSteps: options.maxSteps,
    morphology: { kind: "fixed", morphologies: jobs.flatMap((j) => j.morphologies) },
    seedIndices: jobs.flatMap((j) => j.morphologies.map((_, i) => i)),
  });
  try {
    let obs = env.reset();
    let starts: Uint8Array = new Uint8Array(n).fill(1);
    const results: (MorphologyResult | undefined)[] = new Array(n);
    const left = jobs.map((j) => j.morphologies.length);
    const actions = new Float32Array(n * ACTION_SIZE);
    for (let step = 0; left.some((k) => k > 0); step++) {
      const morphologies = env.morphologies();
      for (const [k, job] of jobs.entries()) {
        if (left[k] === 0) continue;
        const lo = offsets[k], hi = offsets[k + 1], rows = hi - lo;
        // Copies, not views: an actor sees arrays of its own rows only, as when it is evaluated alone.
        const a = job.act(obs.slice(lo * OBSERVATION_SIZE, hi * OBSERVATION_SIZE), morphologies.slice(lo * MORPHOLOGY_SIZE, hi * MORPHOLOGY_SIZE),
          rows, starts.slice(lo, hi));
        if (a.length !== rows * ACTION_SIZE) throw new Error(`evaluate: the policy returned ${a.length} values for ${rows}×${ACTION_SIZE} actions`);
        actions.set(a, lo * ACTION_SIZE);
      }
      const s = env.step(actions);
      for (const f of s.finished) {
        if (results[f.env]) continue;
        const k = offsets.findIndex((o, j) => j < jobs.length && f.env >= o && f.env < offsets[j + 1]);
        results[f.env] = {
          index: f.env - offsets[k], return: f.return, length: f.length, distance: f.distance,
          forwardSpeed: f.distance / (f.length * env.dt), fell: f.fell, unstable: f.unstable,
        };
        left[k]--;
      }
      obs = s.observations;
      starts = s.terminated.map((t, i) => t | s.truncated[i]);
      options.onProgress?.(step);
    }
    return jobs.map((_, k) => summarize(results.slice(offsets[k], offsets[k + 1]) as MorphologyResult[]));
  } finally {
    await env.close();
  }
}
