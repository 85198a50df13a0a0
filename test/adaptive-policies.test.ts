/**
 * The pieces notebook 03 part 2 builds on: the observation history (zero padding, reset per episode and per
 * environment), the input rows every policy reads, the Oracle/RMA/TCN networks, and the errors a user gets for
 * a wrong history length, a checkpoint of another kind, or an RMA phase 2 pointed at a non-Oracle.
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { agentConfig, createPolicy, deterministicActor, loadAgent, saveAgent } from "../lib/rl/learning/agent";
import { ObservationHistory } from "../lib/rl/policies/history";
import { AgentInputs, HISTORY_CHANNELS, InputLayout } from "../lib/rl/policies/inputs";
import { AdaptivePolicy, MIN_ENCODER_HISTORY } from "../lib/rl/policies/adaptive";
import { toldBody } from "../lib/rl/env/evaluate";
import { NOMINAL } from "../lib/rl/env/morphology";
import { convergenceSummary, CONVERGENCE_FRACTION, latentConvergence, latentTraces } from "../lib/rl/learning/rma";
import { loadTestSet } from "../lib/rl/env/test-sets";
import { trainAnt } from "../lib/rl/learning/train";
import { initBackend, tf } from "../lib/tf";
import { tempDir } from "./fixtures/temp-dir";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const frame = (n: number, c: number, value: (env: number, k: number) => number) =>
  Float32Array.from({ length: n * c }, (_, i) => value(Math.floor(i / c), i % c));

describe("observation history", () => {
  it("is zero before the episode began, oldest frame first, newest last", () => {
    const h = new ObservationHistory(2, 4, 3);
    expect(Array.from(h.window())).toEqual(new Array(24).fill(0));
    h.push(frame(2, 3, (e) => 10 * (e + 1) + 1));
    h.push(frame(2, 3, (e) => 10 * (e + 1) + 2));
    const w = h.window();
    // env 0: [0, 0, 11, 12] per channel; env 1: [0, 0, 21, 22]
    expect(Array.from(w.subarray(0, 12))).toEqual([0, 0, 0, 0, 0, 0, 11, 11, 11, 12, 12, 12]);
    expect(Array.from(w.subarray(12, 24))).toEqual([0, 0, 0, 0, 0, 0, 21, 21, 21, 22, 22, 22]);
  });

  it("keeps the last H frames and resets one environment without touching the other", () => {
    const h = new ObservationHistory(2, 3, 1);
    for (let t = 1; t <= 5; t++) h.push(Float32Array.of(t, 100 + t));
    expect(Array.from(h.window())).toEqual([3, 4, 5, 103, 104, 105]);
    h.reset(0);
    expect(Array.from(h.window())).toEqual([0, 0, 0, 103, 104, 105]);
    h.push(Float32Array.of(6, 106));
    expect(Array.from(h.window())).toEqual([0, 0, 6, 104, 105, 106]);
  });

  it("shows the window a push would give without changing the buffer", () => {
    const h = new ObservationHistory(1, 3, 1);
    h.push(Float32Array.of(1));
    h.push(Float32Array.of(2));
    h.push(Float32Array.of(3));
    expect(Array.from(h.window(undefined, Float32Array.of(9)))).toEqual([2, 3, 9]);
    expect(Array.from(h.window())).toEqual([1, 2, 3]);
    h.reset();
    expect(Array.from(h.window(undefined, Float32Array.of(9)))).toEqual([0, 0, 9]);
  });

  it("refuses a history length below 1 and wrong frame sizes, saying what was wrong", () => {
    expect(() => new ObservationHistory(2, 0, 3)).toThrow(/history length must be a whole number ≥ 1 \(got 0\)/);
    expect(() => new InputLayout({ previousAction: true, morphology: true, historyLength: -5 })).toThrow(/≥ 1 \(got -5\)/);
    expect(() => agentConfig({ policy: "tcn", sigma: 0.3, seed: 0, historyLength: 0 })).not.toThrow(); // checked when built:
    expect(() => createPolicy(agentConfig({ policy: "tcn", sigma: 0.3, seed: 0, historyLength: 0 }))).toThrow(/history/);
    expect(() => createPolicy(agentConfig({ policy: "tcn", sigma: 0.3, seed: 0, historyLength: MIN_ENCODER_HISTORY - 1 })))
      .toThrow(new RegExp(`at least ${MIN_ENCODER_HISTORY} steps`));
    expect(() => new ObservationHistory(2, 4, 3).push(new Float32Array(5))).toThrow(/expected 2×3 values, got 5/);
  });
});

describe("input rows", () => {
  const layout = new InputLayout({ previousAction: true, morphology: true, historyLength: 2 });

  it("lay out x, a_{t−1}, e and the history, with a_{t−1} and the history zero at an episode's start", () => {
    expect(layout.size).toBe(28 + 8 + 9 + 2 * HISTORY_CHANNELS);
    const inputs = new AgentInputs(layout, 2, { normalize: false });
    const obs = frame(2, 28, (e, k) => e + k / 100);
    const bodies = frame(2, 9, (e) => -0.1 * (e + 1));
    const first = inputs.rows(obs, bodies, null, false);
    const row = (r: Float32Array, e: number) => r.subarray(e * layout.size, (e + 1) * layout.size);
    expect(Array.from(row(first, 1).subarray(0, 28))).toEqual(Array.from(obs.subarray(28, 56)));
    expect(Array.from(row(first, 1).subarray(28, 36))).toEqual(new Array(8).fill(0));
    expect(row(first, 1)[36]).toBeCloseTo(-0.2, 6);
    const hist = row(first, 1).subarray(layout.history!.offset);
    expect(Array.from(hist.subarray(0, HISTORY_CHANNELS))).toEqual(new Array(HISTORY_CHANNELS).fill(0)); // padding
    expect(Array.from(hist.subarray(HISTORY_CHANNELS, HISTORY_CHANNELS + 28))).toEqual(Array.from(obs.subarray(28, 56)));

    inputs.recordActions(frame(2, 8, (e) => 0.5 * (e + 1)));
    const second = inputs.rows(obs, bodies, Uint8Array.of(0, 1), false); // env 1 begins a new episode
    expect(Array.from(row(second, 0).subarray(28, 36))).toEqual(new Array(8).fill(0.5));
    expect(Array.from(row(second, 1).subarray(28, 36))).toEqual(new Array(8).fill(0));
    const hist0 = row(second, 0).subarray(layout.history!.offset);
    expect(hist0[28]).toBe(0); // a_{t−1} of the first frame was zero
    expect(hist0[HISTORY_CHANNELS + 28]).toBe(0.5); // …and 0.5 in the current frame
    expect(Array.from(row(second, 1).subarray(layout.history!.offset, layout.history!.offset + HISTORY_CHANNELS))).toEqual(new Array(HISTORY_CHANNELS).fill(0));
  });

  it("build a final observation's row without advancing the memory", () => {
    const inputs = new AgentInputs(layout, 1, { normalize: false });
    const obs = frame(1, 28, () => 1);
    const bodies = frame(1, 9, () => 0.2);
    inputs.rows(obs, bodies, null, false);
    inputs.recordActions(frame(1, 8, () => 0.3));
    const final = inputs.finalRows(frame(1, 28, () => 7));
    expect(final[0]).toBe(7);
    expect(final[28]).toBeCloseTo(0.3, 6);
    expect(final[36]).toBeCloseTo(0.2, 6);
    const next = inputs.rows(frame(1, 28, () => 2), bodies, Uint8Array.of(0), false);
    expect(Array.from(next.subarray(layout.history!.offset + HISTORY_CHANNELS, layout.history!.offset + HISTORY_CHANNELS + 1))).toEqual([2]);
  });
});

describe("Oracle, RMA and TCN networks", () => {
  it.each(["oracle", "rma", "tcn"] as const)("%s: shapes, determinism by seed, no tensor leaks", (kind) => {
    const config = agentConfig({ policy: kind, sigma: 0.3, seed: 4 });
    const a = createPolicy(config) as AdaptivePolicy;
    const b = createPolicy(config) as AdaptivePolicy;
    const rows = tf.randomNormal([5, a.inputSize], 0, 1, "float32", 3) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const d = a.distribution(rows);
      return [d.mean.shape, d.logStd.shape, a.value(rows).shape, a.latent(rows).shape, Array.from(d.mean.dataSync()), Array.from(b.distribution(rows).mean.dataSync())];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.slice(0, 4)).toEqual([[5, 8], [8], [5], [5, 8]]);
    expect(out[4]).toEqual(out[5]);
    rows.dispose();
    a.dispose();
    b.dispose();
  });

  it.each(["simple", "oracle", "rma", "tcn", "dmap"] as const)("%s: creating and disposing a policy leaves no tensor behind", (kind) => {
    const before = tf.memory().numTensors;
    const policy = createPolicy(agentConfig({ policy: kind, sigma: 0.3, seed: 1 }));
    expect(tf.memory().numTensors).toBe(before + policy.variables.length);
    policy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the TCN's actor reads the history, not the morphology; the Oracle's reads the morphology", () => {
    for (const [kind, reads, ignores] of [["tcn", "history", "morphology"], ["oracle", "morphology", "history"]] as const) {
      const config = agentConfig({ policy: kind, sigma: 0.3, seed: 1 });
      const policy = createPolicy(config) as AdaptivePolicy;
      const layout = policy.layout;
      const x = tf.randomNormal([3, layout.size], 0, 1, "float32", 5) as tf.Tensor2D;
      const g = tf.tidy(() => tf.grad((inp: tf.Tensor) => tf.sum(policy.latent(inp as tf.Tensor2D)))(x).abs().sum(0).arraySync() as number[]);
      const sum = (s: { offset: number; size: number } | null) => (s ? g.slice(s.offset, s.offset + s.size).reduce((p, q) => p + q, 0) : 0);
      expect(sum(layout[reads])).toBeGreaterThan(0);
      expect(sum(layout[ignores])).toBe(0);
      if (layout.history && kind === "tcn") {
        // The strided convolutions must not drop the newest frame.
        const h = layout.history;
        expect(sum({ offset: h.offset + (h.length - 1) * h.channels, size: h.channels })).toBeGreaterThan(0);
      }
      x.dispose();
      policy.dispose();
    }
  });
});

describe("checkpoints of each kind", () => {
  it("refuse to load as another kind, and RMA's phase 2 refuses a non-Oracle teacher", async () => {
    const dir = tempDir("kit-kinds-");
    const tcnConfig = agentConfig({ policy: "tcn", sigma: 0.3, seed: 0 });
    const tcn = createPolicy(tcnConfig);
    saveAgent(path.join(dir, "tcn"), tcn, { config: tcnConfig, ppo: { globalStep: 0, iteration: 0, obsRms: null, returnRms: null }, extra: {} });
    tcn.dispose();
    expect(() => loadAgent(path.join(dir, "tcn"), "oracle")).toThrow(/holds a 'tcn' policy, not 'oracle'/);
    const loaded = loadAgent(path.join(dir, "tcn"), ["tcn", "rma"]);
    expect(loaded.config.policy).toBe("tcn");
    loaded.policy.dispose();
    await expect(trainAnt({
      config: agentConfig({ policy: "rma", sigma: 0.3, seed: 0 }), totalSteps: 10, teacher: path.join(dir, "tcn"),
      runDir: path.join(dir, "run"), shipDir: null, threads: 0, ppo: { numEnvs: 2 }, adaptation: { numEnvs: 2 },
    })).rejects.toThrow(/holds a 'tcn' policy, not 'oracle'/);
    await expect(trainAnt({
      config: agentConfig({ policy: "rma", sigma: 0.3, seed: 0 }), totalSteps: 10, teacher: path.join(dir, "missing"),
      runDir: path.join(dir, "run2"), shipDir: null, threads: 0, ppo: { numEnvs: 2 }, adaptation: { numEnvs: 2 },
    })).rejects.toThrow(/starts from a trained Oracle, and .*missing does not exist/);
  });

  it("a deterministic actor with a history forgets the previous episode at a start", () => {
    const config = agentConfig({ policy: "tcn", sigma: 0.3, seed: 2 });
    const policy = createPolicy(config);
    const act = deterministicActor(policy, config, null);
    const obs = frame(1, 28, (_e, k) => Math.sin(k));
    const body = new Float32Array(9);
    const fresh = act(obs, body, 1, Uint8Array.of(1));
    for (let t = 0; t < 5; t++) act(frame(1, 28, () => t), body, 1, Uint8Array.of(0));
    const again = act(obs, body, 1, Uint8Array.of(1));
    expect(Array.from(again)).toEqual(Array.from(fresh));
    const continued = act(obs, body, 1, Uint8Array.of(0));
    expect(Array.from(continued)).not.toEqual(Array.from(fresh));
    policy.dispose();
  });
});

describe("RMA's latent traces", () => {
  it("record z, ẑ and what ẑ's error costs in action, against the action change the average body's z makes", async () => {
    const policy = createPolicy(agentConfig({ policy: "rma", sigma: 0.3, seed: 3 })) as AdaptivePolicy;
    const body = loadTestSet(0.3, 2)[1];
    // Two copies of one body: the average body is that body, so its z changes nothing.
    const same = await latentTraces(policy, null, [body, body], { seed: 5, steps: 12 });
    for (const t of same) {
      expect(t.z.length).toBe(t.actionError.length);
      expect(t.averageBodyError.every((v) => v === 0)).toBe(true);
      expect(t.actionError.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      // An untrained φ misses z: the actions differ at some step.
      expect(Math.max(...t.actionError)).toBeGreaterThan(0);
    }
    const two = await latentTraces(policy, null, loadTestSet(0.3, 2), { seed: 5, steps: 12 });
    expect(Math.max(...two[0].averageBodyError)).toBeGreaterThan(0);
    const one = await latentTraces(policy, null, [body], { seed: 5, steps: 3 });
    expect(one[0].averageBodyError.every((v) => v === 0)).toBe(true);
    policy.dispose();
  });
});

describe("how fast ẑ finds z (latentConvergence, convergenceSummary)", () => {
  it("counts bodies converged within the first second and at all, and averages the error per second", () => {
    // 0.05 s steps: 20 per second. Errors 1.0 for the first second, 0.5 for the second, 0.2 for the third.
    const meanErrorByStep = [...new Array(20).fill(1), ...new Array(20).fill(0.5), ...new Array(20).fill(0.2)];
    const s = convergenceSummary({ bodies: 4, threshold: 0.1, stepsPerBody: [5, 19, 20, -1], medianSteps: 19, medianSeconds: 0.95, meanErrorByStep });
    expect(s.convergedWithinSecond).toBe(2); // steps 5 and 19 are inside the first second, 20 is not
    expect(s.converged).toBe(3);
    expect(s.errorAtStart).toBe(1);
    expect(s.errorSecondSecond).toBeCloseTo(0.5, 12);
    expect(s.errorLastSecond).toBeCloseTo(0.2, 12);
    expect(s.guessError).toBeCloseTo(0.1 / CONVERGENCE_FRACTION, 12);
  });

  it("sets the threshold from z's spread across the bodies, so the guess error is that spread", async () => {
    const policy = createPolicy(agentConfig({ policy: "rma", sigma: 0.3, seed: 3 })) as AdaptivePolicy;
    const bodies = loadTestSet(0.3, 3);
    const c = await latentConvergence(policy, null, bodies, { seed: 5, steps: 30 });
    const traces = await latentTraces(policy, null, bodies, { seed: 5, steps: 30 });
    const z = traces.map((t) => t.z[t.z.length - 1]);
    let variance = 0;
    for (let d = 0; d < 8; d++) {
      const m = z.reduce((a, v) => a + v[d], 0) / z.length;
      variance += z.reduce((a, v) => a + (v[d] - m) ** 2, 0) / z.length / 8;
    }
    expect(convergenceSummary(c).guessError).toBeCloseTo(Math.sqrt(variance), 3);
    expect(c.stepsPerBody).toHaveLength(3);
    policy.dispose();
  });
});

describe("toldBody (the Oracle's ablation)", () => {
  it("hands the policy one given body for every environment and leaves the rest of the call alone", () => {
    const seen: { obs: Float32Array; bodies: Float32Array; n: number; starts?: Uint8Array | null }[] = [];
    const act = (obs: Float32Array, bodies: Float32Array, n: number, starts?: Uint8Array | null) => {
      seen.push({ obs, bodies, n, starts });
      return new Float32Array(n * 8);
    };
    const body = loadTestSet(0.5, 1)[0];
    const obs = new Float32Array(3 * 28).fill(0.5), starts = Uint8Array.of(1, 0, 1);
    toldBody(act, NOMINAL)(obs, Float32Array.from({ length: 27 }, () => 0.3), 3, starts);
    expect(Array.from(seen[0].bodies)).toEqual(new Array(27).fill(0));
    expect(seen[0].obs).toBe(obs);
    expect(seen[0].starts).toBe(starts);
    toldBody(act, body)(obs, new Float32Array(27), 3, starts);
    const v = [body.torso, ...body.legSize.flatMap((s, i) => [s, body.legLength[i]])];
    expect(Array.from(seen[1].bodies)).toEqual([...v, ...v, ...v].map((x) => Math.fround(x)));
  });
});
