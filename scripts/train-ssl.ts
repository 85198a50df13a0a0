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
 */
import * as path from "path";
import { PLAN_FLAGS, printPlan } from "../lib/sweep/plan";
import { sslPlan } from "../lib/vision/ssl/plan";
import { OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, SSL_BUDGET, sslRunName, trainSsl } from "../lib/vision/ssl/train";
import { numberOption as num, parseOptions } from "./cli";

const FLAGS = ["no-ship", ...PLAN_FLAGS];
const KNOWN = ["objective", "seed", "checkpoint-every", "max-steps", "steps", "run-dir", "ship-root", ...FLAGS];

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, FLAGS);
  if (args.plan) return printPlan(sslPlan(), Boolean(args.json));
  if (!args.objective) throw new Error(`--objective is required: one of ${OBJECTIVE_NAMES.join(", ")}`);
  const info = objectiveInfo(args.objective);
  const objective = args.objective as ObjectiveName;
  const seed = num(args, "seed", 0);
  const budget = { ...SSL_BUDGET, steps: num(args, "steps", SSL_BUDGET.steps) };
  if (budget.steps !== SSL_BUDGET.steps && !args["no-ship"] && !args["ship-root"]) {
    throw new Error(`--steps ${budget.steps} differs from the shared budget (${SSL_BUDGET.steps}): add --no-ship (or --ship-root DIR) so it does not replace a shipped checkpoint`);
  }
  const steps = objective === "untrained" ? 0 : budget.steps;
  console.log(`training ${sslRunName(objective, seed)} (${info.description}; ${info.paper}): ${steps} steps × ${budget.imagesPerStep} images`);
  const start = Date.now();
  let lastLine = 0;
  const result = await trainSsl({
    objective, seed, budget,
    checkpointSeconds: num(args, "checkpoint-every", 60),
    maxSteps: args["max-steps"] === undefined ? undefined : num(args, "max-steps", 0),
    // A trial budget gets its own run folder, so it never blocks (or is resumed as) the shipped run.
    runDir: args["run-dir"] ?? (budget.steps === SSL_BUDGET.steps ? undefined : path.resolve(__dirname, "..", "out", "runs", `${sslRunName(objective, seed)}-steps${budget.steps}`)),
    shipRoot: args["no-ship"] ? null : args["ship-root"],
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
