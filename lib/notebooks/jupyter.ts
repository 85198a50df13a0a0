/**
 * Finding Jupyter without a system-wide kernel install.
 *
 * The kit's tslab kernelspec lives in `jupyter/kernels/tslab-kit`; every command the kit starts puts
 * `jupyter/` on JUPYTER_PATH so Jupyter finds it. The kernel changes to the project root before starting
 * tslab, so notebooks in notebooks/ import the library as `./lib/...` (tslab compiles under its cwd only).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
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
}

export const INSTALL_HELP =
  "Jupyter was not found. Install it, then run the command again:\n" +
  "  Debian/Ubuntu:  sudo apt-get install -y jupyter-notebook python3-nbconvert python3-nbclient\n" +
  "  elsewhere:      pip install jupyterlab nbclient nbconvert\n" +
  "(`npm run setup` does the Debian install for you where apt-get is available.)";

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

/**
 * Locate Jupyter and the pieces the kit needs (nbclient, nbconvert). Throws INSTALL_HELP, naming what is
 * missing, when they are not there.
 */
export function findJupyter(env: NodeJS.ProcessEnv = process.env): JupyterInstall {
  const jupyter = which("jupyter", env.PATH ?? "");
  if (!jupyter) throw new Error(INSTALL_HELP);
  const python = pythonOf(jupyter);
  const missing = ["nbclient", "nbconvert", "nbformat"].filter((m) => !canImport(python, [m], env));
  if (missing.length) {
    throw new Error(`Jupyter is at ${jupyter}, but its Python (${python}) lacks ${missing.join(", ")}.\n${INSTALL_HELP}`);
  }
  return { jupyter, python, hasLab: canImport(python, ["jupyterlab"], env) };
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
