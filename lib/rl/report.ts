/**
 * What notebook 03 (part 2) and 04 report about shipped Ant policies, read from their manifests: each manifest
 * holds the evaluation measured right after training, on the full shipped test sets (100 bodies per σ, the
 * evaluation seed of lib/rl/evaluate.ts). Here: finding them, pooling seeds (mean of the seed means, with the
 * spread across seeds), the published Ant numbers (DMAP's table, Chiappa et al. 2022), and the diagram of the
 * policies' information flow.
 */
import * as fs from "fs";
import * as path from "path";
import type { AgentConfig, PolicyKind } from "./agent";
import type { EvaluationSummary } from "./evaluate";
import type { AdaptationLog } from "./rma";
import type { LatentConvergence } from "./rma";

const ROOT = path.resolve(__dirname, "..", "..");
export const CHECKPOINT_ROOT = path.join(ROOT, "data", "checkpoints");

/**
 * DMAP's Ant results (their repository's table: PyBullet Ant, SAC, 11.6 M steps, mean return over 5 seeds × 100
 * bodies, trained and tested at the same σ). Another simulator, algorithm and reward scale: compare orderings and ratios.
 */
export const PUBLISHED_ANT: Record<string, Record<number, number>> = {
  simple: { 0.1: 2164, 0.3: 1270, 0.5: 391 },
  oracle: { 0.1: 2148, 0.3: 1723, 0.5: 974 },
  rma: { 0.1: 2138, 0.3: 1700, 0.5: 966 },
  tcn: { 0.1: 932, 0.3: 251, 0.5: 481 },
  dmap: { 0.1: 2240, 0.3: 1623, 0.5: 960 },
};

export interface AntManifest {
  name: string;
  command: string;
  config: AgentConfig;
  env_steps: number;
  wall_seconds: number;
  backend: string;
  code_commit: string;
  teacher?: string;
  rma_phase2?: { rounds: { round: number; env_steps: number; error_on_policy: number; error_train: number }[]; convergence: LatentConvergence };
  evaluation: Record<string, Omit<EvaluationSummary, "perMorphology"> & { perMorphology: { return: number }[] }>;
}

export interface ShippedAgent {
  dir: string;
  manifest: AntManifest;
}

/** Every shipped Ant agent (folders with a manifest), optionally of some kinds only, sorted by kind, σ, seed. */
export function shippedAgents(kinds?: readonly PolicyKind[], root = CHECKPOINT_ROOT): ShippedAgent[] {
  if (!fs.existsSync(root)) return [];
  const order = ["simple", "oracle", "rma", "tcn", "dmap"];
  return fs.readdirSync(root)
    .filter((d) => d.startsWith("ant-") && fs.existsSync(path.join(root, d, "manifest.json")))
    .map((d) => ({ dir: path.join(root, d), manifest: JSON.parse(fs.readFileSync(path.join(root, d, "manifest.json"), "utf8")) as AntManifest }))
    .filter((a) => !kinds || kinds.includes(a.manifest.config.policy))
    .sort((a, b) => order.indexOf(a.manifest.config.policy) - order.indexOf(b.manifest.config.policy)
      || a.manifest.config.sigma - b.manifest.config.sigma || a.manifest.config.seed - b.manifest.config.seed);
}

/** One policy kind at one train σ and test σ, pooled over its seeds. */
export interface SeedPooled {
  policy: PolicyKind;
  trainSigma: number;
  testSigma: number;
  seeds: number[];
  /** Per seed: mean return over the test bodies. */
  perSeed: number[];
  /** Mean of the seed means; the spread is the standard deviation across seeds (0 for one seed). */
  meanReturn: number;
  seedSpread: number;
  /** Mean over seeds of the SEM over bodies. */
  semOverBodies: number;
  forwardSpeed: number;
  fallRate: number;
  bodies: number;
}

/** Pool the manifests' evaluations by (policy, train σ, test σ). */
export function poolSeeds(agents: ShippedAgent[]): SeedPooled[] {
  const groups = new Map<string, ShippedAgent[]>();
  for (const a of agents) {
    for (const key of Object.keys(a.manifest.evaluation)) {
      const k = `${a.manifest.config.policy}|${a.manifest.config.sigma}|${key}`;
      groups.set(k, [...(groups.get(k) ?? []), a]);
    }
  }
  return [...groups.entries()].map(([k, group]) => {
    const [policy, trainSigma, key] = k.split("|");
    const evals = group.map((a) => a.manifest.evaluation[key]);
    const perSeed = evals.map((e) => e.meanReturn);
    const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
    const m = mean(perSeed);
    const spread = perSeed.length > 1 ? Math.sqrt(perSeed.reduce((s, x) => s + (x - m) ** 2, 0) / (perSeed.length - 1)) : 0;
    return {
      policy: policy as PolicyKind, trainSigma: Number(trainSigma), testSigma: Number(key.replace("sigma_", "")),
      seeds: group.map((a) => a.manifest.config.seed), perSeed, meanReturn: m, seedSpread: spread,
      semOverBodies: mean(evals.map((e) => e.semReturn)), forwardSpeed: mean(evals.map((e) => e.meanForwardSpeed)),
      fallRate: mean(evals.map((e) => e.fallRate)), bodies: evals[0].n,
    };
  });
}

/** The learning curve a shipped agent's training log holds (PPO or RMA phase 2). */
export function trainingLog<L = AdaptationLog>(agent: ShippedAgent): L[] {
  const file = path.join(agent.dir, "training-log.jsonl");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as L) : [];
}

/**
 * Boxes and arrows of the four policies' information flow, as a plotly figure (data + layout): what each
 * controller reads, and which part is trained how.
 */
export function adaptationDiagram(): { data: object[]; layout: object } {
  const rows: { label: string; boxes: { text: string; x: number; colour: string }[] }[] = [
    { label: "Simple", boxes: [{ text: "x<sub>t</sub>", x: 0.1, colour: "#ddd" }, { text: "π (MLP)", x: 0.55, colour: "#9ecae1" }] },
    { label: "Oracle", boxes: [{ text: "true body e<sub>t</sub>", x: 0.1, colour: "#fdae6b" }, { text: "μ → z<sub>t</sub>", x: 0.32, colour: "#9ecae1" }, { text: "π(x<sub>t</sub>, a<sub>t−1</sub>, z<sub>t</sub>)", x: 0.55, colour: "#9ecae1" }] },
    { label: "RMA", boxes: [{ text: "history (x, a)<sub>t−49…t</sub>", x: 0.1, colour: "#ddd" }, { text: "φ → ẑ<sub>t</sub><br>(regress z, phase 2)", x: 0.32, colour: "#a1d99b" }, { text: "π frozen (from Oracle)", x: 0.55, colour: "#c6dbef" }] },
    { label: "TCN", boxes: [{ text: "history (x, a)<sub>t−49…t</sub>", x: 0.1, colour: "#ddd" }, { text: "φ → ẑ<sub>t</sub>", x: 0.32, colour: "#9ecae1" }, { text: "π(x<sub>t</sub>, a<sub>t−1</sub>, ẑ<sub>t</sub>)", x: 0.55, colour: "#9ecae1" }] },
  ];
  const shapes: object[] = [];
  const annotations: object[] = [];
  rows.forEach((row, r) => {
    const y = 0.85 - r * 0.24;
    annotations.push({ x: -0.02, y, text: `<b>${row.label}</b>`, showarrow: false, xanchor: "right", font: { size: 14 } });
    row.boxes.forEach((b, k) => {
      shapes.push({ type: "rect", x0: b.x - 0.1, x1: b.x + 0.1, y0: y - 0.08, y1: y + 0.08, fillcolor: b.colour, line: { color: "#555" } });
      annotations.push({ x: b.x, y, text: b.text, showarrow: false, font: { size: 12 } });
      const next = row.boxes[k + 1];
      const to = next ? next.x - 0.1 : 0.78;
      annotations.push({ x: to, y, ax: b.x + 0.1, ay: y, xref: "x", yref: "y", axref: "x", ayref: "y", text: "", showarrow: true, arrowhead: 2 });
    });
    annotations.push({ x: 0.86, y, text: "action a<sub>t</sub>", showarrow: false, font: { size: 12 } });
  });
  annotations.push({ x: 0.5, y: 1.04, text: "blue: trained by PPO (critic also sees e<sub>t</sub>) · green: trained by regression on the Oracle's z · orange: privileged", showarrow: false, font: { size: 12 } });
  return {
    data: [],
    layout: {
      title: { text: "What each controller reads" }, height: 420, shapes, annotations,
      xaxis: { range: [-0.15, 0.95], visible: false, title: { text: "information flow →" } },
      yaxis: { range: [0.05, 1.08], visible: false, title: { text: "policy" } },
    },
  };
}
