/**
 * Loader for the public MajajHong2015 neural data (Majaj, Hong, Solomon & DiCarlo, J. Neurosci. 2015), as
 * Brain-Score distributes it: `dicarlo.MajajHong2015.public` (file assy_dicarlo_MajajHong2015_public.nc, HvM
 * variation 0 and 3 images; brainscore_vision/data/majajhong2015). The file is NetCDF-4 (HDF5) written by
 * brainio's `write_netcdf`: one DataArray with dims presentation × neuroid × time_bin, its MultiIndex coordinates
 * reset into plain 1-D variables — presentation: image_id (or stimulus_id), repetition, object_name,
 * category_name, variation and numeric image properties; neuroid: neuroid_id, region, animal, …; time_bin:
 * time_bin_start, time_bin_end. The data variable is "data" (brainio ≥ 0.2, compressed) or
 * "__xarray_dataarray_variable__" (older packages); dimension names are HDF5 dimension scales.
 *
 * `readNetcdfAssembly` turns such a file into a `NeuralAssembly` (stimulus × site × repetition; an image shown
 * fewer times than the most-repeated one gets NaN-padded slots, see `repetitionCounts`). Reading needs the npm
 * package `h5wasm`; `loadMajajHong2015` opens the file with it.
 */
import * as fs from "fs";
import * as nodePath from "path";
import { pathToFileURL } from "url";
import type * as H5 from "h5wasm";
import { NeuralAssembly, Region, REGIONS, SiteInfo, StimulusInfo, neuralAssembly, selectSites } from "./assembly";

export interface MajajHongOptions {
  /** Keep only this region's sites (Brain-Score benchmarks use one region at a time). */
  region?: Region;
  /** Index along time_bin when the file has several (the public file has one, 70–170 ms). */
  timeBin?: number;
  /** Name of the data variable, if it is neither "data" nor "__xarray_dataarray_variable__". */
  variable?: string;
}

/** Coordinates the loader needs, by dimension (alternatives separated by "|"). */
export const REQUIRED_COORDS = {
  presentation: ["image_id|stimulus_id", "repetition", "object_name", "category_name", "variation"],
  neuroid: ["neuroid_id", "region"],
} as const;

const DATA_VARIABLES = ["data", "__xarray_dataarray_variable__"];

/** Open a MajajHong2015 (or any brainio neural) NetCDF-4 file and read it as a NeuralAssembly. */
export async function loadMajajHong2015(path: string, options: MajajHongOptions = {}): Promise<NeuralAssembly> {
  if (!fs.existsSync(path)) {
    throw new Error(
      `MajajHong2015: no file at ${path}. Get Brain-Score's public assembly dicarlo.MajajHong2015.public ` +
        `(assy_dicarlo_MajajHong2015_public.nc, e.g. via brainscore_vision.load_dataset('dicarlo.MajajHong2015.public'), ` +
        `which caches it under ~/.brainio) and pass its path.`,
    );
  }
  checkHdf5Signature(path);
  const h5 = await loadH5wasm();
  let file: H5.File;
  try {
    file = new h5.File(path, "r");
  } catch (e) {
    throw new Error(`MajajHong2015: ${path} is not a readable NetCDF-4/HDF5 file (${e instanceof Error ? e.message : e})`);
  }
  try {
    return readNetcdfAssembly(file, options, path);
  } finally {
    file.close();
  }
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** NetCDF-4 files are HDF5: the signature sits at byte 0 or after a user block of 512, 1024, 2048, … bytes. */
function checkHdf5Signature(path: string): void {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      fs.readSync(fd, head, 0, 8, offset);
      if (HDF5_SIGNATURE.every((b, i) => head[i] === b)) return;
    }
    fs.readSync(fd, head, 0, 8, 0);
    const classic = head.subarray(0, 3).toString("latin1") === "CDF";
    throw new Error(
      `MajajHong2015: ${path} is not a readable NetCDF-4/HDF5 file` +
        (classic ? " (it is NetCDF-3 classic; convert it with `nccopy -k nc4`)" : " (no HDF5 signature)"),
    );
  } finally {
    fs.closeSync(fd);
  }
}

type H5Module = typeof import("h5wasm").default;

let h5wasmModule: Promise<H5Module> | undefined;

/**
 * h5wasm ships only as an ES module (export condition "import"); this CommonJS kit loads its Node build by file
 * path, so that it resolves the same from tsx, vitest and tslab.
 */
export function loadH5wasm(): Promise<H5Module> {
  if (!h5wasmModule) {
    h5wasmModule = (async () => {
      const entry = findUp(__dirname, nodePath.join("node_modules", "h5wasm", "dist", "node", "hdf5_hl.js"));
      if (!entry) {
        throw new Error("reading MajajHong2015 needs the npm package h5wasm: add it to package.json and run npm install");
      }
      const mod = await importEsm(entry);
      await mod.default.ready;
      return mod.default;
    })();
    h5wasmModule.catch(() => { h5wasmModule = undefined; });
  }
  return h5wasmModule;
}

/**
 * Node ≥ 20.19 can `require` an ES module by path (bypassing the package's import-only exports map); that works in
 * tsx, tslab and vitest alike. Older Node falls back to a native dynamic import.
 */
async function importEsm(file: string): Promise<{ default: H5Module }> {
  try {
    return require(file) as { default: H5Module };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
    const dynamicImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<{ default: H5Module }>;
    return dynamicImport(pathToFileURL(file).href);
  }
}

function findUp(from: string, relative: string): string | undefined {
  for (let dir = from; ; dir = nodePath.dirname(dir)) {
    const candidate = nodePath.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (nodePath.dirname(dir) === dir) return undefined;
  }
}

/** A 1-D coordinate variable and the dimension it runs along. */
interface Coordinate {
  dim: string;
  values: (string | number)[];
}

/** Read a brainio NetCDF-4 neural assembly from an open h5wasm file (`where` names the file in errors). */
export function readNetcdfAssembly(file: H5.Group, options: MajajHongOptions = {}, where = "file"): NeuralAssembly {
  const fail = (msg: string): never => { throw new Error(`MajajHong2015 (${where}): ${msg}`); };
  const names = file.keys();
  const datasets = new Map<string, H5.Dataset>();
  for (const name of names) {
    const entity = file.get(name);
    if (entity && (entity as H5.Dataset).shape !== undefined && typeof (entity as H5.Dataset).get_attached_scales === "function") {
      datasets.set(name, entity as H5.Dataset);
    }
  }
  const variableName = options.variable ?? DATA_VARIABLES.find((v) => datasets.has(v));
  if (!variableName || !datasets.has(variableName)) {
    return fail(
      `no data variable ${options.variable ? `"${options.variable}"` : `(looked for ${DATA_VARIABLES.map((v) => `"${v}"`).join(", ")})`}; ` +
        `variables present: ${names.join(", ") || "none"}`,
    );
  }
  const variable = datasets.get(variableName) as H5.Dataset;
  const shape = variable.shape ?? [];
  const dims = shape.map((_, axis) => {
    const scales = variable.get_attached_scales(axis);
    return scales.length ? baseName(scales[0]) : fail(`data variable "${variableName}" has no dimension name for axis ${axis} (no NetCDF dimension scale attached)`);
  });
  for (const required of ["presentation", "neuroid"]) {
    if (!dims.includes(required)) fail(`data variable "${variableName}" has dims (${dims.join(", ")}); expected presentation × neuroid [× time_bin]`);
  }
  const extraDims = dims.filter((d) => d !== "presentation" && d !== "neuroid" && d !== "time_bin");
  if (extraDims.length) fail(`unexpected dimension(s) ${extraDims.join(", ")}; expected presentation × neuroid [× time_bin]`);
  const dimSize = new Map(dims.map((d, i) => [d, shape[i]]));

  // Coordinates: every other 1-D variable whose dimension scale is one of the data's dims.
  const coords = new Map<string, Coordinate>();
  for (const [name, ds] of datasets) {
    if (name === variableName || dims.includes(name)) continue;
    const s = ds.shape ?? [];
    if (s.length === 0) continue;
    const scales = ds.get_attached_scales(0);
    const dim = scales.length ? baseName(scales[0]) : undefined;
    if (!dim || !dimSize.has(dim)) continue;
    if (s.length === 2) {
      // Fixed-width byte strings are stored as characters along a "string<N>" dimension.
      coords.set(name, { dim, values: charRows(ds.value, s[0], s[1]) });
    } else if (s.length === 1) {
      coords.set(name, { dim, values: toValues(ds.value) });
    }
  }
  const coordinate = (dim: "presentation" | "neuroid", alternatives: string): Coordinate => {
    const found = alternatives.split("|").map((n) => coords.get(n)).find((c) => c && c.dim === dim);
    return found as Coordinate;
  };
  const missing: string[] = [];
  for (const dim of ["presentation", "neuroid"] as const) {
    for (const alternatives of REQUIRED_COORDS[dim]) if (!coordinate(dim, alternatives)) missing.push(`${dim} coordinate "${alternatives.replace("|", '" or "')}"`);
  }
  if (missing.length) {
    const present = Array.from(coords, ([n, c]) => `${n} (${c.dim})`).join(", ") || "none";
    fail(`missing ${missing.join(", ")}; coordinates present: ${present}`);
  }

  // Which time bin.
  const T = dimSize.get("time_bin") ?? 1;
  if (T > 1 && options.timeBin === undefined) {
    const start = coords.get("time_bin_start"), end = coords.get("time_bin_end");
    const bins = start && end ? start.values.map((s, i) => `${s}–${end.values[i]} ms`).join(", ") : `${T} bins`;
    fail(`the data have ${T} time bins (${bins}); choose one with the timeBin option`);
  }
  const timeBin = options.timeBin ?? 0;
  if (!(Number.isInteger(timeBin) && timeBin >= 0 && timeBin < T)) fail(`timeBin ${timeBin} outside 0..${T - 1}`);

  const P = dimSize.get("presentation") as number, N = dimSize.get("neuroid") as number;
  const values = variable.value;
  if (!(values instanceof Float32Array || values instanceof Float64Array)) {
    return fail(`data variable "${variableName}" is not floating point (dtype ${JSON.stringify(variable.dtype)})`);
  }
  // Row-major strides of the stored layout, whatever the order of dims.
  const strides = dims.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const stride = (d: string) => strides[dims.indexOf(d)] ?? 0;
  const sP = stride("presentation"), sN = stride("neuroid"), base = timeBin * stride("time_bin");

  // Group presentations by image, repetitions in order of their repetition number.
  const imageIds = coordinate("presentation", "image_id|stimulus_id").values.map(String);
  const repetition = coordinate("presentation", "repetition").values.map(Number);
  const byImage = new Map<string, number[]>();
  imageIds.forEach((id, i) => {
    const list = byImage.get(id);
    if (list) list.push(i); else byImage.set(id, [i]);
  });
  const images = Array.from(byImage.keys());
  for (const list of byImage.values()) list.sort((a, b) => repetition[a] - repetition[b]);
  const R = Math.max(...Array.from(byImage.values(), (l) => l.length));
  const data = new Float32Array(images.length * N * R).fill(NaN);
  const counts = new Int32Array(images.length);
  images.forEach((id, s) => {
    const list = byImage.get(id) as number[];
    counts[s] = list.length;
    list.forEach((presentation, r) => {
      for (let n = 0; n < N; n++) data[(s * N + n) * R + r] = values[base + presentation * sP + n * sN];
    });
  });

  // Image metadata from each image's first presentation; every other numeric presentation coordinate is a field.
  const object = coordinate("presentation", "object_name").values;
  const category = coordinate("presentation", "category_name").values;
  const variation = coordinate("presentation", "variation").values;
  const known = new Set(["image_id", "stimulus_id", "repetition", "object_name", "category_name", "variation"]);
  const fieldNames = Array.from(coords).filter(([name, c]) => c.dim === "presentation" && !known.has(name) &&
    c.values.every((v) => typeof v === "number")).map(([name]) => name);
  const stimuli: StimulusInfo[] = images.map((id) => {
    const first = (byImage.get(id) as number[])[0];
    const fields: Record<string, number> = {};
    for (const name of fieldNames) fields[name] = (coords.get(name) as Coordinate).values[first] as number;
    return {
      id, object: String(object[first]), category: String(category[first]), variation: Number(variation[first]),
      ...(fieldNames.length ? { fields } : {}),
    };
  });
  const siteIds = coordinate("neuroid", "neuroid_id").values.map(String);
  const regions = coordinate("neuroid", "region").values.map(String);
  const animals = coords.get("animal");
  const sites: SiteInfo[] = siteIds.map((id, n) => {
    if (!REGIONS.includes(regions[n] as Region)) fail(`neuroid "${id}" has region "${regions[n]}"; expected V4 or IT`);
    return { id, region: regions[n] as Region, ...(animals && animals.dim === "neuroid" ? { animal: String(animals.values[n]) } : {}) };
  });
  if (P !== imageIds.length) fail(`presentation has ${P} entries but image ids ${imageIds.length}`);

  const assembly = neuralAssembly({ data, stimuli, sites, repetitions: R, repetitionCounts: counts });
  return options.region ? selectSites(assembly, options.region) : assembly;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function toValues(v: H5.OutputData | null): (string | number)[] {
  if (v === null) return [];
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return [scalar(v)];
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  if (Array.isArray(v)) return v.map((x) => scalar(x as string | number | bigint | boolean));
  return [];
}

function scalar(x: string | number | bigint | boolean): string | number {
  return typeof x === "string" ? x : Number(x);
}

function charRows(v: H5.OutputData | null, rows: number, width: number): string[] {
  const chars = toValues(v).map((c) => (typeof c === "number" ? String.fromCharCode(c) : c));
  return Array.from({ length: rows }, (_, i) => chars.slice(i * width, (i + 1) * width).join("").replace(/\0+$/, ""));
}
