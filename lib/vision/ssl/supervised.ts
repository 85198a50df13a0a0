/**
 * Supervised categorisation, the reference point of Zhuang et al. 2021 (a ResNet-18 trained on ImageNet's labels)
 * and of the task-driven recipe (Yamins et al. 2014): a linear read-out of the embedding predicts the 8 categories,
 * softmax cross-entropy. Inputs: two crop-and-flip views of each source image (the usual supervised augmentation,
 * `MILD_AUGMENTATION`), so the backbone sees as many inputs per step as under every other objective.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { CATEGORIES } from "../stimuli";
import { MILD_AUGMENTATION, normalizeImages, twoViews } from "./augment";
import type { Backbone } from "./backbone";
import { accuracy, crossEntropy, embed, mlpHead, Objective, SourceBatch } from "./objective";

export function supervisedObjective(backbone: Backbone, seed: number): Objective {
  const classifier = mlpHead("classifier", backbone.embeddingSize, [CATEGORIES.length], seed);
  return {
    name: "supervised",
    heads: { classifier },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const views = twoViews(batch.images, MILD_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize);
      const labels = [...batch.labels, ...batch.labels];
      const logits = classifier.apply(embed(backbone, normalizeImages(views))) as tf.Tensor2D;
      return { loss: crossEntropy(logits, labels), metrics: { accuracy: accuracy(logits, labels) } };
    },
    views: (batch: SourceBatch, r: Rng, noiseSeed: number) => ({
      inputs: twoViews(batch.images, MILD_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize),
      labels: [...batch.labels, ...batch.labels].map((c) => CATEGORIES[c]),
    }),
    dispose: () => classifier.dispose(),
  };
}
