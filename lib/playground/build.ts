/**
 * Building the ant playground (Node): Vite bundles the page (lib/playground/index.html, main.ts) and its simulation
 * worker with three.js, mujoco-js and TensorFlow.js, the library's lib/tf.ts resolved to its browser half
 * (lib/tf/browser.ts); then the shipped Ant checkpoints (weights and index, no training logs) and tfjs's wasm
 * binaries are copied beside it, with checkpoints/index.json listing the policies. The folder works offline from
 * any static host (the course website includes it).
 */
import * as fs from "fs";
import * as path from "path";
// Vite's types by path: its package exports them to ESM resolution only, and the kit's TypeScript resolves as Node 10.
import type { InlineConfig, Plugin } from "../../node_modules/vite/dist/node/index";
import { PROJECT_ROOT } from "../notebooks/jupyter";
import type { CheckpointInfo } from "./protocol";
import { ANT_SETS, AntSet, newestAgents } from "../rl/analysis/report";

export const PLAYGROUND_OUT = path.join(PROJECT_ROOT, "out", "playground");
const SOURCE = path.join(PROJECT_ROOT, "lib", "playground");
const NODE_TF = path.join(PROJECT_ROOT, "lib", "tf.ts");
const BROWSER_TF = path.join(PROJECT_ROOT, "lib", "tf", "browser.ts");

/** Resolve the library's `../tf` imports to lib/tf/browser.ts: same `tf`, without Node's backends. */
function browserTf(): Plugin {
  return {
    name: "kit-browser-tf",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".")) return null;
      const resolved = path.resolve(path.dirname(importer), source);
      return resolved === NODE_TF || `${resolved}.ts` === NODE_TF ? BROWSER_TF : null;
    },
  };
}

/**
 * The shipped Ant checkpoints, as the page lists them: each run once, from the plan's budget set where it is shipped,
 * else from the 2 M-step set (lib/rl/analysis/report.ts newestAgents), with the folder its files are copied from.
 */
export function playgroundCatalogue(sets: readonly AntSet[] = ANT_SETS): (CheckpointInfo & { dir: string })[] {
  return newestAgents(undefined, sets).filter((a) => fs.existsSync(path.join(a.dir, "checkpoint.json")))
    .map(({ dir, manifest: m }) => {
      const own = m.evaluation?.[`sigma_${m.config.sigma}`];
      return { name: path.basename(dir), dir, policy: m.config.policy, sigma: m.config.sigma, seed: m.config.seed, envSteps: m.env_steps, testReturn: own ? Math.round(own.meanReturn) : null };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

export async function buildPlayground(options: { outDir?: string; checkpoints?: readonly AntSet[]; quiet?: boolean } = {}): Promise<{ dir: string; catalogue: CheckpointInfo[] }> {
  const dir = options.outDir ?? PLAYGROUND_OUT;
  // Vite is ESM only; loaded from CommonJS (tsx, tslab) its namespace may arrive under `default`.
  type Vite = { build(config: InlineConfig): Promise<unknown> };
  const vite = (await import("vite" as string)) as Vite & { default?: Vite };
  const build = vite.build ?? vite.default!.build;
  await build({
    root: SOURCE, base: "./", configFile: false, logLevel: "error", plugins: [browserTf()],
    worker: { format: "es", plugins: () => [browserTf()] },
    build: { outDir: dir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 16000, reportCompressedSize: false },
  });
  const found = playgroundCatalogue(options.checkpoints);
  for (const c of found) {
    fs.mkdirSync(path.join(dir, "checkpoints", c.name), { recursive: true });
    for (const f of ["checkpoint.json", "weights.bin"]) fs.copyFileSync(path.join(c.dir, f), path.join(dir, "checkpoints", c.name, f));
  }
  const catalogue: CheckpointInfo[] = found.map(({ dir: _dir, ...info }) => info);
  fs.writeFileSync(path.join(dir, "checkpoints", "index.json"), JSON.stringify(catalogue, null, 1));
  const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  fs.mkdirSync(path.join(dir, "tfjs"), { recursive: true });
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) fs.copyFileSync(path.join(wasmDir, f), path.join(dir, "tfjs", f));
  return { dir, catalogue };
}
