/**
 * `npm run train:ant -- --policy simple --sigma 0.1 --seed 0 --steps 3000000`: train an Ant agent with PPO.
 * Resumable: run it again after an interruption and it continues from out/runs/<name>/checkpoint. When
 * finished, evaluates on the shipped test sets and writes data/checkpoints/<name>/ with a manifest.
 * Options: --envs N (16), --threads N (2), --checkpoint-every S (60), --eval-morphologies N (100),
 * --run-dir DIR, --ship-dir DIR, --no-ship.
 */
import { parsePolicyKind } from "../lib/rl/agent";
import { validateSigma } from "../lib/rl/morphology";
import { runName, trainAnt } from "../lib/rl/train";
import { numberOption as num, parseOptions } from "./cli";


const KNOWN = ["policy", "sigma", "seed", "steps", "envs", "threads", "checkpoint-every", "eval-morphologies", "run-dir", "ship-dir", "no-ship", "hidden"];

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, ["no-ship"]);
  const sigma = num(args, "sigma", 0.1);
  validateSigma(sigma);
  const config = {
    policy: parsePolicyKind(args.policy ?? "simple"),
    sigma,
    seed: num(args, "seed", 0),
    hidden: (args.hidden ?? "64,64").split(",").map(Number),
  };
  const totalSteps = num(args, "steps", 3_000_000);
  console.log(`training ${runName(config)} for ${totalSteps.toLocaleString()} env steps`);
  const start = Date.now();
  let lastLine = 0;
  const result = await trainAnt({
    config, totalSteps,
    ppo: { numEnvs: num(args, "envs", 16) },
    threads: num(args, "threads", 2),
    checkpointSeconds: num(args, "checkpoint-every", 60),
    evalMorphologies: num(args, "eval-morphologies", 100),
    runDir: args["run-dir"],
    shipDir: args["no-ship"] ? null : args["ship-dir"],
    command: `npm run train:ant -- ${process.argv.slice(2).join(" ")}`,
    onIteration: (l, eta) => {
      if (Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "–");
      console.log(
        `step ${l.globalStep.toLocaleString()} | return ${f(l.episodicReturn, 1)} (len ${f(l.episodicLength, 0)}) | ` +
        `${l.stepsPerSecond.toFixed(0)} steps/s | KL ${f(l.approxKl, 4)} clip ${f(l.clipFraction)} EV ${f(l.explainedVariance, 2)} | ` +
        `ETA ${(eta / 60).toFixed(1)} min`,
      );
    },
  });
  console.log(`${result.finished ? "finished" : "stopped (resume by running the same command)"} after ${((Date.now() - start) / 1000).toFixed(0)} s; run folder ${result.runDir}` + (result.shipDir ? `; shipped to ${result.shipDir}` : ""));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
