/**
 * Checkpoints: named float tensors plus JSON state, written atomically so that a run killed at any moment
 * leaves either the previous checkpoint or the new one, never a half-written one.
 *
 * Layout of a checkpoint folder: `weights.bin` (all tensors, float32, concatenated), `checkpoint.json`
 * (tensor names, shapes and byte offsets, the SHA-256 of weights.bin, and the caller's state). A new
 * checkpoint is written to a sibling temporary folder and renamed into place. Loading checks every size and
 * the hash, and says what is wrong with a corrupt or incomplete checkpoint.
 *
 * Also the pieces every training script's checkpoints and manifests share: a tf.layers model's weights and an
 * optimizer's state as named arrays (and back), and the code commit a manifest records.
 */
import { execSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

import { checkpointArrays, CheckpointIndex as Index, NamedArray, parseCheckpointIndex, sizeOf } from "./checkpoint-format";

export type { NamedArray };

/** Write tensors and state to `dir` atomically (replacing what is there). */
export function saveCheckpoint(dir: string, tensors: NamedArray[], state: unknown): void {
  const names = new Set<string>();
  let total = 0;
  const entries = tensors.map((t) => {
    if (names.has(t.name)) throw new Error(`saveCheckpoint: two tensors are named '${t.name}'`);
    names.add(t.name);
    if (sizeOf(t.shape) !== t.values.length) throw new Error(`saveCheckpoint: '${t.name}' has shape [${t.shape}] but ${t.values.length} values`);
    const entry = { name: t.name, shape: t.shape, offset: total, length: t.values.length };
    total += t.values.length;
    return entry;
  });
  const weights = new Float32Array(total);
  tensors.forEach((t, i) => weights.set(t.values, entries[i].offset));
  const bytes = Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
  const index: Index = {
    format: "kit-checkpoint-1",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    tensors: entries,
    state,
  };
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; a checkpoint is an ordinary folder
  fs.writeFileSync(path.join(tmp, "weights.bin"), bytes);
  fs.writeFileSync(path.join(tmp, "checkpoint.json"), JSON.stringify(index, null, 1));
  const old = `${path.resolve(dir)}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  if (fs.existsSync(old)) fs.rmSync(old, { recursive: true, force: true });
}

/** True if `dir` holds a checkpoint (complete or not; `loadCheckpoint` checks it). */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, "checkpoint.json"));
}

/** Read a checkpoint; throws a message naming the folder and the problem if it is missing or corrupt. */
export function loadCheckpoint<S = unknown>(dir: string): { tensors: Map<string, NamedArray>; state: S } {
  const indexFile = path.join(dir, "checkpoint.json");
  const weightsFile = path.join(dir, "weights.bin");
  if (!fs.existsSync(indexFile)) throw new Error(`no checkpoint in ${dir} (checkpoint.json is missing)`);
  const index = parseCheckpointIndex(fs.readFileSync(indexFile, "utf8"), dir);
  if (!fs.existsSync(weightsFile)) throw new Error(`checkpoint ${dir} is incomplete: weights.bin is missing`);
  const bytes = fs.readFileSync(weightsFile);
  return checkpointArrays<S>(index, bytes, createHash("sha256").update(bytes).digest("hex"), dir);
}

// ---------------------------------------------------------------------------------------------------------------
// Models, optimizers and the code commit

/**
 * Every weight of a tf.layers model (trainable ones and state such as batch norm's moving statistics) as named
 * arrays `<prefix>/<layer>/<i>`.
 */
export function layersModelArrays(net: tf.LayersModel, prefix: string): NamedArray[] {
  return net.layers.flatMap((layer) => layer.getWeights().map((w, i) => ({
    name: `${prefix}/${layer.name}/${i}`, shape: w.shape.slice(), values: w.dataSync() as Float32Array,
  })));
}

/**
 * Put arrays saved by `layersModelArrays` into a model built the same way; names the first missing or misshapen
 * weight (`modelName` says which model expected it).
 */
export function restoreLayersModel(net: tf.LayersModel, prefix: string, tensors: Map<string, NamedArray>, source: string, modelName = "this"): void {
  for (const layer of net.layers) {
    const current = layer.getWeights();
    if (current.length === 0) continue;
    const next = current.map((w, i) => {
      const saved = tensors.get(`${prefix}/${layer.name}/${i}`);
      if (!saved) throw new Error(`${source} lacks weight ${prefix}/${layer.name}/${i}: it was saved by another architecture`);
      if (saved.shape.join("×") !== w.shape.join("×")) {
        throw new Error(`${source}: ${prefix}/${layer.name}/${i} has shape [${saved.shape}], the ${modelName} model expects [${w.shape}]`);
      }
      return tf.tensor(saved.values, saved.shape);
    });
    layer.setWeights(next);
    tf.dispose(next);
  }
}

/** A tf.train optimizer's state (Adam's moments and step count) as arrays `optimizer/<i>`, with the names to restore it. */
export async function optimizerArrays(optimizer: tf.Optimizer): Promise<{ arrays: NamedArray[]; names: string[] }> {
  const weights = await optimizer.getWeights();
  const arrays = weights.map((w, i) => ({ name: `optimizer/${i}`, shape: w.tensor.shape.slice(), values: w.tensor.dataSync() as Float32Array }));
  // getWeights makes a fresh scalar for the iteration count; the moments are the optimizer's own variables.
  tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  return { arrays, names: weights.map((w) => w.name) };
}

/** Restore what `optimizerArrays` saved (`names` from the checkpoint's state). */
export async function restoreOptimizer(optimizer: tf.Optimizer, tensors: Map<string, NamedArray>, names: string[], dir: string): Promise<void> {
  if (names.length === 0) return;
  const weights = names.map((name, i) => {
    const saved = tensors.get(`optimizer/${i}`);
    if (!saved) throw new Error(`checkpoint ${dir} lacks optimizer state ${i}`);
    return { name, tensor: tf.tensor(saved.values, saved.shape) };
  });
  await optimizer.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor)); // the optimizer keeps its own variables
}

/** HEAD of the repository at `root`, with "+uncommitted" when lib/ or scripts/ differ from it; "unknown" outside git. */
export function gitCommit(root: string): string {
  const git = (args: string) => execSync(`git ${args}`, { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  try {
    const head = git("rev-parse HEAD");
    return git("status --porcelain -- lib scripts") ? `${head}+uncommitted` : head;
  } catch {
    return "unknown";
  }
}
