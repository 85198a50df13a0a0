/**
 * DMAP, the distributed morphological attention policy (Chiappa, Marin Vargas & Mathis, NeurIPS 2022), for the
 * Ant's 8 joints. Three principles borrowed from motor control:
 *   - independent low-level processing: every proprioceptive channel — the 28 observations and the 8 previous
 *     actions, each a 30-step history, zero-padded at the episode's start — goes through the same small temporal
 *     network on its own (Conv1d 1→32 kernel 5 stride 4, then kernel 3, kernel 3, ReLU; FC 128 (tanh), FC 32 (ReLU));
 *   - high-level integration by attention: each joint i has its own key readout scoring the 36 channel
 *     features, a softmax over channels gives its attention α_i (36 weights summing to 1), and its embedding
 *     e_i = Σ_c α_ic v_c mixes 4-dimensional values of the channels;
 *   - distributed control: 8 independent joint controllers, MLP [32, 32] each, read (x_t, a_{t−1}, e_i) and give
 *     that joint's action mean; each controller has its own log standard deviation.
 * The critic (an MLP on x_t, a_{t−1} and the true morphology) is used in training only.
 * `ablateEmbeddings` (DMAP-ne, the paper's ablation) zeroes every e_i, so the controllers run without the
 * attention pathway.
 */
import { tf } from "../../tf";
import { InputLayout, Slice } from "./inputs";
import type { DiagGaussian } from "./distribution";
import { ActorCritic, Dense, denseStack, mlp, orthogonalMatrix, weight } from "./gaussian-mlp";
import { minValidLength, validConvLength } from "./adaptive";

export const DMAP_HISTORY = 30;
const CHANNEL_FEATURES = 32;
const VALUE_SIZE = 4;
const JOINTS = 8;
const CONV_FILTERS = 32;
/** [kernel, stride] of the shared temporal convolutions. */
const CONVS: [number, number][] = [[5, 4], [3, 1], [3, 1]];
const CONTROLLER_HIDDEN = 32;

export const MIN_DMAP_HISTORY = minValidLength(CONVS);

const cut = (input: tf.Tensor2D, s: Slice) => tf.slice(input, [0, s.offset], [-1, s.size]) as tf.Tensor2D;

let instances = 0;

export interface DmapOptions {
  seed: number;
  initialLogStd: number;
  /** Critic hidden layers (default 64, 64). */
  criticHidden?: number[];
}

export class DmapPolicy implements ActorCritic {
  readonly kind = "dmap";
  readonly inputSize: number;
  readonly actionSize = JOINTS;
  /** DMAP-ne: run the controllers with every embedding set to zero. */
  ablateEmbeddings = false;
  private readonly convs: { w: tf.Variable; b: tf.Variable; stride: number }[];
  private readonly channelMlp: Dense[];
  private readonly keys: Dense;
  private readonly values: Dense;
  /** Joint controllers' weights, stacked over joints: [8, in, 32], [8, 32, 32], [8, 32, 1]. */
  private readonly controller: { w: tf.Variable; b: tf.Variable }[];
  private readonly logStd: tf.Variable;
  private readonly critic: Dense[];
  private readonly historyLength: number;
  private readonly channels: number;

  constructor(readonly layout: InputLayout, options: DmapOptions) {
    const h = layout.history;
    if (!h || !layout.previousAction || !layout.morphology) throw new Error("DMAP: the input layout must hold the previous action, the morphology and a history");
    this.historyLength = h.length;
    this.channels = h.channels;
    const width = validConvLength(h.length, CONVS);
    if (width < 1) throw new Error(`DMAP's temporal convolutions need a history of at least ${MIN_DMAP_HISTORY} steps (got ${h.length})`);
    this.inputSize = layout.size;
    const seed = options.seed * 100;
    const id = instances++;
    let inChannels = 1;
    this.convs = CONVS.map(([k, stride], i) => {
      const w = weight(tf.tensor3d(orthogonalMatrix(k * inChannels, CONV_FILTERS, Math.SQRT2, seed + 1 + i), [k, inChannels, CONV_FILTERS]), `dmap${id}/conv${i}/kernel`);
      inChannels = CONV_FILTERS;
      return { w, b: weight(tf.zeros([CONV_FILTERS]), `dmap${id}/conv${i}/bias`), stride };
    });
    // FC 128 then FC 32, both with a nonlinearity (the channel feature).
    this.channelMlp = denseStack(`dmap${id}_channel`, width * CONV_FILTERS, [128], CHANNEL_FEATURES, Math.SQRT2, seed + 10);
    this.keys = denseStack(`dmap${id}_keys`, CHANNEL_FEATURES, [], JOINTS, 1, seed + 20)[0];
    this.values = denseStack(`dmap${id}_values`, CHANNEL_FEATURES, [], VALUE_SIZE, 1, seed + 21)[0];
    const base = layout.observation.size + layout.actionSize;
    const sizes = [base + VALUE_SIZE, CONTROLLER_HIDDEN, CONTROLLER_HIDDEN, 1];
    this.controller = sizes.slice(0, -1).map((inputs, l) => {
      const outputs = sizes[l + 1];
      const gain = l === sizes.length - 2 ? 0.01 : Math.SQRT2;
      const ws = Array.from({ length: JOINTS }, (_, j) => orthogonalMatrix(inputs, outputs, gain, seed + 30 + 10 * j + l));
      const stacked = new Float32Array(JOINTS * inputs * outputs);
      ws.forEach((w, j) => stacked.set(w, j * inputs * outputs));
      return {
        w: weight(tf.tensor3d(stacked, [JOINTS, inputs, outputs]), `dmap${id}/controller${l}/kernel`),
        b: weight(tf.zeros([JOINTS, 1, outputs]), `dmap${id}/controller${l}/bias`),
      };
    });
    this.logStd = weight(tf.fill([JOINTS], options.initialLogStd), `dmap${id}/log_std`);
    this.critic = denseStack(`dmap${id}_critic`, base + layout.morphology.size, options.criticHidden ?? [64, 64], 1, 1, seed + 90);
  }

  /** Per-channel features f_c (B × 36 × 32) from the history window (every channel through the same network). */
  private channelFeatures(input: tf.Tensor2D): tf.Tensor3D {
    const B = input.shape[0];
    const H = this.historyLength, C = this.channels;
    // B × (H·C), time-major frames → one series per (row, channel): (B·C) × H × 1, newest step first, so that the
    // steps a strided convolution leaves over at the end are the oldest ones, never the current frame.
    const frames = tf.reverse(tf.reshape(cut(input, this.layout.history!), [B, H, C]), 1);
    const series = tf.reshape(tf.transpose(frames, [0, 2, 1]), [B * C, H, 1]) as tf.Tensor3D;
    let h = series;
    for (const c of this.convs) h = tf.relu(tf.add(tf.conv1d(h, c.w as tf.Tensor3D, c.stride, "valid"), c.b)) as tf.Tensor3D;
    const flat = tf.reshape(h, [B * C, -1]) as tf.Tensor2D;
    const f = tf.relu(mlp(flat, this.channelMlp));
    return tf.reshape(f, [B, C, CHANNEL_FEATURES]) as tf.Tensor3D;
  }

  /** Attention of each joint over the 36 channels (B × 8 × 36; each row sums to 1). */
  attention(input: tf.Tensor2D): tf.Tensor3D {
    return this.attend(this.channelFeatures(input)).weights;
  }

  private attend(features: tf.Tensor3D): { weights: tf.Tensor3D; embeddings: tf.Tensor3D } {
    const [B, C] = features.shape;
    const flat = tf.reshape(features, [B * C, CHANNEL_FEATURES]) as tf.Tensor2D;
    const scores = tf.reshape(tf.add(tf.matMul(flat, this.keys.w), this.keys.b), [B, C, JOINTS]);
    const weights = tf.softmax(tf.transpose(scores, [0, 2, 1])) as tf.Tensor3D; // B × 8 × 36, softmax over channels
    const values = tf.reshape(tf.add(tf.matMul(flat, this.values.w), this.values.b), [B, C, VALUE_SIZE]) as tf.Tensor3D;
    return { weights, embeddings: tf.matMul(weights, values) as tf.Tensor3D }; // B × 8 × 4
  }

  /** Joint embeddings e_i (B × 8 × 4); zeros under the DMAP-ne ablation. */
  embeddings(input: tf.Tensor2D): tf.Tensor3D {
    const e = this.attend(this.channelFeatures(input)).embeddings;
    return this.ablateEmbeddings ? tf.zerosLike(e) : e;
  }

  /** The 8 controllers: joint i reads (x_t, a_{t−1}, e_i) only. embeddings: B × 8 × 4 → means B × 8. */
  jointMeans(input: tf.Tensor2D, embeddings: tf.Tensor3D): tf.Tensor2D {
    const B = input.shape[0];
    const state = tf.concat([cut(input, this.layout.observation), cut(input, this.layout.previousAction!)], 1);
    // Per joint: [state, e_i] → 8 × B × (36 + 4)
    const perJoint = tf.concat([tf.tile(tf.expandDims(state, 0), [JOINTS, 1, 1]), tf.transpose(embeddings, [1, 0, 2])], 2) as tf.Tensor3D;
    let h = perJoint;
    this.controller.forEach((l, k) => {
      const z = tf.add(tf.matMul(h, l.w as tf.Tensor3D), l.b) as tf.Tensor3D;
      h = k < this.controller.length - 1 ? tf.tanh(z) : z;
    });
    return tf.transpose(tf.reshape(h, [JOINTS, B])) as tf.Tensor2D;
  }

  distribution(input: tf.Tensor2D): DiagGaussian {
    return { mean: this.jointMeans(input, this.embeddings(input)), logStd: this.logStd as tf.Tensor1D };
  }

  value(input: tf.Tensor2D): tf.Tensor1D {
    const x = tf.concat([cut(input, this.layout.observation), cut(input, this.layout.previousAction!), cut(input, this.layout.morphology!)], 1);
    return tf.reshape(mlp(x, this.critic), [-1]) as tf.Tensor1D;
  }

  get variables(): tf.Variable[] {
    return [
      ...this.convs.flatMap((c) => [c.w, c.b]), ...this.channelMlp.flatMap((l) => [l.w, l.b]), this.keys.w, this.keys.b,
      this.values.w, this.values.b, ...this.controller.flatMap((l) => [l.w, l.b]), this.logStd, ...this.critic.flatMap((l) => [l.w, l.b]),
    ];
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
