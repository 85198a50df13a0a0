/**
 * SimCLR (Chen, Kornblith, Norouzi & Hinton 2020, "A simple framework for contrastive learning of visual
 * representations", ICML): two augmented views of each image (`STRONG_AUGMENTATION`), the backbone's embedding h,
 * a projection MLP g (h → ReLU → z), and the NT-Xent (InfoNCE) loss: each view must pick its partner among the
 * other 2N − 1 views of the batch by cosine similarity over a temperature τ. Contrastive instance discrimination is
 * the family Zhuang et al. 2021 found as brain-like as supervised training.
 *
 * Sizes: 128 pairs per step (SimCLR: 256–8192), τ = 0.5 (SimCLR's setting for CIFAR-10, Appendix B.9), a 128 → 128
 * → 64 projection (SimCLR: 2048 → 2048 → 128), Adam instead of LARS.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { normalizeImages, STRONG_AUGMENTATION, twoViews } from "./augment";
import type { Backbone } from "./backbone";
import { embed, mlpHead, Objective, SourceBatch } from "./objective";

export const SIMCLR_TEMPERATURE = 0.5;
export const SIMCLR_PROJECTION = [128, 64] as const;

/**
 * NT-Xent over 2N embeddings whose rows i and i + N are the two views of one image:
 * ℓ(i) = −log( exp(s(i, p(i))/τ) / Σ_{k≠i} exp(s(i, k)/τ) ), s the cosine similarity, p(i) the partner of i;
 * the loss is the mean of ℓ over all 2N rows.
 */
export function infoNCE(z: tf.Tensor2D, temperature = SIMCLR_TEMPERATURE): tf.Scalar {
  const rows = z.shape[0];
  if (rows % 2 !== 0 || rows < 2) throw new Error(`infoNCE: need an even number (≥ 2) of embeddings, pairs i and i + N; got ${rows}`);
  if (!(temperature > 0)) throw new Error(`infoNCE: temperature must be positive, got ${temperature}`);
  const n = rows / 2;
  return tf.tidy(() => {
    const unit = tf.div(z, tf.maximum(tf.norm(z, 2, 1, true), 1e-12));
    const logits = tf.div(tf.matMul(unit, unit, false, true), temperature);
    // A view is not its own candidate: push the diagonal to −∞ (a large finite value keeps gradients finite).
    const masked = tf.sub(logits, tf.mul(tf.eye(rows), 1e9));
    const partner = Array.from({ length: rows }, (_, i) => (i < n ? i + n : i - n));
    const target = tf.oneHot(tf.tensor1d(partner, "int32"), rows);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(masked, 1)), 1))) as tf.Scalar;
  });
}

/** Fraction of views whose most similar other view is their partner (top-1 of the contrastive task). */
export function contrastiveAccuracy(z: tf.Tensor2D): tf.Scalar {
  const rows = z.shape[0], n = rows / 2;
  return tf.tidy(() => {
    const unit = tf.div(z, tf.maximum(tf.norm(z, 2, 1, true), 1e-12));
    const sim = tf.sub(tf.matMul(unit, unit, false, true), tf.mul(tf.eye(rows), 1e9));
    const partner = tf.tensor1d(Array.from({ length: rows }, (_, i) => (i < n ? i + n : i - n)), "int32");
    return tf.mean(tf.equal(tf.argMax(sim, 1), partner).toFloat()) as tf.Scalar;
  });
}

/** Two strongly augmented views of each image, stacked (rows i and i + n: image i), as the backbone's input. */
export function augmentedPairs(backbone: Backbone, batch: SourceBatch, r: Rng, noiseSeed: number): tf.Tensor4D {
  return tf.tidy(() => normalizeImages(twoViews(batch.images, STRONG_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize)));
}

/** The views of the contrastive and non-contrastive objectives, to show (values in [0, 1]). */
export function pairViews(backbone: Backbone): (batch: SourceBatch, r: Rng, noiseSeed: number) => { inputs: tf.Tensor4D } {
  return (batch, r, noiseSeed) => ({ inputs: twoViews(batch.images, STRONG_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize) });
}

export function simclrObjective(backbone: Backbone, seed: number): Objective {
  const projection = mlpHead("projection", backbone.embeddingSize, SIMCLR_PROJECTION, seed);
  return {
    name: "simclr",
    heads: { projection },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const z = projection.apply(embed(backbone, augmentedPairs(backbone, batch, r, noiseSeed))) as tf.Tensor2D;
      return { loss: infoNCE(z), metrics: { accuracy: contrastiveAccuracy(z) } };
    },
    views: pairViews(backbone),
    dispose: () => projection.dispose(),
  };
}
