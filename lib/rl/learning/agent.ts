/**
 * Ant agents: the policy kinds of notebooks 03–04 behind one interface. A kind says what its input rows hold
 * (lib/rl/policies/inputs.ts) and builds its network; an agent is a network with its observation statistics. Saving and
 * loading go through the kit's atomic checkpoints (lib/tf/checkpoint.ts), which record the kind, so a
 * checkpoint of one kind cannot be loaded as another. What needs no file system is in lib/rl/learning/agent-core.ts
 * (re-exported here), which the browser playground imports.
 *
 *   simple  MLP on x_t (robust, not adaptive)                     lib/rl/policies/gaussian-mlp.ts
 *   oracle  x_t, a_{t−1} and z = μ(true morphology)               lib/rl/policies/adaptive.ts
 *   rma     the oracle with ẑ from the history (phase 2)          lib/rl/policies/adaptive.ts, lib/rl/learning/rma.ts
 *   tcn     history encoder trained end to end by PPO             lib/rl/policies/adaptive.ts
 *   dmap    per-channel temporal features, attention per joint, 8 joint controllers   lib/rl/policies/dmap.ts
 */
import { tf } from "../../tf";
import { hasCheckpoint, loadCheckpoint, NamedArray, saveCheckpoint } from "../../tf/checkpoint";
import type { FlatAdam } from "./adam";
import { agentFromArrays, AgentCheckpointState, LoadedAgent, PolicyKind } from "./agent-core";
import type { ActorCritic } from "../policies/gaussian-mlp";

export * from "./agent-core";

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

/**
 * Load an agent from a checkpoint folder; checks that every weight matches the policy's shapes, and, with
 * `expected`, that the checkpoint holds that kind of policy.
 */
export function loadAgent(dir: string, expected?: PolicyKind | readonly PolicyKind[]): LoadedAgent {
  const { tensors, state } = loadCheckpoint<AgentCheckpointState>(dir);
  return agentFromArrays(tensors, state, dir, expected);
}

/** Restore the optimizer's moments saved by saveTrainingCheckpoint. */
export function restoreOptimizer(dir: string, optimizer: FlatAdam, tensors: Map<string, NamedArray>): void {
  optimizer.restore(tensors, `checkpoint ${dir}`);
}

export { hasCheckpoint };
