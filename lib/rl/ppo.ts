/**
 * Proximal Policy Optimization (Schulman et al. 2017) for continuous actions, written to be read top to
 * bottom like CleanRL's `ppo_continuous_action.py`: options with documented defaults, the rollout, GAE,
 * the clipped update, and the diagnostics a practitioner reads (approx-KL, clip fraction, explained
 * variance, env steps/s).
 *
 * Differences from CleanRL, all deliberate: many environments with short rollouts and large minibatches
 * (the per-call overhead of TensorFlow.js makes many tiny minibatches slow), time-limit truncation
 * bootstrapped with V(final observation) instead of being treated as a terminal state, and the training
 * state (weights, Adam moments, normalisers, counters) checkpointed so a run resumes exactly where it was.
 */
import { tf } from "../tf";
import type { ActorCritic } from "./policies/gaussian-mlp";
import { FlatAdam } from "./adam";
import { RunningMeanStd } from "./normalize";
import { rng, Rng } from "../util/random";

export interface PpoOptions {
  /** Parallel environments (default 16). */
  numEnvs: number;
  /** Steps per environment per rollout (default 128; a rollout is numEnvs × numSteps samples). */
  numSteps: number;
  /** Adam learning rate (default 3e-4, CleanRL). */
  learningRate: number;
  /** Anneal the learning rate linearly to 0 over the run (default true). */
  annealLr: boolean;
  /** Discount (default 0.99). */
  gamma: number;
  /** GAE λ (default 0.95). */
  gaeLambda: number;
  /** Minibatches per epoch (default 4). */
  numMinibatches: number;
  /** Epochs over each rollout (default 10). */
  updateEpochs: number;
  /** Normalise advantages per minibatch (default true). */
  normAdv: boolean;
  /** Surrogate clipping ε (default 0.2). */
  clipCoef: number;
  /** Clip the value loss as PPO2 does (default true). */
  clipVloss: boolean;
  /** Entropy bonus coefficient (default 0). */
  entCoef: number;
  /** Value loss coefficient (default 0.5). */
  vfCoef: number;
  /** Global gradient-norm clip (default 0.5). */
  maxGradNorm: number;
  /** Stop the epochs of an update early when approx-KL exceeds this (default: never). */
  targetKl: number | null;
  /** Normalise observations with running statistics (default true). */
  normObs: boolean;
  /** Scale rewards by the running std of the discounted return (default true). */
  normReward: boolean;
}

export const PPO_DEFAULTS: PpoOptions = {
  numEnvs: 16, numSteps: 128, learningRate: 3e-4, annealLr: true, gamma: 0.99, gaeLambda: 0.95,
  numMinibatches: 4, updateEpochs: 10, normAdv: true, clipCoef: 0.2, clipVloss: true, entCoef: 0,
  vfCoef: 0.5, maxGradNorm: 0.5, targetKl: null, normObs: true, normReward: true,
};

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
}

/** Turns environment observations into policy inputs (e.g. appending the morphology for the oracle). */
export type InputBuilder = (observations: Float32Array, numEnvs: number) => Float32Array;

export interface IterationLog {
  iteration: number;
  globalStep: number;
  stepsPerSecond: number;
  learningRate: number;
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

/** Everything needed to resume training exactly. */
export interface PpoState {
  globalStep: number;
  iteration: number;
  obsRms: ReturnType<RunningMeanStd["toJSON"]> | null;
  returnRms: ReturnType<RunningMeanStd["toJSON"]> | null;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Sum over action dimensions of the diagonal Gaussian log-density. */
function logProb(actions: tf.Tensor2D, mean: tf.Tensor2D, logStd: tf.Tensor1D): tf.Tensor1D {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const perDim = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(logStd, 0.5 * LOG_2PI));
  return tf.sum(perDim, 1) as tf.Tensor1D;
}

export class Ppo {
  readonly options: PpoOptions;
  readonly optimizer: FlatAdam;
  obsRms: RunningMeanStd | null;
  returnRms: RunningMeanStd | null;
  globalStep = 0;
  iteration = 0;
  private random: Rng;
  private discounted: Float64Array;
  private observations: Float32Array | null = null;

  constructor(readonly policy: ActorCritic, readonly env: VectorEnv, readonly buildInput: InputBuilder,
    readonly observationSize: number, options: Partial<PpoOptions> = {}, readonly seed = 0) {
    this.options = { ...PPO_DEFAULTS, ...options };
    if (this.options.numEnvs !== env.numEnvs) throw new Error(`Ppo: options.numEnvs ${this.options.numEnvs} ≠ env.numEnvs ${env.numEnvs}`);
    this.optimizer = new FlatAdam(policy.variables, { beta1: 0.9, beta2: 0.999, epsilon: 1e-5 });
    this.obsRms = this.options.normObs ? new RunningMeanStd(policy.inputSize) : null;
    this.returnRms = this.options.normReward ? new RunningMeanStd(1) : null;
    this.random = rng(seed);
    this.discounted = new Float64Array(env.numEnvs);
  }

  private inputs(observations: Float32Array, update: boolean): Float32Array {
    const n = this.env.numEnvs;
    const raw = this.buildInput(observations, n);
    if (!this.obsRms) return raw;
    if (update) this.obsRms.update(raw, raw.length / this.policy.inputSize);
    return this.obsRms.normalize(raw, raw.length / this.policy.inputSize);
  }

  /** Values of a batch of (normalised) inputs. */
  private values(inputs: Float32Array, rows: number): Float64Array {
    const v = tf.tidy(() => this.policy.value(tf.tensor2d(inputs, [rows, this.policy.inputSize])).dataSync() as Float32Array);
    return Float64Array.from(v);
  }

  /** One iteration: collect a rollout, then update. `totalSteps` sets the learning-rate schedule. */
  iterate(totalSteps: number): IterationLog {
    const o = this.options;
    const { numEnvs: N, numSteps: T } = o;
    const D = this.policy.inputSize, A = this.policy.actionSize;
    const started = performance.now();
    if (!this.observations) this.observations = this.env.reset();
    const lr = o.annealLr ? o.learningRate * Math.max(0, 1 - this.globalStep / totalSteps) : o.learningRate;
    // Re-seeding from (seed, iteration) makes a resumed run draw the same noise as an uninterrupted one.
    this.random = rng(this.seed + 1000003 * this.iteration);

    // ---- rollout ----
    const inputs = new Float32Array(T * N * D);
    const actions = new Float32Array(T * N * A);
    const logProbs = new Float64Array(T * N);
    const rewards = new Float64Array(T * N);
    const dones = new Uint8Array(T * N);
    const values = new Float64Array(T * N);
    const finished: { return: number; length: number }[] = [];
    for (let t = 0; t < T; t++) {
      const x = this.inputs(this.observations, true);
      inputs.set(x, t * N * D);
      const { mean, std, value } = tf.tidy(() => {
        const input = tf.tensor2d(x, [N, D]);
        const dist = this.policy.distribution(input);
        return { mean: dist.mean.dataSync(), std: tf.exp(dist.logStd).dataSync(), value: this.policy.value(input).dataSync() };
      });
      const a = new Float32Array(N * A);
      for (let i = 0; i < N; i++) {
        let lp = 0;
        for (let j = 0; j < A; j++) {
          const eps = this.random.normal();
          a[i * A + j] = mean[i * A + j] + std[j] * eps;
          lp += -0.5 * eps * eps - Math.log(std[j]) - 0.5 * LOG_2PI;
        }
        logProbs[t * N + i] = lp;
        values[t * N + i] = value[i];
      }
      actions.set(a, t * N * A);
      const clipped = a.map((v) => Math.max(-1, Math.min(1, v)));
      const s = this.env.step(clipped);
      finished.push(...s.finished);
      // A time-limit truncation is not a terminal state: bootstrap its last observation's value.
      const truncatedRows: number[] = [];
      for (let i = 0; i < N; i++) if (s.truncated[i] && !s.terminated[i]) truncatedRows.push(i);
      let bootstrap: Float64Array | null = null;
      if (truncatedRows.length) {
        const finals = new Float32Array(N * this.observationSize);
        finals.set(s.finalObservations);
        const finalInputs = this.inputs(finals, false);
        bootstrap = this.values(finalInputs, N);
      }
      for (let i = 0; i < N; i++) {
        let r = s.rewards[i];
        if (this.returnRms) {
          this.discounted[i] = this.discounted[i] * o.gamma + r;
        }
        dones[t * N + i] = s.terminated[i] || s.truncated[i] ? 1 : 0;
        rewards[t * N + i] = r;
      }
      if (this.returnRms) {
        this.returnRms.update(this.discounted, N);
        const scale = Math.sqrt(this.returnRms.var[0] + 1e-8);
        for (let i = 0; i < N; i++) {
          rewards[t * N + i] = Math.max(-10, Math.min(10, rewards[t * N + i] / scale));
          if (dones[t * N + i]) this.discounted[i] = 0;
        }
      }
      if (bootstrap) for (const i of truncatedRows) rewards[t * N + i] += o.gamma * bootstrap[i];
      this.observations = s.observations;
    }
    this.globalStep += T * N;
    const lastValues = this.values(this.inputs(this.observations, false), N);
    const { advantages, returns } = computeGae(rewards, values, dones, lastValues, T, N, o.gamma, o.gaeLambda);
    const rolloutSeconds = (performance.now() - started) / 1000;

    // ---- update ----
    const batch = T * N;
    const minibatch = Math.floor(batch / o.numMinibatches);
    const order = Array.from({ length: batch }, (_, i) => i);
    let approxKl = 0, clipFraction = 0, policyLoss = 0, valueLoss = 0, entropy = 0, updates = 0;
    const take = (src: Float32Array | Float64Array, idx: number[], width: number) => {
      const out = new Float32Array(idx.length * width);
      idx.forEach((k, r) => { for (let j = 0; j < width; j++) out[r * width + j] = src[k * width + j]; });
      return out;
    };
    epochs: for (let epoch = 0; epoch < o.updateEpochs; epoch++) {
      for (let i = batch - 1; i > 0; i--) {
        const j = Math.floor(this.random.uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start + minibatch <= batch; start += minibatch) {
        const idx = order.slice(start, start + minibatch);
        const stats = tf.tidy(() => {
          const x = tf.tensor2d(take(inputs, idx, D), [minibatch, D]);
          const act = tf.tensor2d(take(actions, idx, A), [minibatch, A]);
          const oldLogProb = tf.tensor1d(take(logProbs, idx, 1));
          const oldValue = tf.tensor1d(take(values, idx, 1));
          const ret = tf.tensor1d(take(returns, idx, 1));
          let adv = tf.tensor1d(take(advantages, idx, 1));
          if (o.normAdv) {
            const m = tf.moments(adv);
            adv = tf.div(tf.sub(adv, m.mean), tf.add(tf.sqrt(m.variance), 1e-8));
          }
          let diag: tf.Tensor1D | null = null;
          const { value: loss, grads } = tf.variableGrads(() => {
            const dist = this.policy.distribution(x);
            const newLogProb = logProb(act, dist.mean, dist.logStd);
            const logRatio = tf.sub(newLogProb, oldLogProb);
            const ratio = tf.exp(logRatio);
            const pg1 = tf.mul(tf.neg(adv), ratio);
            const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - o.clipCoef, 1 + o.clipCoef));
            const pgLoss = tf.mean(tf.maximum(pg1, pg2));
            const v = this.policy.value(x);
            let vLoss: tf.Scalar;
            if (o.clipVloss) {
              const unclipped = tf.square(tf.sub(v, ret));
              const vClipped = tf.add(oldValue, tf.clipByValue(tf.sub(v, oldValue), -o.clipCoef, o.clipCoef));
              vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, tf.square(tf.sub(vClipped, ret))))) as tf.Scalar;
            } else {
              vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(v, ret)))) as tf.Scalar;
            }
            const ent = tf.sum(tf.add(dist.logStd, 0.5 + 0.5 * LOG_2PI));
            // approx-KL as in CleanRL: mean((ratio − 1) − log ratio); clip fraction: |ratio − 1| > ε.
            const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
            const cf = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), o.clipCoef), "float32"));
            diag = tf.keep(tf.stack([pgLoss, vLoss, ent, kl, cf]) as tf.Tensor1D);
            return tf.add(tf.sub(pgLoss, tf.mul(o.entCoef, ent)), tf.mul(o.vfCoef, vLoss)) as tf.Scalar;
          }, this.policy.variables);
          loss.dispose();
          this.optimizer.step(grads, lr, o.maxGradNorm);
          const d = diag!.dataSync();
          diag!.dispose();
          return Array.from(d);
        });
        policyLoss += stats[0]; valueLoss += stats[1]; entropy += stats[2]; approxKl += stats[3]; clipFraction += stats[4];
        updates++;
        if (o.targetKl !== null && stats[3] > o.targetKl) break epochs;
      }
    }
    this.iteration++;
    let ss = 0, sr = 0, mean = 0;
    for (let i = 0; i < batch; i++) mean += returns[i] / batch;
    for (let i = 0; i < batch; i++) { ss += (returns[i] - values[i]) ** 2; sr += (returns[i] - mean) ** 2; }
    const seconds = (performance.now() - started) / 1000;
    return {
      iteration: this.iteration,
      globalStep: this.globalStep,
      stepsPerSecond: batch / seconds,
      learningRate: lr,
      episodicReturn: finished.length ? finished.reduce((s, f) => s + f.return, 0) / finished.length : NaN,
      episodicLength: finished.length ? finished.reduce((s, f) => s + f.length, 0) / finished.length : NaN,
      episodes: finished.length,
      valueLoss: valueLoss / updates, policyLoss: policyLoss / updates, entropy: entropy / updates,
      approxKl: approxKl / updates, clipFraction: clipFraction / updates,
      explainedVariance: sr > 0 ? 1 - ss / sr : NaN,
      rolloutSeconds, updateSeconds: seconds - rolloutSeconds,
    };
  }

  /** Deterministic action means for evaluation (N×A), from raw environment observations. */
  actDeterministic(observations: Float32Array): Float32Array {
    const x = this.inputs(observations, false);
    const rows = x.length / this.policy.inputSize;
    return tf.tidy(() => this.policy.distribution(tf.tensor2d(x, [rows, this.policy.inputSize])).mean.dataSync() as Float32Array);
  }

  /** Counters and normalisers (weights and Adam moments are saved by the checkpoint code). */
  state(): PpoState {
    return { globalStep: this.globalStep, iteration: this.iteration, obsRms: this.obsRms?.toJSON() ?? null, returnRms: this.returnRms?.toJSON() ?? null };
  }

  restore(state: PpoState): void {
    this.globalStep = state.globalStep;
    this.iteration = state.iteration;
    this.obsRms = state.obsRms ? RunningMeanStd.fromJSON(state.obsRms) : null;
    this.returnRms = state.returnRms ? RunningMeanStd.fromJSON(state.returnRms) : null;
  }
}
