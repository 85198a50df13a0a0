/**
 * DMAP's attention while the ant walks (Chiappa, Marin Vargas & Mathis 2022, "attention is gait-cycle
 * specific"): each joint's 36 attention weights recorded step by step beside the gait, which channels each joint
 * reads on average, how much its attention varies with the gait phase against a shuffled-phase baseline, and how
 * much it differs between bodies (lib/rl/analysis/gait.ts) — each against control networks (untrained DMAPs) that read the
 * very same inputs, since any state-driven attention varies with the gait.
 */
import { tf } from "../../tf";
import { Morphology } from "../env/morphology";
import { AgentInputs } from "../policies/inputs";
import { RunningMeanStd } from "../policies/normalize";
import { DmapPolicy } from "../policies/dmap";
import { betweenEpisodeFraction, gaitPhaseFromContacts, gaitPhaseFromJointAngles, PhaseEpisode, phaseModulation, shuffledModulation, signalVariability } from "./gait";
import { probeEpisodes, ProbedEpisode, ProbeOptions } from "../policies/probe";
import { rng, Rng } from "../../util/random";
import { JOINT_NAMES } from "../env/ant";

const JOINTS = 8;
const CHANNELS = 36;

export interface AttentionEpisode extends ProbedEpisode {
  /** attention[t][joint][channel], each [t][joint] summing to 1. */
  attention: number[][][];
}

export interface AttentionRecording {
  /** The recorded policy's episodes: it acts, and its attention is read. */
  trained: AttentionEpisode[];
  /** Per control network: its attention on the very same inputs (the same episodes, driven by `policy`). */
  controls: AttentionEpisode[][];
}

/**
 * Record each joint's attention over the 36 channels while `policy` walks each body (one episode each) and,
 * step by step on the same inputs, the attention of each `controls` network (e.g. untrained DMAPs of the same
 * architecture: what attention does that training did not shape).
 */
export async function recordAttention(policy: DmapPolicy, obsRms: RunningMeanStd | null, bodies: Morphology[], options: ProbeOptions,
  controls: readonly DmapPolicy[] = []): Promise<AttentionRecording> {
  const nets = [policy, ...controls];
  for (const c of controls) if (c.inputSize !== policy.inputSize) throw new Error(`recordAttention: a control network reads ${c.inputSize} inputs, the policy ${policy.inputSize}; give controls of the policy's configuration`);
  const inputs = new AgentInputs(policy.layout, bodies.length, { normalize: false, obsRms });
  const width = JOINTS * CHANNELS;
  const episodes = await probeEpisodes(policy, inputs, bodies, options,
    (input) => tf.concat(nets.map((net) => tf.reshape(net.attention(input), [bodies.length, width])), 1) as tf.Tensor2D);
  const slice = (u: number): AttentionEpisode[] => episodes.map((e) => ({
    ...e,
    probe: e.probe.map((row) => row.slice(u * width, (u + 1) * width)),
    attention: e.probe.map((row) => Array.from({ length: JOINTS }, (_, j) => row.slice(u * width + j * CHANNELS, u * width + (j + 1) * CHANNELS))),
  }));
  return { trained: slice(0), controls: controls.map((_, u) => slice(u + 1)) };
}

/** Mean attention of each joint over channels (8 × 36), over every step of every episode. */
export function meanAttention(episodes: readonly AttentionEpisode[]): number[][] {
  const sum = Array.from({ length: JOINTS }, () => new Array(CHANNELS).fill(0));
  let steps = 0;
  for (const e of episodes) for (const a of e.attention) { steps++; a.forEach((row, j) => row.forEach((v, c) => (sum[j][c] += v))); }
  return sum.map((row) => row.map((v) => v / Math.max(1, steps)));
}

export type PhaseSource = "joint-angles" | { foot: number };

export interface JointModulation {
  joint: number;
  modulation: number;
  /** modulation ÷ the attention's total variability (lib/rl/analysis/gait.ts phaseLockedFraction): comparable across networks. */
  fraction: number;
  baselineMean: number;
  baselineP95: number;
  /** modulation above the 95th percentile of the shuffled baseline. */
  aboveBaseline: boolean;
}

/** Gait phase of each step of each episode, from the joint angles' first two PCs or a foot's touchdowns. */
export function episodePhases(episodes: readonly ProbedEpisode[], source: PhaseSource): (number | null)[][] {
  return episodes.map((e) => (source === "joint-angles"
    ? gaitPhaseFromJointAngles(e.jointAngles).phase
    : gaitPhaseFromContacts(e.contacts.map((c) => c[source.foot]))));
}

/** Per joint: phase modulation of its attention vector and the circular-shift baseline. */
export function attentionGaitModulation(episodes: readonly AttentionEpisode[], source: PhaseSource, random: Rng, options: { bins?: number; shuffles?: number } = {}): JointModulation[] {
  const phases = episodePhases(episodes, source);
  return Array.from({ length: JOINTS }, (_, joint) => {
    const perJoint: PhaseEpisode[] = episodes.map((e, k) => ({ values: e.attention.map((a) => a[joint]), phase: phases[k] }));
    const modulation = phaseModulation(perJoint, options.bins ?? 8);
    const base = shuffledModulation(perJoint, random, options.shuffles ?? 200, options.bins ?? 8);
    return { joint, modulation, fraction: modulation / signalVariability(perJoint), baselineMean: base.mean, baselineP95: base.p95, aboveBaseline: modulation > base.p95 };
  });
}

/**
 * Per joint: the share of its attention's variability that is constant within an episode and differs between
 * episodes, i.e. between bodies (lib/rl/analysis/gait.ts betweenEpisodeFraction) — what DMAP's attention would show if it
 * reads out the body rather than the stride.
 */
export function attentionBodyFraction(episodes: readonly AttentionEpisode[]): number[] {
  return Array.from({ length: JOINTS }, (_, joint) => betweenEpisodeFraction(episodes.map((e) => ({ values: e.attention.map((a) => a[joint]) }))));
}

/** One joint's attention against the shuffled-phase baseline and against the control networks. */
export interface JointFindings {
  joint: string;
  /** Gait-phase modulation (joint-angle phase) and whether it exceeds the shuffled baseline's 95th percentile. */
  modulation: number;
  aboveShuffled: boolean;
  /** Phase-locked fraction (joint-angle phase): the policy's, the controls' mean and max, and whether it beats every control. */
  locked: number;
  controlLockedMean: number;
  controlLockedMax: number;
  lockedAbove: boolean;
  /** The same with the phase from one foot's touchdowns. */
  lockedByFoot: number;
  controlLockedByFootMax: number;
  lockedByFootAbove: boolean;
  /** Share of the attention's variability that differs between episodes (bodies), and the controls'. */
  betweenBodies: number;
  controlBetweenMean: number;
  controlBetweenMax: number;
  betweenAbove: boolean;
}

export interface AttentionFindings {
  /** Per joint, with the shuffled baseline (joint-angle phase). */
  modulation: JointModulation[];
  joints: JointFindings[];
  counts: { aboveShuffled: number; lockedAbove: number; lockedByFootAbove: number; betweenAbove: number };
  /** Averaged over joints: the policy's phase modulation and total variability ÷ the controls'. */
  modulationRatio: number;
  variabilityRatio: number;
}

/**
 * The attention analysis of notebook 04 in one call: is each joint's attention modulated by the gait phase beyond
 * the shuffled baseline; does it lock a larger share of its variability to the phase (from the joint angles, and
 * from foot `foot`'s touchdowns) than every control network on the same inputs; does more of it differ between
 * bodies? `seed` seeds the shuffles. Needs at least one control.
 */
export function attentionFindings(recording: AttentionRecording, seed: number, options: { bins?: number; shuffles?: number; foot?: number } = {}): AttentionFindings {
  const { trained, controls } = recording;
  if (!controls.length) throw new Error("attentionFindings: record with at least one control network (recordAttention's `controls`)");
  const bins = options.bins ?? 8;
  const foot: PhaseSource = { foot: options.foot ?? 0 };
  const modulation = attentionGaitModulation(trained, "joint-angles", rng(seed), { bins, shuffles: options.shuffles ?? 200 });
  // The fractions need no baseline: one shuffle.
  const stats = (eps: readonly AttentionEpisode[], source: PhaseSource) => attentionGaitModulation(eps, source, rng(seed), { bins, shuffles: 1 });
  const byFoot = stats(trained, foot);
  const controlStats = controls.map((eps) => stats(eps, "joint-angles"));
  const controlByFoot = controls.map((eps) => stats(eps, foot));
  const between = attentionBodyFraction(trained);
  const controlBetween = controls.map((eps) => attentionBodyFraction(eps));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const joints = modulation.map((m, j): JointFindings => {
    const locked = controlStats.map((c) => c[j].fraction), lockedFoot = controlByFoot.map((c) => c[j].fraction), body = controlBetween.map((c) => c[j]);
    return {
      joint: JOINT_NAMES[j], modulation: m.modulation, aboveShuffled: m.aboveBaseline,
      locked: m.fraction, controlLockedMean: mean(locked), controlLockedMax: Math.max(...locked), lockedAbove: m.fraction > Math.max(...locked),
      lockedByFoot: byFoot[j].fraction, controlLockedByFootMax: Math.max(...lockedFoot), lockedByFootAbove: byFoot[j].fraction > Math.max(...lockedFoot),
      betweenBodies: between[j], controlBetweenMean: mean(body), controlBetweenMax: Math.max(...body), betweenAbove: between[j] > Math.max(...body),
    };
  });
  const count = (key: "aboveShuffled" | "lockedAbove" | "lockedByFootAbove" | "betweenAbove") => joints.filter((j) => j[key]).length;
  const variability = (ms: readonly JointModulation[]) => mean(ms.map((m) => m.modulation / m.fraction));
  return {
    modulation, joints,
    counts: { aboveShuffled: count("aboveShuffled"), lockedAbove: count("lockedAbove"), lockedByFootAbove: count("lockedByFootAbove"), betweenAbove: count("betweenAbove") },
    modulationRatio: mean(modulation.map((m) => m.modulation)) / mean(controlStats.flat().map((m) => m.modulation)),
    variabilityRatio: variability(modulation) / variability(controlStats.flat()),
  };
}
