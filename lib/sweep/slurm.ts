/**
 * A plan on a SLURM cluster: one job array, one task per unfinished run. Each task runs its run's resumable command
 * (`npm run …`), so a task that is preempted, requeued (`scontrol requeue`) or stopped by its time limit continues
 * from its last checkpoint when it runs again: the trainers save on SIGTERM, and the task's shell waits for them.
 * Runs that come after others (`after`, e.g. RMA after its Oracle) go into a later array that SLURM starts when the
 * earlier one has ended (`--dependency=afterany`). Submissions are recorded in the plan's state folder, so `status` can show each run's SLURM job state
 * (from `scontrol show job`; accounting (`sacct`) is not needed).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { commandLine, RunSpec, shellQuote } from "./plan";
import { scriptCommandLine } from "./plans";

export interface SbatchOptions {
  planName: string;
  /** Project root: the tasks' working folder. */
  root: string;
  /** Where logs and the script go (the plan's state folder). */
  stateDir: string;
  partition?: string;
  /** CPUs per task (default 2: the Ant trainer's two simulation threads). */
  cpus?: number;
  /** Wall-time limit per task, as SLURM writes it (checked by `checkSlurmTime`). */
  time?: string;
  /** Which of several job arrays this is (runs that come after others go into later ones). */
  stage?: { index: number; count: number };
}

const TIME_FORMATS: [RegExp, string][] = [
  [/^\d+$/, "minutes"], [/^\d+:\d+$/, "minutes:seconds"], [/^\d+:\d+:\d+$/, "hours:minutes:seconds"],
  [/^\d+-\d+$/, "days-hours"], [/^\d+-\d+:\d+$/, "days-hours:minutes"], [/^\d+-\d+:\d+:\d+$/, "days-hours:minutes:seconds"],
];

/** Check a `--time` value against the formats sbatch accepts; the error names the value and the formats. */
export function checkSlurmTime(time: string): string {
  if (/^(INFINITE|UNLIMITED)$/i.test(time) || TIME_FORMATS.some(([re]) => re.test(time))) return time;
  throw new Error(`--time '${time}' is not a time SLURM accepts; use one of ${TIME_FORMATS.map(([, f]) => f).join(", ")} ` +
    `(e.g. 90, 12:00:00, 2-00:00:00) or UNLIMITED`);
}

/** The log file of a run (both `sweep run` and SLURM tasks append to it). */
export const runLogFile = (stateDir: string, name: string) => path.join(stateDir, "logs", `${name}.log`);

/** The sbatch script of a job array over `runs` (task i runs runs[i]). */
export function sbatchScript(runs: RunSpec[], o: SbatchOptions): string {
  if (runs.length === 0) throw new Error(`plan ${o.planName}: no runs to submit`);
  const cpus = o.cpus ?? 2;
  if (!(Number.isInteger(cpus) && cpus >= 1)) throw new Error(`--cpus must be a positive integer, got ${o.cpus}`);
  if (o.time !== undefined) checkSlurmTime(o.time);
  if (o.partition !== undefined && !/^[\w.-]+$/.test(o.partition)) throw new Error(`--partition '${o.partition}' is not a partition name`);
  const logs = path.join(path.resolve(o.stateDir), "logs");
  const q = shellQuote;
  const stage = !o.stage ? "" : `, stage ${o.stage.index} of ${o.stage.count}` +
    (o.stage.index > 1 ? ` (submit after stage ${o.stage.index - 1} with --dependency=afterany:<its job>)` : "");
  return [
    "#!/bin/bash",
    `# Plan ${o.planName}${stage}: ` +
      `${runs.length} unfinished run${runs.length === 1 ? "" : "s"}, one array task each (written by npm run sweep -- slurm).`,
    "# Each task runs its run's resumable command: a requeued or preempted task continues from its checkpoint.",
    `#SBATCH --job-name=${q(`sweep-${o.planName}`)}`,
    `#SBATCH --array=0-${runs.length - 1}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    `#SBATCH --chdir=${q(path.resolve(o.root))}`,
    `#SBATCH --output=${q(path.join(logs, "slurm-%A_%a.out"))}`,
    "#SBATCH --open-mode=append",
    "#SBATCH --requeue",
    "set -u",
    `export PATH=${q(path.join(path.resolve(o.root), "node_modules", ".bin"))}:"$PATH"`,
    `names=(${runs.map((r) => q(r.name)).join(" ")})`,
    'name=${names[$SLURM_ARRAY_TASK_ID]}',
    `log=${q(logs)}/$name.log`,
    `mkdir -p ${q(logs)}`,
    'echo "sweep: $(date -u +%FT%TZ) task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): $name" >>"$log"',
    'case $SLURM_ARRAY_TASK_ID in',
    "  # Each run's `npm run` command, run without npm so that SLURM's SIGTERM reaches the trainer.",
    ...runs.map((r, i) => `  ${i}) # ${commandLine(r)}\n     ${scriptCommandLine(o.root, r)} >>"$log" 2>&1 & ;;`),
    "esac",
    "child=$!",
    "# SLURM signals every process of the task; keep this shell alive until the trainer has saved its checkpoint.",
    `trap 'echo "sweep: SIGTERM; waiting for $name to save its checkpoint" >>"$log"' TERM`,
    "status=0",
    'wait "$child" || status=$?',
    'while kill -0 "$child" 2>/dev/null; do status=0; wait "$child" || status=$?; done',
    'echo "sweep: $(date -u +%FT%TZ) $name exited with status $status" >>"$log"',
    'exit "$status"',
    "",
  ].join("\n");
}

export interface Submission {
  jobId: string;
  /** Run names in array-task order. */
  runs: string[];
  submitted: string;
}

const submissionsFile = (stateDir: string) => path.join(stateDir, "slurm-jobs.json");

export function readSubmissions(stateDir: string): Submission[] {
  const file = submissionsFile(stateDir);
  if (!fs.existsSync(file)) return [];
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Submission[];
  } catch (e) {
    throw new Error(`the SLURM job record ${file} is corrupt (${e instanceof Error ? e.message : e}); delete it to forget old submissions`);
  }
}

/** True if `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * The runs grouped into job arrays that run one after another: a run goes one stage after the latest stage of the
 * runs it comes after (`after`); those already shipped do not count. A run waiting for one that is neither shipped
 * nor among `runs` is an error naming both.
 */
export function slurmStages(runs: RunSpec[], isShipped: (name: string) => boolean): RunSpec[][] {
  const stageOf = new Map<string, number>();
  const stages: RunSpec[][] = [];
  for (const run of runs) {
    let stage = 0;
    for (const before of run.after ?? []) {
      const s = stageOf.get(before);
      if (s !== undefined) stage = Math.max(stage, s + 1);
      else if (!isShipped(before)) throw new Error(`run '${run.name}' comes after '${before}', which is neither shipped nor selected: add it to --only, or ship it first`);
    }
    stageOf.set(run.name, stage);
    (stages[stage] ??= []).push(run);
  }
  return stages;
}

/** Submit a script with sbatch (after job `afterJob` has ended, if given) and record the job; returns the job id. */
export function submit(scriptFile: string, runs: RunSpec[], stateDir: string, afterJob?: string): string {
  const out = spawnSync("sbatch", ["--parsable", ...(afterJob ? [`--dependency=afterany:${afterJob}`] : []), scriptFile], { encoding: "utf8" });
  if (out.error) throw new Error(`sbatch failed to start: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`sbatch rejected ${scriptFile}: ${out.stderr.trim() || `exit status ${out.status}`}`);
  const jobId = out.stdout.trim().split(";")[0];
  const all = [...readSubmissions(stateDir), { jobId, runs: runs.map((r) => r.name), submitted: new Date().toISOString() }];
  fs.writeFileSync(submissionsFile(stateDir), JSON.stringify(all, null, 1) + "\n");
  return jobId;
}

/** Expand SLURM's task list syntax ("0", "1-3", "1,4-5%2") to indices. */
export function expandTaskIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split("%")[0].split(",")) {
    const [a, b] = part.split("-").map(Number);
    for (let i = a; i <= (Number.isFinite(b) ? b : a); i++) ids.push(i);
  }
  return ids;
}

/** State of every task of a job array that SLURM still knows (`scontrol show job -o`): task index → "RUNNING", … */
export function arrayTaskStates(jobId: string): Map<number, string> {
  const out = spawnSync("scontrol", ["show", "job", "-o", jobId], { encoding: "utf8" });
  const states = new Map<number, string>();
  if (out.status !== 0) return states; // finished long ago (SLURM forgets jobs after MinJobAge) or no SLURM here
  for (const line of out.stdout.split("\n")) {
    const task = /\bArrayTaskId=(\S+)/.exec(line)?.[1], state = /\bJobState=(\S+)/.exec(line)?.[1];
    if (!task || !state) continue;
    const restarts = Number(/\bRestarts=(\d+)/.exec(line)?.[1] ?? 0);
    for (const i of expandTaskIds(task)) states.set(i, restarts > 0 ? `${state} (requeued ${restarts}×)` : state);
  }
  return states;
}

/** Run name → "<state> (job <id>_<task>)" for the latest submission of each run that SLURM still knows. */
export function slurmRunStates(stateDir: string): Map<string, string> {
  const result = new Map<string, string>();
  if (!onPath("scontrol")) return result;
  for (const s of readSubmissions(stateDir)) { // later submissions overwrite earlier ones
    const states = arrayTaskStates(s.jobId);
    s.runs.forEach((name, i) => {
      const state = states.get(i);
      if (state) result.set(name, `${state} (job ${s.jobId}_${i})`);
    });
  }
  return result;
}
