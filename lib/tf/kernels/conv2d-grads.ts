/**
 * The two gradients of a 2-D convolution (NHWC) for the wasm backend, written as one large matrix
 * multiply each, done by XNNPACK (the wasm BatchMatMul kernel's fast, untransposed path), with the
 * data reshuffling (im2col / col2im) in JavaScript on the wasm heap.
 *
 * Forward: y[n,i,j,co] = Σ_{a,b,ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · w[a,b,ci,co].
 * Write X for the im2col matrix, X[m, k] = x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] with
 * m = (n,i,j) and k = (a,b,ci); then Y = X·W with W = w reshaped to K × Cout.
 *
 * - Conv2DBackpropFilter: dW = Xᵀ·dY. The kernel builds Xᵀ (K × M) directly and multiplies it by
 *   dY (M × Cout); the product is already in [kh, kw, Cin, Cout] order.
 * - Conv2DBackpropInput: dX = dY·Wᵀ (M × K), then col2im scatters dX back: dx[n, r, c, ci] is the
 *   sum of dX[m, k] over every (m, k) that read x[n, r, c, ci]. This is the transposed convolution
 *   without the zero-insertion of the "dilate dy, convolve with the rotated filter" identity, so
 *   stride 2 costs no wasted multiplications.
 *
 * Batches are processed in chunks of samples so each im2col buffer stays cache-sized; the filter
 * gradient sums the chunks' products.
 *
 * Both kernels accept an optional `dilations` attribute (tfjs's own Conv2D gradient refuses
 * dilation > 1 before any kernel runs, so through tf.grad it is always 1).
 */
import * as tf from "@tensorflow/tfjs";
import { ConvGeometry, col2imAdd, im2colTransposed, transpose2d } from "./heap-loops";
import { KitKernelFunc, WasmBackend, dispose, heapF32, matMulNN, pair, view } from "./wasm-util";

type TensorInfo = tf.TensorInfo;

/**
 * Target size (floats) of one im2col buffer: batches are processed a few samples at a time so the
 * buffer written by one step and read by the next stays in cache (memory bandwidth, not arithmetic,
 * is what the plain JavaScript passes are limited by). One sample is the minimum chunk.
 */
let colsChunkElements = 256 * 1024;

/** Change the im2col chunk size (floats); returns the previous value. For tuning and tests. */
export function setConvChunkElements(elements: number): number {
  const previous = colsChunkElements;
  colsChunkElements = Math.max(1, Math.floor(elements));
  return previous;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  dilations?: number | [number, number];
}

function geometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
  kernel: string,
): ConvGeometry & { batch: number; outC: number } {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") {
    throw new Error(`${kernel} (kit wasm kernel) supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filterShape, pair(attrs.strides as number | number[], 1), pair(attrs.dilations as number | number[] | undefined, 1),
    attrs.pad, attrs.dimRoundingMode, false, "channelsLast",
  );
  return {
    batch: info.batchSize, outC: info.outChannels,
    inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth,
    kh: info.filterHeight, kw: info.filterWidth,
    strideH: info.strideHeight, strideW: info.strideWidth,
    dilationH: info.dilationHeight, dilationW: info.dilationWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

function samplesPerChunk(batch: number, rowsPerSample: number, colsPerRow: number): number {
  const perSample = Math.max(1, rowsPerSample * colsPerRow);
  return Math.max(1, Math.min(batch, Math.floor(colsChunkElements / perSample)));
}

/**
 * Copy rows [m0, m1) of a row-major matrix with `width` columns into a new tensor (or reuse the
 * tensor itself when the range is all of it). The caller disposes the result when `copied`.
 */
function rowsOf(backend: WasmBackend, t: TensorInfo, m0: number, m1: number, width: number): { t: TensorInfo; copied: boolean } {
  const total = t.shape.reduce((p, q) => p * q, 1) / width;
  if (m0 === 0 && m1 === total) return { t: view(t, [1, total, width]), copied: false };
  const out = backend.makeOutput([1, m1 - m0, width], "float32");
  const src = heapF32(backend, t), dst = heapF32(backend, out);
  dst.set(src.subarray(m0 * width, m1 * width));
  return { t: out, copied: true };
}

/** Conv2DBackpropFilter: inputs {x, dy}, attrs {strides, pad, dataFormat, dimRoundingMode, filterShape[, dilations]}. */
export function makeConv2DBackpropFilter(matMul?: KitKernelFunc): KitKernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    const g = geometry(x.shape as [number, number, number, number], a.filterShape, a, "Conv2DBackpropFilter");
    const K = g.kh * g.kw * g.inC, Cout = g.outC, perSample = g.outH * g.outW;
    const chunk = samplesPerChunk(g.batch, perSample, K);
    let acc: TensorInfo | undefined;
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const n1 = Math.min(g.batch, n0 + chunk);
      const Mc = (n1 - n0) * perSample;
      const colsT = backend.makeOutput([1, K, Mc], "float32");
      const dyc = rowsOf(backend, dy, n0 * perSample, n1 * perSample, Cout);
      im2colTransposed(heapF32(backend, x), heapF32(backend, colsT), g, n0, n1);
      const part = matMulNN(backend, colsT, dyc.t, matMul);
      dispose(backend, colsT);
      if (dyc.copied) dispose(backend, dyc.t);
      if (acc === undefined) {
        acc = part;
      } else {
        const s = heapF32(backend, acc), p = heapF32(backend, part);
        for (let i = 0; i < s.length; i++) s[i] += p[i];
        dispose(backend, part);
      }
    }
    if (acc === undefined) throw new Error("Conv2DBackpropFilter: empty batch");
    return view(acc, [g.kh, g.kw, g.inC, Cout]);
  };
}

/** Conv2DBackpropInput: inputs {dy, filter}, attrs {strides, pad, dataFormat, dimRoundingMode, inputShape[, dilations]}. */
export function makeConv2DBackpropInput(matMul?: KitKernelFunc): KitKernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    const g = geometry(a.inputShape, filter.shape as [number, number, number, number], a, "Conv2DBackpropInput");
    const K = g.kh * g.kw * g.inC, Cout = g.outC, perSample = g.outH * g.outW;
    const out = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], "float32");
    const wT = backend.makeOutput([1, Cout, K], "float32");
    transpose2d(heapF32(backend, filter), heapF32(backend, wT), K, Cout);
    heapF32(backend, out).fill(0);
    const chunk = samplesPerChunk(g.batch, perSample, K);
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const n1 = Math.min(g.batch, n0 + chunk);
      const dyc = rowsOf(backend, dy, n0 * perSample, n1 * perSample, Cout);
      const cols = matMulNN(backend, dyc.t, wT, matMul);
      if (dyc.copied) dispose(backend, dyc.t);
      col2imAdd(heapF32(backend, cols), heapF32(backend, out), g, n0, n1);
      dispose(backend, cols);
    }
    dispose(backend, wT);
    return out;
  };
}
