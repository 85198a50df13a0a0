/**
 * `npm run train:ssl -- --objective simclr --seed 0`: train notebook 02's backbone (lib/vision/ssl/backbone.ts) with
 * one objective (Zhuang et al. 2021's comparison: supervised, autoencoder, rotation, relative-position, simclr,
 * simsiam, byol; `untrained` ships the initial weights) under the budget every objective shares (SSL_BUDGET in
 * lib/vision/ssl/train.ts). Resumable: run the same command again after an interruption and it continues from
 * out/runs/ssl-<objective>-seed<S>/checkpoint. Ships the backbone, evaluated by a linear probe, to
 * data/checkpoints/ssl-<objective>-seed<S>/ with a manifest.
 * Options: --checkpoint-every S (60), --max-steps N (stop after N steps of this call; run again to continue),
 * --steps N (a trial budget, for trying things: its own run folder out/runs/<name>-steps<N>, and it ships only with
 * --ship-root), --run-dir DIR, --ship-root DIR, --no-ship.
 * `--plan` prints the commands that reproduce every shipped checkpoint, `--plan --json` the same as run specs for
 * `npm run sweep` (lib/sweep/plan.ts).
 * `npm run train:ssl-budget -- --objective simclr` (this script with --budget-study): the budget study
 * (SSL_BUDGET_STUDY): trains to its largest budget in out/runs/ssl-<objective>-seed0-budget/ and ships the backbone at
 * every budget on the way to data/ssl-budget/ssl-<objective>-seed0-step<S>/; with `--seed 1` (the spread seed) it
 * trains to the first budget only; `--plan` lists its runs. A run of the shared budget that the study already made (its
 * objective and seed at exactly SSL_BUDGET.steps) is shipped from the study instead of trained again.
 */
import * as path from "path";
import { PLAN_FLAGS, printPlan } from "../lib/sweep/plan";
import { sslBudgetPlan, sslPlan } from "../lib/vision/ssl/plan";
import { budgetStudySteps, OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, shipFromBudgetStudy, SSL_BUDGET, SSL_BUDGET_STUDY, sslRunName, trainSsl } from "../lib/vision/ssl/train";
import { numberOption as num, parseOptions } from "./cli";

const FLAGS = ["no-ship", "budget-study", ...PLAN_FLAGS];
const KNOWN = ["objective", "seed", "checkpoint-every", "max-steps", "steps", "run-dir", "ship-root", ...FLAGS];

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, FLAGS);
  const study = Boolean(args["budget-study"]);
  if (args.plan) return printPlan(study ? sslBudgetPlan() : sslPlan(), Boolean(args.json));
  if (!args.objective) throw new Error(`--objective is required: one of ${OBJECTIVE_NAMES.join(", ")}`);
  const info = objectiveInfo(args.objective);
  const objective = args.objective as ObjectiveName;
  const seed = num(args, "seed", 0);
  const studySeeds: number[] = [SSL_BUDGET_STUDY.seed, SSL_BUDGET_STUDY.spreadSeed];
  if (study && (args.steps !== undefined || args["ship-root"] || !SSL_BUDGET_STUDY.objectives.includes(objective) || !studySeeds.includes(seed))) {
    throw new Error(`the budget study trains ${SSL_BUDGET_STUDY.objectives.join(" and ")}: seed ${SSL_BUDGET_STUDY.seed} to ${SSL_BUDGET_STUDY.steps.join(", ")} steps, ` +
      `seed ${SSL_BUDGET_STUDY.spreadSeed} to ${SSL_BUDGET_STUDY.steps[0]} (SSL_BUDGET_STUDY); it takes no --steps or --ship-root`);
  }
  const budget = { ...SSL_BUDGET, steps: study ? budgetStudySteps(seed) : num(args, "steps", SSL_BUDGET.steps) };
  if (!study && budget.steps !== SSL_BUDGET.steps && !args["no-ship"] && !args["ship-root"]) {
    throw new Error(`--steps ${budget.steps} differs from the shared budget (${SSL_BUDGET.steps}): add --no-ship (or --ship-root DIR) so it does not replace a shipped checkpoint`);
  }
  const steps = objective === "untrained" ? 0 : budget.steps;
  // The budget study already trained this run, if it has its objective and seed at the shared budget.
  const fromStudy = !study && !args["no-ship"] && !args["ship-root"] && budget.steps === SSL_BUDGET.steps ? shipFromBudgetStudy(objective, seed) : null;
  if (fromStudy) {
    console.log(`${sslRunName(objective, seed)}: the budget study's backbone at ${budget.steps} steps is this run's (same objective, seed and budget); shipped ${fromStudy}`);
    return;
  }
  console.log(`training ${sslRunName(objective, seed)} (${info.description}; ${info.paper}): ${steps} steps × ${budget.imagesPerStep} images`);
  const start = Date.now();
  let lastLine = 0;
  const result = await trainSsl({
    objective, seed, budget,
    checkpointSeconds: num(args, "checkpoint-every", 60),
    maxSteps: args["max-steps"] === undefined ? undefined : num(args, "max-steps", 0),
    // A trial budget gets its own run folder, so it never blocks (or is resumed as) the shipped run.
    runDir: args["run-dir"] ?? (study ? path.resolve(__dirname, "..", "out", "runs", `${sslRunName(objective, seed)}-budget`)
      : budget.steps === SSL_BUDGET.steps ? undefined : path.resolve(__dirname, "..", "out", "runs", `${sslRunName(objective, seed)}-steps${budget.steps}`)),
    shipRoot: args["no-ship"] ? null : args["ship-root"],
    ...(study && !args["no-ship"] ? {
      snapshots: { steps: SSL_BUDGET_STUDY.steps, root: SSL_BUDGET_STUDY.root },
      // A longer grid continues the study's runs from where the shorter one ended.
      extend: true,
      shipDir: path.resolve(__dirname, "..", SSL_BUDGET_STUDY.root, `${sslRunName(objective, seed)}-step${budget.steps}`),
    } : {}),
    command: `npm run train:ssl -- ${process.argv.slice(2).join(" ")}`,
    onStep: (l, eta) => {
      if (Date.now() - lastLine < 5000 && l.step !== steps) return;
      lastLine = Date.now();
      const metrics = Object.entries(l.metrics).map(([k, v]) => ` | ${k} ${v.toFixed(3)}`).join("");
      console.log(`step ${l.step}/${steps} | loss ${l.loss.toFixed(4)}${metrics} | ${(1000 * l.seconds).toFixed(0)} ms/step | ETA ${(eta / 60).toFixed(1)} min`);
    },
  });
  const times = result.stepSeconds.slice(1).sort((a, b) => a - b);
  if (times.length) console.log(`median step ${(1000 * times[Math.floor(times.length / 2)]).toFixed(0)} ms over ${times.length} steps (first step excluded)`);
  result.backbone.dispose();
  console.log(
    `${result.finished ? "finished" : "stopped (resume by running the same command)"} after ${((Date.now() - start) / 1000).toFixed(0)} s; ` +
    `run folder ${result.runDir}` + (result.shipped ? `; shipped ${result.shipped}` : ""),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
