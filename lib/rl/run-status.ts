/**
 * An Ant training as a run of a plan (lib/sweep/plan.ts): the command `npm run train:ant` runs and the folders
 * lib/rl/train.ts writes (out/runs/<name>/, data/checkpoints/<name>/). A partway run's progress is the PPO step
 * counter its checkpoint records (state.ppo.globalStep), read by `npm run sweep -- status` without loading weights.
 */
import * as path from "path";
import type { RunSpec } from "../sweep/plan";
import { AgentConfig, DEFAULT_HISTORY } from "./agent";
import { runName } from "./train";

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
    // RMA's phase 2 starts from the shipped Oracle of the same σ and seed (lib/rl/train.ts defaultTeacher) unless given --from.
    ...(config.policy === "rma" && !options.extraArgs?.includes("--from") ? { after: [runName({ ...config, policy: "oracle" })] } : {}),
    description: config.policy === "rma"
      ? `RMA phase 2 from the Oracle of σ ${config.sigma}, seed ${config.seed}`
      : `PPO, ${config.policy} policy, σ ${config.sigma}, seed ${config.seed}`,
  };
}
