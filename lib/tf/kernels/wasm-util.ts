/**
 * Small helpers shared by the kit's wasm kernels (lib/tf/kernels/*).
 *
 * The kernels here are compositions: they call the wasm backend's own fast kernels (XNNPACK forward
 * convolution and matrix multiply, Transpose) and, where no kernel fits, run a plain JavaScript loop
 * directly on the wasm heap (im2col / col2im style gathers and scatters). Every intermediate they
 * allocate is released with `backend.disposeData` before they return, so a kernel leaves exactly one
 * new tensor (its output) behind.
 *
 * Only the parts of tfjs-backend-wasm's `BackendWasm` that the kernels use are typed here
 * (`WasmBackend`), so this module does not import the wasm package itself.
 */
import * as tf from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;
type NamedAttrMap = tf.NamedAttrMap;

/** The subset of tfjs-backend-wasm's BackendWasm used by the kit kernels. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A kernel function as the kit writes it: typed inputs and attributes, wasm backend. */
export type KitKernelFunc = (args: {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs: NamedAttrMap;
}) => TensorInfo;

/** Call a kernel registered for the wasm backend (one of the package's or one of ours). */
export function callWasmKernel(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    backend: backend as unknown as tf.KernelBackend,
    attrs,
  });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/**
 * The same data under another shape (no copy, no reference count): valid only while `t` is alive,
 * and must not be passed to `disposeData`.
 */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Float32 view of a tensor on the wasm heap. Take views only after the last allocation: growth of the heap detaches them. */
export function heapF32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const a = backend.typedArrayFromHeap(t);
  if (!(a instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return a;
}

/** Free intermediates (each made by a kernel call or makeOutput in the calling kernel). */
export function dispose(backend: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** Transpose through the wasm Transpose kernel. */
export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return callWasmKernel("Transpose", backend, { x }, { perm });
}

/** Explicit NHWC padding in the form tfjs kernels accept. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

export function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/** Forward NHWC conv2d through the wasm (XNNPACK) Conv2D kernel with explicit padding. */
export function conv2d(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  pad: ExplicitPad,
): TensorInfo {
  return callWasmKernel("Conv2D", backend, { x, filter }, {
    strides, dilations, pad: pad as unknown as number[], dataFormat: "NHWC", dimRoundingMode: undefined as unknown as string,
  } as NamedAttrMap);
}

/** Plain a·b (no transposes) through the wasm BatchMatMul kernel: XNNPACK's fast path. */
export function matMulNN(backend: WasmBackend, a: TensorInfo, b: TensorInfo, original?: KitKernelFunc): TensorInfo {
  const attrs = { transposeA: false, transposeB: false };
  if (original) return original({ inputs: { a, b }, backend, attrs });
  return callWasmKernel("BatchMatMul", backend, { a, b }, attrs);
}

export function pair(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === "number") return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  return [v[0], v[1]];
}
