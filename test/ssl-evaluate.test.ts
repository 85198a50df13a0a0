/**
 * Notebook 01's benchmark on notebook 02's backbone (lib/vision/ssl/evaluate.ts): decoders recover properties the
 * features hold and not those they lack; every layer gets every score; the summary picks the best layers; the
 * comparison finds shipped backbones and gives one record per run.
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromRows } from "../lib/neuro";
import { initBackend, tf } from "../lib/tf";
import { rng } from "../lib/util/random";
import { generateStimuli } from "../lib/vision";
import { createBackbone } from "../lib/vision/ssl/backbone";
import { bestProbeLayer, compareShipped, ComparisonRecord, lossShape, poolStudyEffects, poolStudyVerdict, seedSummary, shippedBackbones } from "../lib/vision/ssl/compare";
import { benchmarkBackbone, decodeProperties, NeuralBenchmark, simulatedBenchmark, summarizeBackbone } from "../lib/vision/ssl/evaluate";
import { OBJECTIVE_NAMES, SSL_SEEDS, trainSsl } from "../lib/vision/ssl/train";
import { TINY_BACKBONE } from "./fixtures/tiny-backbone";
import { tempDir } from "./fixtures/temp-dir";

const TINY = TINY_BACKBONE;

beforeAll(async () => { await initBackend({ quiet: true }); });

describe("decoding category-orthogonal properties", () => {
  it("recovers position, size and pose from features that are those latents (r ≈ 1) and not from noise (r ≈ 0)", () => {
    const stimuli = generateStimuli({ seed: 3, imagesPerObject: 2, levels: [0, 3, 6], size: 16 });
    // In commensurate units (a ridge penalty shrinks small-scale features most): position in % of the image, scale in %.
    const latents = fromRows(stimuli.meta.map((m) => [100 * m.tx, 100 * m.ty, 100 * m.scale, m.rxy, m.rxz, m.ryz]));
    const r = rng(4);
    const noise = fromRows(stimuli.meta.map(() => Array.from({ length: 6 }, () => r.normal())));
    for (const readout of ["pls", "ridge"] as const) {
      for (const v of Object.values(decodeProperties(latents, stimuli, 3, readout))) expect(v, readout).toBeGreaterThan(0.99);
      for (const v of Object.values(decodeProperties(noise, stimuli, 3, readout))) expect(Math.abs(v), readout).toBeLessThan(0.25);
    }
  });
});

let bench: NeuralBenchmark;
async function smallBenchmark(): Promise<NeuralBenchmark> {
  if (bench) return bench;
  // 768 images: splits stratified by object hold out ≥ 64 (one per object).
  bench = await simulatedBenchmark({ imagesPerObject: 4, repetitions: 10, simulation: { v4Sites: 12, itSites: 24 } });
  expect(bench.stimuli.meta.length).toBe(768);
  expect(bench.IT.shape[1]).toBe(24);
  expect(bench.ceilings.IT).toBeGreaterThan(0.5);
  return bench;
}

describe("the validation images", () => {
  it("are other images of the same objects, shown to the same simulated sites; an unknown image set is refused", async () => {
    const options = { imagesPerObject: 1, repetitions: 4, simulation: { v4Sites: 4, itSites: 6 } };
    const test = await simulatedBenchmark(options), validation = await simulatedBenchmark({ ...options, images: "validation" });
    expect(validation.stimuli.meta.length).toBe(test.stimuli.meta.length);
    expect(validation.stimuli.meta.map((m) => m.object)).toEqual(test.stimuli.meta.map((m) => m.object));
    expect(validation.IT.sites.map((s) => s.id)).toEqual(test.IT.sites.map((s) => s.id));
    expect(validation.stimuli.meta.map((m) => m.id).filter((id) => test.stimuli.meta.some((t) => t.id === id))).toEqual([]);
    let same = 0;
    for (let i = 0; i < test.stimuli.images.length; i++) if (test.stimuli.images[i] === validation.stimuli.images[i]) same++;
    expect(same / test.stimuli.images.length).toBeLessThan(0.5);
    await expect(simulatedBenchmark({ ...options, images: "train" as never })).rejects.toThrow(/images must be "test" or "validation"/);
  }, 60_000);
});

describe("the benchmark on a backbone", () => {
  it("scores every layer (probe, V4, IT, RSA, decoding) and summarises the best", async () => {
    const b = await smallBenchmark();
    const backbone = createBackbone(1, TINY);
    const before = tf.memory().numTensors;
    const layers = benchmarkBackbone(backbone, b, { splits: 2, maxFeatures: 256 });
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

  it("the comparison finds shipped backbones, lists the missing ones, and gives one record per run", async () => {
    const root = tempDir("ssl-compare-");
    for (const seed of [0, 1]) {
      const r = await trainSsl({ objective: "untrained", seed, backbone: TINY, runDir: path.join(root, `run${seed}`), shipRoot: root, verbose: false, evaluate: false });
      r.backbone.dispose();
    }
    const { entries, missing } = shippedBackbones(root);
    expect(entries.map((e) => `${e.objective}-${e.seed}`)).toEqual(["untrained-0", "untrained-1"]);
    expect(entries[0].log).toEqual([]);
    expect(missing.length).toBe(OBJECTIVE_NAMES.length * SSL_SEEDS.length - 2);
    const b = await smallBenchmark();
    const records = compareShipped(entries, b, null, { splits: 2, maxFeatures: 128, layers: ["block2", "pool"] });
    expect(records.map((r) => r.seed)).toEqual([0, 1]);
    expect(records[0].IT_image_only).toBeNull();
    expect(records[0].layers.map((l) => l.layer)).toEqual(["block2", "pool"]);
    const spread = seedSummary(records, "IT");
    expect(spread).toEqual([{ objective: "untrained", mean: (records[0].IT + records[1].IT) / 2, min: Math.min(records[0].IT, records[1].IT), max: Math.max(records[0].IT, records[1].IT), seeds: 2 }]);
    // A backbone shipped under an earlier budget: compared only when no budget is asked for.
    fs.mkdirSync(path.join(root, "ssl-simclr-seed0"));
    fs.writeFileSync(path.join(root, "ssl-simclr-seed0", "manifest.json"), JSON.stringify({ objective: "simclr", seed: 0, steps: 800, wall_seconds: 1, training_log: [] }));
    // Listed by objective, then seed, though the plan trains every objective's seed 0 before any seed 1.
    expect(shippedBackbones(root).entries.map((e) => `${e.objective}-${e.seed}`)).toEqual(["untrained-0", "untrained-1", "simclr-0"]);
    const atBudget = shippedBackbones(root, { budget: 3200 });
    expect(atBudget.entries.map((e) => `${e.objective}-${e.seed}`)).toEqual(["untrained-0", "untrained-1"]);
    expect(atBudget.earlier.map((e) => [e.objective, e.steps])).toEqual([["simclr", 800]]);
  }, 120_000);
});

describe("where the probe reads best", () => {
  const record = (objective: ComparisonRecord["objective"], seed: number, probes: number[]) => ({
    objective, seed, layers: probes.map((p, i) => ({ layer: `block${i + 1}`, probe_accuracy: p })),
  }) as unknown as ComparisonRecord;
  it("takes the layer with the best mean over seeds and the baseline's mean there", () => {
    const records = [record("autoencoder", 0, [0.25, 0.5, 0.25]), record("autoencoder", 1, [0.25, 0.25, 0.5]), record("untrained", 0, [0.25, 0.25, 0.25]), record("untrained", 1, [0.25, 0.5, 0.25])];
    // block2 and block3 both 0.375 over the seeds — a tie keeps the earlier layer; block1 0.25.
    expect(bestProbeLayer(records, "autoencoder")).toEqual({ layer: "block2", probe_accuracy: 0.375, baseline: 0.375 });
    expect(bestProbeLayer([records[1], records[2]], "autoencoder")).toEqual({ layer: "block3", probe_accuracy: 0.5, baseline: 0.25 });
    expect(bestProbeLayer(records.slice(0, 2), "autoencoder")).toBeNull();
    expect(bestProbeLayer(records, "simclr")).toBeNull();
  });
});

describe("the pool-composition study's reading", () => {
  const rec = (objective: ComparisonRecord["objective"], seed: number, IT: number) => ({ objective, seed, IT }) as unknown as ComparisonRecord;
  const main = [rec("instance-recognition", 0, 0.36), rec("instance-recognition", 1, 0.34), rec("simclr", 0, 0.47), rec("simclr", 1, 0.46), rec("supervised", 0, 0.53)];
  it("pairs each study run with the main plan's run of its objective and seed, beside the main plan's seed spread", () => {
    const effects = poolStudyEffects(main, [rec("instance-recognition", 0, 0.45), rec("simclr", 0, 0.48)], "IT");
    expect(effects.map((e) => e.objective)).toEqual(["instance-recognition", "simclr"]);
    expect(effects[0].pools64).toBe(0.36);
    expect(effects[0].change).toBeCloseTo(0.09, 12);
    expect(effects[0].spread).toBeCloseTo(0.02, 12);
    expect(effects[1].change).toBeCloseTo(0.01, 12);
    // IR gains 0.08 more than SimCLR; the larger spread is 0.02.
    const v = poolStudyVerdict(effects);
    expect(v.verdict).toBe("supported");
    expect(v.difference).toBeCloseTo(0.08, 12);
    expect(v.spread).toBeCloseTo(0.02, 12);
  });
  it("contradicted when instance recognition gains less by more than the spread; within it otherwise; not measured without both or a spread, or with a spread of zero", () => {
    const verdict = (ir: number, sc: number, m = main) => poolStudyVerdict(poolStudyEffects(m, [rec("instance-recognition", 0, ir), rec("simclr", 0, sc)], "IT")).verdict;
    expect(verdict(0.33, 0.50)).toBe("contradicted");
    expect(verdict(0.375, 0.48)).toBe("within the seed spread");
    expect(verdict(0.45, 0.48, main.filter((r) => r.seed === 0))).toBe("not measured");
    expect(poolStudyVerdict(poolStudyEffects(main, [rec("simclr", 0, 0.5)], "IT")).verdict).toBe("not measured");
    // Seeds that score exactly alike give no spread, and then not even a rounding error decides: one more of 231 probe
    // images right for both objectives differs by −6e−17, not 0 (notebook 02's lecture-mode probes did this).
    const tied = [rec("instance-recognition", 0, 80 / 231), rec("instance-recognition", 1, 80 / 231), rec("simclr", 0, 160 / 231), rec("simclr", 1, 160 / 231)];
    const tiedReading = poolStudyVerdict(poolStudyEffects(tied, [rec("instance-recognition", 0, 81 / 231), rec("simclr", 0, 161 / 231)], "IT"));
    expect(tiedReading.difference).not.toBe(0);
    expect(tiedReading.verdict).toBe("not measured");
    expect(tiedReading.spread).toBe(0);
    expect(verdict(0.5, 0.48, tied)).toBe("not measured");
    // A study run without its paired main-plan run is left out.
    expect(poolStudyEffects(main.filter((r) => r.objective !== "simclr"), [rec("simclr", 0, 0.5)], "IT")).toEqual([]);
  });
});

describe("the shape of a learning curve", () => {
  const log = (losses: number[]) => losses.map((loss, i) => ({ step: 10 * (i + 1), loss, wallSeconds: i }));
  it("finds the lowest point and how much of the fall came back", () => {
    expect(lossShape(log([5, 3, 1, 2, 3]))).toEqual({ first: 5, lowest: 1, lowestStep: 30, last: 3, givenBack: 0.5 });
    expect(lossShape(log([5, 4, 3]))!.givenBack).toBe(0);
  });
  it("is null for a curve too short or one that never fell", () => {
    expect(lossShape(log([5]))).toBeNull();
    expect(lossShape(log([5, 6, 7]))).toBeNull();
  });
});
