/** Exercises of notebook 04 (DMAP): one joint's attention readout over the proprioceptive channels. */
import type { Exercise } from "./check";

/**
 * One joint's readout (Chiappa et al. 2022): softmax of its key scores over the channels (subtract the maximum
 * first, so large scores do not overflow), then the embedding as the attention-weighted sum of the channels'
 * values. scores: C numbers; values: C × V. Returns the attention (C) and the embedding (V).
 */
export function attentionReadoutReference(scores: number[], values: number[][]): { attention: number[]; embedding: number[] } {
  const top = Math.max(...scores);
  const w = scores.map((s) => Math.exp(s - top));
  const total = w.reduce((a, b) => a + b, 0);
  const attention = w.map((x) => x / total);
  const V = values[0]?.length ?? 0;
  const embedding = Array.from({ length: V }, (_, d) => values.reduce((acc, v, c) => acc + attention[c] * v[d], 0));
  return { attention, embedding };
}

export const attentionReadout: Exercise<typeof attentionReadoutReference> = {
  title: "a joint's attention readout",
  reference: attentionReadoutReference,
  tolerance: 1e-9,
  hint: "attention_c = exp(s_c − max s) / Σ exp(s − max s); embedding_d = Σ_c attention_c · values[c][d].",
  cases: [
    { label: "equal scores give uniform attention", args: [[0, 0, 0, 0], [[1, 0], [0, 1], [1, 1], [0, 0]]] },
    { label: "one channel dominates", args: [[10, 0, 0], [[2, -1], [0, 0], [5, 5]]] },
    { label: "scores large enough to overflow exp()", args: [[1000, 999, 990], [[1], [2], [3]]] },
    { label: "negative scores", args: [[-3, -1, -2], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]] },
  ],
};
