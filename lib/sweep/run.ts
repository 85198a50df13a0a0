/**
 * A plan run here: the unfinished runs one after another (or `jobs` at a time), each through its own resumable
 * command, so that interrupting the sweep (Ctrl-C: the trainers save a checkpoint on SIGINT) and running it again
 * continues where it stopped. One progress line per run and the plan's ETA: each run at its kind's measured speed
 * where the plan has one (as `status` counts), else at the pace of this sweep.
 * Each run's `npm run` command is run without npm (lib/sweep/plans.ts scriptCommandLine), so that a signal to the
 * sweep reaches the trainer.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { commitRunFolders } from "./commit";
import { commandLine, RunSpec } from "./plan";
import { npmPath, scriptCommandLine } from "./plans";
import { runLogFile } from "./slurm";
import { planHours, planTotals, runStatus } from "./status";

export interface RunHereOptions {
  root: string;
  stateDir: string;
  /** Runs at a time (default 1: the trainers use both cores of the development machine). */
  jobs?: number;
  /** Every run of the plan (to find the runs a selected one comes after; default: the runs given). */
  planRuns?: RunSpec[];
  /** Commit each run's shipped folders, or its run checkpoint when it stops partway, as it ends (lib/sweep/commit.ts). */
  commit?: boolean;
  /** Where progress lines go (default console.log). */
  say?: (line: string) => void;
}

export interface RunHereResult {
  /** Runs shipped by this sweep. */
  finished: string[];
  /** Runs whose command failed or stopped before shipping. */
  unfinished: { name: string; reason: string }[];
}

const duration = (s: number) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

export async function runPlanHere(planName: string, runs: RunSpec[], o: RunHereOptions): Promise<RunHereResult> {
  const say = o.say ?? ((l: string) => console.log(l));
  const jobs = o.jobs ?? 1;
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new Error(`--jobs must be a positive integer, got ${o.jobs}`);
  const todo = runs.filter((r) => runStatus(r, o.root).state !== "shipped");
  const result: RunHereResult = { finished: [], unfinished: [] };
  say(`plan ${planName}: ${runs.length - todo.length} of ${runs.length} runs shipped; ${todo.length} to run, ${jobs} at a time`);
  if (todo.length === 0) return result;

  let stopping = false;
  const onSignal = () => {
    if (!stopping) say("sweep: stopping after the running trainers have saved their checkpoints");
    stopping = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // Pace of this sweep, per unit: units trained and seconds spent (for the plan's ETA when its runs carry no speed).
  const pace = new Map<string, { units: number; seconds: number }>();
  const eta = () => {
    const statuses = runs.map((r) => runStatus(r, o.root));
    const parts = planTotals(statuses).map((t) => ({ unit: t.unit, left: t.total - t.done }));
    // Each run at its own kind's measured speed (as `status` counts): a plan of fast and slow kinds (Simple's
    // 5,000 env steps/s beside DMAP's 400) is not extrapolated from whichever ran first.
    const hours = planHours(statuses);
    if (hours.sources.length > 0 && hours.unmeasured === 0) {
      return parts.map((t) => `${t.left.toLocaleString("en-US")} ${t.unit} left`).join("; ") +
        (hours.remaining > 0 ? `, ETA ${duration((hours.remaining * 3600) / jobs)} at each run's measured speed` : "");
    }
    return parts.map((t) => {
      const p = pace.get(t.unit);
      return `${t.left.toLocaleString("en-US")} ${t.unit} left` + (p && p.units > 0 && t.left > 0 ? `, ETA ${duration((t.left * p.seconds) / p.units / jobs)} at this sweep's pace` : "");
    }).join("; ");
  };

  const runOne = (spec: RunSpec, k: number) => new Promise<void>((resolve) => {
    const before = runStatus(spec, o.root);
    say(`[${k}/${todo.length}] ${spec.name}: ${before.state}` + (before.state === "partway" ? ` at ${before.done.toLocaleString("en-US")}/${spec.total.toLocaleString("en-US")} ${spec.unit}` : "") + ` — ${commandLine(spec)}`);
    const logFile = runLogFile(o.stateDir, spec.name);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.createWriteStream(logFile, { flags: "a" });
    log.write(`sweep: ${new Date().toISOString()} run here: ${commandLine(spec)}\n`);
    const t0 = Date.now();
    // Ctrl-C in the terminal reaches the trainer directly (same process group); a SIGTERM to the sweep is passed on.
    const child = spawn("sh", ["-c", `exec ${scriptCommandLine(o.root, spec)}`], { cwd: o.root, env: { ...process.env, PATH: npmPath(o.root) }, stdio: ["ignore", "pipe", "pipe"] });
    const forward = () => child.kill("SIGTERM");
    process.on("SIGTERM", forward);
    const prefix = (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split("\n")) if (line.trim()) say(`  ${spec.name} | ${line}`);
    };
    child.stdout.on("data", prefix);
    child.stderr.on("data", prefix);
    child.on("close", (code, signal) => {
      process.removeListener("SIGTERM", forward);
      const seconds = (Date.now() - t0) / 1000;
      const after = runStatus(spec, o.root);
      const p = pace.get(spec.unit) ?? { units: 0, seconds: 0 };
      p.units += after.done - before.done;
      p.seconds += seconds;
      pace.set(spec.unit, p);
      log.end(`sweep: ${new Date().toISOString()} exited with ${signal ?? `status ${code}`}\n`);
      if (after.state === "shipped") {
        result.finished.push(spec.name);
        say(`[${k}/${todo.length}] ${spec.name}: shipped after ${duration(seconds)}; plan: ${eta()}`);
      } else {
        const at = `${after.done.toLocaleString("en-US")}/${spec.total.toLocaleString("en-US")} ${spec.unit}`;
        const reason = code === 0 || stopping ? `stopped at ${at}` : `failed (${signal ?? `exit status ${code}`}; log ${logFile})`;
        result.unfinished.push({ name: spec.name, reason });
        say(`[${k}/${todo.length}] ${spec.name}: ${reason}; plan: ${eta()}`);
      }
      if (o.commit) {
        try {
          const subject = commitRunFolders(o.root, spec, after, planName);
          say(`  ${spec.name} | ${subject ? `committed: ${subject}` : "nothing new to commit"}`);
        } catch (e) {
          say(`  ${spec.name} | not committed: ${(e as Error).message}`);
        }
      }
      resolve();
    });
  });

  // Start runs in plan order as slots free up; a run waits until the runs it comes after are shipped, and is
  // skipped when one of them did not ship.
  const pending = [...todo];
  const running = new Map<string, Promise<string>>();
  const wanted = (name: string) => pending.some((r) => r.name === name) || running.has(name);
  const shipped = (name: string) => {
    const spec = (o.planRuns ?? runs).find((r) => r.name === name);
    return spec !== undefined && runStatus(spec, o.root).state === "shipped";
  };
  let k = 0;
  try {
    while (!stopping && pending.length > 0) {
      for (const spec of [...pending]) {
        const missing = (spec.after ?? []).filter((d) => !shipped(d) && !wanted(d));
        if (missing.length) {
          pending.splice(pending.indexOf(spec), 1);
          const reason = `skipped: it comes after ${missing.join(", ")}, not shipped`;
          result.unfinished.push({ name: spec.name, reason });
          say(`${spec.name}: ${reason}`);
        }
      }
      const ready = pending.find((r) => (r.after ?? []).every(shipped));
      if (ready && running.size < jobs) {
        pending.splice(pending.indexOf(ready), 1);
        running.set(ready.name, runOne(ready, ++k).then(() => ready.name));
      } else if (running.size > 0) {
        running.delete(await Promise.race(running.values()));
      } else {
        break;
      }
    }
    await Promise.all(running.values());
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  return result;
}
