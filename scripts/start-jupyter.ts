/**
 * `npm start`: open the notebooks in JupyterLab where it is installed, else classic Notebook, with the
 * kit's tslab kernel found through JUPYTER_PATH (no system-wide kernel install). Extra arguments go to
 * Jupyter (e.g. `npm start -- --no-browser --port 8899`).
 */
import { spawn } from "child_process";
import * as path from "path";
import { findJupyter, jupyterEnv, PROJECT_ROOT } from "../lib/notebooks/jupyter";

function main(): void {
  let install;
  try {
    install = findJupyter();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  }
  const app = install.hasLab ? "lab" : "notebook";
  if (!install.hasLab) console.log("JupyterLab is not installed here; opening classic Notebook (`pip install jupyterlab` for Lab).");
  const args = [app, `--notebook-dir=${path.join(PROJECT_ROOT, "notebooks")}`, ...process.argv.slice(2)];
  // Jupyter refuses to run as root without this (containers and CI machines often are root).
  if (process.getuid?.() === 0 && !args.includes("--allow-root")) args.push("--allow-root");
  console.log(`${install.jupyter} ${args.join(" ")}`);
  const child = spawn(install.jupyter, args, { env: jupyterEnv(), stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
}

main();
