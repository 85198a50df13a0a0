/**
 * BYOL (Grill et al. 2020, "Bootstrap your own latent: a new approach to self-supervised learning", NeurIPS): a
 * non-contrastive method with a momentum target. Two augmented views (`STRONG_AUGMENTATION`); the online network
 * (backbone, projector g, predictor q) predicts the target network's projection of the other view; the target
 * (a copy of backbone and projector) is not trained by gradient but follows the online weights as an exponential
 * moving average, ξ ← τ·ξ + (1 − τ)·θ after every step. Loss per pair: ‖q̄(z₁) − z̄′₂‖² = 2 − 2·cos, symmetrised
 * (mean over the two directions).
 *
 * Sizes: projector 128 → 128 (BN, ReLU) → 64, predictor 64 → 128 (BN, ReLU) → 64 (BYOL: 4096 hidden, 256 out);
 * τ = 0.99 fixed (BYOL: 0.996 rising to 1 over ~300k steps; ours has 1,000 steps); Adam instead of LARS. `z_std`
 * as in SimSiam: the spread of the normalised online projection (0 = collapsed).
 */
import { batchNorm } from "../../tf/batch-norm";
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { Backbone, createBackbone } from "./backbone";
import { embed, headInitializer, Objective, SourceBatch, stopGradient } from "./objective";
import { augmentedPairs, pairViews } from "./simclr";
import { negativeCosine, normalizedStd } from "./simsiam";

export const BYOL_TARGET_DECAY = 0.99;

/** Linear → BN → ReLU → linear (BYOL's projector and predictor). */
function bnMlp(name: string, inputSize: number, hidden: number, out: number, seed: number, k0: number): tf.LayersModel {
  const input = tf.input({ shape: [inputSize] });
  let h = tf.layers.dense({ name: `${name}_dense1`, units: hidden, kernelInitializer: headInitializer(seed, k0) }).apply(input) as tf.SymbolicTensor;
  h = batchNorm({ name: `${name}_bn1`, momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU({ name: `${name}_relu1` }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: `${name}_dense2`, units: out, kernelInitializer: headInitializer(seed, k0 + 1) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name });
}

/** BYOL's symmetrised loss: 2 − cos(p₁, z′₂) − cos(p₂, z′₁) (the mean of the two normalised squared errors). */
export function byolLoss(p1: tf.Tensor2D, p2: tf.Tensor2D, target1: tf.Tensor2D, target2: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.add(2, tf.add(negativeCosine(p1, stopGradient(target2)), negativeCosine(p2, stopGradient(target1)))) as tf.Scalar);
}

/** ξ ← τ·ξ + (1 − τ)·θ for matching trainable weights of a target and an online network. */
export function movingAverageUpdate(target: tf.LayersModel, online: tf.LayersModel, decay: number): void {
  const t = target.trainableWeights, o = online.trainableWeights;
  if (t.length !== o.length) throw new Error(`movingAverageUpdate: the target has ${t.length} weights, the online network ${o.length}`);
  tf.tidy(() => t.forEach((w, i) => w.write(tf.add(tf.mul(w.read(), decay), tf.mul(o[i].read(), 1 - decay)))));
}

export function byolObjective(backbone: Backbone, seed: number): Objective {
  const d = backbone.embeddingSize, out = 64;
  const projector = bnMlp("projector", d, d, out, seed, 30), predictor = bnMlp("predictor", out, d, out, seed, 40);
  // The target starts as a copy of the online network (same seed, same weights).
  const targetBackbone = createBackbone(backbone.seed, backbone.spec), targetProjector = bnMlp("projector", d, d, out, seed, 30);
  return {
    name: "byol",
    heads: { projector, predictor },
    targets: { backbone: targetBackbone.net, projector: targetProjector },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const n = batch.images.shape[0];
      const x = augmentedPairs(backbone, batch, r, noiseSeed);
      const view = (v: number) => tf.slice(x, [v * n, 0, 0, 0], [n, -1, -1, -1]);
      const [z1, z2] = [0, 1].map((v) => projector.apply(embed(backbone, view(v)), { training: true }) as tf.Tensor2D);
      const [p1, p2] = [z1, z2].map((z) => predictor.apply(z, { training: true }) as tf.Tensor2D);
      const [t1, t2] = [0, 1].map((v) => targetProjector.apply(targetBackbone.net.apply(view(v), { training: true }), { training: true }) as tf.Tensor2D);
      return { loss: byolLoss(p1, p2, t1, t2), metrics: { z_std: normalizedStd(z1) } };
    },
    views: pairViews(backbone),
    afterStep() {
      movingAverageUpdate(targetBackbone.net, backbone.net, BYOL_TARGET_DECAY);
      movingAverageUpdate(targetProjector, projector, BYOL_TARGET_DECAY);
    },
    dispose: () => { projector.dispose(); predictor.dispose(); targetBackbone.dispose(); targetProjector.dispose(); },
  };
}
