/**
 * The SimCLR training step as a benchmark (for `npm run bench`, beside the same step in PyTorch:
 * scripts/bench_pytorch.py `simclr_problem`): the notebook's backbone with batch norm (RESNET_S) and SimCLR's
 * projection head on 128 positive pairs (256 views of 64×64), NT-Xent at τ = 0.5, one Adam step. The views are a
 * fixed batch (image i and its mirror image plus noise), made once: the step times the network, the loss and the
 * update, not the augmentations (those take ~60–150 ms per 128 images on wasm; PyTorch's would need torchvision).
 */
import { tf } from "../../tf";
import { rng } from "../../util/random";
import { categoryLabels, visionTrainingSet } from "../train";
import { createBackbone, RESNET_S } from "./backbone";
import { mlpHead } from "./objective";
import { infoNCE, SIMCLR_PROJECTION, SIMCLR_TEMPERATURE } from "./simclr";
import { batchIndices, objectiveInfo, ObjectiveName, SSL_BUDGET } from "./train";

export interface SimclrProblem {
  /** One optimiser step on the fixed pairs; returns the loss before the update. */
  step(): number;
  dispose(): void;
}

/** The fixed problem: `pairs` positive pairs of 64×64 grey views through the backbone and the projection. */
export function makeSimclrProblem(options: { pairs?: number; learningRate?: number; seed?: number } = {}): SimclrProblem {
  const pairs = options.pairs ?? 128, seed = options.seed ?? 1;
  const backbone = createBackbone(seed, RESNET_S);
  const projection = mlpHead("projection", backbone.embeddingSize, SIMCLR_PROJECTION, seed);
  const size = RESNET_S.inputSize;
  const views = tf.tidy(() => {
    const x = tf.randomNormal([pairs, size, size, 1], 0, 1, "float32", seed);
    return tf.concat([x, tf.add(tf.reverse(x, 2), tf.randomNormal([pairs, size, size, 1], 0, 0.1, "float32", seed + 1))]);
  });
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = [backbone.net, projection].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  return {
    step: () => tf.tidy(() => {
      const loss = optimizer.minimize(() => infoNCE(projection.apply(backbone.net.apply(views, { training: true })) as tf.Tensor2D, SIMCLR_TEMPERATURE), true, variables);
      return (loss as tf.Scalar).dataSync()[0];
    }),
    dispose: () => { optimizer.dispose(); views.dispose(); projection.dispose(); backbone.dispose(); },
  };
}

/** Median ms per SimCLR training step on the current backend (after `warmup` untimed steps), with the losses. */
export function benchSimclrStep(steps = 10, warmup = 3): { ms_per_step: number; steps: number; loss_first: number; loss_last: number } {
  const problem = makeSimclrProblem();
  try {
    const losses: number[] = [];
    for (let i = 0; i < warmup; i++) losses.push(problem.step());
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      losses.push(problem.step());
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms_per_step: times[Math.floor(times.length / 2)], steps, loss_first: losses[0], loss_last: losses[losses.length - 1] };
  } finally {
    problem.dispose();
  }
}

/**
 * One training step of an objective as `trainSsl` takes it (lib/vision/ssl/train.ts), for comparing objectives with
 * each other in one run: a pool of the training images (3,072), a batch of SSL_BUDGET.imagesPerStep of them, the
 * objective's own augmentations, loss and Adam step, and what it does after the step (the memory bank's update). The
 * memory-bank objectives fill their bank (and local aggregation clusters it) in the first, untimed call; the problem
 * reports the pool as its second one, so local aggregation takes its own loss, not its warm-up's. `recluster()`: what
 * local aggregation does once per pass over the pool (24 steps), timed apart.
 */
export function makeObjectiveStepProblem(name: ObjectiveName, seed = 1): { step(): number; recluster?(): void; dispose(): void } {
  const create = objectiveInfo(name).create;
  if (!create) throw new Error(`makeObjectiveStepProblem: '${name}' does not train`);
  const backbone = createBackbone(seed, RESNET_S);
  const objective = create(backbone, seed);
  const set = visionTrainingSet(seed, 0, SSL_BUDGET.poolImagesPerObject, RESNET_S.inputSize);
  const images = tf.tensor4d(set.images, [set.meta.length, set.size, set.size, 1]);
  const labels = categoryLabels(set);
  const optimizer = tf.train.adam(SSL_BUDGET.learningRate);
  const variables = [backbone.net, ...Object.values(objective.heads)].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  let k = 0, pass = 0;
  return {
    step() {
      const { indices } = batchIndices(seed, k, SSL_BUDGET);
      objective.beforeStep?.({ pool: 1, pass, images });
      const loss = tf.tidy(() => {
        const batch = { images: tf.gather(images, tf.tensor1d(indices, "int32")) as tf.Tensor4D, labels: Int32Array.from(indices, (i) => labels[i]), indices };
        const out = optimizer.minimize(() => objective.step(batch, rng(seed + k), 1 + k).loss, true, variables);
        return (out as tf.Scalar).dataSync()[0];
      });
      objective.afterStep?.();
      k++;
      return loss;
    },
    ...(objective.beforeStep ? { recluster: () => objective.beforeStep!({ pool: 1, pass: ++pass, images }) } : {}),
    dispose() { optimizer.dispose(); images.dispose(); objective.dispose(); backbone.dispose(); },
  };
}
