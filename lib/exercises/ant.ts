/** Exercises of notebook 03 (ant adaptation): GAE, and the step counter of the ant odometer. */
import type { Exercise } from "./check";
import { computeGae } from "../rl/ppo";
import { countStrides } from "../rl/odometer";

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
