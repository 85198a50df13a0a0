/**
 * Image augmentations in TensorFlow.js for the self-supervised objectives, after SimCLR's pipeline (Chen et al.
 * 2020, "A simple framework for contrastive learning of visual representations", Appendix A): random resized crop,
 * horizontal flip, brightness/contrast jitter (colour jitter without hue and saturation: our images are grey),
 * Gaussian blur, and additive noise. Every random number is drawn in JavaScript from a seeded generator
 * (`augmentationParams`), so the same seed gives the same views on every backend; `augment` applies them.
 *
 * Sizes are for 64-px images: SimCLR's blur (σ ∈ [0.1, 2.0] px, kernel 10 % of a 224-px image) becomes σ ∈ [0.1, 1.5]
 * px with a 7-tap kernel; the crop keeps 20–100 % of the area (SimCLR: 8–100 %; a 64-px image has less to spare).
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";

export interface AugmentOptions {
  /** Random resized crop: area fraction range and aspect-ratio range (width / height, log-uniform). */
  crop: { scale: readonly [number, number]; ratio: readonly [number, number] };
  /** Probability of a horizontal flip. */
  flip: number;
  /** Probability of brightness/contrast jitter, and its strength: brightness ± b, contrast × (1 ± c). */
  jitter: { p: number; brightness: number; contrast: number };
  /** Probability of a Gaussian blur and its σ range (pixels). */
  blur: { p: number; sigma: readonly [number, number] };
  /** Largest standard deviation of additive Gaussian noise (drawn uniformly per image; 0: none). */
  noise: number;
}

/** The contrastive objectives' augmentations (SimCLR's, adapted to 64-px grey images). */
export const STRONG_AUGMENTATION: AugmentOptions = {
  crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
  flip: 0.5,
  jitter: { p: 0.8, brightness: 0.4, contrast: 0.4 },
  blur: { p: 0.5, sigma: [0.1, 1.5] },
  noise: 0.05,
};

/** The other objectives' augmentations: crop and flip only (the usual supervised recipe). */
export const MILD_AUGMENTATION: AugmentOptions = {
  crop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] },
  flip: 0.5,
  jitter: { p: 0, brightness: 0, contrast: 0 },
  blur: { p: 0, sigma: [0, 0] },
  noise: 0,
};

/** One image's draw. */
export interface AugmentParams {
  /** Crop box in normalised coordinates [y1, x1, y2, x2] (tf.image.cropAndResize's). */
  box: [number, number, number, number];
  flip: boolean;
  /** Added to every pixel after the contrast change. */
  brightness: number;
  /** Contrast factor about the image's mean. */
  contrast: number;
  /** Blur σ in pixels (0: none). */
  blurSigma: number;
  /** Noise standard deviation. */
  noise: number;
}

/** A random resized crop box (torchvision's RandomResizedCrop: 10 tries, then the centred largest box that fits). */
function cropBox(options: AugmentOptions["crop"], r: Rng): [number, number, number, number] {
  const [lo, hi] = options.scale, [rlo, rhi] = options.ratio;
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = r.range(lo, hi);
    const ratio = Math.exp(r.range(Math.log(rlo), Math.log(rhi)));
    const w = Math.sqrt(area * ratio), h = Math.sqrt(area / ratio);
    if (w <= 1 && h <= 1) {
      const y = r.range(0, 1 - h), x = r.range(0, 1 - w);
      return [y, x, y + h, x + w];
    }
  }
  return [0, 0, 1, 1];
}

/** Draw the augmentation of `n` images. */
export function augmentationParams(n: number, options: AugmentOptions, r: Rng): AugmentParams[] {
  return Array.from({ length: n }, () => {
    const box = cropBox(options.crop, r);
    const flip = r.uniform() < options.flip;
    const jitter = r.uniform() < options.jitter.p;
    const brightness = jitter ? r.range(-options.jitter.brightness, options.jitter.brightness) : 0;
    const contrast = jitter ? r.range(1 - options.jitter.contrast, 1 + options.jitter.contrast) : 1;
    const blurSigma = r.uniform() < options.blur.p ? r.range(options.blur.sigma[0], options.blur.sigma[1]) : 0;
    const noise = options.noise > 0 ? r.range(0, options.noise) : 0;
    return { box, flip, brightness, contrast, blurSigma, noise };
  });
}

const BLUR_TAPS = 7;

/** Normalised 1-D Gaussian taps (a delta for σ = 0). */
export function gaussianTaps(sigma: number, taps = BLUR_TAPS): Float32Array {
  const half = (taps - 1) / 2, out = new Float32Array(taps);
  if (sigma <= 0) { out[half] = 1; return out; }
  let sum = 0;
  for (let i = 0; i < taps; i++) sum += out[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
  return out.map((v) => v / sum);
}

/**
 * Each image blurred with its own σ: the batch is moved into channels (1 × H × W × n) so one depthwise
 * convolution applies a different separable Gaussian to each image.
 */
function blurEach(x: tf.Tensor4D, sigmas: number[]): tf.Tensor4D {
  const n = x.shape[0];
  const taps = new Float32Array(BLUR_TAPS * n);
  sigmas.forEach((s, i) => gaussianTaps(s).forEach((v, k) => { taps[k * n + i] = v; }));
  const channels = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  const vertical = tf.tensor4d(taps, [BLUR_TAPS, 1, n, 1]), horizontal = tf.tensor4d(taps, [1, BLUR_TAPS, n, 1]);
  // Reflecting the border keeps the edges' brightness (zero padding would darken them).
  const pad = (BLUR_TAPS - 1) / 2;
  const padded = tf.mirrorPad(channels, [[0, 0], [pad, pad], [pad, pad], [0, 0]], "reflect");
  const blurred = tf.depthwiseConv2d(tf.depthwiseConv2d(padded, vertical, 1, "valid"), horizontal, 1, "valid");
  return tf.transpose(blurred, [3, 1, 2, 0]) as tf.Tensor4D;
}

/**
 * Apply drawn augmentations to a batch of grey images (n × H × W × 1, values in [0, 1]); the result is
 * n × size × size × 1, clipped to [0, 1]. `noiseSeed` seeds the noise (tf.randomNormal, computed in JavaScript).
 */
export function augment(images: tf.Tensor4D, params: readonly AugmentParams[], size: number, noiseSeed: number): tf.Tensor4D {
  const n = images.shape[0];
  if (params.length !== n) throw new Error(`augment: ${params.length} parameter sets for ${n} images`);
  return tf.tidy(() => {
    const boxes = tf.tensor2d(params.flatMap((p) => p.box), [n, 4]);
    let x = tf.image.cropAndResize(images, boxes, tf.range(0, n, 1, "int32") as tf.Tensor1D, [size, size], "bilinear") as tf.Tensor4D;
    const perImage = (values: number[]) => tf.tensor4d(values, [n, 1, 1, 1]);
    if (params.some((p) => p.flip)) {
      const flip = perImage(params.map((p) => (p.flip ? 1 : 0)));
      x = tf.add(x, tf.mul(flip, tf.sub(tf.reverse(x, 2), x)));
    }
    if (params.some((p) => p.contrast !== 1 || p.brightness !== 0)) {
      const mean = tf.mean(x, [1, 2, 3], true);
      x = tf.add(tf.add(tf.mul(tf.sub(x, mean), perImage(params.map((p) => p.contrast))), mean), perImage(params.map((p) => p.brightness)));
    }
    if (params.some((p) => p.blurSigma > 0)) x = blurEach(x, params.map((p) => p.blurSigma));
    if (params.some((p) => p.noise > 0)) {
      x = tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, "float32", noiseSeed), perImage(params.map((p) => p.noise))));
    }
    return tf.clipByValue(x, 0, 1) as tf.Tensor4D;
  });
}

/**
 * `VIEWS_PER_IMAGE`-style pair of augmented views of each image, stacked: rows i and i + n are image i's two views
 * (values in [0, 1]; noise seeded by `noiseSeed` and `noiseSeed + 1`).
 */
export function twoViews(images: tf.Tensor4D, options: AugmentOptions, r: Rng, noiseSeed: number, size: number): tf.Tensor4D {
  const n = images.shape[0];
  return tf.tidy(() => tf.concat([0, 1].map((v) => augment(images, augmentationParams(n, options, r), size, noiseSeed + v))) as tf.Tensor4D);
}

/** Images in [0, 1] as the backbone's input: centred and scaled as `prepareImages` does, (x − 0.5) · 4. */
export function normalizeImages(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.sub(x, 0.5), 4) as tf.Tensor4D);
}
