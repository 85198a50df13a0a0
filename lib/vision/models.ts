/**
 * The candidate models of notebook 01: a zoo of small convolutional networks (tf.layers), shallow to deep, trained
 * to sort HvM-like images (lib/vision/stimuli.ts) into the 8 categories — the goal-driven approach of Yamins et al.
 * 2014 and Yamins & DiCarlo 2016 (hierarchical CNNs optimised for core object recognition, then compared layer by
 * layer with V4 and IT), at a size a laptop CPU trains in minutes. Each model exposes named read-out layers
 * (`conv1` … `convN`, `fc`) whose activations, flattened and spatially pooled to at most ~1,000 features per layer,
 * feed the neural-fit metrics of lib/neuro (Brain-Score's PLS read-out: Schrimpf et al. 2020).
 *
 * The training images are disjoint from the neural test images: other object instances (new ones every epoch,
 * from `TRAINING_OBJECT_SEED` on; never the kit's fixed objects 0 that the simulated recordings use) and other image seeds — as the real models were
 * trained on ImageNet, not on HvM. The simulated ventral stream's hidden model (lib/neuro/simulated-ventral-stream.ts)
 * is hand-built, not a network of this zoo, so no candidate can match it by construction.
 *
 * The screen (`modelScreen`) holds, per architecture, an untrained copy, a partially trained snapshot and the fully
 * trained network, so categorisation performance spreads across the screen as in Yamins et al. 2014 (Fig. 1).
 */
import * as fs from "fs";
import * as path from "path";
import { tf } from "../tf";
import type { NamedArray } from "../tf/checkpoint";
import { layersModelArrays, loadCheckpoint, restoreLayersModel } from "../tf/checkpoint";
import type { StimulusFeatures } from "../neuro/assembly";
import { CATEGORIES, StimulusSet } from "./stimuli";

// ---------------------------------------------------------------------------------------------------------------
// Architectures

/** One convolutional stage: conv (same padding, ReLU) then max-pooling. */
export interface ConvBlockSpec {
  /** Output channels. */
  filters: number;
  /** Square kernel side. */
  kernel: number;
  /** Max-pool window and stride (1: none). */
  pool: number;
}

export interface ArchitectureSpec {
  /** Short name, e.g. "cnn3". */
  name: string;
  /** One line for tables. */
  description: string;
  /** Side of the (grey) input image the network sees; stimuli are average-pooled or resized to it. */
  inputSize: number;
  blocks: ConvBlockSpec[];
  /** Units of the fully connected hidden layer `fc` (ReLU) before the 8 logits. */
  dense: number;
}

/** The zoo, shallow to deep. All see 32×32 grey images (the 64-px stimuli average-pooled 2×). */
export const ARCHITECTURES = {
  cnn2: {
    name: "cnn2", description: "2 conv layers (16, 32 channels), fc 64", inputSize: 32,
    blocks: [{ filters: 16, kernel: 5, pool: 2 }, { filters: 32, kernel: 3, pool: 2 }], dense: 64,
  },
  cnn3: {
    name: "cnn3", description: "3 conv layers (16, 32, 64), fc 128", inputSize: 32,
    blocks: [{ filters: 16, kernel: 5, pool: 2 }, { filters: 32, kernel: 3, pool: 2 }, { filters: 64, kernel: 3, pool: 2 }],
    dense: 128,
  },
  cnn4: {
    name: "cnn4", description: "4 conv layers (16, 32, 64, 128), fc 128", inputSize: 32,
    blocks: [
      { filters: 16, kernel: 5, pool: 2 }, { filters: 32, kernel: 3, pool: 2 }, { filters: 64, kernel: 3, pool: 2 },
      { filters: 128, kernel: 3, pool: 2 },
    ],
    dense: 128,
  },
  wide3: {
    name: "wide3", description: "3 wide conv layers (32, 64, 128), fc 256", inputSize: 32,
    blocks: [{ filters: 32, kernel: 5, pool: 2 }, { filters: 64, kernel: 3, pool: 2 }, { filters: 128, kernel: 3, pool: 2 }],
    dense: 256,
  },
} satisfies Record<string, ArchitectureSpec>;

export type ArchitectureName = keyof typeof ARCHITECTURES;
export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as ArchitectureName[];

/** Object seed of the zoo's first training epoch (later epochs count up; the neural test images use objectSeed 0). */
export const TRAINING_OBJECT_SEED = 1;

export function architecture(name: string): ArchitectureSpec {
  const spec = (ARCHITECTURES as Record<string, ArchitectureSpec>)[name];
  if (!spec) throw new Error(`unknown architecture '${name}'; known: ${ARCHITECTURE_NAMES.join(", ")}`);
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Models

export interface VisionModel {
  readonly architecture: ArchitectureSpec;
  /** Seed of the initial weights. */
  readonly seed: number;
  /** Input image → 8 logits (in CATEGORIES order). */
  readonly net: tf.LayersModel;
  /** Read-out layer labels, bottom to top: "conv1", …, "convN", "fc". */
  readonly layers: readonly string[];
  dispose(): void;
}

/**
 * A fresh network with weights drawn from `seed` (He-normal kernels, zero biases): the same seed gives the same
 * weights. Read-out `convK` is block K's output after ReLU and pooling; `fc` the hidden dense layer.
 */
export function createVisionModel(arch: ArchitectureName | ArchitectureSpec, seed: number): VisionModel {
  const spec = typeof arch === "string" ? architecture(arch) : arch;
  if (!Number.isInteger(seed)) throw new Error(`createVisionModel: seed must be an integer, got ${seed}`);
  // tfjs's random ops read seed 0 as "no seed" (Math.random): keep every initializer seed ≥ 1.
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 1000 + k + 1 });
  const input = tf.input({ shape: [spec.inputSize, spec.inputSize, 1] });
  let h = input as tf.SymbolicTensor;
  spec.blocks.forEach((b, i) => {
    h = tf.layers.conv2d({
      name: `conv${i + 1}_conv`, filters: b.filters, kernelSize: b.kernel, padding: "same", activation: "relu",
      kernelInitializer: init(i),
    }).apply(h) as tf.SymbolicTensor;
    if (b.pool > 1) h = tf.layers.maxPooling2d({ name: `conv${i + 1}`, poolSize: b.pool, strides: b.pool }).apply(h) as tf.SymbolicTensor;
  });
  const flat = tf.layers.flatten({ name: "flatten" }).apply(h) as tf.SymbolicTensor;
  const fc = tf.layers.dense({ name: "fc", units: spec.dense, activation: "relu", kernelInitializer: init(100) }).apply(flat) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ name: "logits", units: CATEGORIES.length, kernelInitializer: init(101) }).apply(fc) as tf.SymbolicTensor;
  const net = tf.model({ inputs: input, outputs: logits });
  const layers = [...spec.blocks.map((_, i) => `conv${i + 1}`), "fc"];
  return { architecture: spec, seed, net, layers, dispose: () => net.dispose() };
}

/** The tf.layers layer behind a read-out label (the pooled block output, or the conv itself when a block has no pool). */
function readoutLayer(model: VisionModel, label: string): tf.layers.Layer {
  if (!model.layers.includes(label)) throw new Error(`no read-out layer '${label}'; this model has ${model.layers.join(", ")}`);
  const k = Number(label.slice(4));
  const pooled = label.startsWith("conv") && model.architecture.blocks[k - 1].pool <= 1 ? `${label}_conv` : label;
  return model.net.getLayer(pooled);
}

/**
 * Stimuli as the network's input: n × inputSize × inputSize × 1, average-pooled (integer factor) or bilinearly
 * resized to the input size, centred and scaled ((x − 0.5) · 4). `images` is n × size × size in [0, 1].
 */
export function prepareImages(images: Float32Array, size: number, inputSize: number): tf.Tensor4D {
  const px = size * size;
  if (images.length % px !== 0) throw new Error(`prepareImages: ${images.length} values are not whole ${size}×${size} images`);
  const n = images.length / px;
  return tf.tidy(() => {
    let x = tf.tensor4d(images, [n, size, size, 1]);
    if (size !== inputSize) {
      x = size % inputSize === 0 ? tf.avgPool(x, size / inputSize, size / inputSize, "valid") : tf.image.resizeBilinear(x, [inputSize, inputSize]);
    }
    return tf.mul(tf.sub(x, 0.5), 4) as tf.Tensor4D;
  });
}

export interface ReadoutOptions {
  /** Read-out labels (default: all of the model's, bottom to top). */
  layers?: readonly string[];
  /**
   * Most features per layer (default 1024): a layer with more is average-pooled spatially by the smallest factor
   * that fits (PLS on a few thousand images stays fast); if even a 1×1 map has more channels, the channels are kept.
   */
  maxFeatures?: number;
  /** Images per forward pass (default 128). */
  batchSize?: number;
  /**
   * Drop features that are the same for every image (dead ReLU units, common in `fc` after training; default true):
   * they carry nothing, and a PLS read-out's solve fails on such rank-deficient features.
   */
  dropConstant?: boolean;
}

export interface LayerReadout {
  layer: string;
  /** images × features, row-major (float32), each row labelled with its stimulus id. */
  features: StimulusFeatures;
  /** The layer's activation shape per image before pooling, [height, width, channels] or [units]. */
  shape: number[];
  /** Spatial average-pooling factor applied (1: none). */
  pool: number;
  /** Features dropped because they were constant over the images (see `dropConstant`). */
  constantDropped: number;
}

/** Keep the columns that vary over the rows. */
function varyingColumns(rows: number, cols: number, data: Float32Array): { cols: number; data: Float32Array; dropped: number } {
  const keep: number[] = [];
  for (let j = 0; j < cols; j++) {
    const first = data[j];
    for (let i = 1; i < rows; i++) if (data[i * cols + j] !== first) { keep.push(j); break; }
  }
  if (keep.length === cols) return { cols, data, dropped: 0 };
  const out = new Float32Array(rows * keep.length);
  for (let i = 0; i < rows; i++) keep.forEach((j, k) => { out[i * keep.length + k] = data[i * cols + j]; });
  return { cols: keep.length, data: out, dropped: cols - keep.length };
}

/** Spatial pooling factor so that ⌈h/f⌉·⌈w/f⌉·c ≤ maxFeatures (global pooling at worst). */
function poolFactor(shape: number[], maxFeatures: number): number {
  if (shape.length !== 3) return 1;
  const [h, w, c] = shape;
  for (let f = 1; f <= Math.max(h, w); f++) if (Math.ceil(h / f) * Math.ceil(w / f) * c <= maxFeatures) return f;
  return Math.max(h, w);
}

/**
 * Any tf.layers network `layerActivations` can read (a zoo model, or notebook 02's backbone): its read-out labels,
 * bottom to top, the side of its input (images are prepared by `prepareImages`), and the layer behind a label
 * (default: the layer of that name).
 */
export interface ReadoutNetwork {
  readonly net: tf.LayersModel;
  readonly layers: readonly string[];
  readonly inputSize: number;
  readonly layerOf?: (label: string) => tf.layers.Layer;
}

/**
 * Activations of the chosen read-out layers for every image of a stimulus set, flattened per image (height, width,
 * channel order), spatially pooled to ≤ `maxFeatures`, constant features dropped. Leaves no tensors.
 */
export function layerActivations(model: VisionModel | ReadoutNetwork, stimuli: StimulusSet, options: ReadoutOptions = {}): LayerReadout[] {
  const network: ReadoutNetwork = "architecture" in model
    ? { net: model.net, layers: model.layers, inputSize: model.architecture.inputSize, layerOf: (l) => readoutLayer(model, l) }
    : model;
  const labels = options.layers ?? network.layers;
  const maxFeatures = options.maxFeatures ?? 1024, batchSize = options.batchSize ?? 128;
  const layerOf = network.layerOf ?? ((l: string) => {
    if (!network.layers.includes(l)) throw new Error(`no read-out layer '${l}'; this network has ${network.layers.join(", ")}`);
    return network.net.getLayer(l);
  });
  const outputs = labels.map((l) => layerOf(l).output as tf.SymbolicTensor);
  const shapes = outputs.map((o) => o.shape.slice(1) as number[]);
  const pools = shapes.map((s) => poolFactor(s, maxFeatures));
  const reader = tf.model({ inputs: network.net.inputs, outputs });
  const n = stimuli.meta.length, px = stimuli.size * stimuli.size;
  const widths = shapes.map((s, i) => (s.length === 3 ? Math.ceil(s[0] / pools[i]) * Math.ceil(s[1] / pools[i]) * s[2] : s[0]));
  const data = widths.map((w) => new Float32Array(n * w));
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = tf.tidy(() => {
      const x = prepareImages(stimuli.images.subarray(start * px, end * px), stimuli.size, network.inputSize);
      const ys = reader.predict(x) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(ys) ? ys : [ys]).map((y, i) => {
        const pooled = pools[i] > 1 ? tf.avgPool(y as tf.Tensor4D, pools[i], pools[i], "same") : y;
        return tf.reshape(pooled, [end - start, widths[i]]);
      });
    });
    batch.forEach((t, i) => data[i].set(t.dataSync() as Float32Array, start * widths[i]));
    tf.dispose(batch);
  }
  const stimulusIds = stimuli.meta.map((m) => m.id);
  return labels.map((layer, i) => {
    const kept = options.dropConstant === false ? { cols: widths[i], data: data[i], dropped: 0 } : varyingColumns(n, widths[i], data[i]);
    const features = { rows: n, cols: kept.cols, data: kept.data, stimulusIds };
    return { layer, features, shape: shapes[i], pool: pools[i], constantDropped: kept.dropped };
  });
}

/** Predicted category index per image (arg-max of the logits). */
export function predictCategories(model: VisionModel, stimuli: StimulusSet, batchSize = 256): Int32Array {
  const n = stimuli.meta.length, px = stimuli.size * stimuli.size;
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const best = tf.tidy(() => {
      const x = prepareImages(stimuli.images.subarray(start * px, end * px), stimuli.size, model.architecture.inputSize);
      return tf.argMax(model.net.predict(x) as tf.Tensor2D, 1);
    });
    out.set(best.dataSync() as Int32Array, start);
    best.dispose();
  }
  return out;
}

/** Fraction of images whose predicted category is their category (chance 1/8). */
export function categoryAccuracy(model: VisionModel, stimuli: StimulusSet): number {
  const predicted = predictCategories(model, stimuli);
  let correct = 0;
  stimuli.meta.forEach((m, i) => { if (CATEGORIES[predicted[i]] === m.category) correct++; });
  return correct / stimuli.meta.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Weights in checkpoints (lib/tf/checkpoint.ts)

/** The model's weights as named arrays `model/<layer>/<i>` for `saveCheckpoint`. */
export function modelWeightArrays(model: VisionModel): NamedArray[] {
  return layersModelArrays(model.net, "model");
}

/** Put saved weights into a model of the same architecture; names the first missing or misshapen weight. */
export function restoreModelWeights(model: VisionModel, tensors: Map<string, NamedArray>, source = "checkpoint"): void {
  restoreLayersModel(model.net, "model", tensors, source, model.architecture.name);
}

/** What a vision checkpoint's state records about the model (see lib/vision/train.ts). */
export interface VisionCheckpointState {
  architecture: ArchitectureSpec;
  seed: number;
  /** Epochs trained when the checkpoint was written. */
  epoch: number;
  step: number;
}

/** Load a network from a checkpoint folder (shipped or run folder) written by lib/vision/train.ts. */
export function loadVisionModel(dir: string): VisionModel & { state: VisionCheckpointState } {
  const { tensors, state } = loadCheckpoint<VisionCheckpointState>(dir);
  if (!state?.architecture?.blocks) throw new Error(`checkpoint ${dir} holds no vision model (no architecture in its state)`);
  const model = createVisionModel(state.architecture, state.seed);
  restoreModelWeights(model, tensors, `checkpoint ${dir}`);
  return { ...model, state };
}

// ---------------------------------------------------------------------------------------------------------------
// The zoo and the screen

export interface ZooEntry {
  architecture: ArchitectureName;
  seed: number;
  /** Training epochs for the full model (proposal timed on the development machine). */
  epochs: number;
  /** Epochs after which a partially trained snapshot is shipped. */
  snapshots: number[];
}

/**
 * What `npm run train:vision` trains for the notebook (each entry: one command; `--zoo` lists them). Epochs are
 * chosen so the whole zoo takes ~35 CPU-minutes with the wasm backend on the 2-core development machine (per epoch
 * of 3,072 images: cnn2 ≈ 14 s, cnn3 ≈ 20 s, cnn4 ≈ 22 s, wide3 ≈ 45 s, plus ~15 s per run for data and evaluations).
 */
export const ZOO: readonly ZooEntry[] = [
  { architecture: "cnn2", seed: 0, epochs: 25, snapshots: [1, 3] },
  { architecture: "cnn3", seed: 0, epochs: 25, snapshots: [1, 3] },
  { architecture: "cnn4", seed: 0, epochs: 25, snapshots: [1, 3] },
  { architecture: "wide3", seed: 0, epochs: 15, snapshots: [1, 3] },
];

/** Shipped folder name of a trained model (`epoch` for a partially trained snapshot). */
export function visionCheckpointName(arch: string, seed: number, epoch?: number): string {
  return `vision-${arch}-seed${seed}${epoch === undefined ? "" : `-epoch${epoch}`}`;
}

export interface ScreenEntry {
  /** e.g. "cnn3 (trained)", "cnn3 (1 epoch)", "cnn3 (untrained)". */
  name: string;
  architecture: ArchitectureName;
  seed: number;
  /** Epochs of training (0: untrained). */
  epochs: number;
  trained: boolean;
  /** Checkpoint folder (null for untrained: the weights come from the seed). */
  dir: string | null;
}

/**
 * The model screen of notebook 01: for each zoo entry, the untrained network, each snapshot and the trained
 * network, from the checkpoints under `checkpointRoot` (default data/checkpoints). Entries whose checkpoint is
 * missing are left out (say which with `missing`).
 */
export function modelScreen(checkpointRoot: string, zoo: readonly ZooEntry[] = ZOO): { entries: ScreenEntry[]; missing: string[] } {
  const entries: ScreenEntry[] = [];
  const missing: string[] = [];
  for (const z of zoo) {
    entries.push({ name: `${z.architecture} (untrained)`, architecture: z.architecture, seed: z.seed, epochs: 0, trained: false, dir: null });
    const stages = [...z.snapshots.map((e) => visionCheckpointName(z.architecture, z.seed, e)), visionCheckpointName(z.architecture, z.seed)];
    stages.forEach((folder, k) => {
      const dir = path.join(checkpointRoot, folder);
      const index = path.join(dir, "checkpoint.json");
      if (!fs.existsSync(index)) { missing.push(dir); return; }
      const epoch = (JSON.parse(fs.readFileSync(index, "utf8")).state as VisionCheckpointState).epoch;
      const label = k === stages.length - 1 ? "trained" : `${epoch} epoch${epoch === 1 ? "" : "s"}`;
      entries.push({ name: `${z.architecture} (${label})`, architecture: z.architecture, seed: z.seed, epochs: epoch, trained: true, dir });
    });
  }
  return { entries, missing };
}

/** The network of a screen entry: loaded from its checkpoint, or fresh from its seed when untrained. */
export function screenModel(entry: ScreenEntry): VisionModel {
  return entry.dir ? loadVisionModel(entry.dir) : createVisionModel(entry.architecture, entry.seed);
}
