/**
 * Finding plans: every package.json script named `train:<plan>` is asked for its plan (`--plan --json`); a
 * script that does not accept `--plan` yet is listed as having none. A path to a JSON file of run specs is a plan
 * too (tests and one-off sweeps use that).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parsePlan, readPlanFile, RunSpec, shellQuote } from "./plan";

export interface PlanSource {
  /** The plan's name: the script's name without `train:`. */
  name: string;
  /** The npm script, e.g. "train:vision". */
  script: string;
}

export interface LoadedPlan {
  name: string;
  /** Where it came from: "npm run train:vision -- --plan --json" or the plan file. */
  source: string;
  runs: RunSpec[];
}

const npmScripts = (root: string) =>
  (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};

export function planSources(root: string): PlanSource[] {
  return Object.keys(npmScripts(root)).filter((s) => s.startsWith("train:")).map((script) => ({ name: script.slice("train:".length), script }));
}

/**
 * The shell line `npm run <command>` runs (the package.json script and the arguments after "--"), to run with
 * node_modules/.bin on PATH. Sweeps run this rather than npm: SLURM's and the sweep's SIGTERM then reach the trainer
 * (measured here: processes under `npm run` never got the SIGTERM of `scontrol requeue`, nor its SIGKILL).
 */
export function scriptCommandLine(root: string, spec: RunSpec): string {
  const [script, dashes, ...args] = spec.command;
  const text = npmScripts(root)[script];
  if (text === undefined) throw new Error(`run '${spec.name}': package.json has no script '${script}'`);
  if (dashes !== undefined && dashes !== "--") throw new Error(`run '${spec.name}': the command must be [script, "--", options…], got ${JSON.stringify(spec.command)}`);
  return [text, ...args.map(shellQuote)].join(" ");
}

/** PATH with the project's node_modules/.bin first, as npm run has it. */
export const npmPath = (root: string) => `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`;

/** The plan a script prints, or the reason it has none (the script does not accept --plan yet, or failed). */
export function planFromScript(root: string, source: PlanSource): LoadedPlan | { name: string; source: string; missing: string } {
  const where = `npm run ${source.script} -- --plan --json`;
  const out = spawnSync("npm", ["run", "-s", source.script, "--", "--plan", "--json"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (out.status !== 0) {
    const err = `${out.stderr ?? ""}${out.error ? out.error.message : ""}`.trim();
    const reason = /unknown option --plan/.test(err) ? `${source.script} has no --plan yet` : `${where} failed: ${err.split("\n").slice(-3).join(" ")}`;
    return { name: source.name, source: where, missing: reason };
  }
  return { name: source.name, source: where, runs: parsePlan(out.stdout, `'${source.name}' (${where})`) };
}

/** A plan by name (a `train:<name>` script) or by path to a JSON file of run specs; unknown names list the plans. */
export function loadPlan(root: string, nameOrFile: string): LoadedPlan {
  if (nameOrFile.endsWith(".json") || nameOrFile.includes("/")) {
    return { name: path.basename(nameOrFile, ".json"), source: nameOrFile, runs: readPlanFile(nameOrFile) };
  }
  const sources = planSources(root);
  const source = sources.find((s) => s.name === nameOrFile);
  if (!source) {
    throw new Error(`unknown plan '${nameOrFile}'; plans: ${sources.map((s) => s.name).join(", ") || "none"} (or a JSON file of run specs)`);
  }
  const plan = planFromScript(root, source);
  if ("missing" in plan) throw new Error(`plan '${nameOrFile}': ${plan.missing}`);
  return plan;
}

/** The runs named in `only` (all when empty); an unknown name is an error that lists the plan's runs. */
export function selectRuns(plan: LoadedPlan, only: string[]): RunSpec[] {
  for (const name of only) {
    if (!plan.runs.some((r) => r.name === name)) {
      throw new Error(`unknown run '${name}' in plan ${plan.name}; its runs: ${plan.runs.map((r) => r.name).join(", ")}`);
    }
  }
  return only.length ? plan.runs.filter((r) => only.includes(r.name)) : plan.runs;
}
