/**
 * Speed of the Ant stack, for `npm run bench`: raw MuJoCo steps per second of one Ant, environment steps per
 * second of the vectorised environments (one thread and worker threads), and of the whole PPO loop
 * (rollout + update), each measured after a warm-up.
 */
import { initBackend, tf } from "../../tf";
import { antMjcf } from "../env/ant";
import { compileModel, loadMujoco } from "../env/mujoco";
import { agentConfig, createPolicy, inputsFor, PolicyKind } from "./agent";
import { FlatAdam } from "./adam";
import { Ppo, PPO_DEFAULTS, ppoLoss } from "./ppo";
import { AntVecEnv } from "../env/vec-env";
import { rng } from "../../util/random";

export interface AntBenchResult {
  bench: string;
  value: number;
  unit: string;
  detail: string;
}

/** mj_step per second of one nominal Ant with sinusoidal controls. */
export async function benchMjStep(steps = 20000): Promise<AntBenchResult> {
  const mujoco = await loadMujoco();
  const model = compileModel(mujoco, antMjcf(), "bench");
  const data = new mujoco.MjData(model);
  for (let i = 0; i < 500; i++) mujoco.mj_step(model, data);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const ctrl = data.ctrl as Float64Array;
    for (let k = 0; k < 8; k++) ctrl[k] = Math.sin(0.05 * i + k);
    mujoco.mj_step(model, data);
  }
  const perSecond = steps / ((performance.now() - t0) / 1000);
  data.delete();
  model.delete();
  return { bench: "ant_mj_step", value: perSecond, unit: "mj_step/s", detail: "one Ant, Euler, 0.01 s timestep" };
}

/** Environment steps per second of `numEnvs` Ants with random actions (σ = 0.3 bodies, new at each episode). */
export async function benchVecEnv(numEnvs: number, threads: number, steps = 200): Promise<AntBenchResult> {
  const env = await AntVecEnv.create({ numEnvs, seed: 0, threads, morphology: { kind: "sigma", sigma: 0.3 } });
  const r = rng(0);
  const actions = () => Float32Array.from({ length: numEnvs * 8 }, () => 0.5 * r.normal());
  env.reset();
  // Warm up until V8 has tiered up each thread's MuJoCo wasm (workers compile their own copy: the first ~150
  // steps run at half speed).
  for (let t = 0; t < 300; t++) env.step(actions());
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) env.step(actions());
  const perSecond = (steps * numEnvs) / ((performance.now() - t0) / 1000);
  await env.close();
  return { bench: `ant_env_steps_${threads ? `${threads}threads` : "1thread"}`, value: perSecond, unit: "env steps/s", detail: `${numEnvs} envs, frame skip 5, ${threads ? threads + " worker threads" : "in the main thread"}` };
}

/**
 * The PPO loop's aims as fractions of the 16 Ants' own stepping rate (2 worker threads) in the same run: Simple
 * 5,000, Oracle 4,000, TCN 3,000 and DMAP 1,500 env steps/s on a machine whose Ants alone step ~16,900/s.
 */
export const PPO_LOOP_AIMS = { simple: 0.3, oracle: 0.24, tcn: 0.18, dmap: 0.09 } as const;

export const ppoLoopBench = (kind: PolicyKind) => (kind === "simple" ? "ant_ppo_loop" : `ant_ppo_loop_${kind}`);

/**
 * Environment steps per second of the whole PPO loop (rollout + the update epochs of PPO_DEFAULTS) for one
 * policy kind, on the backend active now.
 */
export async function benchPpoLoop(kind: PolicyKind = "simple", iterations = 6, warmup = 2): Promise<AntBenchResult> {
  await initBackend({ quiet: true });
  const config = agentConfig({ policy: kind, sigma: 0.1, seed: 0 });
  const env = await AntVecEnv.create({ numEnvs: 16, seed: 0, threads: 2, morphology: { kind: "sigma", sigma: 0.1 } });
  const policy = createPolicy(config);
  const ppo = new Ppo(policy, env, inputsFor(config, 16), { numEnvs: 16 }, 0);
  for (let i = 0; i < warmup; i++) ppo.iterate(1e7); // JIT tier-up of the workers' MuJoCo and of tfjs's kernels
  let steps = 0, seconds = 0, rollout = 0;
  for (let i = 0; i < iterations; i++) {
    const log = ppo.iterate(1e7);
    steps += 16 * 128;
    seconds += log.rolloutSeconds + log.updateSeconds;
    rollout += log.rolloutSeconds;
  }
  await env.close();
  policy.dispose();
  const o = ppo.options;
  return { bench: ppoLoopBench(kind), value: steps / seconds, unit: "env steps/s",
    detail: `${o.numEnvs} envs × ${o.numSteps} steps per rollout, ${o.updateEpochs} epochs × ${o.numMinibatches} minibatches; ${(100 * rollout / seconds).toFixed(0)} % of the time in the rollout` };
}

/**
 * A policy's two costs in the PPO loop, as steppable problems for `npm run bench`: `forward` is the action
 * distribution for the 16 environments' inputs (one rollout step's policy call); `update` is ppoLoss's gradient over
 * one 512-sample minibatch and one Adam step, as Ppo.update does it. Inputs are random normal rows (the cost does
 * not depend on their values).
 */
export function makePolicyProblem(kind: PolicyKind, what: "forward" | "update"): { step(): number; dispose(): void } {
  const config = agentConfig({ policy: kind, sigma: 0.3, seed: 0 });
  const policy = createPolicy(config);
  const D = policy.inputSize, A = policy.actionSize;
  if (what === "forward") {
    const x = tf.randomNormal([PPO_DEFAULTS.numEnvs, D], 0, 1, "float32", 1) as tf.Tensor2D;
    return {
      step: () => tf.tidy(() => policy.distribution(x).mean.dataSync()[0]),
      dispose: () => { x.dispose(); policy.dispose(); },
    };
  }
  const B = PPO_DEFAULTS.numSteps * PPO_DEFAULTS.numEnvs / PPO_DEFAULTS.numMinibatches;
  const optimizer = new FlatAdam(policy.variables, { beta1: 0.9, beta2: 0.999, epsilon: 1e-5 });
  const batch = {
    inputs: tf.randomNormal([B, D], 0, 1, "float32", 2) as tf.Tensor2D, actions: tf.randomNormal([B, A], 0, 1, "float32", 3) as tf.Tensor2D,
    oldLogProbs: tf.randomNormal([B], -8, 1, "float32", 4) as tf.Tensor1D, oldValues: tf.randomNormal([B], 0, 1, "float32", 5) as tf.Tensor1D,
    returns: tf.randomNormal([B], 0, 1, "float32", 6) as tf.Tensor1D, advantages: tf.randomNormal([B], 0, 1, "float32", 7) as tf.Tensor1D,
  };
  return {
    step: () => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => ppoLoss(policy, batch, PPO_DEFAULTS).loss, policy.variables);
      optimizer.step(grads, PPO_DEFAULTS.learningRate, PPO_DEFAULTS.maxGradNorm);
      return value.dataSync()[0];
    }),
    dispose: () => { Object.values(batch).forEach((t) => t.dispose()); policy.dispose(); },
  };
}
