/**
 * The ant odometer (Wittlinger, Wehner & Wolf, Science 2006): desert ants (Cataglyphis) gauge distance by
 * integrating their steps. Trained to a feeder 10 m from the nest, ants whose legs were lengthened with
 * stilts at the feeder searched for the nest too far (~15 m), ants on stumps too near (~6 m): a step count
 * calibrated with normal legs, read out with other legs.
 *
 * Here: a step-counting odometer for the simulated Ant. A step is a touchdown (a foot's contact going from
 * 0 to 1); strides are touchdowns per foot. The odometer is calibrated on the nominal body (metres per
 * stride) and then carried by bodies with longer or shorter legs, which walk until the odometer reads the
 * home distance; the distance they actually walked is their search point.
 */
import { ACTION_SIZE, AntEnv } from "./ant";
import type { ActFn } from "./evaluate";
import { Morphology, morphologyVector } from "./morphology";

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
 * Walk with `act` on `morphology`: for `steps` steps, or — if `stopAtOdometer` is given — until
 * strides × metresPerStride reaches `stopAtOdometer.distance`.
 */
export async function odometerWalk(act: ActFn, morphology: Morphology, options: { steps: number; seed?: number; stopAtOdometer?: { metresPerStride: number; distance: number } }): Promise<OdometerWalk> {
  const env = await AntEnv.create(morphology, { maxSteps: options.steps });
  try {
    let obs = env.reset(options.seed ?? 0);
    const m = Float32Array.from(morphologyVector(morphology));
    const contacts: number[][] = [];
    let x0: number | undefined, x = 0, fell = false, steps = 0;
    for (let t = 0; t < options.steps; t++) {
      const s = env.step(act(obs, m, 1).subarray(0, ACTION_SIZE));
      x0 ??= s.info.x;
      x = s.info.x;
      contacts.push(s.info.contacts);
      steps++;
      obs = s.observation;
      if (s.terminated || s.truncated) {
        fell = s.info.fell;
        break;
      }
      const stop = options.stopAtOdometer;
      if (stop && countStrides(contacts) * stop.metresPerStride >= stop.distance) break;
    }
    return { distance: x - (x0 ?? 0), strides: countStrides(contacts), steps, fell };
  } finally {
    env.dispose();
  }
}
