/**
 * Run settings shared by notebooks and scripts: lecture mode (default: shipped checkpoints, modest sample
 * sizes, minutes on a 2-core CPU) or full mode (KIT_MODE=full: retrain and evaluate at full size), and the
 * results file each notebook writes to out/results/<notebook>.json.
 */
import * as fs from "fs";
import * as path from "path";

export type KitMode = "lecture" | "full";

/** The mode this process runs in (KIT_MODE=lecture|full; default lecture). */
export function kitMode(): KitMode {
  const value = (process.env.KIT_MODE ?? "lecture").trim().toLowerCase();
  if (value !== "lecture" && value !== "full") {
    throw new Error(`KIT_MODE=${JSON.stringify(process.env.KIT_MODE)} is not a mode: use 'lecture' (default) or 'full'.`);
  }
  return value;
}

/** `lecture` in lecture mode, `full` otherwise: pick a size by mode. */
export function byMode<T>(lecture: T, full: T): T {
  return kitMode() === "full" ? full : lecture;
}

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Write a notebook's headline figures to out/results/<notebook>.json (plain numbers with names, seeds and
 * sample sizes) and return the path. `mode` and the time of writing are added.
 */
export function writeResults(notebook: string, results: Record<string, unknown>, outDir = path.join(ROOT, "out", "results")): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${notebook}.json`);
  const body = { notebook, mode: kitMode(), written_at: new Date().toISOString(), ...results };
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
  return file;
}
