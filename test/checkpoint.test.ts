/**
 * Checkpoints: round trip, atomic replacement, clear errors for corrupt or incomplete ones; a training run
 * killed mid-way resumes from its last checkpoint.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint, saveCheckpoint } from "../lib/tf/checkpoint";
import { loadAgent } from "../lib/rl/learning/agent";
import { initBackend } from "../lib/tf";
import { tempDir } from "./fixtures/temp-dir";

const tmp = () => tempDir("ckpt-");
const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

describe("checkpoints", () => {
  it("round-trip tensors and state; a second save replaces the first whole", () => {
    const dir = path.join(tmp(), "c");
    saveCheckpoint(dir, [{ name: "w", shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) }], { step: 1 });
    saveCheckpoint(dir, [{ name: "w", shape: [3], values: Float32Array.from([5, 6, 7]) }, { name: "b", shape: [], values: Float32Array.from([9]) }], { step: 2 });
    const { tensors, state } = loadCheckpoint<{ step: number }>(dir);
    expect(state.step).toBe(2);
    expect(Array.from(tensors.get("w")!.values)).toEqual([5, 6, 7]);
    expect(tensors.get("b")!.shape).toEqual([]);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(["c"]); // no temporary folders left behind
  });

  it("says what is wrong with a missing, corrupt or incomplete checkpoint", () => {
    const dir = path.join(tmp(), "c");
    expect(() => loadCheckpoint(dir)).toThrow(/no checkpoint in .*checkpoint\.json is missing/);
    saveCheckpoint(dir, [{ name: "w", shape: [2], values: Float32Array.from([1, 2]) }], {});
    const weights = path.join(dir, "weights.bin");
    const bytes = fs.readFileSync(weights);
    bytes[0] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    expect(() => loadCheckpoint(dir)).toThrow(/corrupt: weights\.bin does not match its recorded SHA-256/);
    fs.rmSync(weights);
    expect(() => loadCheckpoint(dir)).toThrow(/incomplete: weights\.bin is missing/);
    fs.writeFileSync(path.join(dir, "checkpoint.json"), "{\"format\": \"kit-chec");
    expect(() => loadCheckpoint(dir)).toThrow(/corrupt: checkpoint\.json is not valid JSON/);
    expect(() => saveCheckpoint(dir, [{ name: "w", shape: [3], values: new Float32Array(2) }], {})).toThrow(/shape \[3\] but 2 values/);
  });

  it("a training run killed mid-way resumes from its last checkpoint and finishes", async () => {
    const runDir = path.join(tmp(), "run");
    const shipDir = path.join(tmp(), "ship");
    const args = [TSX, "scripts/train-ant.ts", "--sigma", "0.1", "--steps", "2048", "--envs", "4", "--threads", "0",
      "--checkpoint-every", "0", "--run-dir", runDir, "--ship-dir", shipDir, "--eval-morphologies", "2"];
    // First run: kill it (SIGKILL, no chance to save) once a checkpoint exists.
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "ignore" });
    const index = path.join(runDir, "checkpoint", "checkpoint.json");
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(index) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(fs.existsSync(index)).toBe(true);
    const savedStep = (JSON.parse(fs.readFileSync(index, "utf8")).state.ppo.globalStep) as number;
    expect(savedStep).toBeGreaterThan(0);
    expect(savedStep).toBeLessThan(2048);
    // Second run: same command; it must resume, not start over.
    const second = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    expect(second.status, second.stderr).toBe(0);
    const resumed = /resuming ant-simple-sigma0\.1-seed0 at step (\d+)/.exec(second.stdout);
    expect(resumed, second.stdout).not.toBeNull();
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(savedStep);
    const manifest = JSON.parse(fs.readFileSync(path.join(shipDir, "manifest.json"), "utf8"));
    expect(manifest.env_steps).toBe(2048);
    const log = fs.readFileSync(path.join(shipDir, "training-log.jsonl"), "utf8").trim().split("\n");
    expect(log.length).toBe(4); // 4 iterations of 4 envs × 128 steps, none lost or repeated
    expect(log.map((l) => JSON.parse(l).globalStep)).toEqual([512, 1024, 1536, 2048]);
    await initBackend({ quiet: true });
    const agent = loadAgent(shipDir);
    expect(agent.act(new Float32Array(28), new Float32Array(9), 1).length).toBe(8);
  }, 240_000);

  it.each([
    ["train:ant", ["scripts/train-ant.ts", "--sigma", "0.1", "--steps", "100000", "--envs", "4", "--threads", "0", "--no-ship"], "ppo.globalStep"],
    ["train:ssl", ["scripts/train-ssl.ts", "--objective", "rotation", "--seed", "3", "--steps", "400", "--no-ship"], "step"],
  ])("%s: SIGTERM mid-run saves and stops within seconds (no periodic save in between)", async (_name, script, field) => {
    const runDir = path.join(tmp(), "run");
    // As package.json runs the trainers: one process (node --import tsx), so the signal reaches the trainer itself.
    const child = spawn(process.execPath, ["--import", "tsx", ...(script as string[]), "--checkpoint-every", "3600", "--run-dir", runDir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    // Wait for training to be under way (its first progress line), then ask it to stop.
    const deadline = Date.now() + 120_000;
    while (!/step [\d,]+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(out, out).toMatch(/step [\d,]+/);
    const asked = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(Date.now() - asked).toBeLessThan(30_000);
    expect(code, out).toBe(0);
    expect(out).toMatch(/stopped/);
    const index = path.join(runDir, "checkpoint", "checkpoint.json");
    const state = JSON.parse(fs.readFileSync(index, "utf8")).state;
    const step = (field as string).split(".").reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, state) as unknown as number;
    expect(step).toBeGreaterThan(0);
  }, 240_000);
});
