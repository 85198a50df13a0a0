/**
 * Known answers for the neural-fit metrics (lib/neuro): analytic split-half reliabilities, analytic maximum
 * held-out r in a linear-Gaussian world, PLS = OLS at full rank, ridge penalty vs noise, stratified splits,
 * RSA and categorisation extremes, clear errors, determinism, and the MajajHong2015 NetCDF loader.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import {
  NeuralAssembly, SiteInfo, StimulusInfo, categorizationAccuracy, ceiledScores, crossRegressedCorrelation,
  crossRegressedCorrelationOnMatrices, loadH5wasm, loadMajajHong2015, matrix, meanOverRepetitions,
  neuralAssembly, plsRegression, rdm, rdmCorrelation, rdmSplitHalfCeiling, ridgeRegression, rsa, selectSites,
  selectStimuli, spearmanBrown, splitHalfCeiling, stratifiedShuffleSplits, takeRows, Matrix, crossValidate,
  shuffleSplits, stimulusLabels, withStimulusIds, ranks, spearman, pearson, pearsonWithBootstrapCI, groupMeans,
  rdmPanelsFigure, neighbourAgreement,
} from "../lib/neuro";
import { crossprod, matmul, solve, symmetricEigen, transpose } from "../lib/util/linalg";
import { initBackend, tf } from "../lib/tf";
import { rng } from "../lib/util/random";
import { tempDir } from "./fixtures/temp-dir";

// ---------------------------------------------------------------------------------------------------------------
// Synthetic data

function gaussian(rows: number, cols: number, seed: number, sd = 1): Matrix & { data: Float64Array } {
  const r = rng(seed);
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = sd * r.normal();
  return m;
}

function stimuliFor(count: number, objects: number, categories = 4): StimulusInfo[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `img${i}`, object: `obj${i % objects}`, category: `cat${i % objects % categories}`, variation: (i % 3) * 3,
    fields: { ty: i / count },
  }));
}

function sitesFor(count: number, region: "V4" | "IT" = "IT"): SiteInfo[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${region}_${i}`, region, animal: i % 2 ? "Chabo" : "Tito" }));
}

/**
 * Each site's response = signal(stimulus) + Gaussian noise: signal sd `signalSd[n]`, noise sd `noiseSd` per
 * repetition. Returns the assembly and the signal matrix (stimuli × sites).
 */
function noisyPopulation(S: number, signalSd: number[], noiseSd: number, R: number, seed: number) {
  const N = signalSd.length;
  const r = rng(seed);
  const signal = matrix(S, N);
  for (let s = 0; s < S; s++) for (let n = 0; n < N; n++) signal.data[s * N + n] = signalSd[n] * r.normal();
  const data = new Float32Array(S * N * R);
  for (let s = 0; s < S; s++) for (let n = 0; n < N; n++) for (let k = 0; k < R; k++) {
    data[(s * N + n) * R + k] = signal.data[s * N + n] + noiseSd * r.normal();
  }
  return { assembly: neuralAssembly({ data, stimuli: stimuliFor(S, 8), sites: sitesFor(N), repetitions: R }), signal };
}

function medianOf(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---------------------------------------------------------------------------------------------------------------

describe("split-half ceiling (a): analytic reliability of signal + noise", () => {
  it("matches s²/(s² + σ²/k), Spearman–Brown corrected, median over sites", () => {
    const S = 600, R = 20, k = R / 2, noiseSd = 2;
    const signalSd = Array.from({ length: 41 }, (_, n) => 0.5 + n / 40); // 0.5 … 1.5
    const { assembly } = noisyPopulation(S, signalSd, noiseSd, R, 11);
    const analytic = signalSd.map((sd) => {
      const rHalf = (sd * sd) / (sd * sd + (noiseSd * noiseSd) / k);
      return spearmanBrown(rHalf);
    });
    const expected = medianOf(analytic); // SB is monotone, so the median site is the median-signal site
    const result = splitHalfCeiling(assembly, { splits: 10, seed: 1 });
    expect(Math.abs(result.ceiling - expected)).toBeLessThan(0.015);
    expect(result.perSplit.length).toBe(10);
    expect(result.sem).toBeGreaterThan(0);
    expect(result.sem).toBeLessThan(0.01);
    // Per site too: the site with the weakest signal has the lowest ceiling.
    expect(Math.abs(result.perSite[0] - analytic[0])).toBeLessThan(0.05);
    expect(Math.abs(result.perSite[40] - analytic[40])).toBeLessThan(0.03);
  });

  it("Spearman–Brown: 2r/(1+r), and n-fold in general", () => {
    expect(spearmanBrown(0.5)).toBeCloseTo(2 / 3, 12);
    expect(spearmanBrown(0.5, 3)).toBeCloseTo(0.75, 12);
    expect(spearmanBrown(1)).toBe(1);
    expect(spearmanBrown(0)).toBe(0);
  });

  it("handles images with fewer repetitions (NaN-padded slots)", () => {
    const { assembly } = noisyPopulation(200, Array(9).fill(1), 1, 8, 5);
    const counts = Int32Array.from({ length: 200 }, (_, s) => (s % 4 === 0 ? 5 : 8));
    const ragged = neuralAssembly({
      data: assembly.data, stimuli: assembly.stimuli, sites: assembly.sites, repetitions: 8, repetitionCounts: counts,
    });
    expect(Number.isNaN(ragged.data[5])).toBe(true);
    const mean = meanOverRepetitions(ragged);
    let manual = 0;
    for (let r = 0; r < 5; r++) manual += assembly.data[r];
    expect(mean.data[0]).toBeCloseTo(manual / 5, 5);
    const c = splitHalfCeiling(ragged, { splits: 4 });
    expect(c.ceiling).toBeGreaterThan(0.8);
    expect(c.ceiling).toBeLessThan(1);
  });
});

describe("held-out r (b): linear-Gaussian world with known noise", () => {
  // Y = XW + e with ‖w_site‖ = 1 and noise sd 1: the best possible r for every site is 1/√2.
  const n = 640, p = 30, q = 12;
  const X = gaussian(n, p, 21);
  const W = gaussian(p, q, 22);
  for (let j = 0; j < q; j++) {
    let norm = 0;
    for (let i = 0; i < p; i++) norm += W.data[i * q + j] ** 2;
    for (let i = 0; i < p; i++) W.data[i * q + j] /= Math.sqrt(norm);
  }
  const noise = gaussian(n, q, 23);
  const Y = matmul(X, W);
  for (let i = 0; i < Y.data.length; i++) Y.data[i] += noise.data[i];
  const best = Math.SQRT1_2;

  it("ridge approaches the analytic maximum r", () => {
    const score = crossRegressedCorrelationOnMatrices(X, Y, null, { regression: () => ridgeRegression(), splits: 5 });
    expect(score.r).toBeGreaterThan(best - 0.04);
    expect(score.r).toBeLessThan(best + 0.03);
  });

  it("PLS-25 approaches the analytic maximum r", () => {
    const score = crossRegressedCorrelationOnMatrices(X, Y, null, { regression: () => plsRegression(), splits: 5 });
    expect(score.r).toBeGreaterThan(best - 0.04);
    expect(score.r).toBeLessThan(best + 0.03);
    expect(score.perSite.length).toBe(q);
  });

  it("through an assembly: stratified by object, with the ceiling and named scores", () => {
    // Trial-level responses whose average is Y: the split-half ceiling of noiseless repetitions is 1.
    const stimuli = stimuliFor(n, 16);
    const data = new Float32Array(n * q * 2);
    for (let s = 0; s < n; s++) for (let j = 0; j < q; j++) {
      const e = 0.05 * ((s * 7 + j) % 5 - 2);
      data[(s * q + j) * 2] = Y.data[s * q + j] + e;
      data[(s * q + j) * 2 + 1] = Y.data[s * q + j] - e;
    }
    const assembly = neuralAssembly({ data, stimuli, sites: sitesFor(q), repetitions: 2 });
    const features = withStimulusIds(X, stimuli.map((st) => st.id));
    const score = crossRegressedCorrelation(features, assembly, { regression: () => plsRegression(), splits: 3, keepPredictions: true });
    expect(score.r).toBeGreaterThan(best - 0.05);
    expect(score.predictions?.length).toBe(3);
    expect(score.predictions?.[0].predicted.rows).toBe(64);
    const named = ceiledScores(0.6, 0.8);
    expect(named.r_ceiled).toBeCloseTo(0.75, 12);
    expect(named.explained_variance).toBeCloseTo(0.36, 12);
    expect(named.explained_variance_ceiled).toBeCloseTo(0.45, 12);
    expect(named.r_ceiled_squared).toBeCloseTo(0.5625, 12);
  });
});

describe("PLS (c): known cases", () => {
  const X = gaussian(50, 6, 31);
  const Y = gaussian(50, 3, 32);
  for (let i = 0; i < 50; i++) for (let j = 0; j < 3; j++) Y.data[i * 3 + j] += X.data[i * 6 + j] - 0.5 * X.data[i * 6 + 5];

  function olsFit(Xm: Matrix, Ym: Matrix): Matrix {
    const center = (m: Matrix) => {
      const out = matrix(m.rows, m.cols, Float64Array.from(m.data));
      for (let j = 0; j < m.cols; j++) {
        let mu = 0;
        for (let i = 0; i < m.rows; i++) mu += m.data[i * m.cols + j] / m.rows;
        for (let i = 0; i < m.rows; i++) out.data[i * m.cols + j] -= mu;
      }
      return out;
    };
    const Xc = center(Xm), Yc = center(Ym);
    const fitted = matmul(Xc, solve(crossprod(Xc, Xc), crossprod(Xc, Yc)));
    for (let i = 0; i < fitted.data.length; i++) fitted.data[i] += Ym.data[i] - Yc.data[i];
    return fitted;
  }

  it("with as many components as features, PLS equals OLS on the fit (centred and scaled)", () => {
    const ols = olsFit(X, Y);
    for (const scale of [false, true]) {
      const pls = plsRegression({ nComponents: 6, scale });
      pls.fit(X, Y);
      const pred = pls.predict(X);
      for (let i = 0; i < pred.data.length; i++) expect(pred.data[i]).toBeCloseTo(ols.data[i], 9);
    }
  });

  it("one component, one target: weights ∝ Xᵀy and prediction = t·(tᵀy/tᵀt) (hand-checked 4×2 case)", () => {
    // Centred by hand: X = [[1,0],[0,1],[-1,0],[0,-1]] already has zero column means; y = [2,1,-2,-1].
    const Xs = matrix(4, 2, [1, 0, 0, 1, -1, 0, 0, -1]);
    const ys = matrix(4, 1, [2, 1, -2, -1]);
    const pls = plsRegression({ nComponents: 1 });
    pls.fit(Xs, ys);
    // Xᵀy = [4, 2] → w = [2, 1]/√5; t = Xw = [2, 1, −2, −1]/√5; tᵀy/tᵀt = √5 → ŷ = [2, 1, −2, −1].
    const w = pls.model?.xWeights.data as Float64Array;
    expect(w[0]).toBeCloseTo(2 / Math.sqrt(5), 12);
    expect(w[1]).toBeCloseTo(1 / Math.sqrt(5), 12);
    const pred = pls.predict(matrix(2, 2, [1, 1, 0.5, 0]));
    expect(pred.data[0]).toBeCloseTo(3, 12); // coefficient w·(pᵀw)⁻¹·q = [2, 1]
    expect(pred.data[1]).toBeCloseTo(1, 12);
  });

  it("component weights are orthonormal and the scores uncorrelated, like NIPALS", () => {
    const pls = plsRegression({ nComponents: 4 });
    pls.fit(X, Y);
    const W = pls.model?.xWeights as Matrix;
    const WtW = crossprod(W, W);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(WtW.data[a * 4 + b]).toBeCloseTo(a === b ? 1 : 0, 8);
  });

  it("asks for no more components than features", () => {
    expect(() => plsRegression({ nComponents: 25 }).fit(X, Y)).toThrow(/nComponents = 25 exceeds the 6 features/);
  });

  it("tfjs (wasm) and plain float64 paths agree", async () => {
    await initBackend({ quiet: true });
    const big = gaussian(300, 60, 33);
    const target = gaussian(300, 20, 34);
    for (let i = 0; i < 300; i++) for (let j = 0; j < 20; j++) target.data[i * 20 + j] += big.data[i * 60 + j];
    const before = tf.memory().numTensors;
    const viaTf = plsRegression({ nComponents: 10, matmul: "tf" });
    const viaJs = plsRegression({ nComponents: 10, matmul: "js" });
    viaTf.fit(big, target);
    viaJs.fit(big, target);
    const a = viaTf.predict(big), b = viaJs.predict(big);
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    expect(worst).toBeLessThan(1e-3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("ridge (d): penalty and leave-one-out", () => {
  it("chooses a larger penalty when the targets are noisier", () => {
    const X = gaussian(120, 15, 41);
    const W = gaussian(15, 5, 42, 0.3);
    const clean = matmul(X, W);
    const alphaFor = (noiseSd: number) => {
      const noise = gaussian(120, 5, 43, noiseSd);
      const Y = matrix(120, 5, clean.data.map((v, i) => v + noise.data[i]));
      const ridge = ridgeRegression();
      ridge.fit(X, Y);
      return ridge.alpha as number;
    };
    const low = alphaFor(0.05), mid = alphaFor(1), high = alphaFor(5);
    expect(low).toBeLessThan(mid);
    expect(mid).toBeLessThan(high);
  });

  it("its closed-form leave-one-out error equals refitting without each stimulus", () => {
    const X = gaussian(25, 4, 44);
    const Y = gaussian(25, 2, 45);
    const ridge = ridgeRegression({ alphas: [0.5, 5], relative: false });
    ridge.fit(X, Y);
    const brute = (alpha: number) => {
      let sse = 0;
      for (let i = 0; i < 25; i++) {
        const keep = Array.from({ length: 25 }, (_, k) => k).filter((k) => k !== i);
        const fixed = ridgeRegression({ alphas: [alpha] });
        fixed.fit(takeRows(X, keep), takeRows(Y, keep));
        const pred = fixed.predict(takeRows(X, [i]));
        for (let j = 0; j < 2; j++) sse += (pred.data[j] - Y.data[i * 2 + j]) ** 2;
      }
      return sse / 50;
    };
    for (const { alpha, mse } of ridge.looErrors) expect(mse).toBeCloseTo(brute(alpha), 10);
  });

  it("dual (more features than stimuli) and primal forms give the same fit", () => {
    const X = gaussian(20, 50, 46);
    const Y = gaussian(20, 3, 47);
    const dual = ridgeRegression({ alphas: [2] });
    dual.fit(X, Y);
    // Primal by hand on centred data: W = (XcᵀXc + 2I)⁻¹ XcᵀYc.
    const Xc = matrix(20, 50, Float64Array.from(X.data));
    const Yc = matrix(20, 3, Float64Array.from(Y.data));
    for (const m of [Xc, Yc]) for (let j = 0; j < m.cols; j++) {
      let mu = 0;
      for (let i = 0; i < 20; i++) mu += m.data[i * m.cols + j] / 20;
      for (let i = 0; i < 20; i++) m.data[i * m.cols + j] -= mu;
    }
    const G = crossprod(Xc, Xc);
    for (let i = 0; i < 50; i++) G.data[i * 51] += 2;
    const W = solve(G, crossprod(Xc, Yc));
    const test = gaussian(4, 50, 48);
    const viaDual = dual.predict(test);
    const viaPrimal = matmul(test, W);
    const offset = dual.predict(matrix(1, 50, new Float64Array(50).fill(0)));
    // predict(x) − predict(0) = x·W removes the intercept.
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) {
      expect(viaDual.data[i * 3 + j] - offset.data[j]).toBeCloseTo(viaPrimal.data[i * 3 + j], 8);
    }
    // The leave-one-out search also runs in the dual form.
    const searched = ridgeRegression();
    searched.fit(X, Y);
    expect(searched.alpha).toBeGreaterThan(0);
  });

  it("the eigensolver reconstructs a symmetric matrix", () => {
    const A = gaussian(30, 12, 49);
    const G = crossprod(A, A);
    const { values, vectors } = symmetricEigen(G);
    const scaled = matrix(12, 12, vectors.data.map((v, i) => v * values[i % 12]));
    const back = matmul(scaled, transpose(vectors));
    for (let i = 0; i < G.data.length; i++) expect(back.data[i]).toBeCloseTo(G.data[i], 9);
    for (let i = 1; i < 12; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
  });
});

describe("splits (e): stratified by object, deterministic by seed", () => {
  const labels = Array.from({ length: 400 }, (_, i) => `obj${i % 8}`); // 8 objects × 50 images

  it("hold out 10 % with every object in every test fold, no train/test overlap", () => {
    const splits = stratifiedShuffleSplits(labels);
    expect(splits.length).toBe(10);
    for (const { train, test } of splits) {
      expect(train.length).toBe(360);
      expect(test.length).toBe(40);
      const inTrain = new Set(train);
      for (const i of test) expect(inTrain.has(i)).toBe(false);
      const perObject = new Map<string, number>();
      for (const i of test) perObject.set(labels[i], (perObject.get(labels[i]) ?? 0) + 1);
      expect(perObject.size).toBe(8);
      for (const count of perObject.values()) expect(count).toBe(5);
    }
    expect(splits[0].test).not.toEqual(splits[1].test);
  });

  it("are identical for the same seed and differ for another", () => {
    expect(stratifiedShuffleSplits(labels, { seed: 3 })).toEqual(stratifiedShuffleSplits(labels, { seed: 3 }));
    expect(stratifiedShuffleSplits(labels, { seed: 3 })[0].test).not.toEqual(stratifiedShuffleSplits(labels, { seed: 4 })[0].test);
  });

  it("spread remainders over classes when sizes do not divide evenly", () => {
    const uneven = labels.slice(0, 397);
    for (const { test } of stratifiedShuffleSplits(uneven)) {
      expect(test.length).toBe(40);
      const objects = new Set(Array.from(test, (i) => uneven[i]));
      expect(objects.size).toBe(8);
    }
  });

  it("refuse impossible stratification with a clear message", () => {
    expect(() => stratifiedShuffleSplits(labels.slice(0, 40))).toThrow(/8 classes need at least that many train and test/);
  });
});

describe("RSA and categorisation (f)", () => {
  const features = gaussian(40, 50, 51);
  const labels = Array.from({ length: 40 }, (_, i) => `img${i}`);

  it("identical representations give RDM correlation 1; a permuted one ≈ 0", () => {
    const a = rdm(features, { labels });
    expect(rdmCorrelation(a, rdm(features, { labels }))).toBeCloseTo(1, 12);
    const order = rng(52).shuffle(Array.from({ length: 40 }, (_, i) => i));
    const permuted = rdm(takeRows(features, order), { labels });
    expect(Math.abs(rdmCorrelation(a, permuted))).toBeLessThan(0.1);
    // A monotone change of the features' scale leaves the RDM unchanged (correlation distance).
    const scaled = matrix(40, 50, features.data.map((v) => 3 * v + 1));
    expect(rdmCorrelation(a, rdm(scaled, { labels }))).toBeCloseTo(1, 12);
  });

  it("RDM entries are 1 − Pearson r between stimulus patterns, and can be averaged per object", () => {
    const tiny = matrix(3, 3, [1, 2, 3, 3, 2, 1, 1, 2, 4]);
    const d = rdm(tiny);
    expect(d.values[1]).toBeCloseTo(2, 12); // r = −1
    expect(d.values[0]).toBe(0);
    const grouped = rdm(features, { labels, groupBy: labels.map((_, i) => `obj${i % 4}`) });
    expect(grouped.size).toBe(4);
    expect(grouped.labels).toEqual(["obj0", "obj1", "obj2", "obj3"]);
  });

  it("the RDM split-half ceiling is high for reliable data and lower for noisy data", () => {
    const reliable = noisyPopulation(64, Array(30).fill(1), 0.3, 6, 53).assembly;
    const noisy = noisyPopulation(64, Array(30).fill(1), 3, 6, 53).assembly;
    const hi = rdmSplitHalfCeiling(reliable, { splits: 3, groupBy: null }).ceiling;
    const lo = rdmSplitHalfCeiling(noisy, { splits: 3, groupBy: null }).ceiling;
    expect(hi).toBeGreaterThan(0.9);
    expect(lo).toBeLessThan(hi - 0.2);
  });

  it("linear categorisation: separable classes ≈ 100 %, shuffled labels ≈ chance", () => {
    const n = 160, p = 20;
    const classes = Array.from({ length: n }, (_, i) => `cat${i % 4}`);
    const X = gaussian(n, p, 54, 0.5);
    for (let i = 0; i < n; i++) X.data[i * p + (i % 4)] += 3;
    const good = categorizationAccuracy(X, classes, { splits: 4 });
    expect(good.accuracy).toBeGreaterThan(0.95);
    expect(good.chance).toBe(0.25);
    const shuffled = rng(55).shuffle(classes);
    const bad = categorizationAccuracy(X, shuffled, { splits: 4, regression: () => ridgeRegression({ alphas: [10] }) });
    expect(bad.accuracy).toBeLessThan(0.5);
  });
});

describe("k-nearest-neighbour agreement", () => {
  it("is 1 for tight clusters, 0 when every neighbour carries another label, and knows its chance level", () => {
    // Three objects × four images, each object a tight cluster at its own corner.
    const labels = Array.from({ length: 12 }, (_, i) => `o${Math.floor(i / 4)}`);
    const X = matrix(12, 3);
    for (let i = 0; i < 12; i++) { X.data[i * 3 + Math.floor(i / 4)] = 10; X.data[i * 3 + (i % 3)] += 0.01 * (i + 1); }
    const tight = neighbourAgreement(X, labels, 3);
    expect(tight.agreement).toBe(1);
    expect(tight.chance).toBeCloseTo(3 / 11, 12);
    // Four points on a circle, labels alternating: each point's two nearest (90° away) carry the other label,
    // the one with its own label is opposite (180°).
    const circle = matrix(4, 2, [1, 0, 0, 1, -1, 0, 0, -1]);
    const alternating = neighbourAgreement(circle, ["a", "b", "a", "b"], 2);
    expect(alternating.agreement).toBe(0);
    expect(alternating.chance).toBeCloseTo(1 / 3, 12);
    // With k = 3 every other point is a neighbour: agreement = chance.
    expect(neighbourAgreement(circle, ["a", "b", "a", "b"], 3).agreement).toBeCloseTo(1 / 3, 12);
    // Centring: a common offset changes nothing; a row scaled up keeps its neighbours (cosine).
    const shifted = matrix(4, 2, Array.from(circle.data, (v) => v + 5));
    expect(neighbourAgreement(shifted, ["a", "b", "a", "b"], 2).agreement).toBe(0);
  });

  it("mixes as hand-counted: neighbours on a line", () => {
    // Points on a line after centring: x = −3, −2, −1, 1, 2, 3 have cosine ±1 with each other, so each point's
    // nearest neighbours are the other points on its side (ties to the earlier row).
    const X = matrix(6, 1, [-3, -2, -1, 1, 2, 3]);
    const labels = ["a", "a", "b", "b", "a", "b"];
    // k = 2: rows 0,1,2 see the other two of {0,1,2}: a→(a,b) ½, a→(a,b) ½, b→(a,a) 0; rows 3,4,5 see the other
    // two of {3,4,5}: b→(a,b) ½, a→(b,b) 0, b→(b,a) ½. Mean 2/6.
    expect(neighbourAgreement(X, labels, 2).agreement).toBeCloseTo(2 / 6, 12);
  });

  it("says what is wrong with its input", () => {
    const X = matrix(3, 2, [1, 0, 0, 1, 1, 1]);
    expect(() => neighbourAgreement(X, ["a", "b"], 1)).toThrow(/3 feature rows but 2 labels/);
    expect(() => neighbourAgreement(X, ["a", "b", "a"], 3)).toThrow(/k must be a whole number in \[1, 2\]/);
    expect(() => neighbourAgreement(matrix(3, 2, [1, NaN, 0, 1, 1, 1]), ["a", "b", "a"], 1)).toThrow(/row 0 has a value that is not a finite number/);
  });
});

describe("alignment by stimulus id and the one cross-validation driver", () => {
  const { assembly, signal } = noisyPopulation(96, Array(10).fill(1), 1, 6, 71);
  const ids = stimulusLabels(assembly, "id");
  const features = withStimulusIds(matmul(signal, gaussian(10, 12, 72)), ids);

  it("features in shuffled stimulus order are refused, naming the first differing id", () => {
    const order = rng(73).shuffle(Array.from({ length: 96 }, (_, i) => i));
    const first = order.findIndex((s, i) => s !== i);
    const shuffled = withStimulusIds(takeRows(features, order), order.map((i) => ids[i]));
    const message = new RegExp(`crossRegressedCorrelation: feature row ${first} is stimulus "${ids[order[first]]}" but the ` +
      `assembly's stimulus ${first} is "${ids[first]}" \\(first difference\\)`);
    expect(() => crossRegressedCorrelation(shuffled, assembly, { splits: 2 })).toThrow(message);
    expect(() => rsa(shuffled, assembly, { splits: 2 })).toThrow(/rsa: feature row \d+ is stimulus/);
    // The same rows put back in the assembly's order score exactly as the original.
    const back = new Array<number>(96);
    order.forEach((s, i) => { back[s] = i; });
    const restored = withStimulusIds(takeRows(shuffled, back), back.map((i) => shuffled.stimulusIds[i]));
    const options = { regression: () => plsRegression({ nComponents: 5 }), splits: 3 };
    expect(crossRegressedCorrelation(restored, assembly, options)).toEqual(crossRegressedCorrelation(features, assembly, options));
  });

  it("crossValidate: mean ± population SEM over splits, per-site means, results in split order", () => {
    const splits = shuffleSplits(10, { splits: 4, seed: 3 });
    const cv = crossValidate(splits, (split, k) => ({ score: k + 1, perSite: Float64Array.of(k, 2 * k), test: split.test }));
    expect(cv.mean).toBe(2.5);
    expect(cv.sem).toBeCloseTo(Math.sqrt(1.25) / 2, 12);
    expect(Array.from(cv.perSplit)).toEqual([1, 2, 3, 4]);
    expect(Array.from(cv.perSite!)).toEqual([1.5, 3]);
    expect(cv.results.map((r) => r.test)).toEqual(splits.map((s) => s.test));
    expect(crossValidate(splits, () => ({ score: 1 })).perSite).toBeUndefined();
  });

  it("both ceilings use the same repetition halves and drop stimuli missing from a half", () => {
    const R = 6, S = 48, N = 10;
    const ragged = noisyPopulation(S, Array(N).fill(1), 0.5, R, 74).assembly;
    const counts = Int32Array.from({ length: S }, (_, s) => (s === 5 ? 1 : R));
    const withGap = neuralAssembly({
      data: ragged.data, stimuli: ragged.stimuli, sites: ragged.sites, repetitions: R, repetitionCounts: counts,
    });
    // Stimulus 5 has one repetition: it is in one half only, and leaves both halves' means (and RDMs) of every split.
    const options = { splits: 4, groupBy: null };
    const rdmCeiling = rdmSplitHalfCeiling(withGap, options).ceiling;
    expect(rdmCeiling).toBeGreaterThan(0.5);
    expect(rdmCeiling).toBeLessThanOrEqual(1);
    expect(splitHalfCeiling(withGap, options).ceiling).toBeGreaterThan(0.5);
  });
});

describe("what notebook 01 takes from the library: tie-averaged ranks, per-object RDMs, bootstrap CI, RDM panels", () => {
  it("ranks average ties, so Spearman matches scipy.stats.spearmanr on tied data", () => {
    expect(Array.from(ranks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]).statistic = 0.9486832980505138
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 12);
  });

  it("rdm(…, groupBy) is the RDM of the per-object means (groupMeans)", () => {
    const X = gaussian(24, 7, 81);
    const objects = Array.from({ length: 24 }, (_, i) => `obj${i % 6}`);
    const grouped = rdm(X, { groupBy: objects });
    const means = groupMeans(X, objects);
    expect(grouped.labels).toEqual(means.groups);
    const direct = rdm(means.means, { labels: means.groups });
    direct.values.forEach((v, i) => expect(grouped.values[i]).toBeCloseTo(v, 12));
  });

  it("pearsonWithBootstrapCI: the point estimate is Pearson's r, inside a seeded, reproducible interval", () => {
    const x = Array.from({ length: 16 }, (_, i) => i), y = x.map((v, i) => v + 4 * Math.sin(i * 2.3));
    const ci = pearsonWithBootstrapCI(x, y, { resamples: 500, seed: 3 });
    expect(ci.r).toBe(pearson(x, y));
    expect(ci.lo).toBeLessThan(ci.r);
    expect(ci.hi).toBeGreaterThan(ci.r);
    expect(pearsonWithBootstrapCI(x, y, { resamples: 500, seed: 3 })).toEqual(ci);
  });

  it("rdmPanelsFigure: one heatmap per RDM, titled with its Spearman correlation to the first (rdmCorrelation)", () => {
    const labels = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const a = rdm(gaussian(12, 9, 82), { labels }), b = rdm(gaussian(12, 9, 83), { labels });
    const fig = rdmPanelsFigure([{ title: "A", rdm: a }, { title: "B", rdm: b }], { title: "t", axisTitle: "stimulus" });
    expect(fig.data.length).toBe(2);
    const notes = (fig.layout?.annotations ?? []).map((n) => String(n.text));
    expect(notes[1]).toContain(`Spearman with A: ${rdmCorrelation(b, a).toFixed(2)}`);
  });
});

describe("errors (g): clear messages", () => {
  const base = () => ({ data: new Float32Array(3 * 2 * 2).map((_, i) => i), stimuli: stimuliFor(3, 3), sites: sitesFor(2), repetitions: 2 });

  it("NaN responses name the site and the stimulus", () => {
    const init = base();
    init.data[(2 * 2 + 1) * 2 + 1] = NaN;
    expect(() => neuralAssembly(init)).toThrow(/site "IT_1" to stimulus "img2" \(repetition 1\) is NaN/);
  });

  it("constant sites are refused", () => {
    const init = base();
    for (let s = 0; s < 3; s++) for (let r = 0; r < 2; r++) init.data[(s * 2 + 0) * 2 + r] = 7;
    expect(() => neuralAssembly(init)).toThrow(/site "IT_0" \(index 0\) has the same mean response \(7\) to every stimulus/);
    expect(() => crossRegressedCorrelationOnMatrices(gaussian(3, 2, 1), matrix(3, 2, [7, 1, 7, 2, 7, 3]), null))
      .toThrow(/site 0 has the same response to every stimulus/);
  });

  it("mismatched shapes and lengths", () => {
    expect(() => neuralAssembly({ ...base(), data: new Float32Array(11) }))
      .toThrow(/data has 11 values, but 3 stimuli × 2 sites × 2 repetitions = 12/);
    expect(() => neuralAssembly({ ...base(), sites: [...sitesFor(1), { id: "IT_0", region: "IT" }] }))
      .toThrow(/site id "IT_0" appears more than once/);
    const assembly = neuralAssembly(base());
    const fourRows = withStimulusIds(gaussian(4, 5, 1), ["img0", "img1", "img2", "img3"]);
    expect(() => crossRegressedCorrelation(fourRows, assembly)).toThrow(/features have 4 rows \(4 stimulus ids\) but the assembly has 3 stimuli/);
    expect(() => withStimulusIds(gaussian(4, 5, 1), ["img0"])).toThrow(/1 ids for 4 feature rows/);
    expect(() => crossRegressedCorrelation(gaussian(3, 5, 1) as never, assembly)).toThrow(/carry no stimulus ids/);
    expect(() => plsRegression({ nComponents: 1 }).fit(gaussian(5, 3, 1), gaussian(4, 2, 2))).toThrow(/X has 5 stimuli \(rows\) but Y has 4/);
    const fitted = ridgeRegression({ alphas: [1] });
    fitted.fit(gaussian(6, 3, 1), gaussian(6, 2, 2));
    expect(() => fitted.predict(gaussian(2, 4, 3))).toThrow(/X has 4 features, the fit had 3/);
    expect(() => plsRegression().predict(gaussian(2, 2, 1))).toThrow(/predict called before fit/);
    expect(() => plsRegression({ nComponents: 1 }).fit(matrix(2, 1, [1, NaN]), matrix(2, 1, [1, 2]))).toThrow(/X\[1, 0\] is NaN/);
  });

  it("selecting a region that is not there says which regions are", () => {
    expect(() => selectSites(neuralAssembly(base()), "V4")).toThrow(/no sites in region V4 \(regions present: IT\)/);
  });
});

describe("determinism (h) and selection helpers", () => {
  const { assembly, signal } = noisyPopulation(96, Array(10).fill(1), 1, 6, 61);
  const features = withStimulusIds(matmul(signal, gaussian(10, 12, 62)), stimulusLabels(assembly, "id"));

  it("same seed → identical numbers; another seed → different splits", () => {
    const run = (seed: number) => crossRegressedCorrelation(features, assembly, { regression: () => plsRegression({ nComponents: 5 }), seed, splits: 3 });
    expect(run(7)).toEqual(run(7));
    expect(run(7).perSplit).not.toEqual(run(8).perSplit);
    expect(splitHalfCeiling(assembly, { seed: 2 })).toEqual(splitHalfCeiling(assembly, { seed: 2 }));
    expect(ridgeRegression().alpha).toBeUndefined();
  });

  it("selectSites / selectStimuli keep the metadata with the data", () => {
    const mixed = neuralAssembly({
      data: assembly.data, stimuli: assembly.stimuli, repetitions: 6,
      sites: assembly.sites.map((s, i) => ({ ...s, region: i < 4 ? "V4" as const : "IT" as const })),
    });
    const v4 = selectSites(mixed, "V4");
    expect(v4.shape).toEqual([96, 4, 6]);
    expect(v4.data[6]).toBe(mixed.data[6]);
    const some = selectStimuli(mixed, (s) => s.object === "obj3");
    expect(some.shape[0]).toBe(12);
    expect(some.stimuli.every((s) => s.object === "obj3")).toBe(true);
    expect(meanOverRepetitions(some).data[0]).toBeCloseTo(meanOverRepetitions(mixed).data[3 * 10], 6);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// MajajHong2015 loader: a small file in brainio's NetCDF-4 layout, written with h5wasm.

describe("MajajHong2015 loader", () => {
  const dir = tempDir("majajhong-");

  interface Layout { variable?: string; drop?: string[]; timeBins?: number; region?: string[] }

  /** presentation × neuroid × time_bin, 3 images (2, 3 and 2 repetitions, interleaved), 4 sites. */
  async function writeAssemblyFile(file: string, layout: Layout = {}): Promise<{ values: Float32Array }> {
    const h5 = await loadH5wasm();
    const images = ["imA", "imB", "imA", "imC", "imB", "imC", "imB"];
    const reps = [0, 0, 1, 0, 1, 1, 2];
    const P = images.length, N = 4, T = layout.timeBins ?? 1;
    const f = new h5.File(file, "w");
    const dimension = (name: string, size: number) => {
      const d = f.create_dataset({ name, data: new Float32Array(size), shape: [size], dtype: "<f" });
      d.make_scale(`This is a netCDF dimension but not a netCDF variable. ${size}`);
    };
    dimension("presentation", P);
    dimension("neuroid", N);
    dimension("time_bin", T);
    const values = Float32Array.from({ length: P * N * T }, (_, i) => Math.sin(i) * 10 + i / 7);
    const data = f.create_dataset({ name: layout.variable ?? "data", data: values, shape: [P, N, T], dtype: "<f" });
    ["presentation", "neuroid", "time_bin"].forEach((d, i) => data.attach_scale(i, d));
    const drop = new Set(layout.drop ?? []);
    const coord = (name: string, dim: string, values: string[] | BigInt64Array | Float64Array) => {
      if (drop.has(name)) return;
      const ds = Array.isArray(values)
        ? f.create_dataset({ name, data: values })
        : f.create_dataset({ name, data: values, shape: [values.length], dtype: values instanceof BigInt64Array ? "<q" : "<d" });
      ds.attach_scale(0, dim);
    };
    const objects: Record<string, string> = { imA: "car_beetle", imB: "face0001", imC: "car_beetle" };
    coord("image_id", "presentation", images);
    coord("repetition", "presentation", BigInt64Array.from(reps, BigInt));
    coord("object_name", "presentation", images.map((i) => objects[i]));
    coord("category_name", "presentation", images.map((i) => (objects[i].startsWith("car") ? "Cars" : "Faces")));
    coord("variation", "presentation", BigInt64Array.from(images, (i) => (i === "imB" ? 3n : 0n)));
    coord("ty", "presentation", Float64Array.from(images, (i) => (i === "imC" ? -0.5 : 0.25)));
    coord("neuroid_id", "neuroid", ["Chabo_L_M_5_9", "Chabo_L_A_2_4", "Tito_R_P_1_1", "Tito_R_M_0_2"]);
    coord("region", "neuroid", layout.region ?? ["V4", "IT", "IT", "V4"]);
    coord("animal", "neuroid", ["Chabo", "Chabo", "Tito", "Tito"]);
    coord("time_bin_start", "time_bin", BigInt64Array.from({ length: T }, (_, t) => BigInt(70 + 100 * t)));
    coord("time_bin_end", "time_bin", BigInt64Array.from({ length: T }, (_, t) => BigInt(170 + 100 * t)));
    f.close();
    return { values };
  }

  it("reads presentations into stimulus × site × repetition with metadata", async () => {
    const file = path.join(dir, "assy.nc");
    const { values } = await writeAssemblyFile(file);
    const a: NeuralAssembly = await loadMajajHong2015(file);
    expect(a.shape).toEqual([3, 4, 3]);
    expect(a.stimuli.map((s) => s.id)).toEqual(["imA", "imB", "imC"]);
    expect(Array.from(a.repetitionCounts)).toEqual([2, 3, 2]);
    expect(a.stimuli[1]).toEqual({ id: "imB", object: "face0001", category: "Faces", variation: 3, fields: { ty: 0.25 } });
    expect(a.sites[2]).toEqual({ id: "Tito_R_P_1_1", region: "IT", animal: "Tito" });
    // imB repetition 2 is presentation 6; site 3.
    expect(a.data[(1 * 4 + 3) * 3 + 2]).toBeCloseTo(values[6 * 4 + 3], 6);
    expect(Number.isNaN(a.data[(0 * 4 + 0) * 3 + 2])).toBe(true);
    const it = await loadMajajHong2015(file, { region: "IT" });
    expect(it.sites.map((s) => s.id)).toEqual(["Chabo_L_A_2_4", "Tito_R_P_1_1"]);
  });

  it("accepts the older variable name and several time bins with an explicit choice", async () => {
    const file = path.join(dir, "old.nc");
    const { values } = await writeAssemblyFile(file, { variable: "__xarray_dataarray_variable__", timeBins: 2 });
    await expect(loadMajajHong2015(file)).rejects.toThrow(/2 time bins \(70–170 ms, 170–270 ms\); choose one with the timeBin option/);
    const a = await loadMajajHong2015(file, { timeBin: 1 });
    expect(a.data[0]).toBeCloseTo(values[1], 6); // presentation 0, neuroid 0, time bin 1
  });

  it("a missing file or missing coordinates say what is missing", async () => {
    await expect(loadMajajHong2015(path.join(dir, "nope.nc"))).rejects.toThrow(/no file at .*nope\.nc.*dicarlo\.MajajHong2015\.public/);
    const bad = path.join(dir, "bad.nc");
    await writeAssemblyFile(bad, { drop: ["object_name", "region"] });
    await expect(loadMajajHong2015(bad)).rejects.toThrow(/missing presentation coordinate "object_name", neuroid coordinate "region"/);
    const junk = path.join(dir, "junk.nc");
    fs.writeFileSync(junk, "not an HDF5 file");
    await expect(loadMajajHong2015(junk)).rejects.toThrow(/not a readable NetCDF-4\/HDF5 file/);
    const wrongVar = path.join(dir, "var.nc");
    await writeAssemblyFile(wrongVar, { variable: "responses" });
    await expect(loadMajajHong2015(wrongVar)).rejects.toThrow(/no data variable \(looked for "data", "__xarray_dataarray_variable__"\); variables present: .*responses/);
    const region = path.join(dir, "region.nc");
    await writeAssemblyFile(region, { region: ["V4", "IT", "V1", "IT"] });
    await expect(loadMajajHong2015(region)).rejects.toThrow(/neuroid "Tito_R_P_1_1" has region "V1"/);
  });
});
