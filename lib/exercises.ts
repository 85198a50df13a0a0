/**
 * Homework exercises of every notebook, by name, and `check(name, fn)` to judge an answer.
 * Names are `<notebook>.<exercise>`; the type of `fn` follows from the name. Implementation in lib/exercises/.
 */
import { checkExercise, Exercise, AnyFunction } from "./exercises/check";
import * as welcome from "./exercises/welcome";
import * as ant from "./exercises/ant";
import * as ventral from "./exercises/ventral";
import * as dmap from "./exercises/dmap";
import * as ssl from "./exercises/ssl";

export const EXERCISES = {
  "welcome.accuracy": welcome.accuracy,
  "ant.gae": ant.gae,
  "ant.strides": ant.strides,
  "ant.historyWindow": ant.historyWindow,
  "ant.convergenceStep": ant.convergenceStep,
  "dmap.attentionReadout": dmap.attentionReadout,
  "dmap.phaseLockedFraction": dmap.phaseLockedFractionExercise,
  "ventral.spearmanBrown": ventral.spearmanBrown,
  "ventral.pearsonPerSite": ventral.pearsonPerSite,
  "ventral.correlationRdm": ventral.correlationRdm,
  "ssl.infoNCE": ssl.infoNCE,
  "ssl.rotationLabels": ssl.rotationLabels,
  "ssl.seedMeanRanking": ssl.seedMeanRanking,
};

export type ExerciseName = keyof typeof EXERCISES;
type FunctionOf<E> = E extends Exercise<infer F> ? F : never;

/** Judge a student's function, show the verdict, and return the function later cells should use. */
export function check<K extends ExerciseName>(name: K, fn: FunctionOf<(typeof EXERCISES)[K]>): FunctionOf<(typeof EXERCISES)[K]> {
  const exercise = EXERCISES[name] as unknown as Exercise<AnyFunction> | undefined;
  if (!exercise) throw new Error(`no exercise named '${String(name)}'. Known: ${Object.keys(EXERCISES).join(", ")}`);
  return checkExercise(exercise, fn as AnyFunction) as FunctionOf<(typeof EXERCISES)[K]>;
}

export { NotImplementedYet, judge, difference } from "./exercises/check";
export type { Exercise, ExerciseCase, Verdict, Status } from "./exercises/check";
