/**
 * Data-movement loops that run in JavaScript directly on Float32Array views of the wasm heap:
 * im2col (in the transposed, "rows = filter taps" layout), col2im (scatter-add), 2-D transposes and
 * copies. They move data into the layouts XNNPACK's matrix multiply wants; the arithmetic itself is
 * left to XNNPACK.
 *
 * Conventions (NHWC, as tfjs): x[n, r, c, ci], filter taps (a, b) with a < kh, b < kw, output pixel
 * (i, j) with i < oh, j < ow. The input row read by tap a at output row i is
 *   r = i·strideH + a·dilationH − padTop   (and likewise c for columns);
 * rows/columns outside [0, H) × [0, W) read as zero (the padding).
 */

/** Geometry of one NHWC 2-D convolution (as far as the loops need it). */
export interface ConvGeometry {
  inH: number; inW: number; inC: number;
  outH: number; outW: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  dilationH: number; dilationW: number;
  padTop: number; padLeft: number;
}

/**
 * Transposed im2col for samples [n0, n1): cols[k, m] with k = (a·kw + b)·Cin + ci the filter-tap
 * index and m = ((n − n0)·oh + i)·ow + j the output-position index (so the matrix is K × M, M = the
 * chunk's output positions). `x` holds the whole batch.
 */
export function im2colTransposed(
  x: Float32Array, cols: Float32Array, g: ConvGeometry, n0: number, n1: number,
): void {
  const { inH, inW, inC, outH, outW, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const M = (n1 - n0) * outH * outW;
  const rowStride = inW * inC;
  for (let b = 0; b < kw; b++) {
    // Output columns j whose input column c = j·sw + b·dw − pl lies inside [0, W).
    const off = b * dilationW - padLeft;
    const jLo = Math.min(outW, Math.max(0, Math.ceil(-off / strideW)));
    const jHi = Math.max(jLo, Math.min(outW, Math.floor((inW - 1 - off) / strideW) + 1));
    for (let a = 0; a < kh; a++) {
      const kBase = (a * kw + b) * inC;
      for (let n = n0; n < n1; n++) {
        for (let i = 0; i < outH; i++) {
          const m0 = ((n - n0) * outH + i) * outW;
          const r = i * strideH + a * dilationH - padTop;
          if (r < 0 || r >= inH) {
            for (let ci = 0; ci < inC; ci++) {
              const d = (kBase + ci) * M + m0;
              cols.fill(0, d, d + outW);
            }
            continue;
          }
          const src0 = (n * inH + r) * rowStride + off * inC;
          const step = strideW * inC;
          for (let ci = 0; ci < inC; ci++) {
            const d = (kBase + ci) * M + m0;
            for (let j = 0; j < jLo; j++) cols[d + j] = 0;
            let s = src0 + jLo * step + ci;
            for (let j = jLo; j < jHi; j++, s += step) cols[d + j] = x[s];
            for (let j = jHi; j < outW; j++) cols[d + j] = 0;
          }
        }
      }
    }
  }
}

/**
 * col2im with accumulation for samples [n0, n1): dx[n, r, c, ci] += cols[m, k] over all (m, k) that
 * read x[n, r, c, ci] in the forward pass; cols is M × K (m-major), K = kh·kw·Cin. dx must be zeroed
 * by the caller before the first chunk.
 */
export function col2imAdd(
  cols: Float32Array, dx: Float32Array, g: ConvGeometry, n0: number, n1: number,
): void {
  const { inH, inW, inC, outH, outW, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const K = kh * kw * inC;
  for (let n = n0; n < n1; n++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const mRow = (((n - n0) * outH + i) * outW + j) * K;
        for (let a = 0; a < kh; a++) {
          const r = i * strideH + a * dilationH - padTop;
          if (r < 0 || r >= inH) continue;
          for (let b = 0; b < kw; b++) {
            const c = j * strideW + b * dilationW - padLeft;
            if (c < 0 || c >= inW) continue;
            const d = ((n * inH + r) * inW + c) * inC;
            const s = mRow + (a * kw + b) * inC;
            for (let ci = 0; ci < inC; ci++) dx[d + ci] += cols[s + ci];
          }
        }
      }
    }
  }
}

/** out[c, r] = src[offset + r·cols + c] for an R × C block (blocked for the cache). */
export function transpose2d(src: Float32Array, out: Float32Array, R: number, C: number, srcOffset = 0, outOffset = 0): void {
  const T = 32;
  for (let r0 = 0; r0 < R; r0 += T) {
    const r1 = Math.min(R, r0 + T);
    for (let c0 = 0; c0 < C; c0 += T) {
      const c1 = Math.min(C, c0 + T);
      for (let r = r0; r < r1; r++) {
        let s = srcOffset + r * C + c0;
        let d = outOffset + c0 * R + r;
        for (let c = c0; c < c1; c++, s++, d += R) out[d] = src[s];
      }
    }
  }
}
