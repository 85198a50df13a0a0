#!/usr/bin/env bash
# Native TensorFlow backend for the kit: @tensorflow/tfjs-node (installed as the optional alias
# `tfjs-node-native`) built from source against the TensorFlow C library inside pip's `tensorflow-cpu` wheel.
#
# tfjs-node's own install script downloads libtensorflow and a prebuilt addon from Google's storage, which
# fails wherever only the package registries can be reached. Its sources build unpatched against the C API
# that ships inside the tensorflow-cpu wheel (libtensorflow_cc.so.2 holds the C and eager C API):
#   1. the package itself, without its install script (npm's lockfile pins it);
#   2. from the wheel (a zip), deps/lib/ ← the two shared libraries, deps/include/ ← the C API headers;
#   3. the addon, compiled by npm's bundled node-gyp against the local Node headers (nothing downloaded).
# Idempotent: when the addon already loads, nothing is done. Where pip, a compiler or the wheel is missing,
# it says so and exits 0: the kit then runs on wasm. Called by scripts/setup.sh after `npm ci`.
#   bash scripts/build-tfjs-node.sh          # build if needed
#   bash scripts/build-tfjs-node.sh --force  # rebuild
set -euo pipefail
cd "$(dirname "$0")/.."

TFJS_NODE_VERSION=4.22.0
TENSORFLOW_WHEEL=tensorflow-cpu==2.21.0
PKG=node_modules/tfjs-node-native
NAPI=8
BINDING="$PKG/lib/napi-v$NAPI/tfjs_binding.node"

say() { echo "tfjs-node: $*"; }
fallback() { say "$* — the kit will use the wasm backend (see environment.md)."; exit 0; }

loads() {
  TF_CPP_MIN_LOG_LEVEL=3 node -e 'process.stdout.write(require(process.argv[1]).TF_Version)' "$PWD/$BINDING" 2>/dev/null
}

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) echo "build-tfjs-node.sh: unknown option $arg (known: --force)" >&2; exit 2 ;;
  esac
done

if [ "$force" = "0" ] && [ -f "$BINDING" ] && version=$(loads); then
  say "native TensorFlow $version already built; the kit will use the tensorflow backend."
  exit 0
fi

command -v python3 >/dev/null 2>&1 || fallback "python3 (for pip) not found"
python3 -m pip --version >/dev/null 2>&1 || fallback "pip not found"
command -v g++ >/dev/null 2>&1 || fallback "no C++ compiler (g++) to build the addon"
command -v make >/dev/null 2>&1 || fallback "make not found (needed to build the addon)"
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || fallback "npm's bundled node-gyp not found at $NODE_GYP"
NODE_DIR="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
[ -f "$NODE_DIR/include/node/node_api.h" ] || fallback "Node's headers are not under $NODE_DIR/include/node"

start=$(date +%s)
if [ ! -f "$PKG/binding.gyp" ]; then
  say "installing @tensorflow/tfjs-node@$TFJS_NODE_VERSION without its download script"
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
    "tfjs-node-native@npm:@tensorflow/tfjs-node@$TFJS_NODE_VERSION" >/dev/null \
    || fallback "npm could not install @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "fetching the $TENSORFLOW_WHEEL wheel with pip (its C library, ~270 MB)"
# The C library does not depend on the Python version: ask for the wheel of a fixed platform and Python.
python3 -m pip download --quiet --retries 0 --no-deps --only-binary=:all: \
  --platform manylinux_2_27_x86_64 --python-version 3.11 --implementation cp \
  --dest "$work" "$TENSORFLOW_WHEEL" >"$work/pip.log" 2>&1 \
  || { tail -3 "$work/pip.log" >&2; fallback "pip could not fetch $TENSORFLOW_WHEEL"; }
wheel=$(ls "$work"/tensorflow_cpu-*.whl)

say "unpacking the C library and its headers into $PKG/deps/"
rm -rf "$PKG/deps"
python3 - "$wheel" "$PKG/deps" <<'EOF'
import os, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
headers = ("tensorflow/c/", "tensorflow/core/platform/ctstring", "tsl/platform/ctstring", "xla/tsl/c/")
found = set()
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.endswith("/"):
            continue
        if name in libs:
            target = os.path.join(deps, "lib", os.path.basename(name))
            found.add(name)
        elif name.startswith("tensorflow/include/") and name[len("tensorflow/include/"):].startswith(headers):
            target = os.path.join(deps, "include", name[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
missing = libs - found
if missing:
    sys.exit(f"the wheel lacks {sorted(missing)}")
EOF
ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
[ -f "$PKG/deps/include/tensorflow/c/c_api.h" ] || fallback "the wheel has no tensorflow/c/c_api.h"

say "compiling the addon with node-gyp against $NODE_DIR/include/node"
(cd "$PKG" && node "$NODE_GYP" rebuild --nodedir="$NODE_DIR" --module_name=tfjs_binding \
  --module_path="$PWD/lib/napi-v$NAPI" --napi_build_version=$NAPI) >"$work/gyp.log" 2>&1 \
  || { tail -20 "$work/gyp.log" >&2; fallback "the addon did not compile"; }
rm -rf "$PKG/build"

version=$(loads) || fallback "the addon was built but does not load"
size=$(du -sh "$PKG/deps" | cut -f1)
say "built against TensorFlow $version in $(( $(date +%s) - start )) s (deps $size); the kit will use the tensorflow backend."
