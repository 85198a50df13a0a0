/** Small labelled 2-D data sets for first experiments (the welcome notebook), deterministic by seed. */
import { rng } from "./random";

export interface PointSet {
  /** n × 2 coordinates. */
  points: [number, number][];
  /** 0/1 class of each point. */
  labels: number[];
}

/** Two interleaving half circles ("two moons") with Gaussian noise of standard deviation `noise`. */
export function twoMoons(n: number, noise: number, seed: number): PointSet {
  if (!Number.isInteger(n) || n < 2) throw new Error(`twoMoons: n must be an integer ≥ 2, got ${n}`);
  if (!(noise >= 0)) throw new Error(`twoMoons: noise must be ≥ 0, got ${noise}`);
  const r = rng(seed);
  const points: [number, number][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * r.uniform();
    const [x, y] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    points.push([x + noise * r.normal(), y + noise * r.normal()]);
    labels.push(label);
  }
  return { points, labels };
}
