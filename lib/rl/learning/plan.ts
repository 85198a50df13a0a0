/**
 * The Ant trainings behind notebooks 03 and 04's shipped policies, as a plan (lib/sweep/plan.ts): every compared policy
 * gets the same PPO budget (PPO_BUDGET, set by the budget pilots below; RMA's phase 2 adds its own rollouts on top of
 * its Oracle's); σ = 0.1, 0.3 and 0.5 with seed 0, and two more seeds at σ = 0.3, as RMA/DMAP's Ant protocol
 * (Chiappa et al. 2022: 5 seeds there). The set trained earlier for 2 M env steps is kept, as shipped, in
 * data/short-budget/ (lib/rl/analysis/report.ts SHORT_BUDGET_ROOT).
 */
import type { RunSpec } from "../../sweep/plan";
import { agentConfig, PolicyKind } from "./agent";
import { antRunSpec, measuredSpeed } from "./run-status";
import { PPO_DEFAULTS } from "./ppo";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * PPO env steps of every compared policy: the smallest million at which both budget pilots' (Simple and Oracle,
 * σ 0.3, seed 0, 20 M steps) training return had levelled off (`budgetFromPilots`, lib/rl/analysis/report.ts: 11 M from the
 * logs in data/pilots/pilot-{simple,oracle}-sigma0.3-seed0-budget). Notebook 03 recomputes it from those logs.
 */
export const PPO_BUDGET = 11_000_000;
/** The budget of the earlier set, kept in data/short-budget/. */
export const SHORT_BUDGET = 2_000_000;
/** Env steps of RMA's phase-2 rollouts. */
export const RMA_PHASE2_BUDGET = 400_000;
export const PLAN_SIGMAS = [0.1, 0.3, 0.5] as const;
/** Seeds at σ = 0.3 (seed 0 at every σ). */
export const PLAN_SEEDS = [0, 1, 2] as const;

/** The compared policies, RMA after the Oracle its phase 2 starts from. */
const POLICY_ORDER: readonly PolicyKind[] = ["simple", "oracle", "rma", "tcn", "dmap"];
/**
 * Within one σ, the policies in tiers of cost (one 11 M-step run here: Simple, Oracle ~1 h each, TCN ~4 h, DMAP
 * ~9–11 h), each tier for every seed before the next tier: at σ 0.3 the comparison of Simple, Oracle and RMA across
 * three seeds (notebook 03's claims) completes after ~5 machine-hours instead of after every DMAP seed.
 */
const COST_TIERS: readonly (readonly PolicyKind[])[] = [["simple", "oracle", "rma"], ["tcn"], ["dmap"]];
/** The main comparison completes first: σ 0.3's seeds, then σ 0.5, then σ 0.1. */
const SIGMA_ORDER: readonly (typeof PLAN_SIGMAS)[number][] = [0.3, 0.5, 0.1];

export function antPlan(kinds: readonly PolicyKind[] = POLICY_ORDER): RunSpec[] {
  const ordered = POLICY_ORDER.filter((p) => kinds.includes(p));
  // One measured speed per kind (each reads every manifest and checkpoint of the project).
  const speeds = new Map(ordered.map((p) => [p, measuredSpeed(p, PPO_DEFAULTS, ROOT)]));
  const runs: RunSpec[] = [];
  for (const sigma of SIGMA_ORDER) {
    for (const tier of COST_TIERS) {
      for (const seed of sigma === 0.3 ? PLAN_SEEDS : [0]) {
        for (const policy of tier.filter((p) => ordered.includes(p))) {
          const spec = antRunSpec({ config: agentConfig({ policy, sigma, seed }), totalSteps: policy === "rma" ? RMA_PHASE2_BUDGET : PPO_BUDGET });
          const speed = speeds.get(policy);
          runs.push(speed ? { ...spec, speed } : spec);
        }
      }
    }
  }
  return runs;
}

/**
 * Pilots (issue of the converged comparison): short runs that choose PPO's settings, and long ones that set the
 * plan's budget, both read on *training* return on training bodies — they ship their training logs to
 * data/pilots/<name>/ and are never evaluated on the test sets (`--eval-morphologies 0`). σ = 0.3, seed 0.
 */
export interface AntPilot {
  name: string;
  policy: PolicyKind;
  steps: number;
  /** train:ant options that make this variant (PPO settings). */
  settings: string[];
  /** What the pilot asks. */
  question: string;
}

export const PILOT_ROOT = { runs: "out/pilots", shipped: "data/pilots" } as const;

export const ANT_PILOTS: readonly AntPilot[] = [
  ...(["tcn", "oracle"] as const).flatMap((policy) => [10, 5].map((epochs) => ({
    name: `pilot-${policy}-sigma0.3-seed0-adaptive-epochs${epochs}`,
    policy, steps: 1_000_000, settings: ["--epochs", String(epochs)],
    question: `KL-adaptive step size, ${epochs} epochs per rollout: does the step size fit (approx-KL near its target), and does halving the epochs lose learning per sample?`,
  }))),
  // With the settings chosen (PPO_DEFAULTS: adaptive rate, 5 epochs), the long pilots set the plan's budget.
  ...(["simple", "oracle", "dmap"] as const).map((policy) => ({
    name: `pilot-${policy}-sigma0.3-seed0-budget`, policy, steps: 20_000_000, settings: [],
    question: `PPO_DEFAULTS for 20 M env steps: when does the ${policy} policy's training return level off?`,
  })),
];

export function antPilotPlan(): RunSpec[] {
  return ANT_PILOTS.map((p) => antRunSpec({
    config: agentConfig({ policy: p.policy, sigma: 0.3, seed: 0 }), totalSteps: p.steps, name: p.name, script: "train:ant-pilot",
    extraArgs: [...p.settings, "--eval-morphologies", "0"],
    runDir: `${PILOT_ROOT.runs}/${p.name}`, shipDir: `${PILOT_ROOT.shipped}/${p.name}`,
  })).map((spec, i) => {
    const speed = measuredSpeed(ANT_PILOTS[i].policy, PPO_DEFAULTS, ROOT);
    return { ...spec, description: ANT_PILOTS[i].question, ...(speed ? { speed } : {}) };
  });
}
