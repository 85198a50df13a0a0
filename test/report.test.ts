/** What notebooks 03 and 04 state from shipped numbers (lib/rl/report.ts): claims with their margins, results across morphologies, and an ablation's paired cost (lib/rl/evaluate.ts). */
import { describe, expect, it } from "vitest";
import { beatsClaim, ratioClaim, returnByLegLength, SeedPooled, seedMargin, ShippedAgent } from "../lib/rl/report";
import { Morphology } from "../lib/rl/morphology";
import { EvaluationSummary, MorphologyResult, pairedDifference, summarize } from "../lib/rl/evaluate";

const pooled = (perSeed: number[], semOverBodies = 10): SeedPooled => {
  const m = perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
  const spread = perSeed.length > 1 ? Math.sqrt(perSeed.reduce((s, x) => s + (x - m) ** 2, 0) / (perSeed.length - 1)) : 0;
  return { policy: "dmap", trainSigma: 0.3, testSigma: 0.3, seeds: perSeed.map((_, i) => i), perSeed, meanReturn: m, seedSpread: spread,
    semOverBodies, forwardSpeed: 1, fallRate: 0, bodies: 100 };
};

describe("claims from pooled seeds", () => {
  it("the margin is the seed spread, or the SEM over bodies for one seed", () => {
    expect(seedMargin(pooled([100, 200, 300]))).toBeCloseTo(100, 10);
    expect(seedMargin(pooled([100], 42))).toBe(42);
  });

  it("beats by more than the larger spread, and not otherwise", () => {
    const simple = pooled([1000, 1100, 1200]); // mean 1100, spread 100
    expect(beatsClaim(pooled([1250, 1250, 1250]), simple, ["DMAP", "Simple"], 0.3).verdict).toBe("holds"); // +150 > 100
    expect(beatsClaim(pooled([1150, 1150, 1150]), simple, ["DMAP", "Simple"], 0.3).verdict).toBe("does not hold"); // +50
    expect(beatsClaim(pooled([1000, 1300, 1600]), simple, ["DMAP", "Simple"], 0.3).verdict).toBe("does not hold"); // +200 < 300
    const c = beatsClaim(undefined, simple, ["DMAP", "Simple"], 0.5);
    expect(c.verdict).toBe("not tested");
    expect(c.evidence).toContain("DMAP not trained at σ = 0.5");
  });

  it("the ratio claim compares seed means", () => {
    expect(ratioClaim(pooled([900]), pooled([1000]), ["RMA", "Oracle"], 0.9, 0.3).verdict).toBe("holds");
    const c = ratioClaim(pooled([849]), pooled([1000]), ["DMAP", "Oracle"], 0.85, 0.3);
    expect(c.verdict).toBe("does not hold");
    expect(c.claim).toBe("DMAP reaches ≥ 85 % of the Oracle's return");
    expect(c.evidence).toBe("84.9 % (849 / 1000)"); // not rounded up to the threshold it misses
  });
});

describe("results across morphologies", () => {
  const body = (leg: number): Morphology => ({ torso: 0, legSize: [0, 0, 0, 0], legLength: [leg, leg, leg, leg] });
  const agent = (policy: string, seed: number, returns: number[]): ShippedAgent => ({
    dir: "", manifest: { config: { policy, sigma: 0.3, seed }, evaluation: { "sigma_0.3": { perMorphology: returns.map((r) => ({ return: r })) } } } as unknown as ShippedAgent["manifest"],
  });
  const bodies = [0.2, -0.2, 0, 0.1, -0.1, 0.05].map(body);

  it("averages seeds per body and groups bodies by leg length, shortest first", () => {
    const r = returnByLegLength([agent("simple", 0, [6, 1, 3, 5, 2, 4]), agent("simple", 1, [8, 3, 5, 7, 4, 6]), agent("dmap", 0, [1, 1, 1, 1, 1, 1])], 0.3, 0.3, bodies, 3);
    expect(r.groups.map((g) => g.bodies)).toEqual([[1, 4], [2, 5], [3, 0]]);
    expect(r.groups[0].meanLegLength).toBeCloseTo(-0.15, 12);
    const simple = r.policies.find((p) => p.policy === "simple")!;
    expect(simple.seeds).toBe(2);
    expect(simple.perBody).toEqual([7, 2, 4, 6, 3, 5]);
    expect(simple.groupMeans).toEqual([2.5, 4.5, 6.5]);
  });

  it("says so when the manifests were evaluated on another number of bodies", () => {
    expect(() => returnByLegLength([agent("simple", 0, [1, 2])], 0.3, 0.3, bodies)).toThrow(/simple was evaluated on 2 bodies at σ = 0.3, but 6 bodies were given/);
  });
});

describe("ablation against its policy, paired by body", () => {
  const evaluation = (returns: number[], indices = returns.map((_, i) => i)): EvaluationSummary =>
    summarize(returns.map((r, i): MorphologyResult => ({ index: indices[i], return: r, length: 1000, distance: 0, forwardSpeed: 0, fell: false, unstable: false })));

  it("gives the mean per-body difference with the SEM of the differences, not of the returns", () => {
    // Bodies differ a lot (100 … 900); the ablation costs 10, 20 or 30 on each. Differences: 10, 20, 30, 20.
    const d = pairedDifference(evaluation([100, 500, 900, 300]), evaluation([90, 480, 870, 280]));
    expect(d.n).toBe(4);
    expect(d.mean).toBeCloseTo(20, 10);
    expect(d.sem).toBeCloseTo(Math.sqrt(200 / 3 / 4), 10); // sample variance of (10, 20, 30, 20) is 200/3
  });

  it("refuses two evaluations of different bodies", () => {
    expect(() => pairedDifference(evaluation([1, 2, 3]), evaluation([1, 2]))).toThrow(/not of the same bodies/);
    expect(() => pairedDifference(evaluation([1, 2]), evaluation([1, 2], [0, 5]))).toThrow(/not of the same bodies/);
  });
});
