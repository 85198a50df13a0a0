/**
 * Matrix multiply for the wasm backend, routed onto XNNPACK's fast path.
 *
 * tfjs-backend-wasm 4.22 sends BatchMatMul / _FusedMatMul to XNNPACK only for a single matrix pair
 * with neither operand transposed; a transposed operand (every backward pass of a dense layer:
 * dA = dC·Bᵀ, dB = Aᵀ·dC) or a batch of matrices falls to a naive loop 10–15× slower. These wrappers
 * make the transpose explicit (the package's Transpose kernel for a single matrix, ~2.5× faster here than
 * a JavaScript pass; a blocked JavaScript transpose for one matrix of a batch; O(size) work either way) and
 * then call the package's own kernel untransposed; a batch of matrices is multiplied pair by pair.
 * (Aᵀ·B = (Aᵀ)·B with Aᵀ materialised; A·Bᵀ likewise; identities, not approximations.)
 */
import * as tf from "@tensorflow/tfjs";
import { transpose2d } from "./heap-loops";
import { KitKernelFunc, WasmBackend, callWasmKernel, dispose, heapF32, view } from "./wasm-util";

type TensorInfo = tf.TensorInfo;

/** Below this many multiply-adds per matrix pair the per-call overhead dominates: keep the original kernel. */
const MIN_MACS_PER_PAIR = 4096;

function size(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

/** A copy of matrix `index` of a [batch, R, C] tensor, transposed to [1, C, R] when `t` is set. */
function matrixOf(backend: WasmBackend, x: TensorInfo, index: number, R: number, C: number, t: boolean): TensorInfo {
  if (t && size(x.shape) === R * C) {
    const out = callWasmKernel("Transpose", backend, { x: view(x, [R, C]) }, { perm: [1, 0] });
    return view(out, [1, C, R]);
  }
  const out = backend.makeOutput([1, t ? C : R, t ? R : C], "float32");
  const src = heapF32(backend, x), dst = heapF32(backend, out);
  if (t) transpose2d(src, dst, R, C, index * R * C, 0);
  else dst.set(src.subarray(index * R * C, (index + 1) * R * C));
  return out;
}

interface Operands {
  batchA: number; batchB: number; batch: number;
  M: number; K: number; N: number;
  rA: number; cA: number; rB: number; cB: number;
  outShape: number[];
}

/** Shapes for a·b with optional transposes; undefined when the batch dimensions broadcast in a way not handled here. */
function operands(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Operands | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const rA = a.shape[ra - 2], cA = a.shape[ra - 1], rB = b.shape[rb - 2], cB = b.shape[rb - 1];
  const M = transposeA ? cA : rA, K = transposeA ? rA : cA, N = transposeB ? rB : cB;
  if ((transposeB ? cB : rB) !== K) return undefined; // let the original kernel report the error
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = size(outerA), batchB = size(outerB);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1 && outerB.every((d) => d === 1) && outerA.length >= outerB.length) outer = outerA;
  else if (batchA === 1 && outerA.every((d) => d === 1) && outerB.length >= outerA.length) outer = outerB;
  else return undefined;
  return { batchA, batchB, batch: Math.max(batchA, batchB), M, K, N, rA, cA, rB, cB, outShape: [...outer, M, N] };
}

/**
 * Multiply through `nn` (an untransposed single-pair kernel call) after materialising transposes,
 * pair by pair for batches. Returns undefined when the original kernel should be used instead.
 */
function viaUntransposed(
  backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean,
  nn: (a2: TensorInfo, b2: TensorInfo) => TensorInfo, allowBatch: boolean,
): TensorInfo | undefined {
  const op = operands(a, b, transposeA, transposeB);
  if (!op) return undefined;
  const { batch, batchA, batchB, M, K, N, rA, cA, rB, cB, outShape } = op;
  if (M * K * N < MIN_MACS_PER_PAIR) return undefined;
  if (batch === 1) {
    if (!transposeA && !transposeB) return undefined;
    const a2 = transposeA ? matrixOf(backend, a, 0, rA, cA, true) : view(a, [1, M, K]);
    const b2 = transposeB ? matrixOf(backend, b, 0, rB, cB, true) : view(b, [1, K, N]);
    const out = nn(a2, b2);
    if (transposeA) dispose(backend, a2);
    if (transposeB) dispose(backend, b2);
    return view(out, outShape);
  }
  if (!allowBatch) return undefined;
  const out = backend.makeOutput(outShape, "float32");
  const shared = (which: "a" | "b") =>
    which === "a" ? (batchA === 1 ? (transposeA ? matrixOf(backend, a, 0, rA, cA, true) : view(a, [1, M, K])) : undefined)
      : (batchB === 1 ? (transposeB ? matrixOf(backend, b, 0, rB, cB, true) : view(b, [1, K, N])) : undefined);
  const aShared = shared("a"), bShared = shared("b");
  for (let i = 0; i < batch; i++) {
    const ai = aShared ?? matrixOf(backend, a, i, rA, cA, transposeA);
    const bi = bShared ?? matrixOf(backend, b, i, rB, cB, transposeB);
    const ci = nn(ai, bi);
    heapF32(backend, out).set(heapF32(backend, ci), i * M * N);
    dispose(backend, ci);
    if (!aShared) dispose(backend, ai);
    if (!bShared) dispose(backend, bi);
  }
  if (aShared && transposeA) dispose(backend, aShared);
  if (bShared && transposeB) dispose(backend, bShared);
  return out;
}

/** BatchMatMul: inputs {a, b}, attrs {transposeA, transposeB}. */
export function makeBatchMatMul(original: KitKernelFunc): KitKernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const transposeA = Boolean(args.attrs.transposeA), transposeB = Boolean(args.attrs.transposeB);
    const nn = (a2: TensorInfo, b2: TensorInfo) =>
      original({ inputs: { a: a2, b: b2 }, backend: args.backend, attrs: { transposeA: false, transposeB: false } });
    return viaUntransposed(args.backend, a, b, transposeA, transposeB, nn, true) ?? original(args);
  };
}

/** _FusedMatMul: inputs {a, b, bias?, preluActivationWeights?}, attrs {transposeA, transposeB, activation, leakyreluAlpha}. */
export function makeFusedMatMul(original: KitKernelFunc): KitKernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const transposeA = Boolean(args.attrs.transposeA), transposeB = Boolean(args.attrs.transposeB);
    if (!transposeA && !transposeB) return original(args);
    const nn = (a2: TensorInfo, b2: TensorInfo) =>
      original({ inputs: { ...args.inputs, a: a2, b: b2 }, backend: args.backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    // The fused bias/activation apply to the whole output: only the single-pair case is rerouted.
    return viaUntransposed(args.backend, a, b, transposeA, transposeB, nn, false) ?? original(args);
  };
}
