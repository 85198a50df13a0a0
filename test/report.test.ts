/** What notebooks 03 and 04 state from shipped numbers (lib/rl/analysis/report.ts): claims with their margins, results across morphologies, and an ablation's paired cost (lib/rl/env/evaluate.ts). */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { AntSet, beatsClaim, budgetChange, differenceInterval, failedSeeds, keptAgainstSimple, keptDifference, keptFractions, keptSummary, keptTable, LogRow, skillKeptCorrelation, skillKeptLine, newestAgents, partingIteration, partwayLine, partwayRuns, ppoDiagnostics, ratioClaim, returnByLegLength, sameCommandPairs, sameSetRuns, SeedPooled, seedMargin, ShippedAgent, shippedAgents, shippedRun } from "../lib/rl/analysis/report";
import { antPlan, PPO_BUDGET, RMA_PHASE2_BUDGET } from "../lib/rl/learning/plan";
import { measuredSpeed } from "../lib/rl/learning/run-status";
import { PPO_DEFAULTS } from "../lib/rl/learning/ppo";
import { Morphology } from "../lib/rl/env/morphology";
import { EvaluationSummary, MorphologyResult, pairedDifference, summarize } from "../lib/rl/env/evaluate";
import { binLine, CURVE_POINTS, skillAndKept } from "../lib/rl/figures/adaptation-figures";
import { tempDir } from "./fixtures/temp-dir";

const pooled = (perSeed: number[], semOverBodies = 10, policy: SeedPooled["policy"] = "dmap", sigma = 0.3): SeedPooled => {
  const m = perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
  const spread = perSeed.length > 1 ? Math.sqrt(perSeed.reduce((s, x) => s + (x - m) ** 2, 0) / (perSeed.length - 1)) : 0;
  return { policy, trainSigma: sigma, testSigma: sigma, seeds: perSeed.map((_, i) => i), perSeed, meanReturn: m, seedSpread: spread,
    semOverBodies, forwardSpeed: 1, fallRate: 0, bodies: 100, perBody: perSeed.map(() => []) };
};

/** Flat per-body returns (every body alike) for each seed of a policy at one test σ: [seed, return] pairs. */
const flat = (v: number, bodies = 20) => new Array<number>(bodies).fill(v);
const at = (policy: SeedPooled["policy"], testSigma: number, bySeed: [number, number][]): SeedPooled => ({
  ...pooled(bySeed.map(([, v]) => v), 10, policy), testSigma, seeds: bySeed.map(([s]) => s), perBody: bySeed.map(([, v]) => flat(v)) });

describe("claims from pooled seeds", () => {
  it("the margin is the seed spread; one seed borrows its policy's spread at the σ with most seeds, else the SEM over bodies", () => {
    expect(seedMargin(pooled([100, 200, 300])).margin).toBeCloseTo(100, 10);
    expect(seedMargin(pooled([100], 42))).toEqual({ margin: 42, from: "1 seed; SEM over bodies" });
    const others = [pooled([100, 300], 5, "dmap", 0.1), pooled([100, 200, 300], 5, "dmap", 0.3), pooled([0, 1000, 2000], 5, "simple", 0.3),
      { ...pooled([0, 900], 5, "dmap", 0.3), testSigma: 0.5 }]; // another test σ: not a training spread of its own σ
    const oneSeed = pooled([700], 42, "dmap", 0.5);
    expect(seedMargin(oneSeed, others).margin).toBeCloseTo(100, 10); // σ 0.3's three seeds, not σ 0.1's two, not Simple's
    expect(seedMargin(oneSeed, others).from).toBe("1 seed; spread of its 3 seeds at σ 0.3");
    expect(seedMargin(oneSeed, [pooled([700], 42, "oracle", 0.3)]).margin).toBe(42);
  });

  it("a one-seed claim is judged against the borrowed spread", () => {
    const simple3 = pooled([900, 1100, 1300], 20, "simple", 0.3); // spread 200
    const dmap = pooled([1500], 20, "dmap", 0.5), simple = pooled([1350], 20, "simple", 0.5);
    expect(beatsClaim(dmap, simple, ["DMAP", "Simple"], 0.5).verdict).toBe("holds"); // +150 > SEM 20
    const c = beatsClaim(dmap, simple, ["DMAP", "Simple"], 0.5, [simple3, dmap, simple]);
    expect(c.verdict).toBe("does not hold"); // +150 < Simple's spread 200
    expect(c.evidence).toBe("1500 (± 20, 1 seed; SEM over bodies) vs Simple 1350 (± 200, 1 seed; spread of its 3 seeds at σ 0.3)");
  });

  it("the difference's 95 % interval resamples seeds and, shared by both policies, bodies", () => {
    const withBodies = (perBody: number[][], policy: SeedPooled["policy"] = "dmap"): SeedPooled => ({
      ...pooled(perBody.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length), 10, policy), perBody });
    // One seed each, b 100 below a on every body: every replicate draws the same bodies for both, so exactly +100.
    const bodies = Array.from({ length: 50 }, (_, i) => 1000 + 37 * ((i * 7) % 13));
    const one = differenceInterval(withBodies([bodies]), withBodies([bodies.map((x) => x - 100)], "simple"));
    expect(one).not.toBeNull();
    expect([one!.difference, one!.low, one!.high].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([100, 100, 100]);
    // Seeds 1000, 1300, 1600 against one seed at 1000, every body alike: only the seed draw varies. All three draws
    // alike has probability 1/27 > 2.5 %, so the interval runs from 0 (three times 1000) to +600 (three times 1600).
    const seeds = differenceInterval(withBodies([flat(1000), flat(1300), flat(1600)]), withBodies([flat(1000)], "simple"));
    expect(seeds!.difference).toBeCloseTo(300, 9);
    expect([seeds!.low, seeds!.high]).toEqual([0, 600]);
    // Deterministic by seed; no interval for evaluations of different bodies.
    const noisy = withBodies([bodies, bodies.map((x, i) => x + (i % 5) * 40)]);
    expect(differenceInterval(noisy, withBodies([bodies], "simple"), 500, 7)).toEqual(differenceInterval(noisy, withBodies([bodies], "simple"), 500, 7));
    expect(differenceInterval(withBodies([bodies]), withBodies([bodies.slice(1)], "simple"))).toBeNull();
    const c = beatsClaim(withBodies([bodies]), withBodies([bodies.map((x) => x - 100)], "simple"), ["DMAP", "Simple"], 0.3);
    expect(c.evidence).toMatch(/; difference \+100, 95 % interval \+100 to \+100 \(bootstrap over bodies only: 1 seed each\)$/);
  });

  it("skill and the fraction kept: seeds matched by number, known fractions, and the difference's interval", () => {
    // Per seed, flat returns over 20 bodies at test σ 0.1 and 0.5 (trained at 0.3); seeds listed in different orders.
    const all = [
      at("simple", 0.1, [[0, 2000], [1, 1000]]), at("simple", 0.5, [[1, 500], [0, 1000]]), // both seeds keep 0.5
      at("oracle", 0.1, [[0, 1000], [1, 2000], [2, 1500]]), at("oracle", 0.5, [[0, 700], [1, 1400], [2, 1050]]), // all keep 0.7
      at("rma", 0.5, [[0, 900]]), // no σ 0.1 evaluation: left out
    ];
    const kept = keptFractions(all);
    expect(kept.map((k) => [k.policy, k.testSigma])).toEqual([["simple", 0.5], ["oracle", 0.5]]);
    const [simple, oracle] = kept;
    expect(simple.seeds).toEqual([1, 0]);
    expect(simple.skill).toEqual([1000, 2000]); // matched by seed number, not by position
    expect(simple.perSeed).toEqual([0.5, 0.5]);
    expect(oracle.mean).toBeCloseTo(0.7, 12);
    expect(oracle.spread).toBeCloseTo(0, 12);
    const d = keptDifference(oracle, simple);
    expect(d.difference).toBeCloseTo(0.2, 12);
    expect(d.exceeds).toBe(true);
    expect([d.low, d.high].map((x) => Math.round(x! * 1e9) / 1e9)).toEqual([0.2, 0.2]); // every seed and body alike
    // Seeds that keep 0.4 and 0.8 (spread 0.28) against 0.5: +0.1 does not exceed the spread; the bootstrap spans
    // all-0.4 to all-0.8 draws of the two seeds, −0.1 to +0.3.
    const mixed = keptFractions([at("tcn", 0.1, [[0, 1000], [1, 1000]]), at("tcn", 0.5, [[0, 400], [1, 800]])])[0];
    const m = keptDifference(mixed, simple);
    expect(m.exceeds).toBe(false);
    expect(m.margin).toBeCloseTo(0.4 / Math.SQRT2, 12);
    expect([m.low, m.high].map((x) => Math.round(x! * 1e9) / 1e9)).toEqual([-0.1, 0.3]);
    // One seed: no verdict by the spread rule; the interval then comes from the bodies only.
    const one = keptFractions([at("dmap", 0.1, [[0, 1000]]), at("dmap", 0.5, [[0, 600]])])[0];
    expect(keptDifference(one, simple).exceeds).toBeNull();
    // Bodies that differ: deterministic by seed.
    const noisy = keptFractions([at("dmap", 0.1, [[0, 1000]]), { ...at("dmap", 0.5, [[0, 600]]), perBody: [flat(600).map((x, i) => x + 30 * (i % 7))] }])[0];
    expect(keptDifference(noisy, simple, 300, 3)).toEqual(keptDifference(noisy, simple, 300, 3));
    // Every policy against Simple at its test σ, in the order asked for; its table and its one-line summary.
    const against = keptAgainstSimple(all, 0.3, ["simple", "oracle", "rma"]);
    const rows = against.rows;
    expect(rows.map((r) => [r.kept.policy, r.vsSimple === null])).toEqual([["simple", true], ["oracle", false]]);
    const table = keptTable(rows, (k) => k.toUpperCase());
    expect(table[1]).toEqual({ policy: "ORACLE", "test σ": 0.5, "skill per seed (return at σ 0.1)": "1000, 2000, 1500", "kept per seed": "0.70, 0.70, 0.70",
      "kept: mean ± spread": "0.700 ± 0.000", "− Simple's": "+0.200", "95 % interval": "+0.200 to +0.200", "more than the seed spread?": "yes" });
    expect(table[0]["− Simple's"]).toBe("–");
    expect(keptSummary(against, (k) => k)).toBe("keeps more than Simple by more than the seed spread: oracle at test σ 0.5 (+0.200, spread 0.000) (of 1 comparisons)");
    expect(keptSummary(keptAgainstSimple(all, 0.5, ["simple", "oracle"]), (k) => k)).toBe("no comparison with several seeds on both sides");
    // One seed against Simple's two: not judged by a spread; its interval (bodies only: flat bodies, so a point) reported.
    const oneSeed = keptAgainstSimple([...all, at("dmap", 0.1, [[0, 1000]]), at("dmap", 0.5, [[0, 600]])], 0.3, ["simple", "dmap"]);
    expect(keptSummary(oneSeed, (k) => k)).toBe("no comparison with several seeds on both sides; 1 comparisons with one seed, not judged by a spread; " +
      "bodies-only interval above zero: dmap at test σ 0.5 (+0.100, +0.100 to +0.100)");
  });

  it("the skill-and-kept figure: each seed's skill on the left; per seed and per policy, the fraction kept from 1 at σ 0.1", () => {
    const kept = keptFractions([at("simple", 0.1, [[0, 2000], [1, 1000]]), at("simple", 0.3, [[0, 1600], [1, 700]]), at("simple", 0.5, [[0, 800], [1, 300]])]);
    const fig = skillAndKept(kept, 0.3);
    const traces = fig.data as { name: string; x: unknown[]; y: number[]; xaxis?: string }[];
    expect(traces.map((t) => t.name)).toEqual(["Simple: each seed's skill", "Simple seed 0", "Simple seed 1", "Simple (2 seeds)"]);
    expect(traces[0].y).toEqual([2000, 1000]);
    expect(traces[1]).toMatchObject({ x: [0.1, 0.3, 0.5], y: [1, 0.8, 0.4], xaxis: "x2" });
    expect(traces[3].y.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0.75, 0.35]);
    const layout = fig.layout as Record<string, { title?: { text: string } }>;
    expect([layout.yaxis.title!.text, layout.xaxis2.title!.text, layout.yaxis2.title!.text]).toEqual(
      ["return at test σ = 0.1 (reward units)", "test σ (range of body perturbations)", "fraction of its σ = 0.1 return kept"]);
  });

  it("skill against fraction kept: correlated within each policy, so a difference between policies does not count", () => {
    // Within each policy the abler seed keeps less (Simple: 2000 keeps 0.4, 1000 keeps 0.6; the Oracle: 3000 keeps 0.7,
    // 2000 keeps 0.9), while across policies the abler one keeps more: pooled r would be > 0, within-policy r is −1.
    const rows = keptAgainstSimple([
      at("simple", 0.1, [[0, 2000], [1, 1000]]), at("simple", 0.5, [[0, 800], [1, 600]]),
      at("oracle", 0.1, [[0, 3000], [1, 2000]]), at("oracle", 0.5, [[0, 2100], [1, 1800]]),
      at("dmap", 0.1, [[0, 2500]]), at("dmap", 0.5, [[0, 100]]), // one seed: no within-policy variation, left out
    ], 0.3, ["simple", "oracle", "dmap"]).rows;
    const [c] = skillKeptCorrelation(rows);
    expect(c.testSigma).toBe(0.5);
    expect(c.seeds).toBe(4);
    expect(c.r).toBeCloseTo(-1, 12);
    expect(skillKeptCorrelation(rows.filter((r) => r.kept.policy === "simple"))[0].r).toBeNaN(); // two seeds only
    expect(skillKeptLine(rows)).toBe("Within each policy (4 seeds, each policy's means removed), skill against fraction kept: r = −1.00 at test σ 0.5 (negative: a policy's abler seeds keep less)");
    expect(skillKeptLine(rows.filter((r) => r.kept.policy === "simple"))).toBe("");
  });

  it("a seed that never walked (below half the Oracle's return at its σ) is left out of the fractions, and named", () => {
    const all = [
      at("oracle", 0.3, [[0, 2000]]), at("oracle", 0.1, [[0, 2500]]), at("oracle", 0.5, [[0, 1000]]),
      at("simple", 0.3, [[0, 1900]]), at("simple", 0.1, [[0, 2500]]), at("simple", 0.5, [[0, 800]]),
      // TCN seed 1 walks (1100 ≥ 1000); seed 0 (80 < half of 2000) never did, and "keeps" 80 / 76 of nothing.
      at("tcn", 0.3, [[0, 80], [1, 1100]]), at("tcn", 0.1, [[0, 76], [1, 2000]]), at("tcn", 0.5, [[0, 78], [1, 900]]),
    ];
    expect(failedSeeds(all)).toEqual([{ policy: "tcn", trainSigma: 0.3, seed: 0 }]);
    const k = keptAgainstSimple(all, 0.3, ["simple", "oracle", "tcn"]);
    expect(k.failed).toEqual([{ policy: "tcn", seed: 0 }]);
    const tcn = k.rows.filter((r) => r.kept.policy === "tcn");
    expect(tcn.map((r) => r.kept.seeds)).toEqual([[1], [1]]);
    expect(tcn.map((r) => r.kept.perSeed[0])).toEqual([1100 / 2000, 900 / 2000]);
    expect(keptSummary(k, (x) => x)).toMatch(/; left out, failed \(return below 0\.5 of the Oracle's\): tcn seed 0$/);
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

describe("the two shipped Ant sets: the plan at its budget, and the earlier 2 M-step set", () => {
  const makeSets = () => {
    const base = tempDir("ant-sets-");
    const sets: AntSet[] = [{ key: "budget", root: path.join(base, "budget") }, { key: "short", root: path.join(base, "short") }];
    const ship = (root: string, policy: string, sigma: number, seed: number, steps: number) => {
      const name = `ant-${policy}-sigma${sigma}-seed${seed}`;
      fs.mkdirSync(path.join(root, name), { recursive: true });
      fs.writeFileSync(path.join(root, name, "manifest.json"), JSON.stringify({ name, env_steps: steps, config: { policy, sigma, seed }, evaluation: {} }));
    };
    ship(sets[1].root, "simple", 0.3, 0, 2e6); ship(sets[1].root, "oracle", 0.3, 0, 2e6); ship(sets[1].root, "dmap", 0.3, 0, 2e6);
    ship(sets[0].root, "oracle", 0.3, 0, 11e6);
    return { sets, base };
  };

  it("a run comes from the budget set where it is shipped there, else from the short-budget set, each run once", () => {
    const { sets, base } = makeSets();
    expect(shippedRun("ant-oracle-sigma0.3-seed0", sets)).toEqual({ dir: path.join(sets[0].root, "ant-oracle-sigma0.3-seed0"), set: "budget" });
    expect(shippedRun("ant-simple-sigma0.3-seed0", sets)?.set).toBe("short");
    expect(shippedRun("ant-tcn-sigma0.3-seed0", sets)).toBeNull();
    const newest = newestAgents(undefined, sets);
    expect(newest.map((a) => `${a.manifest.config.policy}:${a.set}:${a.manifest.env_steps}`)).toEqual(["simple:short:2000000", "oracle:budget:11000000", "dmap:short:2000000"]);
    expect(newestAgents(["dmap"], sets).map((a) => a.set)).toEqual(["short"]);
  });

  it("runs compared with one another come from one set: the budget set once it holds them all, else the short one", () => {
    const { sets } = makeSets();
    const pair = ["ant-simple-sigma0.3-seed0", "ant-oracle-sigma0.3-seed0"];
    // The Oracle is in both sets, Simple only in the short one: the pair comes from the short set, not mixed.
    expect(sameSetRuns(pair, sets)).toEqual({ set: "short", dirs: pair.map((n) => path.join(sets[1].root, n)) });
    expect(sameSetRuns(["ant-oracle-sigma0.3-seed0"], sets)?.set).toBe("budget");
    expect(sameSetRuns([...pair, "ant-tcn-sigma0.3-seed0"], sets)).toBeNull();
  });

  it("two runs of one command: where their logs part, and their training return over the budget's last 10 %", () => {
    // 100 iterations of 1,000 env steps; the pilot trains on to 150.
    const log = (n: number, ret: (i: number) => number, loss: (i: number) => number = (i) => -0.01 * i): LogRow[] =>
      Array.from({ length: n }, (_, k) => ({ iteration: k + 1, globalStep: 1000 * (k + 1), policyLoss: loss(k + 1), episodicReturn: ret(k + 1) }));
    const a = log(150, (i) => i), same = log(100, (i) => i);
    expect(partingIteration(a, same)).toBeNull();
    expect(partingIteration(a, log(100, (i) => (i >= 40 ? i + 0.5 : i)))).toBe(40);
    expect(partingIteration(a, log(100, (i) => i, (i) => (i === 7 ? 1 : -0.01 * i)))).toBe(7);
    expect(() => partingIteration(a, log(100, (i) => i).slice(1))).toThrow(/not aligned/);

    const root = tempDir("ant-same-");
    const ppo = { lrSchedule: "adaptive", updateEpochs: 5 };
    const write = (dir: string, policy: string, steps: number, rows: LogRow[], settings: Record<string, unknown> = ppo) => {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      fs.writeFileSync(path.join(root, dir, "manifest.json"), JSON.stringify({ name: dir, config: { policy, sigma: 0.3, seed: 0, hidden: [64, 64] }, env_steps: steps, ppo: settings, evaluation: {} }));
      fs.writeFileSync(path.join(root, dir, "training-log.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    };
    write("pilot-oracle-budget", "oracle", 150_000, a);
    write("pilot-simple-budget", "simple", 150_000, a);
    write("pilot-tcn-anneal", "tcn", 150_000, a, { ...ppo, lrSchedule: "anneal" }); // its rate depends on its budget: not the same command
    write("ant-oracle-sigma0.3-seed0", "oracle", 100_000, log(100, (i) => (i > 60 ? i / 2 : i)));
    write("ant-simple-sigma0.3-seed0", "simple", 100_000, log(100, (i) => i), { ...ppo, updateEpochs: 10 }); // other settings
    write("ant-tcn-sigma0.3-seed0", "tcn", 100_000, a.slice(0, 100), { ...ppo, lrSchedule: "anneal" });
    const pairs = sameCommandPairs(shippedAgents(undefined, root, "pilot-"), shippedAgents(undefined, root, "ant-"), 100_000);
    expect(pairs.map((p) => p.run.manifest.name)).toEqual(["ant-oracle-sigma0.3-seed0"]);
    const [p] = pairs;
    // Last 10 % of 100 k env steps: iterations 91–100. Pilot: mean 95.5; run: 95.5 / 2.
    expect(p.pilotReturn).toBeCloseTo(95.5, 10);
    expect(p.runReturn).toBeCloseTo(47.75, 10);
    expect(p.change).toBeCloseTo(-0.5, 10);
    expect(p.partedAt).toBe(61);
  });

  it("runs partway: their checkpoint's progress and learning curve, PPO's diagnostics so far; shipped runs and other kinds left out", () => {
    const root = tempDir("ant-partway-");
    const runs = path.join(root, "runs"), shipped = path.join(root, "checkpoints");
    const checkpoint = (name: string, policy: string, seed: number, kls: number[]) => {
      fs.mkdirSync(path.join(runs, name, "checkpoint"), { recursive: true });
      const log = kls.map((kl, k) => ({ globalStep: 2048 * (k + 1), approxKl: kl, clipFraction: 0.1 * kl, entropy: 8 * (0.5 * Math.log(2 * Math.PI * Math.E) + Math.log(0.5)), learningRate: k ? 1e-5 : 2e-4, episodicReturn: 100 * (k + 1) }));
      fs.writeFileSync(path.join(runs, name, "checkpoint", "checkpoint.json"), JSON.stringify({
        format: "kit-checkpoint", sha256: "x", tensors: [],
        state: { config: { policy, sigma: 0.3, seed, hidden: [64, 64] }, ppo: { globalStep: 2048 * kls.length }, extra: { totalSteps: 11e6, log, options: { lrSchedule: "adaptive", lrMin: 1e-5 }, wallSeconds: 1 } },
      }));
    };
    checkpoint("ant-dmap-sigma0.3-seed1", "dmap", 1, [0.01, 0.03, 0.02]);
    checkpoint("ant-dmap-sigma0.3-seed0", "dmap", 0, [0.01, 0.02, 0.015, 0.012]);
    checkpoint("ant-oracle-sigma0.3-seed1", "oracle", 1, [0.01]);
    checkpoint("ant-dmap-sigma0.5-seed0", "dmap", 0, [0.01]); // shipped since: not partway
    fs.mkdirSync(path.join(shipped, "ant-dmap-sigma0.5-seed0"), { recursive: true });
    fs.writeFileSync(path.join(shipped, "ant-dmap-sigma0.5-seed0", "manifest.json"), "{}");
    const found = partwayRuns(["dmap"], runs, shipped);
    expect(found.map((r) => [r.name, r.globalStep, r.totalSteps])).toEqual([["ant-dmap-sigma0.3-seed0", 8192, 11e6], ["ant-dmap-sigma0.3-seed1", 6144, 11e6]]);
    expect(partwayRuns(undefined, runs, shipped).map((r) => r.config.policy)).toEqual(["oracle", "dmap", "dmap"]);
    const d = ppoDiagnostics(found[0]);
    expect(d.medianApproxKl).toBeCloseTo(0.0135, 12); // median of 0.01, 0.012, 0.015, 0.02
    expect(d.finalActionStd).toBeCloseTo(0.5, 10);
    expect(d.lrAtFloor).toBe(0.75); // the checkpoint's own options say where the floor is
    // Four iterations: too few for a last 10 % and a 10 % before it, so no training return is claimed.
    // The budget set's Oracles: two at σ 0.3 (median approx-KL 0.008 and 0.010, so 0.009) and one at σ 0.5, ignored.
    const oracle = (sigma: number, seed: number, kl: number, pace: number): ShippedAgent => {
      const dir = path.join(shipped, `ant-oracle-sigma${sigma}-seed${seed}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "training-log.jsonl"), Array.from({ length: 40 }, (_, k) =>
        JSON.stringify({ globalStep: 2048 * (k + 1), approxKl: kl, clipFraction: 0.1, entropy: 0, episodicReturn: pace * (k + 1) })).join("\n"));
      return { dir, manifest: { name: path.basename(dir), config: { policy: "oracle", sigma, seed } } as unknown as ShippedAgent["manifest"] };
    };
    const oracles = [oracle(0.3, 0, 0.008, 10), oracle(0.3, 1, 0.01, 20), oracle(0.5, 0, 0.1, 1000)];
    expect(partwayLine(found[0], oracles)).toBe("In training: ant-dmap-sigma0.3-seed0 at 0.01 M of 11 M env steps, median approx-KL so far 0.0135 (1.5× the budget-set Oracles' at σ = 0.3).");
    const longer = { ...found[0], globalStep: 20 * 2048, log: Array.from({ length: 20 }, (_, k) => ({ ...found[0].log[0], globalStep: 2048 * (k + 1), episodicReturn: 100 * (k + 1) })) };
    // Over the same env steps (its iterations 19 and 20) the Oracles' training return is 10 × 19.5 and 20 × 19.5.
    expect(partwayLine(longer, oracles)).toBe("In training: ant-dmap-sigma0.3-seed0 at 0.04 M of 11 M env steps, training return 1950 over its last 10 % so far " +
      "(the budget-set Oracles' at σ = 0.3 over the same env steps: 195, 390), median approx-KL so far 0.0100 (1.1× the budget-set Oracles' at σ = 0.3)."); // the last two of 20 iterations: 1900, 2000
    expect(partwayLine(longer, [oracles[2]])).toBe("In training: ant-dmap-sigma0.3-seed0 at 0.04 M of 11 M env steps, training return 1950 over its last 10 % so far, median approx-KL so far 0.0100."); // no Oracle at its σ
    fs.writeFileSync(path.join(runs, "ant-dmap-sigma0.3-seed1", "checkpoint", "checkpoint.json"), "{\"state\": ");
    expect(() => partwayRuns(["dmap"], runs, shipped)).toThrow(/ant-dmap-sigma0\.3-seed1.*not a readable checkpoint index/);
  });

  it("how the comparison changes with training: per policy and σ both sets' returns, the change, and each set's ordering", () => {
    const short = [pooled([1500], 10, "simple"), pooled([1400], 10, "oracle"), pooled([700], 10, "dmap")];
    const budget = [pooled([1600], 10, "simple"), pooled([2100], 10, "oracle")];
    const c = budgetChange(short, budget, ["simple", "oracle", "dmap"], [0.3]);
    expect(c.rows.map((r) => r.change)).toEqual([1600 / 1500 - 1, 2100 / 1400 - 1, null]);
    expect(c.rows[2].budget).toBeUndefined();
    expect(c.ordering).toEqual([{ sigma: 0.3, short: ["simple", "oracle", "dmap"], budget: ["oracle", "simple"] }]);
  });

  it("measured speeds come from both sets' manifests and from runs partway (their median); a run partway beside only its 2 M-step copy counts", () => {
    const root = tempDir("ant-speed-");
    const write = (rel: string, value: unknown) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), JSON.stringify(value)); };
    const old = { ...PPO_DEFAULTS, updateEpochs: 10 };
    // The 2 M-step copy (other settings) and, partway under out/runs, the same run with today's settings: 1,000 steps/s.
    write("data/short-budget/ant-simple-sigma0.3-seed0/manifest.json", { config: { policy: "simple" }, env_steps: 2e6, wall_seconds: 4000, ppo: old });
    write("out/runs/ant-simple-sigma0.3-seed0/checkpoint/checkpoint.json", { state: { config: { policy: "simple" }, ppo: { globalStep: 500_000 }, extra: { wallSeconds: 500, options: PPO_DEFAULTS } } });
    expect(measuredSpeed("simple", PPO_DEFAULTS, root)?.secondsPerUnit).toBeCloseTo(1e-3, 9);
    // Once shipped in the budget set (2,000 steps/s), its run folder is that run, not another: the manifest counts, once.
    write("data/checkpoints/ant-simple-sigma0.3-seed0/manifest.json", { config: { policy: "simple" }, env_steps: 11e6, wall_seconds: 5500, ppo: PPO_DEFAULTS });
    expect(measuredSpeed("simple", PPO_DEFAULTS, root)?.secondsPerUnit).toBeCloseTo(5e-4, 9);
    // Two runs: the median is the mean of the two (a second seed at 1,000 steps/s: (5e-4 + 1e-3) / 2).
    write("data/checkpoints/ant-simple-sigma0.3-seed1/manifest.json", { config: { policy: "simple" }, env_steps: 11e6, wall_seconds: 11000, ppo: PPO_DEFAULTS });
    expect(measuredSpeed("simple", PPO_DEFAULTS, root)?.secondsPerUnit).toBeCloseTo(7.5e-4, 9);
    // A kind measured only under other settings says so.
    write("data/short-budget/ant-dmap-sigma0.3-seed0/manifest.json", { config: { policy: "dmap" }, env_steps: 2e6, wall_seconds: 5000, ppo: old });
    expect(measuredSpeed("dmap", PPO_DEFAULTS, root)?.source).toMatch(/400 env steps\/s, median of 1 run\(s\) trained with other PPO epochs or minibatches/);
    expect(measuredSpeed("tcn", PPO_DEFAULTS, root)).toBeNull();
  });

  it("the plan trains every compared policy for one budget, σ 0.3's seeds first (the cheap policies of every seed, then TCN's, then DMAP's; RMA right after its Oracle), then σ 0.5, then σ 0.1", () => {
    const plan = antPlan();
    expect(plan.length).toBe(25);
    expect(plan.filter((r) => !r.name.startsWith("ant-rma-")).every((r) => r.total === PPO_BUDGET)).toBe(true);
    expect(plan.filter((r) => r.name.startsWith("ant-rma-")).every((r) => r.total === RMA_PHASE2_BUDGET)).toBe(true);
    const cheap = [0, 1, 2].flatMap((seed) => ["simple", "oracle", "rma"].map((p) => `ant-${p}-sigma0.3-seed${seed}`));
    expect(plan.slice(0, 9).map((r) => r.name)).toEqual(cheap);
    expect(plan.slice(9, 15).map((r) => r.name)).toEqual(["tcn", "dmap"].flatMap((p) => [0, 1, 2].map((seed) => `ant-${p}-sigma0.3-seed${seed}`)));
    expect(plan.slice(15, 20).map((r) => r.name)).toEqual(["simple", "oracle", "rma", "tcn", "dmap"].map((p) => `ant-${p}-sigma0.5-seed0`));
    const sigmas = plan.map((r) => Number(/sigma([\d.]+)/.exec(r.name)![1]));
    expect(sigmas.slice(0, 15).every((s) => s === 0.3) && sigmas.slice(15, 20).every((s) => s === 0.5) && sigmas.slice(20).every((s) => s === 0.1)).toBe(true);
    plan.filter((r) => r.after).forEach((r) => r.after!.forEach((before) => expect(plan.findIndex((x) => x.name === before)).toBeLessThan(plan.indexOf(r))));
  });
});


describe("training curves drawn from long logs (lib/rl/figures/adaptation-figures.ts)", () => {
  it("binLine keeps a short line, and bins a long one into means of consecutive points, skipping NaN", () => {
    expect(binLine([1, 2, 3], [4, NaN, 6], 5)).toEqual({ x: [1, 2, 3], y: [4, NaN, 6] });
    // 7 points into at most 3: bins of 3, 3 and 1.
    expect(binLine([0, 1, 2, 3, 4, 5, 6], [1, 2, 3, NaN, NaN, NaN, 10], 3)).toEqual({ x: [1, 4, 6], y: [2, NaN, 10] });
    const n = 5371, xs = Array.from({ length: n }, (_, i) => 2048 * (i + 1)), ys = xs.map((x) => Math.sqrt(x));
    const line = binLine(xs, ys);
    expect(line.x.length).toBeLessThanOrEqual(CURVE_POINTS);
    expect(line.x.length).toBeGreaterThan(CURVE_POINTS / 2);
    // A rising curve stays where it was: each bin's point lies within its own points' range, in x and in y.
    const size = Math.ceil(n / CURVE_POINTS);
    line.x.forEach((x, i) => {
      const first = i * size, last = Math.min(n, (i + 1) * size) - 1;
      expect(x).toBeGreaterThanOrEqual(xs[first]);
      expect(x).toBeLessThanOrEqual(xs[last]);
      expect(line.y[i]).toBeGreaterThanOrEqual(ys[first]);
      expect(line.y[i]).toBeLessThanOrEqual(ys[last]);
    });
    expect(() => binLine([1, 2], [1])).toThrow(/2 x values but 1 y values/);
    expect(() => binLine([1], [1], 0)).toThrow(/maxPoints/);
  });
});
