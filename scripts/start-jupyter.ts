/**
 * `npm start`: open the notebooks in JupyterLab (the project's .venv, made by scripts/setup.sh), else classic
 * Notebook, with the kit's tslab kernel found through JUPYTER_PATH (no system-wide kernel install).
 *   npm start                          # on notebooks/
 *   npm start student                  # on another folder (student copies, out/notebooks, …)
 *   npm start -- --classic             # classic Notebook (Debian's, on PATH) even where JupyterLab is installed
 *   npm start -- --no-browser --port 8899   # other options go to Jupyter
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describeJupyter, findJupyter, jupyterEnv, KERNEL_NAME, PROJECT_ROOT } from "../lib/notebooks/jupyter";

function main(): void {
  const classic = process.argv.includes("--classic");
  let install;
  try {
    install = findJupyter(process.env, { venv: !classic });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  }
  const given = process.argv.slice(2).filter((a) => a !== "--classic");
  const folder = given.find((a) => !a.startsWith("-") && fs.statSync(a, { throwIfNoEntry: false })?.isDirectory());
  const root = path.resolve(folder ?? path.join(PROJECT_ROOT, "notebooks"));
  const args = [
    install.hasLab && !classic ? "lab" : "notebook",
    `--notebook-dir=${root}`,
    // New notebooks get the kit's kernel; the shipped ones name it in their metadata.
    `--MappingKernelManager.default_kernel_name=${KERNEL_NAME}`,
    ...given.filter((a) => a !== folder),
  ];
  // Jupyter refuses to run as root without this (containers and CI machines often are root).
  if (process.getuid?.() === 0 && !args.includes("--allow-root")) args.push("--allow-root");
  console.log(`Opening ${classic ? `classic Notebook (${install.jupyter})` : describeJupyter(install)} on ${root}`);
  console.log(`${install.jupyter} ${args.join(" ")}`);
  const child = spawn(install.jupyter, args, { env: jupyterEnv(), stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
}

main();
