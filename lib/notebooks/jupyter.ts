/**
 * Finding Jupyter without a system-wide kernel install.
 *
 * First choice: JupyterLab in the project's virtual environment (`.venv`, made by scripts/setup.sh with pip;
 * KIT_VENV points elsewhere). Else whatever `jupyter` is on PATH, e.g. Debian's classic Notebook.
 * The kit's tslab kernelspec lives in `jupyter/kernels/tslab-kit`; every command the kit starts puts
 * `jupyter/` on JUPYTER_PATH so Jupyter finds it. The kernel changes to the project root before starting
 * tslab, so notebooks in notebooks/ import the library as `./lib/...` (tslab compiles under its cwd only).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** Project root (the folder holding package.json). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** Name of the kit's kernelspec. */
export const KERNEL_NAME = "tslab-kit";

export interface JupyterInstall {
  /** The `jupyter` executable. */
  jupyter: string;
  /** The Python interpreter that runs it (Debian's is /usr/bin/python3, not a pyenv python first on PATH). */
  python: string;
  /** True when JupyterLab is importable by that Python. */
  hasLab: boolean;
  /** Where it comes from, for messages: "the project's .venv" or "PATH". */
  source: string;
}

/** The project's virtual environment (made by scripts/setup.sh); KIT_VENV overrides. */
export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KIT_VENV ? path.resolve(env.KIT_VENV) : path.join(PROJECT_ROOT, ".venv");
}

export const INSTALL_HELP =
  "Jupyter was not found. `bash scripts/setup.sh --install-only` installs it, or by hand (then run the command again):\n" +
  "  classic Notebook, Debian/Ubuntu:  sudo apt-get install -y jupyter-notebook python3-nbconvert python3-nbclient\n" +
  "  JupyterLab (recommended):         python3 -m venv .venv && .venv/bin/pip install jupyterlab nbclient nbconvert plotly";

function which(command: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not in this folder */
    }
  }
  return undefined;
}

function pythonOf(jupyter: string): string {
  const firstLine = fs.readFileSync(jupyter, "utf8").split("\n", 1)[0];
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (!match) return "python3";
  // "#!/usr/bin/env python3" names the interpreter in the second word.
  return path.basename(match[1]) === "env" && match[2] ? match[2] : match[1];
}

function canImport(python: string, modules: string[], env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync(python, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore", env });
    return true;
  } catch {
    return false;
  }
}

const NEEDED = ["nbclient", "nbconvert", "nbformat"];

/**
 * Locate Jupyter and the pieces the kit needs (nbclient, nbconvert): the project's venv first (unless
 * `venv: false`), then PATH. Throws INSTALL_HELP, naming what is missing, when neither has them.
 */
export function findJupyter(env: NodeJS.ProcessEnv = process.env, options: { venv?: boolean } = {}): JupyterInstall {
  const venvJupyter = path.join(venvDir(env), "bin", "jupyter");
  const useVenv = options.venv !== false && fs.existsSync(venvJupyter);
  const candidates = [
    { jupyter: useVenv ? venvJupyter : undefined, source: `the project's ${path.relative(PROJECT_ROOT, venvDir(env)) || venvDir(env)}` },
    { jupyter: which("jupyter", env.PATH ?? ""), source: "PATH" },
  ];
  const problems: string[] = [];
  for (const { jupyter, source } of candidates) {
    if (!jupyter) continue;
    const python = pythonOf(jupyter);
    const missing = NEEDED.filter((m) => !canImport(python, [m], env));
    if (missing.length === 0) return { jupyter, python, hasLab: canImport(python, ["jupyterlab"], env), source };
    problems.push(`Jupyter is at ${jupyter}, but its Python (${python}) lacks ${missing.join(", ")}.`);
  }
  throw new Error([...problems, INSTALL_HELP].join("\n"));
}

/** One line saying which Jupyter the kit uses and how to get the other one. */
export function describeJupyter(install: JupyterInstall): string {
  if (install.hasLab) return `JupyterLab (${install.jupyter}, from ${install.source})`;
  return (
    `classic Notebook (${install.jupyter}, from ${install.source}); for JupyterLab run ` +
    "`bash scripts/setup.sh --install-only` where pip can reach a package index"
  );
}

/** Environment for Jupyter processes: the kit's kernelspec on JUPYTER_PATH, quiet debugger. */
export function jupyterEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kernels = path.join(PROJECT_ROOT, "jupyter");
  const existing = process.env.JUPYTER_PATH;
  return {
    ...process.env,
    JUPYTER_PATH: existing ? `${kernels}${path.delimiter}${existing}` : kernels,
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    ...extra,
  };
}

/** A JupyterLab server started by `startJupyterLab`. */
export interface LabServer {
  /** Base URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  token: string;
  /** The folder it serves. */
  root: string;
  /** Kernel processes this server started and that still run (found by their connection files). */
  kernelPids(): number[];
  /** Shut down every running kernel (through the server's REST API). */
  shutdownKernels(): Promise<void>;
  /** Shut down every kernel, then the server; kill what is left after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Processes whose command line mentions `needle` (here: the server's private runtime folder). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Start JupyterLab headless, as the kit's `npm start` would, on a free loopback port with a random token,
 * serving `root`. Its settings, workspaces, runtime files and notebook signatures live in a fresh temporary
 * folder (so no notebook is trusted and no user setting applies); `settings` are written there first, keyed
 * by plugin id (e.g. "@jupyterlab/apputils-extension:notification").
 */
export async function startJupyterLab(root: string, settings: Record<string, object> = {}, timeoutMs = 90_000): Promise<LabServer> {
  const install = findJupyter();
  if (!install.hasLab) throw new Error(`JupyterLab is not installed: the kit found ${describeJupyter(install)}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "kit-lab-"));
  const dirs = { data: "data", runtime: "runtime", config: "config", settings: "settings", workspaces: "workspaces" };
  for (const d of Object.values(dirs)) fs.mkdirSync(path.join(home, d));
  for (const [plugin, values] of Object.entries(settings)) {
    const [pkg, name] = plugin.split(":");
    fs.mkdirSync(path.join(home, dirs.settings, pkg), { recursive: true });
    fs.writeFileSync(path.join(home, dirs.settings, pkg, `${name}.jupyterlab-settings`), JSON.stringify(values));
  }
  const runtime = path.join(home, dirs.runtime);
  const port = await freeLoopbackPort();
  const token = randomBytes(16).toString("hex");
  const args = [
    "lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${root}`, `--MappingKernelManager.default_kernel_name=${KERNEL_NAME}`,
    // No network here: no news feed, no update check.
    "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const env = jupyterEnv({
    JUPYTER_DATA_DIR: path.join(home, dirs.data), JUPYTER_RUNTIME_DIR: runtime, JUPYTER_CONFIG_DIR: path.join(home, dirs.config),
    JUPYTERLAB_SETTINGS_DIR: path.join(home, dirs.settings), JUPYTERLAB_WORKSPACES_DIR: path.join(home, dirs.workspaces),
  });
  const server: ChildProcess = spawn(install.jupyter, args, { env, cwd: root, stdio: ["ignore", "ignore", "pipe"], detached: true });
  let log = "";
  server.stderr!.on("data", (d) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/`;
  const api = (p: string, method = "GET") => fetch(`${url}${p}`, { method, headers: { Authorization: `token ${token}` } });

  const kernelPids = () => pidsMentioning(runtime).filter((pid) => pid !== server.pid);
  const shutdownKernels = async () => {
    const listed = (await (await api("api/kernels")).json()) as { id: string }[];
    await Promise.all(listed.map((k) => api(`api/kernels/${k.id}`, "DELETE")));
  };
  // If this process ends without calling stop (a crash), take the server and its kernels down with it.
  const killAll = () => [server.pid!, ...kernelPids()].filter(alive).forEach((pid) => process.kill(pid, "SIGKILL"));
  process.once("exit", killAll);
  let stopped: Promise<void> | undefined;
  const stop = (graceMs = 15_000) =>
    (stopped ??= (async () => {
      const kernels = kernelPids();
      try {
        await shutdownKernels();
        await api("api/shutdown", "POST");
      } catch {
        /* the server is not answering: the signals below */
      }
      const deadline = Date.now() + graceMs;
      const leftovers = () => [...kernels, ...kernelPids(), server.pid!].filter(alive);
      while (leftovers().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      for (const pid of leftovers()) process.kill(pid, "SIGKILL");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      process.removeListener("exit", killAll);
      fs.rmSync(home, { recursive: true, force: true });
    })());

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`JupyterLab exited (code ${server.exitCode}) before answering:\n${log.slice(-3000)}`);
    try {
      if ((await api("api/status")).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(`JupyterLab did not answer on ${url} within ${timeoutMs / 1000} s:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, token, root, kernelPids, shutdownKernels, stop };
}
