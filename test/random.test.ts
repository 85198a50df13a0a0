import { describe, expect, it } from "vitest";
import { rng } from "../lib/util/random";
import { twoMoons } from "../lib/util/toy-data";

describe("seeded random numbers", () => {
  it("are reproducible by seed and differ across seeds", () => {
    const a = rng(7), b = rng(7), c = rng(8);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
  });

  it("have the right moments", () => {
    const r = rng(1);
    const n = 100_000;
    let s = 0, s2 = 0, u = 0;
    for (let i = 0; i < n; i++) { const z = r.normal(); s += z; s2 += z * z; u += r.uniform(); }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.005);
  });

  it("two moons: balanced classes, deterministic, bad arguments rejected", () => {
    const d = twoMoons(100, 0.1, 3);
    expect(d.points.length).toBe(100);
    expect(d.labels.filter((l) => l === 1).length).toBe(50);
    expect(twoMoons(100, 0.1, 3)).toEqual(d);
    expect(() => twoMoons(1, 0.1, 0)).toThrow(/n must be/);
    expect(() => twoMoons(10, NaN, 0)).toThrow(/noise/);
  });
});
