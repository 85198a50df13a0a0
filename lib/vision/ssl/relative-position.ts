/**
 * Relative position (Doersch, Gupta & Efros 2015, "Unsupervised visual representation learning by context
 * prediction", ICCV): the image is cut into a 3×3 grid; the network sees the centre patch and one of its 8
 * neighbours and names where the neighbour lies (8-way softmax on an MLP over the two embeddings, concatenated).
 * As Doersch et al., patches are smaller than their cells and placed at random within them (a gap and jitter), so
 * that lines running across a border do not give the answer away.
 *
 * Deviation: Doersch et al. cut 96-px patches from ~400-px images; ours are 16-px patches of 64-px images,
 * resized to the backbone's 64-px input (bilinear), so the backbone sees them blown up 4×.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { normalizeImages } from "./augment";
import type { Backbone } from "./backbone";
import { accuracy, crossEntropy, embed, mlpHead, Objective, SourceBatch } from "./objective";

/** The 8 neighbours of the centre cell as (row, column) offsets, in reading order: the class labels 0–7. */
export const NEIGHBOURS: readonly (readonly [number, number])[] = [
  [-1, -1], [-1, 0], [-1, 1],
  [0, -1], [0, 1],
  [1, -1], [1, 0], [1, 1],
];

/** The class of a neighbour at (row, column) offset from the centre; throws for the centre or a non-neighbour. */
export function relativePositionLabel(dRow: number, dCol: number): number {
  const k = NEIGHBOURS.findIndex(([r, c]) => r === dRow && c === dCol);
  if (k < 0) throw new Error(`relativePositionLabel: (${dRow}, ${dCol}) is not one of the 8 neighbours of the centre`);
  return k;
}

/** Patch side as a fraction of the image (16 px of 64) and of a grid cell (3/4). */
export const PATCH_FRACTION = 0.25;

/**
 * The crop box (normalised [y1, x1, y2, x2]) of a patch in grid cell (row, col) ∈ {0, 1, 2}²: a square of side
 * `PATCH_FRACTION` placed uniformly at random inside the cell.
 */
export function patchBox(row: number, col: number, r: Rng): [number, number, number, number] {
  const cell = 1 / 3, slack = cell - PATCH_FRACTION;
  const y = row * cell + r.range(0, slack), x = col * cell + r.range(0, slack);
  return [y, x, y + PATCH_FRACTION, x + PATCH_FRACTION];
}

/** Centre and neighbour patch boxes and the neighbour's label, for each of `n` images. */
export function relativePositionTask(n: number, r: Rng): { centre: number[][]; neighbour: number[][]; labels: number[] } {
  const centre: number[][] = [], neighbour: number[][] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = r.int(NEIGHBOURS.length);
    const [dr, dc] = NEIGHBOURS[label];
    centre.push(patchBox(1, 1, r));
    neighbour.push(patchBox(1 + dr, 1 + dc, r));
    labels.push(label);
  }
  return { centre, neighbour, labels };
}

/** Readable names of the 8 classes. */
export const NEIGHBOUR_NAMES = ["top left", "top", "top right", "left", "right", "bottom left", "bottom", "bottom right"] as const;

/** Centre patches (rows 0…n−1) and neighbour patches (rows n…2n−1), resized to `size`, and the neighbours' labels. */
export function patchPairs(images: tf.Tensor4D, r: Rng, size: number): { inputs: tf.Tensor4D; labels: number[] } {
  const n = images.shape[0];
  const task = relativePositionTask(n, r);
  const inputs = tf.tidy(() => {
    const index = tf.range(0, n, 1, "int32") as tf.Tensor1D;
    const patches = (boxes: number[][]) => tf.image.cropAndResize(images, tf.tensor2d(boxes), index, [size, size], "bilinear");
    return tf.concat([patches(task.centre), patches(task.neighbour)]) as tf.Tensor4D;
  });
  return { inputs, labels: task.labels };
}

export function relativePositionObjective(backbone: Backbone, seed: number): Objective {
  const d = backbone.embeddingSize;
  const head = mlpHead("relative_position", 2 * d, [d, NEIGHBOURS.length], seed);
  return {
    name: "relative-position",
    heads: { relative_position: head },
    step(batch: SourceBatch, r: Rng) {
      const n = batch.images.shape[0];
      const { inputs, labels } = patchPairs(batch.images, r, backbone.spec.inputSize);
      const h = embed(backbone, normalizeImages(inputs));
      const pair = tf.concat([tf.slice(h, [0, 0], [n, d]), tf.slice(h, [n, 0], [n, d])], 1);
      const logits = head.apply(pair) as tf.Tensor2D;
      return { loss: crossEntropy(logits, labels), metrics: { accuracy: accuracy(logits, labels) } };
    },
    views(batch: SourceBatch, r: Rng) {
      const { inputs, labels } = patchPairs(batch.images, r, backbone.spec.inputSize);
      return { inputs, labels: [...labels.map(() => "centre"), ...labels.map((k) => NEIGHBOUR_NAMES[k])] };
    },
    dispose: () => head.dispose(),
  };
}
