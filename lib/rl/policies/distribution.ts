/**
 * The diagonal Gaussian action distribution of every Ant policy (state-dependent mean, state-independent
 * log standard deviation, as CleanRL's PPO): its log-density, entropy and sampling, in one place, so that
 * the rollout's log-probabilities and the PPO loss use the same formula.
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
