/**
 * The two memory-bank objectives of notebook 02, the ones Zhuang et al. 2021 found the most brain-like, as one
 * training objective with two losses (the bank, its update and the losses: lib/vision/ssl/memory-bank.ts):
 *
 * - **instance recognition** (Wu, Xiong, Yu & Lin 2018): every image of the pool is its own class; each view's unit
 *   embedding must pick its image's entry out of the whole bank (non-parametric softmax, τ = 0.07);
 * - **local aggregation** (Zhuang, Zhai & Yamins 2019): each view's embedding is pulled towards its close neighbours
 *   (the bank entries that share its image's cluster in any of `LA_CLUSTERINGS` spherical k-means clusterings of the
 *   bank) among its background neighbours (its `LA_BACKGROUND` nearest entries), and away from the rest of them.
 *   As in the paper, it starts from instance recognition: the first pool (`passesPerPool` passes) trains with the
 *   instance loss; the clusterings are redone at the start of every pass (the paper: once per epoch).
 *
 * How it fits the shared training loop (lib/vision/ssl/train.ts): the images come in pools of 3,072 that are
 * replaced by new ones every few passes, so the bank holds one entry per image of the *current* pool. When a pool
 * begins, the bank is filled with the current network's embeddings of its images (un-augmented, inference mode) —
 * the paper starts from random unit vectors, but there the bank lives for the whole run; here a new pool would
 * otherwise start from noise. After every step the batch's entries move towards the step's embeddings (the mean of
 * the two views') by momentum 0.5. The bank and the clusterings are saved in the run's checkpoint, so a resumed run
 * continues with the same bank.
 *
 * Scaled to our pools (the paper's numbers for ImageNet's 1.28 M images in brackets): embedding 64-d from a linear
 * head (128-d); background 512 nearest entries (4,096); 3 clusterings of 64 clusters, ~48 images each (10 of 30,000,
 * ~43 each); two strongly augmented views per image, as SimCLR, so that every objective runs the backbone on the
 * same number of inputs per step.
 */
import { tf } from "../../tf";
import type { NamedArray } from "../../tf/checkpoint-format";
import type { Rng } from "../../util/random";
import type { Backbone } from "./backbone";
import { BANK_TEMPERATURE, instanceLoss, localAggregationLoss, MemoryBank, sphericalKMeans, unitRows } from "./memory-bank";
import { embed, mlpHead, Objective, PoolContext, SourceBatch } from "./objective";
import { augmentedPairs, pairViews } from "./simclr";

export const BANK_EMBEDDING = 64;
export const LA_BACKGROUND = 512;
export const LA_CLUSTERINGS = 3;
export const LA_CLUSTERS = 64;

/** Clusters per clustering: ~48 images each, as in the paper (smaller pools, in tests, get fewer; never fewer than 2). */
export function clusterCount(poolSize: number): number {
  return Math.max(2, Math.min(LA_CLUSTERS, Math.round(poolSize / 48)));
}

export type BankLoss = "instance-recognition" | "local-aggregation";

/** Fraction of rows whose most similar bank entry is their own image's (instance recognition's top-1). */
function ownEntryAccuracy(v: tf.Tensor2D, bank: tf.Tensor2D, indices: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.equal(tf.argMax(tf.matMul(v, bank, false, true), 1), tf.tensor1d(Array.from(indices), "int32")).toFloat()) as tf.Scalar);
}

export function bankObjective(loss: BankLoss, backbone: Backbone, seed: number): Objective {
  const head = mlpHead("embedding", backbone.embeddingSize, [BANK_EMBEDDING], seed);
  /** The bank of the pool in use (null before the first step), which pool it holds, and the pass its clusterings are of. */
  let bank: MemoryBank | null = null;
  let bankPool = -1, clusteredAt = "";
  let clusters: Int32Array[] = [];
  /** The step's batch and embeddings (mean of the two views, per image), for the bank update after it. */
  let pending: { indices: Int32Array; features: Float32Array } | null = null;
  let warmup = true;

  const fill = (context: PoolContext) => {
    const n = context.images.shape[0];
    const features = new Float32Array(n * BANK_EMBEDDING);
    for (let start = 0; start < n; start += 256) {
      const end = Math.min(n, start + 256);
      const v = tf.tidy(() => {
        const x = tf.slice(context.images, [start, 0, 0, 0], [end - start, -1, -1, -1]);
        return unitRows(head.predict(backbone.net.predict(tf.mul(tf.sub(x, 0.5), 4)) as tf.Tensor2D) as tf.Tensor2D);
      });
      features.set(v.dataSync() as Float32Array, start * BANK_EMBEDDING);
      v.dispose();
    }
    bank = new MemoryBank(n, BANK_EMBEDDING, seed + 7 * context.pool);
    bank.vectors.set(features);
    bankPool = context.pool;
    clusteredAt = "";
  };

  const recluster = (context: PoolContext) => {
    const b = bank!;
    clusters = Array.from({ length: LA_CLUSTERINGS }, (_, c) =>
      sphericalKMeans(b.vectors, b.size, b.dim, clusterCount(b.size), 1 + seed * 1009 + context.pool * 31 + context.pass * 7 + c));
    clusteredAt = `${context.pool}:${context.pass}`;
  };

  return {
    name: loss,
    heads: { embedding: head },
    beforeStep(context: PoolContext) {
      if (bankPool !== context.pool) fill(context);
      warmup = loss === "instance-recognition" || context.pool === 0;
      if (!warmup && clusteredAt !== `${context.pool}:${context.pass}`) recluster(context);
    },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      if (!bank || !batch.indices) throw new Error(`${loss}: the batch carries no pool indices, or no pool began (the training loop calls beforeStep with the pool first)`);
      const n = batch.images.shape[0];
      const v = unitRows(head.apply(embed(backbone, augmentedPairs(backbone, batch, r, noiseSeed))) as tf.Tensor2D);
      const own = Int32Array.from({ length: 2 * n }, (_, k) => batch.indices![k % n]);
      const values = v.dataSync() as Float32Array;
      const features = new Float32Array(n * BANK_EMBEDDING);
      for (let i = 0; i < n; i++) for (let t = 0; t < BANK_EMBEDDING; t++) features[i * BANK_EMBEDDING + t] = (values[i * BANK_EMBEDDING + t] + values[(i + n) * BANK_EMBEDDING + t]) / 2;
      pending = { indices: Int32Array.from(batch.indices), features };
      const entries = bank.tensor();
      const metrics = { instance_accuracy: ownEntryAccuracy(v, entries, own) };
      if (warmup) return { loss: instanceLoss(v, entries, own, BANK_TEMPERATURE), metrics };
      // Background: each row's nearest entries, its own always among them; close: sharing its image's cluster in any clustering.
      const k = Math.min(LA_BACKGROUND, bank.size); // a pool smaller than the background (tests): all of it
      const nearest = tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(values, [2 * n, BANK_EMBEDDING]), entries, false, true), k).indices.dataSync() as Int32Array);
      const background = Array.from({ length: 2 * n }, (_, row) => {
        const near = nearest.subarray(row * k, (row + 1) * k);
        return near.includes(own[row]) ? near : Int32Array.from([...near.subarray(0, k - 1), own[row]]);
      });
      const close = (row: number, entry: number) => clusters.some((c) => c[entry] === c[own[row]]);
      return { loss: localAggregationLoss(v, entries, background, close, BANK_TEMPERATURE), metrics };
    },
    views: pairViews(backbone),
    afterStep() {
      if (bank && pending) bank.update(pending.indices, pending.features);
      pending = null;
    },
    saveState(): NamedArray[] {
      if (!bank) return [];
      return [
        { name: "bank/vectors", shape: [bank.size, bank.dim], values: Float32Array.from(bank.vectors) },
        { name: "bank/pool", shape: [1], values: Float32Array.of(bankPool) },
        ...(clusteredAt ? [
          { name: "bank/clustered-at", shape: [2], values: Float32Array.from(clusteredAt.split(":").map(Number)) },
          { name: "bank/clusters", shape: [clusters.length, bank.size], values: Float32Array.from(clusters.flatMap((c) => Array.from(c))) },
        ] : []),
      ];
    },
    restoreState(arrays: Map<string, NamedArray>) {
      const vectors = arrays.get("bank/vectors");
      if (!vectors) return; // saved before the first step
      const [size, dim] = vectors.shape;
      if (dim !== BANK_EMBEDDING) throw new Error(`${loss}: the checkpoint's memory bank has ${dim}-d entries, this objective ${BANK_EMBEDDING}-d`);
      bank = new MemoryBank(size, dim, seed);
      bank.vectors.set(vectors.values);
      bankPool = arrays.get("bank/pool")!.values[0];
      const at = arrays.get("bank/clustered-at"), saved = arrays.get("bank/clusters");
      clusteredAt = at ? `${at.values[0]}:${at.values[1]}` : "";
      clusters = saved ? Array.from({ length: saved.shape[0] }, (_, c) => Int32Array.from(saved.values.subarray(c * size, (c + 1) * size))) : [];
    },
    dispose: () => head.dispose(),
  };
}

export const instanceRecognitionObjective = (backbone: Backbone, seed: number) => bankObjective("instance-recognition", backbone, seed);
export const localAggregationObjective = (backbone: Backbone, seed: number) => bankObjective("local-aggregation", backbone, seed);
