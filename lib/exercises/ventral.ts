/**
 * Exercises of notebook 01 (ventral stream fit): the pieces of Brain-Score's neural-fit metric (Schrimpf et al.
 * 2020) and of RSA (Kriegeskorte et al. 2008) that a student can write in a few lines — the Spearman–Brown
 * correction behind the split-half ceiling, the per-site Pearson r on held-out images, and a correlation-distance
 * RDM. The references are the library's own functions (lib/neuro), so a passing answer computes what the
 * notebook's figures use.
 */
import type { Exercise } from "./check";
import { fromRows } from "../util/linalg";
import { pearsonPerColumn, rdm, spearmanBrown as libSpearmanBrown } from "../neuro";

/** Reliability of a measure n times as long as one with reliability r: n·r / (1 + (n − 1)·r). */
export function spearmanBrownReference(r: number, n: number): number {
  return libSpearmanBrown(r, n);
}

export const spearmanBrown: Exercise<typeof spearmanBrownReference> = {
  title: "Spearman–Brown correction (ventral)",
  reference: spearmanBrownReference,
  tolerance: 1e-9,
  hint: "a measure n times as long has reliability n·r / (1 + (n − 1)·r); for two halves (n = 2) that is 2r / (1 + r).",
  cases: [
    { label: "two halves, r = 0.5", args: [0.5, 2] },
    { label: "two halves, r = 0.8", args: [0.8, 2] },
    { label: "n = 1 changes nothing", args: [0.37, 1] },
    { label: "no reliability stays none (r = 0)", args: [0, 2] },
    { label: "perfect reliability stays perfect (r = 1)", args: [1, 4] },
    { label: "four times as long, r = 0.3", args: [0.3, 4] },
    { label: "a negative split-half r", args: [-0.2, 2] },
  ],
};

/**
 * Pearson r between predicted and measured responses for each site: both are stimuli × sites (one row per image,
 * one column per site); the answer has one r per site (NaN for a site whose responses are all equal).
 */
export function pearsonPerSiteReference(predicted: number[][], measured: number[][]): number[] {
  if (predicted.length !== measured.length) throw new Error(`pearsonPerSite: ${predicted.length} predicted rows, ${measured.length} measured rows`);
  return Array.from(pearsonPerColumn(fromRows(predicted), fromRows(measured)));
}

export const pearsonPerSite: Exercise<typeof pearsonPerSiteReference> = {
  title: "per-site Pearson r (ventral)",
  reference: pearsonPerSiteReference,
  tolerance: 1e-9,
  hint: "for each column j (a site): centre both columns, r = Σ(a−ā)(b−b̄) / √(Σ(a−ā)² · Σ(b−b̄)²). Rows are images, columns are sites.",
  cases: [
    { label: "one site, perfectly predicted up to scale and offset", args: [[[1], [2], [3], [4]], [[10], [12], [14], [16]]] },
    { label: "one site, anti-correlated", args: [[[1], [2], [3]], [[3], [2], [1]]] },
    {
      label: "three sites, 5 images (rows are images, columns sites)",
      args: [[[1, 0.5, 2], [2, 0.1, 1], [0, 0.9, 3], [3, 0.4, 0], [1.5, 0.2, 2]], [[2, 5, 1], [3, 4, 0], [1, 7, 4], [5, 5, 1], [2, 4, 3]]],
    },
    { label: "an offset that must not matter (responses far from zero)", args: [[[101, 1], [102, 3], [104, 2]], [[7, 1], [9, 2], [8, 3]]] },
    { label: "more images than sites, 2 sites × 6 images", args: [[[0, 1], [1, 0], [2, 2], [3, 1], [4, 5], [5, 3]], [[1, 2], [1, 1], [2, 3], [4, 2], [3, 6], [6, 2]]] },
    { label: "a site with constant measured responses gives NaN", args: [[[1, 2], [2, 3], [3, 1]], [[5, 1], [5, 2], [5, 4]]] },
  ],
};

/**
 * Correlation-distance RDM of conditions × features responses: entry (i, j) = 1 − Pearson r between the response
 * patterns (rows) i and j, with zeros on the diagonal.
 */
export function rdmReference(responses: number[][]): number[][] {
  const d = rdm(fromRows(responses));
  return Array.from({ length: d.size }, (_, i) => Array.from(d.values.subarray(i * d.size, (i + 1) * d.size)));
}

export const correlationRdm: Exercise<typeof rdmReference> = {
  title: "correlation-distance RDM (ventral)",
  reference: rdmReference,
  tolerance: 1e-9,
  hint: "rows are conditions (images or objects), columns are features (sites or units): entry (i, j) is 1 − Pearson r between rows i and j across the columns; the diagonal is 0.",
  cases: [
    { label: "two identical patterns and an opposite one", args: [[[1, 2, 3], [2, 4, 6], [3, 2, 1]]] },
    { label: "4 conditions × 5 features", args: [[[0.1, 0.9, 0.3, 0.5, 0.2], [0.8, 0.1, 0.4, 0.2, 0.9], [0.3, 0.3, 0.9, 0.1, 0.4], [0.5, 0.6, 0.2, 0.7, 0.1]]] },
    { label: "patterns that differ only by an offset are at distance 0", args: [[[1, 3, 2, 5], [11, 13, 12, 15], [5, 1, 2, 2]]] },
    { label: "more conditions than features (3 × 2 patterns → 3 × 3 RDM)", args: [[[1, 2], [2, 1], [0, 5]]] },
  ],
};
