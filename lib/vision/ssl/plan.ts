/**
 * Notebook 02's trainings as a plan (lib/sweep/plan.ts): one run per objective and seed (SSL_SEEDS), with the
 * command `npm run train:ssl` runs and the folders lib/vision/ssl/train.ts writes (out/runs/<name>/,
 * data/checkpoints/<name>/). Budgets count optimizer steps (the checkpoint's `step`); the untrained baseline's is 0.
 */
import * as path from "path";
import type { RunSpec } from "../../sweep/plan";
import { OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, SSL_BUDGET, SSL_BUDGET_STUDY, SSL_SEEDS, sslRunName } from "./train";

/** The run that trains one objective with one seed under the shared budget. */
export function sslRunSpec(objective: ObjectiveName, seed: number): RunSpec {
  const name = sslRunName(objective, seed);
  return {
    name,
    command: ["train:ssl", "--", "--objective", objective, "--seed", String(seed)],
    runDir: path.join("out", "runs", name),
    shipDir: path.join("data", "checkpoints", name),
    total: objective === "untrained" ? 0 : SSL_BUDGET.steps,
    unit: "steps",
    progressField: "step",
    description: objective === "untrained" ? objectiveInfo(objective).description : `${objectiveInfo(objective).description} (${objectiveInfo(objective).paper})`,
  };
}

/** Every shipped SSL checkpoint: each objective × SSL_SEEDS. */
export function sslPlan(): RunSpec[] {
  return OBJECTIVE_NAMES.flatMap((objective) => SSL_SEEDS.map((seed) => sslRunSpec(objective, seed)));
}

/**
 * The budget study's runs (SSL_BUDGET_STUDY): one per objective to the largest budget, shipping its backbone at each
 * budget on the way; `npm run train:ssl-budget -- --plan` lists them, `npm run sweep -- run ssl-budget` trains them.
 */
export function sslBudgetPlan(): RunSpec[] {
  const last = Math.max(...SSL_BUDGET_STUDY.steps);
  return SSL_BUDGET_STUDY.objectives.map((objective) => {
    const name = `${sslRunName(objective, SSL_BUDGET_STUDY.seed)}-budget`;
    return {
      name,
      command: ["train:ssl-budget", "--", "--objective", objective, "--seed", String(SSL_BUDGET_STUDY.seed)],
      runDir: path.join("out", "runs", name),
      shipDir: path.join(SSL_BUDGET_STUDY.root, `${sslRunName(objective, SSL_BUDGET_STUDY.seed)}-step${last}`),
      total: last,
      unit: "steps",
      progressField: "step",
      description: `${objectiveInfo(objective).description}, shipped at ${SSL_BUDGET_STUDY.steps.join(", ")} steps`,
    };
  });
}
