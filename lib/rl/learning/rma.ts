/**
 * RMA's phase 2 (Kumar, Fu, Pathak & Malik, RSS 2021): teach an adaptation module φ to estimate, from the last
 * H steps of (x, a), the latent z = μ(e) that the Oracle's encoder computes from the true morphology e — with
 * the Oracle's policy π and encoder μ frozen.
 *
 * DAgger-style (Ross et al. 2011), as RMA: each round rolls out the student — π driven by φ's own estimate ẑ —
 * so φ learns on the states its own errors lead to; a random quarter of the round's (history, z) pairs joins a
 * dataset that grows round by round (up to `datasetSize`, then each new pair replaces a random old one); then φ
 * takes `gradientSteps` Adam steps on mean squared error over minibatches of the whole dataset. The rollouts use
 * the policy's mean action, as at deployment. Reported per round: the error of ẑ on the new rollout before φ
 * trains on it (on-policy error), and the error on the minibatches it trained on.
 *
 * The dataset is not checkpointed (tens of MB); a resumed run keeps φ and its Adam moments and rebuilds the
 * dataset from new rounds.
 */
import { tf } from "../../tf";
import { FlatAdam } from "./adam";
import { STEP_SECONDS } from "../env/ant";
import { AgentInputs } from "../policies/inputs";
import { Morphology } from "../env/morphology";
import { RunningMeanStd } from "../policies/normalize";
import { AdaptivePolicy } from "../policies/adaptive";
import type { PpoState, VectorEnv } from "./ppo";
import { probeEpisodes, ProbeOptions } from "../policies/probe";
import { rng, Rng } from "../../util/random";

/** Every option of phase 2, with its default. */
export const ADAPTATION_DEFAULTS = {
  /** Parallel environments. */
  numEnvs: 16,
  /** Steps per environment per round. */
  numSteps: 128,
  /** Fraction of each round's samples kept in the dataset. */
  keepFraction: 0.25,
  /** Samples the dataset holds at most. */
  datasetSize: 20_000,
  /** Adam steps on φ per round. */
  gradientSteps: 8,
  /** Samples per minibatch. */
  minibatchSize: 512,
  /** Adam learning rate (RMA trains φ with Adam). */
  learningRate: 1e-3,
  /** Global gradient-norm clip. */
  maxGradNorm: 1,
};
export type AdaptationOptions = typeof ADAPTATION_DEFAULTS;

export interface AdaptationLog {
  iteration: number;
  globalStep: number;
  stepsPerSecond: number;
  /** Mean raw return of the episodes that ended during this round's rollout (the student driving; NaN if none). */
  episodicReturn: number;
  episodicLength: number;
  episodes: number;
  /** Mean over samples and latent dimensions of (ẑ − z)² on this round's rollout, before φ trained on it. */
  latentErrorOnPolicy: number;
  /** The same on the minibatches φ trained on this round (mean over its steps). */
  latentErrorTrain: number;
  datasetSize: number;
  rolloutSeconds: number;
  updateSeconds: number;
}

export class AdaptationTrainer {
  readonly options: AdaptationOptions;
  readonly optimizer: FlatAdam;
  globalStep = 0;
  iteration = 0;
  private readonly windowSize: number;
  private readonly histories: Float32Array;
  private readonly targets: Float32Array;
  private stored = 0;
  private seen = 0;
  private random: Rng;
  private observations: Float32Array | null = null;
  private starts: Uint8Array | null = null;

  constructor(readonly policy: AdaptivePolicy, readonly env: VectorEnv, readonly inputs: AgentInputs,
    options: Partial<AdaptationOptions> = {}, readonly seed = 0) {
    if (policy.kind !== "rma" || !policy.historyEncoder || !policy.morphologyEncoder) {
      throw new Error(`RMA phase 2 needs an 'rma' policy (the Oracle's π and μ with an adaptation module), got '${policy.kind}'`);
    }
    this.options = { ...ADAPTATION_DEFAULTS, ...options };
    if (this.options.numEnvs !== env.numEnvs) throw new Error(`phase 2: options.numEnvs ${this.options.numEnvs} ≠ env.numEnvs ${env.numEnvs}`);
    if (!env.morphologies) throw new Error("phase 2 needs an environment that reports its morphologies (the target z = μ(e))");
    this.optimizer = new FlatAdam(policy.historyEncoder.variables, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    this.windowSize = policy.layout.history!.size;
    this.histories = new Float32Array(this.options.datasetSize * this.windowSize);
    this.targets = new Float32Array(this.options.datasetSize * 8);
    this.random = rng(seed);
  }

  /** One round: roll out the student, add to the dataset, train φ. */
  iterate(_totalSteps: number): AdaptationLog {
    const started = performance.now();
    this.random = rng(this.seed + 1000003 * this.iteration);
    const { finished, error } = this.rollout();
    const rolloutSeconds = (performance.now() - started) / 1000;
    const trainError = this.train();
    this.iteration++;
    const seconds = (performance.now() - started) / 1000;
    const { numSteps: T, numEnvs: N } = this.options;
    return {
      iteration: this.iteration, globalStep: this.globalStep, stepsPerSecond: (T * N) / seconds,
      episodicReturn: finished.length ? finished.reduce((s, f) => s + f.return, 0) / finished.length : NaN,
      episodicLength: finished.length ? finished.reduce((s, f) => s + f.length, 0) / finished.length : NaN,
      episodes: finished.length,
      latentErrorOnPolicy: error, latentErrorTrain: trainError, datasetSize: this.stored,
      rolloutSeconds, updateSeconds: seconds - rolloutSeconds,
    };
  }

  private rollout(): { finished: { return: number; length: number }[]; error: number } {
    const { numEnvs: N, numSteps: T, keepFraction } = this.options;
    const D = this.policy.inputSize;
    const history = this.policy.layout.history!;
    const finished: { return: number; length: number }[] = [];
    let squared = 0;
    if (!this.observations) this.observations = this.env.reset();
    for (let t = 0; t < T; t++) {
      const rows = this.inputs.rows(this.observations, this.env.morphologies!(), this.starts, false);
      const out = tf.tidy(() => {
        const input = tf.tensor2d(rows, [N, D]);
        const z = this.policy.morphologyLatent(input);
        const zHat = this.policy.latent(input);
        return {
          actions: this.policy.distribution(input).mean.dataSync() as Float32Array,
          z: z.dataSync() as Float32Array,
          error: tf.sum(tf.squaredDifference(zHat, z)).dataSync()[0],
        };
      });
      squared += out.error;
      for (let i = 0; i < N; i++) {
        if (this.random.uniform() >= keepFraction) continue;
        this.store(rows.subarray(i * D + history.offset, i * D + history.offset + history.size), out.z.subarray(i * 8, (i + 1) * 8));
      }
      const executed = out.actions.map((v) => Math.max(-1, Math.min(1, v)));
      const s = this.env.step(executed);
      this.inputs.recordActions(executed);
      finished.push(...s.finished);
      this.observations = s.observations;
      this.starts = s.terminated.map((x, i) => x | s.truncated[i]);
    }
    this.globalStep += T * N;
    return { finished, error: squared / (T * N * 8) };
  }

  /** Add one pair; once full, replace a random old one (reservoir sampling over all pairs seen). */
  private store(window: Float32Array, z: Float32Array): void {
    const cap = this.options.datasetSize;
    let slot = this.stored;
    if (this.stored < cap) this.stored++;
    else {
      slot = this.random.int(this.seen + 1);
      if (slot >= cap) { this.seen++; return; }
    }
    this.seen++;
    this.histories.set(window, slot * this.windowSize);
    this.targets.set(z, slot * 8);
  }

  private train(): number {
    const { gradientSteps, minibatchSize, learningRate, maxGradNorm } = this.options;
    const encoder = this.policy.historyEncoder!;
    const B = Math.min(minibatchSize, this.stored);
    if (B === 0) return NaN;
    let total = 0;
    for (let k = 0; k < gradientSteps; k++) {
      const x = new Float32Array(B * this.windowSize);
      const y = new Float32Array(B * 8);
      for (let b = 0; b < B; b++) {
        const j = this.random.int(this.stored);
        x.set(this.histories.subarray(j * this.windowSize, (j + 1) * this.windowSize), b * this.windowSize);
        y.set(this.targets.subarray(j * 8, (j + 1) * 8), b * 8);
      }
      total += tf.tidy(() => {
        const windows = tf.tensor2d(x, [B, this.windowSize]);
        const target = tf.tensor2d(y, [B, 8]);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(encoder.apply(windows), target)) as tf.Scalar, encoder.variables);
        this.optimizer.step(grads, learningRate, maxGradNorm);
        return value.dataSync()[0];
      });
    }
    return total / gradientSteps;
  }

  state(): PpoState {
    return { globalStep: this.globalStep, iteration: this.iteration, obsRms: this.inputs.obsRms?.toJSON() ?? null, returnRms: null };
  }

  restore(state: PpoState): void {
    this.globalStep = state.globalStep;
    this.iteration = state.iteration;
  }
}


/** ẑ counts as converged when its error falls below this share of z's spread across bodies. */
export const CONVERGENCE_FRACTION = 0.25;

export interface LatentConvergence {
  /** Bodies measured (the first of the training σ's test set). */
  bodies: number;
  /** |ẑ − z| (root mean square over the 8 dimensions) counts as converged below this: a quarter of z's spread across the bodies. */
  threshold: number;
  /** Per body: the first step from which the error stays below the threshold for 10 steps (−1: never within the episode). */
  stepsPerBody: number[];
  /** Median of stepsPerBody (−1 when most bodies never converge), and in simulated seconds (−1 likewise). */
  medianSteps: number;
  medianSeconds: number;
  /** Mean error over bodies at each step of the first `steps` (bodies that fell drop out). */
  meanErrorByStep: number[];
}

/**
 * How fast ẑ finds z within an episode: the deployed RMA policy drives each body from its first step (history
 * zero-padded), and |ẑ − z| is recorded step by step.
 */
export async function latentConvergence(policy: AdaptivePolicy, obsRms: RunningMeanStd | null, morphologies: Morphology[],
  options: { seed: number; steps?: number }): Promise<LatentConvergence> {
  const steps = options.steps ?? 200;
  const traces = await latentTraces(policy, obsRms, morphologies, { seed: options.seed, steps });
  const n = morphologies.length;
  // Spread of z across bodies: per-dimension std, root mean square over dimensions.
  const z0 = traces.map((t) => t.z[t.z.length - 1]);
  let spread = 0;
  for (let d = 0; d < 8; d++) {
    const m = z0.reduce((s, z) => s + z[d], 0) / n;
    spread += z0.reduce((s, z) => s + (z[d] - m) ** 2, 0) / n / 8;
  }
  const threshold = CONVERGENCE_FRACTION * Math.sqrt(spread);
  const hold = 10;
  const stepsPerBody = traces.map((t) => {
    for (let k = 0; k + hold <= t.error.length; k++) if (t.error.slice(k, k + hold).every((e) => e < threshold)) return k;
    return -1;
  });
  const converged = stepsPerBody.filter((k) => k >= 0).sort((a, b) => a - b);
  const medianSteps = converged.length > n / 2 ? converged[Math.floor(n / 2) - (n % 2 ? 0 : 1)] : -1;
  const meanErrorByStep = Array.from({ length: steps }, (_, k) => {
    const alive = traces.filter((t) => k < t.error.length);
    return alive.length ? +(alive.reduce((s, t) => s + t.error[k], 0) / alive.length).toPrecision(4) : NaN;
  }).filter(Number.isFinite);
  return { bodies: n, threshold: +threshold.toPrecision(4), stepsPerBody, medianSteps, medianSeconds: medianSteps < 0 ? -1 : medianSteps * STEP_SECONDS, meanErrorByStep };
}

export interface ConvergenceSummary {
  bodies: number;
  /** Bodies whose ẑ got (and stayed for 10 steps) under the threshold within the first second, and at all. */
  convergedWithinSecond: number;
  converged: number;
  /** Mean |ẑ − z| over bodies: at the first step, over the second second (steps 1–2 s), over the last second recorded. */
  errorAtStart: number;
  errorSecondSecond: number;
  errorLastSecond: number;
  /**
   * z's spread across the bodies (threshold ÷ CONVERGENCE_FRACTION): the root-mean-square error of always
   * guessing the bodies' mean z, i.e. of a module that knows nothing about the body.
   */
  guessError: number;
}

/** A LatentConvergence record in the numbers a reader asks for: how many bodies converged, and how far ẑ gets next to a blind guess. */
export function convergenceSummary(c: LatentConvergence): ConvergenceSummary {
  const perSecond = Math.round(1 / STEP_SECONDS);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const e = c.meanErrorByStep;
  return {
    bodies: c.bodies,
    convergedWithinSecond: c.stepsPerBody.filter((k) => k >= 0 && k < perSecond).length,
    converged: c.stepsPerBody.filter((k) => k >= 0).length,
    errorAtStart: e[0] ?? NaN,
    errorSecondSecond: mean(e.slice(perSecond, 2 * perSecond)),
    errorLastSecond: mean(e.slice(Math.max(0, e.length - perSecond))),
    guessError: c.threshold / CONVERGENCE_FRACTION,
  };
}

export interface LatentTrace {
  /** z = μ(e) and ẑ = φ(history) at each step (8 values each). */
  z: number[][];
  zHat: number[][];
  /** Root mean square of ẑ − z over the 8 dimensions, per step. */
  error: number[];
  /**
   * What the error costs in action: root mean square over the 8 joints of a(ẑ) − a(z), the policy's executed
   * (clipped) mean action on the same state with ẑ and with the true z, per step.
   */
  actionError: number[];
  /**
   * The scale to read actionError against: a(z̄) − a(z) likewise, with z̄ the mean of z over the batch's bodies —
   * what a controller that knows only the average body would do differently (ẑ carries body information that
   * matters to the action where actionError is below this).
   */
  averageBodyError: number[];
  fell: boolean;
}

const rms = (a: number[], b: number[], f: (v: number) => number = (v) => v) =>
  Math.sqrt(a.reduce((acc, v, d) => acc + (f(v) - f(b[d])) ** 2, 0) / a.length);
const clip = (v: number) => Math.max(-1, Math.min(1, v));

/**
 * One deterministic episode per body with an RMA policy, recording z = μ(e) and ẑ = φ(history) at every step
 * (until `steps` or a fall), and the actions the policy would take on each (see LatentTrace). With `change`, at
 * step `change.at` body i becomes `change.to[i]` mid-episode (AntEnv.changeBody: the state carries over), and z
 * follows the new body.
 */
export async function latentTraces(policy: AdaptivePolicy, obsRms: RunningMeanStd | null, morphologies: Morphology[],
  options: ProbeOptions): Promise<LatentTrace[]> {
  if (!policy.historyEncoder || !policy.morphologyEncoder) throw new Error(`latent traces need an 'rma' policy, got '${policy.kind}'`);
  const n = morphologies.length;
  const inputs = new AgentInputs(policy.layout, n, { normalize: false, obsRms });
  const episodes = await probeEpisodes(policy, inputs, morphologies, options, (input) => {
    const z = policy.morphologyLatent(input), zHat = policy.latent(input);
    const average = tf.tile(tf.mean(z, 0, true), [n, 1]) as tf.Tensor2D;
    return tf.concat([z, zHat, policy.meanAction(input, z), policy.meanAction(input, zHat), policy.meanAction(input, average)], 1) as tf.Tensor2D;
  });
  return episodes.map((e) => {
    const part = (k: number) => e.probe.map((row) => row.slice(8 * k, 8 * k + 8));
    const [z, zHat, aZ, aZHat, aAverage] = [0, 1, 2, 3, 4].map(part);
    return {
      z, zHat, error: z.map((zt, t) => rms(zt, zHat[t])), fell: e.fell,
      actionError: aZ.map((a, t) => rms(aZHat[t], a, clip)), averageBodyError: aZ.map((a, t) => rms(aAverage[t], a, clip)),
    };
  });
}

export interface ActionErrorSummary {
  bodies: number;
  /** Means over the bodies' steps from `fromStep` on (the history full enough to judge). */
  fromStep: number;
  latentError: number;
  actionError: number;
  averageBodyError: number;
}

/** Means of latentTraces' three errors over every body's steps from `fromStep` (default 20: after the first second). */
export function actionErrorSummary(traces: LatentTrace[], fromStep = 20): ActionErrorSummary {
  const mean = (pick: (t: LatentTrace) => number[]) => {
    const xs = traces.flatMap((t) => pick(t).slice(fromStep));
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  return {
    bodies: traces.length, fromStep, latentError: mean((t) => t.error), actionError: mean((t) => t.actionError),
    averageBodyError: mean((t) => t.averageBodyError),
  };
}
