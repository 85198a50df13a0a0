/**
 * Every shipped checkpoint (data/checkpoints/<name>/, and the Ant policies of the 2 M-step set in data/short-budget/) loads, has a complete manifest, and re-evaluated agrees with
 * the figures its manifest recorded right after training: Ant policies on a cheap subset (the first 10 bodies of
 * their training σ's test set; the policies of one σ evaluated together), vision networks on their full held-out and novel-object sets (a forward pass).
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAgent } from "../lib/rl/learning/agent";
import { EVALUATION_SEED, evaluateMany, EvaluationSummary, meanSem } from "../lib/rl/env/evaluate";
import { loadTestSet } from "../lib/rl/env/test-sets";
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

/**
 * Every shipped Ant policy on the first 10 bodies of its training σ's test set, the policies of one σ packed into one
 * evaluation (each gets the episodes it gets alone: test/ant.test.ts checks that), computed once for the tests below.
 */
let reevaluated: Promise<Map<string, EvaluationSummary>> | undefined;
const reevaluate = (): Promise<Map<string, EvaluationSummary>> => (reevaluated ??= (async () => {
  await initBackend({ quiet: true });
  const bySigma = new Map<number, string[]>();
  for (const dir of shipped) {
    const sigma = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).config.sigma as number;
    bySigma.set(sigma, [...(bySigma.get(sigma) ?? []), dir]);
  }
  const out = new Map<string, EvaluationSummary>();
  for (const [sigma, dirs] of bySigma) {
    const agents = dirs.map((d) => loadAgent(d));
    try {
      const summaries = await evaluateMany(agents.map((a) => ({ act: a.act, morphologies: loadTestSet(sigma, 10) })), { seed: EVALUATION_SEED });
      dirs.forEach((d, k) => out.set(rel(d), summaries[k]));
    } finally {
      agents.forEach((a) => a.policy.dispose());
    }
  }
  return out;
})());

describe.skipIf(shipped.length === 0)("shipped Ant checkpoints", () => {
  beforeAll(reevaluate, 900_000);

  it.each(shipped.map((d) => [rel(d)]))("%s re-evaluates as its manifest says", async (name) => {
    const dir = path.resolve(__dirname, "..", name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    for (const key of ["command", "config", "env_steps", "wall_seconds", "backend", "code_commit", "evaluation"]) expect(manifest, key).toHaveProperty(key);
    const sigma = manifest.config.sigma as number;
    const recorded = manifest.evaluation[`sigma_${sigma}`].perMorphology.slice(0, 10) as { return: number }[];
    const now = (await reevaluate()).get(name)!;
    expect(now.n).toBe(10);
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
