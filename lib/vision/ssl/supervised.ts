/**
 * Supervised categorisation, the reference point of Zhuang et al. 2021 (a ResNet-18 trained on ImageNet's labels)
 * and of the task-driven recipe (Yamins et al. 2014): a linear read-out of the embedding predicts the 8 categories,
 * softmax cross-entropy. Inputs: two crop-and-flip views of each source image (the usual supervised augmentation,
 * `MILD_AUGMENTATION`), so the backbone sees as many inputs per step as under every other objective.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { CATEGORIES } from "../stimuli";
import { augment, augmentationParams, MILD_AUGMENTATION, normalizeImages } from "./augment";
import type { Backbone } from "./backbone";
import { accuracy, crossEntropy, embed, mlpHead, Objective, SourceBatch, VIEWS_PER_IMAGE } from "./objective";

export function supervisedObjective(backbone: Backbone, seed: number): Objective {
  const classifier = mlpHead("classifier", backbone.embeddingSize, [CATEGORIES.length], seed);
  return {
    name: "supervised",
    heads: { classifier },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const n = batch.images.shape[0], size = backbone.spec.inputSize;
      const views = tf.concat(Array.from({ length: VIEWS_PER_IMAGE }, (_, v) =>
        augment(batch.images, augmentationParams(n, MILD_AUGMENTATION, r), size, noiseSeed + v)));
      const labels = Array.from({ length: VIEWS_PER_IMAGE }, () => Array.from(batch.labels)).flat();
      const logits = classifier.apply(embed(backbone, normalizeImages(views as tf.Tensor4D))) as tf.Tensor2D;
      return { loss: crossEntropy(logits, labels), metrics: { accuracy: accuracy(logits, labels) } };
    },
    dispose: () => classifier.dispose(),
  };
}
