/**
 * Exercises of notebook 02 (self-supervised comparison, Zhuang et al. 2021): SimCLR's NT-Xent / InfoNCE loss (Chen
 * et al. 2020), the rotation pretext task's inputs and labels (Gidaris et al. 2018), and the ranking of objectives
 * from per-seed scores. The references are the library's own code (lib/vision/ssl), so a passing answer computes
 * what training used.
 */
import type { Exercise } from "./check";
import { tf } from "../tf";
import { rotateQuarterTurns, ROTATIONS_DEGREES } from "../vision/ssl/rotation";
import { infoNCE as libInfoNCE } from "../vision/ssl/simclr";

/**
 * NT-Xent over 2N embeddings (rows i and i + N are the two views of image i): for each row, −log of the softmax,
 * over every other row, of the cosine similarities divided by the temperature, taken at its partner; the mean over
 * the 2N rows.
 */
export function infoNCEReference(embeddings: number[][], temperature: number): number {
  const z = tf.tensor2d(embeddings);
  const loss = libInfoNCE(z, temperature);
  const value = loss.dataSync()[0];
  tf.dispose([z, loss]);
  return value;
}

export const infoNCE: Exercise<typeof infoNCEReference> = {
  title: "InfoNCE / NT-Xent loss (ssl)",
  reference: infoNCEReference,
  // The library computes in float32 (tfjs); an answer in float64 differs by ~1e-7 relative.
  tolerance: 1e-5,
  hint: "normalise each row to unit length; s(i, k) = cosine / τ; a row is never its own candidate (leave k = i out " +
    "of the sum); ℓ(i) = −s(i, partner) + log Σ_{k≠i} exp s(i, k), partner of i is i + N (or i − N); average over all 2N rows.",
  cases: [
    { label: "two pairs of identical, orthogonal views, τ = 0.5", args: [[[1, 0], [0, 1], [1, 0], [0, 1]], 0.5] },
    { label: "every embedding the same (nothing to tell apart): log(2N − 1)", args: [[[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2]], 0.5] },
    { label: "partners of different lengths (only directions count)", args: [[[3, 0, 0], [0, 0.5, 0], [1, 0.1, 0], [0, 2, 0.2]], 0.5] },
    {
      label: "three pairs, random-looking embeddings, τ = 0.1",
      args: [[[0.2, -1.1, 0.5], [1.3, 0.4, -0.2], [-0.7, 0.3, 0.9], [0.1, -0.8, 0.7], [1.0, 0.6, 0.1], [-0.5, -0.2, 1.2]], 0.1],
    },
    { label: "a pair whose views disagree more than the other pair's (asymmetric rows), τ = 1", args: [[[1, 0], [1, 1], [0, 1], [1, -1]], 1] },
  ],
};

/**
 * The rotation pretext batch: every image (square, rows of pixels) in all four quarter turns counter-clockwise,
 * all images at 0° first, then all at 90°, 180° and 270° (input k·n + i is image i turned k times), with the class
 * label of each input: the number of quarter turns, 0–3.
 */
export function rotationLabelsReference(images: number[][][]): { inputs: number[][][]; labels: number[] } {
  const n = images.length;
  if (n === 0) return { inputs: [], labels: [] };
  const side = images[0].length;
  const batch = tf.tensor4d(images.flat(2), [n, side, side, 1]);
  const turns = ROTATIONS_DEGREES.flatMap((_, k) => images.map(() => k));
  const turned = rotateQuarterTurns(tf.concat(ROTATIONS_DEGREES.map(() => batch)) as tf.Tensor4D, turns);
  const values = turned.dataSync();
  tf.dispose([batch, turned]);
  const inputs = turns.map((_, j) => Array.from({ length: side }, (_, y) => Array.from(values.subarray((j * side + y) * side, (j * side + y + 1) * side))));
  return { inputs, labels: turns };
}

export const rotationLabels: Exercise<typeof rotationLabelsReference> = {
  title: "rotation pretext inputs and labels (ssl)",
  reference: rotationLabelsReference,
  tolerance: 0,
  hint: "a quarter turn counter-clockwise puts the top row on the left side, read bottom to top: out[y][x] = in[x][side − 1 − y]. " +
    "Order: all images at 0°, then all at 90°, … ; labels are quarter turns (0, 1, 2, 3), not degrees.",
  cases: [
    { label: "one 2×2 image", args: [[[[1, 2], [3, 4]]]] },
    { label: "one 3×3 image with values 0…8", args: [[[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]] },
    { label: "two images: rotation-major order (all images at 0°, then all at 90°, …)", args: [[[[1, 0], [0, 0]], [[0, 0], [5, 6]]]] },
    { label: "no images", args: [[]] },
  ],
};

/**
 * The ranking of objectives by a score: each objective's mean over its seeds, best (highest) first.
 * scores: one entry per run (objective, seed, value). Ties keep the order in which the objectives first appear.
 */
export function seedMeanRankingReference(scores: { objective: string; seed: number; value: number }[]): string[] {
  const values = new Map<string, number[]>();
  for (const s of scores) values.set(s.objective, [...(values.get(s.objective) ?? []), s.value]);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Array.from(values, ([objective, xs]) => ({ objective, m: mean(xs) }))
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => b.m - a.m || a.i - b.i)
    .map((e) => e.objective);
}

export const seedMeanRanking: Exercise<typeof seedMeanRankingReference> = {
  title: "ranking objectives by their mean over seeds (ssl)",
  reference: seedMeanRankingReference,
  hint: "group the runs by objective, average each group's values, sort the objectives by that mean, highest first.",
  cases: [
    {
      label: "two objectives, two seeds each",
      args: [[{ objective: "a", seed: 0, value: 0.2 }, { objective: "a", seed: 1, value: 0.4 }, { objective: "b", seed: 0, value: 0.5 }, { objective: "b", seed: 1, value: 0.3 }]],
    },
    {
      label: "one lucky seed must not decide (the best single run belongs to the objective with the lower mean)",
      args: [[{ objective: "x", seed: 0, value: 0.9 }, { objective: "x", seed: 1, value: 0.1 }, { objective: "y", seed: 0, value: 0.6 }, { objective: "y", seed: 1, value: 0.6 }]],
    },
    {
      label: "the first seed alone would order them the other way",
      args: [[{ objective: "p", seed: 0, value: 0.3 }, { objective: "q", seed: 0, value: 0.35 }, { objective: "p", seed: 1, value: 0.5 }, { objective: "q", seed: 1, value: 0.36 }, { objective: "r", seed: 0, value: 0.1 }]],
    },
    { label: "a single run", args: [[{ objective: "only", seed: 0, value: 0.5 }]] },
  ],
};
