/**
 * Training the shared backbone (lib/vision/ssl/backbone.ts) with one objective of notebook 02, after Zhuang et al.
 * 2021 ("Unsupervised neural network models of the ventral visual stream", PNAS): same backbone, same images, same
 * budget for every objective. Resumable as lib/vision/train.ts: the run folder (out/runs/<name>/) holds an atomic
 * checkpoint of everything needed to continue (backbone with its batch-norm statistics, heads, Adam moments, step,
 * learning curve, wall time), written every `checkpointSeconds` and when the process is asked to stop. Every random
 * choice of step k (batch order, augmentations, rotations, patches, noise) is drawn from (seed, k), so a resumed run
 * takes the steps an uninterrupted one takes.
 *
 * Images: the zoo's training pool (`visionTrainingSet`, lib/vision/train.ts) — new objects (object seeds 1, 3, 4, …;
 * never the neural test objects 0 nor the novel objects 2) and new images in each pool of 3,072 (64 objects × 48 views;
 * the pool-composition study's: 256 × 12, `objectSetsPerPool`), each pool used for `passesPerPool` passes, then the next. The supervised objective reads the pool's category labels; the others
 * ignore them.
 *
 * When training ends, the backbone is evaluated (a linear probe of its embedding for category, on novel objects)
 * and shipped with a manifest to data/checkpoints/ssl-<objective>-seed<S>/. The untrained baseline trains 0 steps.
 */
import * as fs from "fs";
import * as path from "path";
import { backendReport, initBackend, tf } from "../../tf";
import {
  gitCommit, hasCheckpoint, layersModelArrays, loadCheckpoint, NamedArray, optimizerArrays, restoreLayersModel, restoreOptimizer,
  saveCheckpoint,
} from "../../tf/checkpoint";
import { ridgeRegression } from "../../neuro/regression";
import { rng } from "../../util/random";
import { CATEGORIES, generateStimuli, StimulusSet } from "../stimuli";
import { categoryLabels, VISION_DATA_SEEDS, visionTrainingSet } from "../train";
import { STRONG_AUGMENTATION, MILD_AUGMENTATION } from "./augment";
import { Backbone, BackboneSpec, createBackbone, RESNET_S } from "./backbone";
import { autoencoderObjective } from "./autoencoder";
import { instanceRecognitionObjective, localAggregationObjective } from "./bank-objectives";
import { byolObjective } from "./byol";
import type { Objective, SourceBatch } from "./objective";
import { VIEWS_PER_IMAGE } from "./objective";
import { relativePositionObjective } from "./relative-position";
import { rotationObjective } from "./rotation";
import { simclrObjective } from "./simclr";
import { simsiamObjective } from "./simsiam";
import { supervisedObjective } from "./supervised";
import { stopOnSignal } from "../../util/stop-signal";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// ---------------------------------------------------------------------------------------------------------------
// Objectives and the budget

export interface ObjectiveInfo {
  /** One line for tables. */
  description: string;
  /** The paper the module follows. */
  paper: string;
  /** Augmentation of its inputs. */
  augmentation: "none" | "crop and flip" | "SimCLR (crop, flip, brightness/contrast, blur, noise)";
  /** Until it has runs of its own, the objective whose measured step time stands in for its own (npm run bench times them side by side). */
  speedLike?: string;
  /** Makes the objective's heads and loss for a backbone (absent for the untrained baseline). */
  create?: (backbone: Backbone, seed: number) => Objective;
}

export const OBJECTIVES = {
  untrained: { description: "random weights (the baseline)", paper: "—", augmentation: "none" },
  supervised: { description: "8-way categorisation, linear head", paper: "the task-driven reference, Yamins et al. 2014", augmentation: "crop and flip", create: supervisedObjective },
  autoencoder: { description: "reconstruct the image through a 128-number bottleneck", paper: "Hinton & Salakhutdinov 2006", augmentation: "crop and flip", create: autoencoderObjective },
  rotation: { description: "which of 4 rotations was applied", paper: "Gidaris et al. 2018", augmentation: "crop and flip", create: rotationObjective },
  "relative-position": { description: "where a patch lies relative to the centre patch (8-way)", paper: "Doersch et al. 2015", augmentation: "none", create: relativePositionObjective },
  simclr: { description: "contrastive: find the other view of the same image (InfoNCE)", paper: "Chen et al. 2020", augmentation: "SimCLR (crop, flip, brightness/contrast, blur, noise)", create: simclrObjective },
  simsiam: { description: "non-contrastive: predict the other view's projection (stop-gradient)", paper: "Chen & He 2021", augmentation: "SimCLR (crop, flip, brightness/contrast, blur, noise)", create: simsiamObjective },
  byol: { description: "non-contrastive: predict a moving-average target's projection of the other view", paper: "Grill et al. 2020", augmentation: "SimCLR (crop, flip, brightness/contrast, blur, noise)", create: byolObjective },
  "instance-recognition": { description: "contrastive: find the image's own entry in a memory bank of the pool", paper: "Wu et al. 2018", augmentation: "SimCLR (crop, flip, brightness/contrast, blur, noise)", create: instanceRecognitionObjective, speedLike: "simclr" },
  "local-aggregation": { description: "pull close neighbours (shared clusters) together against the background in a memory bank", paper: "Zhuang, Zhai & Yamins 2019", augmentation: "SimCLR (crop, flip, brightness/contrast, blur, noise)", create: localAggregationObjective, speedLike: "simclr" },
} satisfies Record<string, ObjectiveInfo>;

export type ObjectiveName = keyof typeof OBJECTIVES;
export const OBJECTIVE_NAMES = Object.keys(OBJECTIVES) as ObjectiveName[];

export function objectiveInfo(name: string): ObjectiveInfo {
  const info = (OBJECTIVES as Record<string, ObjectiveInfo>)[name];
  if (!info) throw new Error(`unknown objective '${name}'; known: ${OBJECTIVE_NAMES.join(", ")}`);
  return info;
}

/** The budget every objective trains with (and the optimizer), the same for all. */
export interface SslBudget {
  /** Optimizer steps. */
  steps: number;
  /** Source images per step (each gives VIEWS_PER_IMAGE backbone inputs). */
  imagesPerStep: number;
  /** Adam's learning rate. */
  learningRate: number;
  /** Images per object and variation level in a pool (16: 64 objects × 3 levels × 16 = 3,072). */
  poolImagesPerObject: number;
  /**
   * Sets of 64 new objects (`visionTrainingSet`) in a pool; absent: 1. The pool-composition study (SSL_POOL_STUDY)
   * takes 4 sets of 4 images per object and level: 256 objects × 12 views, the same 3,072 images per pool.
   */
  objectSetsPerPool?: number;
  /** Passes over a pool before the next pool (new objects and images) replaces it. */
  passesPerPool: number;
}

/**
 * The shared budget: 6,400 steps × 128 images (819,200 images seen, 1,638,400 backbone inputs; a new pool of
 * 3,072 images every 4 passes of 24 steps), chosen by the budget study (SSL_BUDGET_STUDY; notebook 02, section 2,
 * budgetFromStudy on the validation images): the smallest budget of at least 4 × 800 steps from which doubling gained no more than the seed spread, for both SimCLR and supervised (SimCLR 6,400 → 12,800: probe +0.035, IT +0.012, IT without identity +0.005, against spreads of 0.048, 0.028 and 0.016; 3,200 → 6,400 had gained +0.078 probe, +0.043 IT). The runs shipped before the study had 800 steps.
 * On this workplace's faster machines a step takes ~0.3 s on native TensorFlow (SimCLR 327 ms median, 2026-12-04), so a
 * run takes ~35 min there and up to 5× that on slower ones; on wasm a step takes seconds (SimCLR 3.9 s in the 2026-12-03 bench): train on native TensorFlow.
 */
export const SSL_BUDGET: SslBudget = { steps: 6400, imagesPerStep: 128, learningRate: 1e-3, poolImagesPerObject: 16, passesPerPool: 4 };

/**
 * The pool-composition study (notebook 02, section 6): why does instance recognition trail SimCLR and local
 * aggregation here, where Zhuang et al. found it level with supervised? Our pools hold 64 objects × 48 views, so
 * each image's memory bank holds 47 other views of its own object, which instance recognition pushes away at τ 0.07.
 * The study trains instance recognition and, as the control for everything else that changes, SimCLR (no bank: its
 * negatives are the batch's other images) with the shared budget on pools of 256 objects × 12 views — the same 3,072
 * images per pool, steps and passes, a quarter of the same-object entries in the bank (11 of 3,071 instead of 47).
 * If the bank's same-object entries hold instance recognition back, it gains more than SimCLR does.
 * Shipped to data/ssl-pools/<run>-objects256/ (`npm run train:ssl-pools -- --plan`).
 */
export const SSL_POOL_STUDY = {
  objectives: ["instance-recognition", "simclr"] as ObjectiveName[], seed: 0,
  budget: { ...SSL_BUDGET, poolImagesPerObject: 4, objectSetsPerPool: 4 } as SslBudget,
  root: path.join("data", "ssl-pools"), tag: "objects256",
} as const;

/** A pool-composition study run's name: the objective's run name and the study's tag. */
export function poolStudyRunName(objective: string, seed: number): string {
  return `${sslRunName(objective, seed)}-${SSL_POOL_STUDY.tag}`;
}

/** Seeds shipped per objective. */
export const SSL_SEEDS: readonly number[] = [0, 1];

/**
 * The budget study (issue: notebook 02 at a budget where the objectives have learned): SimCLR and supervised, seed 0,
 * one run each to the largest budget, its backbone shipped (and probed) at every budget on the way to
 * data/ssl-budget/ssl-<objective>-seed0-step<S>/. Adam at a constant rate: the step-S backbone of the long run is the
 * backbone a run of budget S would ship. The grid first ended at 6,400 steps; SimCLR's probe accuracy was still rising
 * there (55.7, 60.4, 67.2, 74.6 % at 800 … 6,400 steps, seed 0), so it was extended to 12,800 (`extend` in trainSsl).
 * `spreadSeed`'s runs stop at the first budget (…-seed1-step800/): with seed 0's
 * snapshot there, they measure how much two seeds differ, the yardstick of "stopped improving".
 */
export const SSL_BUDGET_STUDY = {
  objectives: ["simclr", "supervised"] as ObjectiveName[], seed: 0, spreadSeed: 1, steps: [800, 1600, 3200, 6400, 12800], root: path.join("data", "ssl-budget"),
} as const;

/** How far a budget-study run of `seed` trains: the largest budget for the study's seed, the first for its spread seed. */
export function budgetStudySteps(seed: number): number {
  if (seed === SSL_BUDGET_STUDY.seed) return Math.max(...SSL_BUDGET_STUDY.steps);
  if (seed === SSL_BUDGET_STUDY.spreadSeed) return SSL_BUDGET_STUDY.steps[0];
  throw new Error(`the budget study trains seeds ${SSL_BUDGET_STUDY.seed} and ${SSL_BUDGET_STUDY.spreadSeed} (SSL_BUDGET_STUDY), not ${seed}`);
}

export function sslRunName(objective: string, seed: number): string {
  return `ssl-${objective}-seed${seed}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation and loading

export interface SslEvaluation {
  /** Linear-probe categorisation accuracy of the pooled embedding on new images of novel objects (chance 0.125). */
  probe_accuracy: number;
  n_probe_train: number;
  n_probe_test: number;
  /** The probe's ridge penalty (chosen by leave-one-out on the probe's training images). */
  probe_alpha: number;
}

/** Where the probe's images come from: the never-trained-on novel objects, two image seeds. */
export const PROBE_DATA = { objectSeed: VISION_DATA_SEEDS.novelObjectSeed, trainImageSeed: 9002, testImageSeed: 9003, imagesPerObject: 4 } as const;

/** The pooled embedding (inference mode: batch norm's moving statistics) of every image of a set: n × d, row-major. */
export function embedStimuli(backbone: Backbone, set: StimulusSet, batchSize = 256): Float32Array {
  const n = set.meta.length, px = set.size * set.size, d = backbone.embeddingSize;
  if (set.size !== backbone.spec.inputSize) throw new Error(`embedStimuli: images are ${set.size} px, the backbone takes ${backbone.spec.inputSize}`);
  const out = new Float32Array(n * d);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const h = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * px, end * px), [end - start, set.size, set.size, 1]);
      return backbone.net.predict(tf.mul(tf.sub(x, 0.5), 4)) as tf.Tensor;
    });
    out.set(h.dataSync() as Float32Array, start * d);
    h.dispose();
  }
  return out;
}

/** Linear probe for category: ridge (LOO-chosen penalty) from the embedding to one-hot categories, arg-max. */
export function probeAccuracy(backbone: Backbone, train: StimulusSet, test: StimulusSet): { accuracy: number; alpha: number } {
  const d = backbone.embeddingSize, K = CATEGORIES.length;
  const oneHot = (set: StimulusSet) => {
    const y = new Float64Array(set.meta.length * K);
    categoryLabels(set).forEach((c, i) => { y[i * K + c] = 1; });
    return { rows: set.meta.length, cols: K, data: y };
  };
  const probe = ridgeRegression();
  probe.fit({ rows: train.meta.length, cols: d, data: embedStimuli(backbone, train) }, oneHot(train));
  const scores = probe.predict({ rows: test.meta.length, cols: d, data: embedStimuli(backbone, test) });
  const labels = categoryLabels(test);
  let correct = 0;
  for (let i = 0; i < scores.rows; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores.data[i * K + k] > scores.data[i * K + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return { accuracy: correct / scores.rows, alpha: probe.alpha as number };
}

export function evaluateSslBackbone(backbone: Backbone): SslEvaluation {
  const set = (seed: number) => generateStimuli({ seed, objectSeed: PROBE_DATA.objectSeed, imagesPerObject: PROBE_DATA.imagesPerObject, size: backbone.spec.inputSize });
  const train = set(PROBE_DATA.trainImageSeed), test = set(PROBE_DATA.testImageSeed);
  const probe = probeAccuracy(backbone, train, test);
  return { probe_accuracy: probe.accuracy, n_probe_train: train.meta.length, n_probe_test: test.meta.length, probe_alpha: probe.alpha };
}

/** What a shipped SSL checkpoint's state records. */
export interface SslCheckpointState {
  objective: ObjectiveName;
  backbone: BackboneSpec;
  seed: number;
  step: number;
}

/** Load a backbone from a checkpoint folder (shipped or run folder) written by `trainSsl`. */
export function loadSslBackbone(dir: string): Backbone & { state: SslCheckpointState } {
  const { tensors, state } = loadCheckpoint<SslCheckpointState>(dir);
  if (!state?.backbone?.stages) throw new Error(`checkpoint ${dir} holds no SSL backbone (no backbone spec in its state)`);
  const backbone = createBackbone(state.seed, state.backbone);
  restoreLayersModel(backbone.net, "backbone", tensors, `checkpoint ${dir}`, state.backbone.name);
  return { ...backbone, state };
}

/**
 * Ship the budget study's step-S backbone as the shared-budget run of its objective and seed, where the study has
 * one at exactly `budget.steps` and its run's budget differs in nothing else (the step-S backbone does not depend on
 * the run's budget: SSL_BUDGET_STUDY). Its checkpoint is copied; its manifest gets the shared budget and says where it
 * came from. Returns the shipped folder, or null where the study has no such backbone (then train the run).
 */
export function shipFromBudgetStudy(objective: ObjectiveName, seed: number, budget: SslBudget = SSL_BUDGET,
  roots: { study?: string; ship?: string } = {}): string | null {
  const name = sslRunName(objective, seed);
  const from = path.resolve(ROOT, roots.study ?? SSL_BUDGET_STUDY.root, `${name}-step${budget.steps}`);
  if (!fs.existsSync(path.join(from, "manifest.json"))) return null;
  const manifest = JSON.parse(fs.readFileSync(path.join(from, "manifest.json"), "utf8"));
  const same = manifest.objective === objective && manifest.seed === seed && manifest.steps === budget.steps &&
    JSON.stringify({ ...manifest.budget, steps: budget.steps }) === JSON.stringify(budget);
  if (!same) return null;
  const to = path.resolve(ROOT, roots.ship ?? path.join("data", "checkpoints"), name);
  fs.mkdirSync(to, { recursive: true });
  for (const file of ["weights.bin", "checkpoint.json"]) fs.copyFileSync(path.join(from, file), path.join(to, file));
  const shipped = {
    ...manifest, budget,
    from_budget_study: { folder: path.relative(ROOT, from), run_budget_steps: manifest.budget.steps, note: "the study's run at this step: what a run of this budget ships" },
    written_at: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(to, "manifest.json"), JSON.stringify(shipped, null, 1) + "\n");
  return to;
}

// ---------------------------------------------------------------------------------------------------------------
// Training

export interface SslTrainOptions {
  objective: ObjectiveName;
  seed: number;
  /** The run's name (default ssl-<objective>-seed<S>): its run folder's and shipped folder's default name. */
  name?: string;
  /** Default SSL_BUDGET (tests use small ones). */
  budget?: SslBudget;
  /** Default RESNET_S (tests use a narrower one). */
  backbone?: BackboneSpec;
  /** Seconds between checkpoints (default 60). */
  checkpointSeconds?: number;
  /** Run folder (default out/runs/<name>). */
  runDir?: string;
  /** Folder under which the finished backbone is shipped (default data/checkpoints); null: do not ship. */
  shipRoot?: string | null;
  /** The finished backbone's folder itself (default <shipRoot>/<name>). */
  shipDir?: string;
  /** The command line that started the run, for the manifest. */
  command?: string;
  /** Called after every step (progress display). */
  onStep?: (log: SslStepLog, etaSeconds: number) => void;
  /** Ship the backbone (probed) also at these steps, to `<root>/<name>-step<S>/` (the budget study); the last one is the run's end. */
  snapshots?: { steps: readonly number[]; root: string };
  /**
   * Resume a run folder made under a smaller budget (steps only; nothing else may differ) and train it on to this
   * one: the budget study grows its grid this way. Sound because Adam's rate is constant and step k's batch and
   * augmentations come from (seed, k): the step-S backbone does not depend on the budget.
   */
  extend?: boolean;
  /** Stop after this many steps in this call (tests: an interruption; timing: a few steps). */
  maxSteps?: number;
  /** Evaluate (probe) when finished (default true). */
  evaluate?: boolean;
  /** Print what happens (resume, evaluation); default true. */
  verbose?: boolean;
}

export interface SslStepLog {
  step: number;
  loss: number;
  metrics: Record<string, number>;
  /** Seconds of this step (data preparation excluded). */
  seconds: number;
}

/** Mean loss and diagnostics over one logging interval (a pass over the pool). */
export interface SslIntervalLog {
  step: number;
  loss: number;
  metrics: Record<string, number>;
  wallSeconds: number;
}

export interface SslTrainResult {
  runDir: string;
  shipped: string | null;
  finished: boolean;
  steps: number;
  log: SslIntervalLog[];
  evaluation: SslEvaluation | null;
  backbone: Backbone;
  /** Seconds per step, one entry per step run by this call (for timing). */
  stepSeconds: number[];
}

interface RunIdentity {
  objective: ObjectiveName;
  backbone: BackboneSpec;
  seed: number;
  budget: SslBudget;
  viewsPerImage: number;
  data: "visionTrainingSet pools";
}

interface RunState extends SslCheckpointState {
  identity: RunIdentity;
  log: SslIntervalLog[];
  wallSeconds: number;
  /** Sums over the logging interval in progress. */
  intervalSums: Record<string, number>;
  intervalSteps: number;
  optimizerNames: string[];
}

/** Object sets (64 objects each) per pool. */
const objectSets = (budget: SslBudget) => budget.objectSetsPerPool ?? 1;

/** Images in one pool: objects (64 per set) × 3 variation levels × images per object and level. */
export function poolSize(budget: SslBudget): number {
  const sets = objectSets(budget);
  if (!(Number.isInteger(sets) && sets >= 1)) throw new Error(`objectSetsPerPool must be a positive integer, got ${sets}`);
  return sets * 3 * CATEGORIES.length * 8 * budget.poolImagesPerObject;
}

/**
 * Pool `index` of run seed `seed`: its images (n × size × size) and category labels. A pool of k object sets joins
 * `visionTrainingSet` k·index … k·index + k − 1 (new objects and images each); with one set it is set `index`.
 */
export function trainingPool(seed: number, index: number, budget: SslBudget, size: number): { images: Float32Array; labels: Int32Array; objects: number } {
  const k = objectSets(budget);
  const sets = Array.from({ length: k }, (_, j) => visionTrainingSet(seed, k * index + j, budget.poolImagesPerObject, size));
  // One set's images are used as they are; several are joined (one copy per pool, every few passes).
  let images = sets[0].images;
  if (k > 1) {
    images = new Float32Array(sets.reduce((a, s) => a + s.images.length, 0));
    let offset = 0;
    for (const set of sets) { images.set(set.images, offset); offset += set.images.length; }
  }
  const labels = Int32Array.from(sets.flatMap((set) => Array.from(categoryLabels(set))));
  const objects = sets.reduce((a, set) => a + new Set(set.meta.map((m) => m.object)).size, 0);
  return { images, labels, objects };
}

/** Steps per pass over one pool. */
export function stepsPerPass(budget: SslBudget): number {
  const size = poolSize(budget);
  const steps = Math.floor(size / budget.imagesPerStep);
  if (steps < 1) throw new Error(`imagesPerStep ${budget.imagesPerStep} exceeds the pool's ${size} images`);
  return steps;
}

/** Which pool, which pass over it, and which images (indices into the pool) step `step` of run seed `seed` trains on. */
export function batchIndices(seed: number, step: number, budget: SslBudget): { pool: number; pass: number; indices: Int32Array } {
  const perPass = stepsPerPass(budget), perPool = perPass * budget.passesPerPool;
  const pool = Math.floor(step / perPool), pass = Math.floor((step % perPool) / perPass), k = step % perPass;
  const order = rng(seed * 7919 + pool * 101 + pass).shuffle(Array.from({ length: poolSize(budget) }, (_, i) => i));
  return { pool, pass, indices: Int32Array.from(order.slice(k * budget.imagesPerStep, (k + 1) * budget.imagesPerStep)) };
}

/** Train (or resume training of) the backbone with one objective; see the module comment. */
export async function trainSsl(options: SslTrainOptions): Promise<SslTrainResult> {
  await initBackend({ quiet: true });
  const codeCommit = gitCommit(ROOT); // now: the tree may move on while a long run goes
  const info = objectiveInfo(options.objective);
  const budget = options.budget ?? SSL_BUDGET, spec = options.backbone ?? RESNET_S;
  if (!(Number.isInteger(budget.steps) && budget.steps >= 0)) throw new Error(`budget.steps must be a non-negative integer, got ${budget.steps}`);
  const identity: RunIdentity = { objective: options.objective, backbone: spec, seed: options.seed, budget, viewsPerImage: VIEWS_PER_IMAGE, data: "visionTrainingSet pools" };
  const totalSteps = options.objective === "untrained" ? 0 : budget.steps;
  const verbose = options.verbose ?? true;
  const say = (text: string) => { if (verbose) console.log(text); };
  const name = options.name ?? sslRunName(options.objective, options.seed);
  const runDir = options.runDir ?? path.join(ROOT, "out", "runs", name);
  const checkpointDir = path.join(runDir, "checkpoint");

  const backbone = createBackbone(options.seed, spec);
  const objective = info.create?.(backbone, options.seed) ?? null;
  const heads = Object.entries(objective?.heads ?? {});
  const optimizer = tf.train.adam(budget.learningRate);
  const variables = [backbone.net, ...heads.map(([, h]) => h)].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  let state: RunState = {
    objective: options.objective, backbone: spec, seed: options.seed, step: 0, identity, log: [], wallSeconds: 0,
    intervalSums: {}, intervalSteps: 0, optimizerNames: [],
  };
  const targets = Object.entries(objective?.targets ?? {});
  const weightArrays = (): NamedArray[] => [
    ...layersModelArrays(backbone.net, "backbone"), ...heads.flatMap(([n, h]) => layersModelArrays(h, `head-${n}`)),
    ...targets.flatMap(([n, t]) => layersModelArrays(t, `target-${n}`)),
  ];

  if (hasCheckpoint(checkpointDir)) {
    const loaded = loadCheckpoint<RunState>(checkpointDir);
    const was = loaded.state.identity;
    const extending = options.extend && was?.budget && was.budget.steps <= budget.steps &&
      JSON.stringify({ ...was, budget: { ...was.budget, steps: budget.steps } }) === JSON.stringify(identity);
    if (JSON.stringify(was) !== JSON.stringify(identity) && !extending) {
      throw new Error(`the run folder ${runDir} holds a different run (${JSON.stringify(was)}); delete it or choose another run folder` +
        (was?.budget && was.budget.steps !== budget.steps ? ` (its budget is ${was.budget.steps} steps, this one ${budget.steps}${options.extend ? "" : "; the budget study extends a run to a larger budget"})` : ""));
    }
    state = loaded.state;
    if (extending && was.budget.steps !== budget.steps) {
      say(`${name}: extending the run from its budget of ${was.budget.steps} steps to ${budget.steps}`);
      state.identity = identity;
    }
    const source = `checkpoint ${checkpointDir}`;
    restoreLayersModel(backbone.net, "backbone", loaded.tensors, source, spec.name);
    heads.forEach(([n, h]) => restoreLayersModel(h, `head-${n}`, loaded.tensors, source, n));
    targets.forEach(([n, t]) => restoreLayersModel(t, `target-${n}`, loaded.tensors, source, n));
    objective?.restoreState?.(new Map([...loaded.tensors].filter(([k]) => k.startsWith("state/")).map(([k, v]) => [k.slice("state/".length), v])));
    await restoreOptimizer(optimizer, loaded.tensors, state.optimizerNames, checkpointDir);
    say(`resuming ${name} at step ${state.step} of ${totalSteps} from ${checkpointDir}`);
  }

  const save = async () => {
    const { arrays, names } = await optimizerArrays(optimizer);
    state.optimizerNames = names;
    const kept = (objective?.saveState?.() ?? []).map((a) => ({ ...a, name: `state/${a.name}` }));
    saveCheckpoint(checkpointDir, [...weightArrays(), ...arrays, ...kept], state);
  };

  // The pool in use: images (as one tensor) and category labels, replaced when a step needs the next pool.
  let pool: { index: number; images: tf.Tensor4D; labels: Int32Array } | null = null;
  const poolFor = (index: number) => {
    if (pool?.index === index) return pool;
    if (pool) pool.images.dispose();
    const set = trainingPool(options.seed, index, budget, spec.inputSize);
    pool = { index, images: tf.tensor4d(set.images, [set.labels.length, spec.inputSize, spec.inputSize, 1]), labels: set.labels };
    return pool;
  };

  const ship = (evaluation: SslEvaluation | null, dir = options.shipRoot === null ? null : options.shipDir ?? path.join(options.shipRoot ?? path.join(ROOT, "data", "checkpoints"), name)): string | null => {
    if (dir === null) return null;
    const shippedState: SslCheckpointState = { objective: options.objective, backbone: spec, seed: options.seed, step: state.step };
    saveCheckpoint(dir, weightArrays(), shippedState);
    const manifest = {
      name,
      command: options.command ?? "trainSsl()",
      objective: options.objective,
      objective_description: info.description,
      paper: info.paper,
      backbone: spec,
      seed: options.seed,
      steps: state.step,
      budget,
      images_per_step: budget.imagesPerStep,
      views_per_image: VIEWS_PER_IMAGE,
      images_seen: state.step * budget.imagesPerStep,
      backbone_inputs_seen: state.step * budget.imagesPerStep * VIEWS_PER_IMAGE,
      learning_rate: budget.learningRate,
      optimizer: "adam",
      augmentation: { kind: info.augmentation, ...(info.augmentation.startsWith("SimCLR") ? STRONG_AUGMENTATION : info.augmentation === "none" ? {} : MILD_AUGMENTATION) },
      training_data: {
        generator: "visionTrainingSet (lib/vision/train.ts): generateStimuli with new objects and images per pool",
        image_seed: `${VISION_DATA_SEEDS.trainingImageSeed} + 1000·${options.seed} + pool`,
        object_seed: `${VISION_DATA_SEEDS.firstTrainingObjectSeed} + ${objectSets(budget) > 1 ? `${objectSets(budget)}·pool + j, j < ${objectSets(budget)}` : "pool"} (skipping 0, the neural test objects, and 2, the probe's novel objects)`,
        images_per_object: budget.poolImagesPerObject, passes_per_pool: budget.passesPerPool,
        objects_per_pool: objectSets(budget) * CATEGORIES.length * 8, views_per_object: 3 * budget.poolImagesPerObject,
        pools_used: state.step === 0 ? 0 : Math.floor((state.step - 1) / (stepsPerPass(budget) * budget.passesPerPool)) + 1,
      },
      wall_seconds: Math.round(state.wallSeconds),
      backend: backendReport()?.name ?? "unknown",
      code_commit: codeCommit,
      evaluation: evaluation && {
        ...evaluation,
        probe_data: { object_seed: PROBE_DATA.objectSeed, train_image_seed: PROBE_DATA.trainImageSeed, test_image_seed: PROBE_DATA.testImageSeed },
      },
      training_log: state.log,
      written_at: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
    return dir;
  };

  const signal = stopOnSignal();
  const perPass = stepsPerPass(budget);
  let lastSave = Date.now(), stepsThisCall = 0;
  const stepSeconds: number[] = [];
  try {
    while (objective && state.step < totalSteps && !(await signal.stopRequested())) {
      const { pool: poolIndex, pass, indices } = batchIndices(options.seed, state.step, budget);
      const current = poolFor(poolIndex);
      objective.beforeStep?.({ pool: poolIndex, pass, images: current.images });
      const t0 = Date.now();
      const r = rng(options.seed * 1_000_003 + state.step * 7 + 1);
      const noiseSeed = 1 + ((options.seed * 1_000_003 + state.step * 17) % 2 ** 30);
      let kept: Record<string, tf.Scalar> = {};
      const lossValue = tf.tidy(() => {
        const index = tf.tensor1d(indices, "int32");
        const batch: SourceBatch = { images: tf.gather(current.images, index), labels: Int32Array.from(indices, (i) => current.labels[i]), indices };
        const cost = optimizer.minimize(() => {
          const out = objective.step(batch, r, noiseSeed);
          kept = Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, tf.keep(v)]));
          return out.loss;
        }, true, variables);
        return (cost as tf.Scalar).dataSync()[0];
      });
      objective.afterStep?.();
      const metrics = Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, v.dataSync()[0]]));
      tf.dispose(Object.values(kept));
      const dt = await signal.stepSeconds(t0);
      if (!Number.isFinite(lossValue)) throw new Error(`${name}: the loss became ${lossValue} at step ${state.step + 1}`);
      stepSeconds.push(dt);
      state.wallSeconds += dt;
      state.step++;
      stepsThisCall++;
      for (const [k, v] of Object.entries({ loss: lossValue, ...metrics })) state.intervalSums[k] = (state.intervalSums[k] ?? 0) + v;
      state.intervalSteps++;
      if (state.step % perPass === 0 || state.step === totalSteps) {
        const mean = (k: string) => state.intervalSums[k] / state.intervalSteps;
        state.log.push({
          step: state.step, loss: mean("loss"),
          metrics: Object.fromEntries(Object.keys(metrics).map((k) => [k, mean(k)])), wallSeconds: Math.round(state.wallSeconds * 10) / 10,
        });
        state.intervalSums = {};
        state.intervalSteps = 0;
      }
      if (options.snapshots?.steps.includes(state.step) && state.step < totalSteps) {
        const dir = path.resolve(ROOT, options.snapshots.root, `${name}-step${state.step}`);
        if (!fs.existsSync(path.join(dir, "manifest.json"))) {
          const evaluation = evaluateSslBackbone(backbone);
          ship(evaluation, dir);
          say(`${name}: step ${state.step} snapshot, linear-probe accuracy ${(100 * evaluation.probe_accuracy).toFixed(1)} % → ${path.relative(ROOT, dir)}`);
        }
      }
      const eta = ((totalSteps - state.step) / state.step) * state.wallSeconds;
      options.onStep?.({ step: state.step, loss: lossValue, metrics, seconds: dt }, eta);
      if (Date.now() - lastSave > (options.checkpointSeconds ?? 60) * 1000) {
        await save();
        lastSave = Date.now();
      }
      if (options.maxSteps !== undefined && stepsThisCall >= options.maxSteps) break;
    }
    await save();
    const finished = state.step >= totalSteps;
    let evaluation: SslEvaluation | null = null, shipped: string | null = null;
    if (finished) {
      if (options.evaluate ?? true) {
        evaluation = evaluateSslBackbone(backbone);
        say(`${name}: linear-probe accuracy ${(100 * evaluation.probe_accuracy).toFixed(1)} % (novel objects; chance 12.5 %)`);
      }
      shipped = ship(evaluation);
    }
    return { runDir, shipped, finished, steps: state.step, log: state.log, evaluation, backbone, stepSeconds };
  } finally {
    signal.dispose();
    optimizer.dispose();
    objective?.dispose();
    if (pool) (pool as { images: tf.Tensor }).images.dispose();
  }
}
