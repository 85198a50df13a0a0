/**
 * An Ant training as a run of a plan (lib/sweep/plan.ts): the command `npm run train:ant` runs and the folders
 * lib/rl/learning/train.ts writes (out/runs/<name>/, data/checkpoints/<name>/). A partway run's progress is the PPO step
 * counter its checkpoint records (state.ppo.globalStep), read by `npm run sweep -- status` without loading weights.
 */
import * as fs from "fs";
import * as path from "path";
import type { RunSpec } from "../../sweep/plan";
import { AgentConfig, DEFAULT_HISTORY } from "./agent";
import { runName } from "./train";
import { median } from "../../neuro/stats";

export interface AntRunOptions {
  config: AgentConfig;
  /** The run's name (default runName(config)); pilots that vary a setting name their variant. */
  name?: string;
  /** The npm script (default train:ant). */
  script?: string;
  totalSteps: number;
  /** Options passed on to train:ant after policy, σ, seed and steps (e.g. ["--envs", "4"]). */
  extraArgs?: string[];
  /** Run folder (default out/runs/<name>, relative to the project root). */
  runDir?: string;
  /** Shipped folder (default data/checkpoints/<name>). */
  shipDir?: string;
}

export function antRunSpec(options: AntRunOptions): RunSpec {
  const { config } = options;
  const name = options.name ?? runName(config);
  const defaultHidden = config.hidden.join(",") === "64,64";
  const args = [
    "--policy", config.policy, "--sigma", String(config.sigma), "--seed", String(config.seed), "--steps", String(options.totalSteps),
    ...(defaultHidden ? [] : ["--hidden", config.hidden.join(",")]),
    ...(config.historyLength !== undefined && config.historyLength !== DEFAULT_HISTORY ? ["--history", String(config.historyLength)] : []),
    ...(options.extraArgs ?? []),
    ...(options.runDir ? ["--run-dir", options.runDir] : []),
    ...(options.shipDir ? ["--ship-dir", options.shipDir] : []),
  ];
  return {
    name,
    command: [options.script ?? "train:ant", "--", ...args],
    runDir: options.runDir ?? path.join("out", "runs", name),
    shipDir: options.shipDir ?? path.join("data", "checkpoints", name),
    total: options.totalSteps,
    unit: "env steps",
    progressField: "ppo.globalStep",
    shippedField: "env_steps",
    // RMA's phase 2 starts from the shipped Oracle of the same σ and seed (lib/rl/learning/train.ts defaultTeacher) unless given --from.
    ...(config.policy === "rma" && !options.extraArgs?.includes("--from") ? { after: [runName({ ...config, policy: "oracle" })] } : {}),
    description: config.policy === "rma"
      ? `RMA phase 2 from the Oracle of σ ${config.sigma}, seed ${config.seed}`
      : `PPO, ${config.policy} policy, σ ${config.sigma}, seed ${config.seed}`,
  };
}

/** The PPO settings that set a run's speed (the others change what it learns, not how long an update takes). */
const SPEED_SETTINGS = ["numEnvs", "numSteps", "numMinibatches", "updateEpochs"] as const;

/**
 * Machine seconds per env step for runs of one policy kind, measured: the median of wall time / env steps over the
 * manifests under data/checkpoints, data/pilots and data/short-budget, and the checkpoints of runs partway under out/runs and out/pilots,
 * of that kind trained with the same speed settings as `ppo` (RMA: any of its phase-2 runs). Falls back to the kind's manifests of other settings, saying so; null
 * when there is none. Wall time is what the run took here, other work beside it included.
 */
export function measuredSpeed(kind: string, ppo: Record<string, unknown>, root: string): RunSpec["speed"] | null {
  const found: { perStep: number; same: boolean }[] = [];
  const add = (policy: string | undefined, steps: number | undefined, seconds: number | undefined, options: Record<string, unknown> | undefined) => {
    if (policy !== kind || !(steps! > 0 && seconds! > 0)) return;
    found.push({ perStep: seconds! / steps!, same: kind === "rma" || SPEED_SETTINGS.every((k) => options?.[k] === ppo[k]) });
  };
  const readJson = (file: string) => { try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return null; } };
  const folders = (rel: string) => (fs.existsSync(path.join(root, rel)) ? fs.readdirSync(path.join(root, rel)).map((n) => path.join(root, rel, n)) : []);
  // Shipped runs and pilots (their manifests), and runs partway (their checkpoints' wall time so far).
  const shipped = new Set<string>();
  for (const dir of [...folders("data/checkpoints"), ...folders("data/pilots"), ...folders("data/short-budget")]) {
    const m = fs.existsSync(path.join(dir, "manifest.json")) ? readJson(path.join(dir, "manifest.json")) : null;
    if (!m) continue;
    add(m.config?.policy, m.env_steps, m.wall_seconds, m.ppo);
    // A run partway under out/ with the name of a shipped run is that run going on, unless only its 2 M set is shipped.
    if (!dir.includes(`${path.sep}short-budget${path.sep}`)) shipped.add(path.basename(dir));
  }
  for (const dir of [...folders("out/runs"), ...folders("out/pilots")].filter((d) => !shipped.has(path.basename(d)))) {
    const index = path.join(dir, "checkpoint", "checkpoint.json");
    const c = fs.existsSync(index) ? readJson(index)?.state : null;
    if (c) add(c.config?.policy, c.ppo?.globalStep, c.extra?.wallSeconds, c.extra?.options);
  }
  const pick = found.some((f) => f.same) ? found.filter((f) => f.same) : found;
  if (!pick.length) return null;
  const secondsPerUnit = median(pick.map((f) => f.perStep));
  const same = pick[0].same;
  return { secondsPerUnit, source: `${kind}: ${Math.round(1 / secondsPerUnit)} env steps/s, median of ${pick.length} run(s)${same ? "" : " trained with other PPO epochs or minibatches"}` };
}
