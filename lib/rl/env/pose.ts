/**
 * The Ant's pose as the simulator has it: the torso and each leg's three capsules as 3-D segments, read from the
 * geoms of a running AntEnv; and one deterministic episode recorded as poses and foot contacts, for the
 * animations and gait diagrams of lib/rl/figures/render.ts and for probing a policy while it walks
 * (lib/rl/policies/probe.ts).
 */
import { ACTION_SIZE, AntEnv } from "./ant";
import type { ActFn } from "./evaluate";
import { Morphology, morphologyVector } from "./morphology";

export interface Segment {
  from: number[];
  to: number[];
  radius: number;
}

/** The body's pose: torso centre and radius, and per leg its three capsules. */
export interface AntPose {
  torso: { center: number[]; radius: number };
  legs: Segment[][];
}

export function antPose(env: AntEnv): AntPose {
  const pose: AntPose = { torso: { center: [0, 0, 0], radius: 0 }, legs: [[], [], [], []] };
  for (const g of env.geoms()) {
    if (g.type === "sphere") pose.torso = { center: g.pos, radius: g.size[0] };
    if (g.type !== "capsule") continue;
    const leg = Number(/_(\d)$/.exec(g.name)?.[1] ?? 1) - 1;
    const axis = [g.mat[2], g.mat[5], g.mat[8]];
    const h = g.size[1];
    pose.legs[leg].push({ from: g.pos.map((p, i) => p - axis[i] * h), to: g.pos.map((p, i) => p + axis[i] * h), radius: g.size[0] });
  }
  // A capsule's axis may point either way along the segment: orient each from the body outwards.
  const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  for (const segments of pose.legs) {
    let joint = pose.torso.center;
    for (const s of segments) {
      if (distance(joint, s.to) < distance(joint, s.from)) [s.from, s.to] = [s.to, s.from];
      joint = s.to;
    }
  }
  return pose;
}

export interface Episode {
  /** Pose every `every` steps. */
  poses: AntPose[];
  /** Foot contacts per step (T × 4). */
  contacts: number[][];
  /** Torso x per step (m). */
  x: number[];
  rewards: number[];
  dt: number;
  fell: boolean;
}

/** Run one deterministic episode of `steps` steps (or until a fall), recording poses and contacts. */
export async function recordEpisode(act: ActFn, morphology: Morphology, steps: number, seed = 0, every = 2): Promise<Episode> {
  const env = await AntEnv.create(morphology, { maxSteps: steps });
  try {
    let obs = env.reset(seed);
    const m = Float32Array.from(morphologyVector(morphology));
    const ep: Episode = { poses: [antPose(env)], contacts: [], x: [], rewards: [], dt: env.dt, fell: false };
    for (let t = 0; t < steps; t++) {
      const a = act(obs, m, 1, Uint8Array.of(t === 0 ? 1 : 0));
      const s = env.step(a.subarray(0, ACTION_SIZE));
      ep.contacts.push(s.info.contacts);
      ep.x.push(s.info.x);
      ep.rewards.push(s.reward);
      if ((t + 1) % every === 0) ep.poses.push(antPose(env));
      obs = s.observation;
      if (s.terminated || s.truncated) {
        ep.fell = s.info.fell;
        break;
      }
    }
    return ep;
  } finally {
    env.dispose();
  }
}
