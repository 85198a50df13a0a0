/**
 * Policies that adapt to the body (notebook 03, part 2), after RMA (Kumar, Fu, Pathak & Malik, RSS 2021) and
 * the Ant protocol of DMAP (Chiappa, Marin Vargas & Mathis, NeurIPS 2022):
 *
 *   oracle  π(x_t, a_{t−1}, z_t), z_t = μ(e_t): an encoder of the true morphology e_t (MLP 9 → 256 → 128 → 8,
 *           tanh). RMA's phase 1; a cheat at deployment, since a real animal is not told its body.
 *   rma     the oracle's π and μ, frozen, and an adaptation module φ that estimates ẑ_t from the last H steps of
 *           (x, a) (RMA's phase 2, lib/rl/learning/rma.ts, trained by regression on z); the actor runs on ẑ_t.
 *   tcn     π(x_t, a_{t−1}, φ(history)) with φ trained end to end by PPO: is the two-phase training needed?
 *
 * The critic of every adaptive policy reads (x_t, a_{t−1}, e_t): privileged information is allowed during
 * training. φ is RMA's module: a per-step linear embedding of the 36 channels to 32 (tanh), then three 1-D
 * convolutions over time (32 filters: kernel 8 stride 4, kernel 5, kernel 5; ReLU), flattened, linear to 8,
 * tanh (tanh bounds ẑ to z's range).
 */
import { tf } from "../../tf";
import { HISTORY_CHANNELS, InputLayout, Slice } from "./inputs";
import { ActorCritic, Dense, denseStack, mlp, orthogonalMatrix, weight } from "./gaussian-mlp";
import type { DiagGaussian } from "./distribution";

export const LATENT_SIZE = 8;
const MORPHOLOGY_ENCODER_HIDDEN = [256, 128];
const EMBEDDING = 32;
/** RMA's temporal convolutions: [kernel, stride], 32 filters each. */
const CONVS: [number, number][] = [[8, 4], [5, 1], [5, 1]];

/** Length left after strided 1-D convolutions ([kernel, stride] each, valid padding) of a series of `length`; 0 if too short. */
export function validConvLength(length: number, convs: readonly [number, number][]): number {
  return convs.reduce((w, [k, s]) => (w < k ? 0 : Math.floor((w - k) / s) + 1), length);
}

/** The shortest series those convolutions accept. */
export function minValidLength(convs: readonly [number, number][]): number {
  let h = 1;
  while (validConvLength(h, convs) < 1) h++;
  return h;
}

/** The shortest history the adaptation module's convolutions accept. */
export const MIN_ENCODER_HISTORY = minValidLength(CONVS);

const cut = (input: tf.Tensor2D, s: Slice) => tf.slice(input, [0, s.offset], [-1, s.size]) as tf.Tensor2D;

/** μ: morphology e (9) → z (8). */
export class MorphologyEncoder {
  readonly layers: Dense[];
  constructor(seed: number) {
    this.layers = denseStack("morph_encoder", 9, MORPHOLOGY_ENCODER_HIDDEN, LATENT_SIZE, 1, seed);
  }
  apply(morphology: tf.Tensor2D): tf.Tensor2D {
    return tf.tanh(mlp(morphology, this.layers));
  }
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.w, l.b]);
  }
}

let convCount = 0;

/** φ: history window (H × 36, flattened) → ẑ (8). */
export class HistoryEncoder {
  private readonly embed: Dense;
  private readonly convs: { w: tf.Variable; b: tf.Variable; stride: number }[];
  private readonly out: Dense;

  constructor(readonly historyLength: number, seed: number) {
    const left = validConvLength(historyLength, CONVS);
    if (left < 1) {
      throw new Error(`the adaptation module's convolutions need a history of at least ${MIN_ENCODER_HISTORY} steps (got ${historyLength})`);
    }
    this.embed = denseStack("history_embed", HISTORY_CHANNELS, [], EMBEDDING, 1, seed)[0];
    const id = convCount++;
    this.convs = CONVS.map(([k, stride], i) => ({
      w: weight(tf.tensor3d(orthogonalMatrix(k * EMBEDDING, EMBEDDING, Math.SQRT2, seed + 10 + i), [k, EMBEDDING, EMBEDDING]), `history_conv${id}/c${i}/kernel`),
      b: weight(tf.zeros([EMBEDDING]), `history_conv${id}/c${i}/bias`),
      stride,
    }));
    this.out = denseStack("history_out", left * EMBEDDING, [], LATENT_SIZE, 1, seed + 20)[0];
  }

  /** windows: B × (H·36) → B × 8 */
  apply(windows: tf.Tensor2D): tf.Tensor2D {
    const B = windows.shape[0];
    const H = this.historyLength;
    const frames = tf.reshape(windows, [B * H, HISTORY_CHANNELS]) as tf.Tensor2D;
    // Newest step first, so that the steps a strided convolution leaves over are the oldest, never the current one.
    let h = tf.reverse(tf.reshape(tf.tanh(tf.add(tf.matMul(frames, this.embed.w), this.embed.b)), [B, H, EMBEDDING]), 1) as tf.Tensor3D;
    for (const c of this.convs) h = tf.relu(tf.add(tf.conv1d(h, c.w as tf.Tensor3D, c.stride, "valid"), c.b)) as tf.Tensor3D;
    const flat = tf.reshape(h, [B, -1]) as tf.Tensor2D;
    return tf.tanh(tf.add(tf.matMul(flat, this.out.w), this.out.b)) as tf.Tensor2D;
  }

  get variables(): tf.Variable[] {
    return [this.embed.w, this.embed.b, ...this.convs.flatMap((c) => [c.w, c.b]), this.out.w, this.out.b];
  }
}

export type AdaptiveKind = "oracle" | "rma" | "tcn";

export interface AdaptiveOptions {
  hidden: number[];
  seed: number;
  initialLogStd: number;
}

export class AdaptivePolicy implements ActorCritic {
  readonly inputSize: number;
  readonly actionSize = 8;
  private readonly actor: Dense[];
  private readonly critic: Dense[];
  private readonly logStd: tf.Variable;
  /** μ, for the oracle (its encoder) and RMA (the frozen teacher that gives the regression target z). */
  readonly morphologyEncoder: MorphologyEncoder | null;
  /** φ, for RMA and TCN. */
  readonly historyEncoder: HistoryEncoder | null;

  constructor(readonly kind: AdaptiveKind, readonly layout: InputLayout, options: AdaptiveOptions) {
    if (!layout.previousAction || !layout.morphology) throw new Error(`${kind} policy: the input layout must hold the previous action and the morphology`);
    if (kind !== "oracle" && !layout.history) throw new Error(`${kind} policy: the input layout must hold a history`);
    this.inputSize = layout.size;
    const { hidden, seed } = options;
    const base = 8 + 28; // x_t and a_{t−1}
    this.actor = denseStack("actor", base + LATENT_SIZE, hidden, this.actionSize, 0.01, seed * 100 + 1);
    this.critic = denseStack("critic", base + 9, hidden, 1, 1, seed * 100 + 50);
    this.logStd = weight(tf.fill([this.actionSize], options.initialLogStd), `${this.actor[0].w.name.split("/")[0]}/log_std`);
    this.morphologyEncoder = kind === "tcn" ? null : new MorphologyEncoder(seed * 100 + 70);
    this.historyEncoder = kind === "oracle" ? null : new HistoryEncoder(layout.history!.length, seed * 100 + 80);
  }

  private state(input: tf.Tensor2D): tf.Tensor2D {
    return tf.concat([cut(input, this.layout.observation), cut(input, this.layout.previousAction!)], 1);
  }

  /** The latent the actor runs on: z = μ(e) for the oracle, ẑ = φ(history) for RMA and TCN (B × 8). */
  latent(input: tf.Tensor2D): tf.Tensor2D {
    return this.historyEncoder ? this.historyEncoder.apply(cut(input, this.layout.history!)) : this.morphologyEncoder!.apply(cut(input, this.layout.morphology!));
  }

  /** z = μ(e): the oracle's encoding of the true morphology (the target of RMA's phase 2). */
  morphologyLatent(input: tf.Tensor2D): tf.Tensor2D {
    if (!this.morphologyEncoder) throw new Error(`${this.kind} policy has no morphology encoder`);
    return this.morphologyEncoder.apply(cut(input, this.layout.morphology!));
  }

  /** The actor's mean action on `latent` (B × 8) in place of its own latent: what it would do if told that body. */
  meanAction(input: tf.Tensor2D, latent: tf.Tensor2D): tf.Tensor2D {
    return mlp(tf.concat([this.state(input), latent], 1), this.actor);
  }

  distribution(input: tf.Tensor2D): DiagGaussian {
    return { mean: this.meanAction(input, this.latent(input)), logStd: this.logStd as tf.Tensor1D };
  }

  value(input: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(mlp(tf.concat([this.state(input), cut(input, this.layout.morphology!)], 1), this.critic), [-1]) as tf.Tensor1D;
  }

  /** In checkpoint order: actor, log std, critic, then μ and φ where present. */
  get variables(): tf.Variable[] {
    return [
      ...this.actor.flatMap((l) => [l.w, l.b]), this.logStd, ...this.critic.flatMap((l) => [l.w, l.b]),
      ...(this.morphologyEncoder?.variables ?? []), ...(this.historyEncoder?.variables ?? []),
    ];
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
