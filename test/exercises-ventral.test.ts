/**
 * The checkers of notebook 01's exercises (lib/exercises/ventral.ts) accept the reference solutions and reject
 * plausible wrong answers, saying which case failed.
 */
import { describe, expect, it } from "vitest";
import { judge, NotImplementedYet } from "../lib/exercises/check";
import { correlationRdm, pearsonPerSite, spearmanBrown } from "../lib/exercises/ventral";

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const column = (m: number[][], j: number) => m.map((row) => row[j]);
function pearson(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((_, i) => { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; });
  return sxy / Math.sqrt(sxx * syy);
}

describe("ventral exercises accept their reference", () => {
  it.each([["spearmanBrown", spearmanBrown], ["pearsonPerSite", pearsonPerSite], ["correlationRdm", correlationRdm]] as const)("%s", (_, ex) => {
    expect(judge(ex as never, ex.reference as never).status).toBe("passed");
  });

  it("an independent implementation passes too, and a stub is 'not attempted yet'", () => {
    const sites = (p: number[][], m: number[][]) => p[0].map((_, j) => pearson(column(p, j), column(m, j)));
    expect(judge(pearsonPerSite, sites).status).toBe("passed");
    const rdmRows = (x: number[][]) => x.map((a, i) => x.map((b, j) => (i === j ? 0 : 1 - pearson(a, b))));
    expect(judge(correlationRdm, rdmRows).status).toBe("passed");
    expect(judge(spearmanBrown, (r: number, n: number) => (n * r) / (1 + (n - 1) * r)).status).toBe("passed");
    expect(judge(spearmanBrown, () => { throw new NotImplementedYet(); }).status).toBe("not attempted yet");
  });
});

describe("ventral exercises reject plausible wrong answers", () => {
  it("spearmanBrown: always two halves, forgetting the denominator, or n·r/(1 + n·r)", () => {
    const alwaysTwo = (r: number) => (2 * r) / (1 + r);
    const noDenominator = (r: number, n: number) => n * r;
    const wrongDenominator = (r: number, n: number) => (n * r) / (1 + n * r);
    for (const wrong of [alwaysTwo, noDenominator, wrongDenominator]) {
      const v = judge(spearmanBrown, wrong);
      expect(v.status).toBe("failed");
      expect(v.message).toMatch(/case ".*" — result: expected/);
    }
  });

  it("pearsonPerSite: correlating images instead of sites, not centring (cosine), or covariance only", () => {
    const perImage = (p: number[][], m: number[][]) => p.map((row, i) => pearson(row, m[i]));
    const cosine = (p: number[][], m: number[][]) => p[0].map((_, j) => {
      const a = column(p, j), b = column(m, j);
      const dot = a.reduce((s, v, i) => s + v * b[i], 0);
      return dot / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
    });
    const covariance = (p: number[][], m: number[][]) => p[0].map((_, j) => {
      const a = column(p, j), b = column(m, j), ma = mean(a), mb = mean(b);
      return a.reduce((s, v, i) => s + (v - ma) * (b[i] - mb), 0) / a.length;
    });
    for (const wrong of [perImage, cosine, covariance]) expect(judge(pearsonPerSite, wrong).status).toBe("failed");
  });

  it("correlationRdm: Euclidean distance, correlating columns, or r instead of 1 − r", () => {
    const euclidean = (x: number[][]) => x.map((a) => x.map((b) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0))));
    const overColumns = (x: number[][]) => {
      const cols = x[0].map((_, j) => column(x, j));
      return cols.map((a, i) => cols.map((b, j) => (i === j ? 0 : 1 - pearson(a, b))));
    };
    const similarity = (x: number[][]) => x.map((a, i) => x.map((b, j) => (i === j ? 0 : pearson(a, b))));
    for (const wrong of [euclidean, overColumns, similarity]) expect(judge(correlationRdm, wrong).status).toBe("failed");
  });
});
