/**
 * SimSiam (Chen & He 2021, "Exploring simple Siamese representation learning", CVPR): a non-contrastive method.
 * Two augmented views (`STRONG_AUGMENTATION`), the backbone's embedding, a projector f (MLP with batch norm, the
 * output's BN without affine parameters) giving z, a bottleneck predictor h giving p; the loss
 * ½ D(p₁, sg(z₂)) + ½ D(p₂, sg(z₁)) with D the negative cosine similarity and sg the stop-gradient, which is what
 * keeps the two branches from collapsing to a constant. No negative pairs, no momentum encoder (BYOL's).
 *
 * Sizes: projector 128 → 128 → 128 (SimSiam: 2048, three layers), predictor 128 → 32 → 128 (SimSiam: 2048 → 512 →
 * 2048), Adam instead of SGD. `z_std` (the spread of the normalised z over the batch, per dimension, averaged) is
 * SimSiam's collapse check: ≈ 1/√d when healthy, 0 when collapsed.
 */
import { batchNorm } from "../../tf/batch-norm";
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import type { Backbone } from "./backbone";
import { embed, headInitializer, Objective, SourceBatch, stopGradient } from "./objective";
import { augmentedPairs, pairViews } from "./simclr";

/** Negative cosine similarity of matching rows, averaged: D(p, z) = −mean_i ⟨p_i/‖p_i‖, z_i/‖z_i‖⟩. */
export function negativeCosine(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-12));
    return tf.neg(tf.mean(tf.sum(tf.mul(unit(p), unit(z)), 1))) as tf.Scalar;
  });
}

/** SimSiam's symmetrised loss on predictions p and projections z of views 1 and 2 (z enters without gradient). */
export function simsiamLoss(p1: tf.Tensor2D, p2: tf.Tensor2D, z1: tf.Tensor2D, z2: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.add(negativeCosine(p1, stopGradient(z2)), negativeCosine(p2, stopGradient(z1))), 0.5) as tf.Scalar);
}

/** Mean over dimensions of the batch standard deviation of the l2-normalised rows (SimSiam's collapse check). */
export function normalizedStd(z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const unit = tf.div(z, tf.maximum(tf.norm(z, 2, 1, true), 1e-12));
    return tf.mean(tf.sqrt(tf.moments(unit, 0).variance)) as tf.Scalar;
  });
}

function projector(d: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [d] });
  let h = input as tf.SymbolicTensor;
  for (let i = 0; i < 2; i++) {
    h = tf.layers.dense({ name: `projector_dense${i + 1}`, units: d, useBias: false, kernelInitializer: headInitializer(seed, i) }).apply(h) as tf.SymbolicTensor;
    // The output BN has no affine parameters: it keeps γ = 1, β = 0 by not training them.
    h = batchNorm({ name: `projector_bn${i + 1}`, momentum: 0.9, trainable: i === 0 }).apply(h) as tf.SymbolicTensor;
    if (i === 0) h = tf.layers.reLU({ name: "projector_relu1" }).apply(h) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: h, name: "projector" });
}

function predictor(d: number, bottleneck: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [d] });
  let h = tf.layers.dense({ name: "predictor_dense1", units: bottleneck, useBias: false, kernelInitializer: headInitializer(seed, 10) }).apply(input) as tf.SymbolicTensor;
  h = batchNorm({ name: "predictor_bn1", momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU({ name: "predictor_relu1" }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: "predictor_dense2", units: d, kernelInitializer: headInitializer(seed, 11) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name: "predictor" });
}

export function simsiamObjective(backbone: Backbone, seed: number): Objective {
  const d = backbone.embeddingSize;
  const f = projector(d, seed), h = predictor(d, Math.max(8, d / 4), seed);
  return {
    name: "simsiam",
    heads: { projector: f, predictor: h },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const n = batch.images.shape[0];
      // Each view's batch statistics are its own, as when SimSiam runs the two views through the network separately.
      const x = augmentedPairs(backbone, batch, r, noiseSeed);
      const [z1, z2] = [0, 1].map((v) => f.apply(embed(backbone, tf.slice(x, [v * n, 0, 0, 0], [n, -1, -1, -1])), { training: true }) as tf.Tensor2D);
      const [p1, p2] = [z1, z2].map((z) => h.apply(z, { training: true }) as tf.Tensor2D);
      return { loss: simsiamLoss(p1, p2, z1, z2), metrics: { z_std: normalizedStd(z1) } };
    },
    views: pairViews(backbone),
    dispose: () => { f.dispose(); h.dispose(); },
  };
}
