/** Exercises of notebook 03 (ant adaptation): GAE, the step counter of the ant odometer, the history window, convergence of ẑ. */
import type { Exercise } from "./check";
import { computeGae } from "../rl/learning/ppo";
import { countStrides } from "../rl/analysis/odometer";
import { ObservationHistory } from "../rl/policies/history";

/** GAE for one environment: rewards, values and done flags per step, and the value after the last step. */
export function gaeReference(rewards: number[], values: number[], dones: number[], lastValue: number, gamma: number, lambda: number): number[] {
  const T = rewards.length;
  const { advantages } = computeGae(Float64Array.from(rewards), Float64Array.from(values), Uint8Array.from(dones), Float64Array.from([lastValue]), T, 1, gamma, lambda);
  return Array.from(advantages);
}

export const gae: Exercise<typeof gaeReference> = {
  title: "generalized advantage estimation",
  reference: gaeReference,
  tolerance: 1e-9,
  hint: "go backwards in time: δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t, A_t = δ_t + γλ (1 − done_t) A_{t+1}; after the last step V_{t+1} is lastValue.",
  cases: [
    { label: "one step", args: [[1], [0.5], [0], 2, 0.9, 0.95] },
    { label: "λ = 0 gives one-step TD errors", args: [[1, 0, 2], [0.1, 0.2, 0.3], [0, 0, 0], 0.4, 0.99, 0] },
    { label: "λ = 1 gives discounted returns minus values", args: [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], 0, 0.5, 1] },
    { label: "an episode ends in the middle (no bootstrap across it)", args: [[1, 2, 3, 4], [0.5, 1, 1.5, 2], [0, 1, 0, 0], 3, 0.9, 0.8] },
    { label: "the last step is terminal", args: [[0, 0, 5], [1, 1, 1], [0, 0, 1], 100, 0.99, 0.95] },
  ],
};

export const strides: Exercise<typeof countStrides> = {
  title: "stride counter of the ant odometer",
  reference: countStrides,
  hint: "count touchdowns — a foot's contact going from 0 to 1 between consecutive steps — over all feet, then divide by the number of feet.",
  cases: [
    { label: "no contact at all", args: [[[0, 0, 0, 0], [0, 0, 0, 0]]] },
    { label: "standing still on four feet (no touchdown after the start)", args: [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]] },
    { label: "one foot touches down twice", args: [[[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]]] },
    { label: "a diagonal gait", args: [[[1, 0, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1]]] },
    { label: "empty record", args: [[]] },
  ],
};

/**
 * The history window an adaptive policy reads (lib/rl/policies/history.ts): the frames since the episode began, oldest
 * first, as the last H rows of an H × C window, zeros before the episode began (Kumar et al. 2021; Chiappa et al. 2022).
 */
export function historyWindowReference(framesSinceStart: number[][], length: number, channels: number): number[][] {
  const history = new ObservationHistory(1, length, channels);
  for (const f of framesSinceStart) history.push(Float32Array.from(f));
  const w = history.window();
  return Array.from({ length }, (_, k) => Array.from(w.subarray(k * channels, (k + 1) * channels)));
}

export const historyWindow: Exercise<typeof historyWindowReference> = {
  title: "history window with zero padding",
  reference: historyWindowReference,
  tolerance: 1e-6,
  hint: "keep only the last H frames; if fewer than H have happened since the episode began, put zero rows first, so the newest frame is always the last row.",
  cases: [
    { label: "the first step of an episode", args: [[[1, 2]], 3, 2] },
    { label: "fewer frames than H", args: [[[1, 2], [3, 4]], 4, 2] },
    { label: "exactly H frames", args: [[[1], [2], [3]], 3, 1] },
    { label: "more frames than H (only the last H count)", args: [[[1], [2], [3], [4], [5]], 2, 1] },
    { label: "no frame yet", args: [[], 2, 3] },
  ],
};

/**
 * Steps until an estimate has converged: the first step from which the error stays below the threshold for
 * `hold` consecutive steps, or −1 (the rule lib/rl/learning/rma.ts `latentConvergence` reports).
 */
export function convergenceStepReference(errors: number[], threshold: number, hold: number): number {
  for (let k = 0; k + hold <= errors.length; k++) if (errors.slice(k, k + hold).every((e) => e < threshold)) return k;
  return -1;
}

export const convergenceStep: Exercise<typeof convergenceStepReference> = {
  title: "when has ẑ converged?",
  reference: convergenceStepReference,
  hint: "slide a window of `hold` steps from the start; return the first start where every error in the window is below the threshold (strictly); −1 if none.",
  cases: [
    { label: "converged from the start", args: [[0.01, 0.01, 0.01], 0.1, 2] },
    { label: "a dip that does not hold", args: [[0.5, 0.05, 0.5, 0.05, 0.05, 0.05], 0.1, 3] },
    { label: "never", args: [[0.5, 0.4, 0.3], 0.1, 1] },
    { label: "an error equal to the threshold does not count", args: [[0.2, 0.1, 0.05, 0.05], 0.1, 2] },
    { label: "shorter than the hold", args: [[0.01], 0.1, 3] },
  ],
};
