/**
 * DMAP (lib/rl/policies/dmap.ts): shapes, attention rows that sum to 1, joint controllers that each read only
 * their own embedding, the zero-padded history at an episode's start, the DMAP-ne ablation, no tensor leaks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { agentConfig, createPolicy, inputsFor } from "../lib/rl/learning/agent";
import { DmapPolicy, MIN_DMAP_HISTORY } from "../lib/rl/policies/dmap";
import { HISTORY_CHANNELS } from "../lib/rl/policies/inputs";
import { initBackend, tf } from "../lib/tf";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const config = agentConfig({ policy: "dmap", sigma: 0.3, seed: 3 });

describe("DMAP policy", () => {
  it("reads 36 channels × 30 steps and gives 8 means, 8 log stds, a value, attention B × 8 × 36 whose rows sum to 1", () => {
    const policy = createPolicy(config) as DmapPolicy;
    expect(policy.layout.history).toMatchObject({ length: 30, channels: 36 });
    const rows = tf.randomNormal([6, policy.inputSize], 0, 1, "float32", 7) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const d = policy.distribution(rows);
      const a = policy.attention(rows);
      return { mean: d.mean.shape, logStd: d.logStd.shape, value: policy.value(rows).shape, attention: a.shape, sums: Array.from(tf.sum(a, 2).dataSync()), min: tf.min(a).dataSync()[0] };
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.mean).toEqual([6, 8]);
    expect(out.logStd).toEqual([8]);
    expect(out.value).toEqual([6]);
    expect(out.attention).toEqual([6, 8, 36]);
    for (const s of out.sums) expect(s).toBeCloseTo(1, 5);
    expect(out.min).toBeGreaterThanOrEqual(0);
    rows.dispose();
    policy.dispose();
  });

  it("its temporal features see the current frame (a strided convolution must not drop it)", () => {
    const policy = createPolicy(config) as DmapPolicy;
    const h = policy.layout.history!;
    const rows = tf.randomNormal([2, policy.inputSize], 0, 1, "float32", 10) as tf.Tensor2D;
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(policy.embeddings(x as tf.Tensor2D)))(rows).abs().sum(0).arraySync() as number[]);
    const newest = g.slice(h.offset + (h.length - 1) * h.channels, h.offset + h.length * h.channels);
    expect(newest.some((v) => v > 0)).toBe(true);
    rows.dispose();
    policy.dispose();
  });

  it("each joint's action depends only on its own embedding", () => {
    const policy = createPolicy(config) as DmapPolicy;
    const rows = tf.randomNormal([4, policy.inputSize], 0, 1, "float32", 8) as tf.Tensor2D;
    const e = tf.randomNormal([4, 8, 4], 0, 1, "float32", 9) as tf.Tensor3D;
    for (const joint of [0, 5]) {
      const g = tf.tidy(() => tf.grad((emb: tf.Tensor) => tf.sum(tf.slice(policy.jointMeans(rows, emb as tf.Tensor3D), [0, joint], [-1, 1])))(e).abs().sum([0, 2]).arraySync() as number[]);
      g.forEach((v, j) => (j === joint ? expect(v).toBeGreaterThan(0) : expect(v).toBe(0)));
    }
    rows.dispose();
    e.dispose();
    policy.dispose();
  });

  it("at an episode's start the history is zero but for the current frame; DMAP-ne zeroes the embeddings", () => {
    const policy = createPolicy(config) as DmapPolicy;
    const inputs = inputsFor(config, 2, null);
    const obs = Float32Array.from({ length: 56 }, (_, i) => Math.sin(i));
    const rows = inputs.rows(obs, new Float32Array(18), null, false);
    const h = policy.layout.history!;
    const window = rows.subarray(h.offset, h.offset + h.size);
    expect(Array.from(window.subarray(0, (h.length - 1) * HISTORY_CHANNELS)).every((v) => v === 0)).toBe(true);
    expect(Array.from(window.subarray((h.length - 1) * HISTORY_CHANNELS, (h.length - 1) * HISTORY_CHANNELS + 28))).toEqual(Array.from(obs.subarray(0, 28)));
    const x = tf.tensor2d(rows, [2, policy.inputSize]);
    const withE = tf.tidy(() => Array.from(policy.distribution(x).mean.dataSync()));
    policy.ablateEmbeddings = true;
    const [without, eSum] = tf.tidy(() => [Array.from(policy.distribution(x).mean.dataSync()), tf.sum(tf.abs(policy.embeddings(x))).dataSync()[0]]);
    expect(eSum).toBe(0);
    expect(without).not.toEqual(withE);
    x.dispose();
    policy.dispose();
  });

  it("refuses a history too short for its convolutions", () => {
    expect(() => createPolicy(agentConfig({ policy: "dmap", sigma: 0.3, seed: 0, historyLength: MIN_DMAP_HISTORY - 1 })))
      .toThrow(new RegExp(`at least ${MIN_DMAP_HISTORY} steps`));
  });
});

describe("DMAP attention while walking", () => {
  it("records 8 × 36 weights per step beside the gait, and a modulation with its baseline per joint", async () => {
    const { recordAttention, meanAttention, attentionGaitModulation } = await import("../lib/rl/analysis/attention");
    const { loadTestSet } = await import("../lib/rl/env/test-sets");
    const { rng } = await import("../lib/util/random");
    const policy = createPolicy(config) as DmapPolicy;
    const { trained: episodes, controls } = await recordAttention(policy, null, loadTestSet(0.3, 2), { seed: 1, steps: 40 });
    expect(controls).toHaveLength(0);
    expect(episodes).toHaveLength(2);
    const e = episodes[0];
    expect(e.attention.length).toBe(e.jointAngles.length);
    expect(e.attention[0]).toHaveLength(8);
    expect(e.attention[0][0]).toHaveLength(36);
    expect(e.attention[5][3].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const mean = meanAttention(episodes);
    for (const row of mean) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const mod = attentionGaitModulation(episodes, "joint-angles", rng(2), { shuffles: 20 });
    expect(mod).toHaveLength(8);
    for (const m of mod) {
      expect(m.modulation).toBeGreaterThanOrEqual(0);
      expect(m.baselineP95).toBeGreaterThanOrEqual(0);
    }
    policy.dispose();
  });

  it("reads control networks on the policy's own inputs, and compares the policy with them joint by joint", async () => {
    const { recordAttention, attentionFindings } = await import("../lib/rl/analysis/attention");
    const { loadTestSet } = await import("../lib/rl/env/test-sets");
    const policy = createPolicy(config) as DmapPolicy;
    const twin = createPolicy(config) as DmapPolicy; // same seed: the same weights
    const other = createPolicy(agentConfig({ policy: "dmap", sigma: 0.3, seed: 7 })) as DmapPolicy;
    const bodies = loadTestSet(0.3, 3);
    const recording = await recordAttention(policy, null, bodies, { seed: 1, steps: 60 }, [twin, other]);
    expect(recording.controls).toHaveLength(2);
    // The twin reads the same inputs with the same weights: its attention is the policy's, step for step.
    recording.trained.forEach((e, k) => {
      expect(recording.controls[0][k].attention.length).toBe(e.attention.length);
      expect(recording.controls[0][k].attention[10][2]).toEqual(e.attention[10][2]);
      expect(recording.controls[0][k].jointAngles).toEqual(e.jointAngles);
    });
    expect(recording.controls[1][0].attention[10][2]).not.toEqual(recording.trained[0].attention[10][2]);
    // Against its own twin, no joint can beat every control; the counts agree with the per-joint flags.
    const f = attentionFindings(recording, 4, { shuffles: 20 });
    expect(f.joints).toHaveLength(8);
    expect(f.counts.lockedAbove).toBe(0);
    expect(f.counts.lockedByFootAbove).toBe(0);
    expect(f.counts.betweenAbove).toBe(0);
    expect(f.counts.aboveShuffled).toBe(f.joints.filter((j) => j.aboveShuffled).length);
    for (const j of f.joints) {
      expect(j.controlLockedMax).toBeGreaterThanOrEqual(j.locked);
      expect(j.locked).toBeGreaterThanOrEqual(0);
      expect(j.locked).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Alone with its twin as the control, the policy's ratios are exactly 1.
    const alone = attentionFindings({ trained: recording.trained, controls: [recording.controls[0]] }, 4, { shuffles: 5 });
    expect(alone.modulationRatio).toBeCloseTo(1, 10);
    expect(alone.variabilityRatio).toBeCloseTo(1, 10);
    expect(() => attentionFindings({ trained: recording.trained, controls: [] }, 4)).toThrow(/at least one control/);
    [policy, twin, other].forEach((p) => p.dispose());
  });
});
