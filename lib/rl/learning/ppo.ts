/**
 * Proximal Policy Optimization (Schulman et al. 2017) for continuous actions, written to be read top to
 * bottom like CleanRL's `ppo_continuous_action.py`: options with documented defaults, then one iteration as
 * four named steps — collect a rollout, compute advantages (GAE), the clipped PPO loss, the epoch loop — and
 * the diagnostics a practitioner reads (approx-KL, clip fraction, explained variance, env steps/s).
 *
 * Differences from CleanRL, all deliberate:
 * - many environments with short rollouts and large minibatches (the per-call overhead of TensorFlow.js
 *   makes many tiny minibatches slow);
 * - time-limit truncation is bootstrapped with γ·V(final observation) instead of being treated as terminal;
 * - the learning rate follows the KL-adaptive rule of legged-robot PPO (rsl_rl `algorithms/ppo.py`, Rudin et al.
 *   2022; rl_games and sample-factory use the same rule) by default: before each minibatch's step, lr ÷ 1.5 when
 *   that minibatch's KL between the rollout's policy and the current one exceeds 2× `desiredKl`, × 1.5 when it is
 *   under ½ of it, kept within [lrMin, lrMax]. A fixed step size moves a policy whose action noise has shrunk
 *   further in KL (∝ 1/σ²) than one with wide noise; this rule gives every architecture the same step in KL.
 *   Our KL is the approx-KL estimator below (an unbiased estimate of KL(old ‖ new) on the rollout's actions), where
 *   rsl_rl uses the Gaussians' closed form. CleanRL's linear annealing (`lrSchedule: "anneal"`) and a constant
 *   rate remain options;
 * - `targetKl` stops the update as soon as one minibatch exceeds it (CleanRL finishes the epoch first);
 * - the policy's inputs (observation normalisation, previous action, morphology, history) are built by
 *   lib/rl/policies/inputs.ts, the same code evaluation uses;
 * - the training state (weights, Adam moments, normalisers, counters) is checkpointed so a run resumes where
 *   it was, drawing the same noise as an uninterrupted run; the simulator's state is not saved, so the episodes in
 *   progress restart (lib/rl/learning/train.ts) and the resumed run parts from an uninterrupted one from there.
 */
import { tf } from "../../tf";
import type { ActorCritic } from "../policies/gaussian-mlp";
import { entropy, logProb, sampleRows } from "../policies/distribution";
import { FlatAdam } from "./adam";
import { RunningMeanStd } from "../policies/normalize";
import { rng, Rng } from "../../util/random";

/** Every option, with its default and what it does. */
export const PPO_DEFAULTS = {
  /** Parallel environments. */
  numEnvs: 16,
  /** Steps per environment per rollout (a rollout is numEnvs × numSteps samples). */
  numSteps: 128,
  /** Adam learning rate at the start (CleanRL: 3e-4); the adaptive schedule moves it from there. */
  learningRate: 3e-4,
  /**
   * How the learning rate changes: "adaptive" (rsl_rl's KL rule, see the header), "anneal" (linearly to 0 over
   * the run, CleanRL) or "constant".
   */
  lrSchedule: "adaptive" as LrSchedule,
  /** The adaptive schedule's KL per minibatch step (rsl_rl, legged_gym: 0.01). */
  desiredKl: 0.01,
  /** The adaptive schedule's bounds on the learning rate (rsl_rl: [1e-5, 1e-2]). */
  lrMin: 1e-5,
  lrMax: 1e-2,
  /** Discount. */
  gamma: 0.99,
  /** GAE λ. */
  gaeLambda: 0.95,
  /** Minibatches per epoch. */
  numMinibatches: 4,
  /**
   * Epochs over each rollout (CleanRL: 10; rsl_rl: 5). 5, chosen by the settings pilots (lib/rl/learning/plan.ts ANT_PILOTS,
   * notebook 03): with the adaptive rate, TCN and the Oracle reached the same training return at 1 M env steps with
   * 5 epochs as with 10, in 0.55–0.7 of the time.
   */
  updateEpochs: 5,
  /** Normalise advantages per minibatch. */
  normAdv: true,
  /** Surrogate clipping ε. */
  clipCoef: 0.2,
  /** Clip the value loss as PPO2 does. */
  clipVloss: true,
  /** Entropy bonus coefficient. */
  entCoef: 0,
  /** Value loss coefficient. */
  vfCoef: 0.5,
  /** Global gradient-norm clip. */
  maxGradNorm: 0.5,
  /** Stop the update as soon as a minibatch's approx-KL exceeds this (null: never). */
  targetKl: null as number | null,
  /** Normalise observations with running statistics (the input builder keeps them). */
  normObs: true,
  /** Scale rewards by the running std of the discounted return, clipped to ±10 (gym's NormalizeReward). */
  normReward: true,
};
export type PpoOptions = typeof PPO_DEFAULTS;

export const LR_SCHEDULES = ["adaptive", "anneal", "constant"] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/**
 * The KL-adaptive learning-rate rule (rsl_rl): ÷ 1.5 above 2× the desired KL, × 1.5 below ½ of it, within
 * [lrMin, lrMax]; unchanged in between, and for a KL that is not a number (the caller's loss has failed then).
 */
export function adaptLearningRate(lr: number, kl: number, o: Pick<PpoOptions, "desiredKl" | "lrMin" | "lrMax">): number {
  if (kl > 2 * o.desiredKl) return Math.max(o.lrMin, lr / 1.5);
  if (kl < 0.5 * o.desiredKl) return Math.min(o.lrMax, lr * 1.5);
  return lr;
}

/** Checks a full set of PPO options; a wrong one is an error that names it, its value and what is allowed. */
export function validatePpoOptions(o: PpoOptions): void {
  const fail = (what: string) => { throw new Error(`PPO options: ${what}`); };
  if (!LR_SCHEDULES.includes(o.lrSchedule)) fail(`unknown lrSchedule ${JSON.stringify(o.lrSchedule)}; choose one of ${LR_SCHEDULES.join(", ")}`);
  const positive = (key: keyof PpoOptions) => {
    const v = o[key] as number;
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) fail(`${key} must be a number > 0, got ${v}`);
  };
  (["learningRate", "desiredKl", "lrMin", "lrMax", "gamma", "clipCoef", "maxGradNorm"] as const).forEach(positive);
  if (!(o.lrMin <= o.lrMax)) fail(`lrMin ${o.lrMin} is above lrMax ${o.lrMax}`);
  if (o.lrSchedule === "adaptive" && !(o.learningRate >= o.lrMin && o.learningRate <= o.lrMax)) {
    fail(`learningRate ${o.learningRate} is outside the adaptive schedule's bounds [${o.lrMin}, ${o.lrMax}]`);
  }
  for (const key of ["numEnvs", "numSteps", "numMinibatches", "updateEpochs"] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) fail(`${key} must be a whole number ≥ 1, got ${o[key]}`);
  }
  if (o.numMinibatches > o.numEnvs * o.numSteps) fail(`numMinibatches ${o.numMinibatches} exceeds the rollout's ${o.numEnvs * o.numSteps} samples`);
  if (!(o.gaeLambda >= 0 && o.gaeLambda <= 1)) fail(`gaeLambda must be in [0, 1], got ${o.gaeLambda}`);
  if (!(o.entCoef >= 0) || !(o.vfCoef >= 0)) fail(`entCoef and vfCoef must be ≥ 0, got ${o.entCoef} and ${o.vfCoef}`);
  if (o.targetKl !== null && !(o.targetKl > 0)) fail(`targetKl must be > 0 or null, got ${o.targetKl}`);
}

/**
 * Generalized advantage estimation (Schulman et al. 2016) over a rollout of T steps × N envs (row-major).
 * `dones[t]` marks that the episode ended at step t (so step t+1 starts a new one); `lastValues` are the
 * values of the observations after the last step. Returns advantages and returns (= advantages + values).
 */
export function computeGae(rewards: Float64Array, values: Float64Array, dones: Uint8Array, lastValues: Float64Array,
  numSteps: number, numEnvs: number, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const advantages = new Float64Array(numSteps * numEnvs);
  for (let e = 0; e < numEnvs; e++) {
    let last = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const nextValue = t === numSteps - 1 ? lastValues[e] : values[(t + 1) * numEnvs + e];
      const nonTerminal = 1 - dones[i];
      const delta = rewards[i] + gamma * nextValue * nonTerminal - values[i];
      last = delta + gamma * lambda * nonTerminal * last;
      advantages[i] = last;
    }
  }
  const returns = advantages.map((a, i) => a + values[i]);
  return { advantages, returns };
}

/** What a vectorised environment must offer PPO. */
export interface VectorEnv {
  readonly numEnvs: number;
  reset(): Float32Array;
  step(actions: Float32Array): {
    observations: Float32Array; rewards: Float64Array; terminated: Uint8Array; truncated: Uint8Array;
    finalObservations: Float32Array; finished: { return: number; length: number; distance?: number }[];
  };
  /** The body of each environment's current episode (N × 9), for policies that read it. */
  morphologies?(): Float32Array;
}

/** Turns what the environments give into policy input rows, keeping per-environment memory (lib/rl/policies/inputs.ts). */
export interface PolicyInputs {
  readonly obsRms: RunningMeanStd | null;
  rows(observations: Float32Array, morphologies: Float32Array, starts: Uint8Array | null, updateStatistics: boolean): Float32Array;
  recordActions(actions: Float32Array): void;
  finalRows(finalObservations: Float32Array): Float32Array;
}

export interface IterationLog {
  iteration: number;
  globalStep: number;
  stepsPerSecond: number;
  /** The learning rate of the iteration's last minibatch step (the adaptive schedule moves it within the iteration). */
  learningRate: number;
  /**
   * The mean learning rate over the iteration's minibatch steps. Under the adaptive schedule the rate climbs while
   * the first minibatches of an iteration are still close to the rollout's policy and falls as the KL builds up, so
   * the last step's rate understates the step the iteration took.
   */
  meanLearningRate: number;
  /** Mean raw return of the episodes that ended during this rollout (NaN if none). */
  episodicReturn: number;
  episodicLength: number;
  episodes: number;
  valueLoss: number;
  policyLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  explainedVariance: number;
  /** Wall time of the rollout (simulation + action sampling) and of the update, s. */
  rolloutSeconds: number;
  updateSeconds: number;
}

/** Everything needed to resume training exactly (weights and Adam moments are saved by the checkpoint code). */
export interface PpoState {
  globalStep: number;
  iteration: number;
  /** The adaptive schedule's current learning rate (absent in checkpoints written before it existed). */
  learningRate?: number;
  obsRms: ReturnType<RunningMeanStd["toJSON"]> | null;
  returnRms: ReturnType<RunningMeanStd["toJSON"]> | null;
}

/** One rollout of T steps × N environments (row-major: sample t·N + i). */
interface Rollout {
  inputs: Float32Array;
  actions: Float32Array;
  logProbs: Float64Array;
  values: Float64Array;
  /** Rewards as learned from: scaled, and with γ·V(final observation) added at time-limit truncations. */
  rewards: Float64Array;
  dones: Uint8Array;
  /** V of the observations after the last step. */
  lastValues: Float64Array;
  finished: { return: number; length: number }[];
}

/** A minibatch as tensors. */
interface Minibatch {
  inputs: tf.Tensor2D; actions: tf.Tensor2D; oldLogProbs: tf.Tensor1D; oldValues: tf.Tensor1D; returns: tf.Tensor1D; advantages: tf.Tensor1D;
}

/** Mean over the minibatches of an update. */
interface UpdateStats {
  policyLoss: number; valueLoss: number; entropy: number; approxKl: number; clipFraction: number; meanLearningRate: number;
}

/**
 * The clipped surrogate objective, the (clipped) value loss and the entropy bonus, for one minibatch;
 * also approx-KL as in CleanRL, mean((ratio − 1) − log ratio), and the clip fraction, |ratio − 1| > ε.
 */
export function ppoLoss(policy: ActorCritic, b: Minibatch, o: PpoOptions): { loss: tf.Scalar; diagnostics: tf.Tensor1D } {
  let adv = b.advantages;
  if (o.normAdv) {
    const m = tf.moments(adv);
    adv = tf.div(tf.sub(adv, m.mean), tf.add(tf.sqrt(m.variance), 1e-8));
  }
  const dist = policy.distribution(b.inputs);
  const logRatio = tf.sub(logProb(dist, b.actions), b.oldLogProbs);
  const ratio = tf.exp(logRatio);
  const pgLoss = tf.mean(tf.maximum(tf.mul(tf.neg(adv), ratio), tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - o.clipCoef, 1 + o.clipCoef))));
  const v = policy.value(b.inputs);
  const unclipped = tf.square(tf.sub(v, b.returns));
  const squaredError = o.clipVloss
    ? tf.maximum(unclipped, tf.square(tf.sub(tf.add(b.oldValues, tf.clipByValue(tf.sub(v, b.oldValues), -o.clipCoef, o.clipCoef)), b.returns)))
    : unclipped;
  const vLoss = tf.mul(0.5, tf.mean(squaredError));
  const ent = entropy(dist);
  const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
  const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), o.clipCoef), "float32"));
  const loss = tf.add(tf.sub(pgLoss, tf.mul(o.entCoef, ent)), tf.mul(o.vfCoef, vLoss)) as tf.Scalar;
  return { loss, diagnostics: tf.stack([pgLoss, vLoss, ent, kl, clipFraction]) as tf.Tensor1D };
}

export class Ppo {
  readonly options: PpoOptions;
  readonly optimizer: FlatAdam;
  returnRms: RunningMeanStd | null;
  globalStep = 0;
  iteration = 0;
  /** The learning rate the next minibatch step starts from (the adaptive schedule's state). */
  learningRate: number;
  private random: Rng;
  private discounted: Float64Array;
  private observations: Float32Array | null = null;
  private starts: Uint8Array | null = null;

  constructor(readonly policy: ActorCritic, readonly env: VectorEnv, readonly inputs: PolicyInputs,
    options: Partial<PpoOptions> = {}, readonly seed = 0) {
    this.options = { ...PPO_DEFAULTS, ...options };
    validatePpoOptions(this.options);
    if (this.options.numEnvs !== env.numEnvs) throw new Error(`Ppo: options.numEnvs ${this.options.numEnvs} ≠ env.numEnvs ${env.numEnvs}`);
    if (this.options.normObs !== (inputs.obsRms !== null)) {
      throw new Error(`Ppo: normObs is ${this.options.normObs} but the input builder ${inputs.obsRms ? "normalises" : "does not normalise"} observations`);
    }
    this.optimizer = new FlatAdam(policy.variables, { beta1: 0.9, beta2: 0.999, epsilon: 1e-5 });
    this.returnRms = this.options.normReward ? new RunningMeanStd(1) : null;
    this.random = rng(seed);
    this.discounted = new Float64Array(env.numEnvs);
    this.learningRate = this.options.learningRate;
  }

  /** One iteration: collect a rollout, compute advantages, update. `totalSteps` sets the learning-rate schedule. */
  iterate(totalSteps: number): IterationLog {
    const o = this.options;
    const started = performance.now();
    if (o.lrSchedule === "anneal") this.learningRate = o.learningRate * Math.max(0, 1 - this.globalStep / totalSteps);
    // Re-seeding from (seed, iteration) makes a resumed run draw the same noise as an uninterrupted one.
    this.random = rng(this.seed + 1000003 * this.iteration);

    const rollout = this.collectRollout();
    const { advantages, returns } = computeGae(rollout.rewards, rollout.values, rollout.dones, rollout.lastValues,
      o.numSteps, o.numEnvs, o.gamma, o.gaeLambda);
    const rolloutSeconds = (performance.now() - started) / 1000;
    const stats = this.update(rollout, advantages, returns);
    this.iteration++;

    const { finished } = rollout;
    const seconds = (performance.now() - started) / 1000;
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      stepsPerSecond: (o.numSteps * o.numEnvs) / seconds,
      learningRate: this.learningRate,
      episodicReturn: finished.length ? finished.reduce((s, f) => s + f.return, 0) / finished.length : NaN,
      episodicLength: finished.length ? finished.reduce((s, f) => s + f.length, 0) / finished.length : NaN,
      episodes: finished.length,
      ...stats,
      explainedVariance: explainedVariance(rollout.values, returns),
      rolloutSeconds, updateSeconds: seconds - rolloutSeconds,
    };
  }

  /** Step the environments numSteps times with actions sampled from the policy. */
  private collectRollout(): Rollout {
    const { numEnvs: N, numSteps: T, gamma } = this.options;
    const D = this.policy.inputSize, A = this.policy.actionSize;
    const r: Rollout = {
      inputs: new Float32Array(T * N * D), actions: new Float32Array(T * N * A), logProbs: new Float64Array(T * N),
      values: new Float64Array(T * N), rewards: new Float64Array(T * N), dones: new Uint8Array(T * N),
      lastValues: new Float64Array(N), finished: [],
    };
    if (!this.observations) this.observations = this.env.reset();
    for (let t = 0; t < T; t++) {
      const x = this.inputs.rows(this.observations, this.bodies(), this.starts, true);
      r.inputs.set(x, t * N * D);
      const noise = Float32Array.from({ length: N * A }, () => this.random.normal());
      // TensorFlow gives the means and values; the sampling and its log-probabilities are JavaScript (the same
      // formulas, lib/rl/policies/distribution.ts), which saves their kernel calls at every step.
      const out = tf.tidy(() => {
        const input = tf.tensor2d(x, [N, D]);
        const dist = this.policy.distribution(input);
        return { mean: dist.mean.dataSync() as Float32Array, logStd: dist.logStd.dataSync() as Float32Array, values: this.policy.value(input).dataSync() };
      });
      const step = { ...sampleRows(out.mean, out.logStd, noise, A), values: out.values };
      r.actions.set(step.actions, t * N * A);
      r.logProbs.set(step.logProbs, t * N);
      r.values.set(step.values, t * N);
      const executed = step.actions.map((v) => Math.max(-1, Math.min(1, v)));
      const s = this.env.step(executed);
      this.inputs.recordActions(executed);
      r.finished.push(...s.finished);
      for (let i = 0; i < N; i++) {
        r.dones[t * N + i] = s.terminated[i] || s.truncated[i] ? 1 : 0;
        r.rewards[t * N + i] = s.rewards[i];
      }
      this.scaleRewards(r.rewards.subarray(t * N, (t + 1) * N), r.dones.subarray(t * N, (t + 1) * N));
      // A time-limit truncation is not a terminal state: bootstrap with the value of its last observation.
      if (s.truncated.some((tr, i) => tr && !s.terminated[i])) {
        const finalValues = this.valuesOf(this.inputs.finalRows(s.finalObservations));
        for (let i = 0; i < N; i++) if (s.truncated[i] && !s.terminated[i]) r.rewards[t * N + i] += gamma * finalValues[i];
      }
      this.observations = s.observations;
      this.starts = r.dones.slice(t * N, (t + 1) * N);
    }
    this.globalStep += T * N;
    // V of the next observations, peeked without advancing the inputs' memory (the next rollout does that). Where
    // an episode just ended the peek mixes two episodes, but GAE multiplies that value by 1 − done = 0.
    r.lastValues = this.valuesOf(this.inputs.finalRows(this.observations));
    return r;
  }

  /** Reward scaling by the running std of each environment's discounted return (gym's NormalizeReward). */
  private scaleRewards(rewards: Float64Array, dones: Uint8Array): void {
    if (!this.returnRms) return;
    const N = rewards.length;
    for (let i = 0; i < N; i++) this.discounted[i] = this.discounted[i] * this.options.gamma + rewards[i];
    this.returnRms.update(this.discounted, N);
    const scale = Math.sqrt(this.returnRms.var[0] + 1e-8);
    for (let i = 0; i < N; i++) {
      rewards[i] = Math.max(-10, Math.min(10, rewards[i] / scale));
      if (dones[i]) this.discounted[i] = 0;
    }
  }

  /** The epochs of minibatch updates over one rollout. */
  private update(r: Rollout, advantages: Float64Array, returns: Float64Array): UpdateStats {
    const o = this.options;
    const batch = o.numSteps * o.numEnvs;
    const size = Math.floor(batch / o.numMinibatches);
    const D = this.policy.inputSize, A = this.policy.actionSize;
    const order = Array.from({ length: batch }, (_, i) => i);
    const sums = [0, 0, 0, 0, 0, 0];
    let updates = 0;
    for (let epoch = 0; epoch < o.updateEpochs; epoch++) {
      for (let i = batch - 1; i > 0; i--) {
        const j = Math.floor(this.random.uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start + size <= batch; start += size) {
        const idx = order.slice(start, start + size);
        const values = tf.tidy(() => {
          const b: Minibatch = {
            inputs: tf.tensor2d(gather(r.inputs, idx, D), [size, D]), actions: tf.tensor2d(gather(r.actions, idx, A), [size, A]),
            oldLogProbs: tf.tensor1d(gather(r.logProbs, idx, 1)), oldValues: tf.tensor1d(gather(r.values, idx, 1)),
            returns: tf.tensor1d(gather(returns, idx, 1)), advantages: tf.tensor1d(gather(advantages, idx, 1)),
          };
          let diagnostics: tf.Tensor1D | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const l = ppoLoss(this.policy, b, o);
            diagnostics = tf.keep(l.diagnostics);
            return l.loss;
          }, this.policy.variables);
          value.dispose();
          // The KL before this step sets its step size (rsl_rl: the minibatch's KL, then the step).
          const read = Array.from(diagnostics!.dataSync());
          diagnostics!.dispose();
          if (o.lrSchedule === "adaptive") this.learningRate = adaptLearningRate(this.learningRate, read[3], o);
          this.optimizer.step(grads, this.learningRate, o.maxGradNorm);
          return [...read, this.learningRate];
        });
        values.forEach((v, k) => (sums[k] += v));
        updates++;
        if (o.targetKl !== null && values[3] > o.targetKl) return meanStats(sums, updates);
      }
    }
    return meanStats(sums, updates);
  }

  /** Critic values of input rows. */
  private valuesOf(rows: Float32Array): Float64Array {
    const n = rows.length / this.policy.inputSize;
    return Float64Array.from(tf.tidy(() => this.policy.value(tf.tensor2d(rows, [n, this.policy.inputSize])).dataSync()));
  }

  private bodies(): Float32Array {
    return this.env.morphologies?.() ?? new Float32Array(0);
  }

  state(): PpoState {
    return { globalStep: this.globalStep, iteration: this.iteration, learningRate: this.learningRate, obsRms: this.inputs.obsRms?.toJSON() ?? null, returnRms: this.returnRms?.toJSON() ?? null };
  }

  restore(state: PpoState): void {
    this.globalStep = state.globalStep;
    this.iteration = state.iteration;
    this.learningRate = state.learningRate ?? this.options.learningRate;
    const saved = state.obsRms ? RunningMeanStd.fromJSON(state.obsRms) : null;
    if ((saved === null) !== (this.inputs.obsRms === null)) throw new Error("Ppo.restore: the saved run and this one disagree on observation normalisation");
    if (saved && this.inputs.obsRms) Object.assign(this.inputs.obsRms, { mean: saved.mean, var: saved.var, count: saved.count });
    this.returnRms = state.returnRms ? RunningMeanStd.fromJSON(state.returnRms) : null;
  }
}

function gather(src: Float32Array | Float64Array, idx: number[], width: number): Float32Array {
  const out = new Float32Array(idx.length * width);
  idx.forEach((k, r) => { for (let j = 0; j < width; j++) out[r * width + j] = src[k * width + j]; });
  return out;
}

function meanStats(sums: number[], n: number): UpdateStats {
  const [policyLoss, valueLoss, entropy, approxKl, clipFraction, meanLearningRate] = sums.map((s) => s / n);
  return { policyLoss, valueLoss, entropy, approxKl, clipFraction, meanLearningRate };
}

/** 1 − Var(returns − values) / Var(returns): how much of the return the critic explains. */
function explainedVariance(values: Float64Array, returns: Float64Array): number {
  const n = returns.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i] / n;
  let ss = 0, sr = 0;
  for (let i = 0; i < n; i++) { ss += (returns[i] - values[i]) ** 2; sr += (returns[i] - mean) ** 2; }
  return sr > 0 ? 1 - ss / sr : NaN;
}
