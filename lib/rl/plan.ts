/**
 * The Ant trainings behind notebooks 03 and 04's shipped policies, as a plan (lib/sweep/plan.ts): every compared policy
 * gets the same PPO budget (2 M env steps; RMA's phase 2 adds its own regression rounds on top of its Oracle's);
 * σ = 0.1, 0.3 and 0.5 with seed 0, and two more seeds at σ = 0.3, as RMA/DMAP's Ant protocol (Chiappa et al.
 * 2022: 5 seeds there).
 */
import type { RunSpec } from "../sweep/plan";
import { agentConfig, PolicyKind } from "./agent";
import { antRunSpec } from "./run-status";

/** PPO env steps of every compared policy. */
export const PPO_BUDGET = 2_000_000;
/** Env steps of RMA's phase-2 rollouts. */
export const RMA_PHASE2_BUDGET = 400_000;
export const PLAN_SIGMAS = [0.1, 0.3, 0.5] as const;
/** Seeds at σ = 0.3 (seed 0 at every σ). */
export const PLAN_SEEDS = [0, 1, 2] as const;

export function antPlan(kinds: readonly PolicyKind[] = ["simple", "oracle", "rma", "tcn", "dmap"]): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const sigma of PLAN_SIGMAS) {
    for (const seed of sigma === 0.3 ? PLAN_SEEDS : [0]) {
      for (const policy of kinds) {
        runs.push(antRunSpec({ config: agentConfig({ policy, sigma, seed }), totalSteps: policy === "rma" ? RMA_PHASE2_BUDGET : PPO_BUDGET }));
      }
    }
  }
  // Oracles first: RMA's phase 2 starts from them.
  const rank = (r: RunSpec) => (r.name.startsWith("ant-rma-") ? 1 : 0);
  return runs.sort((a, b) => rank(a) - rank(b));
}
