/**
 * The kit's kernels for native TensorFlow (lib/tf/native-kernels.ts) give exactly what tfjs defines: Step(x) is 1
 * where x > 0, alpha elsewhere, NaN where x is NaN; ReLU's gradient (TensorFlow's fused ReluGrad) is dy times the 0/1
 * mask, equal to tfjs's dy · step(x) for finite x. Skipped, with the reason, where the native backend is not built.
 */
import { describe, expect, it } from "vitest";
import { tf, useBackend } from "../lib/tf";

let problem: string | undefined;
try {
  require("tfjs-node-native");
} catch (e) {
  problem = (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
if (problem) console.warn(`native-kernels: skipped, native TensorFlow not built (${problem})`);

describe.skipIf(Boolean(problem))("native TensorFlow kernels", () => {
  const special = [NaN, -1, 0, -0, 2, Infinity, -Infinity, 1e-30, -1e-30, 3.5];
  const reference = (x: number, alpha: number) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : alpha);

  it("Step registered by the kit, equal to its definition for alpha 0 and another alpha", async () => {
    const detail = await useBackend("tensorflow");
    expect(detail).toMatch(/kit kernels: Step, ReluGrad/);
    const values = [...special, ...Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 5)];
    for (const alpha of [0, 0.3]) {
      const got = Array.from(tf.tidy(() => tf.step(tf.tensor1d(values), alpha).dataSync()));
      values.forEach((x, i) => {
        const want = reference(x, alpha);
        if (Number.isNaN(want)) expect(got[i]).toBeNaN();
        else expect(got[i]).toBeCloseTo(want, 6);
      });
    }
  });

  it("ReLU's gradient is the 0/1 mask, with no tensor left behind", async () => {
    await useBackend("tensorflow");
    const x = tf.tensor2d([[-2, -0.5, 0, 0.5], [3, -1e-7, 1e-7, 8]]);
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), 2)))(x).dataSync()));
    expect(tf.memory().numTensors).toBe(before);
    expect(g).toEqual([0, 0, 0, 2, 2, 0, 2, 2]);
    x.dispose();
  });

  it("ReLU's gradient through ReluGrad equals tfjs's dy · step(x), value for value, inside a larger graph", async () => {
    await useBackend("tensorflow");
    const n = 5000;
    const x = tf.tensor1d([...special.filter((v) => !Number.isNaN(v)), ...Array.from({ length: n }, (_, i) => Math.sin(i * 78.233) * 3)]);
    const dyWeights = tf.tensor1d(Array.from({ length: x.size }, (_, i) => Math.cos(i * 4.1414) * 2));
    const [viaKit, viaFormula] = tf.tidy(() => {
      const kit = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dyWeights)))(x);
      const formula = tf.mul(dyWeights, tf.step(x));
      return [Array.from(kit.dataSync()), Array.from(formula.dataSync())];
    });
    // +0 and −0 count as equal (dy · 0 is −0 for negative dy).
    expect(viaKit.map((v) => v + 0)).toEqual(viaFormula.map((v) => v + 0));
    x.dispose();
    dyWeights.dispose();
  });
});
