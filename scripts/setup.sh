#!/usr/bin/env bash
# One-command set-up on a fresh machine: system packages (Jupyter, Chromium, PyTorch for the benchmark
# reference) where apt-get is available, the npm dependencies, then the main job: every notebook executed
# headless on the built-in data (out/*.html, out/results/*.json).
#   bash scripts/setup.sh                 # install + run all notebooks
#   bash scripts/setup.sh --install-only  # install only (what CI does before `npm test`)
#   bash scripts/setup.sh --with-torch    # also Debian's python3-torch, the reference of `npm run bench`
set -euo pipefail
cd "$(dirname "$0")/.."

run_notebooks=1
with_torch=0
for arg in "$@"; do
  case "$arg" in
    --install-only) run_notebooks=0 ;;
    --with-torch) with_torch=1 ;;
    *) echo "setup.sh: unknown option $arg (known: --install-only, --with-torch)" >&2; exit 2 ;;
  esac
done

APT_PACKAGES=(jupyter-notebook jupyter-client jupyter-nbconvert jupyter-nbformat python3-nbconvert python3-nbclient chromium)
# A one-node SLURM cluster for the sweep test (test/sweep-slurm.test.ts starts its daemons itself).
APT_PACKAGES+=(slurmctld slurmd slurm-client munge)
# `python3 -m venv` needs Debian's venv module: the kit's JupyterLab lives in a project-local venv (below).
APT_PACKAGES+=(python3-venv)
# PyTorch CPU is only the benchmark's reference point (`npm run bench`): opt in with --with-torch.
if [ "$with_torch" = "1" ]; then APT_PACKAGES+=(python3-torch); fi

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = "0" ] || SUDO="sudo"
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  else
    echo "setup: Debian packages already installed"
  fi
fi

# JupyterLab, nbclient, nbconvert and plotly (whose wheel carries JupyterLab's plotly renderer) in the
# project's .venv, which every kit command uses; Debian's classic Notebook (above) is the fallback where pip
# cannot get them. --retries 0: pip otherwise retries an unreachable index for every package (minutes).
LAB_PACKAGES=(jupyterlab nbclient nbconvert plotly)
if .venv/bin/python -c "import jupyterlab, nbclient, nbconvert, plotly" >/dev/null 2>&1; then
  echo "setup: JupyterLab already installed in .venv"
else
  echo "setup: installing JupyterLab into .venv with pip"
  if python3 -m venv .venv && .venv/bin/pip install -q --retries 0 --disable-pip-version-check "${LAB_PACKAGES[@]}"; then
    echo "setup: JupyterLab $(.venv/bin/jupyter lab --version) installed in .venv"
  else
    rm -rf .venv
    echo "setup: pip could not install JupyterLab; the kit will use classic Notebook (README: Jupyter)" >&2
    command -v jupyter >/dev/null 2>&1 || { echo "setup: and no Jupyter is installed at all" >&2; exit 1; }
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund
# Native TensorFlow for tfjs (several times faster conv training); where it cannot be built the kit uses wasm.
bash scripts/build-tfjs-node.sh

if [ "$run_notebooks" = "1" ]; then
  echo "setup: running every notebook headless (lecture mode)"
  npm run notebooks
fi
