/**
 * Every shipped SSL backbone (data/checkpoints/ssl-*, the budget study's snapshots in data/ssl-budget/, the pool study's runs in data/ssl-pools/) loads, has a complete manifest, and its linear probe
 * re-evaluated agrees with the accuracy the manifest recorded right after training (same images, same weights).
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { initBackend } from "../lib/tf";
import { evaluateSslBackbone, loadSslBackbone, SSL_BUDGET_STUDY, SSL_POOL_STUDY } from "../lib/vision/ssl/train";

// KIT_SSL_CHECKPOINTS points the test at another folder (e.g. a sweep's ship root before its checkpoints are committed).
const ROOT = path.resolve(__dirname, "..");
const DIRS = [process.env.KIT_SSL_CHECKPOINTS ?? path.join(ROOT, "data", "checkpoints"), path.join(ROOT, SSL_BUDGET_STUDY.root), path.join(ROOT, SSL_POOL_STUDY.root)];
const shipped = DIRS.filter((root) => fs.existsSync(root)).flatMap((root) => fs.readdirSync(root)
  .filter((d) => d.startsWith("ssl-") && fs.existsSync(path.join(root, d, "manifest.json"))).map((d) => path.relative(ROOT, path.join(root, d))));

describe.skipIf(shipped.length === 0)("shipped SSL backbones", () => {
  it.each(shipped.map((d) => [d]))("%s re-evaluates as its manifest says", async (name) => {
    await initBackend({ quiet: true });
    const dir = path.resolve(ROOT, name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    for (const key of ["command", "objective", "backbone", "seed", "steps", "images_seen", "training_data", "wall_seconds", "backend", "code_commit", "evaluation", "training_log"]) {
      expect(manifest, key).toHaveProperty(key);
    }
    const backbone = loadSslBackbone(dir);
    try {
      expect(backbone.state.step).toBe(manifest.steps);
      expect(backbone.state.objective).toBe(manifest.objective);
      const now = evaluateSslBackbone(backbone);
      expect(now.n_probe_test).toBe(manifest.evaluation.n_probe_test);
      // The same images and weights: only float rounding of another backend or batch split can flip an image.
      expect(Math.abs(now.probe_accuracy - manifest.evaluation.probe_accuracy)).toBeLessThanOrEqual(3 / now.n_probe_test);
    } finally {
      backbone.dispose();
    }
  }, 120_000);
});
