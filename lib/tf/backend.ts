/**
 * Backend choice for TensorFlow.js in Node.
 *
 * Order of preference: `tensorflow` (native libtensorflow through @tensorflow/tfjs-node, installed as the
 * optional alias `tfjs-node-native`; it installs only where its install script can download libtensorflow),
 * then `wasm` (XNNPACK + SIMD, with this kit's gradient kernels registered so conv nets train), then `cpu`
 * (pure JavaScript, slow, always there). The environment variable TFJS_BACKEND=tensorflow|wasm|cpu
 * overrides the choice. The chosen backend is reported once per process.
 */
import * as tf from "@tensorflow/tfjs";
import { registerNativeKernels } from "./native-kernels";
import { registerWasmGradientKernels } from "./wasm-gradients";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendReport {
  /** The tfjs backend now active. */
  name: BackendName;
  /** Human-readable details: library, SIMD/threads, extra kernels. */
  detail: string;
  /** Why the preferred backends were skipped (empty if the first choice loaded). */
  skipped: string[];
}

let report: BackendReport | undefined;
let pending: Promise<BackendReport> | undefined;

/** Aliases a user may type in TFJS_BACKEND. */
const ALIASES: Record<string, BackendName> = {
  tensorflow: "tensorflow", node: "tensorflow", "tfjs-node": "tensorflow",
  wasm: "wasm", cpu: "cpu",
};

/** Parse the override; throws with the accepted values if it is not one of them. */
export function parseBackendOverride(value: string | undefined): BackendName | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const name = ALIASES[value.trim().toLowerCase()];
  if (!name) {
    throw new Error(
      `TFJS_BACKEND=${JSON.stringify(value)} is not a backend this kit knows. ` +
        `Use one of: ${BACKENDS.join(", ")} (or unset it to choose automatically).`,
    );
  }
  return name;
}

/**
 * Load native TensorFlow (registers the `tensorflow` backend). Throws when the addon is not built: scripts/setup.sh
 * builds it (scripts/build-tfjs-node.sh) against the TensorFlow C library of pip's tensorflow-cpu wheel.
 */
export function loadNativeTensorflow(): void {
  // TensorFlow's C++ logging prints oneDNN and CPU-feature notices at start-up; keep warnings and errors.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";
  try {
    // The alias keeps danfojs-node's own tfjs-node override from shadowing the real native package.
    require("tfjs-node-native");
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new Error(`native TensorFlow is not built (${first}); run bash scripts/build-tfjs-node.sh`);
  }
}

async function tryBackend(name: BackendName): Promise<string> {
  if (name === "tensorflow") {
    loadNativeTensorflow();
    if (!(await tf.setBackend("tensorflow"))) throw new Error("tfjs-node loaded but its backend did not initialise");
    const added = registerNativeKernels();
    return `native libtensorflow (@tensorflow/tfjs-node)${added.length ? `; kit kernels: ${added.join(", ")}` : ""}`;
  }
  if (name === "wasm") {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
    const added = registerWasmGradientKernels();
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
    return `XNNPACK, ${simd}, ${wasm.getThreadsCount()} thread(s); kit gradient kernels: ${added.join(", ") || "none"}`;
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend did not initialise");
  return "pure JavaScript (slow: use it for checking, not training)";
}

/**
 * Switch this process to a given backend now, whatever `initBackend` chose (benchmarks and tests that compare
 * backends); returns its details. Tensors made before stay readable (tfjs moves their data on use).
 */
export async function useBackend(name: BackendName): Promise<string> {
  const detail = await tryBackend(name);
  await tf.ready();
  return detail;
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0];
}

/**
 * Choose and initialise the backend (once per process; later calls return the same report).
 * With an override, only that backend is tried and its failure is an error. `prefer` puts one backend first.
 */
export function initBackend(options: { quiet?: boolean; override?: string; prefer?: BackendName } = {}): Promise<BackendReport> {
  if (report) return Promise.resolve(report);
  if (pending) return pending;
  pending = (async () => {
    const forced = parseBackendOverride(options.override ?? process.env.TFJS_BACKEND);
    // `prefer`: a caller that measured another backend faster for its work (the PPO loop's small networks) tries
    // it first; TFJS_BACKEND still wins.
    const order = options.prefer ? [options.prefer, ...BACKENDS.filter((b) => b !== options.prefer)] : BACKENDS;
    const candidates = forced ? [forced] : order;
    const skipped: string[] = [];
    for (const name of candidates) {
      try {
        const detail = await tryBackend(name);
        await tf.ready();
        report = { name, detail, skipped };
        if (!options.quiet) {
          const why = skipped.length ? ` (skipped ${skipped.join("; ")})` : "";
          console.log(`tfjs backend: ${name} — ${detail}${why}`);
        }
        return report;
      } catch (e) {
        if (forced) {
          throw new Error(`TFJS_BACKEND asks for '${name}', but it cannot be used here: ${errorText(e)}`);
        }
        skipped.push(`${name}: ${errorText(e)}`);
      }
    }
    throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.join("; ")}`);
  })();
  pending.catch(() => { pending = undefined; });
  return pending;
}

/** The report of the backend chosen so far, if any. */
export function backendReport(): BackendReport | undefined {
  return report;
}

export { tf };
