/**
 * The one backbone every self-supervised objective of notebook 02 trains (Zhuang et al. 2021 trained one
 * ResNet-18 with each objective): a small residual network with batch normalisation (He et al. 2016, "Deep residual
 * learning"; Ioffe & Szegedy 2015) for 64×64 grey images, at a size a 2-core CPU trains in minutes.
 *
 *   stem    5×5 conv, stride 2, 16 channels, BN, ReLU                       → 32×32×16
 *   block1  basic block (two 3×3 conv + BN, identity shortcut), 16 ch       → 32×32×16
 *   block2  basic block, stride 2, 32 ch (1×1 conv + BN shortcut)           → 16×16×32
 *   block3  basic block, stride 2, 64 ch                                    →  8×8×64
 *   block4  basic block, stride 2, 128 ch                                   →  4×4×128
 *   pool    global average pool                                           → 128 (the embedding heads read)
 *
 * ResNet-18 has two blocks per stage and 64–512 channels on 224-px colour images; ours has one block per stage and
 * an eighth of the width. Read-out layers for the neural benchmark: `stem`, `block1` … `block4`, `pool`.
 * Batch normalisation uses the batch's statistics when called with `{ training: true }` (and then updates its
 * moving averages, which inference uses).
 */
import { tf } from "../../tf";
import { batchNorm } from "../../tf/batch-norm";

export interface BackboneSpec {
  /** Short name, e.g. "resnet-s". */
  name: string;
  description: string;
  /** Side of the grey input image. */
  inputSize: number;
  /** Stem: conv kernel side, stride and channels. */
  stem: { kernel: number; stride: number; filters: number };
  /** One basic block per stage: channels and stride of its first conv. */
  stages: { filters: number; stride: number }[];
}

export const RESNET_S: BackboneSpec = {
  name: "resnet-s",
  description: "residual CNN with batch norm: stem 16 + 4 basic blocks (16, 32, 64, 128), 64×64 grey input",
  inputSize: 64,
  stem: { kernel: 5, stride: 2, filters: 16 },
  stages: [{ filters: 16, stride: 1 }, { filters: 32, stride: 2 }, { filters: 64, stride: 2 }, { filters: 128, stride: 2 }],
};

export interface Backbone {
  readonly spec: BackboneSpec;
  readonly seed: number;
  /** Image batch (n × size × size × 1, normalised as `prepareImages` does) → n × embeddingSize. */
  readonly net: tf.LayersModel;
  /** Read-out layer names, bottom to top: "stem", "block1", …, "pool". */
  readonly layers: readonly string[];
  /** Width of the pooled embedding (the last stage's channels). */
  readonly embeddingSize: number;
  dispose(): void;
}

/**
 * A fresh backbone with weights drawn from `seed` (He-normal convs, BN γ = 1, β = 0): the same seed gives the same
 * weights. The convolutions have no bias (the batch norm after each supplies it).
 */
export function createBackbone(seed: number, spec: BackboneSpec = RESNET_S): Backbone {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`createBackbone: seed must be a non-negative integer, got ${seed}`);
  let k = 0;
  // tfjs's random ops read seed 0 as "no seed": keep every initializer seed ≥ 1.
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + ++k });
  const conv = (name: string, filters: number, kernel: number, stride: number) => tf.layers.conv2d({
    name, filters, kernelSize: kernel, strides: stride, padding: "same", useBias: false, kernelInitializer: init(),
  });
  const bn = (name: string) => batchNorm({ name, momentum: 0.9, epsilon: 1e-5 });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [spec.inputSize, spec.inputSize, 1], name: "image" });
  let h = apply(bn("stem_bn"), apply(conv("stem_conv", spec.stem.filters, spec.stem.kernel, spec.stem.stride), input));
  h = apply(tf.layers.reLU({ name: "stem" }), h);
  let channels = spec.stem.filters;
  spec.stages.forEach((stage, i) => {
    const b = `block${i + 1}`;
    let y = apply(bn(`${b}_bn1`), apply(conv(`${b}_conv1`, stage.filters, 3, stage.stride), h));
    y = apply(tf.layers.reLU({ name: `${b}_relu1` }), y);
    y = apply(bn(`${b}_bn2`), apply(conv(`${b}_conv2`, stage.filters, 3, 1), y));
    const shortcut = stage.stride === 1 && stage.filters === channels
      ? h
      : apply(bn(`${b}_proj_bn`), apply(conv(`${b}_proj`, stage.filters, 1, stage.stride), h));
    h = apply(tf.layers.reLU({ name: b }), apply(tf.layers.add({ name: `${b}_add` }), [y, shortcut]));
    channels = stage.filters;
  });
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: "pool" }), h);
  const net = tf.model({ inputs: input, outputs: pooled, name: spec.name });
  const layers = ["stem", ...spec.stages.map((_, i) => `block${i + 1}`), "pool"];
  return { spec, seed, net, layers, embeddingSize: channels, dispose: () => net.dispose() };
}

/** The last stage's feature map and the pooled embedding from one forward pass (the autoencoder decodes the map). */
export function backboneWithMap(backbone: Backbone): tf.LayersModel {
  const last = backbone.net.getLayer(`block${backbone.spec.stages.length}`).output as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.net.inputs, outputs: [last, backbone.net.outputs[0]] });
}
