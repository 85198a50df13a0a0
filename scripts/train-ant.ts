/**
 * `npm run train:ant -- --policy simple|oracle|rma|tcn|dmap --sigma 0.3 --seed 0 [--steps N]`: train an Ant agent (default: the plan's budget, lib/rl/learning/plan.ts).
 * simple, oracle and tcn train with PPO; rma runs RMA's phase 2 from the Oracle of the same σ and seed
 * (data/checkpoints/ant-oracle-sigma<σ>-seed<S>, or --from DIR).
 * Resumable: run it again after an interruption and it continues from out/runs/<name>/checkpoint. When
 * finished, evaluates on the shipped test sets and writes data/checkpoints/<name>/ with a manifest.
 * `--plan` prints the commands that reproduce every shipped Ant policy (`--plan --json`: run specs for `npm run sweep`);
 * `npm run train:ant-pilot -- --plan` the pilots that chose PPO's settings and the budget (shipped to data/pilots/).
 * Options: --envs N (16), --threads N (2), --checkpoint-every S (60), --eval-morphologies N (100), --hidden 64,64,
 * --history H (RMA/TCN, 50), --from DIR (RMA), --run-dir DIR, --ship-dir DIR, --no-ship.
 * PPO settings (defaults in lib/rl/learning/ppo.ts PPO_DEFAULTS; a pilot that varies one uses these): --lr-schedule
 * adaptive|anneal|constant, --desired-kl K, --lr L (the starting rate), --epochs N, --minibatches N, --ent-coef C.
 */
import { agentConfig, parsePolicyKind } from "../lib/rl/learning/agent";
import { LR_SCHEDULES, LrSchedule, PpoOptions } from "../lib/rl/learning/ppo";
import { validateSigma } from "../lib/rl/env/morphology";
import { antPilotPlan, antPlan, PPO_BUDGET, RMA_PHASE2_BUDGET } from "../lib/rl/learning/plan";
import { runName, trainAnt, TrainLog } from "../lib/rl/learning/train";
import { PLAN_FLAGS, printPlan } from "../lib/sweep/plan";
import { numberOption as num, parseOptions } from "./cli";

const KNOWN = ["policy", "sigma", "seed", "steps", "envs", "threads", "checkpoint-every", "eval-morphologies", "run-dir", "ship-dir", "no-ship", "hidden", "history", "from",
  "lr-schedule", "desired-kl", "lr", "epochs", "minibatches", "ent-coef", "pilot", ...PLAN_FLAGS];

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "–");

function progressLine(l: TrainLog, eta: number): string {
  const head = `step ${l.globalStep.toLocaleString()} | return ${f(l.episodicReturn, 1)} (len ${f(l.episodicLength, 0)}) | ${l.stepsPerSecond.toFixed(0)} steps/s | `;
  const body = "approxKl" in l
    ? `KL ${f(l.approxKl, 4)} lr ${l.meanLearningRate.toExponential(1)} clip ${f(l.clipFraction)} EV ${f(l.explainedVariance, 2)}`
    : `latent MSE on-policy ${f(l.latentErrorOnPolicy, 4)} train ${f(l.latentErrorTrain, 4)} (dataset ${l.datasetSize})`;
  return `${head}${body} | ETA ${(eta / 60).toFixed(1)} min`;
}

/** The PPO settings given on the command line (only those; the rest keep PPO_DEFAULTS). */
function ppoSettings(args: Record<string, string>): Partial<PpoOptions> {
  const out: Partial<PpoOptions> = {};
  if (args["lr-schedule"] !== undefined) {
    if (!(LR_SCHEDULES as readonly string[]).includes(args["lr-schedule"])) {
      throw new Error(`--lr-schedule must be one of ${LR_SCHEDULES.join(", ")}, got '${args["lr-schedule"]}'`);
    }
    out.lrSchedule = args["lr-schedule"] as LrSchedule;
  }
  const numeric = { "desired-kl": "desiredKl", lr: "learningRate", epochs: "updateEpochs", minibatches: "numMinibatches", "ent-coef": "entCoef" } as const;
  for (const [flag, key] of Object.entries(numeric)) if (args[flag] !== undefined) out[key] = num(args, flag, NaN);
  return out;
}

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, ["no-ship", "pilot", ...PLAN_FLAGS]);
  // `train:ant-pilot` is this script with --pilot: its plan is the pilots' (lib/rl/learning/plan.ts ANT_PILOTS).
  if (args.plan) return printPlan(args.pilot ? antPilotPlan() : antPlan(), Boolean(args.json));
  const sigma = num(args, "sigma", 0.1);
  validateSigma(sigma);
  const config = agentConfig({
    policy: parsePolicyKind(args.policy ?? "simple"),
    sigma,
    seed: num(args, "seed", 0),
    hidden: (args.hidden ?? "64,64").split(",").map(Number),
    historyLength: args.history === undefined ? undefined : num(args, "history", 50),
  });
  const ppo = ppoSettings(args);
  if (config.policy === "rma" && Object.keys(ppo).length) {
    throw new Error(`RMA's phase 2 is a regression, not PPO: ${Object.keys(ppo).join(", ")} do not apply (its Oracle's PPO settings are in the Oracle's manifest)`);
  }
  if (args.from && config.policy !== "rma") throw new Error(`--from names the Oracle that RMA's phase 2 starts from; a ${config.policy} policy trains from scratch`);
  // The plan's budgets by default (lib/rl/learning/plan.ts): PPO's for every compared policy, phase 2's for RMA.
  const totalSteps = num(args, "steps", config.policy === "rma" ? RMA_PHASE2_BUDGET : PPO_BUDGET);
  console.log(`training ${runName(config)} for ${totalSteps.toLocaleString()} env steps`);
  const start = Date.now();
  let lastLine = 0;
  const numEnvs = num(args, "envs", 16);
  const result = await trainAnt({
    config, totalSteps,
    ppo: { ...ppo, numEnvs },
    adaptation: { numEnvs },
    teacher: args.from,
    threads: num(args, "threads", 2),
    checkpointSeconds: num(args, "checkpoint-every", 60),
    evalMorphologies: num(args, "eval-morphologies", 100),
    runDir: args["run-dir"],
    shipDir: args["no-ship"] ? null : args["ship-dir"],
    command: `npm run train:ant -- ${process.argv.slice(2).join(" ")}`,
    onIteration: (l, eta) => {
      if (Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      console.log(progressLine(l, eta));
    },
  });
  console.log(`${result.finished ? "finished" : "stopped (resume by running the same command)"} after ${((Date.now() - start) / 1000).toFixed(0)} s; run folder ${result.runDir}` + (result.shipDir ? `; shipped to ${result.shipDir}` : ""));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
