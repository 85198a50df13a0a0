/**
 * Evaluation of a policy on a set of morphologies (the shipped test sets): one episode per body with
 * deterministic actions (the mean of the policy), reporting per-morphology return, forward distance and
 * speed, and falls, and their mean with SEM.
 */
import { ACTION_SIZE } from "./ant";
import { Morphology, morphologyVector } from "./morphology";
import { AntVecEnv } from "./vec-env";

/**
 * Seed of the evaluation episodes' initial states (the bodies come from the shipped test sets): every evaluation
 * of a shipped checkpoint — after training, in its test, by `npm run eval:ant`, in the notebooks — uses it, so
 * their numbers can be compared to the manifests'.
 */
export const EVALUATION_SEED = 777;

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

/** One deterministic episode per morphology (all in parallel), seeded. */
export async function evaluateOnMorphologies(act: ActFn, morphologies: Morphology[],
  options: { seed?: number; maxSteps?: number; threads?: number; onProgress?: (step: number) => void } = {}): Promise<EvaluationSummary> {
  const n = morphologies.length;
  const env = await AntVecEnv.create({
    numEnvs: n, seed: options.seed ?? 12345, threads: options.threads, maxSteps: options.maxSteps,
    morphology: { kind: "fixed", morphologies },
  });
  try {
    let obs = env.reset();
    let starts: Uint8Array = new Uint8Array(n).fill(1);
    const results: (MorphologyResult | undefined)[] = new Array(n);
    let remaining = n;
    for (let step = 0; remaining > 0; step++) {
      const actions = act(obs, env.morphologies(), n, starts);
      if (actions.length !== n * ACTION_SIZE) throw new Error(`evaluate: the policy returned ${actions.length} values for ${n}×${ACTION_SIZE} actions`);
      const s = env.step(actions);
      for (const f of s.finished) {
        if (results[f.env]) continue;
        results[f.env] = {
          index: f.env, return: f.return, length: f.length, distance: f.distance,
          forwardSpeed: f.distance / (f.length * env.dt), fell: f.fell, unstable: f.unstable,
        };
        remaining--;
      }
      obs = s.observations;
      starts = s.terminated.map((t, i) => t | s.truncated[i]);
      options.onProgress?.(step);
    }
    return summarize(results as MorphologyResult[]);
  } finally {
    await env.close();
  }
}
