/**
 * The browser-safe half of lib/rl/learning/agent.ts: the policy kinds, their configurations and input rows, building a kind's
 * network, a deterministic actor, and putting saved weights into a network. It reads no file and starts no thread,
 * so the browser playground runs the very same code as the notebooks; lib/rl/learning/agent.ts adds saving and loading
 * checkpoints on disk.
 */
import { tf } from "../../tf";
import type { NamedArray } from "../../tf/checkpoint-format";
import { ACTION_SIZE, OBSERVATION_SIZE } from "../env/ant";
import type { ActFn } from "../env/evaluate";
import { AgentInputs, InputLayout, InputSpec } from "../policies/inputs";
import { RunningMeanStd } from "../policies/normalize";
import { AdaptivePolicy } from "../policies/adaptive";
import { DMAP_HISTORY, DmapPolicy } from "../policies/dmap";
import { ActorCritic, GaussianMlp } from "../policies/gaussian-mlp";
import type { PpoState } from "./ppo";

export type PolicyKind = "simple" | "oracle" | "rma" | "tcn" | "dmap";
export const POLICY_KINDS: readonly PolicyKind[] = ["simple", "oracle", "rma", "tcn", "dmap"];

/** History length of RMA's adaptation module and of TCN (Kumar et al. 2021 use 50 steps). */
export const DEFAULT_HISTORY = 50;

export interface AgentConfig {
  policy: PolicyKind;
  /** σ of the training morphologies. */
  sigma: number;
  seed: number;
  hidden: number[];
  /** Steps of (x, a) history (RMA, TCN). */
  historyLength?: number;
}

export function parsePolicyKind(value: string): PolicyKind {
  if ((POLICY_KINDS as readonly string[]).includes(value)) return value as PolicyKind;
  throw new Error(`unknown policy '${value}'; choose one of: ${POLICY_KINDS.join(", ")}`);
}

/** A config with the kind's defaults filled in (simple's stays as it always was: its checkpoints compare configs). */
export function agentConfig(c: { policy: PolicyKind; sigma: number; seed: number; hidden?: number[]; historyLength?: number }): AgentConfig {
  const base = { policy: c.policy, sigma: c.sigma, seed: c.seed, hidden: c.hidden ?? [64, 64] };
  if (c.policy === "rma" || c.policy === "tcn") return { ...base, historyLength: c.historyLength ?? DEFAULT_HISTORY };
  if (c.policy === "dmap") return { ...base, historyLength: c.historyLength ?? DMAP_HISTORY };
  if (c.historyLength !== undefined) throw new Error(`a ${c.policy} policy reads no history; drop --history`);
  return base;
}

export function inputSpec(config: AgentConfig): InputSpec {
  if (config.policy === "simple") return { previousAction: false, morphology: false, historyLength: 0 };
  const defaultHistory = config.policy === "dmap" ? DMAP_HISTORY : DEFAULT_HISTORY;
  return { previousAction: true, morphology: true, historyLength: config.policy === "oracle" ? 0 : config.historyLength ?? defaultHistory };
}

/** The input builder of a config's policy for `numEnvs` environments (new statistics, or `obsRms` as they are). */
export function inputsFor(config: AgentConfig, numEnvs: number, obsRms?: RunningMeanStd | null): AgentInputs {
  return new AgentInputs(new InputLayout(inputSpec(config)), numEnvs, { normalize: obsRms === undefined, obsRms });
}

/**
 * Initial action noise: std e^−0.5 ≈ 0.61 rather than CleanRL's 1, because the Ant's motors (gear 150 on a
 * 0.3 kg torso) flip it within a few dozen steps of unit-variance noise, and a flip ends the episode.
 */
export const INITIAL_LOG_STD = -0.5;

export function createPolicy(config: AgentConfig): ActorCritic {
  const layout = new InputLayout(inputSpec(config));
  const options = { hidden: config.hidden, seed: config.seed, initialLogStd: INITIAL_LOG_STD };
  if (config.policy === "simple") return new GaussianMlp(OBSERVATION_SIZE, ACTION_SIZE, options);
  if (config.policy === "dmap") return new DmapPolicy(layout, { seed: config.seed, initialLogStd: INITIAL_LOG_STD, criticHidden: config.hidden });
  return new AdaptivePolicy(config.policy, layout, options);
}

/**
 * Deterministic actions (the policy's mean), stateful: it keeps each environment's previous action and
 * history. `starts` marks observations that begin an episode; a first call, or a call with another number of
 * environments, starts every episode.
 */
export function deterministicActor(policy: ActorCritic, config: AgentConfig, obsRms: RunningMeanStd | null): ActFn {
  let inputs: AgentInputs | null = null;
  return (observations, morphologies, numEnvs, starts) => {
    let begin = starts ?? null;
    if (!inputs || inputs.numEnvs !== numEnvs) {
      inputs = inputsFor(config, numEnvs, obsRms);
      begin = null;
    }
    const rows = inputs.rows(observations, morphologies, begin, false);
    const actions = tf.tidy(() => policy.distribution(tf.tensor2d(rows, [numEnvs, policy.inputSize])).mean.dataSync() as Float32Array);
    inputs.recordActions(actions.map((a) => Math.max(-1, Math.min(1, a))));
    return actions;
  };
}


export interface AgentCheckpointState {
  config: AgentConfig;
  ppo: PpoState;
  /** Anything else the trainer keeps (options, log, wall time…). */
  extra: Record<string, unknown>;
}

export interface LoadedAgent {
  config: AgentConfig;
  policy: ActorCritic;
  obsRms: RunningMeanStd | null;
  state: AgentCheckpointState;
  /** A fresh deterministic actor (its own episode state) per call. */
  actor(): ActFn;
  /** The actor of `actor()`, made once (for one episode at a time, or policies without state). */
  act: ActFn;
}

/**
 * An agent from a checkpoint's arrays and state (read from disk by lib/rl/learning/agent.ts `loadAgent`, or fetched by the
 * playground); checks that every weight fits the policy, and with `expected`, that it holds that kind of policy.
 * `source` names the checkpoint in errors.
 */
export function agentFromArrays(tensors: Map<string, NamedArray>, state: AgentCheckpointState, source: string, expected?: PolicyKind | readonly PolicyKind[]): LoadedAgent {
  if (!state?.config?.policy) throw new Error(`checkpoint ${source} holds no agent configuration`);
  const kinds = expected === undefined ? undefined : ([] as PolicyKind[]).concat(expected);
  if (kinds && !kinds.includes(state.config.policy)) {
    throw new Error(`checkpoint ${source} holds a '${state.config.policy}' policy, not ${kinds.map((k) => `'${k}'`).join(" or ")}`);
  }
  const config = state.config;
  const policy = createPolicy(config);
  try {
    restorePolicyWeights(source, policy, tensors);
  } catch (e) {
    policy.dispose();
    throw e;
  }
  const obsRms = state.ppo.obsRms ? RunningMeanStd.fromJSON(state.ppo.obsRms) : null;
  const actor = () => deterministicActor(policy, config, obsRms);
  return { config, policy, obsRms, state, actor, act: actor() };
}

export function restorePolicyWeights(dir: string, policy: ActorCritic, tensors: Map<string, NamedArray>, count = policy.variables.length): void {
  policy.variables.slice(0, count).forEach((v, i) => {
    const saved = tensors.get(`policy/${i}`);
    if (!saved) throw new Error(`checkpoint ${dir} lacks weight policy/${i} (${v.name}); it was saved by a different policy`);
    if (saved.shape.join("×") !== v.shape.join("×")) {
      throw new Error(`checkpoint ${dir}: weight policy/${i} has shape [${saved.shape}] but the policy expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(saved.values, saved.shape)));
  });
}

/** One colour per policy kind, in every figure and in the playground. */
export const POLICY_COLOURS: Record<string, string> = { simple: "#1f77b4", oracle: "#ff7f0e", rma: "#2ca02c", tcn: "#d62728", dmap: "#9467bd", random: "#7f7f7f" };
const LABELS: Record<string, string> = { simple: "Simple", oracle: "Oracle", rma: "RMA", tcn: "TCN", dmap: "DMAP" };
export const policyLabel = (kind: string) => LABELS[kind] ?? kind;
