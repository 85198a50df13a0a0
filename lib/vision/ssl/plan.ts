/**
 * Notebook 02's trainings as a plan (lib/sweep/plan.ts): one run per objective and seed (SSL_SEEDS), with the
 * command `npm run train:ssl` runs and the folders lib/vision/ssl/train.ts writes (out/runs/<name>/,
 * data/checkpoints/<name>/). Budgets count optimizer steps (the checkpoint's `step`); the untrained baseline's is 0.
 */
import * as fs from "fs";
import * as path from "path";
import type { RunSpec } from "../../sweep/plan";
import { median } from "../../neuro/stats";
import { budgetStudySteps, OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, poolStudyRunName, SSL_BUDGET, SSL_BUDGET_STUDY, SSL_POOL_STUDY, SSL_SEEDS, sslRunName } from "./train";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * Machine seconds per step of an objective, measured: the median of wall time / steps over its shipped manifests
 * (data/checkpoints and data/ssl-budget); an objective with none yet takes those of the objective its `speedLike`
 * names (timed beside it in npm run bench), else the median of every trained objective's, saying so. Wall time is what the run took where it trained, other work beside it included.
 */
export function sslMeasuredSpeed(objective: ObjectiveName, root = ROOT): RunSpec["speed"] | null {
  const perStep: { objective: string; s: number }[] = [];
  for (const rel of ["data/checkpoints", SSL_BUDGET_STUDY.root]) {
    const dir = path.join(root, rel);
    if (!fs.existsSync(dir)) continue;
    for (const d of fs.readdirSync(dir).filter((n) => n.startsWith("ssl-"))) {
      try {
        const m = JSON.parse(fs.readFileSync(path.join(dir, d, "manifest.json"), "utf8"));
        if (m.steps > 0 && m.wall_seconds > 0) perStep.push({ objective: m.objective, s: m.wall_seconds / m.steps });
      } catch { /* no manifest */ }
    }
  }
  const of = (o: string) => perStep.filter((p) => p.objective === o).map((p) => p.s);
  const like = objectiveInfo(objective).speedLike;
  const [pick, from] = of(objective).length ? [of(objective), ""] : like && of(like).length ? [of(like), ` of ${like}, timed beside it (none of its own yet)`]
    : [perStep.map((p) => p.s), " of the other objectives (none of its own yet)"];
  if (!pick.length) return null;
  const secondsPerUnit = median(pick);
  return { secondsPerUnit, source: `${objective}: ${secondsPerUnit.toFixed(2)} s/step, median of ${pick.length} run(s)${from}` };
}

/** The run that trains one objective with one seed under the shared budget. */
export function sslRunSpec(objective: ObjectiveName, seed: number): RunSpec {
  const name = sslRunName(objective, seed);
  const speed = objective === "untrained" ? null : sslMeasuredSpeed(objective);
  return {
    ...(speed ? { speed } : {}),
    name,
    command: ["train:ssl", "--", "--objective", objective, "--seed", String(seed)],
    runDir: path.join("out", "runs", name),
    shipDir: path.join("data", "checkpoints", name),
    total: objective === "untrained" ? 0 : SSL_BUDGET.steps,
    unit: "steps",
    progressField: "step",
    // A backbone shipped under an older, shorter budget is not this plan's run.
    shippedField: "steps",
    description: objective === "untrained" ? objectiveInfo(objective).description : `${objectiveInfo(objective).description} (${objectiveInfo(objective).paper})`,
  };
}

/**
 * Every shipped SSL checkpoint: each objective × SSL_SEEDS, in training order: the first seed of every objective
 * before the second, so that a retraining cut short still compares every objective (one seed) first.
 */
export function sslPlan(): RunSpec[] {
  return SSL_SEEDS.flatMap((seed) => OBJECTIVE_NAMES.map((objective) => sslRunSpec(objective, seed)));
}

/**
 * The budget study's runs (SSL_BUDGET_STUDY): per objective, the study's seed to the largest budget, shipping its
 * backbone at each budget on the way, and the spread seed to the first budget; `npm run train:ssl-budget -- --plan`
 * lists them, `npm run sweep -- run ssl-budget` trains them.
 */
export function sslBudgetPlan(): RunSpec[] {
  // The spread seed's short runs first: the seed spread is known before the long runs end.
  return [SSL_BUDGET_STUDY.spreadSeed, SSL_BUDGET_STUDY.seed].flatMap((seed) => SSL_BUDGET_STUDY.objectives.map((objective) => {
    const name = `${sslRunName(objective, seed)}-budget`, steps = budgetStudySteps(seed);
    const speed = sslMeasuredSpeed(objective);
    return {
      ...(speed ? { speed } : {}),
      name,
      command: ["train:ssl-budget", "--", "--objective", objective, "--seed", String(seed)],
      runDir: path.join("out", "runs", name),
      shipDir: path.join(SSL_BUDGET_STUDY.root, `${sslRunName(objective, seed)}-step${steps}`),
      total: steps,
      unit: "steps",
      progressField: "step",
      description: seed === SSL_BUDGET_STUDY.seed ? `${objectiveInfo(objective).description}, shipped at ${SSL_BUDGET_STUDY.steps.join(", ")} steps`
        : `${objectiveInfo(objective).description}, a second seed at ${steps} steps (the seed spread)`,
    };
  }));
}

/**
 * The pool-composition study's runs (SSL_POOL_STUDY): instance recognition and SimCLR, the study's seed, the shared
 * budget on pools of 256 objects × 12 views; `npm run train:ssl-pools -- --plan` lists them, `npm run sweep -- run
 * ssl-pools` trains them.
 */
export function sslPoolPlan(): RunSpec[] {
  return SSL_POOL_STUDY.objectives.map((objective) => {
    const name = poolStudyRunName(objective, SSL_POOL_STUDY.seed);
    const speed = sslMeasuredSpeed(objective);
    return {
      ...(speed ? { speed } : {}),
      name,
      command: ["train:ssl-pools", "--", "--objective", objective, "--seed", String(SSL_POOL_STUDY.seed)],
      runDir: path.join("out", "runs", name),
      shipDir: path.join(SSL_POOL_STUDY.root, name),
      total: SSL_POOL_STUDY.budget.steps,
      unit: "steps",
      progressField: "step",
      description: `${objectiveInfo(objective).description}, on pools of 256 objects × 12 views (the pool-composition study)`,
    };
  });
}
