/**
 * The kit's kernels for TensorFlow.js's wasm backend (tfjs-backend-wasm 4.22), so that conv nets
 * train there and dense nets train fast. Registered by `registerWasmGradientKernels()` (called by
 * lib/tf/backend.ts right after `tf.setBackend('wasm')`):
 *
 * | kernel | in the package | kit version (lib/tf/kernels/) |
 * |---|---|---|
 * | Conv2DBackpropFilter | missing | im2colᵀ (JS) · dy on XNNPACK: dW = Xᵀ·dY |
 * | Conv2DBackpropInput | naive loop | dY·Wᵀ on XNNPACK, then col2im (JS) |
 * | DepthwiseConv2dNativeBackpropFilter / …Input | missing | direct JS loops |
 * | BatchMatMul, _FusedMatMul | naive loop when transposed or batched | explicit transpose, then XNNPACK |
 * | Tanh | scalar libm | 2·σ(2x) − 1 on XNNPACK's sigmoid |
 * | Sum (leading axes, e.g. bias gradients) | transpose, then reduce | a row of ones times the R × C view, on XNNPACK |
 *
 * Registration is idempotent (a second call, even from a second copy of this module, finds the kit's
 * kernels in place and changes nothing) and reversible (`unregisterWasmGradientKernels()` puts the
 * package's kernels back). The package's original kernel functions are kept in a process-wide map so
 * every copy of this module sees the same ones.
 */
import * as tf from "@tensorflow/tfjs";
import { makeConv2DBackpropFilter, makeConv2DBackpropInput } from "./kernels/conv2d-grads";
import { depthwiseBackpropFilter, depthwiseBackpropInput } from "./kernels/depthwise-grads";
import { makeBatchMatMul, makeFusedMatMul } from "./kernels/matmul";
import { makeSum } from "./kernels/sum";
import { makeTanh } from "./kernels/tanh";
import type { KitKernelFunc } from "./kernels/wasm-util";

const BACKEND = "wasm";
const MARK = Symbol.for("task-driven-neuro-kit/wasm-kernel");
const ORIGINALS_KEY = Symbol.for("task-driven-neuro-kit/wasm-original-kernels");

/** Names of the kernels this module provides, in registration order. */
export const KIT_WASM_KERNELS = [
  "BatchMatMul",
  "_FusedMatMul",
  "Tanh",
  "Sum",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
] as const;
export type KitWasmKernelName = (typeof KIT_WASM_KERNELS)[number];

type Original = { kernelFunc: KitKernelFunc; setupFunc?: tf.KernelSetupFunc; disposeFunc?: tf.KernelDisposeFunc };

function originals(): Map<string, Original> {
  const g = globalThis as unknown as Record<symbol, Map<string, Original> | undefined>;
  let m = g[ORIGINALS_KEY];
  if (!m) {
    m = new Map();
    g[ORIGINALS_KEY] = m;
  }
  return m;
}

function isKit(config: tf.KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as unknown as Record<symbol, unknown>)[MARK] === true;
}

/** The package's kernel (not the kit's replacement), if it has one. */
function packageKernel(name: string): Original | undefined {
  const current = tf.getKernel(name, BACKEND);
  if (current && !isKit(current)) {
    return { kernelFunc: current.kernelFunc as unknown as KitKernelFunc, setupFunc: current.setupFunc, disposeFunc: current.disposeFunc };
  }
  return originals().get(name);
}

function build(name: KitWasmKernelName): KitKernelFunc | undefined {
  const matMul = packageKernel("BatchMatMul")?.kernelFunc;
  const original = packageKernel(name)?.kernelFunc;
  switch (name) {
    case "BatchMatMul": return original && makeBatchMatMul(original);
    case "_FusedMatMul": return original && makeFusedMatMul(original);
    case "Tanh": return original && makeTanh(original);
    case "Sum": return original && makeSum(original);
    case "Conv2DBackpropFilter": return makeConv2DBackpropFilter(matMul);
    case "Conv2DBackpropInput": return makeConv2DBackpropInput(matMul);
    case "DepthwiseConv2dNativeBackpropFilter": return depthwiseBackpropFilter;
    case "DepthwiseConv2dNativeBackpropInput": return depthwiseBackpropInput;
  }
}

/**
 * Register the kit's kernels for the wasm backend (replacing the package's where it has slow ones).
 * Returns the names of the kit kernels now in place (the same list on every call).
 * `only` restricts registration to some of them (for comparisons and tests).
 */
export function registerWasmGradientKernels(options: { only?: readonly KitWasmKernelName[] } = {}): string[] {
  const wanted = options.only ?? KIT_WASM_KERNELS;
  for (const name of wanted) {
    const current = tf.getKernel(name, BACKEND);
    if (isKit(current)) continue;
    const func = build(name);
    if (!func) continue; // the package lacks the kernel this one wraps
    if (current) {
      originals().set(name, {
        kernelFunc: current.kernelFunc as unknown as KitKernelFunc, setupFunc: current.setupFunc, disposeFunc: current.disposeFunc,
      });
      tf.unregisterKernel(name, BACKEND);
    }
    (func as unknown as Record<symbol, unknown>)[MARK] = true;
    const saved = originals().get(name);
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: func as unknown as tf.KernelFunc,
      setupFunc: saved?.setupFunc,
      disposeFunc: saved?.disposeFunc,
    });
  }
  return KIT_WASM_KERNELS.filter((name) => isKit(tf.getKernel(name, BACKEND)));
}

/** Remove the kit's wasm kernels and put the package's originals back (where it had one). */
export function unregisterWasmGradientKernels(): void {
  for (const name of KIT_WASM_KERNELS) {
    if (!isKit(tf.getKernel(name, BACKEND))) continue;
    tf.unregisterKernel(name, BACKEND);
    const saved = originals().get(name);
    if (saved) {
      tf.registerKernel({
        kernelName: name, backendName: BACKEND,
        kernelFunc: saved.kernelFunc as unknown as tf.KernelFunc, setupFunc: saved.setupFunc, disposeFunc: saved.disposeFunc,
      });
    }
  }
}
