/**
 * Plans: every training of the kit belongs to one (DESIGN.md, "Every training belongs to a plan"). A plan is the
 * list of runs that reproduce what a training script ships; each run is one resumable command with a stable name,
 * its run folder and the folders it ships. `npm run sweep` reads plans from the scripts themselves (their
 * `--plan --json` output) and runs, resumes and reports them here or on SLURM.
 *
 * How a training script offers its plan (scripts/train-vision.ts does this):
 *
 * ```ts
 * import { PLAN_FLAGS, printPlan, RunSpec } from "../lib/sweep/plan";
 * const KNOWN = [...theScriptsOptions, ...PLAN_FLAGS];
 * const args = parseOptions(process.argv.slice(2), KNOWN, [...theScriptsFlags, ...PLAN_FLAGS]);
 * if (args.plan) return printPlan(myRuns(), Boolean(args.json));   // myRuns(): RunSpec[]
 * ```
 *
 * `--plan` prints the commands, `--plan --json` the run specs (what sweep reads). A script whose name in
 * package.json starts with `train:` and that accepts `--plan` becomes the plan of that name (`train:ant` → `ant`).
 * Build the specs with the trainer's own helper (lib/vision/plan.ts `visionRunSpec`, lib/rl/learning/run-status.ts
 * `antRunSpec`), so that a run's name and folders are the ones its command really uses.
 */
import * as fs from "fs";
import * as path from "path";

/** What a run's budget counts: environment steps (RL), epochs, or optimizer steps. */
export type PlanUnit = "env steps" | "epochs" | "steps";
export const PLAN_UNITS: readonly PlanUnit[] = ["env steps", "epochs", "steps"];

/** One run of a plan: what `--plan --json` prints, one object per run. Paths are relative to the project root or absolute. */
export interface RunSpec {
  /** Stable name (the run folder's and the final shipped folder's name), e.g. "vision-cnn3-seed0". */
  name: string;
  /** Arguments of `npm run` that train it, resumably: ["train:vision", "--", "--model", "cnn3", …]. */
  command: string[];
  /** The run folder (its checkpoint is `<runDir>/checkpoint`). */
  runDir: string;
  /** The folder whose manifest.json says the run is finished and shipped. */
  shipDir: string;
  /** Every folder the run ships (snapshots, then shipDir); absent: only shipDir. */
  ships?: string[];
  /** The run's budget, in `unit`s (0 for a run that only writes its checkpoint, e.g. an untrained baseline). */
  total: number;
  unit: PlanUnit;
  /**
   * Where a partway run's checkpoint records how far it is: a dotted path into the checkpoint's state
   * (`<runDir>/checkpoint/checkpoint.json`, field `state`), in `unit`s, e.g. "ppo.globalStep" or "epoch".
   */
  progressField: string;
  /** Runs of the same plan that must be shipped before this one starts (e.g. RMA's phase 2 after its Oracle). */
  after?: string[];
  /** One line for people (e.g. the architecture). */
  description?: string;
  /**
   * The manifest field that says how far the shipped run trained, in `unit`s (e.g. "env_steps"): a shipped folder
   * whose manifest records less than `total` was made under an older, shorter plan, and counts as not shipped.
   */
  shippedField?: string;
  /** Machine time per unit measured for runs like this one (s), and where that was measured; status turns it into hours. */
  speed?: { secondsPerUnit: number; source: string };
}

/** The options every training script adds for its plan: `--plan` and `--json` (both bare flags). */
export const PLAN_FLAGS = ["plan", "json"] as const;

/** `npm run <command>` as one shell-quoted line. */
export function commandLine(spec: Pick<RunSpec, "command">): string {
  return ["npm", "run", ...spec.command].map(shellQuote).join(" ");
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Print a plan: the commands (for people) or the specs as a JSON array (`json`, for `npm run sweep`). */
export function printPlan(runs: RunSpec[], json: boolean): void {
  validatePlan(runs, process.argv[1] ? path.basename(process.argv[1]) : "printed");
  if (json) {
    console.log(JSON.stringify(runs, null, 1));
    return;
  }
  for (const r of runs) {
    console.log(`# ${r.name}${r.description ? `: ${r.description}` : ""} (${r.total.toLocaleString("en-US")} ${r.unit}; ships ${(r.ships ?? [r.shipDir]).join(", ")})`);
    console.log(commandLine(r));
  }
}

/** Check one run spec's fields; errors name the run (or `where` when it has no name) and the field. */
export function validateRunSpec(value: unknown, where: string): RunSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where} is not an object`);
  const r = value as Record<string, unknown>;
  const who = typeof r.name === "string" && r.name ? `run '${r.name}'` : where;
  const isString = (k: string) => typeof r[k] === "string" && (r[k] as string).length > 0;
  for (const k of ["name", "runDir", "shipDir", "progressField"]) {
    if (!isString(k)) throw new Error(`${who}: '${k}' must be a non-empty string`);
  }
  if (!/^[\w.@+-]+$/.test(r.name as string)) throw new Error(`${who}: the name may hold only letters, digits and . _ - + @`);
  if (!Array.isArray(r.command) || r.command.length === 0 || !r.command.every((w) => typeof w === "string")) {
    throw new Error(`${who}: 'command' must be a non-empty array of strings (the arguments of npm run)`);
  }
  if (r.ships !== undefined && !(Array.isArray(r.ships) && r.ships.every((s) => typeof s === "string" && s))) {
    throw new Error(`${who}: 'ships' must be an array of folder paths`);
  }
  if (r.after !== undefined && !(Array.isArray(r.after) && r.after.every((s) => typeof s === "string" && s))) {
    throw new Error(`${who}: 'after' must be an array of run names`);
  }
  if (typeof r.total !== "number" || !(r.total >= 0)) throw new Error(`${who}: 'total' must be a number ≥ 0`);
  if (r.shippedField !== undefined && !isString("shippedField")) throw new Error(`${who}: 'shippedField' must be a non-empty string`);
  if (r.speed !== undefined) {
    const sp = r.speed as Record<string, unknown> | null;
    if (!(sp && typeof sp.secondsPerUnit === "number" && sp.secondsPerUnit > 0 && typeof sp.source === "string")) {
      throw new Error(`${who}: 'speed' must be { secondsPerUnit: a number > 0, source: a string }`);
    }
  }
  if (!PLAN_UNITS.includes(r.unit as PlanUnit)) throw new Error(`${who}: 'unit' must be one of ${PLAN_UNITS.map((u) => `"${u}"`).join(", ")}`);
  return r as unknown as RunSpec;
}

/** Parse a plan's JSON (an array of run specs); `source` names where it came from in errors. Names must be unique. */
export function parsePlan(text: string, source: string): RunSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`plan ${source} is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (!Array.isArray(value)) throw new Error(`plan ${source} must be a JSON array of run specs`);
  return validatePlan(value, source);
}

/** Check every run spec, that names are unique, and that each run is listed after the runs it waits for. */
export function validatePlan(values: unknown[], source: string): RunSpec[] {
  const runs = values.map((v, i) => validateRunSpec(v, `plan ${source}, run ${i}`));
  const seen = new Set<string>();
  for (const r of runs) {
    if (seen.has(r.name)) throw new Error(`plan ${source} has two runs named '${r.name}'`);
    for (const before of r.after ?? []) {
      if (!runs.some((x) => x.name === before)) throw new Error(`plan ${source}: run '${r.name}' comes after '${before}', which is not in the plan`);
      // Listing every run after what it needs rules out cycles and makes the plan's order a valid order to run it in.
      if (!seen.has(before)) throw new Error(`plan ${source}: run '${r.name}' comes after '${before}', so it must be listed after it`);
    }
    seen.add(r.name);
  }
  return runs;
}

export function readPlanFile(file: string): RunSpec[] {
  if (!fs.existsSync(file)) throw new Error(`no plan file ${file}`);
  return parsePlan(fs.readFileSync(file, "utf8"), file);
}
