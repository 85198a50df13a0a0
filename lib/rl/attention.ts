/**
 * DMAP's attention while the ant walks (Chiappa, Marin Vargas & Mathis 2022, "attention is gait-cycle
 * specific"): each joint's 36 attention weights recorded step by step beside the gait, which channels each joint
 * reads on average, how much its attention varies with the gait phase against a shuffled-phase baseline, and how
 * much it differs between bodies (lib/rl/gait.ts).
 */
import { tf } from "../tf";
import { Morphology } from "./morphology";
import { AgentInputs } from "./inputs";
import { RunningMeanStd } from "./normalize";
import { DmapPolicy } from "./policies/dmap";
import { betweenEpisodeFraction, gaitPhaseFromContacts, gaitPhaseFromJointAngles, PhaseEpisode, phaseModulation, shuffledModulation, signalVariability } from "./gait";
import { probeEpisodes, ProbedEpisode, ProbeOptions } from "./probe";
import { Rng } from "../util/random";

const JOINTS = 8;
const CHANNELS = 36;

export interface AttentionEpisode extends ProbedEpisode {
  /** attention[t][joint][channel], each [t][joint] summing to 1. */
  attention: number[][][];
}

/** Record each joint's attention over the 36 channels while `policy` walks each body (one episode each). */
export async function recordAttention(policy: DmapPolicy, obsRms: RunningMeanStd | null, bodies: Morphology[], options: ProbeOptions): Promise<AttentionEpisode[]> {
  const inputs = new AgentInputs(policy.layout, bodies.length, { normalize: false, obsRms });
  const episodes = await probeEpisodes(policy, inputs, bodies, options, (input) => tf.reshape(policy.attention(input), [bodies.length, JOINTS * CHANNELS]) as tf.Tensor2D);
  return episodes.map((e) => ({
    ...e,
    attention: e.probe.map((row) => Array.from({ length: JOINTS }, (_, j) => row.slice(j * CHANNELS, (j + 1) * CHANNELS))),
  }));
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
  /** modulation ÷ the attention's total variability (lib/rl/gait.ts phaseLockedFraction): comparable across networks. */
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
 * episodes, i.e. between bodies (lib/rl/gait.ts betweenEpisodeFraction) — what DMAP's attention would show if it
 * reads out the body rather than the stride.
 */
export function attentionBodyFraction(episodes: readonly AttentionEpisode[]): number[] {
  return Array.from({ length: JOINTS }, (_, joint) => betweenEpisodeFraction(episodes.map((e) => ({ values: e.attention.map((a) => a[joint]) }))));
}
