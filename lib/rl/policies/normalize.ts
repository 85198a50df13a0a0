/**
 * Running statistics for observation and reward normalisation (as gym's NormalizeObservation and
 * NormalizeReward wrappers that CleanRL's PPO uses): parallel Welford updates of mean and variance.
 */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count: number;

  constructor(readonly size: number, epsilon = 1e-4) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Update with a batch of rows (row-major, `rows` × size). */
  update(batch: ArrayLike<number>, rows: number): void {
    if (batch.length !== rows * this.size) throw new Error(`RunningMeanStd.update: expected ${rows}×${this.size} values, got ${batch.length}`);
    const bMean = new Float64Array(this.size);
    const bVar = new Float64Array(this.size);
    for (let r = 0; r < rows; r++) for (let j = 0; j < this.size; j++) bMean[j] += batch[r * this.size + j] / rows;
    for (let r = 0; r < rows; r++) for (let j = 0; j < this.size; j++) bVar[j] += (batch[r * this.size + j] - bMean[j]) ** 2 / rows;
    const total = this.count + rows;
    for (let j = 0; j < this.size; j++) {
      const delta = bMean[j] - this.mean[j];
      const m2 = this.var[j] * this.count + bVar[j] * rows + (delta * delta * this.count * rows) / total;
      this.mean[j] += (delta * rows) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /** (x − mean) / sqrt(var + 1e-8), clipped to ±clip, for `rows` rows. */
  normalize(batch: ArrayLike<number>, rows: number, clip = 10): Float32Array {
    const out = new Float32Array(rows * this.size);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < this.size; j++) {
        const z = (batch[r * this.size + j] - this.mean[j]) / Math.sqrt(this.var[j] + 1e-8);
        out[r * this.size + j] = Math.max(-clip, Math.min(clip, z));
      }
    }
    return out;
  }

  toJSON(): { mean: number[]; var: number[]; count: number } {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  static fromJSON(s: { mean: number[]; var: number[]; count: number }): RunningMeanStd {
    const r = new RunningMeanStd(s.mean.length);
    r.mean = Float64Array.from(s.mean);
    r.var = Float64Array.from(s.var);
    r.count = s.count;
    return r;
  }
}
