/**
 * What an Ant policy reads, built in one place for training (PPO), RMA's phase 2 and evaluation.
 *
 * One input row per environment, in this order (each part only when the policy kind uses it):
 *   x_t        the 28 observations, normalised with running statistics (CleanRL's NormalizeObservation)
 *   a_{t−1}    the previous action as executed (clipped to [−1, 1]); zeros at the first step of an episode
 *   e_t        the true morphology (9 perturbations p, raw: |p| < σ): privileged, for the Oracle's encoder
 *              and the critics of RMA/TCN/DMAP (Kumar et al. 2021; Chiappa et al. 2022)
 *   history    the last H frames of (x, a_{t−1}) — 36 channels — oldest first, the current frame last, zeros
 *              before the episode began (lib/rl/policies/history.ts)
 * A network slices the row by the layout's offsets. Keeping all of it in the row means PPO's rollout
 * storage and minibatches are the same for every policy.
 */
import { ACTION_SIZE, JOINT_NAMES, OBSERVATION_NAMES, OBSERVATION_SIZE } from "../env/ant";
import { ObservationHistory } from "./history";
import { RunningMeanStd } from "./normalize";

export const MORPHOLOGY_SIZE = 9;
/** Channels of one Ant history frame: the observation and the previous action. */
export const HISTORY_CHANNELS = OBSERVATION_SIZE + ACTION_SIZE;
/** Their names, in order (DMAP attends over these 36). */
export const HISTORY_CHANNEL_NAMES: readonly string[] = [...OBSERVATION_NAMES, ...JOINT_NAMES.map((j) => `previous action ${j}`)];

export interface InputSpec {
  /** Sizes of the environment's vectors (default: the Ant's 28 observations, 8 actions, 9 morphology values). */
  observationSize?: number;
  actionSize?: number;
  previousAction: boolean;
  morphology: boolean;
  /** Steps of history (0: none). */
  historyLength: number;
}

export interface Slice {
  offset: number;
  size: number;
}

/** Offsets of the parts of an input row. */
export class InputLayout {
  readonly observation: Slice;
  readonly actionSize: number;
  readonly previousAction: Slice | null;
  readonly morphology: Slice | null;
  readonly history: (Slice & { length: number; channels: number }) | null;
  readonly size: number;

  constructor(readonly spec: InputSpec) {
    if (spec.historyLength !== 0 && (!Number.isInteger(spec.historyLength) || spec.historyLength < 1)) {
      throw new Error(`history length must be a whole number ≥ 1 (got ${spec.historyLength}); RMA uses 50 steps, DMAP 30`);
    }
    let offset = 0;
    const take = (size: number): Slice => { const s = { offset, size }; offset += size; return s; };
    this.observation = take(spec.observationSize ?? OBSERVATION_SIZE);
    this.actionSize = spec.actionSize ?? ACTION_SIZE;
    this.previousAction = spec.previousAction ? take(this.actionSize) : null;
    this.morphology = spec.morphology ? take(MORPHOLOGY_SIZE) : null;
    const channels = this.observation.size + this.actionSize;
    this.history = spec.historyLength ? { ...take(spec.historyLength * channels), length: spec.historyLength, channels } : null;
    this.size = offset;
  }
}

/**
 * Builds input rows step by step for N environments, keeping the per-environment state this needs: the
 * previous action and the history. Call `rows` with each step's observations, then `recordActions` with
 * the actions the environments executed.
 */
export class AgentInputs {
  obsRms: RunningMeanStd | null;
  private readonly previous: Float32Array;
  private readonly history: ObservationHistory | null;
  private readonly frame: Float32Array;
  private readonly window: Float32Array | null;
  /** Bodies of the current episodes (those of the last `rows` call): a final observation belongs to them. */
  private bodies: Float32Array;
  private readonly O: number;
  private readonly A: number;

  constructor(readonly layout: InputLayout, readonly numEnvs: number, options: { normalize: boolean; obsRms?: RunningMeanStd | null }) {
    this.O = layout.observation.size;
    this.A = layout.actionSize;
    this.obsRms = options.obsRms !== undefined ? options.obsRms : options.normalize ? new RunningMeanStd(this.O) : null;
    if (this.obsRms && this.obsRms.size !== this.O) {
      throw new Error(`observation statistics have ${this.obsRms.size} values, the environment has ${this.O} observations`);
    }
    this.previous = new Float32Array(numEnvs * this.A);
    const h = layout.history;
    this.history = h ? new ObservationHistory(numEnvs, h.length, h.channels) : null;
    this.window = h ? new Float32Array(numEnvs * h.size) : null;
    this.frame = new Float32Array(numEnvs * (this.O + this.A));
    this.bodies = new Float32Array(numEnvs * MORPHOLOGY_SIZE);
  }

  /** Normalised observations (N × 28); `update` first adds them to the running statistics. */
  normalizeObservations(observations: Float32Array, update: boolean): Float32Array {
    if (!this.obsRms) return observations;
    if (update) this.obsRms.update(observations, this.numEnvs);
    return this.obsRms.normalize(observations, this.numEnvs);
  }

  /**
   * Input rows (N × layout.size) for this step. `starts[i]` = 1 where the observation is the first of an
   * episode (all, when null on the first call): its previous action and history start from zeros.
   */
  rows(observations: Float32Array, morphologies: Float32Array, starts: Uint8Array | null, updateStatistics: boolean): Float32Array {
    const N = this.numEnvs;
    if (observations.length !== N * this.O) throw new Error(`inputs: expected ${N}×${this.O} observations, got ${observations.length}`);
    if (this.layout.morphology && morphologies.length !== N * MORPHOLOGY_SIZE) {
      throw new Error(`inputs: expected ${N}×${MORPHOLOGY_SIZE} morphology values, got ${morphologies.length}`);
    }
    for (let e = 0; e < N; e++) {
      if (starts && !starts[e]) continue;
      this.previous.fill(0, e * this.A, (e + 1) * this.A);
      this.history?.reset(e);
    }
    if (this.layout.morphology) this.bodies = Float32Array.from(morphologies);
    const x = this.normalizeObservations(observations, updateStatistics);
    this.history?.push(this.frames(x));
    return this.assemble(x, this.history?.window(this.window!));
  }

  /** Remember the actions the environments executed (N × 8): the next step's a_{t−1}. */
  recordActions(actions: Float32Array): void {
    if (actions.length !== this.previous.length) throw new Error(`inputs: expected ${this.numEnvs}×${this.A} actions, got ${actions.length}`);
    this.previous.set(actions);
  }

  /**
   * Rows for the final observations of episodes that just ended (N × 28, after `recordActions`), as the next
   * `rows` call would have built them had the episodes gone on: for the value of a time-limit truncation.
   * Changes no state.
   */
  finalRows(finalObservations: Float32Array): Float32Array {
    const x = this.normalizeObservations(finalObservations, false);
    const window = this.history?.window(new Float32Array(this.window!.length), this.frames(x));
    return this.assemble(x, window);
  }

  private frames(x: Float32Array): Float32Array {
    const { O, A } = this;
    for (let e = 0; e < this.numEnvs; e++) {
      this.frame.set(x.subarray(e * O, (e + 1) * O), e * (O + A));
      this.frame.set(this.previous.subarray(e * A, (e + 1) * A), e * (O + A) + O);
    }
    return this.frame;
  }

  private assemble(x: Float32Array, window: Float32Array | undefined): Float32Array {
    const { layout, numEnvs: N, O, A } = this;
    const D = layout.size;
    const out = new Float32Array(N * D);
    for (let e = 0; e < N; e++) {
      const row = e * D;
      out.set(x.subarray(e * O, (e + 1) * O), row);
      if (layout.previousAction) out.set(this.previous.subarray(e * A, (e + 1) * A), row + layout.previousAction.offset);
      if (layout.morphology) out.set(this.bodies.subarray(e * MORPHOLOGY_SIZE, (e + 1) * MORPHOLOGY_SIZE), row + layout.morphology.offset);
      if (layout.history) out.set(window!.subarray(e * layout.history.size, (e + 1) * layout.history.size), row + layout.history.offset);
    }
    return out;
  }
}
