/**
 * Ant agents: the policy kinds of notebooks 03–04 behind one interface. A kind says what its input rows hold
 * (lib/rl/inputs.ts) and builds its network; an agent is a network with its observation statistics. Saving and
 * loading go through the kit's atomic checkpoints (lib/tf/checkpoint.ts), which record the kind, so a
 * checkpoint of one kind cannot be loaded as another.
 *
 *   simple  MLP on x_t (robust, not adaptive)                     lib/rl/policies/gaussian-mlp.ts
 *   oracle  x_t, a_{t−1} and z = μ(true morphology)               lib/rl/policies/adaptive.ts
 *   rma     the oracle with ẑ from the history (phase 2)          lib/rl/policies/adaptive.ts, lib/rl/rma.ts
 *   tcn     history encoder trained end to end by PPO             lib/rl/policies/adaptive.ts
 *   dmap    per-channel temporal features, attention per joint, 8 joint controllers   lib/rl/policies/dmap.ts
 */
import { tf } from "../tf";
import { hasCheckpoint, loadCheckpoint, NamedArray, saveCheckpoint } from "../tf/checkpoint";
import type { FlatAdam } from "./adam";
import { ACTION_SIZE, OBSERVATION_SIZE } from "./ant";
import type { ActFn } from "./evaluate";
import { AgentInputs, InputLayout, InputSpec } from "./inputs";
import { RunningMeanStd } from "./normalize";
import { AdaptivePolicy } from "./policies/adaptive";
import { DMAP_HISTORY, DmapPolicy } from "./policies/dmap";
import { ActorCritic, GaussianMlp } from "./policies/gaussian-mlp";
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

const tensorToArray = (name: string, t: tf.Tensor): NamedArray => ({ name, shape: t.shape, values: t.dataSync() as Float32Array });

/** Save policy weights and state (no optimizer moments: for shipped checkpoints). */
export function saveAgent(dir: string, policy: ActorCritic, state: AgentCheckpointState): void {
  saveCheckpoint(dir, policy.variables.map((v, i) => tensorToArray(`policy/${i}`, v)), state);
}

/** Save with the optimizer's moments, so training resumes exactly. */
export function saveTrainingCheckpoint(dir: string, policy: ActorCritic, optimizer: FlatAdam, state: AgentCheckpointState): void {
  const tensors = policy.variables.map((v, i) => tensorToArray(`policy/${i}`, v));
  saveCheckpoint(dir, [...tensors, ...optimizer.state()], state);
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
 * Load an agent from a checkpoint folder; checks that every weight matches the policy's shapes, and, with
 * `expected`, that the checkpoint holds that kind of policy.
 */
export function loadAgent(dir: string, expected?: PolicyKind | readonly PolicyKind[]): LoadedAgent {
  const { tensors, state } = loadCheckpoint<AgentCheckpointState>(dir);
  if (!state?.config?.policy) throw new Error(`checkpoint ${dir} holds no agent configuration`);
  const kinds = expected === undefined ? undefined : ([] as PolicyKind[]).concat(expected);
  if (kinds && !kinds.includes(state.config.policy)) {
    throw new Error(`checkpoint ${dir} holds a '${state.config.policy}' policy, not ${kinds.map((k) => `'${k}'`).join(" or ")}`);
  }
  const config = state.config;
  const policy = createPolicy(config);
  restorePolicyWeights(dir, policy, tensors);
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

/** Restore the optimizer's moments saved by saveTrainingCheckpoint. */
export function restoreOptimizer(dir: string, optimizer: FlatAdam, tensors: Map<string, NamedArray>): void {
  optimizer.restore(tensors, `checkpoint ${dir}`);
}

export { hasCheckpoint };
