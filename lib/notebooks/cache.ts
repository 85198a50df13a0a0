/**
 * Remembered computations: the result of a deterministic computation a notebook spends minutes on (scoring
 * shipped backbones, evaluating policies on test bodies) kept in out/cache/, and returned from there when the
 * same computation is asked for again — a student's second run, the homework copy after the lecture copy.
 *
 * "The same" is decided by a key that holds everything the result depends on:
 *   - the label and settings the caller passes (sizes, seeds, which runs);
 *   - the source text of the computation itself and of every notebook function it calls (`uses`): edit the cell
 *     or a helper it names and it is computed again;
 *   - the kit's code and data: every file under lib/ and data/, and package-lock.json (so a changed library,
 *     a newly shipped checkpoint or another tfjs version recomputes everything);
 *   - the content of any other file or folder it reads (`reads`, e.g. a run under out/);
 *   - the TensorFlow.js backend (native and wasm round differently).
 * Results are plain data: numbers (NaN and ±∞ kept), strings, booleans, null, arrays, typed arrays and plain
 * objects; anything else is refused with the path of the offending value. KIT_CACHE=off computes everything and
 * stores nothing. An unreadable cache file is reported and computed again, never trusted.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { tf } from "../tf";

const ROOT = path.resolve(__dirname, "..", "..");
/** What every key includes: the library, the shipped data and the locked dependency versions. */
const KIT_INPUTS = ["lib", "data", "package-lock.json"];

export interface CacheOptions {
  /** Notebook functions the computation calls: their source is part of the key. */
  uses?: ((...args: never[]) => unknown)[];
  /** Files or folders it reads (a run under out/, say): their content is part of the key (lib/ and data/ always are). */
  reads?: string[];
  /** Where the cache lives (default out/cache/ in the project). */
  dir?: string;
  /** The project folder whose lib/, data/ and package-lock.json enter the key (default: this kit's). */
  root?: string;
  /** Print a line when a result comes from the cache (default true). */
  verbose?: boolean;
}

/** Whether remembering is on: KIT_CACHE=on (default) or off. */
export function cacheEnabled(): boolean {
  const value = (process.env.KIT_CACHE ?? "on").trim().toLowerCase();
  if (value !== "on" && value !== "off") throw new Error(`KIT_CACHE=${JSON.stringify(process.env.KIT_CACHE)}: use 'on' (default) or 'off'.`);
  return value === "on";
}

function filesUnder(p: string): string[] {
  if (!fs.existsSync(p)) return [];
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p).sort().flatMap((name) => filesUnder(path.join(p, name)));
}

/**
 * The files' names, sizes and modification times: cheap to take, and it changes when a file does — except for two
 * writes of the same size within the file system's clock tick, so a digest is only reused when every file is older
 * than RACY_MS (git's "racily clean" rule).
 */
function statSignature(files: string[]): { signature: string; newest: number } {
  let newest = 0;
  const signature = files.map((f) => { const s = fs.statSync(f); newest = Math.max(newest, s.mtimeMs); return `${f}\0${s.size}\0${s.mtimeMs}`; }).join("\n");
  return { signature, newest };
}
const RACY_MS = 2000;

const digests = new Map<string, { signature: string; digest: string }>();

/**
 * SHA-256 of the files under `paths` (names relative to `base`, and contents). Re-hashed only when a file's size or
 * time changed since the last call in this process (or a file was written in the last RACY_MS).
 */
export function contentDigest(paths: string[], base = ROOT): string {
  const files = paths.flatMap((p) => filesUnder(path.resolve(base, p)));
  const id = `${base}\0${paths.join("\0")}`;
  const { signature, newest } = statSignature(files);
  const known = digests.get(id);
  if (known && known.signature === signature) return known.digest;
  const hash = createHash("sha256");
  for (const f of files) {
    hash.update(path.relative(base, f) + "\0");
    hash.update(fs.readFileSync(f));
    hash.update("\0");
  }
  const digest = hash.digest("hex");
  if (Date.now() - newest > RACY_MS) digests.set(id, { signature, digest });
  else digests.delete(id);
  return digest;
}

const TYPED = { Float32Array, Float64Array, Int32Array, Uint8Array, Uint16Array, Int16Array, Uint32Array, Int8Array } as const;
type TypedName = keyof typeof TYPED;

/** Plain data → JSON-safe data; NaN, ±∞, undefined and typed arrays are tagged, objects with a "$" key escaped. */
function encode(value: unknown, where: string, label: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { $: String(value) };
  if (value === undefined) return { $: "undefined" };
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${where}[${i}]`, label));
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name as TypedName;
    if (!(name in TYPED)) throw new Error(`cached("${label}"): the result holds a ${name} at ${where}; only plain data can be remembered`);
    return { $: name, v: Array.from(value as unknown as ArrayLike<number>, (x) => encode(x, where, label)) };
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`cached("${label}"): the result holds a ${proto?.constructor?.name ?? "non-plain object"} at ${where}; ` +
        `only plain data can be remembered (numbers, strings, arrays, typed arrays, plain objects): return the numbers it holds`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encode(v, `${where}.${k}`, label);
    return "$" in out ? { $: "object", v: out } : out;
  }
  throw new Error(`cached("${label}"): the result holds a ${typeof value} at ${where}; only plain data can be remembered`);
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  const o = value as Record<string, unknown>;
  if ("$" in o) {
    const tag = o.$ as string;
    if (tag === "NaN") return NaN;
    if (tag === "Infinity") return Infinity;
    if (tag === "-Infinity") return -Infinity;
    if (tag === "undefined") return undefined;
    if (tag === "object") return Object.fromEntries(Object.entries(o.v as Record<string, unknown>).map(([k, v]) => [k, decode(v)]));
    if (tag in TYPED) return TYPED[tag as TypedName].from((o.v as unknown[]).map(decode) as number[]);
    throw new Error(`unknown tag ${JSON.stringify(tag)}`);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(v)]));
}

interface CacheFile {
  label: string;
  computed_at: string;
  seconds: number;
  backend: string;
  value: unknown;
}

/** Whether `p` lies under one of KIT_INPUTS (whose content every key holds). */
function insideKit(p: string, root: string): boolean {
  const rel = path.relative(root, path.resolve(root, p));
  return KIT_INPUTS.some((k) => rel === k || rel.startsWith(k + path.sep));
}

/** The cache file that `cached(label, settings, compute, options)` reads and writes. */
export function cachePath(label: string, settings: unknown, compute: () => unknown, options: CacheOptions = {}): string {
  const root = options.root ?? ROOT;
  const key = JSON.stringify({
    label,
    settings: encode(settings, "settings", label),
    compute: compute.toString(),
    uses: (options.uses ?? []).map((f) => f.toString()),
    kit: contentDigest(KIT_INPUTS, root),
    // A path under lib/ or data/ is in `kit` already: hashing it again would read the same files twice.
    reads: (options.reads ?? []).filter((p) => !insideKit(p, root)).map((p) => [p, contentDigest([p], root)]),
    backend: tf.getBackend(),
  });
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "result";
  return path.join(options.dir ?? path.join(root, "out", "cache"), `${slug}-${createHash("sha256").update(key).digest("hex").slice(0, 20)}.json`);
}

/**
 * `compute()`'s result, from out/cache/ when the same computation (see the header) was done before, else computed
 * now and stored. `settings` is whatever else it depends on: sizes, seeds, which runs (plain data).
 */
export async function cached<T>(label: string, settings: unknown, compute: () => T | Promise<T>, options: CacheOptions = {}): Promise<T> {
  if (!cacheEnabled()) return compute();
  const file = cachePath(label, settings, compute, options);
  if (fs.existsSync(file)) {
    try {
      const stored = JSON.parse(fs.readFileSync(file, "utf8")) as CacheFile;
      const value = decode(stored.value) as T;
      if (options.verbose ?? true) {
        console.log(`↺ ${label}: remembered from ${stored.computed_at.slice(0, 16).replace("T", " ")} UTC (${stored.seconds.toFixed(0)} s then; ` +
          `same code, data and settings; ${path.relative(process.cwd(), file)}; KIT_CACHE=off recomputes)`);
      }
      return value;
    } catch (err) {
      console.warn(`cache file ${file} is unreadable (${(err as Error).message}); computing again`);
    }
  }
  const t0 = Date.now();
  const value = await compute();
  const record: CacheFile = {
    label, computed_at: new Date().toISOString(), seconds: (Date.now() - t0) / 1000, backend: tf.getBackend(),
    value: encode(value, "result", label),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, file);
  return value;
}
