/**
 * Neural data as labelled arrays, after Brain-Score's NeuronRecordingAssembly (brainio): responses indexed by
 * stimulus × site × repetition, with per-stimulus metadata (image id, category, object, variation level, and
 * numeric fields such as position, scale and pose) and per-site metadata (site id, region, animal), so splits,
 * stratification and region selection read labels instead of index arithmetic.
 *
 * Repetition counts may differ between stimuli (as in MajajHong2015, where images were shown ~25–50 times):
 * `repetitionCounts[s]` says how many of the `repetitions` slots of stimulus s hold data; the rest are NaN.
 * Averaging over repetitions then averages what exists, like Brain-Score's `average_repetition`.
 */
import { Matrix, Matrix64, matrix } from "../util/linalg";

export type Region = "V4" | "IT";
export const REGIONS: readonly Region[] = ["V4", "IT"];

export interface StimulusInfo {
  /** Image id (Brain-Score: image_id / stimulus_id). */
  readonly id: string;
  /** Category, e.g. "cars" (category_name). */
  readonly category: string;
  /** Object, e.g. "car_beetle" (object_name); Brain-Score stratifies splits by it. */
  readonly object: string;
  /** Variation level: 0, 3 or 6 in HvM (variation). */
  readonly variation: number;
  /** Other numeric properties, e.g. { tx, ty, s, rxy, rxz, ryz } (position, scale, pose). */
  readonly fields?: Readonly<Record<string, number>>;
}

export interface SiteInfo {
  /** Site id (neuroid_id). */
  readonly id: string;
  readonly region: Region;
  readonly animal?: string;
}

export interface NeuralAssembly {
  readonly dims: readonly ["stimulus", "site", "repetition"];
  /** [stimuli, sites, repetition slots]. */
  readonly shape: readonly [number, number, number];
  /** Responses, row-major: (s, n, r) at (s * sites + n) * repetitions + r. */
  readonly data: Float32Array;
  /** Repetitions present per stimulus (≤ shape[2]); slots beyond hold NaN. */
  readonly repetitionCounts: Int32Array;
  readonly stimuli: readonly StimulusInfo[];
  readonly sites: readonly SiteInfo[];
}

export interface NeuralAssemblyInit {
  /** stimulus × site × repetition, row-major. */
  data: Float32Array | Float64Array | readonly number[];
  stimuli: readonly StimulusInfo[];
  sites: readonly SiteInfo[];
  /** Repetition slots per stimulus (the last dimension). */
  repetitions: number;
  /** Repetitions present per stimulus; default: all slots. */
  repetitionCounts?: ArrayLike<number>;
  /** Accept sites whose trial-averaged response is the same for every stimulus (default: error). */
  allowConstantSites?: boolean;
}

/** Build and validate an assembly; every problem is reported with the site and stimulus it concerns. */
export function neuralAssembly(init: NeuralAssemblyInit): NeuralAssembly {
  const { stimuli, sites, repetitions: R } = init;
  const S = stimuli.length, N = sites.length;
  if (!Number.isInteger(R) || R < 1) throw new Error(`neuralAssembly: repetitions must be a positive integer, got ${R}`);
  if (S === 0 || N === 0) throw new Error(`neuralAssembly: need at least one stimulus and one site, got ${S} and ${N}`);
  if (init.data.length !== S * N * R) {
    throw new Error(
      `neuralAssembly: data has ${init.data.length} values, but ${S} stimuli × ${N} sites × ${R} repetitions ` +
        `= ${S * N * R}; data must be stimulus × site × repetition, row-major`,
    );
  }
  checkUnique("stimulus", stimuli.map((s) => s.id));
  checkUnique("site", sites.map((s) => s.id));
  sites.forEach((site, i) => {
    if (!REGIONS.includes(site.region)) {
      throw new Error(`neuralAssembly: site "${site.id}" (index ${i}) has region "${site.region}"; expected V4 or IT`);
    }
  });
  stimuli.forEach((s, i) => {
    if (!Number.isFinite(s.variation)) {
      throw new Error(`neuralAssembly: stimulus "${s.id}" (index ${i}) has variation ${s.variation}; expected a number`);
    }
  });
  const counts = new Int32Array(S);
  if (init.repetitionCounts !== undefined) {
    if (init.repetitionCounts.length !== S) {
      throw new Error(`neuralAssembly: repetitionCounts has ${init.repetitionCounts.length} entries for ${S} stimuli`);
    }
    for (let s = 0; s < S; s++) {
      const c = init.repetitionCounts[s];
      if (!Number.isInteger(c) || c < 1 || c > R) {
        throw new Error(`neuralAssembly: stimulus "${stimuli[s].id}" has ${c} repetitions; expected 1..${R}`);
      }
      counts[s] = c;
    }
  } else {
    counts.fill(R);
  }
  const data = Float32Array.from(init.data as ArrayLike<number>);
  for (let s = 0; s < S; s++) {
    for (let n = 0; n < N; n++) {
      const o = (s * N + n) * R;
      for (let r = 0; r < R; r++) {
        if (r >= counts[s]) { data[o + r] = NaN; continue; }
        if (!Number.isFinite(data[o + r])) {
          throw new Error(
            `neuralAssembly: response of site "${sites[n].id}" to stimulus "${stimuli[s].id}" ` +
              `(repetition ${r}) is ${data[o + r]}; responses must be finite numbers ` +
              `(for missing trials set repetitionCounts instead)`,
          );
        }
      }
    }
  }
  const assembly: NeuralAssembly = {
    dims: ["stimulus", "site", "repetition"], shape: [S, N, R], data, repetitionCounts: counts,
    stimuli: stimuli.slice(), sites: sites.slice(),
  };
  if (!init.allowConstantSites && S > 1) {
    const means = meanOverRepetitions(assembly);
    const n = firstConstantColumn(means);
    if (n >= 0) {
      throw new Error(
        `neuralAssembly: site "${sites[n].id}" (index ${n}) has the same mean response (${means.data[n]}) to every ` +
          `stimulus, so its correlation with any prediction is undefined; remove it with selectSites ` +
          `or pass allowConstantSites`,
      );
    }
  }
  return assembly;
}

/**
 * The first column (site) whose value is the same in every row (stimulus), or −1. Pearson r is undefined for such
 * a site; the assembly refuses it when built, and the metrics refuse it in sub-assemblies, which may keep it.
 */
export function firstConstantColumn(m: Matrix): number {
  for (let j = 0; j < m.cols; j++) {
    const first = m.data[j];
    let varies = false;
    for (let i = 1; i < m.rows && !varies; i++) varies = m.data[i * m.cols + j] !== first;
    if (!varies) return j;
  }
  return -1;
}

/**
 * Model features of stimuli: stimuli × features, each row labelled with the id of the stimulus it describes
 * (model read-outs know them: `layerActivations` in lib/vision sets them). The metrics compare the ids with the
 * assembly's, so features in another order are refused instead of scored wrongly.
 */
export interface StimulusFeatures extends Matrix {
  readonly stimulusIds: readonly string[];
}

/** Label the rows of a features matrix with their stimulus ids (one per row, in row order). */
export function withStimulusIds(features: Matrix, stimulusIds: readonly string[]): StimulusFeatures {
  if (stimulusIds.length !== features.rows) {
    throw new Error(`withStimulusIds: ${stimulusIds.length} ids for ${features.rows} feature rows`);
  }
  return { rows: features.rows, cols: features.cols, data: features.data, stimulusIds };
}

/**
 * Refuse features whose rows are not the assembly's stimuli in the assembly's order, naming the first
 * differing id. Brain-Score aligns source and target by `stimulus_id` before its cross-validation; here the
 * caller orders the rows (e.g. with `takeRows`) and the metric checks.
 */
export function checkStimulusOrder(features: StimulusFeatures, assembly: NeuralAssembly, where: string): void {
  const S = assembly.shape[0];
  if (!Array.isArray(features.stimulusIds)) {
    throw new Error(`${where}: the features carry no stimulus ids; label their rows with withStimulusIds(features, ids)`);
  }
  if (features.rows !== S || features.stimulusIds.length !== features.rows) {
    throw new Error(
      `${where}: features have ${features.rows} rows (${features.stimulusIds.length} stimulus ids) but the assembly ` +
        `has ${S} stimuli; rows must be the assembly's stimuli, in order`,
    );
  }
  for (let i = 0; i < S; i++) {
    if (features.stimulusIds[i] !== assembly.stimuli[i].id) {
      throw new Error(
        `${where}: feature row ${i} is stimulus "${features.stimulusIds[i]}" but the assembly's stimulus ${i} is ` +
          `"${assembly.stimuli[i].id}" (first difference); put the features in the assembly's stimulus order`,
      );
    }
  }
}

function checkUnique(what: string, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`neuralAssembly: ${what} id "${id}" appears more than once`);
    seen.add(id);
  }
}

/** Response of one site to one stimulus on one repetition (NaN for a missing repetition). */
export function response(a: NeuralAssembly, stimulus: number, site: number, repetition: number): number {
  const [, N, R] = a.shape;
  return a.data[(stimulus * N + site) * R + repetition];
}

/**
 * Trial-averaged responses, stimulus × site (float64). With `repetitions`, only those repetition slots are
 * averaged (a half for a split-half ceiling); a stimulus with none of them present gets NaN.
 */
export function meanOverRepetitions(a: NeuralAssembly, repetitions?: ArrayLike<number>): Matrix64 {
  const [S, N, R] = a.shape;
  const out = matrix(S, N);
  const slots = repetitions ?? Int32Array.from({ length: R }, (_, r) => r);
  for (let s = 0; s < S; s++) {
    const count = a.repetitionCounts[s];
    for (let n = 0; n < N; n++) {
      const o = (s * N + n) * R;
      let sum = 0, k = 0;
      for (let i = 0; i < slots.length; i++) {
        const r = slots[i];
        if (r < count) { sum += a.data[o + r]; k++; }
      }
      out.data[s * N + n] = k > 0 ? sum / k : NaN;
    }
  }
  return out;
}

/** Sites of one region, sites passing a predicate, or sites at given indices. */
export function selectSites(
  a: NeuralAssembly, which: Region | ((site: SiteInfo, index: number) => boolean) | ArrayLike<number>,
): NeuralAssembly {
  const keep = indicesOf(a.sites, typeof which === "string" ? (s: SiteInfo) => s.region === which : which);
  if (keep.length === 0) {
    const what = typeof which === "string" ? `in region ${which}` : "selected";
    throw new Error(`selectSites: no sites ${what} (regions present: ${Array.from(new Set(a.sites.map((s) => s.region))).join(", ")})`);
  }
  const [S, N, R] = a.shape;
  const data = new Float32Array(S * keep.length * R);
  for (let s = 0; s < S; s++) {
    keep.forEach((n, k) => data.set(a.data.subarray((s * N + n) * R, (s * N + n + 1) * R), (s * keep.length + k) * R));
  }
  return rebuild(a, data, a.stimuli, keep.map((n) => a.sites[n]), a.repetitionCounts);
}

/** Stimuli passing a predicate, or at given indices (in that order). */
export function selectStimuli(
  a: NeuralAssembly, which: ((stimulus: StimulusInfo, index: number) => boolean) | ArrayLike<number>,
): NeuralAssembly {
  const keep = indicesOf(a.stimuli, which);
  if (keep.length === 0) throw new Error("selectStimuli: no stimuli selected");
  const [, N, R] = a.shape;
  const data = new Float32Array(keep.length * N * R);
  keep.forEach((s, k) => data.set(a.data.subarray(s * N * R, (s + 1) * N * R), k * N * R));
  return rebuild(a, data, keep.map((s) => a.stimuli[s]), a.sites, Int32Array.from(keep, (s) => a.repetitionCounts[s]));
}

function indicesOf<T>(items: readonly T[], which: ((item: T, index: number) => boolean) | ArrayLike<number>): number[] {
  if (typeof which === "function") return items.map((x, i) => (which(x, i) ? i : -1)).filter((i) => i >= 0);
  const out = Array.from(which);
  for (const i of out) {
    if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new Error(`index ${i} outside 0..${items.length - 1}`);
  }
  return out;
}

function rebuild(
  a: NeuralAssembly, data: Float32Array, stimuli: readonly StimulusInfo[], sites: readonly SiteInfo[],
  counts: Int32Array,
): NeuralAssembly {
  return neuralAssembly({ data, stimuli, sites, repetitions: a.shape[2], repetitionCounts: counts, allowConstantSites: true });
}

/** One label per stimulus, e.g. for stratified splits ("object") or categorisation ("category"). */
export function stimulusLabels(a: NeuralAssembly, key: "id" | "object" | "category"): string[] {
  return a.stimuli.map((s) => s[key]);
}
