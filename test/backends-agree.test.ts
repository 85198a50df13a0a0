/**
 * A checkpoint trained on one backend gives the same figures on the other: for one shipped Ant policy and one
 * shipped vision network per training backend, re-evaluated on native TensorFlow and on wasm, each against the
 * figures its manifest recorded right after training. Native TensorFlow is skipped, with the reason, where
 * scripts/build-tfjs-node.sh could not build it.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadAgent } from "../lib/rl/learning/agent";
import { EVALUATION_SEED, evaluateOnMorphologies, meanSem } from "../lib/rl/env/evaluate";
import { loadTestSet } from "../lib/rl/env/test-sets";
import { BackendName, useBackend } from "../lib/tf";
import { loadVisionModel } from "../lib/vision/models";
import { evaluateVisionModel } from "../lib/vision/train";

// The plan's set and the 2 M-step Ant set (data/short-budget).
const ROOTS = ["checkpoints", "short-budget"].map((d) => path.resolve(__dirname, "..", "data", d));
const manifests = ROOTS.filter((root) => fs.existsSync(root)).flatMap((root) => fs.readdirSync(root)
  .filter((d) => fs.existsSync(path.join(root, d, "manifest.json")))
  .map((d) => ({ name: path.relative(path.resolve(__dirname, ".."), path.join(root, d)), dir: path.join(root, d), manifest: JSON.parse(fs.readFileSync(path.join(root, d, "manifest.json"), "utf8")) })));
/** The first shipped checkpoint of a family trained on each backend. */
const onePerBackend = (prefix: string) => {
  const seen = new Set<string>();
  return manifests.filter((m) => path.basename(m.dir).startsWith(prefix) && !seen.has(m.manifest.backend) && seen.add(m.manifest.backend));
};

let nativeProblem: string | undefined;
try {
  require("tfjs-node-native");
} catch (e) {
  nativeProblem = (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
const BACKENDS: BackendName[] = nativeProblem ? ["wasm"] : ["tensorflow", "wasm"];
if (nativeProblem) console.warn(`backends-agree: native TensorFlow not available (${nativeProblem}); checking wasm only`);

describe("checkpoints agree across backends", () => {
  const ants = onePerBackend("ant-simple-").slice(0, 2);
  it.each(ants.flatMap((a) => BACKENDS.map((b) => [a.name, a.manifest.backend, b])))("%s (trained on %s) on %s", async (name, _trained, backend) => {
    await useBackend(backend as BackendName);
    const { manifest } = ants.find((a) => a.name === name)!;
    const sigma = manifest.config.sigma as number;
    const recorded = meanSem((manifest.evaluation[`sigma_${sigma}`].perMorphology as { return: number }[]).slice(0, 10).map((r) => r.return));
    const agent = loadAgent(ants.find((a) => a.name === name)!.dir);
    try {
      const now = await evaluateOnMorphologies(agent.act, loadTestSet(sigma, 10), { seed: EVALUATION_SEED });
      // Float rounding differs between backends, and a 1000-step rollout amplifies it (as in shipped-checkpoints.test.ts).
      expect(Math.abs(now.meanReturn - recorded.mean)).toBeLessThanOrEqual(Math.max(3 * Math.hypot(recorded.sem, now.semReturn), 0.15 * Math.abs(recorded.mean)));
    } finally {
      agent.policy.dispose();
    }
  }, 300_000);

  const visions = onePerBackend("vision-").slice(0, 2);
  it.each(visions.flatMap((v) => BACKENDS.map((b) => [v.name, v.manifest.backend, b])))("%s (trained on %s) on %s", async (name, _trained, backend) => {
    await useBackend(backend as BackendName);
    const { manifest } = visions.find((v) => v.name === name)!;
    const model = loadVisionModel(visions.find((v) => v.name === name)!.dir);
    try {
      const now = evaluateVisionModel(model, 4, manifest.training_data.image_size);
      expect(Math.abs(now.heldout_accuracy - manifest.evaluation.heldout_accuracy)).toBeLessThanOrEqual(3 / now.n_heldout);
      expect(Math.abs(now.novel_object_accuracy - manifest.evaluation.novel_object_accuracy)).toBeLessThanOrEqual(3 / now.n_novel);
    } finally {
      model.dispose();
    }
  }, 300_000);
});
