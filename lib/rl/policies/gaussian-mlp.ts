/**
 * Gaussian MLP actor-critic (the "Simple" policy of RMA/DMAP, and the trunk CleanRL's PPO uses): separate
 * actor and critic MLPs (tanh, 64-64 by default), a state-independent log standard deviation, orthogonal
 * initialisation (gain √2; 0.01 for the action mean, 1 for the value head).
 */
import { tf } from "../../tf";
import { rng } from "../../util/random";
import type { DiagGaussian } from "./distribution";

/** What PPO trains: an actor (a diagonal Gaussian over actions) and a critic, both reading input rows (lib/rl/policies/inputs.ts). */
export interface ActorCritic {
  readonly kind: string;
  readonly inputSize: number;
  readonly actionSize: number;
  /** Mean (N×A) and log std (A) of the action distribution. Call inside tf.tidy. */
  distribution(input: tf.Tensor2D): DiagGaussian;
  /** State value (N). Call inside tf.tidy. */
  value(input: tf.Tensor2D): tf.Tensor1D;
  /** Every trainable variable, with stable names (for checkpoints). */
  readonly variables: tf.Variable[];
  dispose(): void;
}

export interface MlpOptions {
  hidden?: number[];
  seed?: number;
  /** Initial log std of the actions (default 0: std 1, as CleanRL). */
  initialLogStd?: number;
}

export interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

/** A trainable variable holding `initial` (which it takes over: the initial tensor is disposed). */
export function weight(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

/**
 * A random (inputs × units) matrix with orthonormal columns (or rows, if fewer), times `gain`: Gram–Schmidt
 * on seeded Gaussian vectors (tfjs's own orthogonal initializer warns and slows down above 2,000 entries).
 */
export function orthogonalMatrix(inputs: number, units: number, gain: number, seed: number): Float32Array {
  const r = rng(seed);
  const [n, m] = inputs >= units ? [units, inputs] : [inputs, units]; // n orthonormal vectors of length m
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = Float64Array.from({ length: m }, () => r.normal());
    for (const u of vs) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += u[i] * v[i];
      for (let i = 0; i < m; i++) v[i] -= dot * u[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < m; i++) v[i] /= norm;
    vs.push(v);
  }
  const out = new Float32Array(inputs * units);
  for (let a = 0; a < inputs; a++) {
    for (let b = 0; b < units; b++) out[a * units + b] = gain * (inputs >= units ? vs[b][a] : vs[a][b]);
  }
  return out;
}

export function dense(name: string, inputs: number, units: number, gain: number, seed: number): Dense {
  return {
    w: weight(tf.tensor2d(orthogonalMatrix(inputs, units, gain, seed), [inputs, units]), `${name}/kernel`),
    b: weight(tf.zeros([units]), `${name}/bias`),
  };
}

/** Dense layers with tanh between them and a linear last layer. */
export function mlp(x: tf.Tensor2D, layers: Dense[]): tf.Tensor2D {
  let h = x;
  layers.forEach((l, i) => {
    const z = tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D;
    h = i < layers.length - 1 ? tf.tanh(z) : z;
  });
  return h;
}

let layerStacks = 0;

/**
 * An MLP's layers, inputs → hidden… → outputs: orthogonal weights (gain √2 for hidden layers, `lastGain` for the
 * output layer), zero biases; variable names prefixed `<prefix><n>/` with n unique in the process (tfjs needs
 * unique variable names).
 */
export function denseStack(prefix: string, inputs: number, hidden: number[], outputs: number, lastGain: number, seedBase: number): Dense[] {
  const id = layerStacks++;
  const sizes = [inputs, ...hidden];
  return [
    ...hidden.map((h, i) => dense(`${prefix}${id}/l${i}`, sizes[i], h, Math.SQRT2, seedBase + i)),
    dense(`${prefix}${id}/out`, sizes[sizes.length - 1], outputs, lastGain, seedBase + hidden.length),
  ];
}

export class GaussianMlp implements ActorCritic {
  readonly kind = "mlp";
  private readonly actor: Dense[];
  private readonly critic: Dense[];
  private readonly logStd: tf.Variable;

  constructor(readonly inputSize: number, readonly actionSize: number, options: MlpOptions = {}) {
    const hidden = options.hidden ?? [64, 64];
    const seed = options.seed ?? 0;
    this.actor = denseStack("actor", inputSize, hidden, actionSize, 0.01, seed * 100 + 1);
    this.critic = denseStack("critic", inputSize, hidden, 1, 1, seed * 100 + 50);
    this.logStd = weight(tf.fill([actionSize], options.initialLogStd ?? 0), `${this.actor[0].w.name.split("/")[0]}/log_std`);
  }

  distribution(input: tf.Tensor2D): DiagGaussian {
    return { mean: mlp(input, this.actor), logStd: this.logStd as tf.Tensor1D };
  }

  value(input: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(mlp(input, this.critic), [-1]) as tf.Tensor1D;
  }

  get variables(): tf.Variable[] {
    return [...this.actor.flatMap((l) => [l.w, l.b]), this.logStd, ...this.critic.flatMap((l) => [l.w, l.b])];
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
