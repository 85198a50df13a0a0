/**
 * PPO: GAE against a hand-computed case; the clipped update learns a small continuous-control task; the
 * update keeps the tensor count flat.
 */
import { describe, expect, it } from "vitest";
import { initBackend, tf } from "../lib/tf";
import { GaussianMlp, orthogonalMatrix } from "../lib/rl/policies/gaussian-mlp";
import { adaptLearningRate, computeGae, Ppo, PPO_DEFAULTS, validatePpoOptions, VectorEnv } from "../lib/rl/learning/ppo";
import { checkSamePlan } from "../lib/rl/learning/train";
import { AgentInputs, InputLayout } from "../lib/rl/policies/inputs";
import { RunningMeanStd } from "../lib/rl/policies/normalize";
import { FlatAdam } from "../lib/rl/learning/adam";
import { rng } from "../lib/util/random";
import { budgetFromPilots, lateGrowth, levelledOff, ppoDiagnostics, ShippedAgent } from "../lib/rl/analysis/report";
import { entropy, logProb, sample, sampleRows } from "../lib/rl/policies/distribution";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./fixtures/temp-dir";

describe("FlatAdam (Adam with global-norm clipping, in JavaScript)", () => {
  /** A small least-squares problem: loss(w, b) = mean((x·w + b − y)²). */
  let made = 0;
  function problem(seed: number) {
    made++;
    const x = tf.randomNormal([32, 5], 0, 1, "float32", seed), y = tf.randomNormal([32, 3], 0, 1, "float32", seed + 1);
    const w = tf.variable(tf.randomNormal([5, 3], 0, 1, "float32", seed + 2), true, `adam-test-w${made}`);
    const b = tf.variable(tf.zeros([3]), true, `adam-test-b${made}`);
    const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar;
    return { x, y, w, b, loss, values: () => [...w.dataSync(), ...b.dataSync()] };
  }

  it("takes the same steps as tf.train.adam (same formula) when no clipping applies", async () => {
    await initBackend({ quiet: true });
    const a = problem(1), bProblem = problem(1);
    const ours = new FlatAdam([a.w, a.b], { epsilon: 1e-5 });
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-5);
    for (let t = 0; t < 20; t++) {
      const { value, grads } = tf.variableGrads(a.loss, [a.w, a.b]);
      ours.step(grads, 0.01);
      tf.dispose([value, ...Object.values(grads)]);
      reference.minimize(bProblem.loss, false, [bProblem.w, bProblem.b]);
    }
    const got = a.values(), want = bProblem.values();
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    reference.dispose();
    tf.dispose([a.x, a.y, a.w, a.b, bProblem.x, bProblem.y, bProblem.w, bProblem.b]);
  });

  it("clips the global gradient norm, returns the norm before clipping, and resumes exactly from its state", async () => {
    await initBackend({ quiet: true });
    const a = problem(3), bProblem = problem(3);
    const one = new FlatAdam([a.w, a.b]), other = new FlatAdam([bProblem.w, bProblem.b]);
    const stepBoth = (optimizer: FlatAdam, p: ReturnType<typeof problem>, maxNorm: number) => {
      const { value, grads } = tf.variableGrads(p.loss, [p.w, p.b]);
      const expected = Math.sqrt(Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0));
      const norm = optimizer.step(grads, 0.05, maxNorm);
      tf.dispose([value, ...Object.values(grads)]);
      return { norm, expected };
    };
    const first = stepBoth(one, a, 0.1);
    expect(first.norm).toBeCloseTo(first.expected, 4);
    expect(first.norm).toBeGreaterThan(0.1);
    stepBoth(other, bProblem, 0.1);
    // Move `other`'s state into a fresh optimizer (as a checkpoint does), then both continue identically.
    const resumed = new FlatAdam([bProblem.w, bProblem.b]);
    resumed.restore(new Map(other.state().map((s) => [s.name, s])), "test");
    for (let t = 0; t < 5; t++) { stepBoth(one, a, 0.1); stepBoth(resumed, bProblem, 0.1); }
    expect(bProblem.values()).toEqual(a.values());
    expect(() => new FlatAdam([a.w, a.b]).restore(new Map(), "checkpoint X")).toThrow(/checkpoint X lacks optimizer\/m/);
    tf.dispose([a.x, a.y, a.w, a.b, bProblem.x, bProblem.y, bProblem.w, bProblem.b]);
  });
});

describe("generalized advantage estimation", () => {
  it("matches a hand computation with an episode boundary", () => {
    // One env, 3 steps; the episode ends at step 1, so step 2 starts a new one.
    const rewards = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([0.5, 1.0, 1.5]);
    const dones = Uint8Array.from([0, 1, 0]);
    const last = Float64Array.from([2.0]);
    const g = 0.9, l = 0.8;
    const { advantages, returns } = computeGae(rewards, values, dones, last, 3, 1, g, l);
    const d2 = 3 + g * 2.0 - 1.5; // 3.3
    const d1 = 2 - 1.0; // terminal: no bootstrap → 1
    const d0 = 1 + g * 1.0 - 0.5; // 1.4
    const a2 = d2, a1 = d1, a0 = d0 + g * l * a1;
    expect(Array.from(advantages)).toEqual([a0, a1, a2].map((x) => expect.closeTo(x, 12)));
    expect(returns[0]).toBeCloseTo(a0 + 0.5, 12);
  });

  it("with λ = 1 and no bootstrap, returns are discounted reward sums; envs are independent", () => {
    const T = 4, N = 2, g = 0.5;
    const rewards = Float64Array.from([1, 10, 1, 10, 1, 10, 1, 10]);
    const { returns } = computeGae(rewards, new Float64Array(8), new Uint8Array(8), new Float64Array(2), T, N, g, 1);
    expect(returns[0]).toBeCloseTo(1 + 0.5 + 0.25 + 0.125, 12);
    expect(returns[1]).toBeCloseTo(10 * (1 + 0.5 + 0.25 + 0.125), 12);
  });
});

describe("running normalisation and initialisation", () => {
  it("RunningMeanStd matches batch statistics", () => {
    const r = rng(0);
    const rms = new RunningMeanStd(2);
    const all: number[][] = [];
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 40 }, () => [3 + 2 * r.normal(), -1 + 0.5 * r.normal()]);
      all.push(...batch);
      rms.update(batch.flat(), batch.length);
    }
    const mean0 = all.reduce((s, x) => s + x[0], 0) / all.length;
    const var0 = all.reduce((s, x) => s + (x[0] - mean0) ** 2, 0) / all.length;
    expect(rms.mean[0]).toBeCloseTo(mean0, 3);
    expect(rms.var[0]).toBeCloseTo(var0, 2);
  });

  it("orthogonal initialisation has orthonormal columns (or rows) times the gain", () => {
    for (const [a, b] of [[6, 3], [3, 6]]) {
      const w = orthogonalMatrix(a, b, 2, 1);
      const k = Math.min(a, b);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let t = 0; t < Math.max(a, b); t++) dot += a >= b ? w[t * b + i] * w[t * b + j] : w[i * b + t] * w[j * b + t];
        expect(dot).toBeCloseTo(i === j ? 4 : 0, 5);
      }
    }
  });
});

/** A small continuous-control task: move a point on a line to a target within 20 steps. */
class ReachTarget implements VectorEnv {
  private x: Float64Array;
  private target: Float64Array;
  private t: Int32Array;
  private ret: Float64Array;
  private r = rng(99);
  constructor(readonly numEnvs: number) {
    this.x = new Float64Array(numEnvs);
    this.target = new Float64Array(numEnvs);
    this.t = new Int32Array(numEnvs);
    this.ret = new Float64Array(numEnvs);
  }
  private begin(i: number) {
    this.x[i] = 0;
    this.target[i] = this.r.uniform() < 0.5 ? -0.6 : 0.6;
    this.t[i] = 0;
    this.ret[i] = 0;
  }
  private obs(): Float32Array {
    const o = new Float32Array(this.numEnvs * 2);
    for (let i = 0; i < this.numEnvs; i++) { o[2 * i] = this.x[i]; o[2 * i + 1] = this.target[i]; }
    return o;
  }
  reset() {
    for (let i = 0; i < this.numEnvs; i++) this.begin(i);
    return this.obs();
  }
  step(actions: Float32Array) {
    const rewards = new Float64Array(this.numEnvs);
    const truncated = new Uint8Array(this.numEnvs);
    const finalObservations = new Float32Array(this.numEnvs * 2);
    const finished: { return: number; length: number }[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      this.x[i] += 0.2 * actions[i];
      rewards[i] = -Math.abs(this.x[i] - this.target[i]);
      this.ret[i] += rewards[i];
      if (++this.t[i] >= 20) {
        truncated[i] = 1;
        finalObservations[2 * i] = this.x[i];
        finalObservations[2 * i + 1] = this.target[i];
        finished.push({ return: this.ret[i], length: 20 });
        this.begin(i);
      }
    }
    return { observations: this.obs(), rewards, terminated: new Uint8Array(this.numEnvs), truncated, finalObservations, finished };
  }
}

describe("PPO", () => {
  it("learns to reach a target, with the tensor count flat across updates", async () => {
    await initBackend({ quiet: true });
    const env = new ReachTarget(8);
    const policy = new GaussianMlp(2, 1, { hidden: [32, 32], seed: 3 });
    const inputs = new AgentInputs(new InputLayout({ observationSize: 2, actionSize: 1, previousAction: false, morphology: false, historyLength: 0 }), 8, { normalize: true });
    const ppo = new Ppo(policy, env, inputs, { numEnvs: 8, numSteps: 40, numMinibatches: 4, updateEpochs: 8, learningRate: 3e-3, normReward: false }, 3);
    const first = ppo.iterate(40 * 8 * 40);
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 1; i < 40; i++) last = ppo.iterate(40 * 8 * 40);
    expect(tf.memory().numTensors).toBe(tensors);
    // Random behaviour: ≈ −12 per episode; reaching and holding the target: better than −4.
    expect(first.episodicReturn).toBeLessThan(-7);
    expect(last.episodicReturn).toBeGreaterThan(-4);
    expect(last.approxKl).toBeGreaterThanOrEqual(0);
    expect(last.clipFraction).toBeGreaterThanOrEqual(0);
    expect(last.clipFraction).toBeLessThanOrEqual(1);
    policy.dispose();
  }, 120_000);
});

describe("the rollout's sampling in JavaScript", () => {
  it("gives the actions and log-probabilities of the TensorFlow formulas, and refuses rows that do not fit", async () => {
    await initBackend({ quiet: true });
    const r = rng(4);
    const N = 16, A = 8;
    const mean = Float32Array.from({ length: N * A }, () => r.normal());
    const logStd = Float32Array.from({ length: A }, () => -0.5 + 0.3 * r.normal());
    const noise = Float32Array.from({ length: N * A }, () => r.normal());
    const ours = sampleRows(mean, logStd, noise, A);
    const [actions, logProbs] = tf.tidy(() => {
      const d = { mean: tf.tensor2d(mean, [N, A]), logStd: tf.tensor1d(logStd) };
      const a = sample(d, tf.tensor2d(noise, [N, A]));
      return [a.dataSync(), logProb(d, a).dataSync()];
    });
    ours.actions.forEach((v, i) => expect(v).toBeCloseTo(actions[i], 5));
    ours.logProbs.forEach((v, i) => expect(v).toBeCloseTo(logProbs[i], 4));
    expect(() => sampleRows(mean, logStd, noise.subarray(1), A)).toThrow(/do not fit rows of 8 actions/);
  });
});

describe("the KL-adaptive learning rate (rsl_rl's rule)", () => {
  const o = { desiredKl: 0.01, lrMin: 1e-5, lrMax: 1e-2 };
  it("divides by 1.5 above twice the desired KL, multiplies by 1.5 below half of it, and keeps to its bounds", () => {
    expect(adaptLearningRate(1e-3, 0.0201, o)).toBeCloseTo(1e-3 / 1.5, 12);
    expect(adaptLearningRate(1e-3, 0.0049, o)).toBeCloseTo(1.5e-3, 12);
    // Between ½ and 2× the target (ends included) the rate stays.
    for (const kl of [0.005, 0.01, 0.02]) expect(adaptLearningRate(1e-3, kl, o)).toBe(1e-3);
    expect(adaptLearningRate(1.2e-5, 1, o)).toBe(1e-5);
    expect(adaptLearningRate(8e-3, 0, o)).toBe(1e-2);
    expect(adaptLearningRate(1e-3, NaN, o)).toBe(1e-3);
  });

  it("refuses an unknown schedule, a KL target ≤ 0 and a start outside the bounds, naming them", () => {
    const full = { ...PPO_DEFAULTS };
    expect(() => validatePpoOptions({ ...full, lrSchedule: "cosine" as never })).toThrow(/unknown lrSchedule "cosine"; choose one of adaptive, anneal, constant/);
    expect(() => validatePpoOptions({ ...full, desiredKl: 0 })).toThrow(/desiredKl must be a number > 0, got 0/);
    expect(() => validatePpoOptions({ ...full, desiredKl: -0.01 })).toThrow(/desiredKl/);
    expect(() => validatePpoOptions({ ...full, learningRate: 0.1 })).toThrow(/outside the adaptive schedule's bounds/);
    expect(() => validatePpoOptions({ ...full, updateEpochs: 2.5 })).toThrow(/updateEpochs must be a whole number/);
    expect(() => validatePpoOptions(full)).not.toThrow();
  });

  it("brings a too-large step size down until each update moves the policy by about the desired KL, and resumes its rate", async () => {
    await initBackend({ quiet: true });
    const make = (lrSchedule: "adaptive" | "constant") => {
      const env = new ReachTarget(8);
      const policy = new GaussianMlp(2, 1, { hidden: [32, 32], seed: 5 });
      const inputs = new AgentInputs(new InputLayout({ observationSize: 2, actionSize: 1, previousAction: false, morphology: false, historyLength: 0 }), 8, { normalize: true });
      const ppo = new Ppo(policy, env, inputs, { numEnvs: 8, numSteps: 40, numMinibatches: 4, updateEpochs: 8, learningRate: 1e-2, lrSchedule, normReward: false }, 5);
      return { ppo, policy };
    };
    const run = (p: ReturnType<typeof make>, n: number) => Array.from({ length: n }, () => p.ppo.iterate(40 * 8 * 30));
    const adaptive = make("adaptive"), constant = make("constant");
    const a = run(adaptive, 30), c = run(constant, 30);
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const klA = med(a.slice(10).map((l) => l.approxKl)), klC = med(c.slice(10).map((l) => l.approxKl));
    // The constant rate 1e-2 overshoots the target many times over; the adaptive rate settles near it.
    expect(klC).toBeGreaterThan(3 * 0.01);
    expect(klA).toBeGreaterThan(0.01 / 4);
    expect(klA).toBeLessThan(0.01 * 3);
    expect(a[a.length - 1].learningRate).toBeLessThan(1e-2 / 2);
    expect(c.every((l) => l.learningRate === 1e-2)).toBe(true);
    // It still learns the task (random ≈ −12).
    expect(a[a.length - 1].episodicReturn).toBeGreaterThan(-6);
    // The rate is part of the training state: a restored learner starts from it, not from the option.
    const restored = make("adaptive");
    restored.ppo.restore(adaptive.ppo.state());
    expect(restored.ppo.learningRate).toBe(adaptive.ppo.learningRate);
    expect(restored.ppo.learningRate).not.toBe(1e-2);
    [adaptive, constant, restored].forEach((p) => p.policy.dispose());
  }, 120_000);
});

describe("resuming a run under the settings it was started with", () => {
  it("refuses another budget or other learner settings, and names what differs", () => {
    const saved = { totalSteps: 2_000_000, options: { ...PPO_DEFAULTS } };
    expect(() => checkSamePlan("out/runs/x", saved, 2_000_000, { ...PPO_DEFAULTS })).not.toThrow();
    expect(() => checkSamePlan("out/runs/x", saved, 10_000_000, { ...PPO_DEFAULTS })).toThrow(/out\/runs\/x was started with other settings.*budget 2000000 env steps → 10000000/);
    expect(() => checkSamePlan("out/runs/x", saved, 2_000_000, { ...PPO_DEFAULTS, updateEpochs: 10 })).toThrow(/updateEpochs 5 → 10/);
    expect(() => checkSamePlan("out/runs/x", saved, 2_000_000, { ...PPO_DEFAULTS, lrSchedule: "anneal" })).toThrow(/lrSchedule "adaptive" → "anneal"/);
  });
});

describe("lateGrowth (is a run still learning at the end of its budget?)", () => {
  it("compares the last tenth of the budget with the tenth before, on finished episodes only", () => {
    // Returns rise linearly with the step: 100 per 10 % of 1,000 steps → last tenth ≈ 950, the one before ≈ 850.
    const log = Array.from({ length: 100 }, (_, i) => ({ globalStep: (i + 1) * 10, episodicReturn: (i + 1) * 10 - 5 }));
    const g = lateGrowth([...log, { globalStep: 995, episodicReturn: null }], 1000)!;
    expect(g.last).toBeCloseTo(950, 6);
    expect(g.before).toBeCloseTo(850, 6);
    expect(g.change).toBeCloseTo(100 / 850, 6);
    expect(lateGrowth(log.slice(0, 50), 1000)).toBeNull(); // nothing logged in the last fifth
    expect(() => lateGrowth(log, 1000, 0.7)).toThrow(/fraction must be in/);
    // Still rising at the end: the best span is the last one.
    expect(g.peak).toBeCloseTo(950, 6);
    expect(g.peakEnd).toBe(1000);
    expect(g.fromPeak).toBe(0);
  });

  it("finds the best span of a run that peaked and fell back", () => {
    // A tent: up by 10 per 10 steps to 600 at step 600, then down to 200 at step 1000.
    const log = Array.from({ length: 100 }, (_, i) => {
      const step = (i + 1) * 10;
      return { globalStep: step, episodicReturn: step <= 600 ? step : 600 - (step - 600) };
    });
    const g = lateGrowth(log, 1000)!;
    // Best window of 100 steps: the ten logged values straddling the top, 550..600 then 590..560 (ending at step
    // 640) → mean 575; the window ending at 650 ties, and the first one found is kept.
    expect(g.peak).toBeCloseTo(575, 6);
    expect(g.peakEnd).toBe(640);
    expect(g.last).toBeCloseTo(245, 6);
    expect(g.fromPeak).toBeCloseTo((245 - 575) / 575, 6);
    expect(g.change).toBeLessThan(0);
  });
});

describe("the budget from the pilots' learning curves", () => {
  /** A log every 100 k steps whose return rises linearly to `plateau` at `knee` env steps, then stays. */
  const curve = (knee: number, plateau: number, end = 20_000_000) => Array.from({ length: end / 100_000 }, (_, i) => {
    const step = (i + 1) * 100_000;
    return { globalStep: step, episodicReturn: plateau * Math.min(1, step / knee) };
  });

  it("judges levelling off by the last 10 % against the 10 % before, within 3 %", () => {
    // Rising linearly to 10 M: at 10 M the last tenth's mean is (0.95 vs 0.85) → +11.8 %, not levelled.
    expect(levelledOff(curve(10e6, 1000), 10e6)!.levelled).toBe(false);
    expect(levelledOff(curve(10e6, 1000), 10e6)!.change).toBeCloseTo(0.95 / 0.85 - 1, 2);
    // Flat from 8 M: at 16 M both spans lie on the plateau.
    expect(levelledOff(curve(8e6, 1000), 16e6)).toEqual({ levelled: true, change: 0 });
    expect(levelledOff([], 1e6)).toBeNull();
  });

  it("takes the smallest budget on the grid at which every pilot that reached the grid's end had levelled off", () => {
    // Knees at 9 M and 14 M: the later knee sets the budget.
    const a = { name: "simple", log: curve(9e6, 1000) }, b = { name: "oracle", log: curve(14e6, 1500) };
    const choice = budgetFromPilots([a, b]);
    const levelledAtA = choice.perRun.find((r) => r.name === "simple")!.levelledAt!;
    const levelledAtB = choice.perRun.find((r) => r.name === "oracle")!.levelledAt!;
    expect(levelledAtA).toBeLessThan(levelledAtB);
    expect(choice.budget).toBe(levelledAtB);
    expect(choice.levelled).toBe(true);
    // Each is the first grid point that passes: one million earlier fails.
    expect(levelledOff(b.log, levelledAtB - 1e6)!.levelled).toBe(false);
    // A pilot still rising at 20 M: the grid's end, marked as not levelled.
    const rising = budgetFromPilots([a, { name: "dmap", log: curve(40e6, 2000) }]);
    expect(rising).toMatchObject({ budget: 20e6, levelled: false });
    // A pilot that stopped short does not vote; with none reaching the end, an error naming them.
    const short = { name: "dmap", log: curve(40e6, 2000, 6e6) };
    expect(budgetFromPilots([a, short]).budget).toBe(levelledAtA);
    expect(() => budgetFromPilots([short])).toThrow(/no pilot reached 20,000,000 env steps \(reached: dmap 6,000,000\)/);
  });
});

describe("ppoDiagnostics (how hard PPO pushed a run)", () => {
  it("medians of approx-KL and clip fraction over the log, and the final action std from the entropy", () => {
    const dir = tempDir("ppo-diag-");
    // The entropy a diagonal Gaussian with std 0.2 on every one of the 8 joints has: the std must come back.
    const h = tf.tidy(() => entropy({ mean: tf.zeros([1, 8]), logStd: tf.fill([8], Math.log(0.2)) } as never).arraySync() as number);
    const rows = [0.01, 0.05, 0.02, 0.03].map((kl, i) => ({ globalStep: (i + 1) * 2048, approxKl: kl, clipFraction: 10 * kl, entropy: i === 3 ? h : 5 }));
    fs.writeFileSync(path.join(dir, "training-log.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const agent = { dir, manifest: {} } as ShippedAgent;
    const d = ppoDiagnostics(agent);
    expect(d.medianApproxKl).toBeCloseTo(0.025, 9); // even count: mean of the two middle values
    expect(d.medianClipFraction).toBeCloseTo(0.25, 9);
    expect(d.finalActionStd).toBeCloseTo(0.2, 5);
    expect(d.lrAtFloor).toBeNull(); // no adaptive schedule in its manifest
    // The adaptive rate: the share of updates that ended at the floor lrMin.
    fs.writeFileSync(path.join(dir, "training-log.jsonl"), rows.map((r, i) => JSON.stringify({ ...r, learningRate: [1e-5, 3e-4, 1e-5, 1.5e-5][i] })).join("\n") + "\n");
    expect(ppoDiagnostics({ dir, manifest: { ppo: { lrSchedule: "adaptive", lrMin: 1e-5 } } } as unknown as ShippedAgent).lrAtFloor).toBe(0.5);
    expect(ppoDiagnostics({ dir, manifest: { ppo: { lrSchedule: "anneal", lrMin: 1e-5 } } } as unknown as ShippedAgent).lrAtFloor).toBeNull();
    fs.writeFileSync(path.join(dir, "training-log.jsonl"), JSON.stringify({ round: 1, errorOnPolicy: 0.3 }) + "\n");
    expect(() => ppoDiagnostics(agent)).toThrow(/no PPO training log/);
  });
});
