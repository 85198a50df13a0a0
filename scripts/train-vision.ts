/**
 * `npm run train:vision -- --model cnn3 --epochs 12 --seed 0`: train one network of the notebook-01 zoo
 * (lib/vision/models.ts) on 8-way categorisation of HvM-like images (Yamins et al. 2014's goal-driven models).
 * Resumable: run the same command again after an interruption and it continues from out/runs/<name>/checkpoint.
 * Ships snapshots (after --snapshots epochs, default 1) and the final model, each evaluated on held-out images,
 * to data/checkpoints/vision-<model>-seed<S>[-epoch<E>]/ with a manifest.
 * Options: --batch N (64), --lr X (0.001), --images-per-object N (16), --checkpoint-every S (60),
 * --snapshots 1,3 (epochs; "none" for none), --run-dir DIR, --ship-root DIR, --no-ship.
 * `--plan` (alias `--zoo`) prints the commands that train the zoo data/checkpoints/ ships, `--plan --json` the same
 * as run specs for `npm run sweep` (lib/sweep/plan.ts).
 */
import { PLAN_FLAGS, printPlan } from "../lib/sweep/plan";
import { ARCHITECTURE_NAMES, architecture, ZOO } from "../lib/vision/models";
import { visionZooPlan } from "../lib/vision/plan";
import { trainVisionModel, visionRunName } from "../lib/vision/train";
import { numberOption as num, parseOptions } from "./cli";

const FLAGS = ["no-ship", "zoo", ...PLAN_FLAGS];
const KNOWN = ["model", "epochs", "seed", "batch", "lr", "images-per-object", "checkpoint-every", "snapshots", "run-dir", "ship-root", ...FLAGS];


async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), KNOWN, FLAGS);
  if (args.plan || args.zoo) {
    printPlan(visionZooPlan(), Boolean(args.json));
    return;
  }
  if (!args.model) throw new Error(`--model is required: one of ${ARCHITECTURE_NAMES.join(", ")}`);
  const spec = architecture(args.model);
  const zoo = ZOO.find((z) => z.architecture === spec.name);
  const seed = num(args, "seed", 0);
  const epochs = num(args, "epochs", zoo?.epochs ?? 10);
  const snapshots = args.snapshots === "none" ? [] : args.snapshots ? args.snapshots.split(",").map(Number) : zoo?.snapshots ?? [1];
  console.log(`training ${visionRunName(spec, seed)} (${spec.description}) for ${epochs} epochs`);
  const start = Date.now();
  let lastLine = 0;
  const result = await trainVisionModel({
    architecture: spec, seed, epochs, snapshots,
    batchSize: num(args, "batch", 64),
    learningRate: num(args, "lr", 1e-3),
    imagesPerObject: num(args, "images-per-object", 16),
    checkpointSeconds: num(args, "checkpoint-every", 60),
    runDir: args["run-dir"],
    shipRoot: args["no-ship"] ? null : args["ship-root"],
    command: `npm run train:vision -- ${process.argv.slice(2).join(" ")}`,
    onStep: (l, eta) => {
      if (Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      console.log(`step ${l.step} | epoch ${l.epoch.toFixed(2)}/${epochs} | loss ${l.loss.toFixed(3)} | ${l.stepsPerSecond.toFixed(1)} steps/s | ETA ${(eta / 60).toFixed(1)} min`);
    },
  });
  result.model.dispose();
  console.log(
    `${result.finished ? "finished" : "stopped (resume by running the same command)"} after ${((Date.now() - start) / 1000).toFixed(0)} s; ` +
    `run folder ${result.runDir}` + (result.shipped.length ? `; shipped ${result.shipped.join(", ")}` : ""),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
