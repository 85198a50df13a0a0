/**
 * Training the zoo's networks (lib/vision/models.ts) on 8-way categorisation of HvM-like images, resumable, after
 * lib/rl/learning/train.ts: the run folder (out/runs/<name>/) holds an atomic checkpoint of everything needed to continue
 * (weights, Adam moments, step counter, learning curve, wall time), written every `checkpointSeconds`, at every
 * epoch's end and when the process is asked to stop.
 *
 * Every epoch sees a new training set: new object instances of the 8 categories (object seed
 * `firstTrainingObjectSeed + epoch`) and new images of them (image seed from model seed and epoch). The first zoo
 * trained 25 epochs on one fixed set of 64 objects × 48 images and memorised it (training loss 0.0015, accuracy
 * on new images of the same objects 59 %): what the screen needs is category knowledge that transfers to the
 * neural test objects, as HMO's and AlexNet's large, varied training sets gave them. Generating 3,072 images takes
 * ~3 s, about a sixth of an epoch. Batches come from a per-epoch permutation drawn from (seed, epoch), so a run
 * killed at any moment and resumed takes the same steps an uninterrupted run takes (its weights agree to float
 * rounding: tfjs's Adam recomputes β^t as a power on restore instead of a running product).
 *
 * At the end of each snapshot epoch and of training, the network is evaluated on held-out images (new images of
 * the training objects, and images of objects never seen) and shipped with a manifest to
 * data/checkpoints/vision-<arch>-seed<S>[-epoch<E>]/ — the partially trained snapshots are the screen's
 * "partially trained" models (Yamins et al. 2014 screened models over a range of categorisation performance).
 */
import * as fs from "fs";
import * as path from "path";
import { backendReport, initBackend, tf } from "../tf";
import { gitCommit, hasCheckpoint, loadCheckpoint, optimizerArrays, restoreOptimizer, saveCheckpoint } from "../tf/checkpoint";
import { rng } from "../util/random";
import {
  ArchitectureName, ArchitectureSpec, architecture, categoryAccuracy, createVisionModel, modelWeightArrays, prepareImages,
  restoreModelWeights, TRAINING_OBJECT_SEED, VisionCheckpointState, visionCheckpointName, VisionModel,
} from "./models";
import { CATEGORIES, generateStimuli, OBJECTS_PER_CATEGORY, StimulusSet, VariationLevel } from "./stimuli";
import { stopOnSignal } from "../util/stop-signal";

const ROOT = path.resolve(__dirname, "..", "..");

export interface VisionTrainOptions {
  /** A zoo architecture by name, or a spec (tests use tiny ones). */
  architecture: ArchitectureName | ArchitectureSpec;
  /** Seed of the initial weights and of the batch order. */
  seed: number;
  epochs: number;
  /** Epochs after which a partially trained snapshot is shipped (default [1]). */
  snapshots?: number[];
  /** Images per batch (default 64). */
  batchSize?: number;
  /** Adam's learning rate (default 1e-3). */
  learningRate?: number;
  /** Training images per object and variation level (default 16: 64 objects × 3 levels × 16 = 3,072 images). */
  imagesPerObject?: number;
  /** Held-out images per object and level for the evaluation (default 4: 768 images, and as many of novel objects). */
  heldOutPerObject?: number;
  /** Side of the rendered images (default 64, the neural test images' size; the network pools them to its input). */
  imageSize?: number;
  /** Seconds between checkpoints (default 60; one is also written at every epoch's end). */
  checkpointSeconds?: number;
  /** Run folder (default out/runs/<name>). */
  runDir?: string;
  /** Folder under which finished models and snapshots are shipped (default data/checkpoints); null: do not ship. */
  shipRoot?: string | null;
  /** The command line that started the run, for the manifest. */
  command?: string;
  /** Called after every step (progress display). */
  onStep?: (log: StepLog, etaSeconds: number) => void;
  /** Stop after this many steps in this call (tests: simulate an interruption). */
  maxSteps?: number;
  /** Print what happens (resume, snapshots, evaluation); default true. */
  verbose?: boolean;
}

export interface StepLog {
  step: number;
  /** Fractional epochs done. */
  epoch: number;
  /** Softmax cross-entropy of the batch before the update (nats). */
  loss: number;
  stepsPerSecond: number;
}

export interface EpochLog {
  epoch: number;
  step: number;
  /** Mean batch loss over the epoch (nats). */
  loss: number;
  wallSeconds: number;
}

export interface VisionEvaluation {
  /** Accuracy on new images of the first epoch's training objects (chance 0.125). */
  heldout_accuracy: number;
  n_heldout: number;
  /** Accuracy on images of objects the network never saw (another object seed). */
  novel_object_accuracy: number;
  n_novel: number;
}

/**
 * Where the training, held-out and novel-object images come from (all disjoint from the neural test images, whose
 * objects have seed 0). Epoch e (0-based) trains on objects `firstTrainingObjectSeed + e`; "held-out" evaluates
 * new images of the first epoch's objects; "novel" objects (seed 2) are never trained on.
 */
export const VISION_DATA_SEEDS = {
  /** Image seed of epoch e's training set: trainingImageSeed + 1000 · model seed + e. */
  trainingImageSeed: 100,
  heldOutImageSeed: 9001,
  novelImageSeed: 9002,
  firstTrainingObjectSeed: TRAINING_OBJECT_SEED,
  novelObjectSeed: 2,
} as const;

export function visionRunName(arch: ArchitectureName | ArchitectureSpec, seed: number): string {
  return visionCheckpointName(typeof arch === "string" ? arch : arch.name, seed);
}

interface RunIdentity {
  architecture: ArchitectureSpec;
  seed: number;
  batchSize: number;
  learningRate: number;
  imagesPerObject: number;
  imageSize: number;
  /** The training-data recipe (runs of another recipe cannot be resumed). */
  data: "new objects and images every epoch";
}

interface RunState extends VisionCheckpointState {
  identity: RunIdentity;
  epochs: EpochLog[];
  wallSeconds: number;
  /** Sum of the batch losses of the epoch in progress. */
  epochLossSum: number;
  optimizerNames: string[];
}

export interface VisionTrainResult {
  runDir: string;
  /** Shipped folders written by this call (snapshots and the final model). */
  shipped: string[];
  finished: boolean;
  steps: number;
  epochs: EpochLog[];
  evaluation: VisionEvaluation | null;
  model: VisionModel;
}

/** Category index per image, in CATEGORIES order. */
export function categoryLabels(set: StimulusSet): Int32Array {
  return Int32Array.from(set.meta, (m) => CATEGORIES.indexOf(m.category));
}

const LEVELS: readonly VariationLevel[] = [0, 3, 6];

/** The training set of epoch `epoch` (0-based) of model seed `seed`: new objects and new images every epoch. */
export function visionTrainingSet(seed: number, epoch: number, imagesPerObject: number, size = 64): StimulusSet {
  const objectSeed = VISION_DATA_SEEDS.firstTrainingObjectSeed + epoch;
  if (objectSeed === 0 || objectSeed === VISION_DATA_SEEDS.novelObjectSeed) {
    // Seeds 0 (neural test objects) and 2 (novel objects) must never be trained on: skip them.
    return visionTrainingSet(seed, epoch + 1000, imagesPerObject, size);
  }
  return generateStimuli({ seed: VISION_DATA_SEEDS.trainingImageSeed + 1000 * seed + epoch, objectSeed, imagesPerObject, levels: LEVELS, size });
}

/** Held-out accuracy on new images of the training objects and on novel objects. */
export function evaluateVisionModel(model: VisionModel, perObject = 4, size = 64): VisionEvaluation {
  const heldOut = generateStimuli({ seed: VISION_DATA_SEEDS.heldOutImageSeed, objectSeed: VISION_DATA_SEEDS.firstTrainingObjectSeed, imagesPerObject: perObject, levels: LEVELS, size });
  const novel = generateStimuli({ seed: VISION_DATA_SEEDS.novelImageSeed, objectSeed: VISION_DATA_SEEDS.novelObjectSeed, imagesPerObject: perObject, levels: LEVELS, size });
  return {
    heldout_accuracy: categoryAccuracy(model, heldOut), n_heldout: heldOut.meta.length,
    novel_object_accuracy: categoryAccuracy(model, novel), n_novel: novel.meta.length,
  };
}

/** Train (or resume training of) one zoo network; see the module comment. */
export async function trainVisionModel(options: VisionTrainOptions): Promise<VisionTrainResult> {
  await initBackend({ quiet: true });
  const spec = typeof options.architecture === "string" ? architecture(options.architecture) : options.architecture;
  const identity: RunIdentity = {
    architecture: spec, seed: options.seed, batchSize: options.batchSize ?? 64, learningRate: options.learningRate ?? 1e-3,
    imagesPerObject: options.imagesPerObject ?? 16, imageSize: options.imageSize ?? 64,
    data: "new objects and images every epoch",
  };
  if (!(Number.isInteger(options.epochs) && options.epochs >= 1)) throw new Error(`epochs must be a positive integer, got ${options.epochs}`);
  const snapshots = (options.snapshots ?? [1]).filter((e) => e < options.epochs);
  const verbose = options.verbose ?? true;
  const say = (text: string) => { if (verbose) console.log(text); };
  const name = visionRunName(spec, options.seed);
  const runDir = options.runDir ?? path.join(ROOT, "out", "runs", name);
  const checkpointDir = path.join(runDir, "checkpoint");

  // Epoch `epoch`'s images and one-hot labels as tensors (made when the epoch starts, disposed after it).
  let xs: tf.Tensor | null = null, ys: tf.Tensor | null = null, dataEpoch = -1;
  const disposeData = () => { if (xs) xs.dispose(); if (ys) ys.dispose(); };
  const loadEpoch = (epoch: number) => {
    disposeData();
    const data = visionTrainingSet(options.seed, epoch, identity.imagesPerObject, identity.imageSize);
    xs = prepareImages(data.images, data.size, spec.inputSize);
    ys = tf.tidy(() => tf.oneHot(tf.tensor1d(categoryLabels(data), "int32"), CATEGORIES.length).toFloat());
    dataEpoch = epoch;
  };
  const N = LEVELS.length * CATEGORIES.length * OBJECTS_PER_CATEGORY * identity.imagesPerObject, B = identity.batchSize;
  const stepsPerEpoch = Math.floor(N / B);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${B} exceeds the ${N} training images`);
  const totalSteps = options.epochs * stepsPerEpoch;

  const model = createVisionModel(spec, options.seed);
  const optimizer = tf.train.adam(identity.learningRate);
  const variables = model.net.trainableWeights.map((w) => w.read() as tf.Variable);
  let state: RunState = {
    architecture: spec, seed: options.seed, epoch: 0, step: 0, identity, epochs: [], wallSeconds: 0, epochLossSum: 0, optimizerNames: [],
  };

  if (hasCheckpoint(checkpointDir)) {
    const loaded = loadCheckpoint<RunState>(checkpointDir);
    if (JSON.stringify(loaded.state.identity) !== JSON.stringify(identity)) {
      throw new Error(`the run folder ${runDir} holds a different run (${JSON.stringify(loaded.state.identity)}); delete it or choose another run folder`);
    }
    state = loaded.state;
    restoreModelWeights(model, loaded.tensors, `checkpoint ${checkpointDir}`);
    await restoreOptimizer(optimizer, loaded.tensors, state.optimizerNames, checkpointDir);
    say(`resuming ${name} at step ${state.step} (epoch ${(state.step / stepsPerEpoch).toFixed(2)}) from ${checkpointDir}`);
  }

  const save = async () => {
    const { arrays, names } = await optimizerArrays(optimizer);
    state.optimizerNames = names;
    saveCheckpoint(checkpointDir, [...modelWeightArrays(model), ...arrays], state);
  };

  const shipped: string[] = [];
  const ship = (epoch: number, final: boolean): VisionEvaluation => {
    const evaluation = evaluateVisionModel(model, options.heldOutPerObject ?? 4, identity.imageSize);
    say(`epoch ${epoch}: held-out accuracy ${(100 * evaluation.heldout_accuracy).toFixed(1)} %, novel objects ${(100 * evaluation.novel_object_accuracy).toFixed(1)} %`);
    if (options.shipRoot === null) return evaluation;
    const dir = path.join(options.shipRoot ?? path.join(ROOT, "data", "checkpoints"), visionCheckpointName(spec.name, options.seed, final ? undefined : epoch));
    const shippedState: VisionCheckpointState = { architecture: spec, seed: options.seed, epoch, step: state.step };
    saveCheckpoint(dir, modelWeightArrays(model), shippedState);
    const manifest = {
      name: path.basename(dir),
      command: options.command ?? "trainVisionModel()",
      architecture: spec,
      seed: options.seed,
      epochs: epoch,
      steps: state.step,
      batch_size: B,
      learning_rate: identity.learningRate,
      optimizer: "adam",
      training_data: {
        generator: "generateStimuli (lib/vision/stimuli.ts)", recipe: identity.data,
        image_seed: `${VISION_DATA_SEEDS.trainingImageSeed} + 1000·${options.seed} + epoch`,
        object_seed: `${VISION_DATA_SEEDS.firstTrainingObjectSeed} + epoch`, images_per_object: identity.imagesPerObject, levels: LEVELS,
        images_per_epoch: N, images_seen: state.step * B, image_size: identity.imageSize, input_size: spec.inputSize,
      },
      wall_seconds: Math.round(state.wallSeconds),
      backend: backendReport()?.name ?? "unknown",
      code_commit: gitCommit(ROOT),
      evaluation: {
        ...evaluation,
        heldout_data: { seed: VISION_DATA_SEEDS.heldOutImageSeed, object_seed: VISION_DATA_SEEDS.firstTrainingObjectSeed },
        novel_data: { seed: VISION_DATA_SEEDS.novelImageSeed, object_seed: VISION_DATA_SEEDS.novelObjectSeed },
      },
      training_log: state.epochs,
      written_at: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
    shipped.push(dir);
    return evaluation;
  };

  const signal = stopOnSignal();
  let order: Int32Array | null = null, orderEpoch = -1;
  let lastSave = Date.now(), stepsThisCall = 0;
  let evaluation: VisionEvaluation | null = null;
  try {
    while (state.step < totalSteps && !(await signal.stopRequested())) {
      const epoch = Math.floor(state.step / stepsPerEpoch), k = state.step % stepsPerEpoch;
      if (dataEpoch !== epoch) loadEpoch(epoch);
      if (orderEpoch !== epoch) {
        order = Int32Array.from(rng(options.seed * 7919 + epoch).shuffle(Array.from({ length: N }, (_, i) => i)));
        orderEpoch = epoch;
      }
      const t0 = Date.now();
      const lossValue = tf.tidy(() => {
        const index = tf.tensor1d((order as Int32Array).subarray(k * B, (k + 1) * B), "int32");
        const x = tf.gather(xs as tf.Tensor, index), y = tf.gather(ys as tf.Tensor, index);
        const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.net.apply(x) as tf.Tensor) as tf.Scalar, true, variables);
        return (cost as tf.Scalar).dataSync()[0];
      });
      const dt = await signal.stepSeconds(t0);
      state.wallSeconds += dt;
      state.step++;
      state.epochLossSum += lossValue;
      stepsThisCall++;
      const eta = ((totalSteps - state.step) / state.step) * state.wallSeconds;
      options.onStep?.({ step: state.step, epoch: state.step / stepsPerEpoch, loss: lossValue, stepsPerSecond: 1 / Math.max(dt, 1e-6) }, eta);
      if (state.step % stepsPerEpoch === 0) {
        const done = state.step / stepsPerEpoch;
        state.epochs.push({ epoch: done, step: state.step, loss: state.epochLossSum / stepsPerEpoch, wallSeconds: Math.round(state.wallSeconds * 10) / 10 });
        state.epochLossSum = 0;
        state.epoch = done;
        if (snapshots.includes(done)) ship(done, false);
        await save();
        lastSave = Date.now();
      } else if (Date.now() - lastSave > (options.checkpointSeconds ?? 60) * 1000) {
        await save();
        lastSave = Date.now();
      }
      if (options.maxSteps !== undefined && stepsThisCall >= options.maxSteps) break;
    }
    await save();
    const finished = state.step >= totalSteps;
    if (finished) evaluation = ship(options.epochs, true);
    return { runDir, shipped, finished, steps: state.step, epochs: state.epochs, evaluation, model };
  } finally {
    signal.dispose();
    optimizer.dispose();
    disposeData();
  }
}
