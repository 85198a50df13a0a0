/**
 * The simulated V4/IT assembly (lib/neuro/simulated-ventral-stream.ts; shaped like Majaj, Hong et al. 2015 as in
 * Brain-Score, Schrimpf et al. 2020): shape and labels, determinism, split-half ceilings near MajajHong2015's, and
 * IT carrying more linearly decodable category information than V4 (Yamins et al. 2014).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  categorizationAccuracy, meanOverRepetitions, ridgeRegression, selectSites, splitHalfCeiling, stimulusLabels,
} from "../lib/neuro";
import { SimulatedVentralStream, simulateVentralStream } from "../lib/neuro/simulated-ventral-stream";
import { initBackend, tf } from "../lib/tf";
import { generateStimuli } from "../lib/vision";

describe("simulated ventral stream", () => {
  const set = generateStimuli({ seed: 11, imagesPerObject: 2, levels: [0, 3, 6] });
  let assembly: SimulatedVentralStream;
  let seconds = 0;

  beforeAll(async () => {
    await initBackend({ quiet: true });
    const t0 = performance.now();
    assembly = await simulateVentralStream(set, { seed: 1 });
    seconds = (performance.now() - t0) / 1000;
    console.log(`simulateVentralStream: ${assembly.shape.join(" × ")} in ${seconds.toFixed(2)} s`);
  });

  it("has the requested shape, finite non-negative responses, and says it is simulated", () => {
    expect(assembly.shape).toEqual([384, 256, 40]);
    expect(assembly.dims).toEqual(["stimulus", "site", "repetition"]);
    expect(assembly.data.length).toBe(384 * 256 * 40);
    expect(assembly.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(assembly.sites.filter((s) => s.region === "V4").length).toBe(88);
    expect(assembly.sites.filter((s) => s.region === "IT").length).toBe(168);
    expect(assembly.sites.every((s) => /sim/.test(s.id) && /simulated/.test(s.animal ?? ""))).toBe(true);
    expect(assembly.description).toMatch(/SIMULATED/);
    expect(assembly.regionLabels).toEqual({ V4: "V4 (simulated)", IT: "IT (simulated)" });
    expect(assembly.stimuli.map((s) => s.id)).toEqual(set.meta.map((m) => m.id));
    expect(assembly.stimuli.map((s) => s.object)).toEqual(set.meta.map((m) => m.object));
    expect(assembly.expected.length).toBe(384 * 256);
  });

  it("is deterministic by seed and leaks no tensors", async () => {
    const tiny = generateStimuli({ seed: 4, imagesPerObject: 1, levels: [3], size: 32 });
    const options = { seed: 3, v4Sites: 6, itSites: 6, repetitions: 4 };
    const before = tf.memory().numTensors;
    const a = await simulateVentralStream(tiny, options);
    const b = await simulateVentralStream(tiny, options);
    expect(tf.memory().numTensors).toBe(before);
    expect(b.data).toEqual(a.data);
    const c = await simulateVentralStream(tiny, { ...options, seed: 4 });
    expect(c.data).not.toEqual(a.data);
    await expect(simulateVentralStream(tiny, { repetitions: 1 })).rejects.toThrow(/repetitions/);
  });

  it("IT ignores the background (clutter tolerance), V4 does not: level-0 images of an object differ only there", () => {
    // At level 0 every image of an object has the canonical pose; only the background changes.
    const N = assembly.shape[1];
    const level0 = set.meta.filter((m) => m.variation === 0);
    const [a, b] = level0.filter((m) => m.object === level0[0].object).map((m) => m.index);
    const row = (s: number, region: "V4" | "IT") => assembly.sites.flatMap((site, n) => (site.region === region ? [assembly.expected[s * N + n]] : []));
    expect(row(b, "IT")).toEqual(row(a, "IT"));
    expect(row(b, "V4")).not.toEqual(row(a, "V4"));
  });

  it("has split-half ceilings near MajajHong2015's (V4 0.895, IT 0.822)", () => {
    const v4 = splitHalfCeiling(selectSites(assembly, "V4"), { splits: 4 }).ceiling;
    const it = splitHalfCeiling(selectSites(assembly, "IT"), { splits: 4 }).ceiling;
    console.log(`split-half ceilings: V4 ${v4.toFixed(3)}, IT ${it.toFixed(3)}`);
    expect(Math.abs(v4 - 0.895)).toBeLessThan(0.06);
    expect(Math.abs(it - 0.822)).toBeLessThan(0.06);
  });

  it("trial means approach the noiseless responses", () => {
    const means = meanOverRepetitions(assembly);
    let sxy = 0, sxx = 0, syy = 0, mx = 0, my = 0;
    const n = means.data.length;
    for (let i = 0; i < n; i++) { mx += means.data[i] / n; my += assembly.expected[i] / n; }
    for (let i = 0; i < n; i++) {
      const x = means.data[i] - mx, y = assembly.expected[i] - my;
      sxy += x * y; sxx += x * x; syy += y * y;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.95);
  });

  it("IT decodes category better than V4", () => {
    const ridge = () => ridgeRegression({ alphas: [10], relative: true });
    const accuracy = (region: "V4" | "IT") => {
      const sites = selectSites(assembly, region);
      return categorizationAccuracy(meanOverRepetitions(sites), stimulusLabels(sites, "category"), { splits: 3, regression: ridge }).accuracy;
    };
    const v4 = accuracy("V4"), it = accuracy("IT");
    console.log(`category decoding: V4 ${v4.toFixed(3)}, IT ${it.toFixed(3)} (chance 0.125)`);
    expect(it).toBeGreaterThan(0.6);
    expect(it).toBeGreaterThan(v4 + 0.2);
  });
});

describe("simulated IT without its identity part (itIdentity: false)", () => {
  // Two images of objects of different categories, moved out of the frame: IT's object-alone images of both are the
  // same empty grey, so only the label-driven identity part can tell their IT responses apart.
  const base = generateStimuli({ seed: 6, imagesPerObject: 1, levels: [3], size: 32 });
  const a = 0, b = base.meta.findIndex((m) => m.category !== base.meta[a].category);
  const set = { ...base, meta: base.meta.map((m, i) => (i === a || i === b ? { ...m, tx: 5 } : m)) };
  const options = { seed: 5, v4Sites: 6, itSites: 24, repetitions: 4 };
  const rows = (s: SimulatedVentralStream, region: "V4" | "IT", stimulus: number) =>
    s.sites.flatMap((site, n) => (site.region === region ? [s.expected[stimulus * s.shape[1] + n]] : []));

  it("gives identical IT responses to images of different objects with identical object-alone content; the default does not", async () => {
    const imageOnly = await simulateVentralStream(set, { ...options, itIdentity: false });
    const full = await simulateVentralStream(set, options);
    expect(rows(imageOnly, "IT", b)).toEqual(rows(imageOnly, "IT", a));
    const gap = rows(full, "IT", a).reduce((m, v, n) => Math.max(m, Math.abs(v - rows(full, "IT", b)[n])), 0);
    expect(gap).toBeGreaterThan(0.1);
    expect(imageOnly.description).toMatch(/no label-driven identity part/);
  });

  it("changes nothing else: V4 is the same, and itIdentity: true is the default", async () => {
    const imageOnly = await simulateVentralStream(set, { ...options, itIdentity: false });
    const full = await simulateVentralStream(set, options);
    const explicit = await simulateVentralStream(set, { ...options, itIdentity: true });
    expect(explicit.data).toEqual(full.data);
    for (const s of [0, 7, b]) expect(rows(imageOnly, "V4", s)).toEqual(rows(full, "V4", s));
    expect(rows(imageOnly, "IT", 7)).not.toEqual(rows(full, "IT", 7));
  });
});
