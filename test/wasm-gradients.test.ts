/**
 * The kit's wasm kernels (lib/tf/wasm-gradients.ts, lib/tf/kernels/) against (1) the cpu backend's
 * kernels, to ~1e-4 relative, and (2) central finite differences of a scalar loss computed with the
 * wasm forward kernels; plus leak-free, loss-falling training of the reference conv net on wasm.
 *
 * Finite differences use the linear loss L = Σ R ⊙ f(x, w) with fixed random R, so dL/dw is exactly
 * the backprop kernel applied to R and the central difference (L(w + h) − L(w − h)) / 2h is exact up
 * to float32 rounding for any h (h = 0.5 here). Dilation > 1 has no cpu kernel to compare with
 * (tfjs's gradients refuse it), so those cases are checked by finite differences only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../lib/tf";
import { KIT_WASM_KERNELS, registerWasmGradientKernels } from "../lib/tf/wasm-gradients";
import { setConvChunkElements } from "../lib/tf/kernels/conv2d-grads";
import { makeConvProblem } from "../lib/tf/kernels/reference-nets";
import { inputConv2d } from "../lib/tf/input-conv";

type Pad = "same" | "valid" | tf.backend_util.ExplicitPadding;
type Attrs = Record<string, unknown>;

beforeAll(async () => {
  await initBackend({ override: "wasm", quiet: true });
});

/** Run a kernel on a backend and return its output values (inputs given as plain arrays). */
async function kernelOn(
  backend: "wasm" | "cpu", name: string, inputs: Record<string, { values: Float32Array; shape: number[] }>, attrs: Attrs,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  try {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape);
    const out = tf.engine().runKernel(name, ts as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    const values = out.dataSync() as Float32Array;
    tf.dispose([out, ...Object.values(ts)]);
    return Float32Array.from(values);
  } finally {
    await tf.setBackend("wasm");
  }
}

function rand(n: number, seed: number): Float32Array {
  let s = seed * 2654435761 % 4294967296 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    out[i] = s / 4294967296 * 2 - 1;
  }
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0, m = 1e-12;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return e / m;
}

const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

/** Σ R ⊙ forward(x, w) on wasm, for finite differences. */
function linearLoss(forward: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor, x: Float32Array, xs: number[], w: Float32Array, ws: number[], R: tf.Tensor): number {
  return tf.tidy(() => forward(tf.tensor4d(x, xs as [number, number, number, number]), tf.tensor4d(w, ws as [number, number, number, number])).mul(R).sum().dataSync()[0]);
}

/**
 * Check `grad` (of the linear loss w.r.t. `v`) by central differences: at every entry for small
 * tensors, else at 32 entries including the first and the last.
 */
function checkFiniteDifferences(grad: Float32Array, v: Float32Array, loss: (v: Float32Array) => number): void {
  const h = 0.5;
  const scale = Math.max(1, ...Array.from(grad, Math.abs));
  const picks = v.length <= 600 ? Array.from(v, (_, i) => i) : Array.from({ length: 32 }, (_, p) => Math.round((p / 31) * (v.length - 1)));
  let worst = 0;
  for (const i of picks) {
    const plus = Float32Array.from(v); plus[i] += h;
    const minus = Float32Array.from(v); minus[i] -= h;
    const fd = (loss(plus) - loss(minus)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / scale);
  }
  expect(worst, "largest |finite difference − kernel| / max |gradient|").toBeLessThan(5e-5);
}

interface ConvCase {
  name: string; n: number; h: number; w: number; cin: number; cout: number; kh: number; kw: number;
  strides: [number, number]; pad: Pad; dilations?: [number, number];
}

const CONV_CASES: ConvCase[] = [
  { name: "3×3 stride 1 same, odd sizes", n: 2, h: 9, w: 7, cin: 3, cout: 4, kh: 3, kw: 3, strides: [1, 1], pad: "same" },
  { name: "3×3 stride 2 same, odd sizes", n: 2, h: 9, w: 7, cin: 3, cout: 4, kh: 3, kw: 3, strides: [2, 2], pad: "same" },
  { name: "3×3 stride 2 valid (unused last row/column)", n: 2, h: 8, w: 10, cin: 2, cout: 3, kh: 3, kw: 3, strides: [2, 2], pad: "valid" },
  { name: "5×5 stride 2 same, one input channel", n: 2, h: 8, w: 8, cin: 1, cout: 5, kh: 5, kw: 5, strides: [2, 2], pad: "same" },
  { name: "2×2 stride 1 valid, batch 1", n: 1, h: 6, w: 10, cin: 5, cout: 2, kh: 2, kw: 2, strides: [1, 1], pad: "valid" },
  { name: "explicit padding, stride 2", n: 2, h: 7, w: 6, cin: 3, cout: 2, kh: 3, kw: 3, strides: [2, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: "3×1 kernel, strides [1, 2]", n: 2, h: 5, w: 9, cin: 4, cout: 3, kh: 3, kw: 1, strides: [1, 2], pad: "same" },
  { name: "16 → 8 channels", n: 2, h: 6, w: 6, cin: 16, cout: 8, kh: 3, kw: 3, strides: [1, 1], pad: "same" },
  { name: "dilation 2 same", n: 2, h: 9, w: 8, cin: 3, cout: 2, kh: 3, kw: 3, strides: [1, 1], pad: "same", dilations: [2, 2] },
  { name: "dilation 2 valid", n: 1, h: 9, w: 10, cin: 2, cout: 3, kh: 3, kw: 2, strides: [1, 1], pad: "valid", dilations: [2, 2] },
];

function convShapes(c: ConvCase) {
  const xs = [c.n, c.h, c.w, c.cin], ws = [c.kh, c.kw, c.cin, c.cout];
  const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], ws as [number, number, number, number], c.strides, c.dilations ?? [1, 1], c.pad, undefined, false, "channelsLast");
  return { xs, ws, ys: info.outShape as number[] };
}

describe("Conv2DBackpropFilter / Conv2DBackpropInput on wasm", () => {
  for (const c of CONV_CASES) {
    it(c.name, async () => {
      const { xs, ws, ys } = convShapes(c);
      const x = rand(size(xs), 1), w = rand(size(ws), 2), dy = rand(size(ys), 3);
      const common = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dimRoundingMode: undefined, ...(c.dilations ? { dilations: c.dilations } : {}) };
      const fAttrs = { ...common, filterShape: ws }, iAttrs = { ...common, inputShape: xs };
      const dw = await kernelOn("wasm", "Conv2DBackpropFilter", { x: { values: x, shape: xs }, dy: { values: dy, shape: ys } }, fAttrs);
      const dx = await kernelOn("wasm", "Conv2DBackpropInput", { dy: { values: dy, shape: ys }, filter: { values: w, shape: ws } }, iAttrs);
      if (!c.dilations) {
        const dwCpu = await kernelOn("cpu", "Conv2DBackpropFilter", { x: { values: x, shape: xs }, dy: { values: dy, shape: ys } }, fAttrs);
        const dxCpu = await kernelOn("cpu", "Conv2DBackpropInput", { dy: { values: dy, shape: ys }, filter: { values: w, shape: ws } }, iAttrs);
        expect(relErr(dw, dwCpu)).toBeLessThan(1e-4);
        expect(relErr(dx, dxCpu)).toBeLessThan(1e-4);
      }
      const R = tf.tensor(dy, ys);
      const fwd = (xt: tf.Tensor4D, wt: tf.Tensor4D) => tf.conv2d(xt, wt, c.strides, c.pad as "same", "NHWC", c.dilations ?? [1, 1]);
      checkFiniteDifferences(dw, w, (wv) => linearLoss(fwd, x, xs, wv, ws, R));
      checkFiniteDifferences(dx, x, (xv) => linearLoss(fwd, xv, xs, w, ws, R));
      R.dispose();
    });
  }

  it("gives the same result when the batch is processed in chunks", async () => {
    const c = CONV_CASES[1];
    const { xs, ws, ys } = convShapes({ ...c, n: 3 });
    const x = rand(size(xs), 4), w = rand(size(ws), 5), dy = rand(size(ys), 6);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC" };
    const run = () => Promise.all([
      kernelOn("wasm", "Conv2DBackpropFilter", { x: { values: x, shape: xs }, dy: { values: dy, shape: ys } }, { ...attrs, filterShape: ws }),
      kernelOn("wasm", "Conv2DBackpropInput", { dy: { values: dy, shape: ys }, filter: { values: w, shape: ws } }, { ...attrs, inputShape: xs }),
    ]);
    const [dwWhole, dxWhole] = await run();
    const previous = setConvChunkElements(1); // one sample per chunk
    try {
      const [dwChunked, dxChunked] = await run();
      expect(relErr(dwChunked, dwWhole)).toBeLessThan(1e-5);
      expect(relErr(dxChunked, dxWhole)).toBeLessThan(1e-6);
    } finally {
      setConvChunkElements(previous);
    }
  });

  it("conv1d gradients (through conv2d) match cpu", async () => {
    const gradsOn = async (backend: "wasm" | "cpu") => {
      await tf.setBackend(backend);
      try {
        const x = tf.tensor3d(rand(2 * 11 * 3, 7), [2, 11, 3]), w = tf.tensor3d(rand(3 * 3 * 4, 8), [3, 3, 4]);
        const R = tf.tensor3d(rand(2 * 6 * 4, 9), [2, 6, 4]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 2, "same").mul(R).sum());
        const [dx, dw] = g([x, w]);
        const out = [Float32Array.from(dx.dataSync()), Float32Array.from(dw.dataSync())];
        tf.dispose([x, w, R, dx, dw]);
        return out;
      } finally {
        await tf.setBackend("wasm");
      }
    };
    const [dxW, dwW] = await gradsOn("wasm");
    const [dxC, dwC] = await gradsOn("cpu");
    expect(relErr(dxW, dxC)).toBeLessThan(1e-4);
    expect(relErr(dwW, dwC)).toBeLessThan(1e-4);
  });
});

describe("depthwise conv gradients on wasm", () => {
  const cases: { name: string; n: number; h: number; w: number; c: number; mult: number; k: number; s: number; pad: "same" | "valid"; d?: number }[] = [
    { name: "multiplier 1, stride 1 same", n: 2, h: 7, w: 8, c: 3, mult: 1, k: 3, s: 1, pad: "same" },
    { name: "multiplier 2, stride 2 same", n: 2, h: 9, w: 7, c: 3, mult: 2, k: 3, s: 2, pad: "same" },
    { name: "multiplier 3, stride 2 valid, batch 1", n: 1, h: 8, w: 9, c: 2, mult: 3, k: 2, s: 2, pad: "valid" },
    { name: "dilation 2", n: 2, h: 9, w: 9, c: 2, mult: 2, k: 3, s: 1, pad: "same", d: 2 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const xs = [c.n, c.h, c.w, c.c], ws = [c.k, c.k, c.c, c.mult];
      const d = c.d ?? 1;
      const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], ws as [number, number, number, number], c.s, d, c.pad, undefined, true);
      const ys = info.outShape as number[];
      const x = rand(size(xs), 11), w = rand(size(ws), 12), dy = rand(size(ys), 13);
      const attrs = { strides: [c.s, c.s], dilations: [d, d], pad: c.pad, dimRoundingMode: undefined };
      const dw = await kernelOn("wasm", "DepthwiseConv2dNativeBackpropFilter", { x: { values: x, shape: xs }, dy: { values: dy, shape: ys } }, { ...attrs, filterShape: ws });
      const dx = await kernelOn("wasm", "DepthwiseConv2dNativeBackpropInput", { dy: { values: dy, shape: ys }, filter: { values: w, shape: ws } }, { ...attrs, inputShape: xs });
      if (d === 1) {
        const dwCpu = await kernelOn("cpu", "DepthwiseConv2dNativeBackpropFilter", { x: { values: x, shape: xs }, dy: { values: dy, shape: ys } }, { ...attrs, filterShape: ws });
        const dxCpu = await kernelOn("cpu", "DepthwiseConv2dNativeBackpropInput", { dy: { values: dy, shape: ys }, filter: { values: w, shape: ws } }, { ...attrs, inputShape: xs });
        expect(relErr(dw, dwCpu)).toBeLessThan(1e-4);
        expect(relErr(dx, dxCpu)).toBeLessThan(1e-4);
      }
      const R = tf.tensor(dy, ys);
      const fwd = (xt: tf.Tensor4D, wt: tf.Tensor4D) => tf.depthwiseConv2d(xt, wt, c.s, c.pad, "NHWC", d);
      checkFiniteDifferences(dw, w, (wv) => linearLoss(fwd, x, xs, wv, ws, R));
      checkFiniteDifferences(dx, x, (xv) => linearLoss(fwd, xv, xs, w, ws, R));
      R.dispose();
    });
  }
});

describe("matMul, tanh and sum on wasm match cpu", () => {
  const combos: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
  for (const [ta, tb] of combos) {
    it(`BatchMatMul transposeA=${ta} transposeB=${tb} (single, batched, broadcast)`, async () => {
      for (const [aOuter, bOuter] of [[[], []], [[3], [3]], [[2, 2], [1]], [[1], [4]]] as number[][][]) {
        const M = 17, K = 33, N = 19;
        const as = [...aOuter, ...(ta ? [K, M] : [M, K])], bs = [...bOuter, ...(tb ? [N, K] : [K, N])];
        const inputs = { a: { values: rand(size(as), 21), shape: as }, b: { values: rand(size(bs), 22), shape: bs } };
        const attrs = { transposeA: ta, transposeB: tb };
        const w = await kernelOn("wasm", "BatchMatMul", inputs, attrs);
        const c = await kernelOn("cpu", "BatchMatMul", inputs, attrs);
        expect(relErr(w, c)).toBeLessThan(1e-5);
      }
    });
  }

  it("_FusedMatMul with transposes, bias and relu", async () => {
    const inputs = { a: { values: rand(40 * 30, 23), shape: [40, 30] }, b: { values: rand(50 * 40, 24), shape: [50, 40] }, bias: { values: rand(50, 25), shape: [50] } };
    const attrs = { transposeA: true, transposeB: true, activation: "relu", leakyreluAlpha: 0.2 };
    expect(relErr(await kernelOn("wasm", "_FusedMatMul", inputs, attrs), await kernelOn("cpu", "_FusedMatMul", inputs, attrs))).toBeLessThan(1e-5);
  });

  it("Tanh, including tiny and large arguments", async () => {
    const n = 5000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = i % 5 === 0 ? (i - n / 2) * 1e-7 : (i - n / 2) / 200;
    const w = await kernelOn("wasm", "Tanh", { x: { values: v, shape: [n] } }, {});
    for (let i = 0; i < n; i++) {
      const exact = Math.tanh(v[i]);
      expect(Math.abs(w[i] - exact)).toBeLessThanOrEqual(1e-4 * Math.abs(exact) + 2e-7);
    }
  });

  it("Sum over leading axes of a large tensor (the kit's path: a bias gradient of a conv layer)", async () => {
    const shape = [64, 8, 8, 16];
    const x = { x: { values: rand(size(shape), 27), shape } };
    for (const attrs of [{ axis: [0, 1, 2], keepDims: false }, { axis: [0, 1], keepDims: true }]) {
      expect(relErr(await kernelOn("wasm", "Sum", x, attrs), await kernelOn("cpu", "Sum", x, attrs))).toBeLessThan(1e-5);
    }
  });

  it("Sum over leading axes (bias gradients) and other axes", async () => {
    const shape = [4, 6, 5, 7];
    const x = { x: { values: rand(size(shape), 26), shape } };
    for (const attrs of [{ axis: [0, 1, 2], keepDims: false }, { axis: [0], keepDims: true }, { axis: [1, 0], keepDims: false }, { axis: [1, 3], keepDims: false }, { axis: -1, keepDims: false }]) {
      expect(relErr(await kernelOn("wasm", "Sum", x, attrs), await kernelOn("cpu", "Sum", x, attrs))).toBeLessThan(1e-5);
    }
  });
});

describe("inputConv2d (first-layer conv without the input gradient)", () => {
  it("gives tf.fused.conv2d's output and filter/bias gradients, runs no Conv2DBackpropInput, and a zero input gradient", async () => {
    for (const activation of ["relu", "linear"] as const) {
      for (const withBias of [true, false]) {
        const x = tf.tensor4d(rand(3 * 9 * 11 * 2, 41), [3, 9, 11, 2]);
        const w = tf.tensor4d(rand(5 * 5 * 2 * 4, 42), [5, 5, 2, 4]);
        const b = withBias ? tf.tensor1d(rand(4, 43)) : undefined;
        const loss = (conv: typeof inputConv2d) => (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) =>
          tf.sum(tf.square(conv({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, bias: bb as tf.Tensor1D | undefined, strides: 2, pad: "same", activation })));
        const inputs = withBias ? [x, w, b as tf.Tensor] : [x, w];
        const reference = tf.grads(loss((a) => tf.fused.conv2d(a)) as (...t: tf.Tensor[]) => tf.Tensor)(inputs);
        let ours: tf.Tensor[] = [];
        const profile = await tf.profile(() => { ours = tf.grads(loss(inputConv2d) as (...t: tf.Tensor[]) => tf.Tensor)(inputs); });
        expect(profile.kernels.map((k) => k.name)).not.toContain("Conv2DBackpropInput");
        expect(profile.kernels.map((k) => k.name)).toContain("Conv2DBackpropFilter");
        expect(Array.from(ours[0].dataSync()).every((v) => v === 0)).toBe(true);
        for (let i = 1; i < inputs.length; i++) expect(relErr(ours[i].dataSync(), reference[i].dataSync())).toBeLessThan(1e-5);
        const value = inputConv2d({ x, filter: w, bias: b, strides: 2, pad: "same", activation });
        const fused = tf.fused.conv2d({ x, filter: w, bias: b, strides: 2, pad: "same", activation });
        expect(Array.from(value.dataSync())).toEqual(Array.from(fused.dataSync()));
        tf.dispose([x, w, ...(b ? [b] : []), ...reference, ...ours, value, fused]);
      }
    }
    expect(() => inputConv2d({ x: tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, filter: tf.zeros([3, 3, 1, 1]) as tf.Tensor4D, strides: 1, pad: "same", activation: "tanh" as "relu" }))
      .toThrow(/activation must be "linear" or "relu", got "tanh"/);
  });
});

describe("registration and training", () => {
  it("registers every kit kernel, idempotently", () => {
    const first = registerWasmGradientKernels();
    const second = registerWasmGradientKernels();
    expect(first).toEqual([...KIT_WASM_KERNELS]);
    expect(second).toEqual(first);
  });

  it("trains the reference conv net for 100 steps without leaks, loss falling", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const tensorsAtStart = tf.memory().numTensors;
    const problem = makeConvProblem({ batch: 8, learningRate: 3e-3 });
    try {
      const losses: number[] = [];
      losses.push(problem.step());
      const tensors = tf.memory().numTensors, bytes = tf.memory().numBytes, dataIds = backend.numDataIds();
      for (let i = 1; i < 100; i++) {
        losses.push(problem.step());
        if (i % 25 === 0 || i === 99) {
          expect(tf.memory().numTensors).toBe(tensors);
          expect(tf.memory().numBytes).toBe(bytes);
          expect(backend.numDataIds()).toBe(dataIds);
        }
      }
      const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5, tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(tail).toBeLessThan(0.7 * head);
    } finally {
      problem.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });
});
