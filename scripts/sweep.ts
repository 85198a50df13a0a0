/**
 * `npm run sweep -- <command>`: the kit's trainings as plans (lib/sweep), run here or on a SLURM cluster.
 *
 *   list                              the plans (from each train:<plan> script's --plan) and their sizes
 *   status [PLAN…]                    every run: shipped, partway (step of total) or not started; SLURM job states.
 *                                     Without a plan: every plan, and shipped folders that belong to none
 *   run PLAN [PLAN…] [--only NAME…] [--jobs N] [--commit]
 *                                     train the unfinished runs here, one after another (resumes partway ones); with
 *                                     several plans, each in turn, the next only once the one before has finished
 *                                     (--state-dir DIR then holds DIR/<plan>); --commit: each run's shipped folders,
 *                                     or its run checkpoint when it stops partway, committed to git as it ends
 *   slurm PLAN [--only NAME…] [--partition P] [--cpus N] [--time T] [--submit]
 *                                     write an sbatch job array (one task per unfinished run); --submit submits it
 *   gather PLAN [--out DIR]           results.json and results.csv of every shipped run's manifest figures
 *
 * PLAN is a plan's name or a JSON file of run specs (what `--plan --json` prints). Logs, sbatch scripts and the
 * record of SLURM submissions go to out/sweeps/<plan>/ (--state-dir DIR to change).
 */
import * as fs from "fs";
import * as path from "path";
import { gatherRows, writeGathered } from "../lib/sweep/gather";
import { RunSpec } from "../lib/sweep/plan";
import { LoadedPlan, loadPlan, planFromScript, planSources, selectRuns } from "../lib/sweep/plans";
import { runPlanHere } from "../lib/sweep/run";
import { checkSlurmTime, onPath, sbatchScript, slurmRunStates, slurmStages, submit } from "../lib/sweep/slurm";
import { formatStatus, planTotals, resolveIn, runStatus, textTable } from "../lib/sweep/status";

const ROOT = path.resolve(__dirname, "..");
const COMMANDS = ["list", "status", "run", "slurm", "gather"] as const;
const OPTIONS: Record<string, "value" | "values" | "flag"> = {
  only: "values", jobs: "value", commit: "flag", partition: "value", cpus: "value", time: "value", submit: "flag", out: "value", "state-dir": "value",
};
const ALLOWED: Record<(typeof COMMANDS)[number], string[]> = {
  list: [], status: ["state-dir"], run: ["only", "jobs", "state-dir", "commit"], slurm: ["only", "partition", "cpus", "time", "submit", "state-dir"], gather: ["out"],
};

interface Parsed { command: (typeof COMMANDS)[number]; plans: string[]; options: Record<string, string[]> }

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as Parsed["command"])) {
    throw new Error(`${command ? `unknown command '${command}'` : "no command"}; commands: ${COMMANDS.join(", ")} (see scripts/sweep.ts)`);
  }
  const allowed = ALLOWED[command as Parsed["command"]];
  const plans: string[] = [], options: Record<string, string[]> = {};
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i].startsWith("--")) { plans.push(rest[i]); continue; }
    const key = rest[i].slice(2);
    if (!allowed.includes(key)) throw new Error(`unknown option --${key} for ${command}; known: ${allowed.map((k) => "--" + k).join(", ") || "none"}`);
    const values = options[key] ?? (options[key] = []);
    if (OPTIONS[key] === "flag") values.push("1");
    else if (OPTIONS[key] === "value") {
      if (i + 1 >= rest.length || rest[i + 1].startsWith("--")) throw new Error(`--${key} needs a value`);
      values.push(rest[++i]);
    } else {
      while (i + 1 < rest.length && !rest[i + 1].startsWith("--")) values.push(...rest[++i].split(",").filter(Boolean));
      if (values.length === 0) throw new Error(`--${key} needs at least one run name`);
    }
  }
  return { command: command as Parsed["command"], plans, options };
}

const one = (o: Record<string, string[]>, key: string) => o[key]?.[o[key].length - 1];
const positiveInt = (o: Record<string, string[]>, key: string): number | undefined => {
  const v = one(o, key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${key} must be a positive integer, got '${v}'`);
  return Number(v);
};
const stateDirOf = (plan: LoadedPlan, o: Record<string, string[]>) => path.resolve(one(o, "state-dir") ?? path.join(ROOT, "out", "sweeps", plan.name));
const rel = (p: string) => (path.relative(ROOT, p).startsWith("..") ? p : path.relative(ROOT, p));

function onePlan(p: Parsed): LoadedPlan {
  if (p.plans.length !== 1) throw new Error(`${p.command} takes one plan (a name from \`npm run sweep -- list\` or a JSON file of run specs), got ${p.plans.length}`);
  return loadPlan(ROOT, p.plans[0]);
}

function list(): void {
  const rows = [["plan", "runs", "budget", "from"]];
  for (const source of planSources(ROOT)) {
    const plan = planFromScript(ROOT, source);
    if ("missing" in plan) { rows.push([plan.name, "-", plan.missing, plan.source]); continue; }
    rows.push([plan.name, String(plan.runs.length), planTotals(plan.runs.map((r) => runStatus(r, ROOT))).map((t) => `${t.total.toLocaleString("en-US")} ${t.unit}`).join(" + "), plan.source]);
  }
  console.log(textTable(rows));
}

/** Shipped folders of data/checkpoints that no plan lists (e.g. from a script that has no --plan yet). */
function unplannedShipped(plans: LoadedPlan[]): string[] {
  const root = path.join(ROOT, "data", "checkpoints");
  if (!fs.existsSync(root)) return [];
  const planned = new Set(plans.flatMap((p) => p.runs.flatMap((r: RunSpec) => (r.ships ?? [r.shipDir]).map((d) => resolveIn(ROOT, d)))));
  return fs.readdirSync(root).map((d) => path.join(root, d)).filter((d) => fs.existsSync(path.join(d, "manifest.json")) && !planned.has(d));
}

function status(p: Parsed): void {
  const whole = p.plans.length === 0;
  const plans: LoadedPlan[] = [];
  if (whole) {
    for (const source of planSources(ROOT)) {
      const plan = planFromScript(ROOT, source);
      if ("missing" in plan) console.log(`plan ${plan.name}: none (${plan.missing})\n`);
      else plans.push(plan);
    }
  } else {
    plans.push(...p.plans.map((name) => loadPlan(ROOT, name)));
  }
  for (const plan of plans) {
    const states = slurmRunStates(stateDirOf(plan, p.options));
    console.log(formatStatus(plan.name, plan.runs.map((r) => runStatus(r, ROOT)), ROOT, states.size ? states : undefined) + "\n");
  }
  if (whole) {
    const orphans = unplannedShipped(plans);
    console.log(orphans.length ? `shipped but in no plan: ${orphans.map(rel).join(", ")}` : "every shipped folder under data/checkpoints belongs to a plan");
  }
}

async function run(p: Parsed): Promise<void> {
  if (p.plans.length === 0) throw new Error("run takes one or more plans (names from `npm run sweep -- list` or JSON files of run specs), got none");
  if (p.plans.length > 1 && p.options.only) throw new Error(`--only picks runs of one plan; got ${p.plans.length} plans (${p.plans.join(", ")})`);
  // Every plan is loaded (and so checked) before the first run starts; with several, --state-dir DIR holds DIR/<plan>.
  const plans = p.plans.map((name) => loadPlan(ROOT, name));
  const given = one(p.options, "state-dir");
  for (const plan of plans) {
    const stateDir = given && plans.length > 1 ? path.resolve(given, plan.name) : stateDirOf(plan, p.options);
    const result = await runPlanHere(plan.name, selectRuns(plan, p.options.only ?? []), {
      root: ROOT, stateDir, jobs: positiveInt(p.options, "jobs") ?? 1, planRuns: plan.runs, commit: Boolean(p.options.commit),
    });
    if (result.unfinished.length) {
      const later = plans.slice(plans.indexOf(plan) + 1).map((q) => q.name);
      console.log(`unfinished: ${result.unfinished.map((u) => `${u.name} (${u.reason})`).join("; ")}; run the same command again to continue${later.length ? ` (plans not begun: ${later.join(", ")})` : ""}`);
      process.exitCode = 1;
      return;
    }
  }
}

function slurm(p: Parsed): void {
  const time = one(p.options, "time");
  if (time !== undefined) checkSlurmTime(time);
  const plan = onePlan(p);
  const runs = selectRuns(plan, p.options.only ?? []).filter((r) => runStatus(r, ROOT).state !== "shipped");
  if (runs.length === 0) { console.log(`plan ${plan.name}: every selected run is shipped; nothing to submit`); return; }
  const stateDir = stateDirOf(plan, p.options);
  const stages = slurmStages(runs, (name) => plan.runs.some((r) => r.name === name && runStatus(r, ROOT).state === "shipped"));
  fs.mkdirSync(path.join(stateDir, "logs"), { recursive: true });
  const files = stages.map((stageRuns, k) => {
    const file = path.join(stateDir, stages.length === 1 ? `${plan.name}.sbatch` : `${plan.name}-stage${k + 1}.sbatch`);
    fs.writeFileSync(file, sbatchScript(stageRuns, {
      planName: plan.name, root: ROOT, stateDir, partition: one(p.options, "partition"), cpus: positiveInt(p.options, "cpus"), time,
      stage: stages.length > 1 ? { index: k + 1, count: stages.length } : undefined,
    }));
    return file;
  });
  const later = (k: number) => (k === 0 ? "" : ` --dependency=afterany:<job of stage ${k}>`);
  if (!p.options.submit || !onPath("sbatch")) {
    for (const file of files) console.log(fs.readFileSync(file, "utf8"));
    console.log(`# written to ${files.map(rel).join(", ")}; submit with: ${files.map((f, k) => `sbatch${later(k)} ${rel(f)}`).join(", then ")}` +
      (p.options.submit ? "" : " (or add --submit)"));
    if (p.options.submit) throw new Error("sbatch is not on PATH here: nothing submitted. Submit the scripts above on the cluster, as shown");
    return;
  }
  let previous: string | undefined;
  stages.forEach((stageRuns, k) => {
    previous = submit(files[k], stageRuns, stateDir, previous);
    console.log(`submitted job ${previous}${stages.length > 1 ? ` (stage ${k + 1} of ${stages.length}${k ? `, after job of stage ${k}` : ""})` : ""}: ` +
      `${stageRuns.length} task${stageRuns.length === 1 ? "" : "s"} (${stageRuns.map((r, i) => `${i} ${r.name}`).join(", ")})`);
  });
  console.log(`logs: ${rel(path.join(stateDir, "logs"))}/<run>.log; progress: npm run sweep -- status ${p.plans[0]}${one(p.options, "state-dir") ? ` --state-dir ${one(p.options, "state-dir")}` : ""}`);
}

function gather(p: Parsed): void {
  const plan = onePlan(p);
  const rows = gatherRows(plan.runs, ROOT);
  const { json, csv } = writeGathered(rows, path.resolve(one(p.options, "out") ?? path.join(ROOT, "out", "sweeps", plan.name)));
  console.log(`${rows.length} shipped folder${rows.length === 1 ? "" : "s"} of ${plan.runs.length} runs → ${rel(json)}, ${rel(csv)}`);
}

async function main(): Promise<void> {
  const p = parse(process.argv.slice(2));
  if (p.command === "list") list();
  else if (p.command === "status") status(p);
  else if (p.command === "run") await run(p);
  else if (p.command === "slurm") slurm(p);
  else gather(p);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
