/**
 * Notebook 01's benchmark on notebook 02's backbone (lib/vision/ssl/evaluate.ts): decoders recover properties the
 * features hold and not those they lack; every layer gets every score; the summary picks the best layers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fromRows, selectSites, simulateVentralStream, splitHalfCeiling } from "../lib/neuro";
import { initBackend, tf } from "../lib/tf";
import { rng } from "../lib/util/random";
import { generateStimuli } from "../lib/vision";
import { BackboneSpec, createBackbone } from "../lib/vision/ssl/backbone";
import { benchmarkBackbone, decodeProperties, NeuralBenchmark, summarizeBackbone } from "../lib/vision/ssl/evaluate";

const TINY: BackboneSpec = {
  name: "tiny", description: "test", inputSize: 64, stem: { kernel: 5, stride: 2, filters: 4 },
  stages: [{ filters: 4, stride: 1 }, { filters: 8, stride: 2 }],
};

beforeAll(async () => { await initBackend({ quiet: true }); });

describe("decoding category-orthogonal properties", () => {
  it("recovers position, size and pose from features that are those latents (r ≈ 1) and not from noise (r ≈ 0)", () => {
    const stimuli = generateStimuli({ seed: 3, imagesPerObject: 2, levels: [0, 3, 6], size: 16 });
    // In commensurate units (a ridge penalty shrinks small-scale features most): position in % of the image, scale in %.
    const latents = fromRows(stimuli.meta.map((m) => [100 * m.tx, 100 * m.ty, 100 * m.scale, m.rxy, m.rxz, m.ryz]));
    const exact = decodeProperties(latents, stimuli, 3);
    for (const v of Object.values(exact)) expect(v).toBeGreaterThan(0.99);
    const r = rng(4);
    const noise = fromRows(stimuli.meta.map(() => Array.from({ length: 6 }, () => r.normal())));
    for (const v of Object.values(decodeProperties(noise, stimuli, 3))) expect(Math.abs(v)).toBeLessThan(0.25);
  });
});

describe("the benchmark on a backbone", () => {
  it("scores every layer (probe, V4, IT, RSA, decoding) and summarises the best", async () => {
    // 768 images: splits stratified by object hold out ≥ 64 (one per object).
    const stimuli = generateStimuli({ seed: 0, imagesPerObject: 4, levels: [0, 3, 6], size: 64 });
    const neural = await simulateVentralStream(stimuli, { v4Sites: 12, itSites: 24, repetitions: 10 });
    const V4 = selectSites(neural, "V4"), IT = selectSites(neural, "IT");
    const bench: NeuralBenchmark = { stimuli, V4, IT, ceilings: { V4: splitHalfCeiling(V4).ceiling, IT: splitHalfCeiling(IT).ceiling } };
    const backbone = createBackbone(1, TINY);
    const before = tf.memory().numTensors;
    const layers = benchmarkBackbone(backbone, bench, { splits: 2, maxFeatures: 256 });
    expect(tf.memory().numTensors).toBe(before);
    expect(layers.map((l) => l.layer)).toEqual(["stem", "block1", "block2", "pool"]);
    for (const l of layers) {
      expect(l.probe_accuracy).toBeGreaterThanOrEqual(0);
      expect(l.probe_accuracy).toBeLessThanOrEqual(1);
      for (const v of [l.V4, l.IT, l.rsa_IT, l.decoding.position, l.decoding.size, l.decoding.pose]) expect(Number.isFinite(v)).toBe(true);
    }
    const summary = summarizeBackbone(layers);
    expect(summary.IT).toBe(Math.max(...layers.map((l) => l.IT)));
    expect(summary.V4_layer).toBe(layers.find((l) => l.V4 === summary.V4)!.layer);
    expect(summary.probe_accuracy).toBe(layers[layers.length - 1].probe_accuracy);
    backbone.dispose();
  }, 120_000);
});
