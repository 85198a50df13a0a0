/**
 * Exercises of notebook 04 (DMAP): one joint's attention readout over the proprioceptive channels, and the share
 * of a signal's variability locked to the gait phase (the measure behind "attention is gait-cycle specific").
 */
import type { Exercise } from "./check";
import { phaseLockedFraction } from "../rl/analysis/gait";

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

/**
 * The phase-locked fraction of one signal (lib/rl/analysis/gait.ts `phaseLockedFraction`): bin each step's phase (rad; any
 * real number, taken modulo 2π) into `bins` equal bins [k·2π/B, (k+1)·2π/B); skip steps whose phase is null; the
 * standard deviation across the non-empty bins of the per-bin means, divided by the standard deviation of the
 * signal over the steps that have a phase (both with 1/n).
 */
export function phaseLockedFractionReference(signal: number[], phase: (number | null)[], bins: number): number {
  return phaseLockedFraction([{ values: signal.map((v) => [v]), phase }], bins);
}

export const phaseLockedFractionExercise: Exercise<typeof phaseLockedFractionReference> = {
  title: "the phase-locked fraction of a signal",
  reference: phaseLockedFractionReference,
  tolerance: 1e-9,
  hint: "bin = floor(((φ mod 2π) + 2π) mod 2π / 2π · B), capped at B − 1; skip null phases; means per bin; std (1/n) of the non-empty bins' means ÷ std (1/n) of the signal over the steps that have a phase.",
  cases: [
    { label: "a signal that is a function of the phase (fraction 1)", args: [[1, -1, 1, -1, 1, -1], [0.1, 3.3, 0.2, 3.4, 0.3, 3.5], 2] },
    { label: "a signal unrelated to the phase", args: [[1, 2, 1, 2], [0.5, 0.6, 3.5, 3.6], 2] },
    { label: "phases from atan2, negative ones included", args: [[0, 1, 2, 3, 4, 5, 6, 7], [-3, -2, -1, 0, 1, 2, 3, 0.5], 4] },
    { label: "steps without a phase are left out", args: [[5, 0, 2, 100, 4, 3], [0.2, 1.7, null, null, 3.3, 5.0], 2] },
    { label: "a phase of exactly 2π falls in the first bin", args: [[1, 3, 2, 6], [0, 2 * Math.PI, Math.PI, 4], 2] },
  ],
};
