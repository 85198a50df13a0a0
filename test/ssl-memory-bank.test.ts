/**
 * Instance recognition (Wu et al. 2018) and local aggregation (Zhuang et al. 2019): the memory bank, its momentum
 * update, spherical k-means and both losses, on cases whose values are known by hand, and the instance loss's gradient
 * against finite differences.
 */
import { describe, expect, it } from "vitest";
import { initBackend, tf } from "../lib/tf";
import { instanceLoss, localAggregationLoss, MemoryBank, sphericalKMeans } from "../lib/vision/ssl/memory-bank";
import { rng } from "../lib/util/random";

const eye3 = () => tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);

describe("the instance-recognition loss", () => {
  it("is −log of the own entry's non-parametric softmax probability", async () => {
    await initBackend({ quiet: true });
    const bank = eye3(), v = tf.tensor2d([1, 0, 0], [1, 3]);
    // Similarities 1, 0, 0 to the three entries.
    expect(instanceLoss(v, bank, [0], 1).dataSync()[0]).toBeCloseTo(-Math.log(Math.E / (Math.E + 2)), 5);
    expect(instanceLoss(v, bank, [0], 0.5).dataSync()[0]).toBeCloseTo(-Math.log(Math.E ** 2 / (Math.E ** 2 + 2)), 5);
    // Asked to find entry 1 instead: −log(1 / (e + 2)).
    expect(instanceLoss(v, bank, [1], 1).dataSync()[0]).toBeCloseTo(Math.log(Math.E + 2), 5);
    expect(() => instanceLoss(v, bank, [0, 1], 1)).toThrow(/1 embeddings but 2 indices/);
    tf.dispose([bank, v]);
  });

  it("has the gradient finite differences give", async () => {
    await initBackend({ quiet: true });
    const r = rng(3);
    const bank = tf.tensor2d(Array.from({ length: 6 * 4 }, () => r.normal()), [6, 4]);
    const x = Float32Array.from({ length: 2 * 4 }, () => r.normal());
    const f = (values: Float32Array) => tf.tidy(() => instanceLoss(tf.tensor2d(values, [2, 4]), bank, [2, 5], 0.5).dataSync()[0]);
    const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => instanceLoss(v as tf.Tensor2D, bank, [2, 5], 0.5))(tf.tensor2d(x, [2, 4])).dataSync());
    const h = 1e-2;
    for (let k = 0; k < x.length; k++) {
      const up = Float32Array.from(x), down = Float32Array.from(x);
      up[k] += h; down[k] -= h;
      expect(grad[k]).toBeCloseTo((f(up) - f(down)) / (2 * h), 2);
    }
    bank.dispose();
  });
});

describe("the local-aggregation loss", () => {
  it("is −log of the close-and-background neighbours' share of the background's probability", async () => {
    await initBackend({ quiet: true });
    const bank = eye3(), v = tf.tensor2d([1, 0, 0], [1, 3]);
    // B = {0, 1, 2}, C = {0, 1}: similarities 1, 0 against 1, 0, 0 → −log((e + 1) / (e + 2)).
    const close01 = (_r: number, j: number) => j <= 1;
    expect(localAggregationLoss(v, bank, [[0, 1, 2]], close01, 1).dataSync()[0]).toBeCloseTo(-Math.log((Math.E + 1) / (Math.E + 2)), 5);
    // Every background neighbour close: nothing to pull, loss 0.
    expect(localAggregationLoss(v, bank, [[0, 1]], close01, 1).dataSync()[0]).toBeCloseTo(0, 5);
    // Only itself close, background {0, 2}: −log(e / (e + 1)).
    expect(localAggregationLoss(v, bank, [[0, 2]], (_r, j) => j === 0, 1).dataSync()[0]).toBeCloseTo(-Math.log(Math.E / (Math.E + 1)), 5);
    expect(() => localAggregationLoss(v, bank, [[1, 2]], (_r, j) => j === 0, 1)).toThrow(/row 0's background neighbours hold none of its close neighbours/);
    tf.dispose([bank, v]);
  });
});

describe("the memory bank", () => {
  it("starts with unit rows, moves an entry halfway to a new feature (momentum 0.5) and renormalises, finds nearest entries", () => {
    const bank = new MemoryBank(4, 2, 1);
    for (let i = 0; i < 4; i++) expect(Math.hypot(bank.vectors[2 * i], bank.vectors[2 * i + 1])).toBeCloseTo(1, 6);
    bank.vectors.set([1, 0, 0, 1, -1, 0, 0, -1]);
    bank.update([0], Float32Array.from([0, 3]), 0.5); // the feature is normalised first: (0, 1)
    expect(Array.from(bank.vectors.subarray(0, 2)).map((v) => +v.toFixed(6))).toEqual([+Math.SQRT1_2.toFixed(6), +Math.SQRT1_2.toFixed(6)]);
    expect(Array.from(bank.nearest(Float32Array.from([0, 1]), 2)[0])).toEqual([1, 0]);
    expect(() => bank.update([4], Float32Array.from([1, 0]))).toThrow(/index 4 is outside the bank/);
    expect(() => new MemoryBank(1, 2, 0)).toThrow(/size must be ≥ 2/);
  });
});

describe("spherical k-means", () => {
  it("separates two tight groups of directions, the same way for the same seed", () => {
    const r = rng(5);
    const rows: number[] = [];
    for (let i = 0; i < 20; i++) {
      const angle = (i < 10 ? 0 : Math.PI / 2) + 0.05 * r.normal();
      rows.push(Math.cos(angle), Math.sin(angle));
    }
    const x = Float32Array.from(rows);
    const a = sphericalKMeans(x, 20, 2, 2, 7);
    expect(new Set(a.slice(0, 10)).size).toBe(1);
    expect(new Set(a.slice(10)).size).toBe(1);
    expect(a[0]).not.toBe(a[10]);
    expect(Array.from(sphericalKMeans(x, 20, 2, 2, 7))).toEqual(Array.from(a));
    expect(() => sphericalKMeans(x, 20, 2, 21, 7)).toThrow(/k must be a whole number in 1…20/);
  });
});
