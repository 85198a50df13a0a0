/**
 * The observation history that adaptive policies read: for each environment, the last H frames of C
 * channels (the Ant's normalised observation x_t and previous action a_{t−1}: 28 + 8 = 36 channels),
 * oldest first, with zeros in place of the steps before the episode began. RMA's adaptation module
 * (Kumar et al. 2021: the last 50 steps), the end-to-end TCN, and DMAP (Chiappa et al. 2022: 30 steps,
 * zero-padded at episode start) all read this one buffer.
 *
 * Each environment keeps a ring of H frames and a count of frames pushed since its episode began;
 * `reset(env)` starts a new episode (the window is all zeros until the next push).
 */

export class ObservationHistory {
  private readonly ring: Float32Array;
  /** Frames pushed since the episode began, per environment (saturates at H). */
  private readonly filled: Int32Array;
  /** Ring position where the next frame goes, per environment. */
  private readonly next: Int32Array;

  constructor(readonly numEnvs: number, readonly length: number, readonly channels: number) {
    if (!Number.isInteger(length) || length < 1) {
      throw new Error(`history length must be a whole number ≥ 1 (got ${length}); RMA uses 50 steps, DMAP 30`);
    }
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`history: numEnvs must be ≥ 1 (got ${numEnvs})`);
    if (!Number.isInteger(channels) || channels < 1) throw new Error(`history: channels must be ≥ 1 (got ${channels})`);
    this.ring = new Float32Array(numEnvs * length * channels);
    this.filled = new Int32Array(numEnvs);
    this.next = new Int32Array(numEnvs);
  }

  /** Size of one environment's window (H × C). */
  get windowSize(): number {
    return this.length * this.channels;
  }

  /** Begin a new episode in environment `env` (all environments when omitted). */
  reset(env?: number): void {
    const envs = env === undefined ? [...Array(this.numEnvs).keys()] : [env];
    for (const e of envs) {
      this.filled[e] = 0;
      this.next[e] = 0;
    }
  }

  /** Append one frame per environment (N × C, row-major). */
  push(frames: Float32Array): void {
    const { numEnvs: N, length: H, channels: C } = this;
    if (frames.length !== N * C) throw new Error(`history.push: expected ${N}×${C} values, got ${frames.length}`);
    for (let e = 0; e < N; e++) {
      this.ring.set(frames.subarray(e * C, (e + 1) * C), (e * H + this.next[e]) * C);
      this.next[e] = (this.next[e] + 1) % H;
      if (this.filled[e] < H) this.filled[e]++;
    }
  }

  /**
   * The windows, N × H × C, oldest frame first; frames from before the episode began are zeros. With
   * `extra` (N × C), the window is the one `push(extra)` would give, without changing the buffer (to
   * evaluate the value of a final observation).
   */
  window(out: Float32Array = new Float32Array(this.numEnvs * this.windowSize), extra?: Float32Array): Float32Array {
    const { numEnvs: N, length: H, channels: C } = this;
    if (out.length !== N * H * C) throw new Error(`history.window: output holds ${out.length} values, needs ${N}×${H}×${C}`);
    if (extra && extra.length !== N * C) throw new Error(`history.window: extra frame has ${extra.length} values, needs ${N}×${C}`);
    out.fill(0);
    for (let e = 0; e < N; e++) {
      const base = e * H * C;
      const kept = extra ? Math.min(this.filled[e], H - 1) : this.filled[e];
      // The newest `kept` stored frames go to the end of the window (before the extra frame, if any).
      const end = extra ? H - 1 : H;
      for (let k = 0; k < kept; k++) {
        const slot = (this.next[e] - kept + k + H) % H;
        out.set(this.ring.subarray((e * H + slot) * C, (e * H + slot + 1) * C), base + (end - kept + k) * C);
      }
      if (extra) out.set(extra.subarray(e * C, (e + 1) * C), base + (H - 1) * C);
    }
    return out;
  }
}
