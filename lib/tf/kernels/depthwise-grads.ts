/**
 * Gradients of the depthwise 2-D convolution (NHWC) for the wasm backend, which has none.
 *
 * Forward, with channel multiplier q < mult and output channel o = ci·mult + q:
 *   y[n,i,j,o] = Σ_{a,b} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · w[a,b,ci,q].
 * - DepthwiseConv2dNativeBackpropFilter: dw[a,b,ci,q] = Σ_{n,i,j} x[n, r, c, ci] · dy[n,i,j,o]
 *   (r, c as above; taps in the padding contribute nothing).
 * - DepthwiseConv2dNativeBackpropInput: dx[n,r,c,ci] = Σ_{i,j,a,b,q : r = i·sh + a·dh − pt, …} dy[n,i,j,o] · w[a,b,ci,q],
 *   computed as a scatter-add over output positions.
 * A depthwise conv does kh·kw multiply-adds per output element, too few for a matrix multiply to
 * pay off, so these are direct JavaScript loops over the wasm heap (channels innermost, contiguous),
 * with the filter gradient accumulated in float64.
 */
import * as tf from "@tensorflow/tfjs";
import { KitKernelFunc, heapF32, pair } from "./wasm-util";

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function info(xShape: [number, number, number, number], filterShape: [number, number, number, number], a: DepthwiseAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, pair(a.strides as number | number[], 1), pair(a.dilations as number | number[] | undefined, 1),
    a.pad, a.dimRoundingMode, true, "channelsLast",
  );
}

type ConvInfo = ReturnType<typeof info>;

/**
 * Visits every (output position, filter tap) pair whose input position lies inside the image, with the offsets of
 * its input pixel's channels, its output's channels and its tap's filter entries; both gradients are sums over these.
 */
function forEachTap(c: ConvInfo, visit: (xOff: number, dyOff: number, wOff: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow, outChannels: Co } = c;
  const kh = c.filterHeight, kw = c.filterWidth;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < oh; i++) {
      for (let ta = 0; ta < kh; ta++) {
        const r = i * c.strideHeight + ta * c.dilationHeight - c.padInfo.top;
        if (r < 0 || r >= H) continue;
        for (let j = 0; j < ow; j++) {
          const dyOff = ((n * oh + i) * ow + j) * Co;
          for (let tb = 0; tb < kw; tb++) {
            const col = j * c.strideWidth + tb * c.dilationWidth - c.padInfo.left;
            if (col < 0 || col >= W) continue;
            visit(((n * H + r) * W + col) * C, dyOff, (ta * kw + tb) * Co);
          }
        }
      }
    }
  }
}

/** DepthwiseConv2dNativeBackpropFilter: inputs {x, dy}, attrs {strides, dilations, pad, dimRoundingMode, filterShape}. */
export const depthwiseBackpropFilter: KitKernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const c = info(x.shape as [number, number, number, number], a.filterShape, a);
  const C = c.inChannels, mult = c.outChannels / C;
  const out = backend.makeOutput([c.filterHeight, c.filterWidth, C, mult], "float32");
  const X = heapF32(backend, x), DY = heapF32(backend, dy);
  const acc = new Float64Array(c.filterHeight * c.filterWidth * c.outChannels);
  forEachTap(c, (xOff, dyOff, wOff) => {
    if (mult === 1) {
      for (let ci = 0; ci < C; ci++) acc[wOff + ci] += X[xOff + ci] * DY[dyOff + ci];
    } else {
      for (let ci = 0; ci < C; ci++) {
        const xv = X[xOff + ci];
        for (let q = 0; q < mult; q++) acc[wOff + ci * mult + q] += xv * DY[dyOff + ci * mult + q];
      }
    }
  });
  heapF32(backend, out).set(acc);
  return out;
};

/** DepthwiseConv2dNativeBackpropInput: inputs {dy, filter}, attrs {strides, dilations, pad, dimRoundingMode, inputShape}. */
export const depthwiseBackpropInput: KitKernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const c = info(a.inputShape, filter.shape as [number, number, number, number], a);
  const C = c.inChannels, mult = c.outChannels / C;
  const out = backend.makeOutput(a.inputShape, "float32");
  const DX = heapF32(backend, out), DY = heapF32(backend, dy), Wt = heapF32(backend, filter);
  DX.fill(0);
  forEachTap(c, (xOff, dyOff, wOff) => {
    if (mult === 1) {
      for (let ci = 0; ci < C; ci++) DX[xOff + ci] += DY[dyOff + ci] * Wt[wOff + ci];
    } else {
      for (let ci = 0; ci < C; ci++) {
        let s = 0;
        for (let q = 0; q < mult; q++) s += DY[dyOff + ci * mult + q] * Wt[wOff + ci * mult + q];
        DX[xOff + ci] += s;
      }
    }
  });
  return out;
};
