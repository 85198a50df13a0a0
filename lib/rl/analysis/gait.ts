/**
 * Gait phase, and how strongly a signal (DMAP's attention, Chiappa et al. 2022) is locked to it — the analysis
 * behind the lecture's "attention is gait-cycle specific".
 *
 * Phase. Two estimates, because our Ants bound (feet touch the floor ~5 % of the time) and contacts may be too
 * sparse to define a cycle:
 *   - from foot contacts: for one foot, the phase grows linearly from 0 to 2π between consecutive touchdowns
 *     (undefined before the first and after the last);
 *   - from the joint angles: the angle of the first two principal components of the 8 joint angles over the
 *     episode (a rhythmic gait traces a loop in that plane; its angle is the phase of the dominant oscillation).
 * Modulation. Bin the phase; average the signal per bin (phase-locked average); the modulation of a joint's
 * attention is the root mean square, over its 36 channels, of the standard deviation across phase bins of the
 * binned means. Baseline: the same after circularly shifting each episode's phase labels by a random offset,
 * which keeps every series' own statistics and destroys only its relation to the gait. For a regular gait a time
 * shift is nearly a rotation of the phase, which keeps each episode's own locking: only the pooling over
 * episodes cancels it, so a locked signal's baseline sits near 1/√E of its modulation for E episodes — the
 * analysis needs tens of episodes to tell locking from chance.
 */
import { fromRows, symmetricEigen } from "../../util/linalg";
import { Rng } from "../../util/random";

const TWO_PI = 2 * Math.PI;

/** Phase (rad, [0, 2π)) from one foot's contacts (0/1 per step); null where no cycle encloses the step. */
export function gaitPhaseFromContacts(contacts: readonly number[]): (number | null)[] {
  const touchdowns: number[] = [];
  for (let t = 1; t < contacts.length; t++) if (contacts[t] && !contacts[t - 1]) touchdowns.push(t);
  const phase: (number | null)[] = new Array(contacts.length).fill(null);
  for (let k = 0; k + 1 < touchdowns.length; k++) {
    const a = touchdowns[k], b = touchdowns[k + 1];
    for (let t = a; t < b; t++) phase[t] = (TWO_PI * (t - a)) / (b - a);
  }
  return phase;
}

/**
 * Phase (rad, [0, 2π)) from joint angles (steps × joints): the angle of the projection onto the first two
 * principal components. Also returns the share of variance those two components explain (a weak loop, a
 * poorly defined phase).
 */
export function gaitPhaseFromJointAngles(angles: readonly (readonly number[])[]): { phase: number[]; explained: number } {
  const T = angles.length;
  if (T < 3) throw new Error(`gait phase: need at least 3 steps of joint angles, got ${T}`);
  const J = angles[0].length;
  const mean = new Array(J).fill(0);
  for (const a of angles) a.forEach((v, j) => (mean[j] += v / T));
  const cov = Array.from({ length: J }, () => new Array(J).fill(0));
  for (const a of angles) for (let i = 0; i < J; i++) for (let j = 0; j < J; j++) cov[i][j] += ((a[i] - mean[i]) * (a[j] - mean[j])) / (T - 1);
  const { values, vectors } = symmetricEigen(fromRows(cov));
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const pc = (k: number, a: readonly number[]) => a.reduce((s, v, j) => s + (v - mean[j]) * vectors.data[j * J + k], 0);
  const phase = angles.map((a) => { const p = Math.atan2(pc(1, a), pc(0, a)); return p < 0 ? p + TWO_PI : p; });
  return { phase, explained: total > 0 ? (Math.max(0, values[0]) + Math.max(0, values[1])) / total : 0 };
}

/** One episode's signal (steps × features) and its phase per step (null: no phase there). */
export interface PhaseEpisode {
  values: readonly (readonly number[])[];
  phase: readonly (number | null)[];
}

/** Mean of the features per phase bin (bins × features); NaN where a bin got no step. */
export function phaseLockedAverage(episodes: readonly PhaseEpisode[], bins: number): number[][] {
  const F = episodes.find((e) => e.values.length)?.values[0].length ?? 0;
  const sum = Array.from({ length: bins }, () => new Array(F).fill(0));
  const count = new Array(bins).fill(0);
  for (const e of episodes) {
    if (e.values.length !== e.phase.length) throw new Error(`phase-locked average: ${e.values.length} steps of values but ${e.phase.length} phases`);
    e.values.forEach((v, t) => {
      const p = e.phase[t];
      if (p === null || !Number.isFinite(p)) return;
      const b = Math.min(bins - 1, Math.floor((((p % TWO_PI) + TWO_PI) % TWO_PI) / TWO_PI * bins));
      count[b]++;
      v.forEach((x, f) => (sum[b][f] += x));
    });
  }
  return sum.map((row, b) => row.map((s) => (count[b] ? s / count[b] : NaN)));
}

/** Root mean square over features of the standard deviation across bins of the phase-locked average. */
export function phaseModulation(episodes: readonly PhaseEpisode[], bins = 8): number {
  const avg = phaseLockedAverage(episodes, bins).filter((row) => row.every(Number.isFinite));
  if (avg.length < 2) return NaN;
  const F = avg[0].length;
  let ms = 0;
  for (let f = 0; f < F; f++) {
    const col = avg.map((r) => r[f]);
    const m = col.reduce((s, v) => s + v, 0) / col.length;
    ms += col.reduce((s, v) => s + (v - m) ** 2, 0) / col.length / F;
  }
  return Math.sqrt(ms);
}

/**
 * Root mean square over features of the standard deviation of the signal over every step that has a phase: its
 * total variability, the scale `phaseLockedFraction` divides by.
 */
export function signalVariability(episodes: readonly PhaseEpisode[]): number {
  const rows = episodes.flatMap((e) => e.values.filter((_, t) => e.phase[t] !== null && Number.isFinite(e.phase[t] as number)));
  if (rows.length < 2) return NaN;
  const F = rows[0].length;
  let ms = 0;
  for (let f = 0; f < F; f++) {
    const m = rows.reduce((a, r) => a + r[f], 0) / rows.length;
    ms += rows.reduce((a, r) => a + (r[f] - m) ** 2, 0) / rows.length / F;
  }
  return Math.sqrt(ms);
}

/**
 * The share of a signal's variability locked to the gait phase: phaseModulation / signalVariability, in [0, 1]
 * (for one feature, √η² of a one-way analysis of variance by phase bin). Scale-free, so that two networks whose
 * attention varies by different amounts overall can be compared.
 */
export function phaseLockedFraction(episodes: readonly PhaseEpisode[], bins = 8): number {
  return phaseModulation(episodes, bins) / signalVariability(episodes);
}

/** The modulation after shifting each episode's phases circularly by a random offset, `shuffles` times. */
export function shuffledModulation(episodes: readonly PhaseEpisode[], random: Rng, shuffles = 200, bins = 8): { mean: number; p95: number; values: number[] } {
  const values: number[] = [];
  for (let s = 0; s < shuffles; s++) {
    const shifted = episodes.map((e) => {
      const n = e.phase.length;
      const k = n > 1 ? 1 + random.int(n - 1) : 0;
      return { values: e.values, phase: e.phase.map((_, t) => e.phase[(t + k) % n]) };
    });
    values.push(phaseModulation(shifted, bins));
  }
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, p95: sorted[Math.floor(0.95 * (sorted.length - 1))], values };
}

/**
 * The share of a signal's variability that differs between episodes rather than within them: the RMS over
 * features of the standard deviation across episodes of the episode means, ÷ the signal's total variability over
 * every step (√η² of a one-way analysis of variance by episode; phases are not used). In notebook 04 each episode
 * is one body: a large share means the signal is set by the body more than by the moment in the stride.
 */
export function betweenEpisodeFraction(episodes: readonly Pick<PhaseEpisode, "values">[]): number {
  const E = episodes.length;
  if (E < 2) throw new Error(`between-episode fraction: need at least 2 episodes, got ${E}`);
  // Each episode is its own "phase bin": the same equal-weight group means and the same total as phaseLockedFraction.
  return phaseLockedFraction(episodes.map((e, k) => ({ values: e.values, phase: e.values.map(() => (TWO_PI * (k + 0.5)) / E) })), E);
}
