/**
 * Sum over leading axes for the wasm backend: the bias gradient of every conv and dense layer
 * (Σ over batch, rows, columns of dy[N,H,W,C], i.e. the column sums of dy viewed as an R × C matrix).
 * tfjs-backend-wasm 4.22 first transposes the reduced axes to the end (a full copy through a slow
 * generic transpose). This kernel multiplies a row of ones by the R × C view, [1 × R]·[R × C], on
 * XNNPACK's matrix multiply (float32 accumulation, as the cpu backend): ~8× faster than the package's
 * kernel and ~5× faster than a JavaScript pass over the view. Other axis patterns go to the package's kernel.
 */
import { KitKernelFunc, callWasmKernel, dispose, heapF32, view } from "./wasm-util";

/** Below this many elements the package's kernel is as fast. */
const MIN_ELEMENTS = 4096;

export function makeSum(original: KitKernelFunc): KitKernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const raw = args.attrs.axis as number | number[] | undefined;
    const keepDims = Boolean(args.attrs.keepDims);
    if (x.dtype !== "float32" || raw === undefined || raw === null) return original(args);
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const k = axes.length;
    // Only a strict leading prefix 0..k-1 (with something left over) is handled here.
    if (k === 0 || k >= rank || axes.some((a, i) => a !== i)) return original(args);
    const R = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
    const C = x.shape.slice(k).reduce((p, q) => p * q, 1);
    if (R * C < MIN_ELEMENTS || R < 2) return original(args);
    const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const backend = args.backend;
    const ones = backend.makeOutput([1, 1, R], "float32");
    heapF32(backend, ones).fill(1);
    const sums = callWasmKernel("BatchMatMul", backend, { a: ones, b: view(x, [1, R, C]) }, { transposeA: false, transposeB: false });
    dispose(backend, ones);
    return { dataId: sums.dataId, shape: outShape, dtype: "float32" };
  };
}
