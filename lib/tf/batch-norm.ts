/**
 * Batch normalisation (Ioffe & Szegedy 2015) as a tf.layers layer with the closed-form training gradient.
 *
 * tfjs's `tf.layers.batchNormalization` computes the batch moments with `tf.moments` and normalises with
 * `tf.batchNorm`, and autodiff then differentiates both pieces: ~440 small kernels per SimCLR step for the
 * backbone's 13 batch norms, most of the gap to PyTorch. This layer is the same computation (same weights in the
 * same order — γ, β, moving mean, moving variance — so checkpoints of either load into the other; same moving
 * averages of the biased batch variance) with one custom gradient per call, the textbook one (Ioffe & Szegedy,
 * section 3): with x̂ = (x − μ)/√(σ² + ε) over the N values of a channel,
 *
 *   ∂L/∂β = Σ dy,   ∂L/∂γ = Σ dy·x̂,   ∂L/∂x = γ/(N√(σ² + ε)) · (N·dy − ∂L/∂β − x̂·∂L/∂γ).
 *
 * On the native TensorFlow backend both directions are single TensorFlow kernels (FusedBatchNormV3 and
 * FusedBatchNormGradV3, is_training = true) for 4-d NHWC inputs; elsewhere a handful of tfjs ops. Normalises over
 * every axis but the last (channels last: dense n×c and conv n×h×w×c inputs).
 */
import * as tf from "@tensorflow/tfjs";

export interface BatchNormArgs {
  name: string;
  /** Moving averages: new = momentum·old + (1 − momentum)·batch. Default 0.99 (tfjs's). */
  momentum?: number;
  /** Added to the variance. Default 1e-3 (tfjs's). */
  epsilon?: number;
  /** false: γ and β stay at 1 and 0 (an affine-free BN, as SimSiam's projector output). Default true. */
  trainable?: boolean;
}

interface NativeBackend {
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
  binding: { TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number };
}

/** Attributes of the native FusedBatchNormGradV3 op (FusedBatchNormV3 takes one more), or null when the backend is not tfjs-node. */
function nativeAttrs(epsilon: number): unknown[] | null {
  if (tf.getBackend() !== "tensorflow") return null;
  const backend = tf.backend() as unknown as NativeBackend;
  const { createTensorsTypeOpAttr } = require("tfjs-node-native/dist/nodejs_kernel_backend") as {
    createTensorsTypeOpAttr(name: string, dtype: tf.DataType): unknown;
  };
  const b = backend.binding;
  return [
    createTensorsTypeOpAttr("T", "float32"),
    createTensorsTypeOpAttr("U", "float32"),
    { name: "epsilon", type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: "data_format", type: b.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: b.TF_ATTR_BOOL, value: true },
  ];
}

export interface BatchNormTraining {
  /** γ·x̂ + β, differentiable in x, γ and β. */
  y: tf.Tensor;
  /** The batch mean and biased variance per channel (for the moving averages; not differentiable). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch normalisation in training mode over every axis but the last: the output with its closed-form gradient,
 * and the batch statistics. `native`: use TensorFlow's fused kernels when the backend is tfjs-node (default true;
 * false forces the tfjs-op version, for tests).
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, native = true): BatchNormTraining {
  const channels = x.shape[x.rank - 1];
  if (x.rank !== 2 && x.rank !== 4) throw new Error(`batchNormTraining: expected a 2-d (n×c) or 4-d (n×h×w×c) input, got shape [${x.shape}]`);
  if (gamma.size !== channels || beta.size !== channels) {
    throw new Error(`batchNormTraining: γ and β need ${channels} values (the input's last axis), got ${gamma.size} and ${beta.size}`);
  }
  const n = x.size / channels;
  if (n < 2) throw new Error(`batchNormTraining: needs at least 2 values per channel to normalise, got ${n} (input shape [${x.shape}])`);
  const attrs = native ? nativeAttrs(epsilon) : null;
  const forwardAttrs = attrs && [...attrs, { name: "exponential_avg_factor", type: (tf.backend() as unknown as NativeBackend).binding.TF_ATTR_FLOAT, value: 1 }];
  let mean!: tf.Tensor1D, variance!: tf.Tensor1D;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    if (attrs) {
      const backend = tf.backend() as unknown as NativeBackend;
      const x4 = xIn.rank === 4 ? xIn : tf.reshape(xIn, [xIn.shape[0], 1, 1, channels]);
      const [y, batchMean, unbiased, r1, r2, r3] = backend.executeMultipleOutputs(
        "FusedBatchNormV3", forwardAttrs!, [x4, g, b, tf.tensor1d([]), tf.tensor1d([])], 6);
      mean = tf.keep(batchMean as tf.Tensor1D);
      variance = tf.keep(tf.mul(unbiased, (n - 1) / n) as tf.Tensor1D); // TensorFlow reports Bessel's correction; tfjs averages the biased one
      save([x4, g, r1, r2, r3]);
      return {
        value: xIn.rank === 4 ? y : tf.reshape(y, xIn.shape),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xs, gs, s1, s2, s3] = saved;
          const d = dy as tf.Tensor;
          const [dx, dg, db] = backend.executeMultipleOutputs(
            "FusedBatchNormGradV3", attrs, [d.rank === 4 ? d : tf.reshape(d, xs.shape), xs, gs, s1, s2, s3], 5);
          return [xIn.rank === 4 ? dx : tf.reshape(dx, xIn.shape), dg, db];
        },
      };
    }
    const axes = xIn.rank === 4 ? [0, 1, 2] : [0];
    const moments = tf.moments(xIn, axes);
    mean = tf.keep(moments.mean as tf.Tensor1D);
    variance = tf.keep(moments.variance as tf.Tensor1D);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xIn, mean), inv);
    save([xhat, g, inv]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xh, gs, invs] = saved;
        const d = dy as tf.Tensor;
        const dBeta = tf.sum(d, axes);
        const dGamma = tf.sum(tf.mul(d, xh), axes);
        const centred = tf.sub(tf.sub(tf.mul(d, n), dBeta), tf.mul(xh, dGamma));
        const dx = tf.mul(centred, tf.mul(gs, tf.div(invs, n)));
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  // The forward pass runs in its own tidy scope: the statistics were kept out of it; hand the caller's scope a
  // reference to each and drop ours.
  const stats = [mean, variance].map((t) => { const c = t.clone(); t.dispose(); return c as tf.Tensor1D; });
  return { y, mean: stats[0], variance: stats[1] };
}

/** The layer: tfjs's BatchNormalization's weights and inference, `batchNormTraining` when called with training. */
export class BatchNorm extends tf.layers.Layer {
  static className = "KitBatchNorm";
  readonly momentum: number;
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: BatchNormArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`BatchNorm ${args.name}: momentum must be in [0, 1), got ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new Error(`BatchNorm ${args.name}: epsilon must be positive, got ${this.epsilon}`);
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`BatchNorm ${this.name}: the input's last axis (channels) must be known, got shape [${shape}]`);
    this.gamma = this.addWeight("gamma", [channels], "float32", tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight("beta", [channels], "float32", tf.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight("moving_mean", [channels], "float32", tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [channels], "float32", tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma.read() as tf.Tensor1D, beta = this.beta.read() as tf.Tensor1D;
      if (!kwargs?.training) return tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.epsilon);
      for (const [average, batch] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        const old = average.read();
        average.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
      }
      return y;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);

/** A batch-norm layer (the kit's, see the header). */
export function batchNorm(args: BatchNormArgs): BatchNorm {
  return new BatchNorm(args);
}
