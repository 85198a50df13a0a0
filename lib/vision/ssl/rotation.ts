/**
 * Rotation prediction (Gidaris, Singh & Komodakis 2018, "Unsupervised representation learning by predicting image
 * rotations", ICLR): each image is turned by 0°, 90°, 180° or 270° and the network names the rotation (4-way
 * softmax on an MLP head). Gidaris et al. feed all four rotations of every image; under our budget of two inputs
 * per source image each image gets two different rotations (drawn at random), after a crop-and-flip view.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { MILD_AUGMENTATION, normalizeImages, twoViews } from "./augment";
import type { Backbone } from "./backbone";
import { accuracy, crossEntropy, embed, mlpHead, Objective, SourceBatch } from "./objective";

/** The rotation classes: quarter turns counter-clockwise. */
export const ROTATIONS_DEGREES = [0, 90, 180, 270] as const;

/** Rotate each image (n × H × W × c, square) counter-clockwise by `quarterTurns[i]` × 90°. */
export function rotateQuarterTurns(images: tf.Tensor4D, quarterTurns: readonly number[]): tf.Tensor4D {
  const n = images.shape[0];
  if (quarterTurns.length !== n) throw new Error(`rotateQuarterTurns: ${quarterTurns.length} rotations for ${n} images`);
  if (images.shape[1] !== images.shape[2]) throw new Error(`rotateQuarterTurns: images must be square, got ${images.shape[1]}×${images.shape[2]}`);
  quarterTurns.forEach((k) => { if (!(Number.isInteger(k) && k >= 0 && k < 4)) throw new Error(`rotateQuarterTurns: quarter turns must be 0–3, got ${k}`); });
  return tf.tidy(() => {
    // out[i][j] of a 90° turn is in[j][W−1−i]: transpose, then reverse the rows.
    const t = tf.transpose(images, [0, 2, 1, 3]);
    const all = tf.concat([images, tf.reverse(t, 1), tf.reverse(images, [1, 2]), tf.reverse(t, 2)]);
    return tf.gather(all, tf.tensor1d(quarterTurns.map((k, i) => k * n + i), "int32")) as tf.Tensor4D;
  });
}

/** Two different rotation labels per image (first view, second view), uniformly over the 12 ordered pairs. */
export function rotationLabels(n: number, r: Rng): [number[], number[]] {
  const a = Array.from({ length: n }, () => r.int(4));
  const b = a.map((k) => (k + 1 + r.int(3)) % 4);
  return [a, b];
}

/** Two crop-and-flip views of each image, turned by two different rotations (rows i and i + n: image i). */
export function rotatedViews(images: tf.Tensor4D, r: Rng, noiseSeed: number, size: number): { inputs: tf.Tensor4D; turns: number[] } {
  const [first, second] = rotationLabels(images.shape[0], r);
  const turns = [...first, ...second];
  return { inputs: tf.tidy(() => rotateQuarterTurns(twoViews(images, MILD_AUGMENTATION, r, noiseSeed, size), turns)), turns };
}

export function rotationObjective(backbone: Backbone, seed: number): Objective {
  const head = mlpHead("rotation", backbone.embeddingSize, [backbone.embeddingSize, ROTATIONS_DEGREES.length], seed);
  return {
    name: "rotation",
    heads: { rotation: head },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const { inputs, turns } = rotatedViews(batch.images, r, noiseSeed, backbone.spec.inputSize);
      const logits = head.apply(embed(backbone, normalizeImages(inputs))) as tf.Tensor2D;
      return { loss: crossEntropy(logits, turns), metrics: { accuracy: accuracy(logits, turns) } };
    },
    views(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const { inputs, turns } = rotatedViews(batch.images, r, noiseSeed, backbone.spec.inputSize);
      return { inputs, labels: turns.map((k) => `${ROTATIONS_DEGREES[k]}°`) };
    },
    dispose: () => head.dispose(),
  };
}
