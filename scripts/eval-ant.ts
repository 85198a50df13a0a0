/**
 * `npm run eval:ant -- --checkpoint data/short-budget/ant-simple-sigma0.1-seed0 [--sigma 0.3] [--n 100] [--json]`
 * Evaluate an Ant agent (or `--checkpoint random`: uniform random actions) on a shipped morphology test set:
 * one deterministic episode per body; prints mean return ± SEM, forward speed, distance, fall rate, and the
 * per-morphology results (all of them with --json).
 */
import { loadAgent } from "../lib/rl/learning/agent";
import { ActFn, EVALUATION_SEED, evaluateOnMorphologies } from "../lib/rl/env/evaluate";
import { loadTestSet, TEST_SIGMAS } from "../lib/rl/env/test-sets";
import { initBackend } from "../lib/tf";
import { tableText } from "../lib/show/table";
import { rng } from "../lib/util/random";

function randomActor(seed: number): ActFn {
  const r = rng(seed);
  return (_o, _m, n) => Float32Array.from({ length: n * 8 }, () => r.range(-1, 1));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (k: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : undefined; };
  const checkpoint = get("checkpoint");
  if (!checkpoint) throw new Error("give --checkpoint DIR (a folder in data/checkpoints/ or data/short-budget/) or --checkpoint random");
  const sigmas = get("sigma") ? [Number(get("sigma"))] : [...TEST_SIGMAS];
  const n = Number(get("n") ?? 100);
  await initBackend({ quiet: argv.includes("--json") });
  const act = checkpoint === "random" ? randomActor(0) : loadAgent(checkpoint).act;
  const rows = [];
  const all: Record<string, unknown> = {};
  for (const sigma of sigmas) {
    const t0 = Date.now();
    const e = await evaluateOnMorphologies(act, loadTestSet(sigma, n), { seed: EVALUATION_SEED });
    all[`sigma_${sigma}`] = e;
    rows.push({
      "test σ": sigma, n: e.n, return: e.meanReturn, "± SEM": e.semReturn, "speed (m/s)": e.meanForwardSpeed,
      "distance (m)": e.meanDistance, "fall rate": e.fallRate, "wall (s)": (Date.now() - t0) / 1000,
    });
  }
  if (argv.includes("--json")) console.log(JSON.stringify({ checkpoint, results: all }, null, 1));
  else console.log(tableText(rows, { caption: `Evaluation of ${checkpoint} (deterministic actions, one episode per body)` }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
