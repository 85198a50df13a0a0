/**
 * What every training objective of notebook 02 provides, so that one training loop (lib/vision/ssl/train.ts)
 * trains the shared backbone with any of them under the same budget: each step gets the same batch of source images
 * and turns it into `VIEWS_PER_IMAGE` backbone inputs (two augmented views, two rotations, two patches…), so every
 * objective sees the same images and runs the backbone on as many inputs per step.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import type { Backbone } from "./backbone";
import type { NamedArray } from "../../tf/checkpoint-format";

/** Backbone inputs per source image in every objective's step. */
export const VIEWS_PER_IMAGE = 2;

/** One step's data: source images (n × 64 × 64 × 1, values in [0, 1]) and their category indices. */
export interface SourceBatch {
  images: tf.Tensor4D;
  /** Category index per image (CATEGORIES order); only the supervised objective reads them. */
  labels: Int32Array;
  /** Each image's index in its pool (the memory-bank objectives keep one entry per pool image). */
  indices?: Int32Array;
}

/** Where the training loop is before a step: which pool (all its images, n × 64 × 64 × 1 in [0, 1]) and which pass over it. */
export interface PoolContext {
  pool: number;
  pass: number;
  images: tf.Tensor4D;
}

/** The backbone inputs an objective makes from a batch (values in [0, 1]) and, for pretext tasks, what each one's label is. */
export interface ObjectiveViews {
  /** 2n inputs: rows i and i + n come from source image i. */
  inputs: tf.Tensor4D;
  /** Per input, the answer the objective asks for (pretext and supervised objectives), readable. */
  labels?: string[];
}

/** A step's loss and diagnostics (scalars; the caller reads and disposes the diagnostics). */
export interface ObjectiveOutput {
  loss: tf.Scalar;
  /** e.g. pretext accuracy, or the spread of normalised embeddings (collapse check). */
  metrics: Record<string, tf.Scalar>;
}

export interface Objective {
  readonly name: string;
  /** Trainable heads, by name (saved in checkpoints beside the backbone as `head-<name>/…`). */
  readonly heads: Readonly<Record<string, tf.LayersModel>>;
  /**
   * The loss of one step on a batch, with the backbone in training mode (batch statistics). Random choices
   * (views, rotations, patches) come from `r`; `noiseSeed` seeds tf noise. Called inside `optimizer.minimize`.
   */
  step(batch: SourceBatch, r: Rng, noiseSeed: number): ObjectiveOutput;
  /** The inputs (and labels) `step` makes from a batch with the same random draws: what the objective asks, to show. */
  views(batch: SourceBatch, r: Rng, noiseSeed: number): ObjectiveViews;
  /**
   * Networks the objective keeps but does not train by gradient (BYOL's target), by name: saved in checkpoints as
   * `target-<name>/…`, updated by `afterStep`.
   */
  readonly targets?: Readonly<Record<string, tf.LayersModel>>;
  /** Called after each optimizer step (BYOL: the target's moving average of the online weights; the memory bank's update). */
  afterStep?(): void;
  /** Called before each step, outside the gradient (the memory-bank objectives: fill the bank when a pool begins, re-cluster each pass). */
  beforeStep?(context: PoolContext): void;
  /** Arrays the objective keeps between steps besides its networks (a memory bank), saved in checkpoints as `state/…`. */
  saveState?(): NamedArray[];
  /** Restore what `saveState` saved (names without the `state/` prefix). */
  restoreState?(arrays: Map<string, NamedArray>): void;
  dispose(): void;
}

/** Seeded He-normal initializer for head layers (seed ≥ 1: tfjs reads 0 as "no seed"). */
export function headInitializer(seed: number, k: number): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: 1_000_000 + seed * 1000 + k });
}

/** A dense stack (ReLU between layers, linear output) on an input of `inputSize` features. */
export function mlpHead(name: string, inputSize: number, units: readonly number[], seed: number, k0 = 0): tf.LayersModel {
  const input = tf.input({ shape: [inputSize] });
  let h = input as tf.SymbolicTensor;
  units.forEach((u, i) => {
    h = tf.layers.dense({
      name: `${name}_dense${i + 1}`, units: u, activation: i < units.length - 1 ? "relu" : "linear", kernelInitializer: headInitializer(seed, k0 + i),
    }).apply(h) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: input, outputs: h, name });
}

/** The backbone's embedding of a batch in training mode (batch statistics; moving averages updated). */
export function embed(backbone: Backbone, x: tf.Tensor4D): tf.Tensor2D {
  return backbone.net.apply(x, { training: true }) as tf.Tensor2D;
}

/** Mean softmax cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: Int32Array | number[]): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(Array.from(labels), "int32"), logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  });
}

/** Fraction of rows whose arg-max is the label. */
export function accuracy(logits: tf.Tensor2D, labels: Int32Array | number[]): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.equal(tf.argMax(logits, 1), tf.tensor1d(Array.from(labels), "int32")).toFloat()) as tf.Scalar);
}

/** Identity forward, zero gradient backward (tfjs has no stop_gradient op). */
export const stopGradient = <T extends tf.Tensor>(x: T): T =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: (args[0] as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }))(x) as T;
