/**
 * Ant agents: a policy network with its observation normaliser and the way it builds its input from what
 * the environment gives (for the Simple policy: the 28 observations; adaptive policies of notebook 03
 * part 2 add the previous action, the morphology or a history). Saving and loading go through the kit's
 * atomic checkpoints (lib/tf/checkpoint.ts).
 */
import { tf } from "../tf";
import { hasCheckpoint, loadCheckpoint, NamedArray, saveCheckpoint } from "../tf/checkpoint";
import type { FlatAdam } from "./adam";
import { OBSERVATION_SIZE } from "./ant";
import type { ActFn } from "./evaluate";
import { RunningMeanStd } from "./normalize";
import { ActorCritic, GaussianMlp } from "./policies/gaussian-mlp";
import type { InputBuilder, PpoState } from "./ppo";

export type PolicyKind = "simple";
export const POLICY_KINDS: readonly PolicyKind[] = ["simple"];

export interface AgentConfig {
  policy: PolicyKind;
  /** σ of the training morphologies. */
  sigma: number;
  seed: number;
  hidden: number[];
}

export function parsePolicyKind(value: string): PolicyKind {
  if ((POLICY_KINDS as readonly string[]).includes(value)) return value as PolicyKind;
  throw new Error(`unknown policy '${value}'; available now: ${POLICY_KINDS.join(", ")} (oracle, rma, tcn and dmap come with notebook 03 part 2)`);
}

/**
 * Initial action noise: std e^−0.5 ≈ 0.61 rather than CleanRL's 1, because the Ant's motors (gear 150 on a
 * 0.3 kg torso) flip it within a few dozen steps of unit-variance noise, and a flip ends the episode.
 */
export const INITIAL_LOG_STD = -0.5;

export function createPolicy(config: AgentConfig): ActorCritic {
  return new GaussianMlp(OBSERVATION_SIZE, 8, { hidden: config.hidden, seed: config.seed, initialLogStd: INITIAL_LOG_STD });
}

export function inputBuilder(kind: PolicyKind): InputBuilder {
  void kind;
  return (observations) => observations;
}

/** Deterministic actions (policy means) from raw observations. */
export function deterministicActor(policy: ActorCritic, obsRms: RunningMeanStd | null, build: InputBuilder): ActFn {
  return (observations, _morphologies, numEnvs) => {
    const raw = build(observations, numEnvs);
    const x = obsRms ? obsRms.normalize(raw, numEnvs) : raw;
    return tf.tidy(() => policy.distribution(tf.tensor2d(x, [numEnvs, policy.inputSize])).mean.dataSync() as Float32Array);
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
  policy: ActorCritic;
  obsRms: RunningMeanStd | null;
  state: AgentCheckpointState;
  act: ActFn;
}

/** Load an agent from a checkpoint folder; checks that every weight matches the policy's shapes. */
export function loadAgent(dir: string): LoadedAgent {
  const { tensors, state } = loadCheckpoint<AgentCheckpointState>(dir);
  if (!state?.config?.policy) throw new Error(`checkpoint ${dir} holds no agent configuration`);
  const policy = createPolicy(state.config);
  restorePolicyWeights(dir, policy, tensors);
  const obsRms = state.ppo.obsRms ? RunningMeanStd.fromJSON(state.ppo.obsRms) : null;
  return { policy, obsRms, state, act: deterministicActor(policy, obsRms, inputBuilder(state.config.policy)) };
}

export function restorePolicyWeights(dir: string, policy: ActorCritic, tensors: Map<string, NamedArray>): void {
  policy.variables.forEach((v, i) => {
    const saved = tensors.get(`policy/${i}`);
    if (!saved) throw new Error(`checkpoint ${dir} lacks weight policy/${i} (${v.name}); it was saved by a different policy`);
    if (saved.shape.join("×") !== v.shape.join("×")) {
      throw new Error(`checkpoint ${dir}: weight policy/${i} has shape [${saved.shape}] but the policy expects [${v.shape}]`);
    }
    v.assign(tf.tensor(saved.values, saved.shape));
  });
}

/** Restore the optimizer's moments saved by saveTrainingCheckpoint. */
export function restoreOptimizer(dir: string, optimizer: FlatAdam, tensors: Map<string, NamedArray>): void {
  optimizer.restore(tensors, `checkpoint ${dir}`);
}

export { hasCheckpoint };
