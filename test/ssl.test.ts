/**
 * Notebook 02's objectives (lib/vision/ssl/): losses on cases with known values, pretext labels, augmentations,
 * gradients reaching the whole backbone, and the training loop: flat tensor count across steps, determinism by
 * seed, exact resume, shipping with a manifest.
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../lib/tf";
import { hasCheckpoint, layersModelArrays, loadCheckpoint } from "../lib/tf/checkpoint";
import { rng } from "../lib/util/random";
import { augment, augmentationParams, gaussianTaps, MILD_AUGMENTATION, STRONG_AUGMENTATION } from "../lib/vision/ssl/augment";
import { createBackbone } from "../lib/vision/ssl/backbone";
import { NEIGHBOURS, patchBox, relativePositionLabel, relativePositionTask } from "../lib/vision/ssl/relative-position";
import { rotateQuarterTurns, rotationLabels } from "../lib/vision/ssl/rotation";
import { infoNCE } from "../lib/vision/ssl/simclr";
import { negativeCosine, normalizedStd, simsiamLoss } from "../lib/vision/ssl/simsiam";
import { byolLoss, movingAverageUpdate } from "../lib/vision/ssl/byol";
import { BANK_EMBEDDING, bankObjective } from "../lib/vision/ssl/bank-objectives";
import { BANK_MOMENTUM, unitRows } from "../lib/vision/ssl/memory-bank";
import { sslBudgetPlan, sslMeasuredSpeed, sslPlan, sslPoolPlan } from "../lib/vision/ssl/plan";
import { objectiveExamples, objectiveExamplesFigure } from "../lib/vision/ssl/examples";
import { budgetFromStudy, BudgetPoint, budgetStudySpread, poolStudyBackbones } from "../lib/vision/ssl/compare";
import { generateStimuli } from "../lib/vision";
import { CATEGORIES } from "../lib/vision/stimuli";
import {
  batchIndices, budgetStudySteps, loadSslBackbone, poolSize, shipFromBudgetStudy, OBJECTIVE_NAMES, objectiveInfo, ObjectiveName, SSL_BUDGET, SSL_BUDGET_STUDY,
  SSL_POOL_STUDY, SSL_SEEDS, SslBudget, stepsPerPass, trainingPool, trainSsl,
} from "../lib/vision/ssl/train";
import { visionTrainingSet } from "../lib/vision/train";
import { TINY_BACKBONE } from "./fixtures/tiny-backbone";
import { tempDir } from "./fixtures/temp-dir";

const tmp = tempDir;

const TINY = TINY_BACKBONE;
/** 192 images per pool (1 per object and level), 16 per step: 12 steps per pass. */
const TINY_BUDGET: SslBudget = { steps: 4, imagesPerStep: 16, learningRate: 1e-3, poolImagesPerObject: 1, passesPerPool: 1 };

beforeAll(async () => { await initBackend({ quiet: true }); });

describe("InfoNCE (SimCLR's NT-Xent)", () => {
  it("matches the hand computation: identical pairs, orthogonal across pairs → log(1 + (2N − 2)·e^(−1/τ))", () => {
    const N = 4, tau = 0.5;
    const eye = tf.eye(N);
    const z = tf.concat([eye, eye]) as tf.Tensor2D; // row i and row i + N are the same unit vector e_i
    expect(infoNCE(z, tau).dataSync()[0]).toBeCloseTo(Math.log(1 + (2 * N - 2) * Math.exp(-1 / tau)), 5);
    // Scaling an embedding does not change cosine similarities.
    expect(infoNCE(tf.mul(z, 3) as tf.Tensor2D, tau).dataSync()[0]).toBeCloseTo(Math.log(1 + (2 * N - 2) * Math.exp(-1 / tau)), 5);
    tf.dispose([eye, z]);
  });

  it("all embeddings identical: every candidate is as likely → log(2N − 1); orthogonal partners score worse than identical ones", () => {
    const N = 3;
    const same = tf.ones([2 * N, 5]) as tf.Tensor2D;
    expect(infoNCE(same, 0.1).dataSync()[0]).toBeCloseTo(Math.log(2 * N - 1), 5);
    // Partners orthogonal, others orthogonal too: log(2N − 1) again; partners identical: lower.
    const all = tf.eye(2 * N) as tf.Tensor2D;
    expect(infoNCE(all, 0.5).dataSync()[0]).toBeCloseTo(Math.log(2 * N - 1), 5);
    tf.dispose([same, all]);
  });

  it("equals a loop over the definition on random embeddings", () => {
    const r = rng(5), N = 3, d = 4, tau = 0.3;
    const rows = Array.from({ length: 2 * N }, () => Array.from({ length: d }, () => r.normal()));
    const unit = rows.map((v) => { const n = Math.hypot(...v); return v.map((x) => x / n); });
    const s = (i: number, k: number) => unit[i].reduce((a, x, j) => a + x * unit[k][j], 0) / tau;
    let total = 0;
    for (let i = 0; i < 2 * N; i++) {
      const p = i < N ? i + N : i - N;
      let denom = 0;
      for (let k = 0; k < 2 * N; k++) if (k !== i) denom += Math.exp(s(i, k));
      total += -Math.log(Math.exp(s(i, p)) / denom);
    }
    const z = tf.tensor2d(rows);
    expect(infoNCE(z, tau).dataSync()[0]).toBeCloseTo(total / (2 * N), 5);
    z.dispose();
    expect(() => infoNCE(tf.ones([3, 2]) as tf.Tensor2D)).toThrow(/even number/);
  });
});

describe("SimSiam", () => {
  it("negative cosine: −1 for the same direction, +1 opposite, 0 orthogonal", () => {
    const p = tf.tensor2d([[1, 0], [0, 2]]);
    expect(negativeCosine(p, tf.tensor2d([[3, 0], [0, 1]])).dataSync()[0]).toBeCloseTo(-1, 6);
    expect(negativeCosine(p, tf.tensor2d([[-1, 0], [0, -5]])).dataSync()[0]).toBeCloseTo(1, 6);
    expect(negativeCosine(p, tf.tensor2d([[0, 1], [1, 0]])).dataSync()[0]).toBeCloseTo(0, 6);
  });

  it("the stop-gradient: the loss's gradient reaches p but not z", () => {
    const [p1, p2, z1, z2] = [1, 2, 3, 4].map((s) => tf.randomNormal([4, 3], 0, 1, "float32", s) as tf.Tensor2D);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
      simsiamLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor2D))([p1, p2, z1, z2]);
    expect(tf.max(tf.abs(grads[0])).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(tf.max(tf.abs(grads[2])).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(grads[3])).dataSync()[0]).toBe(0);
    // Collapse check: identical rows have no spread; independent random rows about 1/√d.
    expect(normalizedStd(tf.ones([8, 4]) as tf.Tensor2D).dataSync()[0]).toBeCloseTo(0, 6);
    const spread = normalizedStd(tf.randomNormal([2000, 16], 0, 1, "float32", 7) as tf.Tensor2D).dataSync()[0];
    expect(spread).toBeGreaterThan(0.8 / 4);
    expect(spread).toBeLessThan(1.2 / 4);
  });
});

describe("BYOL", () => {
  it("loss: 0 when predictions point along the targets, 4 when opposite; the target gets no gradient", () => {
    const p = tf.tensor2d([[1, 0], [0, 2]]);
    expect(byolLoss(p, p, tf.tensor2d([[2, 0], [0, 1]]), tf.tensor2d([[5, 0], [0, 3]])).dataSync()[0]).toBeCloseTo(0, 6);
    expect(byolLoss(p, p, tf.neg(p) as tf.Tensor2D, tf.neg(p) as tf.Tensor2D).dataSync()[0]).toBeCloseTo(4, 6);
    const [a, b, c, d] = [1, 2, 3, 4].map((s) => tf.randomNormal([4, 3], 0, 1, "float32", s) as tf.Tensor2D);
    const grads = tf.grads((w: tf.Tensor, x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      byolLoss(w as tf.Tensor2D, x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D))([a, b, c, d]);
    expect(tf.max(tf.abs(grads[0])).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(tf.max(tf.abs(grads[3])).dataSync()[0]).toBe(0);
  });

  it("the target moves a fraction 1 − τ of the way to the online weights", () => {
    const make = (value: number) => {
      const input = tf.input({ shape: [2] });
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.constant({ value }) }).apply(input) as tf.SymbolicTensor });
    };
    const target = make(1), online = make(3);
    movingAverageUpdate(target, online, 0.9);
    expect(Array.from(target.getWeights()[0].dataSync())).toEqual([1.2000000476837158, 1.2000000476837158]);
    target.dispose();
    online.dispose();
  });
});

describe("pretext labels", () => {
  it("rotations: a quarter turn counter-clockwise moves the top-right corner to the top-left; four turns are the identity", () => {
    // 3×3 image with values 0…8 row by row (batch of 1, one channel).
    const img = tf.tensor4d(Array.from({ length: 9 }, (_, i) => i), [1, 3, 3, 1]);
    const turned = (k: number) => Array.from(rotateQuarterTurns(img, [k]).dataSync());
    expect(turned(0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(turned(1)).toEqual([2, 5, 8, 1, 4, 7, 0, 3, 6]);
    expect(turned(2)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(turned(3)).toEqual([6, 3, 0, 7, 4, 1, 8, 5, 2]);
    let x = img as tf.Tensor4D;
    for (let i = 0; i < 4; i++) x = rotateQuarterTurns(x, [1]);
    expect(Array.from(x.dataSync())).toEqual(turned(0));
    // Per-image turns in one batch.
    const two = tf.concat([img, img]) as tf.Tensor4D;
    expect(Array.from(rotateQuarterTurns(two, [2, 1]).dataSync())).toEqual([...turned(2), ...turned(1)]);
    expect(() => rotateQuarterTurns(img, [4])).toThrow(/0–3/);
  });

  it("rotation labels: two different rotations per image, every class used", () => {
    const [a, b] = rotationLabels(400, rng(1));
    a.forEach((k, i) => expect(k).not.toBe(b[i]));
    for (const k of [0, 1, 2, 3]) {
      expect(a.filter((x) => x === k).length).toBeGreaterThan(60);
      expect(b.filter((x) => x === k).length).toBeGreaterThan(60);
    }
  });

  it("relative position: labels in reading order, and the neighbour's patch lies in the labelled direction", () => {
    expect(relativePositionLabel(-1, -1)).toBe(0);
    expect(relativePositionLabel(-1, 0)).toBe(1);
    expect(relativePositionLabel(0, 1)).toBe(4);
    expect(relativePositionLabel(1, 1)).toBe(7);
    expect(() => relativePositionLabel(0, 0)).toThrow(/not one of the 8 neighbours/);
    expect(NEIGHBOURS.length).toBe(8);
    const task = relativePositionTask(200, rng(2));
    task.labels.forEach((label, i) => {
      const [dr, dc] = NEIGHBOURS[label];
      const [cy1, cx1, cy2, cx2] = task.centre[i], [ny1, nx1, ny2, nx2] = task.neighbour[i];
      // Boxes inside the image, and apart: a neighbour above ends before the centre starts, etc.
      for (const v of [...task.centre[i], ...task.neighbour[i]]) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
      if (dr < 0) expect(ny2).toBeLessThanOrEqual(cy1 + 1e-9);
      if (dr > 0) expect(ny1).toBeGreaterThanOrEqual(cy2 - 1e-9);
      if (dr === 0) expect(Math.abs(ny1 - cy1)).toBeLessThan(1 / 3);
      if (dc < 0) expect(nx2).toBeLessThanOrEqual(cx1 + 1e-9);
      if (dc > 0) expect(nx1).toBeGreaterThanOrEqual(cx2 - 1e-9);
    });
    expect(new Set(task.labels).size).toBe(8);
    const [y1, x1, y2, x2] = patchBox(2, 0, rng(3));
    expect(y1).toBeGreaterThanOrEqual(2 / 3);
    expect(x2).toBeLessThanOrEqual(1 / 3);
    expect(y2 - y1).toBeCloseTo(0.25, 9);
  });
});

describe("augmentations", () => {
  it("are deterministic by seed, stay in [0, 1], and a full-image crop with a flip mirrors the image", () => {
    const images = tf.randomUniform([6, 64, 64, 1], 0, 1, "float32", 11) as tf.Tensor4D;
    const run = (seed: number) => {
      const y = augment(images, augmentationParams(6, STRONG_AUGMENTATION, rng(seed)), 64, seed + 1);
      const v = Array.from(y.dataSync());
      y.dispose();
      return v;
    };
    const a = run(1), b = run(1), c = run(2);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    const identity = { box: [0, 0, 1, 1] as [number, number, number, number], flip: false, brightness: 0, contrast: 1, blurSigma: 0, noise: 0 };
    const same = augment(images, Array(6).fill(identity), 64, 1);
    expect(tf.max(tf.abs(tf.sub(same, images))).dataSync()[0]).toBeLessThan(1e-5);
    const flipped = augment(images, Array(6).fill({ ...identity, flip: true }), 64, 1);
    expect(tf.max(tf.abs(tf.sub(flipped, tf.reverse(images, 2)))).dataSync()[0]).toBeLessThan(1e-5);
    // Blur keeps the mean of a constant image and smooths noise.
    const blurred = augment(images, Array(6).fill({ ...identity, blurSigma: 1.5 }), 64, 1);
    expect(tf.moments(blurred).variance.dataSync()[0]).toBeLessThan(tf.moments(images).variance.dataSync()[0] / 2);
    const taps = gaussianTaps(1);
    expect(taps.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(Array.from(gaussianTaps(0))).toEqual([0, 0, 0, 1, 0, 0, 0]);
    // Mild augmentation: crops keep at least half the area.
    augmentationParams(100, MILD_AUGMENTATION, rng(4)).forEach((p) => {
      expect((p.box[2] - p.box[0]) * (p.box[3] - p.box[1])).toBeGreaterThanOrEqual(0.5 - 1e-9);
      expect(p.noise).toBe(0);
    });
    tf.dispose([images, same, flipped, blurred]);
  });
});

describe("objectives on the backbone", () => {
  it("every objective's loss is finite and its gradient reaches every backbone weight", () => {
    const set = Array.from({ length: 8 * 64 * 64 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
    for (const name of OBJECTIVE_NAMES) {
      const create = objectiveInfo(name).create;
      if (!create) continue;
      const backbone = createBackbone(1, TINY);
      const objective = create(backbone, 1);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const images = tf.tensor4d(set, [8, 64, 64, 1]);
        // Pool 1: past local aggregation's warm-up, so its own loss is the one checked.
        objective.beforeStep?.({ pool: 1, pass: 0, images });
        const batch = { images, labels: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), indices: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
        const vars = backbone.net.trainableWeights.map((w) => w.read() as tf.Variable);
        let metrics: tf.Scalar[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const out = objective.step(batch, rng(3), 5);
          metrics = Object.values(out.metrics).map((m) => tf.keep(m));
          return out.loss;
        }, vars);
        expect(Number.isFinite(value.dataSync()[0]), `${name} loss`).toBe(true);
        for (const v of vars) {
          const g = grads[v.name];
          expect(g, `${name}: no gradient for ${v.name}`).toBeDefined();
          const size = tf.norm(g).dataSync()[0];
          expect(Number.isFinite(size) && size > 0, `${name}: gradient of ${v.name} is ${size}`).toBe(true);
        }
        metrics.forEach((m) => { expect(Number.isFinite(m.dataSync()[0])).toBe(true); m.dispose(); });
      });
      expect(tf.memory().numTensors, `${name} leaves tensors`).toBe(before);
      objective.dispose();
      backbone.dispose();
    }
  });
});

describe("the memory-bank objectives (instance recognition, local aggregation)", () => {
  const pixels = (seed: number, n: number) => { const r = rng(seed); return tf.tensor4d(Array.from({ length: n * 64 * 64 }, () => r.uniform()), [n, 64, 64, 1]); };
  const bankOf = (o: ReturnType<typeof bankObjective>) => o.saveState!().find((a) => a.name === "bank/vectors")!.values;

  it("a new pool fills the bank with the current network's unit embeddings of its images; a step moves its images' entries by momentum", () => {
    const images = pixels(1, 12);
    const backbone = createBackbone(2, TINY);
    const ir = bankObjective("instance-recognition", backbone, 2);
    ir.beforeStep!({ pool: 0, pass: 0, images });
    const expected = tf.tidy(() => unitRows(ir.heads.embedding.predict(backbone.net.predict(tf.mul(tf.sub(images, 0.5), 4)) as tf.Tensor2D) as tf.Tensor2D).dataSync());
    const filled = Float32Array.from(bankOf(ir));
    filled.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 5));
    // One step on images 3 and 7: their entries move to normalise(m·v + (1 − m)·f); the others stay.
    const batch = { images: tf.gather(images, [3, 7]) as tf.Tensor4D, labels: Int32Array.from([0, 0]), indices: Int32Array.from([3, 7]) };
    const out = tf.tidy(() => { const o = ir.step(batch, rng(4), 9); return { loss: o.loss.dataSync()[0], accuracy: o.metrics.instance_accuracy.dataSync()[0] }; });
    expect(Number.isFinite(out.loss) && out.loss > 0).toBe(true);
    ir.afterStep!();
    const after = bankOf(ir), d = BANK_EMBEDDING;
    for (let i = 0; i < 12; i++) {
      const moved = Array.from(after.subarray(i * d, (i + 1) * d)).some((v, t) => Math.abs(v - filled[i * d + t]) > 1e-6);
      expect(moved, `entry ${i}`).toBe(i === 3 || i === 7);
      const norm = Math.hypot(...after.subarray(i * d, (i + 1) * d));
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(BANK_MOMENTUM).toBe(0.5);
    ir.dispose(); backbone.dispose(); tf.dispose([images, batch.images]);
  });

  it("local aggregation warms up with the instance loss on the first pool, then takes its own; bad batches are refused", () => {
    const images = pixels(2, 48); // 2 clusters of ~24 (clusterCount)
    const batch = { images: tf.slice(images, [0, 0, 0, 0], [6, -1, -1, -1]) as tf.Tensor4D, labels: new Int32Array(6), indices: Int32Array.from([0, 1, 2, 3, 4, 5]) };
    const lossOf = (kind: "instance-recognition" | "local-aggregation", pool: number) => {
      const backbone = createBackbone(3, TINY);
      const o = bankObjective(kind, backbone, 3);
      o.beforeStep!({ pool, pass: 0, images });
      const loss = tf.tidy(() => o.step(batch, rng(5), 11).loss.dataSync()[0]);
      o.dispose(); backbone.dispose();
      return loss;
    };
    expect(lossOf("local-aggregation", 0)).toBeCloseTo(lossOf("instance-recognition", 0), 5);
    const la = lossOf("local-aggregation", 1);
    expect(Number.isFinite(la) && la >= 0).toBe(true);
    expect(Math.abs(la - lossOf("instance-recognition", 1))).toBeGreaterThan(1e-3);
    const backbone = createBackbone(3, TINY);
    const o = bankObjective("local-aggregation", backbone, 3);
    expect(() => tf.tidy(() => { o.step(batch, rng(5), 11); })).toThrow(/no pool began/);
    o.dispose(); backbone.dispose(); tf.dispose([images, batch.images]);
  });
});

describe("the ssl plans' measured speeds", () => {
  it("per objective from its manifests; one without any takes its speedLike's, else every other's median, and says so", () => {
    const root = tmp("ssl-speed-");
    const ship = (name: string, objective: string, steps: number, wall: number) => {
      fs.mkdirSync(path.join(root, "data", "checkpoints", name), { recursive: true });
      fs.writeFileSync(path.join(root, "data", "checkpoints", name, "manifest.json"), JSON.stringify({ objective, steps, wall_seconds: wall }));
    };
    ship("ssl-simclr-seed0", "simclr", 800, 1600); ship("ssl-simclr-seed1", "simclr", 800, 2400); ship("ssl-rotation-seed0", "rotation", 800, 800);
    ship("ssl-untrained-seed0", "untrained", 0, 0);
    // Two runs: the mean of the two.
    expect(sslMeasuredSpeed("simclr", root)).toEqual({ secondsPerUnit: 2.5, source: "simclr: 2.50 s/step, median of 2 run(s)" });
    expect(sslMeasuredSpeed("local-aggregation", root)?.source).toBe("local-aggregation: 2.50 s/step, median of 2 run(s) of simclr, timed beside it (none of its own yet)");
    expect(sslMeasuredSpeed("byol", root)?.source).toBe("byol: 2.00 s/step, median of 3 run(s) of the other objectives (none of its own yet)");
    expect(sslMeasuredSpeed("simclr", tmp("ssl-none-"))).toBeNull();
  });
});

describe("the shared budget from the budget study", () => {
  const point = (objective: "simclr" | "supervised", steps: number, probe: number, it: number, itImage = it): BudgetPoint => ({ objective, steps, probe_accuracy: probe, IT: it, IT_image_only: itImage });
  const spread = { probe_accuracy: 0.02, IT: 0.01, IT_image_only: 0.01 };

  it("takes, per objective, the smallest budget ≥ the minimum from which the next one gains no more than the seed spread; shared: the largest", () => {
    const points = [
      // supervised: levelled from 3,200 (the next budget gains 0.01 and 0.005).
      point("supervised", 800, 0.80, 0.50), point("supervised", 1600, 0.85, 0.55), point("supervised", 3200, 0.88, 0.57), point("supervised", 6400, 0.89, 0.575),
      // SimCLR: still gaining on IT from 3,200 to 6,400 (0.03 > 0.01): its budget is the last, not levelled.
      point("simclr", 800, 0.50, 0.40), point("simclr", 1600, 0.55, 0.44), point("simclr", 3200, 0.58, 0.47), point("simclr", 6400, 0.59, 0.50),
    ];
    const choice = budgetFromStudy(points, spread, 3200);
    expect(choice.perObjective.map((o) => [o.objective, o.budget, o.levelled])).toEqual([["supervised", 3200, true], ["simclr", 6400, false]]);
    expect(choice.budget).toBe(6400);
    // A gain before the minimum does not count, however small; IT without the identity part counts too.
    const flat = [point("supervised", 800, 0.8, 0.5), point("supervised", 1600, 0.8, 0.5), point("supervised", 3200, 0.8, 0.5, 0.4), point("supervised", 6400, 0.8, 0.5, 0.45)];
    expect(budgetFromStudy(flat, spread, 1600).budget).toBe(1600);
    expect(budgetFromStudy(flat, spread, 3200)).toMatchObject({ budget: 6400, perObjective: [{ levelled: false }] });
    expect(() => budgetFromStudy([], spread, 3200)).toThrow(/no budget-study points/);
    expect(() => budgetFromStudy(points, { ...spread, IT: -1 }, 3200)).toThrow(/spreads must be ≥ 0/);
  });

  it("measures the seed spread between the study's two seeds at its first budget, the largest over objectives", () => {
    const first = SSL_BUDGET_STUDY.steps[0];
    const seeded = (p: BudgetPoint, seed: number) => ({ ...p, seed });
    const points = [
      seeded(point("simclr", first, 0.50, 0.40, 0.30), SSL_BUDGET_STUDY.seed), seeded(point("simclr", first, 0.53, 0.39, 0.34), SSL_BUDGET_STUDY.spreadSeed),
      seeded(point("supervised", first, 0.80, 0.50, 0.40), SSL_BUDGET_STUDY.seed), seeded(point("supervised", first, 0.79, 0.55, 0.41), SSL_BUDGET_STUDY.spreadSeed),
      // Later budgets of the study's seed do not count.
      seeded(point("simclr", 2 * first, 0.9, 0.9, 0.9), SSL_BUDGET_STUDY.seed),
    ];
    const spread = budgetStudySpread(points);
    expect(spread.probe_accuracy).toBeCloseTo(0.03, 12);
    expect(spread.IT).toBeCloseTo(0.05, 12);
    expect(spread.IT_image_only).toBeCloseTo(0.04, 12);
    expect(() => budgetStudySpread(points.filter((p) => p.seed === SSL_BUDGET_STUDY.seed))).toThrow(/no objective has both seeds/);
  });

  it("the study's plan: the spread seed to the first budget, then seed 0 to the largest, of each objective", () => {
    const plan = sslBudgetPlan();
    expect(plan.map((r) => [r.name, r.total, path.basename(r.shipDir)])).toEqual([
      ...SSL_BUDGET_STUDY.objectives.map((o) => [`ssl-${o}-seed1-budget`, SSL_BUDGET_STUDY.steps[0], `ssl-${o}-seed1-step${SSL_BUDGET_STUDY.steps[0]}`]),
      ...SSL_BUDGET_STUDY.objectives.map((o) => [`ssl-${o}-seed0-budget`, Math.max(...SSL_BUDGET_STUDY.steps), `ssl-${o}-seed0-step${Math.max(...SSL_BUDGET_STUDY.steps)}`]),
    ]);
    expect(() => budgetStudySteps(2)).toThrow(/trains seeds 0 and 1/);
    // A backbone shipped under an older, shorter budget does not count as the main plan's run.
    expect(sslPlan().find((r) => r.name === "ssl-simclr-seed0")?.shippedField).toBe("steps");
  });
});

describe("what each objective asks, shown", () => {
  it("every trained objective shows two inputs per image with readable labels; the figure draws them", () => {
    const all = generateStimuli({ seed: 5, imagesPerObject: 1, levels: [3], size: 64 });
    const set = { ...all, images: all.images.slice(0, 3 * 64 * 64), meta: all.meta.slice(0, 3) };
    const before = tf.memory().numTensors;
    for (const name of OBJECTIVE_NAMES.filter((o) => objectiveInfo(o).create)) {
      const ex = objectiveExamples(name, set, 1);
      expect(ex.rows.length, name).toBe(3);
      ex.rows.forEach((row) => {
        expect(row.inputs.length, name).toBe(2);
        row.inputs.forEach((x) => { expect(x.length).toBe(64 * 64); expect(Math.min(...x)).toBeGreaterThanOrEqual(0); expect(Math.max(...x)).toBeLessThanOrEqual(1); });
      });
      if (name === "rotation") ex.rows.forEach((row) => { expect(row.labels.every((l) => /^(0|90|180|270)°$/.test(l))).toBe(true); expect(row.labels[0]).not.toBe(row.labels[1]); });
      if (name === "relative-position") ex.rows.forEach((row) => expect(row.labels[0]).toBe("centre"));
      if (name === "supervised") ex.rows.forEach((row, i) => expect(row.labels).toEqual([set.meta[i].category, set.meta[i].category]));
      // Same seed, same pictures.
      expect(Array.from(objectiveExamples(name, set, 1).rows[0].inputs[1])).toEqual(Array.from(ex.rows[0].inputs[1]));
    }
    const figure = objectiveExamplesFigure("rotation", set, 1);
    expect(figure.layout?.images?.length).toBe(1);
    expect(figure.layout?.annotations?.length).toBe(9);
    expect(() => objectiveExamples("untrained", set)).toThrow(/not trained/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("the pool-composition study (more objects, fewer views per pool)", () => {
  it("keeps the pool's size, steps and passes, with 4× the objects and ¼ the views of each; the shared budget is unchanged", () => {
    const study = SSL_POOL_STUDY.budget;
    expect(poolSize(SSL_BUDGET)).toBe(3072);
    expect(poolSize(study)).toBe(3072);
    expect(stepsPerPass(study)).toBe(stepsPerPass(SSL_BUDGET));
    expect({ ...study, poolImagesPerObject: SSL_BUDGET.poolImagesPerObject, objectSetsPerPool: undefined }).toEqual({ ...SSL_BUDGET, objectSetsPerPool: undefined });
    // The shared budget has no object-set key, so every run trained before the study keeps its identity (and resumes).
    expect("objectSetsPerPool" in SSL_BUDGET).toBe(false);
    expect(() => poolSize({ ...SSL_BUDGET, objectSetsPerPool: 0 })).toThrow(/positive integer/);
  });

  it("a pool of k object sets joins k of the zoo's training sets: new objects in each, labels from each", () => {
    const one = trainingPool(3, 5, TINY_BUDGET, 16);
    const set5 = visionTrainingSet(3, 5, 1, 16);
    expect(Array.from(one.images)).toEqual(Array.from(set5.images));
    expect(one.objects).toBe(64);
    const two = trainingPool(3, 1, { ...TINY_BUDGET, objectSetsPerPool: 2 }, 16);
    expect(two.labels.length).toBe(poolSize({ ...TINY_BUDGET, objectSetsPerPool: 2 }));
    expect(two.objects).toBe(128);
    const [a, b] = [visionTrainingSet(3, 2, 1, 16), visionTrainingSet(3, 3, 1, 16)];
    expect(a.objectSeed).not.toBe(b.objectSeed);
    expect(Array.from(two.images.subarray(0, a.images.length))).toEqual(Array.from(a.images));
    expect(Array.from(two.images.subarray(a.images.length))).toEqual(Array.from(b.images));
    expect(Array.from(two.labels.subarray(a.meta.length))).toEqual(b.meta.map((m) => CATEGORIES.indexOf(m.category)));
  });

  it("its plan: instance recognition and SimCLR, seed 0, shared steps, shipped to data/ssl-pools; no shipped run is found elsewhere", () => {
    expect(sslPoolPlan().map((r) => [r.name, r.total, r.shipDir, r.command.join(" ")])).toEqual(SSL_POOL_STUDY.objectives.map((o) => [
      `ssl-${o}-seed0-objects256`, SSL_BUDGET.steps, path.join("data", "ssl-pools", `ssl-${o}-seed0-objects256`), `train:ssl-pools -- --objective ${o} --seed 0`,
    ]));
    const empty = poolStudyBackbones(tmp("pools-"));
    expect(empty.entries).toEqual([]);
    expect(empty.missing.length).toBe(2);
  });

  it("a run on such pools trains under its own name and its manifest says what its pools held", async () => {
    const ship = path.join(tmp("pools-ship-"), "ssl-simclr-seed1-objects128");
    const run = await trainSsl({
      objective: "simclr", seed: 1, name: "ssl-simclr-seed1-objects128", budget: { ...TINY_BUDGET, steps: 2, objectSetsPerPool: 2 }, backbone: TINY,
      runDir: tmp("pools-run-"), shipDir: ship, verbose: false, evaluate: false,
    });
    run.backbone.dispose();
    const manifest = JSON.parse(fs.readFileSync(path.join(ship, "manifest.json"), "utf8"));
    expect(manifest.name).toBe("ssl-simclr-seed1-objects128");
    expect(manifest.training_data).toMatchObject({ objects_per_pool: 128, views_per_object: 3, images_per_object: 1 });
    expect(manifest.training_data.object_seed).toMatch(/2·pool \+ j/);
    expect(manifest.budget.objectSetsPerPool).toBe(2);
  }, 120_000);
});

describe("training", () => {
  it("batches: the same (seed, step) gives the same images; a pool's passes cover it", () => {
    expect(Array.from(batchIndices(0, 5, TINY_BUDGET).indices)).toEqual(Array.from(batchIndices(0, 5, TINY_BUDGET).indices));
    const seen = new Set<number>();
    for (let s = 0; s < 12; s++) batchIndices(0, s, TINY_BUDGET).indices.forEach((i) => seen.add(i));
    expect(seen.size).toBe(192);
    expect(batchIndices(0, 12, TINY_BUDGET).pool).toBe(1);
  });

  it("tensors stay flat across steps; the same seed gives the same weights; a resumed run ends where an uninterrupted one does; ships with a manifest", async () => {
    const counts: number[] = [];
    const ship = tmp("ssl-ship-");
    const before = tf.memory().numTensors;
    const whole = await trainSsl({
      objective: "simclr", seed: 2, budget: TINY_BUDGET, backbone: TINY, runDir: tmp("ssl-a-"), shipRoot: ship, command: "test",
      verbose: false, onStep: () => counts.push(tf.memory().numTensors),
    });
    expect(whole.finished).toBe(true);
    expect(whole.steps).toBe(4);
    expect(new Set(counts.slice(1)).size).toBe(1); // Adam's moments appear at the first step; then nothing accumulates
    const again = await trainSsl({ objective: "simclr", seed: 2, budget: TINY_BUDGET, backbone: TINY, runDir: tmp("ssl-b-"), shipRoot: null, verbose: false, evaluate: false });
    const runDir = tmp("ssl-c-");
    const first = await trainSsl({ objective: "simclr", seed: 2, budget: TINY_BUDGET, backbone: TINY, runDir, shipRoot: null, verbose: false, maxSteps: 2 });
    expect(first.finished).toBe(false);
    expect(hasCheckpoint(path.join(runDir, "checkpoint"))).toBe(true);
    first.backbone.dispose();
    const resumed = await trainSsl({ objective: "simclr", seed: 2, budget: TINY_BUDGET, backbone: TINY, runDir, shipRoot: null, verbose: false, evaluate: false });
    expect(resumed.steps).toBe(4);
    const a = layersModelArrays(whole.backbone.net, "b"), b = layersModelArrays(again.backbone.net, "b"), c = layersModelArrays(resumed.backbone.net, "b");
    a.forEach((w, i) => expect(Array.from(b[i].values), `${w.name} differs between two runs of one seed`).toEqual(Array.from(w.values)));
    // Resume: same batches and augmentations; Adam's β^t is recomputed on restore (a power, not a running product).
    a.forEach((w, i) => {
      const worst = w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - c[i].values[k])), 0);
      expect(worst, w.name).toBeLessThan(1e-4);
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(ship, "ssl-simclr-seed2", "manifest.json"), "utf8"));
    for (const key of ["command", "objective", "paper", "seed", "steps", "images_seen", "wall_seconds", "backend", "code_commit", "evaluation", "training_log"]) {
      expect(manifest).toHaveProperty(key);
    }
    expect(manifest.images_seen).toBe(4 * 16);
    expect(manifest.evaluation.probe_accuracy).toBeGreaterThan(0);
    const loaded = loadSslBackbone(path.join(ship, "ssl-simclr-seed2"));
    const la = layersModelArrays(loaded.net, "b");
    a.forEach((w, i) => expect(Array.from(la[i].values)).toEqual(Array.from(w.values)));
    [whole, again, resumed].forEach((r) => r.backbone.dispose());
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("BYOL's target is checkpointed: a resumed run ends where an uninterrupted one does", async () => {
    const options = { objective: "byol" as const, seed: 1, budget: TINY_BUDGET, backbone: TINY, shipRoot: null, verbose: false, evaluate: false };
    const wholeDir = tmp("ssl-byol-a-");
    const whole = await trainSsl({ ...options, runDir: wholeDir });
    const runDir = tmp("ssl-byol-b-");
    (await trainSsl({ ...options, runDir, maxSteps: 2 })).backbone.dispose();
    const resumed = await trainSsl({ ...options, runDir });
    // The target's moving average continues from the checkpoint (a fresh target would lag the whole run's).
    const targetOf = (dir: string) => Array.from(loadCheckpoint(path.join(dir, "checkpoint")).tensors.values()).filter((t) => t.name.startsWith("target-backbone/"));
    const [ta, tc] = [targetOf(wholeDir), targetOf(runDir)];
    expect(ta.length).toBeGreaterThan(0);
    ta.forEach((w, i) => {
      const worst = w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - tc[i].values[k])), 0);
      expect(worst, w.name).toBeLessThan(1e-6);
    });
    const a = layersModelArrays(whole.backbone.net, "b"), c = layersModelArrays(resumed.backbone.net, "b");
    a.forEach((w, i) => {
      const worst = w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - c[i].values[k])), 0);
      expect(worst, w.name).toBeLessThan(1e-4);
    });
    whole.backbone.dispose();
    resumed.backbone.dispose();
  }, 120_000);

  it("the budget study's snapshots: the step-S backbone of a longer run is what a run of budget S ships, probed, with its manifest", async () => {
    const root = tmp("ssl-snap-");
    const long = await trainSsl({ objective: "supervised", seed: 3, budget: TINY_BUDGET, backbone: TINY, runDir: tmp("ssl-s-a-"), shipRoot: root, verbose: false,
      snapshots: { steps: [2], root }, shipDir: path.join(root, "ssl-supervised-seed3-step4") });
    const short = await trainSsl({ objective: "supervised", seed: 3, budget: { ...TINY_BUDGET, steps: 2 }, backbone: TINY, runDir: tmp("ssl-s-b-"), shipRoot: null, verbose: false, evaluate: false });
    expect(fs.readdirSync(root).sort()).toEqual(["ssl-supervised-seed3-step2", "ssl-supervised-seed3-step4"]);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "ssl-supervised-seed3-step2", "manifest.json"), "utf8"));
    expect(manifest.steps).toBe(2);
    expect(manifest.training_data.pools_used).toBe(1);
    expect(manifest.evaluation.probe_accuracy).toBeGreaterThan(0);
    const snap = loadSslBackbone(path.join(root, "ssl-supervised-seed3-step2"));
    const x = layersModelArrays(snap.net, "b"), y = layersModelArrays(short.backbone.net, "b");
    x.forEach((w, i) => expect(w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - y[i].values[k])), 0), w.name).toBeLessThan(1e-6));
    const end = loadSslBackbone(path.join(root, "ssl-supervised-seed3-step4"));
    expect(end.state.step).toBe(4);
    // Extending the grid: the budget-2 run, trained on to 4 steps, ends with the budget-4 run's backbone; without
    // `extend` a run folder of another budget is refused, naming both budgets.
    const shortDir = tmp("ssl-s-c-");
    (await trainSsl({ objective: "supervised", seed: 3, budget: { ...TINY_BUDGET, steps: 2 }, backbone: TINY, runDir: shortDir, shipRoot: null, verbose: false, evaluate: false })).backbone.dispose();
    await expect(trainSsl({ objective: "supervised", seed: 3, budget: TINY_BUDGET, backbone: TINY, runDir: shortDir, shipRoot: null, verbose: false, evaluate: false }))
      .rejects.toThrow(/its budget is 2 steps, this one 4/);
    await expect(trainSsl({ objective: "supervised", seed: 3, budget: { ...TINY_BUDGET, steps: 4, learningRate: 2e-3 }, backbone: TINY, runDir: shortDir, shipRoot: null, verbose: false, evaluate: false, extend: true }))
      .rejects.toThrow(/holds a different run/);
    const extended = await trainSsl({ objective: "supervised", seed: 3, budget: TINY_BUDGET, backbone: TINY, runDir: shortDir, shipRoot: null, verbose: false, evaluate: false, extend: true });
    expect(extended.steps).toBe(4);
    const z = layersModelArrays(extended.backbone.net, "b"), w4 = layersModelArrays(long.backbone.net, "b");
    z.forEach((w, i) => expect(w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - w4[i].values[k])), 0), w.name).toBeLessThan(1e-6));
    // The study's step-2 backbone ships as the budget-2 run; another budget, or a learning rate the study did not use, finds none.
    const shipRoot = tmp("ssl-from-study-");
    const shippedDir = shipFromBudgetStudy("supervised", 3, { ...TINY_BUDGET, steps: 2 }, { study: root, ship: shipRoot });
    expect(shippedDir).toBe(path.join(shipRoot, "ssl-supervised-seed3"));
    const fromStudy = loadSslBackbone(shippedDir!);
    const f = layersModelArrays(fromStudy.net, "b");
    f.forEach((w, i) => expect(w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - y[i].values[k])), 0), w.name).toBeLessThan(1e-6));
    const shippedManifest = JSON.parse(fs.readFileSync(path.join(shippedDir!, "manifest.json"), "utf8"));
    expect(shippedManifest).toMatchObject({ steps: 2, budget: { ...TINY_BUDGET, steps: 2 }, from_budget_study: { run_budget_steps: 4 } });
    expect(shipFromBudgetStudy("supervised", 3, { ...TINY_BUDGET, steps: 3 }, { study: root, ship: shipRoot })).toBeNull();
    expect(shipFromBudgetStudy("supervised", 3, { ...TINY_BUDGET, steps: 2, learningRate: 5e-4 }, { study: root, ship: shipRoot })).toBeNull();
    expect(shipFromBudgetStudy("supervised", 4, { ...TINY_BUDGET, steps: 2 }, { study: root, ship: shipRoot })).toBeNull();
    [long.backbone, short.backbone, snap, end, extended.backbone, fromStudy].forEach((b) => b.dispose());
  }, 120_000);

  it("local aggregation's memory bank and clusterings are checkpointed: a resumed run ends where an uninterrupted one does", async () => {
    // 3 steps per pass, one pass per pool: steps 1–3 warm up with instance recognition on pool 0, steps 4–6 aggregate on pool 1.
    const budget: SslBudget = { steps: 6, imagesPerStep: 64, learningRate: 1e-3, poolImagesPerObject: 1, passesPerPool: 1 };
    const options = { objective: "local-aggregation" as const, seed: 1, budget, backbone: TINY, shipRoot: null, verbose: false, evaluate: false };
    const wholeDir = tmp("ssl-la-a-"), runDir = tmp("ssl-la-b-");
    const whole = await trainSsl({ ...options, runDir: wholeDir });
    expect(whole.log.every((l) => Number.isFinite(l.loss))).toBe(true);
    (await trainSsl({ ...options, runDir, maxSteps: 5 })).backbone.dispose(); // stops inside pool 1, its clusterings made
    const saved = loadCheckpoint(path.join(runDir, "checkpoint")).tensors;
    expect(saved.get("state/bank/vectors")?.shape).toEqual([192, BANK_EMBEDDING]);
    expect(saved.get("state/bank/pool")?.values[0]).toBe(1);
    expect(saved.get("state/bank/clusters")?.shape[1]).toBe(192);
    const resumed = await trainSsl({ ...options, runDir });
    const bankOf = (dir: string) => loadCheckpoint(path.join(dir, "checkpoint")).tensors.get("state/bank/vectors")!.values;
    const [ba, bc] = [bankOf(wholeDir), bankOf(runDir)];
    expect(ba.reduce((m, v, k) => Math.max(m, Math.abs(v - bc[k])), 0)).toBeLessThan(1e-4);
    const a = layersModelArrays(whole.backbone.net, "b"), c = layersModelArrays(resumed.backbone.net, "b");
    a.forEach((w, i) => expect(w.values.reduce((m, v, k) => Math.max(m, Math.abs(v - c[i].values[k])), 0), w.name).toBeLessThan(1e-4));
    whole.backbone.dispose();
    resumed.backbone.dispose();
  }, 120_000);

  it("the untrained baseline ships its initial weights after 0 steps; the plan lists every objective × seed", async () => {
    const ship = tmp("ssl-ship-");
    const result = await trainSsl({ objective: "untrained", seed: 1, backbone: TINY, runDir: tmp("ssl-u-"), shipRoot: ship, verbose: false, evaluate: false });
    expect(result.steps).toBe(0);
    const fresh = createBackbone(1, TINY);
    const saved = loadSslBackbone(path.join(ship, "ssl-untrained-seed1"));
    const x = layersModelArrays(fresh.net, "b"), y = layersModelArrays(saved.net, "b");
    x.forEach((w, i) => expect(Array.from(y[i].values)).toEqual(Array.from(w.values)));
    [fresh, saved, result.backbone].forEach((b) => b.dispose());
    const plan = sslPlan();
    expect(plan.length).toBe(OBJECTIVE_NAMES.length * SSL_SEEDS.length);
    expect(SSL_SEEDS.length).toBeGreaterThanOrEqual(2);
    expect(plan.map((r) => r.name)).toContain("ssl-simclr-seed1");
    // Seed 0 of every objective is trained before any seed 1.
    expect(plan.slice(0, OBJECTIVE_NAMES.length).map((r) => r.name)).toEqual(OBJECTIVE_NAMES.map((o) => `ssl-${o}-seed0`));
    expect(plan.find((r) => r.name === "ssl-rotation-seed0")!.command).toEqual(["train:ssl", "--", "--objective", "rotation", "--seed", "0"]);
    expect(() => objectiveInfo("jigsaw" as ObjectiveName)).toThrow(/unknown objective 'jigsaw'; known: untrained, supervised/);
  });
});
