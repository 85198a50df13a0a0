import { describe, expect, it, vi } from "vitest";
import { check, EXERCISES, judge, NotImplementedYet, difference } from "../lib/exercises";

describe("exercise checkers", () => {
  it("every checker accepts its reference solution", () => {
    for (const [name, exercise] of Object.entries(EXERCISES)) {
      expect(judge(exercise, exercise.reference).status, name).toBe("passed");
    }
  });

  it("welcome.accuracy rejects plausible wrong answers with expected vs got", () => {
    const ex = EXERCISES["welcome.accuracy"];
    const strictThreshold = (p: number[], y: number[]) => p.filter((q, i) => (q > 0.5 ? 1 : 0) === y[i]).length / y.length;
    const countNotFraction = (p: number[], y: number[]) => p.filter((q, i) => (q >= 0.5 ? 1 : 0) === y[i]).length;
    const offByOne = (p: number[], y: number[]) => p.filter((q, i) => (q >= 0.5 ? 1 : 0) === y[i]).length / (y.length - 1);
    for (const wrong of [strictThreshold, countNotFraction, offByOne]) {
      const v = judge(ex, wrong);
      expect(v.status).toBe("failed");
      expect(v.message).toMatch(/case ".*" — result: expected [\d.]+, got [\d.]+/);
    }
  });

  it("a stub that throws NotImplementedYet is 'not attempted yet', other throws are reported without a stack", () => {
    const ex = EXERCISES["welcome.accuracy"];
    expect(judge(ex, () => { throw new NotImplementedYet(); }).status).toBe("not attempted yet");
    const v = judge(ex, () => { throw new TypeError("x is undefined"); });
    expect(v.status).toBe("failed");
    expect(v.message).toContain("threw TypeError: x is undefined");
    expect(v.message).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("check returns the student's function when it passes, the reference otherwise, and says so", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const ref = EXERCISES["welcome.accuracy"].reference;
    const mine = (p: number[], y: number[]) => ref(p, y);
    expect(check("welcome.accuracy", mine)).toBe(mine);
    const stub = (): number => { throw new NotImplementedYet(); };
    expect(check("welcome.accuracy", stub)).toBe(ref);
    expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/not attempted yet.*reference solution/);
    log.mockRestore();
  });

  it("difference explains shape and value mismatches", () => {
    expect(difference([1, 2], [1, 2, 3])).toMatch(/length 3, got length 2/);
    expect(difference(undefined, 1)).toMatch(/forget to `return`/);
    expect(difference({ a: [1, 2] }, { a: [1, 2.5] })).toMatch(/result\.a\[1\]: expected 2\.5, got 2/);
    expect(difference(1 + 1e-9, 1)).toBeNull();
  });
});

describe("ant exercises reject plausible wrong answers", () => {
  it("ant.gae: bootstrapping across episode ends, forgetting λ, or going forwards in time", () => {
    const ex = EXERCISES["ant.gae"];
    const noDoneMask = (r: number[], v: number[], _d: number[], last: number, g: number, l: number) =>
      ex.reference(r, v, r.map(() => 0), last, g, l);
    const noLambda = (r: number[], v: number[], d: number[], last: number, g: number) => ex.reference(r, v, d, last, g, 1);
    const forwards = (r: number[], v: number[], d: number[], last: number, g: number, l: number) => {
      const out: number[] = [];
      let acc = 0;
      for (let t = 0; t < r.length; t++) {
        const next = t + 1 < r.length ? v[t + 1] : last;
        const delta = r[t] + g * next * (1 - d[t]) - v[t];
        acc = delta + g * l * (1 - d[t]) * acc;
        out.push(acc);
      }
      return out;
    };
    for (const wrong of [noDoneMask, noLambda, forwards]) expect(judge(ex, wrong).status).toBe("failed");
  });

  it("ant.strides: counting contact steps instead of touchdowns, or not dividing by the feet", () => {
    const ex = EXERCISES["ant.strides"];
    const contactSteps = (c: number[][]) => (c.length ? c.flat().reduce((a, b) => a + b, 0) / c[0].length : 0);
    const notPerFoot = (c: number[][]) => ex.reference(c) * (c[0]?.length ?? 0);
    for (const wrong of [contactSteps, notPerFoot]) expect(judge(ex, wrong).status).toBe("failed");
  });

  it("ant.historyWindow: padding at the end, no padding, or the oldest frames kept", () => {
    const ex = EXERCISES["ant.historyWindow"];
    const zero = (c: number) => new Array(c).fill(0);
    const padAtEnd = (f: number[][], h: number, c: number) => { const k = f.slice(-h); return [...k, ...Array.from({ length: h - k.length }, () => zero(c))]; };
    const noPadding = (f: number[][], h: number) => f.slice(-h);
    const oldest = (f: number[][], h: number, c: number) => { const k = f.slice(0, h); return [...Array.from({ length: h - k.length }, () => zero(c)), ...k]; };
    for (const wrong of [padAtEnd, noPadding, oldest]) expect(judge(ex, wrong).status).toBe("failed");
    expect(judge(ex, ex.reference).status).toBe("passed");
  });

  it("ant.convergenceStep: the first dip, ≤ instead of <, or the end of the window", () => {
    const ex = EXERCISES["ant.convergenceStep"];
    const firstDip = (e: number[], t: number) => e.findIndex((x) => x < t);
    const lessOrEqual = (e: number[], t: number, h: number) => ex.reference(e, t + 1e-12, h);
    const windowEnd = (e: number[], t: number, h: number) => { const k = ex.reference(e, t, h); return k < 0 ? k : k + h - 1; };
    for (const wrong of [firstDip, lessOrEqual, windowEnd]) expect(judge(ex, wrong).status).toBe("failed");
    expect(judge(ex, ex.reference).status).toBe("passed");
  });

  it("dmap.attentionReadout: no max subtraction, no normalisation, or raw scores as weights", () => {
    const ex = EXERCISES["dmap.attentionReadout"];
    const naive = (s: number[], v: number[][]) => {
      const w = s.map(Math.exp); const t = w.reduce((a, b) => a + b, 0); const a = w.map((x) => x / t);
      return { attention: a, embedding: v[0].map((_, d) => v.reduce((acc, row, c) => acc + a[c] * row[d], 0)) };
    };
    const unnormalised = (s: number[], v: number[][]) => {
      const top = Math.max(...s); const a = s.map((x) => Math.exp(x - top));
      return { attention: a, embedding: v[0].map((_, d) => v.reduce((acc, row, c) => acc + a[c] * row[d], 0)) };
    };
    const rawScores = (s: number[], v: number[][]) => ({ attention: s, embedding: v[0].map((_, d) => v.reduce((acc, row, c) => acc + s[c] * row[d], 0)) });
    for (const wrong of [naive, unnormalised, rawScores]) expect(judge(ex, wrong).status).toBe("failed");
    expect(judge(ex, ex.reference).status).toBe("passed");
  });
  it("dmap.phaseLockedFraction: no wrap of negative phases, nulls as phase 0, round instead of floor, or n − 1 in one std", () => {
    const ex = EXERCISES["dmap.phaseLockedFraction"];
    /** The fraction written out, with switches for the usual mistakes. */
    const fraction = (mistake: "none" | "noWrap" | "nullAsZero" | "round" | "sampleStd") => (signal: number[], phase: (number | null)[], bins: number) => {
      const binOf = (p: number) => {
        const wrapped = mistake === "noWrap" ? p : ((p % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
        const b = (wrapped / (2 * Math.PI)) * bins;
        return Math.min(bins - 1, mistake === "round" ? Math.round(b) : Math.floor(b));
      };
      const kept = signal.map((v, t) => ({ v, p: phase[t] ?? (mistake === "nullAsZero" ? 0 : null) })).filter((s) => s.p !== null);
      const sums = new Map<number, number[]>();
      for (const { v, p } of kept) { const b = binOf(p as number); sums.set(b, [...(sums.get(b) ?? []), v]); }
      const means = [...sums.values()].map((vs) => vs.reduce((a, x) => a + x, 0) / vs.length);
      const std = (xs: number[], ddof = 0) => { const m = xs.reduce((a, x) => a + x, 0) / xs.length; return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - ddof)); };
      return std(means) / std(kept.map((s) => s.v), mistake === "sampleStd" ? 1 : 0);
    };
    for (const wrong of ["noWrap", "nullAsZero", "round", "sampleStd"] as const) expect(judge(ex, fraction(wrong)).status, wrong).toBe("failed");
    expect(judge(ex, fraction("none")).status).toBe("passed");
    expect(judge(ex, ex.reference).status).toBe("passed");
  });
});

describe("ssl exercises reject plausible wrong answers", () => {
  /** NT-Xent written out in float64, with switches for the usual mistakes. */
  const ntXent = (mistake: "none" | "self" | "noTemperature" | "unnormalised" | "negativesOnly") => (z: number[][], tau: number) => {
    const t = mistake === "noTemperature" ? 1 : tau, n = z.length / 2;
    const unit = z.map((v) => { const norm = mistake === "unnormalised" ? 1 : Math.hypot(...v); return v.map((x) => x / norm); });
    const s = (i: number, k: number) => unit[i].reduce((a, x, d) => a + x * unit[k][d], 0) / t;
    let total = 0;
    for (let i = 0; i < z.length; i++) {
      const p = i < n ? i + n : i - n;
      let sum = 0;
      for (let k = 0; k < z.length; k++) if ((k !== i || mistake === "self") && (k !== p || mistake !== "negativesOnly")) sum += Math.exp(s(i, k));
      total += -s(i, p) + Math.log(sum);
    }
    return total / z.length;
  };

  it("ssl.infoNCE: accepts a float64 answer; rejects the self-similarity kept, no temperature, no normalisation, or the positive left out", () => {
    const ex = EXERCISES["ssl.infoNCE"];
    expect(judge(ex, ntXent("none")).status).toBe("passed");
    for (const m of ["self", "noTemperature", "unnormalised", "negativesOnly"] as const) expect(judge(ex, ntXent(m)).status, m).toBe("failed");
  });

  it("ssl.rotationLabels: clockwise turns, image-major order, or labels in degrees", () => {
    const ex = EXERCISES["ssl.rotationLabels"];
    const turn = (img: number[][], k: number, clockwise: boolean) => {
      let x = img;
      for (let q = 0; q < k; q++) {
        const s = x.length;
        x = Array.from({ length: s }, (_, y) => Array.from({ length: s }, (_, c) => (clockwise ? x[s - 1 - c][y] : x[c][s - 1 - y])));
      }
      return x;
    };
    const batch = (order: "rotation" | "image", clockwise: boolean, unit: number) => (images: number[][][]) => {
      const pairs = order === "rotation" ? [0, 1, 2, 3].flatMap((k) => images.map((img) => ({ img, k }))) : images.flatMap((img) => [0, 1, 2, 3].map((k) => ({ img, k })));
      return { inputs: pairs.map((p) => turn(p.img, p.k, clockwise)), labels: pairs.map((p) => p.k * unit) };
    };
    expect(judge(ex, batch("rotation", false, 1)).status).toBe("passed");
    for (const wrong of [batch("rotation", true, 1), batch("image", false, 1), batch("rotation", false, 90)]) expect(judge(ex, wrong).status).toBe("failed");
  });

  it("ssl.seedMeanRanking: ascending, the best single seed, or the first seed only", () => {
    const ex = EXERCISES["ssl.seedMeanRanking"];
    type Run = { objective: string; seed: number; value: number };
    const rankBy = (pick: (xs: number[]) => number, descending = true) => (runs: Run[]) => {
      const names = Array.from(new Set(runs.map((r) => r.objective)));
      const key = (o: string) => pick(runs.filter((r) => r.objective === o).map((r) => r.value));
      return [...names].sort((a, b) => (descending ? key(b) - key(a) : key(a) - key(b)));
    };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(judge(ex, rankBy(mean)).status).toBe("passed");
    for (const wrong of [rankBy(mean, false), rankBy((xs) => Math.max(...xs)), rankBy((xs) => xs[0])]) expect(judge(ex, wrong).status).toBe("failed");
  });
});
