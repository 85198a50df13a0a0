/**
 * Benchmarks: ms per training step of the reference nets on every TensorFlow.js backend that loads
 * here (tensorflow, wasm, cpu), next to PyTorch on the CPU (scripts/bench_pytorch.py, run with
 * /usr/bin/python3 when it has torch).
 *
 *   npx tsx scripts/bench.ts [--only=conv_train_step,mlp_train_step] [--backends=wasm,cpu]
 *                            [--steps-scale=0.5] [--profile] [--cpu-conv] [--no-pytorch]
 *
 * stdout: one JSON object per line per (bench, backend), e.g.
 *   {"bench":"conv_train_step","backend":"wasm","ms_per_step":..,"ratio_to_pytorch":..,"loss_first":..,"loss_last":..}
 * stderr: a readable table, and with --profile the kernels that take the time in one step.
 *
 * Benchmarks are entries of BENCHES; add one by giving it a name, a `setup` that returns a
 * `step()` (timed) and `dispose()`, warm-up/measured step counts, and optionally the name of the
 * matching PyTorch benchmark. Whole-task benchmarks (the neural fit of notebook 01, the Ant of notebook 03)
 * are entries of TASK_BENCHES: a name and an async function returning a value with its unit; they run on
 * the default backend and print one JSON line each ({"bench":..,"backend":..,"value":..,"unit":..}).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { initBackend, tf, useBackend } from "../lib/tf";
import type { BackendName } from "../lib/tf";
import { makeConvProblem, makeMlpProblem } from "../lib/tf/kernels/reference-nets";
import { makeObjectiveStepProblem, makeSimclrProblem } from "../lib/vision/ssl/bench";
import { benchMjStep, benchPpoLoop, benchVecEnv, makePolicyProblem, PPO_LOOP_AIMS, ppoLoopBench } from "../lib/rl/learning/bench";
import { agentConfig } from "../lib/rl/learning/agent";
import { preferredBackend } from "../lib/rl/learning/train";
import { benchNeuralFit } from "./bench-neural-fit";

interface Steppable {
  /** One timed unit of work; may return a loss to report. */
  step(): number | void;
  dispose(): void;
}

interface BenchEntry {
  name: string;
  /** What one step is, for the table. */
  unit: string;
  setup(backend: BackendName): Steppable;
  warmup: number;
  steps: number;
  /** Per-backend limits: skip (with a note) or cap the number of steps. */
  limits?: Partial<Record<BackendName, { skip?: string; warmup?: number; steps?: number }>>;
  /** Name of the same benchmark in scripts/bench_pytorch.py. */
  pytorch?: string;
}

interface Flags {
  only?: string[];
  backends?: BackendName[];
  stepsScale: number;
  profile: boolean;
  cpuConv: boolean;
  pytorch: boolean;
}

function parseFlags(argv: string[]): Flags {
  const get = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const has = (k: string) => argv.includes(`--${k}`);
  return {
    only: get("only")?.split(","),
    backends: get("backends")?.split(",") as BackendName[] | undefined,
    stepsScale: Number(get("steps-scale") ?? 1),
    profile: has("profile"),
    cpuConv: has("cpu-conv"),
    pytorch: !has("no-pytorch"),
  };
}

const FLAGS = parseFlags(process.argv.slice(2));

export const BENCHES: BenchEntry[] = [
  {
    name: "conv_train_step",
    unit: "conv net, batch 64 of 64×64×1, Adam step",
    setup: () => makeConvProblem(),
    warmup: 3,
    steps: 15,
    limits: {
      cpu: FLAGS.cpuConv
        ? { warmup: 0, steps: 2 }
        : { skip: "skipped (~90 s/step; opt in with --cpu-conv, 2 steps)" },
    },
    pytorch: "conv_train_step",
  },
  {
    name: "mlp_train_step",
    unit: "MLP 28→256→256→8 tanh, batch 256, Adam step",
    setup: () => makeMlpProblem(),
    warmup: 10,
    steps: 100,
    limits: { cpu: { warmup: 3, steps: 20 } },
    pytorch: "mlp_train_step",
  },
  {
    name: "simclr_train_step",
    unit: "SimCLR step: residual CNN with batch norm, 128 positive pairs of 64×64, NT-Xent, Adam",
    setup: () => makeSimclrProblem(),
    warmup: 3,
    steps: 15,
    // wasm: ~2 s per step here (pooling gradients are slow there), so few steps.
    limits: { cpu: { skip: "skipped (minutes per step in plain JavaScript)" }, wasm: { warmup: 1, steps: 3 } },
    pytorch: "simclr_train_step",
  },
  // One objective's training step as train:ssl takes it (augmentations, loss, Adam, bank update), objectives side by side.
  ...(["simclr", "local-aggregation"] as const).map((objective) => ({
    name: `ssl_step_${objective.replace("-", "_")}`,
    unit: `${objective} training step as train:ssl takes it: 128 pool images, its augmentations and loss, Adam${objective === "local-aggregation" ? ", memory-bank update (k-means once per pass: ssl_local_aggregation_clustering)" : ""}`,
    setup: () => makeObjectiveStepProblem(objective),
    warmup: 2,
    steps: 8,
    limits: { cpu: { skip: "skipped (minutes per step in plain JavaScript)" }, wasm: { warmup: 1, steps: 3 } },
  })),
  {
    name: "ssl_local_aggregation_clustering",
    unit: "local aggregation's re-clustering: 3 spherical k-means (64 clusters) of the 3,072-entry memory bank, once per pass of 24 steps",
    setup: () => { const p = makeObjectiveStepProblem("local-aggregation"); p.step(); return { step: () => p.recluster!(), dispose: () => p.dispose() }; },
    warmup: 1,
    steps: 3,
    limits: { cpu: { skip: "skipped (the step that fills the bank takes minutes in plain JavaScript)" } },
  },
  {
    name: "tcn_minibatch_update",
    unit: "TCN (history encoder trained end to end) PPO minibatch update: 512 samples of 30-step histories, one Adam step",
    setup: () => makePolicyProblem("tcn", "update"),
    warmup: 3,
    steps: 20,
    limits: { cpu: { warmup: 1, steps: 3 } },
  },
  {
    name: "dmap_forward_16",
    unit: "DMAP action distribution for 16 environments (36 channels × 30-step histories; one rollout step's call)",
    setup: () => makePolicyProblem("dmap", "forward"),
    warmup: 5,
    steps: 50,
  },
  {
    name: "dmap_minibatch_update",
    unit: "DMAP PPO minibatch update: loss gradient over 512 samples (18,432 channel histories) and one Adam step",
    setup: () => makePolicyProblem("dmap", "update"),
    warmup: 2,
    steps: 10,
    limits: { cpu: { skip: "skipped (seconds per step in plain JavaScript)" }, wasm: { warmup: 1, steps: 3 } },
  },
];

interface TaskResult {
  bench: string;
  backend: string;
  value: number;
  unit: string;
  detail?: string;
}

/** `perBackend`: measured on every backend of the run (the loop's networks are small: which backend wins is not obvious). */
const TASK_BENCHES: { name: string; perBackend?: boolean; run(): Promise<Omit<TaskResult, "backend">> }[] = [
  {
    name: "neural_fit_pls25",
    run: async () => {
      const r = await benchNeuralFit({ repeats: 3 });
      return { bench: "neural_fit_pls25", value: round(r.msPerFullFit, 0), unit: "ms per full fit",
        detail: `PLS-25, 10 splits, ${r.images} images × ${r.features} features → ${r.sites} sites; CPU ${r.cpuMsPerFullFit.toFixed(0)} ms` };
    },
  },
  { name: "ant_mj_step", run: async () => withRounding(await benchMjStep()) },
  { name: "ant_env_steps_1thread", run: async () => withRounding(await benchVecEnv(16, 0)) },
  { name: "ant_env_steps_2threads", run: async () => withRounding(await benchVecEnv(16, 2)) },
  { name: "ant_ppo_loop", perBackend: true, run: async () => withRounding(await benchPpoLoop("simple")) },
  { name: "ant_ppo_loop_oracle", perBackend: true, run: async () => withRounding(await benchPpoLoop("oracle")) },
  { name: "ant_ppo_loop_tcn", perBackend: true, run: async () => withRounding(await benchPpoLoop("tcn")) },
  { name: "ant_ppo_loop_dmap", run: async () => withRounding(await benchPpoLoop("dmap", 3, 1)) },
];

function withRounding(r: { bench: string; value: number; unit: string; detail: string }) {
  return { ...r, value: round(r.value, 0) };
}

interface Result {
  bench: string;
  backend: string;
  ms_per_step: number | null;
  ratio_to_pytorch?: number | null;
  steps: number;
  loss_first?: number;
  loss_last?: number;
  note?: string;
  detail?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
const sig = (v: number) => Number(v.toPrecision(4));

async function activate(name: BackendName): Promise<string> {
  try {
    return await useBackend(name);
  } catch (e) {
    throw new Error((e instanceof Error ? e.message : String(e)).split("\n")[0]);
  }
}

function runOne(entry: BenchEntry, backend: BackendName): Result {
  const limit = entry.limits?.[backend] ?? {};
  if (limit.skip) return { bench: entry.name, backend, ms_per_step: null, steps: 0, note: limit.skip };
  const warmup = limit.warmup ?? Math.max(1, Math.round(entry.warmup * FLAGS.stepsScale));
  const steps = limit.steps ?? Math.max(3, Math.round(entry.steps * FLAGS.stepsScale));
  const tensorsBefore = tf.memory().numTensors;
  const problem = entry.setup(backend);
  const losses: number[] = [];
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      const loss = problem.step();
      const ms = performance.now() - t0;
      if (i >= warmup) times.push(ms);
      if (typeof loss === "number") losses.push(loss);
    }
  } finally {
    problem.dispose();
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  return {
    bench: entry.name, backend, ms_per_step: round(median(times)), steps,
    ...(losses.length ? { loss_first: sig(losses[0]), loss_last: sig(losses[losses.length - 1]) } : {}),
    ...(leaked !== 0 ? { note: `${leaked} tensors leaked` } : {}),
  };
}

/** Kernels that take the time in one step (after the warm-up steps), summed by kernel name. */
async function profileOne(entry: BenchEntry, backend: BackendName): Promise<string> {
  const problem = entry.setup(backend);
  try {
    for (let i = 0; i < Math.min(entry.warmup, 3); i++) problem.step();
    const t0 = performance.now();
    const info = await tf.profile(() => { problem.step(); });
    const wall = performance.now() - t0;
    const byName = new Map<string, { ms: number; calls: number }>();
    // Entries named "<op>__op" are op scopes (custom-gradient ops) around kernels already listed.
    for (const k of info.kernels.filter((k) => !k.name.endsWith("__op"))) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += Number(k.kernelTimeMs) || 0;
      e.calls += 1;
      byName.set(k.name, e);
    }
    const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, e]) => s + e.ms, 0);
    const calls = rows.reduce((s, [, e]) => s + e.calls, 0);
    const lines = [`profile ${entry.name} on ${backend}: ${calls} kernel calls, ` +
      `kernels ${total.toFixed(1)} ms, step wall ${wall.toFixed(1)} ms (incl. profiler overhead)`];
    for (const [name, e] of rows.slice(0, 18)) {
      lines.push(`  ${name.padEnd(28)} ${e.ms.toFixed(2).padStart(9)} ms ${String(e.calls).padStart(5)} calls ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
    }
    return lines.join("\n");
  } finally {
    problem.dispose();
  }
}

function runPytorch(names: string[]): { results: Result[]; note?: string } {
  const python = "/usr/bin/python3";
  if (!fs.existsSync(python)) return { results: [], note: "PyTorch reference skipped: /usr/bin/python3 not found" };
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { results: [], note: "PyTorch reference skipped: /usr/bin/python3 has no torch (apt-get install python3-torch)" };
  const script = path.join(__dirname, "bench_pytorch.py");
  const run = spawnSync(python, [script, "--only", names.join(","), "--steps-scale", String(FLAGS.stepsScale)], {
    encoding: "utf8", maxBuffer: 1 << 20,
  });
  if (run.status !== 0) return { results: [], note: `PyTorch reference failed: ${(run.stderr || "").trim().split("\n").pop()}` };
  const results = run.stdout.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as Result);
  return { results };
}

function table(results: Result[], entries: BenchEntry[]): string {
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(`\n${entry.name} — ${entry.unit}`);
    lines.push(`  ${"backend".padEnd(12)}${"ms/step".padStart(11)}${"× PyTorch".padStart(11)}   loss first → last   note`);
    for (const r of results.filter((x) => x.bench === entry.name)) {
      const ms = r.ms_per_step === null ? "—" : r.ms_per_step.toFixed(1);
      const ratio = r.ratio_to_pytorch == null ? (r.backend === "pytorch" ? "1.0" : "—") : r.ratio_to_pytorch.toFixed(1);
      const loss = r.loss_first !== undefined ? `${r.loss_first.toPrecision(3)} → ${r.loss_last?.toPrecision(3)}` : "";
      lines.push(`  ${r.backend.padEnd(12)}${ms.padStart(11)}${ratio.padStart(11)}   ${loss.padEnd(18)} ${r.note ?? r.detail ?? ""}`);
    }
  }
  return lines.join("\n");
}

/**
 * Each policy's PPO loop on the backend it trains on (lib/rl/learning/train.ts preferredBackend) as a fraction of the 16 Ants'
 * own stepping rate (2 worker threads) measured in the same run: machines here differ by 2×, a ratio does not.
 * Also one JSON line, bench "ant_ppo_loop_ratios".
 */
function ppoLoopsAgainstEnvs(tasks: TaskResult[]): string | null {
  const envs = tasks.find((t) => t.bench === "ant_env_steps_2threads");
  if (!envs) return null;
  const rows = (Object.keys(PPO_LOOP_AIMS) as (keyof typeof PPO_LOOP_AIMS)[]).map((kind) => {
    const backend = preferredBackend(agentConfig({ policy: kind, sigma: 0.3, seed: 0 }));
    const loop = tasks.find((t) => t.bench === ppoLoopBench(kind) && t.backend === backend) ?? tasks.find((t) => t.bench === ppoLoopBench(kind));
    return loop ? { kind, backend: loop.backend, value: loop.value, ratio: loop.value / envs.value, aim: PPO_LOOP_AIMS[kind] } : null;
  }).filter((r): r is NonNullable<typeof r> => r !== null);
  if (!rows.length) return null;
  process.stdout.write(JSON.stringify({ bench: "ant_ppo_loop_ratios", envs_alone: envs.value, unit: "fraction of the 16 Ants' env steps/s",
    loops: Object.fromEntries(rows.map((r) => [r.kind, { backend: r.backend, env_steps_per_s: r.value, ratio: round(r.ratio, 3), aim: r.aim }])) }) + "\n");
  return [`PPO loop against the 16 Ants alone (${envs.value} env steps/s, 2 worker threads, this run)`,
    ...rows.map((r) => `  ${r.kind.padEnd(8)}${r.backend.padEnd(12)}${String(r.value).padStart(7)} env steps/s   ratio ${r.ratio.toFixed(3)}   aim ≥ ${r.aim.toFixed(2)}   ${r.ratio >= r.aim ? "met" : "not met"}`)].join("\n");
}

async function main(): Promise<void> {
  const entries = BENCHES.filter((b) => !FLAGS.only || FLAGS.only.includes(b.name));
  const backends: BackendName[] = FLAGS.backends ?? ["tensorflow", "wasm", "cpu"];
  const results: Result[] = [];
  const notes: string[] = [];
  const profiles: string[] = [];

  let reference = new Map<string, number>();
  if (FLAGS.pytorch) {
    const names = entries.map((e) => e.pytorch).filter((n): n is string => Boolean(n));
    const py = runPytorch(names);
    if (py.note) notes.push(py.note);
    for (const r of py.results) {
      results.push(r);
      if (r.ms_per_step) reference.set(r.bench, r.ms_per_step);
      process.stdout.write(JSON.stringify(r) + "\n");
    }
  }

  // Settle the kit's own choice first: library code calls initBackend(), which must not switch backends mid-run.
  await initBackend({ quiet: true });
  const tasks: TaskResult[] = [];
  const chosen = TASK_BENCHES.filter((t) => !FLAGS.only || FLAGS.only.includes(t.name));
  const runTask = async (task: (typeof TASK_BENCHES)[number]) => {
    const r = { ...(await task.run()), backend: tf.getBackend() };
    tasks.push(r);
    process.stdout.write(JSON.stringify(r) + "\n");
  };
  for (const backend of backends) {
    let detail: string;
    try {
      detail = await activate(backend);
    } catch (e) {
      notes.push(`${backend}: not available (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    for (const entry of entries) {
      const r = runOne(entry, backend);
      const ref = entry.pytorch ? reference.get(entry.pytorch) : undefined;
      r.ratio_to_pytorch = ref && r.ms_per_step !== null ? round(r.ms_per_step / ref, 2) : null;
      if (!r.note) r.detail = detail;
      results.push(r);
      process.stdout.write(JSON.stringify(r) + "\n");
      if (FLAGS.profile && r.ms_per_step !== null && !(backend === "cpu" && entry.name === "conv_train_step")) {
        profiles.push(await profileOne(entry, backend));
      }
    }
    if (backend !== "cpu") for (const task of chosen.filter((t) => t.perBackend)) await runTask(task);
  }
  if (chosen.some((t) => !t.perBackend)) {
    // The loop above leaves the last backend tried active: go back to the kit's choice.
    await tf.setBackend((await initBackend({ quiet: true })).name);
  }
  for (const task of chosen.filter((t) => !t.perBackend)) await runTask(task);
  process.stderr.write(table(results, entries) + "\n");
  if (tasks.length) {
    process.stderr.write("\nwhole tasks (PPO loop on each backend, the others on the kit's default)\n" + tasks.map((t) =>
      `  ${t.bench.padEnd(24)}${t.backend.padEnd(12)}${String(t.value).padStart(10)} ${t.unit.padEnd(16)} ${t.detail ?? ""}`).join("\n") + "\n");
  }
  const loops = ppoLoopsAgainstEnvs(tasks);
  if (loops) process.stderr.write("\n" + loops + "\n");
  if (notes.length) process.stderr.write("\n" + notes.map((n) => `note: ${n}`).join("\n") + "\n");
  if (profiles.length) process.stderr.write("\n" + profiles.join("\n\n") + "\n");
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
