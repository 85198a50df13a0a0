/**
 * The vision zoo as a plan (lib/sweep/plan.ts): one run per zoo entry, with the command `npm run train:vision`
 * runs and the folders it writes (lib/vision/train.ts: out/runs/<name>/, data/checkpoints/<name>[-epoch<E>]/).
 */
import * as path from "path";
import type { RunSpec } from "../sweep/plan";
import { architecture, visionCheckpointName, ZOO, ZooEntry } from "./models";

export interface VisionRunOptions {
  /** Options passed on to train:vision after the zoo entry's own (e.g. ["--images-per-object", "2"]). */
  extraArgs?: string[];
  /** Run folder (default out/runs/<name>, relative to the project root). */
  runDir?: string;
  /** Where the run ships (default data/checkpoints). */
  shipRoot?: string;
}

/** The run that trains one zoo entry. */
export function visionRunSpec(entry: ZooEntry, options: VisionRunOptions = {}): RunSpec {
  const name = visionCheckpointName(entry.architecture, entry.seed);
  const shipRoot = options.shipRoot ?? path.join("data", "checkpoints");
  const snapshots = entry.snapshots.filter((e) => e < entry.epochs); // the trainer ships no snapshot at or past the end
  const args = [
    "--model", entry.architecture, "--epochs", String(entry.epochs), "--seed", String(entry.seed),
    "--snapshots", snapshots.length ? snapshots.join(",") : "none",
    ...(options.extraArgs ?? []),
    ...(options.runDir ? ["--run-dir", options.runDir] : []),
    ...(options.shipRoot ? ["--ship-root", options.shipRoot] : []),
  ];
  return {
    name,
    command: ["train:vision", "--", ...args],
    runDir: options.runDir ?? path.join("out", "runs", name),
    shipDir: path.join(shipRoot, name),
    ships: [...snapshots.map((e) => path.join(shipRoot, visionCheckpointName(entry.architecture, entry.seed, e))), path.join(shipRoot, name)],
    total: entry.epochs,
    unit: "epochs",
    // Whole epochs done (lib/vision/train.ts writes a checkpoint at every epoch's end).
    progressField: "epoch",
    description: architecture(entry.architecture).description,
  };
}

/** Notebook 01's zoo: what data/checkpoints/vision-* holds. */
export function visionZooPlan(): RunSpec[] {
  return ZOO.map((entry) => visionRunSpec(entry));
}
