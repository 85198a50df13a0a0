/**
 * The HvM-like stimulus generator (lib/vision/stimuli.ts; after Majaj, Hong et al. 2015 and Yamins et al. 2014):
 * determinism by seed, shapes and ranges, metadata (8 categories × 8 objects, levels, level-0 images centred at
 * one scale), distinct objects, linear separability of categories at level 0, the gallery figure.
 */
import { describe, expect, it } from "vitest";
import { categorizationAccuracy, matrix, ridgeRegression } from "../lib/neuro";
import {
  CANONICAL_POSE, CATEGORIES, VARIATION_RANGES, generateStimuli, objectModels, renderObject, stimulusGalleryFigure,
  stimulusInfo,
} from "../lib/vision";

describe("HvM-like stimuli", () => {
  const small = generateStimuli({ seed: 5, imagesPerObject: 2, levels: [0, 3, 6], size: 32 });

  it("are deterministic by seed, and differ across seeds", () => {
    const options = { seed: 5, imagesPerObject: 1, levels: [0, 6] as const, size: 24 };
    const a = generateStimuli(options), b = generateStimuli(options), c = generateStimuli({ ...options, seed: 6 });
    // Byte comparison: vitest's deep equality is slow on long typed arrays.
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(b.images).equals(bytes(a.images))).toBe(true);
    expect(b.meta).toEqual(a.meta);
    expect(bytes(c.images).equals(bytes(a.images))).toBe(false);
  });

  it("have the asked shape, values in [0, 1], and consistent metadata", () => {
    const n = 3 * 64 * 2;
    expect(small.size).toBe(32);
    expect(small.meta.length).toBe(n);
    expect(small.images.length).toBe(n * 32 * 32);
    let lo = Infinity, hi = -Infinity;
    for (const v of small.images) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(new Set(small.meta.map((m) => m.id)).size).toBe(n);
    small.meta.forEach((m, i) => expect(m.index).toBe(i));
    expect(new Set(small.meta.map((m) => m.category))).toEqual(new Set(CATEGORIES));
    for (const c of CATEGORIES) {
      const objects = new Set(small.meta.filter((m) => m.category === c).map((m) => m.object));
      expect(objects.size).toBe(8);
    }
    for (const level of [0, 3, 6] as const) {
      const atLevel = small.meta.filter((m) => m.variation === level);
      expect(atLevel.length).toBe(128);
      const range = VARIATION_RANGES[level];
      for (const m of atLevel) {
        expect(Math.abs(m.tx)).toBeLessThanOrEqual(range.position);
        expect(Math.abs(m.ty)).toBeLessThanOrEqual(range.position);
        expect(m.scale).toBeGreaterThanOrEqual(range.scale[0]);
        expect(m.scale).toBeLessThanOrEqual(range.scale[1]);
        for (const a of [m.rxy, m.rxz, m.ryz]) expect(Math.abs(a)).toBeLessThanOrEqual(range.rotation);
      }
    }
    // Level 0: centred, one scale, canonical pose; levels 3 and 6 vary, 6 more than 3.
    for (const m of small.meta.filter((m) => m.variation === 0)) {
      expect([m.tx, m.ty, m.scale, m.rxy, m.rxz, m.ryz]).toEqual([0, 0, 1, 0, 0, 0]);
    }
    const spread = (level: number) => Math.max(...small.meta.filter((m) => m.variation === level).map((m) => Math.abs(m.rxz)));
    expect(spread(3)).toBeGreaterThan(10);
    expect(spread(6)).toBeGreaterThan(spread(3));
    expect(generateStimuli({ imagesPerObject: 1, levels: [3], size: 16 }).meta.every((m) => m.variation === 3)).toBe(true);
    const info = stimulusInfo(small.meta[200]);
    expect(info).toMatchObject({ id: small.meta[200].id, category: small.meta[200].category, variation: small.meta[200].variation });
    expect(info.fields?.s).toBe(small.meta[200].scale);
  });

  it("render level-0 objects centred and inside the frame", () => {
    for (const model of objectModels()) {
      const image = renderObject(model, CANONICAL_POSE, { size: 64, into: new Float32Array(64 * 64).fill(-1) });
      let i0 = 64, i1 = -1, j0 = 64, j1 = -1;
      for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) {
        if (image[i * 64 + j] < 0) continue;
        i0 = Math.min(i0, i); i1 = Math.max(i1, i); j0 = Math.min(j0, j); j1 = Math.max(j1, j);
      }
      expect(i0, model.name).toBeGreaterThan(0);
      expect(j0, model.name).toBeGreaterThan(0);
      expect(i1, model.name).toBeLessThan(63);
      expect(j1, model.name).toBeLessThan(63);
      expect(Math.abs((i0 + i1) / 2 - 31.5), model.name).toBeLessThan(10);
      expect(Math.abs((j0 + j1) / 2 - 31.5), model.name).toBeLessThan(10);
    }
  });

  it("give every object its own image", () => {
    const images = objectModels().map((m) => renderObject(m, CANONICAL_POSE, { size: 32, into: new Float32Array(32 * 32).fill(0.5) }));
    let closest = Infinity;
    for (let a = 0; a < images.length; a++) for (let b = a + 1; b < images.length; b++) {
      let d = 0;
      for (let p = 0; p < images[a].length; p++) d += Math.abs(images[a][p] - images[b][p]);
      closest = Math.min(closest, d / images[a].length);
    }
    expect(closest).toBeGreaterThan(0.005);
  });

  it("are linearly separable by category at level 0 (pixels, 16×16)", () => {
    const set = generateStimuli({ seed: 2, imagesPerObject: 3, levels: [0], size: 32 });
    const X = matrix(set.meta.length, 256);
    for (let s = 0; s < set.meta.length; s++) {
      for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) {
        X.data[s * 256 + (i >> 1) * 16 + (j >> 1)] += set.images[s * 1024 + i * 32 + j] / 4;
      }
    }
    const score = categorizationAccuracy(X, set.meta.map((m) => m.category), {
      splits: 3, regression: () => ridgeRegression({ alphas: [1], relative: true }),
    });
    expect(score.chance).toBe(1 / 8);
    expect(score.accuracy).toBeGreaterThan(0.5);
  });

  it("make thousands of 64×64 images in seconds", () => {
    const t0 = performance.now();
    const set = generateStimuli({ seed: 9, imagesPerObject: 8, levels: [0, 3, 6] });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`generateStimuli: ${set.meta.length} images of 64×64 in ${seconds.toFixed(2)} s (${(set.meta.length / seconds).toFixed(0)} images/s)`);
    expect(set.meta.length).toBe(1536);
    expect(seconds).toBeLessThan(20); // generous: the machine is shared
  });

  it("show as a gallery figure: one PNG mosaic, categories × levels", () => {
    const fig = stimulusGalleryFigure(small, { perLevel: 2 });
    const image = fig.layout?.images?.[0];
    expect(image?.source).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(String(image?.source).split(",")[1], "base64");
    expect(Array.from(png.subarray(1, 4), (b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(3 * 2 * 34 - 2 + 2 * 4); // width: 6 cells of 32 px, gaps
    expect(png.readUInt32BE(20)).toBe(8 * 34 - 2);
    const yTicks = (fig.layout?.yaxis as { ticktext?: string[] }).ticktext;
    expect(yTicks).toEqual([...CATEGORIES]);
  });
});
