/**
 * Gait phase and phase modulation (lib/rl/analysis/gait.ts) on synthetic gaits with known answers: contacts at a known
 * period, joint angles that circle at a known frequency, a signal locked to the phase (modulation far above the
 * shuffled baseline) and one that is not (at the baseline).
 */
import { describe, expect, it } from "vitest";
import { betweenEpisodeFraction, gaitPhaseFromContacts, gaitPhaseFromJointAngles, phaseLockedAverage, phaseLockedFraction, phaseModulation, shuffledModulation, signalVariability } from "../lib/rl/analysis/gait";
import { rng } from "../lib/util/random";

describe("gait phase", () => {
  it("from contacts: 0 at each touchdown, rising linearly to the next, undefined outside", () => {
    const contacts = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const p = gaitPhaseFromContacts(contacts);
    expect(p[0]).toBeNull();
    expect(p[1]).toBe(0);
    expect(p[3]).toBeCloseTo((2 * Math.PI * 2) / 4, 10);
    expect(p[5]).toBe(0);
    expect(p[9]).toBeCloseTo((2 * Math.PI * 4) / 5, 10);
    expect(p[10]).toBeNull();
  });

  it("from joint angles: recovers a rotating phase up to a constant offset and direction", () => {
    const r = rng(3);
    const T = 400, period = 25;
    const truth = Array.from({ length: T }, (_, t) => (2 * Math.PI * t) / period);
    const angles = truth.map((ph) => Array.from({ length: 8 }, (_, j) => Math.cos(ph + j * 0.7) * (1 + 0.1 * j) + 0.05 * r.normal()));
    const { phase, explained } = gaitPhaseFromJointAngles(angles);
    expect(explained).toBeGreaterThan(0.95);
    // Successive differences match ±2π/period (the sign depends on the PCs' orientation).
    const steps = phase.slice(1).map((p, t) => { let d = p - phase[t]; if (d > Math.PI) d -= 2 * Math.PI; if (d < -Math.PI) d += 2 * Math.PI; return d; });
    const meanStep = steps.reduce((s, d) => s + d, 0) / steps.length;
    expect(Math.abs(Math.abs(meanStep) - (2 * Math.PI) / period)).toBeLessThan(0.02);
    expect(() => gaitPhaseFromJointAngles([[1], [2]])).toThrow(/at least 3 steps/);
  });
});

describe("phase modulation", () => {
  const T = 300, period = 20;
  const phase = Array.from({ length: T }, (_, t) => ((2 * Math.PI * t) / period) % (2 * Math.PI));

  it("averages per phase bin", () => {
    const values = phase.map((p) => [Math.cos(p), 1]);
    const avg = phaseLockedAverage([{ values, phase }], 4);
    expect(avg).toHaveLength(4);
    expect(avg[0][0]).toBeGreaterThan(0.5);
    expect(avg[2][0]).toBeLessThan(-0.5);
    for (const row of avg) expect(row[1]).toBeCloseTo(1, 10);
  });

  it("a phase-locked signal stands far above its shuffled baseline; an unlocked one does not", () => {
    const r = rng(5);
    // 30 episodes: a circular shift keeps each episode's own locking, so the baseline of a locked signal sits near
    // 1/√30 of its modulation; an unlocked signal (another rhythm, a random offset per episode) sits at its baseline.
    const episodes = (locked: boolean) => Array.from({ length: 30 }, () => {
      const offset = 2 * Math.PI * r.uniform();
      return {
        phase,
        values: phase.map((p, t) => Array.from({ length: 3 }, (_, c) => (locked ? 0.2 * Math.sin(p + c) : 0.2 * Math.sin(0.37 * t + offset + c)) + 0.05 * r.normal())),
      };
    });
    const lockedEps = episodes(true), freeEps = episodes(false);
    const locked = phaseModulation(lockedEps), lockedBase = shuffledModulation(lockedEps, rng(1), 100);
    const free = phaseModulation(freeEps), freeBase = shuffledModulation(freeEps, rng(1), 100);
    expect(locked).toBeGreaterThan(2.5 * lockedBase.p95);
    expect(free).toBeLessThan(1.5 * freeBase.p95);
    expect(locked).toBeGreaterThan(4 * free);
  });

  it("the phase-locked fraction of a known signal: a·cos(phase) + noise gives its analysis-of-variance value, at any scale", () => {
    // v = cos φ + N(0, 1): total variance 1/2 + 1; 8 bins average cos over 45° (factor sin(π/8)/(π/8)), RMS 1/√2.
    const r = rng(9);
    const n = 40000;
    const ph = Array.from({ length: n }, () => 2 * Math.PI * r.uniform());
    const values = ph.map((p) => [Math.cos(p) + r.normal()]);
    const expected = (Math.sin(Math.PI / 8) / (Math.PI / 8)) * Math.SQRT1_2 / Math.sqrt(1.5);
    expect(phaseLockedFraction([{ values, phase: ph }], 8)).toBeCloseTo(expected, 2);
    expect(signalVariability([{ values, phase: ph }])).toBeCloseTo(Math.sqrt(1.5), 2);
    // Scaling the signal scales the modulation, not the fraction.
    const scaled = values.map(([v]) => [40 * v]);
    expect(phaseLockedFraction([{ values: scaled, phase: ph }], 8)).toBeCloseTo(phaseLockedFraction([{ values, phase: ph }], 8), 10);
    expect(phaseModulation([{ values: scaled, phase: ph }], 8)).toBeCloseTo(40 * phaseModulation([{ values, phase: ph }], 8), 8);
  });
});


describe("between-episode fraction (is a signal set by the body or by the moment?)", () => {
  it("is 1 for a signal constant within each episode, 0 when every episode has the same mean, scale-free", () => {
    const constant = [[1], [3], [7]].map((v) => ({ values: Array.from({ length: 50 }, () => v) }));
    expect(betweenEpisodeFraction(constant)).toBeCloseTo(1, 12);
    const wave = (shift: number) => ({ values: Array.from({ length: 40 }, (_, t) => [Math.sin((2 * Math.PI * (t + shift)) / 40)]) });
    expect(betweenEpisodeFraction([wave(0), wave(10), wave(20)])).toBeCloseTo(0, 10);
    // Episode means 0 and 2, within-episode ±1 around them: between SD 1, total SD √2.
    const mixed = [0, 2].map((m) => ({ values: Array.from({ length: 20 }, (_, t) => [m + (t % 2 ? 1 : -1)]) }));
    expect(betweenEpisodeFraction(mixed)).toBeCloseTo(1 / Math.SQRT2, 12);
    const scaled = mixed.map((e) => ({ values: e.values.map((v) => [5 * v[0]]) }));
    expect(betweenEpisodeFraction(scaled)).toBeCloseTo(betweenEpisodeFraction(mixed), 12);
  });
  it("needs two episodes", () => {
    expect(() => betweenEpisodeFraction([{ values: [[1], [2]] }])).toThrow(/at least 2 episodes, got 1/);
  });
});
