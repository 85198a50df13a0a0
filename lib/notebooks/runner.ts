/**
 * Headless notebook runner: executes notebooks with real Jupyter (nbclient) in the kit's tslab kernel,
 * writes the executed notebook to out/notebooks/ and a standalone HTML page to out/, and reports the first
 * failing cell with its real error text (tslab's error output says only `<Error>:`; the message is in the
 * cell's stderr, which is printed too). `runNotebooks` runs several, a few kernels at a time: a notebook spends
 * much of its run on one core (tslab compiling the cells, JavaScript read-outs, Python exporting the page), so
 * two kernels on two cores finish a set sooner than one after the other.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findJupyter, jupyterEnv, KERNEL_NAME, PROJECT_ROOT } from "./jupyter";

export interface NotebookRun {
  name: string;
  ok: boolean;
  seconds: number;
  ipynb: string;
  html: string;
  failedCell: number | null;
  source: string;
  error: string;
  stderr: string;
}

export interface RunOptions {
  /** Seconds a single cell may run (default 900). */
  cellTimeout?: number;
  /** Output folder (default out/). */
  outDir?: string;
  /** `lecture` (default: shipped checkpoints, modest sizes) or `full`. Passed to notebooks as KIT_MODE. */
  mode?: "lecture" | "full";
  /** Folder of the notebooks (default notebooks/). */
  notebookDir?: string;
  /** Force the kernel's TensorFlow.js backend (TFJS_BACKEND), e.g. to check the wasm fallback. */
  backend?: "tensorflow" | "wasm" | "cpu";
}

/**
 * Notebooks in `dir` matching the given names or prefixes (`00`, `00-welcome`, `00-welcome.ipynb`), or paths to
 * .ipynb files anywhere; all notebooks in `dir` if no name is given.
 */
export function selectNotebooks(names: string[], dir = path.join(PROJECT_ROOT, "notebooks")): string[] {
  const all = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  if (names.length === 0) return all.map((f) => path.join(dir, f));
  return names.map((name) => {
    if (name.endsWith(".ipynb") && fs.existsSync(name)) return path.resolve(name);
    const bare = name.replace(/\.ipynb$/, "");
    const hits = all.filter((f) => f === `${bare}.ipynb` || f.startsWith(bare));
    if (hits.length !== 1) {
      const why = hits.length === 0 ? "matches no notebook" : `matches several (${hits.join(", ")})`;
      throw new Error(`'${name}' ${why} in ${dir}. Available: ${all.map((f) => f.replace(/\.ipynb$/, "")).join(", ")}`);
    }
    return path.join(dir, hits[0]);
  });
}

/** Execute one notebook; resolves with what happened (never rejects on a failing cell). */
export async function runNotebook(notebook: string, options: RunOptions = {}): Promise<NotebookRun> {
  const { python } = findJupyter();
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, "out");
  const name = path.basename(notebook, ".ipynb");
  fs.mkdirSync(path.join(outDir, "notebooks"), { recursive: true });
  const ipynb = path.join(outDir, "notebooks", `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  const script = path.join(__dirname, "execute_notebook.py");
  const args = [script, notebook, ipynb, html, String(options.cellTimeout ?? 900), KERNEL_NAME, PROJECT_ROOT];
  const env = jupyterEnv({ KIT_MODE: options.mode ?? "lecture", ...(options.backend ? { TFJS_BACKEND: options.backend } : {}) });
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(python, args, { env, cwd: PROJECT_ROOT });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const line = stdout.trim().split("\n").pop() ?? "";
  let parsed: Partial<{ ok: boolean; seconds: number; failed_cell: number | null; source: string; error: string; stderr: string }>;
  try {
    parsed = JSON.parse(line);
  } catch {
    const tail = stderr.trim().split("\n").slice(-15).join("\n");
    return { name, ok: false, seconds: 0, ipynb, html, failedCell: null, source: "", error: `the executor crashed (exit ${code}):\n${tail}`, stderr: "" };
  }
  return {
    name,
    ok: parsed.ok === true,
    seconds: parsed.seconds ?? 0,
    ipynb,
    html,
    failedCell: parsed.failed_cell ?? null,
    source: parsed.source ?? "",
    error: parsed.error ?? "",
    stderr: parsed.stderr ?? "",
  };
}

/**
 * Execute `notebooks`, at most `jobs` at a time (default 1), each with its own options; resolves with the runs in
 * the order given. Notebooks that share an output folder must have different names. `onEnd` reports each run as
 * it finishes.
 */
export async function runNotebooks(
  notebooks: readonly (string | { notebook: string; options?: RunOptions })[],
  options: RunOptions & { jobs?: number; onStart?: (notebook: string) => void; onEnd?: (run: NotebookRun) => void } = {},
): Promise<NotebookRun[]> {
  const { jobs = 1, onStart, onEnd, ...shared } = options;
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`runNotebooks: jobs must be a positive integer, got ${jobs}`);
  const tasks = notebooks.map((n) => (typeof n === "string" ? { notebook: n, options: shared } : { notebook: n.notebook, options: { ...shared, ...n.options } }));
  const outputs = tasks.map((t) => path.join(t.options.outDir ?? path.join(PROJECT_ROOT, "out"), path.basename(t.notebook)));
  const clash = outputs.find((o, i) => outputs.indexOf(o) !== i);
  if (clash) throw new Error(`runNotebooks: two notebooks would write ${clash}; give them different names or output folders`);
  const runs: NotebookRun[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const k = next++;
      onStart?.(tasks[k].notebook);
      runs[k] = await runNotebook(tasks[k].notebook, tasks[k].options);
      onEnd?.(runs[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return runs;
}

/** A readable failure report: notebook, cell number (1-based, as Jupyter counts), source, error, stderr. */
export function describeFailure(run: NotebookRun): string {
  const where = run.failedCell === null ? "" : ` in cell ${run.failedCell + 1}`;
  const source = run.source ? `\n--- cell source ---\n${run.source.trim()}` : "";
  const stderr = run.stderr.trim() ? `\n--- cell stderr ---\n${run.stderr.trim()}` : "";
  return `${run.name} FAILED${where}: ${run.error}${source}${stderr}\n(executed copy: ${run.ipynb})`;
}
