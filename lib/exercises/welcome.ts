/** Exercises of notebook 00 (welcome): the mechanism on a small, self-contained task. */
import type { Exercise } from "./check";

/** Fraction of predictions on the correct side of 0.5: the metric the welcome notebook reports. */
export function accuracyReference(probabilities: number[], labels: number[]): number {
  if (probabilities.length !== labels.length) {
    throw new Error(`accuracy: ${probabilities.length} probabilities but ${labels.length} labels`);
  }
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if ((probabilities[i] >= 0.5 ? 1 : 0) === labels[i]) correct++;
  return correct / labels.length;
}

export const accuracy: Exercise<typeof accuracyReference> = {
  title: "accuracy (welcome)",
  reference: accuracyReference,
  hint: "predict class 1 when the probability is ≥ 0.5, and divide by the number of examples.",
  cases: [
    { label: "all correct", args: [[0.9, 0.1, 0.8], [1, 0, 1]] },
    { label: "all wrong", args: [[0.1, 0.9], [1, 0]] },
    { label: "probability exactly 0.5 counts as class 1", args: [[0.5, 0.5, 0.2, 0.7], [1, 1, 0, 1]] },
    { label: "mixed, 5 examples", args: [[0.2, 0.6, 0.7, 0.4, 0.99], [0, 0, 1, 1, 1]] },
  ],
};
