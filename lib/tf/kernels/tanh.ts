/**
 * Tanh for the wasm backend through XNNPACK's vectorised sigmoid:
 *   tanh(x) = 2·σ(2x) − 1,
 * with the odd Taylor polynomial x − x³/3 + 2x⁵/15 − 17x⁷/315 for |x| < 0.1, where the subtraction
 * above would cost relative precision (there the polynomial is exact to float32 rounding).
 * tfjs-backend-wasm 4.22's own Tanh calls scalar libm tanh, ~15× slower than its sigmoid; MLPs with
 * tanh units spend a large part of each training step there.
 */
import { KitKernelFunc, callWasmKernel, dispose, heapF32 } from "./wasm-util";

/** Below this many elements the original kernel is as fast (per-call overhead dominates). */
const MIN_ELEMENTS = 1024;

export function makeTanh(original: KitKernelFunc): KitKernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const backend = args.backend;
    const n = x.shape.reduce((p, q) => p * q, 1);
    if (x.dtype !== "float32" || n < MIN_ELEMENTS) return original(args);
    const two = backend.makeOutput([], "float32");
    heapF32(backend, two)[0] = 2;
    const twoX = callWasmKernel("Multiply", backend, { a: x, b: two });
    const s = callWasmKernel("Sigmoid", backend, { x: twoX });
    dispose(backend, two, twoX);
    const X = heapF32(backend, x), S = heapF32(backend, s);
    for (let i = 0; i < n; i++) {
      const v = X[i];
      if (v > -0.1 && v < 0.1) {
        const v2 = v * v;
        S[i] = v * (1 + v2 * (-1 / 3 + v2 * (2 / 15 - v2 * (17 / 315))));
      } else {
        S[i] = 2 * S[i] - 1;
      }
    }
    return s;
  };
}

