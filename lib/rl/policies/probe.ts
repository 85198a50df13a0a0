/**
 * Look inside a policy while it walks: one deterministic episode per body (the policy's mean action, the
 * shipped evaluation seed's initial states), recording at every step what a probe reads from the network's
 * input (RMA's z and ẑ, DMAP's attention…) beside the gait (joint angles, foot contacts, position). Optionally
 * every body changes mid-episode (AntEnv.changeBody: the state carries over). Bodies are stepped in this thread
 * and the network runs once per step on all of them.
 */
import { tf } from "../../tf";
import { AntEnv, OBSERVATION_SIZE } from "../env/ant";
import { AgentInputs } from "./inputs";
import { Morphology, morphologyVector } from "../env/morphology";
import type { ActorCritic } from "./gaussian-mlp";
import { antPose, AntPose } from "../env/pose";

export interface ProbedEpisode {
  /** Poses every `poseEvery` steps (with that option), the first before the first step. */
  poses: AntPose[];
  /** What the probe returned for this body, per step (a row of numbers). */
  probe: number[][];
  /** Raw joint angles, scaled to [−1, 1] over their ranges (observation 8–15), per step. */
  jointAngles: number[][];
  /** Foot contacts (0/1 per leg), per step. */
  contacts: number[][];
  /** Torso x (m) per step. */
  x: number[];
  fell: boolean;
}

export interface ProbeOptions {
  seed: number;
  steps: number;
  /** Record the body's pose every this many steps (for animations); default: none. */
  poseEvery?: number;
  change?: { at: number; to: Morphology[] };
}

/**
 * Run `policy` (with the input builder `inputs` for as many environments as bodies) on each body; `probe` maps
 * the step's input rows (bodies × inputSize) to one row of numbers per body. Call it inside no tf.tidy: it is tidied here.
 */
export async function probeEpisodes(policy: ActorCritic, inputs: AgentInputs, bodies: Morphology[], options: ProbeOptions,
  probe: (input: tf.Tensor2D) => tf.Tensor2D): Promise<ProbedEpisode[]> {
  const n = bodies.length;
  if (inputs.numEnvs !== n) throw new Error(`probeEpisodes: the input builder is for ${inputs.numEnvs} environments, got ${n} bodies`);
  if (options.change && options.change.to.length !== n) throw new Error(`probeEpisodes: ${options.change.to.length} new bodies for ${n} bodies`);
  const envs = await Promise.all(bodies.map((m) => AntEnv.create(m, { maxSteps: options.steps })));
  const episodes: ProbedEpisode[] = bodies.map(() => ({ poses: [], probe: [], jointAngles: [], contacts: [], x: [], fell: false }));
  const done = new Uint8Array(n);
  try {
    const obs = new Float32Array(n * OBSERVATION_SIZE);
    envs.forEach((env, i) => obs.set(env.reset(options.seed + i), i * OBSERVATION_SIZE));
    if (options.poseEvery) envs.forEach((env, i) => episodes[i].poses.push(antPose(env)));
    for (let t = 0; t < options.steps && done.some((d) => !d); t++) {
      if (options.change?.at === t) envs.forEach((env, i) => { if (!done[i]) obs.set(env.changeBody(options.change!.to[i]), i * OBSERVATION_SIZE); });
      const morphologies = Float32Array.from(envs.flatMap((env) => morphologyVector(env.morphology)));
      const rows = inputs.rows(obs, morphologies, t === 0 ? null : new Uint8Array(n), false);
      const out = tf.tidy(() => {
        const input = tf.tensor2d(rows, [n, policy.inputSize]);
        const p = probe(input);
        return { actions: policy.distribution(input).mean.dataSync() as Float32Array, probe: p.dataSync() as Float32Array, width: p.shape[1] };
      });
      const executed = out.actions.map((v) => Math.max(-1, Math.min(1, v)));
      inputs.recordActions(executed);
      for (let i = 0; i < n; i++) {
        if (done[i]) continue;
        const e = episodes[i];
        e.probe.push(Array.from(out.probe.subarray(i * out.width, (i + 1) * out.width)));
        e.jointAngles.push(Array.from(obs.subarray(i * OBSERVATION_SIZE + 8, i * OBSERVATION_SIZE + 16)));
        const s = envs[i].step(executed.subarray(i * 8, i * 8 + 8));
        e.contacts.push(s.info.contacts);
        e.x.push(s.info.x);
        if (options.poseEvery && (t + 1) % options.poseEvery === 0) e.poses.push(antPose(envs[i]));
        obs.set(s.observation, i * OBSERVATION_SIZE);
        if (s.terminated || s.truncated) {
          done[i] = 1;
          e.fell = s.info.fell;
        }
      }
    }
    return episodes;
  } finally {
    envs.forEach((env) => env.dispose());
  }
}
