/**
 * The kit's batch norm (lib/tf/batch-norm.ts) is tfjs's BatchNormalization with a closed-form gradient: same output,
 * same gradients for x, γ and β, same moving averages, on dense and conv inputs, with the tfjs-op gradient and (where
 * tfjs-node is built) TensorFlow's fused kernels; the gradient also against central finite differences. No tensor
 * left behind.
 */
import { describe, expect, it } from "vitest";
import { tf, useBackend } from "../lib/tf";
import { BatchNorm, batchNormTraining } from "../lib/tf/batch-norm";

let nativeProblem: string | undefined;
try {
  require("tfjs-node-native");
} catch (e) {
  nativeProblem = (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
if (nativeProblem) console.warn(`batch-norm: native cases skipped, native TensorFlow not built (${nativeProblem})`);

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** One training call of both layers on `x` (same γ, β), returning outputs, the gradients of a fixed loss, and moving stats. */
function compare(shape: number[], seed: number) {
  return tf.tidy(() => {
    const channels = shape[shape.length - 1];
    const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, "float32", seed), 3), 1.5);
    const weight = tf.randomNormal(shape, 0, 1, "float32", seed + 1); // loss = Σ weight·tanh(y): a non-trivial dy
    const gamma = tf.randomUniform([channels], 0.5, 2, "float32", seed + 2);
    const beta = tf.randomNormal([channels], 0, 1, "float32", seed + 3);
    const ours = new BatchNorm({ name: "kit", momentum: 0.9, epsilon: 1e-5 });
    const theirs = tf.layers.batchNormalization({ name: "tfjs", momentum: 0.9, epsilon: 1e-5 });
    const run = (layer: tf.layers.Layer) => {
      layer.apply(tf.zeros([2, ...shape.slice(1)])); // build
      layer.setWeights([gamma, beta, tf.zeros([channels]), tf.ones([channels])]);
      const w = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      const f = (xIn: tf.Tensor) => tf.sum(tf.mul(weight, tf.tanh(layer.apply(xIn, { training: true }) as tf.Tensor))) as tf.Scalar;
      const { grads } = tf.variableGrads(() => f(x), w);
      const dx = tf.grad(f)(x);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return { y, dx, dGamma: grads[w[0].name], dBeta: grads[w[1].name], moving: layer.getWeights().slice(2) };
    };
    const a = run(ours), b = run(theirs);
    const diffs = {
      y: maxAbsDiff(a.y, b.y), dx: maxAbsDiff(a.dx, b.dx), dGamma: maxAbsDiff(a.dGamma, b.dGamma), dBeta: maxAbsDiff(a.dBeta, b.dBeta),
      movingMean: maxAbsDiff(a.moving[0], b.moving[0]), movingVariance: maxAbsDiff(a.moving[1], b.moving[1]),
      scale: tf.max(tf.abs(b.dx)).dataSync()[0],
    };
    ours.dispose(); theirs.dispose();
    return diffs;
  });
}

const backends = ["cpu", "wasm", ...(nativeProblem ? [] : ["tensorflow"])];

describe("kit batch norm", () => {
  for (const backend of backends) {
    it(`matches tfjs's BatchNormalization on ${backend}: output, gradients, moving averages (dense and conv)`, async () => {
      await useBackend(backend as "cpu" | "wasm" | "tensorflow");
      const before = tf.memory().numTensors;
      for (const [shape, seed] of [[[32, 6], 1], [[4, 5, 7, 3], 2]] as const) {
        const d = compare([...shape], seed);
        expect(d.y).toBeLessThan(2e-5);
        expect(d.dx).toBeLessThan(2e-4 * Math.max(1, d.scale));
        expect(d.dGamma).toBeLessThan(5e-4);
        expect(d.dBeta).toBeLessThan(5e-4);
        expect(d.movingMean).toBeLessThan(1e-5);
        expect(d.movingVariance).toBeLessThan(1e-4);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("its gradient matches central finite differences (tfjs ops and, where built, the native kernels)", async () => {
    for (const backend of ["cpu", ...(nativeProblem ? [] : ["tensorflow"])]) {
      await useBackend(backend as "cpu" | "tensorflow");
      tf.tidy(() => {
        const shape = [3, 2, 2, 2];
        const xs = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 2 + (i % 3));
        const weight = tf.tensor(Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.9)), shape);
        const gamma = tf.tensor1d([1.3, -0.7]), beta = tf.tensor1d([0.2, -0.4]);
        const loss = (x: tf.Tensor) => tf.sum(tf.mul(weight, tf.square(batchNormTraining(x, gamma, beta, 1e-3, backend === "tensorflow").y)));
        const analytic = tf.grad(loss)(tf.tensor(xs, shape)).dataSync();
        // float64 finite differences of the same loss in plain JavaScript
        const lossJs = (v: number[]) => {
          let total = 0;
          const w = weight.dataSync(), g = [1.3, -0.7], b = [0.2, -0.4];
          for (let c = 0; c < 2; c++) {
            const vals = v.filter((_, i) => i % 2 === c);
            const mu = vals.reduce((s, a) => s + a, 0) / vals.length;
            const varb = vals.reduce((s, a) => s + (a - mu) ** 2, 0) / vals.length;
            v.forEach((a, i) => { if (i % 2 === c) total += w[i] * (g[c] * (a - mu) / Math.sqrt(varb + 1e-3) + b[c]) ** 2; });
          }
          return total;
        };
        const h = 1e-4;
        xs.forEach((_, i) => {
          const up = xs.slice(), down = xs.slice();
          up[i] += h; down[i] -= h;
          expect(analytic[i]).toBeCloseTo((lossJs(up) - lossJs(down)) / (2 * h), 2);
        });
      });
    }
  });

  it("says what is wrong with a bad input", async () => {
    await useBackend("cpu");
    tf.tidy(() => {
      expect(() => batchNormTraining(tf.zeros([4, 3, 2]), tf.ones([2]), tf.zeros([2]), 1e-3)).toThrow(/2-d .* or 4-d/);
      expect(() => batchNormTraining(tf.zeros([4, 3]), tf.ones([2]), tf.zeros([2]), 1e-3)).toThrow(/need 3 values/);
      expect(() => batchNormTraining(tf.zeros([1, 3]), tf.ones([3]), tf.zeros([3]), 1e-3)).toThrow(/at least 2 values per channel/);
    });
    expect(() => new BatchNorm({ name: "b", momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
  });
});
