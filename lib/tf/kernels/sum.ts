/**
 * Sum over leading axes for the wasm backend: the bias gradient of every conv and dense layer
 * (Σ over batch, rows, columns of dy[N,H,W,C], i.e. the column sums of dy viewed as an R × C matrix).
 * tfjs-backend-wasm 4.22 first transposes the reduced axes to the end (a full copy through a slow
 * generic transpose), ~5× slower than summing the rows of the R × C view directly, which this kernel
 * does in one sequential JavaScript pass with float64 accumulators. Other axis patterns go to the
 * package's kernel.
 */
import { KitKernelFunc, heapF32 } from "./wasm-util";

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
    const out = args.backend.makeOutput(outShape, "float32");
    const X = heapF32(args.backend, x), O = heapF32(args.backend, out);
    const acc = new Float64Array(C);
    for (let r = 0, off = 0; r < R; r++, off += C) {
      for (let c = 0; c < C; c++) acc[c] += X[off + c];
    }
    O.set(acc);
    return out;
  };
}
