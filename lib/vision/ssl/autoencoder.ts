/**
 * Autoencoder (Hinton & Salakhutdinov 2006, "Reducing the dimensionality of data with neural networks"; the
 * autoencoder of Zhuang et al. 2021 used the ResNet-18 as encoder): the backbone encodes the image, a 1×1
 * convolution squeezes its last feature map to a bottleneck (4×4×8 = 128 numbers for 4,096 pixels), and a decoder
 * of upsampling and convolutions reconstructs the input; loss = mean squared error per pixel (on the normalised
 * image). Inputs: two crop-and-flip views of each image, each reconstructing itself. Zhuang et al. found it the
 * least brain-like of the objectives they trained.
 */
import { tf } from "../../tf";
import type { Rng } from "../../util/random";
import { MILD_AUGMENTATION, normalizeImages, twoViews } from "./augment";
import { Backbone, backboneWithMap } from "./backbone";
import { headInitializer, Objective, SourceBatch } from "./objective";

/** Channels of the bottleneck map (at the last stage's resolution). */
export const BOTTLENECK_CHANNELS = 8;

/** Decoder: bottleneck map → image of the input's size (one upsample-and-conv stage per halving in the backbone). */
function decoder(backbone: Backbone, seed: number): tf.LayersModel {
  const stride = backbone.spec.stem.stride * backbone.spec.stages.reduce((a, s) => a * s.stride, 1);
  const side = backbone.spec.inputSize / stride, channels = backbone.embeddingSize;
  const input = tf.input({ shape: [side, side, channels] });
  let k = 0;
  const conv = (name: string, filters: number, activation: "relu" | "linear", kernel = 3) => tf.layers.conv2d({
    name, filters, kernelSize: kernel, padding: "same", activation, kernelInitializer: headInitializer(seed, 20 + k++),
  });
  let h = conv("bottleneck", BOTTLENECK_CHANNELS, "relu", 1).apply(input) as tf.SymbolicTensor;
  let width = 64;
  for (let s = side, i = 1; s < backbone.spec.inputSize; s *= 2, i++) {
    h = conv(`decoder_conv${i}`, width, "relu").apply(h) as tf.SymbolicTensor;
    h = tf.layers.upSampling2d({ name: `decoder_up${i}`, size: [2, 2] }).apply(h) as tf.SymbolicTensor;
    width = Math.max(8, width / 2);
  }
  const out = conv("reconstruction", 1, "linear").apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "decoder" });
}

export function autoencoderObjective(backbone: Backbone, seed: number): Objective {
  const dec = decoder(backbone, seed);
  const encoder = backboneWithMap(backbone);
  return {
    name: "autoencoder",
    heads: { decoder: dec },
    step(batch: SourceBatch, r: Rng, noiseSeed: number) {
      const x = normalizeImages(twoViews(batch.images, MILD_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize));
      const [map] = encoder.apply(x, { training: true }) as tf.Tensor[];
      const reconstruction = dec.apply(map) as tf.Tensor4D;
      const mse = tf.mean(tf.square(tf.sub(reconstruction, x))) as tf.Scalar;
      // Mean squared error relative to the images' variance: 1 = no better than predicting the mean image.
      return { loss: mse, metrics: { relative_mse: tf.div(mse, tf.moments(x).variance) as tf.Scalar } };
    },
    views: (batch: SourceBatch, r: Rng, noiseSeed: number) => ({ inputs: twoViews(batch.images, MILD_AUGMENTATION, r, noiseSeed, backbone.spec.inputSize) }),
    // The encoder is a view of the backbone's layers (no weights of its own): disposing it would dispose the backbone's.
    dispose: () => dec.dispose(),
  };
}
