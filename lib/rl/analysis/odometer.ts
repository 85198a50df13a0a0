/**
 * The ant odometer (Wittlinger, Wehner & Wolf, Science 2006): desert ants (Cataglyphis) gauge distance by
 * integrating their steps. Trained to a feeder 10 m from the nest, ants whose legs were lengthened with
 * stilts at the feeder searched for the nest too far (~15 m), ants on stumps too near (~6 m): a step count
 * calibrated with normal legs, read out with other legs.
 *
 * Here: a step-counting odometer for the simulated Ant, run as the experiment was. A step is a touchdown (a
 * foot's contact going from 0 to 1); strides are touchdowns per foot. Outbound, the ant walks a set distance
 * on its normal legs and counts its strides; homebound, with longer or shorter legs, it walks the same number
 * of strides, and the distance covered is where it would search for the nest. Both walks start from rest,
 * so the start-up strides count alike.
 */
import { ACTION_SIZE, AntEnv } from "../env/ant";
import type { ActFn } from "../env/evaluate";
import { Morphology, morphologyVector } from "../env/morphology";

/** Strides in a contact record (T × 4): touchdowns summed over feet, divided by the number of feet. */
export function countStrides(contacts: number[][]): number {
  let touchdowns = 0;
  for (let t = 1; t < contacts.length; t++) {
    for (let f = 0; f < contacts[t].length; f++) if (contacts[t][f] && !contacts[t - 1][f]) touchdowns++;
  }
  return contacts.length ? touchdowns / contacts[0].length : 0;
}

export interface OdometerWalk {
  /** Distance actually walked along +x (m). */
  distance: number;
  strides: number;
  steps: number;
  fell: boolean;
}

/**
 * Walk with `act` on `morphology` from rest: for `steps` steps at most, stopping early once the torso has
 * moved `stopAtDistance` metres along +x, or once `stopAtStrides` strides have been counted.
 */
export async function odometerWalk(act: ActFn, morphology: Morphology,
  options: { steps: number; seed?: number; stopAtDistance?: number; stopAtStrides?: number }): Promise<OdometerWalk> {
  const env = await AntEnv.create(morphology, { maxSteps: options.steps });
  try {
    let obs = env.reset(options.seed ?? 0);
    const m = Float32Array.from(morphologyVector(morphology));
    const contacts: number[][] = [];
    let x = 0, fell = false, steps = 0, touchdowns = 0;
    for (let t = 0; t < options.steps; t++) {
      const s = env.step(act(obs, m, 1, Uint8Array.of(t === 0 ? 1 : 0)).subarray(0, ACTION_SIZE));
      x = s.info.x;
      const previous = contacts[contacts.length - 1];
      if (previous) for (let f = 0; f < 4; f++) if (s.info.contacts[f] && !previous[f]) touchdowns++;
      contacts.push(s.info.contacts);
      steps++;
      obs = s.observation;
      if (s.terminated || s.truncated) {
        fell = s.info.fell;
        break;
      }
      if (options.stopAtDistance !== undefined && x >= options.stopAtDistance) break;
      if (options.stopAtStrides !== undefined && touchdowns / 4 >= options.stopAtStrides) break;
    }
    return { distance: x, strides: countStrides(contacts), steps, fell };
  } finally {
    env.dispose();
  }
}
