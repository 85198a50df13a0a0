/**
 * A tiny plan through a real SLURM: a one-node cluster started here (lib/sweep/local-slurm.ts), `npm run sweep --
 * slurm --submit` of two short PPO runs and a one-epoch vision model, one task requeued after its first checkpoint,
 * then the manifests, the requeued run's log (it resumed, it did not restart) and `status`. Every daemon and job is
 * stopped at the end, also when a check fails. Installs Debian's SLURM packages if they are missing; skipped, saying
 * why, where they cannot be installed (no apt-get, not root).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { antRunSpec } from "../lib/rl/learning/run-status";
import { LocalSlurm, localSlurmUnavailable, startLocalSlurm } from "../lib/sweep/local-slurm";
import { commandLine, RunSpec } from "../lib/sweep/plan";
import { arrayTaskStates, checkSlurmTime, runLogFile } from "../lib/sweep/slurm";
import { visionRunSpec } from "../lib/vision/plan";
import { tempDir } from "./fixtures/temp-dir";

const ROOT = path.resolve(__dirname, "..");
const unavailable = localSlurmUnavailable({ install: true });
if (unavailable) console.warn(`test/sweep-slurm.test.ts skipped: ${unavailable}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|DEADLINE|PREEMPTED)/;

describe.skipIf(unavailable !== null)(unavailable ? `sweep on SLURM (skipped: ${unavailable})` : "sweep on a one-node SLURM cluster", () => {
  let cluster: LocalSlurm;
  let work: string;
  let planFile: string;
  let stateDir: string;
  let runs: RunSpec[];
  const sweep = (...args: string[]) => spawnSync("npm", ["run", "-s", "sweep", "--", ...args], { cwd: ROOT, env: cluster.env, encoding: "utf8" });

  beforeAll(async () => {
    work = tempDir("kit-sweep-");
    stateDir = path.join(work, "state");
    const ant = (sigma: number, steps: number) => antRunSpec({
      config: { policy: "simple", sigma, seed: 0, hidden: [64, 64] }, totalSteps: steps,
      extraArgs: ["--envs", "4", "--threads", "1", "--eval-morphologies", "2", "--checkpoint-every", "0"],
      runDir: path.join(work, "runs", `ant-${sigma}`), shipDir: path.join(work, "ship", `ant-${sigma}`),
    });
    runs = [
      ant(0.1, 4096),
      ant(0.3, 8192), // the one to requeue: long enough to be caught after its first checkpoint
      // After the first Ant run: a second job array that SLURM starts when the first has ended.
      { ...visionRunSpec({ architecture: "cnn2", seed: 0, epochs: 1, snapshots: [] }, {
        extraArgs: ["--images-per-object", "2", "--checkpoint-every", "1"], runDir: path.join(work, "runs", "vision"), shipRoot: path.join(work, "ship"),
      }), after: ["ant-simple-sigma0.1-seed0"] },
    ];
    planFile = path.join(work, "tiny.json");
    fs.writeFileSync(planFile, JSON.stringify(runs, null, 1));
    cluster = await startLocalSlurm();
    process.env.SLURM_CONF = cluster.env.SLURM_CONF; // for the library's own scontrol calls
  });

  afterAll(async () => {
    delete process.env.SLURM_CONF;
    await cluster?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("refuses the --time values sbatch refuses", () => {
    for (const time of ["90 min", "1h", "1:2:3:4", "abc", "2d", "1.5"]) {
      expect(cluster.run("sbatch", ["--test-only", `--time=${time}`, "--wrap=true"]).status, time).not.toBe(0);
      expect(() => checkSlurmTime(time), time).toThrow(/not a time SLURM accepts/);
    }
    for (const time of ["90", "30:00", "12:00:00", "1-0", "1-12:00", "2-00:00:00", "UNLIMITED"]) {
      expect(cluster.run("sbatch", ["--test-only", `--time=${time}`, "--wrap=true"]).status, time).toBe(0);
      expect(checkSlurmTime(time)).toBe(time);
    }
    const bad = sweep("slurm", planFile, "--time", "90 min", "--state-dir", stateDir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--time '90 min' is not a time SLURM accepts");
  });

  it("runs the tiny plan as a job array; a requeued task resumes from its checkpoint", async () => {
    const t0 = Date.now();
    const submitted = sweep("slurm", planFile, "--cpus", "1", "--time", "10:00", "--submit", "--state-dir", stateDir);
    expect(submitted.status, submitted.stderr).toBe(0);
    const jobs = [...submitted.stdout.matchAll(/submitted job (\d+) \(stage (\d) of 2/g)].map((m) => m[1]);
    expect(jobs, submitted.stdout).toHaveLength(2);
    expect(cluster.run("scontrol", ["show", "job", jobs[1]]).stdout).toContain(`Dependency=afterany:${jobs[0]}`);

    // Requeue task 1 as soon as its run folder holds a checkpoint.
    const target = runs[1];
    const checkpoint = path.join(target.runDir, "checkpoint", "checkpoint.json");
    while (!fs.existsSync(checkpoint)) {
      expect(Date.now() - t0, "the run to requeue wrote no checkpoint in 120 s").toBeLessThan(120_000);
      await sleep(100);
    }
    const requeue = cluster.run("scontrol", ["requeue", `${jobs[0]}_1`]);
    expect(requeue.status, requeue.stderr).toBe(0);
    const requeuedAt = Date.now();

    let states: string[] = [];
    while (true) {
      states = [...arrayTaskStates(jobs[0]).values(), ...arrayTaskStates(jobs[1]).values()];
      if (states.length === 3 && states.every((s) => TERMINAL.test(s))) break;
      expect(Date.now() - t0, `jobs ${jobs} still running after 240 s: ${JSON.stringify(states)}`).toBeLessThan(240_000);
      await sleep(500);
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`tiny plan on SLURM: ${seconds.toFixed(0)} s from sbatch to the last task's end; the requeued task ended ` +
      `${((Date.now() - requeuedAt) / 1000).toFixed(0)} s after its requeue; task states ${JSON.stringify(states)}`);
    expect(states.every((s) => s.startsWith("COMPLETED")), JSON.stringify(states)).toBe(true);
    expect(arrayTaskStates(jobs[0]).get(1)).toMatch(/requeued 1×/);

    // Every run shipped, by the plan's own command, with its full budget.
    for (const run of runs) {
      const manifest = JSON.parse(fs.readFileSync(path.join(run.shipDir, "manifest.json"), "utf8"));
      expect(manifest.command).toBe(commandLine(run));
      expect(run.unit === "epochs" ? manifest.epochs : manifest.env_steps).toBeGreaterThanOrEqual(run.total);
    }

    // The requeued run resumed from its checkpoint: its log holds both attempts, the second one resuming at step N > 0.
    const log = fs.readFileSync(runLogFile(stateDir, target.name), "utf8");
    expect(log).toMatch(/\(restart 0\)/);
    expect(log).toMatch(/\(restart 1\)/);
    const resumed = new RegExp(`resuming ${target.name} at step (\\d+)`).exec(log);
    expect(resumed, log).not.toBeNull();
    const step = Number(resumed![1]);
    console.log(`requeued run's log: "${resumed![0]}" of ${target.total}`);
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(target.total);
    expect(log.indexOf("(restart 1)")).toBeLessThan(log.indexOf(resumed![0]));
    for (const other of [runs[0], runs[2]]) expect(fs.readFileSync(runLogFile(stateDir, other.name), "utf8")).not.toMatch(/resuming/);

    // status: every run shipped, and its SLURM state.
    const status = sweep("status", planFile, "--state-dir", stateDir);
    expect(status.status, status.stderr).toBe(0);
    runs.forEach((run, i) => expect(status.stdout).toMatch(new RegExp(`${run.name}\\s+shipped\\s+.*COMPLETED.*\\(job ${i < 2 ? `${jobs[0]}_${i}` : `${jobs[1]}_0`}\\)`)));
    expect(status.stdout).toContain("3 runs: 3 shipped, 0 partway, 0 not started");
    console.log(status.stdout);

    // Nothing left to submit.
    const again = sweep("slurm", planFile, "--submit", "--state-dir", stateDir);
    expect(again.stdout).toContain("nothing to submit");
  }, 300_000);

  it("stops every daemon and job it started", async () => {
    const dir = cluster.dir;
    await cluster.stop();
    const left = fs.readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(dir) || fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
      } catch {
        return false;
      }
    });
    expect(left, `processes still using ${dir}`).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
