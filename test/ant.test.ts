/**
 * The Ant in MuJoCo: body generation from a morphology, spaces, determinism by seed, clear errors on bad
 * input, instability handled as a flagged episode end, threaded environments identical to single-thread,
 * packed evaluations identical to separate ones, shipped test sets equal to the generator's.
 */
import * as fs from "fs";
import { describe, expect, it } from "vitest";
import { ACTION_SIZE, AntEnv, antMjcf, OBSERVATION_SIZE, OBSERVATION_NAMES } from "../lib/rl/env/ant";
import { morphologyFromVector, morphologyTestSet, NOMINAL, sampleMorphology, validateSigma } from "../lib/rl/env/morphology";
import { testSetContent, testSetFile, TEST_SIGMAS, loadTestSet } from "../lib/rl/env/test-sets";
import { AntVecEnv } from "../lib/rl/env/vec-env";
import { ActFn, EVALUATION_SEED, evaluateMany, evaluateOnMorphologies } from "../lib/rl/env/evaluate";
import { rng } from "../lib/util/random";

const numbers = (s: string) => s.trim().split(/\s+/).map(Number);

describe("Ant body from a morphology", () => {
  it("scales the torso radius, leg capsule radii and segment lengths by (1 + p), moving children to the ends", () => {
    const m = morphologyFromVector([0.2, 0.5, -0.5, 0, 0, 0, 0, 0, 0]);
    const xml = antMjcf(m);
    expect(/name="torso_geom" type="sphere" size="([\d.]+)"/.exec(xml)![1]).toBe("0.3");
    // Front-left leg: capsule radius 0.08 × 1.5, segment lengths × 0.5.
    expect(/name="hip_geom_1" type="capsule" fromto="([^"]+)" size="([\d.]+)"/.exec(xml)![2]).toBe("0.12");
    const hip = numbers(/name="hip_geom_1" type="capsule" fromto="([^"]+)"/.exec(xml)![1]).slice(3);
    expect(Math.hypot(...hip)).toBeCloseTo(0.5 * 0.2 * Math.SQRT2, 4);
    const thighBody = numbers(/<body name="thigh_1" pos="([^"]+)"/.exec(xml)![1]);
    expect(thighBody).toEqual(hip);
    const shin = numbers(/name="shin_geom_1" type="capsule" fromto="([^"]+)"/.exec(xml)![1]).slice(3);
    expect(Math.hypot(...shin)).toBeCloseTo(0.5 * 0.4 * Math.SQRT2, 4);
    // The other legs are nominal.
    expect(/name="hip_geom_2" type="capsule" fromto="[^"]+" size="([\d.]+)"/.exec(xml)![1]).toBe("0.08");
  });

  it("rejects impossible morphologies and σ outside [0, 1), naming the problem", () => {
    expect(() => validateSigma(1)).toThrow(/σ must be in \[0, 1\)/);
    expect(() => validateSigma(-0.1)).toThrow(/σ must be in \[0, 1\)/);
    expect(() => validateSigma(NaN)).toThrow(/σ must be/);
    expect(() => morphologyFromVector([0, 0, -1, 0, 0, 0, 0, 0, 0])).toThrow(/front_left_length = -1 would scale its size by 0/);
    expect(() => morphologyFromVector([0, 0, 0])).toThrow(/9 parameters/);
    expect(() => morphologyFromVector([NaN, 0, 0, 0, 0, 0, 0, 0, 0])).toThrow(/torso_size is NaN/);
    const r = rng(0);
    for (let i = 0; i < 50; i++) {
      const v = Object.values(sampleMorphology(0.7, r)).flat() as number[];
      expect(v.every((p) => Math.abs(p) <= 0.7)).toBe(true);
    }
  });
});

describe("AntEnv", () => {
  it("has 28 named observations and 8 actions; stands still without falling under zero torque", async () => {
    const env = await AntEnv.create();
    expect(OBSERVATION_NAMES.length).toBe(OBSERVATION_SIZE);
    const o = env.reset(0);
    expect(o.length).toBe(28);
    let last: ReturnType<typeof env.step> | undefined;
    for (let t = 0; t < 100; t++) last = env.step(new Array(ACTION_SIZE).fill(0));
    expect(last!.terminated).toBe(false);
    expect(last!.info.z).toBeGreaterThan(0.3);
    expect(last!.observation.slice(24).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3); // feet on the floor
    expect(Math.abs(last!.info.x)).toBeLessThan(0.2);
    env.dispose();
  });

  it("is deterministic by seed", async () => {
    const run = async (seed: number) => {
      const env = await AntEnv.create(morphologyTestSet(0.3, 1)[0]);
      const r = rng(1);
      const obs = [Array.from(env.reset(seed))];
      for (let t = 0; t < 50; t++) obs.push(Array.from(env.step(Array.from({ length: 8 }, () => r.range(-1, 1))).observation));
      env.dispose();
      return obs;
    };
    const a = await run(4);
    expect(await run(4)).toEqual(a);
    expect((await run(5))[0]).not.toEqual(a[0]);
  });

  it("gives clear errors for bad actions and for stepping without reset", async () => {
    const env = await AntEnv.create();
    expect(() => env.step(new Array(8).fill(0))).toThrow(/call reset\(seed\) first/);
    env.reset(0);
    expect(() => env.step([0, 0, 0])).toThrow(/must have 8 values, got 3/);
    expect(() => env.step([0, 0, 0, NaN, 0, 0, 0, 0])).toThrow(/action\[3\] is NaN/);
    env.dispose();
  });

  it("ends the episode with a flag when the simulation becomes unstable", async () => {
    const env = await AntEnv.create();
    env.reset(0);
    // Reach into the simulator to blow the state up, as a diverging integration would.
    const data = (env as unknown as { data: { qvel: Float64Array } }).data;
    data.qvel[6] = 1e9;
    const s = env.step(new Array(8).fill(0));
    expect(s.terminated).toBe(true);
    expect(s.info.unstable).toBe(true);
    expect(() => env.step(new Array(8).fill(0))).toThrow(/reset/);
    env.reset(1);
    expect(env.step(new Array(8).fill(0)).info.unstable).toBe(false);
    // Later in an episode (MuJoCo's own reset is detected by the clock there).
    for (let t = 0; t < 10; t++) expect(env.step(new Array(8).fill(0.2)).info.unstable).toBe(false);
    data.qvel[6] = 1e9;
    expect(env.step(new Array(8).fill(0)).info.unstable).toBe(true);
    env.dispose();
  });
});

describe("vectorised environments", () => {
  it("give identical results with worker threads and in one thread, for the same seeds", async () => {
    const trace = async (threads: number) => {
      const env = await AntVecEnv.create({ numEnvs: 4, seed: 7, threads, morphology: { kind: "sigma", sigma: 0.5 }, maxSteps: 30 });
      const r = rng(3);
      const out: number[] = Array.from(env.reset());
      let finished = 0;
      for (let t = 0; t < 70; t++) {
        const s = env.step(Float32Array.from({ length: 32 }, () => r.range(-1, 1)));
        out.push(...Array.from(s.observations), ...Array.from(s.rewards));
        finished += s.finished.length;
      }
      out.push(...Array.from(env.morphologies()));
      await env.close();
      return { out, finished };
    };
    const single = await trace(0);
    const threaded = await trace(2);
    expect(single.finished).toBeGreaterThanOrEqual(8); // several episodes, so auto-reset and new bodies are covered
    expect(threaded.out).toEqual(single.out);
  }, 60_000);

  it("packed evaluations each give what they give alone: the same bodies, initial states and returns", async () => {
    const bodies = loadTestSet(0.3, 6);
    // A memoryless actor and one that carries state from call to call (the way history policies do), each seeded.
    const sine = (phase: number): ActFn => {
      let t = 0;
      return (obs, _m, n, starts) => {
        if (starts?.some((s) => s)) t = 0;
        t++;
        return Float32Array.from({ length: n * ACTION_SIZE }, (_, i) => Math.sin(t / 5 + phase + i) * 0.8 + 0.1 * obs[i % (n * OBSERVATION_SIZE)]);
      };
    };
    const jobs = [{ act: sine(0), morphologies: bodies.slice(0, 4) }, { act: sine(1), morphologies: bodies.slice(2, 6) }];
    const options = { seed: EVALUATION_SEED, maxSteps: 60 };
    const packed = await evaluateMany(jobs, options);
    const alone = [await evaluateOnMorphologies(sine(0), bodies.slice(0, 4), options), await evaluateOnMorphologies(sine(1), bodies.slice(2, 6), options)];
    expect(packed).toEqual(alone);
    expect(packed[0].perMorphology.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    await expect(evaluateMany([{ act: sine(0), morphologies: [] }])).rejects.toThrow(/evaluation 0 has no bodies/);
    const one = sine(0);
    await expect(evaluateMany([{ act: one, morphologies: bodies }, { act: one, morphologies: bodies }])).rejects.toThrow(/evaluations 0 and 1 share one actor/);
    await expect(AntVecEnv.create({ numEnvs: 2, seed: 1, seedIndices: [0] })).rejects.toThrow(/seedIndices must be 2 non-negative integers/);
  }, 60_000);

  it("reject wrong action shapes and NaNs", async () => {
    const env = await AntVecEnv.create({ numEnvs: 2, seed: 0, threads: 0 });
    env.reset();
    expect(() => env.step(new Float32Array(8))).toThrow(/expected 2×8 actions, got 8 values/);
    expect(() => env.step(new Float32Array(16).fill(NaN))).toThrow(/action 0 of env 0 is NaN/);
    await env.close();
  });
});

describe("shipped morphology test sets", () => {
  it.each(TEST_SIGMAS.map((s) => [s]))("σ = %s equals the generator's output and stays within ±σ", (sigma) => {
    const shipped = JSON.parse(fs.readFileSync(testSetFile(sigma), "utf8"));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(testSetContent(sigma))));
    const set = loadTestSet(sigma);
    expect(set.length).toBe(100);
    expect(set.every((m) => [m.torso, ...m.legSize, ...m.legLength].every((p) => Math.abs(p) <= sigma + 1e-6))).toBe(true);
    expect(NOMINAL.torso).toBe(0);
  });
});

describe("pictures and the odometer", () => {
  it("the pose has the torso and three capsules per leg, joined end to end", async () => {
    const { antPose } = await import("../lib/rl/env/pose");
    const env = await AntEnv.create(morphologyFromVector([0.4, 0, 0.5, 0, 0, 0, 0, 0, 0]));
    env.reset(0);
    const pose = antPose(env);
    expect(pose.torso.radius).toBeCloseTo(0.35, 5);
    expect(pose.legs.map((l) => l.length)).toEqual([3, 3, 3, 3]);
    for (const leg of pose.legs) for (let k = 1; k < 3; k++) {
      expect(Math.hypot(...leg[k].from.map((v, i) => v - leg[k - 1].to[i]))).toBeLessThan(1e-6);
    }
    const length = (s: { from: number[]; to: number[] }) => Math.hypot(...s.from.map((v, i) => v - s.to[i]));
    expect(length(pose.legs[0][2]) / length(pose.legs[1][2])).toBeCloseTo(1.5, 5);
    env.dispose();
  });

  it("the odometer counts touchdowns per foot", async () => {
    const { countStrides } = await import("../lib/rl/analysis/odometer");
    expect(countStrides([[0, 0], [1, 0], [1, 1], [0, 0], [1, 1]])).toBe(2);
    expect(countStrides([])).toBe(0);
  });
});
