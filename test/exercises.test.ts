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
});
