/**
 * Sweeps without SLURM: the plan contract (train:vision's --plan against data/checkpoints/), status read from files,
 * errors that name what is wrong, the sbatch script, a tiny plan run here (and resumed), gather.
 * test/sweep-slurm.test.ts runs a plan through a real SLURM.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { commitRunFolders } from "../lib/sweep/commit";
import { toCsv } from "../lib/sweep/gather";
import { commandLine, parsePlan, RunSpec, validateRunSpec } from "../lib/sweep/plan";
import { checkSlurmTime, expandTaskIds, sbatchScript, slurmStages } from "../lib/sweep/slurm";
import { planHours, runStatus } from "../lib/sweep/status";
import { tempDir } from "./fixtures/temp-dir";

const ROOT = path.resolve(__dirname, "..");
const CHECKPOINTS = path.join(ROOT, "data", "checkpoints");
const npm = (...args: string[]) => spawnSync("npm", ["run", "-s", ...args], { cwd: ROOT, encoding: "utf8" });
const work = tempDir("kit-sweep-unit-");

/** A run spec in `work`, with the Ant trainer's progress field. */
const fakeRun = (name: string, total = 4096): RunSpec => ({
  name, command: ["train:ant", "--", "--steps", String(total)], runDir: path.join(work, "runs", name), shipDir: path.join(work, "ship", name),
  total, unit: "env steps", progressField: "ppo.globalStep",
});
const writeJson = (file: string, value: unknown) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value)); };
const writePlan = (name: string, runs: RunSpec[]) => { const file = path.join(work, `${name}.json`); writeJson(file, runs); return file; };

describe("the vision plan", () => {
  const printed = npm("train:vision", "--", "--plan", "--json");
  const runs = parsePlan(printed.stdout, "train:vision --plan --json");

  it("lists the zoo with the commands that made data/checkpoints/vision-*", () => {
    expect(printed.status, printed.stderr).toBe(0);
    expect(runs.map((r) => r.name)).toEqual(["vision-cnn2-seed0", "vision-cnn3-seed0", "vision-cnn4-seed0", "vision-wide3-seed0"]);
    for (const run of runs) {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, run.shipDir, "manifest.json"), "utf8"));
      expect(manifest.command).toBe(commandLine(run));
      expect(manifest.epochs).toBe(run.total);
    }
    const shipped = fs.readdirSync(CHECKPOINTS).filter((d) => d.startsWith("vision-"));
    expect(runs.flatMap((r) => r.ships ?? [r.shipDir]).map((d) => path.basename(d)).sort()).toEqual(shipped.sort());
  });

  it("--plan prints the commands; --zoo is the same", () => {
    const human = npm("train:vision", "--", "--plan");
    expect(human.stdout).toContain("npm run train:vision -- --model cnn3 --epochs 25 --seed 0 --snapshots 1,3");
    expect(npm("train:vision", "--", "--zoo").stdout).toBe(human.stdout);
  });

  it("sweep status matches data/checkpoints/: every vision run shipped, every other shipped folder named", () => {
    const out = npm("sweep", "--", "status");
    expect(out.status, out.stderr).toBe(0);
    for (const run of runs) expect(out.stdout).toMatch(new RegExp(`${run.name}\\s+shipped\\s+${run.total}/${run.total} epochs\\s+3/3`));
    expect(out.stdout).toContain("4 runs: 4 shipped, 0 partway, 0 not started; 90 of 90 epochs done, 0 remaining");
    // Each shipped folder is a run of some plan (its row), a vision snapshot, or listed as belonging to no plan.
    const snapshots = new Set(runs.flatMap((r) => r.ships ?? []).map((d) => path.basename(d)));
    for (const folder of fs.readdirSync(CHECKPOINTS)) expect(out.stdout.includes(folder) || snapshots.has(folder), folder).toBe(true);
  });
});

describe("status from the files", () => {
  it("tells shipped, partway (from the checkpoint's state) and not started apart", () => {
    const [shipped, partway, fresh] = [fakeRun("a"), fakeRun("b"), fakeRun("c")];
    writeJson(path.join(shipped.shipDir, "manifest.json"), { name: "a", env_steps: 4096 });
    writeJson(path.join(partway.runDir, "checkpoint", "checkpoint.json"), { format: "kit-checkpoint-1", state: { ppo: { globalStep: 1536 } } });
    expect(runStatus(shipped, ROOT)).toMatchObject({ state: "shipped", done: 4096 });
    expect(runStatus(partway, ROOT)).toMatchObject({ state: "partway", done: 1536 });
    expect(runStatus(fresh, ROOT)).toMatchObject({ state: "not started", done: 0 });
    const out = npm("sweep", "--", "status", writePlan("three", [shipped, partway, fresh]));
    expect(out.stdout).toMatch(/b\s+partway\s+1,536\/4,096 env steps/);
    expect(out.stdout).toContain("3 runs: 1 shipped, 1 partway, 1 not started; 5,632 of 12,288 env steps done, 6,656 remaining");
  });

  it("a folder shipped under a shorter budget is not the plan's run (the plan's budget grew)", () => {
    const run = { ...fakeRun("grown", 8192), shippedField: "env_steps" };
    writeJson(path.join(run.shipDir, "manifest.json"), { name: "grown", env_steps: 4096 });
    expect(runStatus(run, ROOT)).toMatchObject({ state: "not started", done: 0 });
    writeJson(path.join(run.shipDir, "manifest.json"), { name: "grown", env_steps: 8192 });
    expect(runStatus(run, ROOT)).toMatchObject({ state: "shipped", done: 8192 });
  });

  it("turns measured speeds into machine hours: the whole plan, what is left, and per run", () => {
    const speed = { secondsPerUnit: 3600 / 4096, source: "a test's speed" };
    const [shipped, partway, fresh] = [fakeRun("sa"), fakeRun("sb"), { ...fakeRun("sc"), speed: undefined }].map((r, i) => (i < 2 ? { ...r, speed } : r));
    writeJson(path.join(shipped.shipDir, "manifest.json"), { name: "sa", env_steps: 4096 });
    writeJson(path.join(partway.runDir, "checkpoint", "checkpoint.json"), { format: "kit-checkpoint-1", state: { ppo: { globalStep: 1024 } } });
    const h = planHours([shipped, partway, fresh].map((r) => runStatus(r, ROOT)));
    expect(h).toEqual({ total: 2, remaining: 0.75, unmeasured: 1, sources: ["a test's speed"] });
    const out = npm("sweep", "--", "status", writePlan("timed", [shipped, partway, fresh]));
    expect(out.stdout).toMatch(/sb\s+partway\s+1,024\/4,096 env steps\s+0\.8 h/);
    expect(out.stdout).toContain("machine time at measured speeds: 2.0 h for the whole plan, 0.8 h remaining");
    expect(out.stdout).toContain("1 unfinished run(s) have no measured speed yet; speeds from a test's speed");
    expect(() => validateRunSpec({ ...fresh, speed: { secondsPerUnit: 0, source: "x" } }, "x")).toThrow(/'speed' must be/);
  });

  it("a corrupt manifest or checkpoint index is an error naming the file", () => {
    const run = fakeRun("corrupt");
    const manifest = path.join(run.shipDir, "manifest.json");
    writeJson(manifest, '{"name": "corrupt", "env_steps": 40');
    expect(() => runStatus(run, ROOT)).toThrow(`the manifest ${manifest} is corrupt: not valid JSON`);
    const out = npm("sweep", "--", "status", writePlan("corrupt", [run]));
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`the manifest ${manifest} is corrupt`);
    fs.rmSync(manifest);
    const index = path.join(run.runDir, "checkpoint", "checkpoint.json");
    writeJson(index, { format: "kit-checkpoint-1", state: { ppo: {} } });
    expect(() => runStatus(run, ROOT)).toThrow(`the checkpoint index ${index} has no number at state.ppo.globalStep`);
    writeJson(index, "{");
    expect(() => runStatus(run, ROOT)).toThrow(`the checkpoint index ${index} is corrupt`);
  });
});

describe("bad input", () => {
  it("an unknown plan names it and lists the plans", () => {
    const out = npm("sweep", "--", "status", "visoin");
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/unknown plan 'visoin'; plans: .*vision/);
    expect(npm("sweep", "--", "run", path.join(work, "missing.json")).stderr).toContain(`no plan file ${path.join(work, "missing.json")}`);
  });

  it("an unknown run names it and lists the plan's runs", () => {
    const out = npm("sweep", "--", "run", "vision", "--only", "vision-cnn3-seed0", "vision-cnn9-seed0");
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("unknown run 'vision-cnn9-seed0' in plan vision; its runs: vision-cnn2-seed0, vision-cnn3-seed0");
  });

  it("a --time SLURM would reject names the value and the formats", () => {
    for (const time of ["90 min", "1h", "1:2:3:4", "2d", "1.5", ""]) expect(() => checkSlurmTime(time), time).toThrow(`--time '${time}' is not a time SLURM accepts`);
    for (const time of ["90", "30:00", "12:00:00", "1-0", "1-12:00", "2-00:00:00", "UNLIMITED"]) expect(checkSlurmTime(time)).toBe(time);
    const out = npm("sweep", "--", "slurm", "vision", "--time", "25h");
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("--time '25h' is not a time SLURM accepts; use one of minutes, minutes:seconds, hours:minutes:seconds");
  });

  it("a malformed plan names the run and the field", () => {
    expect(() => parsePlan(JSON.stringify([{ ...fakeRun("x"), unit: "updates" }]), "p.json")).toThrow(`run 'x': 'unit' must be one of "env steps", "epochs", "steps"`);
    expect(() => parsePlan(JSON.stringify([fakeRun("x"), fakeRun("x")]), "p.json")).toThrow("plan p.json has two runs named 'x'");
    expect(() => parsePlan("{", "p.json")).toThrow("plan p.json is not valid JSON");
    expect(npm("sweep", "--", "stat").stderr).toContain("unknown command 'stat'; commands: list, status, run, slurm, gather");
  });
});

describe("the sbatch script", () => {
  it("one array task per run, each the run's command without npm, requeueable", () => {
    const runs = [fakeRun("a"), fakeRun("b")];
    const script = sbatchScript(runs, { planName: "p", root: ROOT, stateDir: path.join(work, "state"), cpus: 1, time: "1-00:00:00", partition: "cpu" });
    for (const line of ["#SBATCH --array=0-1", "#SBATCH --cpus-per-task=1", "#SBATCH --time=1-00:00:00", "#SBATCH --partition=cpu", "#SBATCH --requeue", "names=(a b)"]) {
      expect(script).toContain(line);
    }
    expect(script).toContain(`  1) # npm run train:ant -- --steps 4096\n     node --import tsx scripts/train-ant.ts --steps 4096 >>"$log" 2>&1 & ;;`);
    expect(() => sbatchScript(runs, { planName: "p", root: ROOT, stateDir: work, time: "soon" })).toThrow("--time 'soon'");
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
    expect(expandTaskIds("0,2-4%1")).toEqual([0, 2, 3, 4]);
  });
});

describe("a plan run here", () => {
  it("trains the unfinished runs, resumes a partway one, skips shipped ones; gather tables the manifests", () => {
    const tiny = (epochs: number, seed: number): RunSpec => {
      const name = `vision-cnn2-seed${seed}`;
      const runDir = path.join(work, "here", "runs", name), shipRoot = path.join(work, "here", "ship");
      return {
        name, command: ["train:vision", "--", "--model", "cnn2", "--epochs", String(epochs), "--seed", String(seed), "--snapshots", "none",
          "--images-per-object", "2", "--run-dir", runDir, "--ship-root", shipRoot],
        runDir, shipDir: path.join(shipRoot, name), total: epochs, unit: "epochs", progressField: "epoch",
        speed: { secondsPerUnit: 3600, source: "a test's speed" },
      };
    };
    // seed 1 is left partway: trained 1 of 2 epochs with the same command, without shipping.
    const partway = tiny(2, 1);
    const oneEpoch = partway.command.map((a, i) => (partway.command[i - 1] === "--epochs" ? "1" : a));
    const first = spawnSync("npm", ["run", "-s", ...oneEpoch, "--no-ship"], { cwd: ROOT, encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    const plan = writePlan("here", [tiny(1, 0), partway]);
    const state = path.join(work, "here", "state");
    const out = npm("sweep", "--", "run", plan, "--state-dir", state);
    expect(out.status, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toContain("plan here: 0 of 2 runs shipped; 2 to run, 1 at a time");
    expect(out.stdout).toContain("[2/2] vision-cnn2-seed1: partway at 1/2 epochs");
    expect(out.stdout).toMatch(/vision-cnn2-seed1 \| resuming vision-cnn2-seed1 at step \d+/);
    // The plan's ETA counts each run at its measured speed (1 h per epoch here), not at the pace of the tiny runs.
    expect(out.stdout).toMatch(/\[1\/2\] vision-cnn2-seed0: shipped after .*; plan: 1 epochs left, ETA 60\.0 min at each run's measured speed/);
    expect(out.stdout).toMatch(/\[2\/2\] vision-cnn2-seed1: shipped after .*; plan: 0 epochs left$/m);
    expect(fs.readFileSync(path.join(state, "logs", "vision-cnn2-seed0.log"), "utf8")).toContain("finished after");
    const again = npm("sweep", "--", "run", plan, "--state-dir", state);
    expect(again.stdout).toContain("plan here: 2 of 2 runs shipped; 0 to run");

    const gathered = npm("sweep", "--", "gather", plan, "--out", state);
    expect(gathered.status, gathered.stderr).toBe(0);
    const rows = JSON.parse(fs.readFileSync(path.join(state, "results.json"), "utf8"));
    expect(rows.map((r: { run: string }) => r.run)).toEqual(["vision-cnn2-seed0", "vision-cnn2-seed1"]);
    expect(rows[1]).toMatchObject({ epochs: 2, "architecture.name": "cnn2" });
    expect(typeof rows[0]["evaluation.heldout_accuracy"]).toBe("number");
    expect(fs.readFileSync(path.join(state, "results.csv"), "utf8")).toBe(toCsv(rows));
  }, 180_000);
});

describe("runs that come after others", () => {
  it("a plan lists each run after the runs it needs; SLURM gets one job array per stage", () => {
    const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => fakeRun(n));
    const plan = [a, { ...b, after: ["a"] }, { ...c, after: ["b", "a"] }, d];
    expect(() => parsePlan(JSON.stringify([{ ...a, after: ["b"] }, b]), "p.json")).toThrow("plan p.json: run 'a' comes after 'b', so it must be listed after it");
    expect(() => parsePlan(JSON.stringify([{ ...a, after: ["z"] }]), "p.json")).toThrow("run 'a' comes after 'z', which is not in the plan");
    expect(slurmStages(plan, () => false).map((s) => s.map((r) => r.name))).toEqual([["a", "d"], ["b"], ["c"]]);
    expect(slurmStages(plan.slice(1), (n) => n === "a").map((s) => s.map((r) => r.name))).toEqual([["b", "d"], ["c"]]);
    expect(() => slurmStages(plan.slice(2), () => false)).toThrow("run 'c' comes after 'b', which is neither shipped nor selected");
  });

  it("run here skips a run whose predecessor did not ship, and says why", () => {
    const broken: RunSpec = { ...fakeRun("broken"), command: ["train:vision", "--", "--model", "cnn9"] };
    const plan = writePlan("broken", [broken, { ...fakeRun("later"), after: ["broken"] }]);
    const out = npm("sweep", "--", "run", plan, "--state-dir", path.join(work, "broken-state"));
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/\[1\/2\] broken: failed \(exit status 1; log .*broken\.log\)/);
    expect(out.stdout).toContain("later: skipped: it comes after broken, not shipped");
    expect(fs.readFileSync(path.join(work, "broken-state", "logs", "broken.log"), "utf8")).toContain("cnn9");
  });

  it("several plans run in turn; a plan left unfinished stops the ones after it", () => {
    const done = fakeRun("done");
    writeJson(path.join(done.shipDir, "manifest.json"), { steps: done.total });
    const shipped = writePlan("first", [done]);
    const broken = writePlan("second", [{ ...fakeRun("fails"), command: ["train:vision", "--", "--model", "cnn9"] }]);
    const state = path.join(work, "plans-state");
    const both = npm("sweep", "--", "run", shipped, broken, "--state-dir", state);
    expect(both.status).toBe(1);
    expect(both.stdout).toContain("plan first: 1 of 1 runs shipped; 0 to run");
    expect(both.stdout).toMatch(/\[1\/1\] fails: failed \(exit status 1; log .*plans-state\/second\/logs\/fails\.log\)/);
    const stopped = npm("sweep", "--", "run", broken, shipped, "--state-dir", state);
    expect(stopped.status).toBe(1);
    expect(stopped.stdout).toContain("(plans not begun: first)");
    expect(stopped.stdout).not.toContain("plan first:");
    expect(npm("sweep", "--", "run", shipped, broken, "--only", "done").stderr).toContain("--only picks runs of one plan; got 2 plans");
  });
});

describe("committing a run's work as it ends (--commit)", () => {
  it("a partway run's checkpoint goes in with -f; when it ships, its folders go in and the checkpoint leaves the index", () => {
    const repo = tempDir("kit-sweep-git-");
    const git = (...args: string[]) => {
      const r = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    git("init", "-q");
    git("config", "user.email", "test@example.org");
    git("config", "user.name", "test");
    writeJson(path.join(repo, ".gitignore"), "out/\n");
    git("add", ".gitignore");
    git("commit", "-q", "-m", "start");
    const spec: RunSpec = { ...fakeRun("r1"), runDir: "out/runs/r1", shipDir: "data/checkpoints/r1" };
    const status = (state: "partway" | "shipped" | "not started", done: number) => ({ spec, state, done, shipped: [], missing: [] });
    expect(commitRunFolders(repo, spec, status("not started", 0), "p")).toBeNull();

    writeJson(path.join(repo, "out/runs/r1/checkpoint/checkpoint.json"), { format: "kit-checkpoint-1", state: { ppo: { globalStep: 2048 } } });
    writeJson(path.join(repo, "out/runs/r1/checkpoint/weights.bin"), "w1");
    writeJson(path.join(repo, "out/runs/r1/log.txt"), "not a checkpoint");
    expect(commitRunFolders(repo, spec, status("partway", 2048), "p")).toBe("Partway: r1 at 2,048 of 4,096 env steps (run checkpoint; npm run sweep -- run p resumes it)");
    expect(git("ls-files").split("\n")).toEqual([".gitignore", "out/runs/r1/checkpoint/checkpoint.json", "out/runs/r1/checkpoint/weights.bin"]);
    // Stopped again without training further: nothing new.
    expect(commitRunFolders(repo, spec, status("partway", 2048), "p")).toBeNull();

    // Something else staged: refused, nothing committed.
    writeJson(path.join(repo, "notes.md"), "half-made");
    git("add", "notes.md");
    writeJson(path.join(repo, "data/checkpoints/r1/manifest.json"), { steps: 4096 });
    expect(() => commitRunFolders(repo, spec, status("shipped", 4096), "p")).toThrow("not committing r1: other changes are staged (notes.md)");
    git("reset", "-q", "notes.md");

    expect(commitRunFolders(repo, spec, status("shipped", 4096), "p")).toBe("Shipped: r1 at 4,096 env steps (plan p); its partway run checkpoint leaves the index");
    expect(git("ls-files").split("\n")).toEqual([".gitignore", "data/checkpoints/r1/manifest.json"]);
    expect(git("status", "--porcelain")).toBe("?? notes.md");
    expect(git("log", "--format=%s").split("\n")).toHaveLength(3);
  });
});
