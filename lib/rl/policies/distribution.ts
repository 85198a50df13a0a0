/**
 * The diagonal Gaussian action distribution of every Ant policy (state-dependent mean, state-independent
 * log standard deviation, as CleanRL's PPO): its log-density, entropy and sampling, in one place, so that
 * the rollout's log-probabilities and the PPO loss use the same formula (`sampleRows` is that formula in
 * JavaScript, for the rollout: it needs only the means from TensorFlow, which saves its per-step kernel calls).
 */
import { tf } from "../../tf";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface DiagGaussian {
  /** N × A */
  mean: tf.Tensor2D;
  /** A */
  logStd: tf.Tensor1D;
}

/** log π(a) summed over action dimensions (N). */
export function logProb(d: DiagGaussian, actions: tf.Tensor2D): tf.Tensor1D {
  const z = tf.div(tf.sub(actions, d.mean), tf.exp(d.logStd));
  return tf.sum(tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(d.logStd, HALF_LOG_2PI)), 1) as tf.Tensor1D;
}

/** Entropy of one action distribution (the same for every state): Σ (log σ + ½ log 2πe). */
export function entropy(d: DiagGaussian): tf.Scalar {
  return tf.sum(tf.add(d.logStd, 0.5 + HALF_LOG_2PI));
}

/** The geometric-mean σ of a diagonal Gaussian over `dims` actions with entropy H (the inverse of `entropy`). */
export function stdFromEntropy(h: number, dims: number): number {
  return Math.exp(h / dims - 0.5 - HALF_LOG_2PI);
}

/** mean + σ·ε for standard-normal noise ε (N × A, drawn by the caller's seeded generator). */
export function sample(d: DiagGaussian, noise: tf.Tensor2D): tf.Tensor2D {
  return tf.add(d.mean, tf.mul(tf.exp(d.logStd), noise));
}

/**
 * The rollout's sampling in JavaScript, the same formulas as `sample` and `logProb`: actions a = μ + σ·ε and their
 * log π(a) = Σ_j (−½ ε_j² − log σ_j − ½ log 2π), for N rows of A actions (means row-major, noise drawn by the caller).
 */
export function sampleRows(mean: Float32Array, logStd: Float32Array, noise: Float32Array, actionSize: number): { actions: Float32Array; logProbs: Float64Array } {
  const n = mean.length / actionSize;
  if (!Number.isInteger(n) || noise.length !== mean.length || logStd.length !== actionSize) {
    throw new Error(`sampleRows: means (${mean.length}), noise (${noise.length}) and log std (${logStd.length}) do not fit rows of ${actionSize} actions`);
  }
  const std = Float64Array.from(logStd, Math.exp);
  let constant = 0;
  for (let j = 0; j < actionSize; j++) constant -= logStd[j] + HALF_LOG_2PI;
  const actions = new Float32Array(mean.length);
  const logProbs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lp = constant;
    for (let j = 0; j < actionSize; j++) {
      const k = i * actionSize + j;
      actions[k] = mean[k] + std[j] * noise[k];
      // The float32 action's own ε, as logProb recomputes it from the stored action in the update.
      const z = (actions[k] - mean[k]) / std[j];
      lp -= 0.5 * z * z;
    }
    logProbs[i] = lp;
  }
  return { actions, logProbs };
}
