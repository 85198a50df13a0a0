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
 * `npm run train:ssl-pools -- --objective instance-recognition` (this script with --pool-study): the pool-composition
 * study (SSL_POOL_STUDY): the shared budget on pools of 256 objects × 12 views, in out/runs/<run>-objects256/, shipped to
 * data/ssl-pools/<run>-objects256/; `--plan` lists its runs.
 */
import * as path from "path";
import { PLAN_FLAGS, printPlan } from "../lib/sweep/plan";
import { sslBudgetPlan, sslPlan, sslPoolPlan } from "../lib/vision/ssl/plan";
import {
  budgetStudySteps, OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, poolStudyRunName, shipFromBudgetStudy, SSL_BUDGET, SSL_BUDGET_STUDY, SSL_POOL_STUDY,
  SslStepLog, SslTrainResult, sslRunName, trainSsl,
} from "../lib/vision/ssl/train";
import { numberOption as num, parseOptions } from "./cli";

const FLAGS = ["no-ship", "budget-study", "pool-study", ...PLAN_FLAGS];
const KNOWN = ["objective", "seed", "checkpoint-every", "max-steps", "steps", "run-dir", "ship-root", ...FLAGS];

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, FLAGS);
  const study = Boolean(args["budget-study"]), poolStudy = Boolean(args["pool-study"]);
  if (study && poolStudy) throw new Error("--budget-study and --pool-study are two studies: choose one");
  if (args.plan) return printPlan(study ? sslBudgetPlan() : poolStudy ? sslPoolPlan() : sslPlan(), Boolean(args.json));
  if (!args.objective) throw new Error(`--objective is required: one of ${OBJECTIVE_NAMES.join(", ")}`);
  const info = objectiveInfo(args.objective);
  const objective = args.objective as ObjectiveName;
  const seed = num(args, "seed", 0);
  const studySeeds: number[] = [SSL_BUDGET_STUDY.seed, SSL_BUDGET_STUDY.spreadSeed];
  if (study && (args.steps !== undefined || args["ship-root"] || !SSL_BUDGET_STUDY.objectives.includes(objective) || !studySeeds.includes(seed))) {
    throw new Error(`the budget study trains ${SSL_BUDGET_STUDY.objectives.join(" and ")}: seed ${SSL_BUDGET_STUDY.seed} to ${SSL_BUDGET_STUDY.steps.join(", ")} steps, ` +
      `seed ${SSL_BUDGET_STUDY.spreadSeed} to ${SSL_BUDGET_STUDY.steps[0]} (SSL_BUDGET_STUDY); it takes no --steps or --ship-root`);
  }
  if (poolStudy && (args.steps !== undefined || args["ship-root"] || args["run-dir"] || !SSL_POOL_STUDY.objectives.includes(objective) || seed !== SSL_POOL_STUDY.seed)) {
    throw new Error(`the pool-composition study trains ${SSL_POOL_STUDY.objectives.join(" and ")}, seed ${SSL_POOL_STUDY.seed}, at the shared budget ` +
      `(SSL_POOL_STUDY); it takes no --steps, --run-dir or --ship-root`);
  }
  if (poolStudy) {
    const name = poolStudyRunName(objective, seed);
    console.log(`training ${name} (${info.description}; ${info.paper}): ${SSL_POOL_STUDY.budget.steps} steps × ${SSL_POOL_STUDY.budget.imagesPerStep} images, pools of 256 objects × 12 views`);
    return report(Date.now(), await trainSsl({
      ...common(objective, seed, SSL_POOL_STUDY.budget.steps), name, budget: SSL_POOL_STUDY.budget,
      runDir: path.resolve(__dirname, "..", "out", "runs", name),
      shipDir: args["no-ship"] ? undefined : path.resolve(__dirname, "..", SSL_POOL_STUDY.root, name),
      shipRoot: args["no-ship"] ? null : undefined,
    }));
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
  report(Date.now(), await trainSsl({
    ...common(objective, seed, steps), budget,
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
  }));

  /** What every run of this script shares: its checkpointing, its command for the manifest, its progress lines. */
  function common(objective: ObjectiveName, seed: number, steps: number) {
    let lastLine = 0;
    return {
      objective, seed,
      checkpointSeconds: num(args, "checkpoint-every", 60),
      maxSteps: args["max-steps"] === undefined ? undefined : num(args, "max-steps", 0),
      command: `npm run ${poolStudy ? "train:ssl-pools" : study ? "train:ssl-budget" : "train:ssl"} -- ${process.argv.slice(2).filter((a) => a !== "--budget-study" && a !== "--pool-study").join(" ")}`,
      onStep: (l: SslStepLog, eta: number) => {
        if (Date.now() - lastLine < 5000 && l.step !== steps) return;
        lastLine = Date.now();
        const metrics = Object.entries(l.metrics).map(([k, v]) => ` | ${k} ${v.toFixed(3)}`).join("");
        console.log(`step ${l.step}/${steps} | loss ${l.loss.toFixed(4)}${metrics} | ${(1000 * l.seconds).toFixed(0)} ms/step | ETA ${(eta / 60).toFixed(1)} min`);
      },
    };
  }
}

/** The run's closing lines: median step time, where it stopped or shipped. */
function report(start: number, result: SslTrainResult): void {
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
