/**
 * Tanh for the wasm backend through XNNPACK's vectorised sigmoid:
 *   tanh(x) = 2·σ(2x) − 1,
 * four elementwise wasm kernels (×2, σ, ×2, −1) and no JavaScript loop over the elements (a JS pass costs
 * more than the four kernels together). Near 0 the subtraction costs relative precision: the absolute error
 * stays below ~2·10⁻⁷ (float32 rounding of σ ≈ 0.5), which is what the test allows.
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
    const one = backend.makeOutput([], "float32");
    heapF32(backend, one)[0] = 1;
    const twoX = callWasmKernel("Multiply", backend, { a: x, b: two });
    const s = callWasmKernel("Sigmoid", backend, { x: twoX });
    const twoS = callWasmKernel("Multiply", backend, { a: s, b: two });
    const y = callWasmKernel("Sub", backend, { a: twoS, b: one });
    dispose(backend, two, one, twoX, s, twoS);
    return y;
  };
}

