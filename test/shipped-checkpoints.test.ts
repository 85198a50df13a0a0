/**
 * Every shipped checkpoint (data/checkpoints/<name>/, and the Ant policies of the 2 M-step set in data/short-budget/) loads, has a complete manifest, and re-evaluated agrees with
 * the figures its manifest recorded right after training: Ant policies on a cheap subset (the first 10 bodies of
 * their training σ's test set), vision networks on their full held-out and novel-object sets (a forward pass).
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadAgent } from "../lib/rl/agent";
import { EVALUATION_SEED, evaluateOnMorphologies, meanSem } from "../lib/rl/evaluate";
import { loadTestSet } from "../lib/rl/test-sets";
import { initBackend } from "../lib/tf";
import { loadVisionModel } from "../lib/vision/models";
import { evaluateVisionModel } from "../lib/vision/train";

const DIR = path.resolve(__dirname, "..", "data", "checkpoints");
const SHORT_BUDGET = path.resolve(__dirname, "..", "data", "short-budget");
const shippedWith = (prefix: string, root = DIR) =>
  fs.existsSync(root) ? fs.readdirSync(root).filter((d) => d.startsWith(prefix) && fs.existsSync(path.join(root, d, "manifest.json"))).map((d) => path.join(root, d)) : [];
const shipped = [...shippedWith("ant-"), ...shippedWith("ant-", SHORT_BUDGET)];
const shippedVision = shippedWith("vision-");
const rel = (dir: string) => path.relative(path.resolve(__dirname, ".."), dir);

describe.skipIf(shipped.length === 0)("shipped Ant checkpoints", () => {
  it.each(shipped.map((d) => [rel(d)]))("%s re-evaluates as its manifest says", async (name) => {
    await initBackend({ quiet: true });
    const dir = path.resolve(__dirname, "..", name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    for (const key of ["command", "config", "env_steps", "wall_seconds", "backend", "code_commit", "evaluation"]) expect(manifest, key).toHaveProperty(key);
    const sigma = manifest.config.sigma as number;
    const recorded = manifest.evaluation[`sigma_${sigma}`].perMorphology.slice(0, 10) as { return: number }[];
    const agent = loadAgent(dir);
    const now = await evaluateOnMorphologies(agent.act, loadTestSet(sigma, 10), { seed: EVALUATION_SEED });
    const before = meanSem(recorded.map((r) => r.return));
    // Same bodies and seeds; batch size and backend change float rounding, which a 1000-step rollout can amplify.
    const tolerance = Math.max(3 * Math.hypot(before.sem, now.semReturn), 0.15 * Math.abs(before.mean));
    expect(Math.abs(now.meanReturn - before.mean)).toBeLessThanOrEqual(tolerance);
  }, 300_000);
});

describe.skipIf(shippedVision.length === 0)("shipped vision checkpoints", () => {
  it.each(shippedVision.map((d) => [rel(d)]))("%s re-evaluates as its manifest says", async (name) => {
    await initBackend({ quiet: true });
    const dir = path.resolve(__dirname, "..", name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    for (const key of ["command", "architecture", "seed", "epochs", "steps", "training_data", "wall_seconds", "backend", "code_commit", "evaluation"]) {
      expect(manifest, key).toHaveProperty(key);
    }
    const model = loadVisionModel(dir);
    try {
      expect(model.state.epoch).toBe(manifest.epochs);
      const now = evaluateVisionModel(model, 4, manifest.training_data.image_size);
      expect(now.n_heldout).toBe(manifest.evaluation.n_heldout);
      // The same images and weights: only float rounding of another batch split or backend can flip an image.
      expect(Math.abs(now.heldout_accuracy - manifest.evaluation.heldout_accuracy)).toBeLessThanOrEqual(3 / now.n_heldout);
      expect(Math.abs(now.novel_object_accuracy - manifest.evaluation.novel_object_accuracy)).toBeLessThanOrEqual(3 / now.n_novel);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
