/**
 * Notebook 01's benchmark applied to a backbone of notebook 02, layer by layer, as Zhuang et al. 2021 scored their
 * self-supervised ResNet-18s (Brain-Score's neural predictivity, Schrimpf et al. 2020; linear categorisation,
 * Yamins et al. 2014; RSA, Kriegeskorte et al. 2008) plus the decoding of category-orthogonal properties that IT
 * carries too (Hong, Yamins, Majaj & DiCarlo 2016: position, size and pose decoded linearly from IT and from
 * task-trained networks' top layers).
 *
 * Per read-out layer: linear-probe categorisation (a linear classifier on one-hot targets, 90/10 splits stratified
 * by category); ceiled V4 and IT predictivity (PLS-25, splits stratified by object, r / split-half ceiling); RSA
 * with IT (object-level RDMs, Spearman, ceiled); decoding of position (tx, ty), size (scale) and pose (three
 * rotation angles): held-out Pearson r, mean over a property's latents, on the images with variation (levels 3 and
 * 6; level 0 has none), splits stratified by category.
 *
 * The linear read-out of the probe and the decoders is PLS-25 by default, the mapping of the neural fits: a ridge
 * with its penalty chosen by leave-one-out (`readout: "ridge"`, what notebook 01's categorisation uses) costs ~7 s
 * per layer for the probe and ~15 s for the decoders on 768 images × 512 features on the development machine,
 * against ~1 s for PLS — too slow for every layer of sixteen backbones in a lecture.
 */
import {
  categorizationAccuracy, ceiledScores, crossRegressedCorrelation, crossRegressedCorrelationOnMatrices, meanOverRepetitions, plsRegression, rdm,
  rdmCorrelation, rdmSplitHalfCeiling, ridgeRegression, selectSites, simulateVentralStream, splitHalfCeiling, stimulusLabels, takeRows,
} from "../../neuro";
import type { Matrix, NeuralAssembly, Rdm, RegressionFactory, SimulatedVentralStreamOptions } from "../../neuro";
import { matrix } from "../../util/linalg";
import { layerActivations, LayerReadout } from "../models";
import { generateStimuli, StimulusSet } from "../stimuli";
import type { Backbone } from "./backbone";

export interface NeuralBenchmark {
  /** The images shown (the neural test images), in the assemblies' stimulus order. */
  stimuli: StimulusSet;
  V4: NeuralAssembly;
  IT: NeuralAssembly;
  /** Split-half ceilings of the two assemblies (splitHalfCeiling). */
  ceilings: { V4: number; IT: number };
}

/**
 * Notebook 01's neural test images and simulated ventral stream (its STIMULUS_SEED and NEURAL_SEED), and the image
 * seed of the validation images: other images (poses, backgrounds) of the same objects, shown to the same simulated
 * neurons, for choosing a training setting without looking at the test images (the budget study).
 */
export const BENCHMARK_SEEDS = { stimuli: 0, neural: 2015, validationStimuli: 1 } as const;

/**
 * Notebook 01's benchmark: its test images (objects of seed 0, never trained on) at `imagesPerObject` per object
 * and level, the simulated V4 and IT recordings of them, and their split-half ceilings. `simulation` passes options
 * to `simulateVentralStream`: `{ itIdentity: false }` is the same benchmark with IT's label-driven identity part
 * off (image-computable IT sites; V4 and the images are the same). `images: "validation"` shows the same neurons
 * the validation images instead of the test images.
 */
export async function simulatedBenchmark(options: {
  imagesPerObject: number; repetitions?: number; simulation?: SimulatedVentralStreamOptions; images?: "test" | "validation";
}): Promise<NeuralBenchmark & { description: string }> {
  const images = options.images ?? "test";
  if (images !== "test" && images !== "validation") throw new Error(`simulatedBenchmark: images must be "test" or "validation", got ${JSON.stringify(images)}`);
  const stimuli = generateStimuli({ seed: images === "test" ? BENCHMARK_SEEDS.stimuli : BENCHMARK_SEEDS.validationStimuli, imagesPerObject: options.imagesPerObject });
  const neural = await simulateVentralStream(stimuli, { seed: BENCHMARK_SEEDS.neural, repetitions: options.repetitions ?? 40, ...options.simulation });
  const V4 = selectSites(neural, "V4"), IT = selectSites(neural, "IT");
  return { stimuli, V4, IT, ceilings: { V4: splitHalfCeiling(V4).ceiling, IT: splitHalfCeiling(IT).ceiling }, description: neural.description };
}

export interface BenchmarkOptions {
  /** Cross-validation splits of every score (default 10, Brain-Score's). */
  splits?: number;
  /** Most features per layer (default 1024; see layerActivations). */
  maxFeatures?: number;
  /** Read-out layers (default all of the backbone's). */
  layers?: readonly string[];
  /** Linear read-out of the probe and the decoders (default "pls"). */
  readout?: Readout;
}

export interface LayerScores {
  layer: string;
  features: number;
  /** Held-out accuracy of a linear category read-out (chance 1/8). */
  probe_accuracy: number;
  /** Ceiled predictivity (median over sites of held-out r, / ceiling). */
  V4: number;
  IT: number;
  /** Spearman of object-level RDMs with IT, / the RDM ceiling. */
  rsa_IT: number;
  /** Held-out r of linear decoders of category-orthogonal properties (levels 3 and 6). */
  decoding: { position: number; size: number; pose: number };
}

/** The three properties decoded, as stimulus metadata fields. */
export const ORTHOGONAL_PROPERTIES = { position: ["tx", "ty"], size: ["scale"], pose: ["rxy", "rxz", "ryz"] } as const;

/** The linear read-out of probes and decoders (see the module comment). */
export type Readout = "pls" | "ridge";

function readoutFactory(readout: Readout, features: number): RegressionFactory {
  return readout === "ridge" ? () => ridgeRegression() : () => plsRegression({ nComponents: Math.min(25, features - 1) });
}

/** Held-out r of a linear decoder per property (mean over its latents), on the images with variation. */
export function decodeProperties(features: Matrix, stimuli: StimulusSet, splits: number, readout: Readout = "pls"): LayerScores["decoding"] {
  const rows = stimuli.meta.flatMap((m, i) => (m.variation === 0 ? [] : [i]));
  const X = takeRows(features, rows);
  const categories = rows.map((i) => stimuli.meta[i].category);
  const out = {} as LayerScores["decoding"];
  for (const [property, fields] of Object.entries(ORTHOGONAL_PROPERTIES) as [keyof typeof ORTHOGONAL_PROPERTIES, readonly string[]][]) {
    const Y = matrix(rows.length, fields.length);
    rows.forEach((i, k) => fields.forEach((f, j) => { Y.data[k * fields.length + j] = (stimuli.meta[i] as unknown as Record<string, number>)[f]; }));
    const fit = crossRegressedCorrelationOnMatrices(X, Y, categories, { splits, regression: readoutFactory(readout, X.cols) });
    out[property] = fit.perSite.reduce((a, v) => a + v, 0) / fields.length;
  }
  return out;
}

/** Every score for every read-out layer of a backbone (inference mode: batch norm's moving statistics). */
export function benchmarkBackbone(backbone: Backbone, bench: NeuralBenchmark, options: BenchmarkOptions = {}): LayerScores[] {
  return scoreReadouts(backboneReadouts(backbone, bench.stimuli, options), bench, options);
}

/** The activations of a backbone's read-out layers to a set of images (rows labelled by stimulus id). */
export function backboneReadouts(backbone: Backbone, stimuli: StimulusSet, options: BenchmarkOptions = {}): LayerReadout[] {
  return layerActivations(
    { net: backbone.net, layers: backbone.layers, inputSize: backbone.spec.inputSize }, stimuli,
    { maxFeatures: options.maxFeatures ?? 1024, layers: options.layers },
  );
}

/**
 * Every score of every read-out on a benchmark. `reuse`: the same read-outs already scored on another benchmark;
 * the scores whose inputs are the same are copied rather than recomputed — probe and decoding when the images are
 * the same, V4 when the V4 recordings are too (as for the image-only IT variant, which changes IT alone).
 */
export function scoreReadouts(
  readouts: readonly LayerReadout[], bench: NeuralBenchmark, options: BenchmarkOptions = {},
  reuse?: { bench: NeuralBenchmark; layers: readonly LayerScores[] },
): LayerScores[] {
  const splits = options.splits ?? 10, readout = options.readout ?? "pls";
  const categories = stimulusLabels(bench.IT, "category");
  const sameImages = reuse !== undefined && sameStimuli(reuse.bench, bench);
  const sameV4 = sameImages && sameRecordings(reuse.bench.V4, bench.V4) && reuse.bench.ceilings.V4 === bench.ceilings.V4;
  return readouts.map((r, k) => {
    const earlier = reuse?.layers[k];
    if (earlier && earlier.layer !== r.layer) throw new Error(`scoreReadouts: read-out ${k} is ${r.layer}, the reused scores' is ${earlier.layer}`);
    const pls = { splits, regression: () => plsRegression({ nComponents: Math.min(25, r.features.cols - 1) }) };
    const ceiled = (region: "V4" | "IT") => ceiledScores(crossRegressedCorrelation(r.features, bench[region], pls).r, bench.ceilings[region]).r_ceiled;
    return {
      layer: r.layer,
      features: r.features.cols,
      probe_accuracy: sameImages && earlier ? earlier.probe_accuracy
        : categorizationAccuracy(r.features, categories, { splits, regression: readoutFactory(readout, r.features.cols) }).accuracy,
      V4: sameV4 && earlier ? earlier.V4 : ceiled("V4"),
      IT: ceiled("IT"),
      rsa_IT: rsaCeiled(r.features, bench.IT),
      decoding: sameImages && earlier ? earlier.decoding : decodeProperties(r.features, bench.stimuli, splits, readout),
    };
  });
}

function sameStimuli(a: NeuralBenchmark, b: NeuralBenchmark): boolean {
  return a.stimuli === b.stimuli || (a.stimuli.meta.length === b.stimuli.meta.length && a.stimuli.meta.every((m, i) => m.id === b.stimuli.meta[i].id)
    && a.stimuli.images.every((v, i) => v === b.stimuli.images[i]));
}

function sameRecordings(a: NeuralAssembly, b: NeuralAssembly): boolean {
  return a === b || (a.data.length === b.data.length && a.sites.every((s, i) => s.id === b.sites[i]?.id) && a.data.every((v, i) => v === b.data[i]));
}

/** The neural side of RSA per assembly (object-level RDM, split-half RDM ceiling), computed once: it does not depend on the model. */
const neuralRdms = new WeakMap<NeuralAssembly, { neural: Rdm; ceiling: number; labels: string[]; groupBy: string[] }>();

/** RSA with the assembly, ceiled: the same number as `rsa(features, assembly).similarity_ceiled`, the neural side cached. */
function rsaCeiled(features: Matrix, assembly: NeuralAssembly): number {
  let side = neuralRdms.get(assembly);
  if (!side) {
    const labels = stimulusLabels(assembly, "id"), groupBy = stimulusLabels(assembly, "object");
    side = { neural: rdm(meanOverRepetitions(assembly), { labels, groupBy }), ceiling: rdmSplitHalfCeiling(assembly).ceiling, labels, groupBy };
    neuralRdms.set(assembly, side);
  }
  return rdmCorrelation(rdm(features, { labels: side.labels, groupBy: side.groupBy }), side.neural) / side.ceiling;
}

export interface BackboneSummary {
  /** Probe accuracy of the top read-out (the pooled embedding). */
  probe_accuracy: number;
  /** Best layer and its ceiled predictivity, per region. */
  V4: number;
  V4_layer: string;
  IT: number;
  IT_layer: string;
  /** RSA with IT at the layer best predicting IT. */
  rsa_IT: number;
}

/** The headline numbers of a layer profile (the results file's record). */
export function summarizeBackbone(layers: readonly LayerScores[]): BackboneSummary {
  if (layers.length === 0) throw new Error("summarizeBackbone: no layers");
  const best = (key: "V4" | "IT") => layers.reduce((a, b) => (b[key] > a[key] ? b : a));
  const v4 = best("V4"), it = best("IT");
  return {
    probe_accuracy: layers[layers.length - 1].probe_accuracy,
    V4: v4.V4, V4_layer: v4.layer, IT: it.IT, IT_layer: it.layer, rsa_IT: it.rsa_IT,
  };
}
