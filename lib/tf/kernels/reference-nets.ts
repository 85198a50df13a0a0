/**
 * The two reference training problems used by scripts/bench.ts (timing, and the PyTorch comparison
 * in scripts/bench_pytorch.py, which builds the same nets) and by test/wasm-gradients.test.ts
 * (no leaks, loss falls):
 *
 * - conv net: batch of 64×64×1 images; conv 5×5 stride 2 → 32, conv 3×3/2 → 64, conv 3×3/2 → 128
 *   (each 'same' padding, bias, ReLU — fused conv as tf.layers.conv2d does it; the first through the kit's
 *   `inputConv2d`, which skips the gradient of the input images as PyTorch does), global average pool,
 *   dense → 8 logits, softmax cross-entropy, Adam. The images are oriented stripe patterns plus noise
 *   (standard deviation 1),
 *   the class is the orientation (8 classes), so the loss can fall from ln 8 ≈ 2.08.
 * - MLP: 28 → 256 → 256 → 8 with tanh hidden units, batch 256, mean squared error to a fixed smooth
 *   target, Adam.
 *
 * Each is a fixed batch trained step by step with `tf.train.adam` on raw ops (no tf.layers), so the
 * per-step time is the kernels' time plus tfjs's op overhead.
 */
import * as tf from "@tensorflow/tfjs";
import { inputConv2d } from "../input-conv";

export interface TrainingProblem {
  /** One optimiser step on the fixed batch; returns the loss before the update. */
  step(): number;
  /** Free the variables, data and optimiser state. */
  dispose(): void;
}

/** A variable initialised from `init` (the initial tensor is freed: tf.variable keeps its own reference). */
function variable(init: () => tf.Tensor): tf.Variable {
  const t = init();
  const v = tf.variable(t);
  t.dispose();
  return v;
}

function glorot(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable {
  return variable(() => tf.randomNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)), "float32", seed));
}

const zeros = (n: number) => variable(() => tf.zeros([n]));

/** Oriented stripes: class c has stripes at angle c·π/8 (frequency 6 per image width), plus noise. */
function stripeImages(batch: number, size: number, seed: number): { x: tf.Tensor4D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const classes = Array.from({ length: batch }, (_, i) => i % 8);
    const coords = tf.range(0, size).div(size);
    const yy = coords.reshape([1, size, 1]);
    const xx = coords.reshape([1, 1, size]);
    const theta = tf.tensor1d(classes.map((c) => (c * Math.PI) / 8)).reshape([batch, 1, 1]);
    const phase = xx.mul(tf.cos(theta)).add(yy.mul(tf.sin(theta))).mul(2 * Math.PI * 6);
    const noise = tf.randomNormal([batch, size, size], 0, 1, "float32", seed);
    const x = tf.sin(phase).add(noise).reshape([batch, size, size, 1]) as tf.Tensor4D;
    const labels = tf.oneHot(tf.tensor1d(classes, "int32"), 8).toFloat() as tf.Tensor2D;
    return { x, labels };
  });
}

export function makeConvProblem(options: { batch?: number; learningRate?: number; seed?: number } = {}): TrainingProblem {
  const batch = options.batch ?? 64, seed = options.seed ?? 1;
  const { x, labels } = stripeImages(batch, 64, seed);
  const w1 = glorot([5, 5, 1, 32], 25, 25 * 32, seed + 1), b1 = zeros(32);
  const w2 = glorot([3, 3, 32, 64], 9 * 32, 9 * 64, seed + 2), b2 = zeros(64);
  const w3 = glorot([3, 3, 64, 128], 9 * 64, 9 * 128, seed + 3), b3 = zeros(128);
  const w4 = glorot([128, 8], 128, 8, seed + 4), b4 = zeros(8);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const conv = (h: tf.Tensor4D, w: tf.Variable, b: tf.Variable) =>
    tf.fused.conv2d({ x: h, filter: w as tf.Tensor4D, strides: 2, pad: "same", bias: b, activation: "relu" });
  const loss = () => {
    const first = inputConv2d({ x, filter: w1 as tf.Tensor4D, strides: 2, pad: "same", bias: b1 as tf.Tensor1D, activation: "relu" });
    const h = conv(conv(first, w2, b2), w3, b3);
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.fused.matMul({ a: pooled, b: w4 as tf.Tensor2D, bias: b4 });
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  return adamProblem(loss, optimizer, [x, labels, w1, b1, w2, b2, w3, b3, w4, b4]);
}

/** A training problem: each step is one Adam step on `loss`; dispose frees the optimizer and `owned`. */
function adamProblem(loss: () => tf.Scalar, optimizer: tf.Optimizer, owned: tf.Tensor[]): TrainingProblem {
  return {
    step() {
      const l = optimizer.minimize(loss, true);
      const v = l ? l.dataSync()[0] : NaN;
      l?.dispose();
      return v;
    },
    dispose() {
      optimizer.dispose();
      tf.dispose(owned);
    },
  };
}

export function makeMlpProblem(options: { batch?: number; learningRate?: number; seed?: number } = {}): TrainingProblem {
  const batch = options.batch ?? 256, seed = options.seed ?? 2;
  const x = tf.randomNormal([batch, 28], 0, 1, "float32", seed);
  const target = tf.tidy(() => tf.sin(tf.matMul(x, tf.randomNormal([28, 8], 0, 0.3, "float32", seed + 1))));
  const w1 = glorot([28, 256], 28, 256, seed + 2), b1 = zeros(256);
  const w2 = glorot([256, 256], 256, 256, seed + 3), b2 = zeros(256);
  const w3 = glorot([256, 8], 256, 8, seed + 4), b3 = zeros(8);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const dense = (h: tf.Tensor2D, w: tf.Variable, b: tf.Variable) => tf.fused.matMul({ a: h, b: w as tf.Tensor2D, bias: b });
  const loss = () => {
    const h1 = tf.tanh(dense(x as tf.Tensor2D, w1, b1)) as tf.Tensor2D;
    const h2 = tf.tanh(dense(h1, w2, b2)) as tf.Tensor2D;
    return tf.losses.meanSquaredError(target, dense(h2, w3, b3)) as tf.Scalar;
  };
  return adamProblem(loss, optimizer, [x, target, w1, b1, w2, b2, w3, b3]);
}
