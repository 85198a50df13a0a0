/**
 * Figures of notebook 03's part 2 (adaptive policies), built from shipped manifests (lib/rl/analysis/report.ts) and from
 * live rollouts (lib/rl/learning/rma.ts), so that the notebook's cells show the analysis in a few lines.
 */
import type { Data, Figure } from "../../show";
import { POLICY_COLOURS, policyLabel } from "../learning/agent-core";
import { ACTION_SIZE, STEP_SECONDS } from "../env/ant";
import { stdFromEntropy } from "../policies/distribution";
import type { LatentTrace } from "../learning/rma";
import { KeptFraction, PpoLogRow, returnByLegLength, SeedPooled, ShippedAgent, trainingLog } from "../analysis/report";

const COLOURS = POLICY_COLOURS;
export { policyLabel };

/**
 * Return vs test σ for every policy trained at `trainSigma`: mean of the seed means, error bars = spread across
 * seeds (std; none for one seed), and the random-action floor.
 */
export function returnVsTestSigma(pooled: SeedPooled[], trainSigma: number, floor: { testSigma: number; meanReturn: number }[]): Figure {
  const kinds = [...new Set(pooled.filter((p) => p.trainSigma === trainSigma).map((p) => p.policy))];
  const data: Data[] = kinds.map((kind) => {
    const rows = pooled.filter((p) => p.policy === kind && p.trainSigma === trainSigma).sort((a, b) => a.testSigma - b.testSigma);
    const seeds = rows[0]?.seeds.length ?? 0;
    return {
      type: "scatter", mode: "lines+markers", name: `${policyLabel(kind)} (${seeds} seed${seeds === 1 ? "" : "s"})`,
      x: rows.map((r) => r.testSigma), y: rows.map((r) => r.meanReturn), line: { color: COLOURS[kind] },
      error_y: { type: "data", array: rows.map((r) => r.seedSpread), visible: seeds > 1 },
    } as Data;
  });
  data.push({
    type: "scatter", mode: "lines", name: "random actions (floor)", x: floor.map((f) => f.testSigma), y: floor.map((f) => f.meanReturn),
    line: { color: COLOURS.random, dash: "dot" },
  } as Data);
  return {
    data,
    layout: {
      title: { text: `Policies trained at σ = ${trainSigma}: return on the shipped test sets (100 bodies per σ; bars: spread across seeds)` },
      xaxis: { title: { text: "test σ (range of body perturbations)" }, tickvals: [0.1, 0.3, 0.5, 0.7] },
      yaxis: { title: { text: "episodic return (reward units)" } },
    },
  };
}

/**
 * Skill and robustness side by side for the policies trained at `trainSigma` (`keptFractions`): left, each seed's
 * return on the least perturbed test set; right, the fraction of it each seed keeps on every wider test set (thin
 * lines), and its policy's mean over seeds (thick).
 */
export function skillAndKept(kept: readonly KeptFraction[], trainSigma: number): Figure {
  const mine = kept.filter((k) => k.trainSigma === trainSigma);
  const kinds = [...new Set(mine.map((k) => k.policy))];
  const from = mine[0]?.from ?? 0.1;
  const data: Data[] = kinds.flatMap((kind) => {
    const rows = mine.filter((k) => k.policy === kind).sort((a, b) => a.testSigma - b.testSigma);
    const colour = COLOURS[kind];
    const x = [from, ...rows.map((r) => r.testSigma)];
    const skill: Data = {
      type: "scatter", mode: "markers", name: `${policyLabel(kind)}: each seed's skill`, showlegend: false, legendgroup: kind,
      x: rows[0].seeds.map(() => policyLabel(kind)), y: rows[0].skill, text: rows[0].seeds.map((s) => `seed ${s}`),
      hovertemplate: "%{text}: %{y:.0f}<extra></extra>", marker: { color: colour, size: 9 },
    } as Data;
    const perSeed = rows[0].seeds.map((seed, k) => ({
      type: "scatter", mode: "lines", name: `${policyLabel(kind)} seed ${seed}`, showlegend: false, legendgroup: kind, xaxis: "x2", yaxis: "y2",
      x, y: [1, ...rows.map((r) => r.perSeed[k])], line: { color: colour, width: 1 }, opacity: 0.5,
      hovertemplate: `seed ${seed}, test σ %{x}: keeps %{y:.2f}<extra></extra>`,
    } as Data));
    const mean: Data = {
      type: "scatter", mode: "lines+markers", name: `${policyLabel(kind)} (${rows[0].seeds.length} seed${rows[0].seeds.length === 1 ? "" : "s"})`,
      legendgroup: kind, xaxis: "x2", yaxis: "y2", x, y: [1, ...rows.map((r) => r.mean)], line: { color: colour, width: 3 },
    } as Data;
    return [skill, ...perSeed, mean];
  });
  return {
    data,
    layout: {
      title: { text: `Policies trained at σ = ${trainSigma}: each seed's skill (left) and the fraction of it kept as bodies vary (right)` },
      xaxis: { domain: [0, 0.3], title: { text: "policy" } },
      yaxis: { title: { text: `return at test σ = ${from} (reward units)` }, rangemode: "tozero" },
      xaxis2: { domain: [0.4, 1], title: { text: "test σ (range of body perturbations)" }, tickvals: [0.1, 0.3, 0.5, 0.7], anchor: "y2" },
      yaxis2: { title: { text: `fraction of its σ = ${from} return kept` }, anchor: "x2", rangemode: "tozero" },
    } as NonNullable<Figure["layout"]>,
  };
}

/** RMA phase 2: the on-policy error of ẑ per round, and how fast ẑ settles within an episode, for each shipped RMA agent. */
export function phase2Figures(rmaAgents: ShippedAgent[]): Figure[] {
  const rounds: Data[] = rmaAgents.map((a) => ({
    type: "scatter", mode: "lines", name: `${a.manifest.name}`,
    x: a.manifest.rma_phase2!.rounds.map((r) => r.env_steps), y: a.manifest.rma_phase2!.rounds.map((r) => r.error_on_policy),
  } as Data));
  const within: Data[] = rmaAgents.flatMap((a) => {
    const c = a.manifest.rma_phase2!.convergence;
    const t = c.meanErrorByStep.map((_, k) => k * STEP_SECONDS);
    return [
      { type: "scatter", mode: "lines", name: `${a.manifest.name}: mean |ẑ − z|`, x: t, y: c.meanErrorByStep } as Data,
      { type: "scatter", mode: "lines", name: `${a.manifest.name}: threshold`, x: [0, t[t.length - 1]], y: [c.threshold, c.threshold], line: { dash: "dash" } } as Data,
    ];
  });
  return [
    {
      data: rounds,
      layout: {
        title: { text: "Phase 2: error of ẑ on each round's own rollout, before training on it" },
        xaxis: { title: { text: "phase-2 env steps" } },
        yaxis: { title: { text: "mean (ẑ − z)² per latent dimension" }, type: "log" },
      },
    },
    {
      data: within,
      layout: {
        title: { text: "Within an episode: how fast ẑ finds z (deployed RMA, bodies of its training σ)" },
        xaxis: { title: { text: "time since the episode began (s)" } },
        yaxis: { title: { text: "|ẑ − z| (root mean square over 8 dimensions)" } },
      },
    },
  ];
}

/** z (dashed) and ẑ (solid) over one episode, for the first `dims` latent dimensions; a line where the body changed. */
export function latentTraceFigure(trace: LatentTrace, options: { dims?: number; changeAt?: number; title: string }): Figure {
  const dims = options.dims ?? 3;
  const t = trace.z.map((_, k) => k * STEP_SECONDS);
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
  const data: Data[] = [];
  for (let d = 0; d < dims; d++) {
    data.push({ type: "scatter", mode: "lines", name: `z[${d}] (true body)`, x: t, y: trace.z.map((z) => z[d]), line: { color: palette[d], dash: "dash" } } as Data);
    data.push({ type: "scatter", mode: "lines", name: `ẑ[${d}] (from history)`, x: t, y: trace.zHat.map((z) => z[d]), line: { color: palette[d] } } as Data);
  }
  const shapes = options.changeAt !== undefined
    ? [{ type: "line", x0: options.changeAt * STEP_SECONDS, x1: options.changeAt * STEP_SECONDS, yref: "paper", y0: 0, y1: 1, line: { color: "#555", dash: "dot" } }]
    : [];
  return {
    data,
    layout: {
      title: { text: options.title }, shapes,
      xaxis: { title: { text: "time (s)" } }, yaxis: { title: { text: "latent value" } },
    },
  } as Figure;
}

/**
 * What ẑ's error costs in action, step by step (mean over the bodies still walking): |a(ẑ) − a(z)| next to
 * |a(z̄) − a(z)|, the change had the policy been told the average body (lib/rl/learning/rma.ts LatentTrace).
 */
export function actionErrorFigure(traces: LatentTrace[], title: string): Figure {
  const steps = Math.max(...traces.map((t) => t.actionError.length));
  const meanAt = (pick: (t: LatentTrace) => number[]) => Array.from({ length: steps }, (_, k) => {
    const xs = traces.map(pick).filter((v) => k < v.length).map((v) => v[k]);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  });
  const t = Array.from({ length: steps }, (_, k) => k * STEP_SECONDS);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "RMA: a(ẑ) vs a(z)", x: t, y: meanAt((tr) => tr.actionError), line: { color: COLOURS.rma } },
      { type: "scatter", mode: "lines", name: "told the average body: a(z̄) vs a(z)", x: t, y: meanAt((tr) => tr.averageBodyError), line: { color: COLOURS.random, dash: "dash" } },
    ] as Data[],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "time in the episode (s)" } },
      yaxis: { title: { text: "action difference (RMS over 8 joints; actions in [−1, 1])" }, rangemode: "tozero" },
    },
  } as Figure;
}

const PART: Record<number, string> = { 2: "half", 3: "third", 4: "quarter", 5: "fifth" };

/**
 * Results across morphologies: each shipped test body's return (mean over a policy's seeds) against the body's
 * mean leg-length perturbation, one marker per body and policy, and a line through each policy's mean return per
 * group of bodies (lib/rl/analysis/report.ts `returnByLegLength`).
 */
export function returnPerBody(byLeg: ReturnType<typeof returnByLegLength>, title: string): Figure {
  const data: Data[] = byLeg.policies.flatMap((p) => [
    {
      type: "scatter", mode: "markers", name: `${policyLabel(p.policy)} (${p.seeds} seed${p.seeds === 1 ? "" : "s"})`, legendgroup: p.policy,
      x: byLeg.legLength, y: p.perBody, marker: { color: COLOURS[p.policy], size: 5, opacity: 0.45 },
    } as Data,
    {
      type: "scatter", mode: "lines+markers", name: `${policyLabel(p.policy)}: mean of each ${PART[byLeg.groups.length] ?? `1/${byLeg.groups.length}`} of the bodies`, legendgroup: p.policy,
      x: byLeg.groups.map((g) => g.meanLegLength), y: p.groupMeans, line: { color: COLOURS[p.policy], width: 3 },
    } as Data,
  ]);
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "mean leg-length perturbation of the body (relative; 0 = nominal)" } },
      yaxis: { title: { text: "episodic return on that body (mean over seeds)" } },
    },
  };
}

/**
 * How hard each PPO update pushed the policy, per run: approx-KL between the policy before and after an update,
 * the fraction of samples whose probability ratio left [1 − ε, 1 + ε], and the action noise (mean std over the 8
 * joints, from the logged entropy of the diagonal Gaussian). One line per run, coloured by policy kind; a run of more
 * than CURVE_POINTS iterations is drawn as the means of consecutive bins of them (the title says so).
 */
export function ppoDiagnosticsFigure(agents: ShippedAgent[], title: string): Figure {
  const panels = [
    { key: "kl", label: "approx-KL per update", f: (l: PpoLogRow) => l.approxKl, log: false },
    // The mean rate of the iteration's minibatch steps; logs written before it existed have the last step's only.
    { key: "lr", label: "learning rate", f: (l: PpoLogRow) => l.meanLearningRate ?? l.learningRate ?? NaN, log: true },
    { key: "clip", label: "clip fraction", f: (l: PpoLogRow) => l.clipFraction, log: false },
    { key: "std", label: "action std (geometric mean)", f: (l: PpoLogRow) => stdFromEntropy(l.entropy, ACTION_SIZE), log: false },
  ];
  const n = panels.length;
  const data: Data[] = [];
  const logs = new Map(agents.map((a) => [a, trainingLog<PpoLogRow>(a)])); // each run's log read once, for every panel
  panels.forEach((panel, k) => {
    for (const a of agents) {
      const log = logs.get(a)!.filter((l) => Number.isFinite(l.approxKl));
      data.push({
        type: "scatter", mode: "lines", name: runLabel(a), showlegend: k === 0,
        legendgroup: a.manifest.name, ...binLine(log.map((l) => l.globalStep), log.map(panel.f)), xaxis: k ? `x${k + 1}` : "x", yaxis: k ? `y${k + 1}` : "y",
        line: { color: COLOURS[a.manifest.config.policy], dash: runDash(a, agents), width: 1.5 },
      } as Data);
    }
  });
  const axes: Record<string, object> = {};
  panels.forEach((panel, k) => {
    axes[k ? `xaxis${k + 1}` : "xaxis"] = { title: { text: "env steps" }, domain: [k / n + (k ? 0.035 : 0), (k + 1) / n - 0.035] };
    axes[k ? `yaxis${k + 1}` : "yaxis"] = { title: { text: panel.label }, anchor: k ? `x${k + 1}` : "x", ...(panel.log ? { type: "log", exponentformat: "power" } : { rangemode: "tozero" }) };
  });
  const longest = Math.max(0, ...[...logs.values()].map((log) => log.length));
  const binned = longest > CURVE_POINTS ? `<br><sub>runs of more than ${CURVE_POINTS} iterations: each point the mean of consecutive iterations (at most ${CURVE_POINTS} points per run)</sub>` : "";
  return { data, layout: { title: { text: title + binned }, height: 380, ...axes } } as Figure;
}

/** A run's legend label: policy and seed; a pilot (data/pilots) by its variant. */
export function runLabel(a: ShippedAgent): string {
  const name = a.manifest.name;
  if (name.startsWith("pilot-")) return `${policyLabel(a.manifest.config.policy)} ${name.replace(/^pilot-[a-z]+-sigma[\d.]+-seed\d+-?/, "").replace(/-/g, " ")}`.trim();
  return `${policyLabel(a.manifest.config.policy)} seed ${a.manifest.config.seed}`;
}

/**
 * One line style per seed (the colour is the policy's), so that seeds of one policy can be told apart; pilots of one
 * policy and seed (variants of a setting) get one style each, in the order given.
 */
function runDash(a: ShippedAgent, all: readonly ShippedAgent[]): string {
  const dashes = ["solid", "dot", "dash", "dashdot", "longdash"];
  if (!a.manifest.name.startsWith("pilot-")) return dashes[a.manifest.config.seed % 5];
  const same = all.filter((b) => b.manifest.config.policy === a.manifest.config.policy && b.manifest.config.seed === a.manifest.config.seed);
  return dashes[Math.max(0, same.indexOf(a)) % 5];
}

/** Moving average over the last k logged iterations (NaN where none of them has a finished episode). */
function smooth(ys: number[], k: number): number[] {
  return ys.map((_, i) => {
    const w = ys.slice(Math.max(0, i - k + 1), i + 1).filter(Number.isFinite);
    return w.length ? w.reduce((a, b) => a + b, 0) / w.length : NaN;
  });
}

/** Points per line at most in the training-curve figures (an 11 M-step run logs 5,371 iterations). */
export const CURVE_POINTS = 500;

/**
 * A line of many logged iterations as at most `maxPoints` points: the mean x and the mean of the finite ys of each run
 * of ⌈n / maxPoints⌉ consecutive points (NaN where a run has none); a line that short already is returned as it is.
 * The curves are drawn a few hundred pixels wide, so this loses nothing the eye could see, and keeps a notebook's page
 * (every run's curves, every figure) small enough to load quickly.
 */
export function binLine(xs: readonly number[], ys: readonly number[], maxPoints = CURVE_POINTS): { x: number[]; y: number[] } {
  if (xs.length !== ys.length) throw new Error(`binLine: ${xs.length} x values but ${ys.length} y values`);
  if (!(Number.isInteger(maxPoints) && maxPoints >= 1)) throw new Error(`binLine: maxPoints must be a whole number ≥ 1 (got ${maxPoints})`);
  if (xs.length <= maxPoints) return { x: [...xs], y: [...ys] };
  const size = Math.ceil(xs.length / maxPoints);
  const x: number[] = [], y: number[] = [];
  for (let start = 0; start < xs.length; start += size) {
    const bx = xs.slice(start, start + size), by = ys.slice(start, start + size).filter(Number.isFinite);
    x.push(bx.reduce((a, b) => a + b, 0) / bx.length);
    y.push(by.length ? by.reduce((a, b) => a + b, 0) / by.length : NaN);
  }
  return { x, y };
}

/**
 * The moving average's window for curves drawn on one axis: 1 % of the longest run's logged iterations, at least 10
 * (a 2 M-step run: 10 iterations of 2,048 env steps; an 11 M-step one: 54), and its text for the axis.
 */
function smoothingWindow(logs: { globalStep: number }[][]): { k: number; text: string } {
  const longest = logs.reduce((a, b) => (b.length > a.length ? b : a), [] as { globalStep: number }[]);
  const k = Math.max(10, Math.round(longest.length / 100));
  const perIteration = longest.length > 1 ? (longest[longest.length - 1].globalStep - longest[0].globalStep) / (longest.length - 1) : 0;
  const span = k * perIteration;
  return { k, text: `mean of ${k} iterations${span ? ` (${span >= 1e6 ? `${(span / 1e6).toFixed(1)} M` : `${Math.round(span / 1e3)} k`} env steps)` : ""}` };
}

/** Training curves (episodic return vs env steps, smoothed) of several agents, one line per seed. */
export function learningCurves(agents: ShippedAgent[], title: string): Figure {
  const logs = agents.map((a) => trainingLog<{ globalStep: number; episodicReturn: number }>(a));
  const window = smoothingWindow(logs);
  return {
    data: agents.map((a, i) => ({
      type: "scatter", mode: "lines", name: runLabel(a),
      ...binLine(logs[i].map((l) => l.globalStep), smooth(logs[i].map((l) => l.episodicReturn ?? NaN), window.k)),
      line: { color: COLOURS[a.manifest.config.policy], dash: runDash(a, agents) },
    } as Data)),
    layout: {
      title: { text: `${title}<br><sub>smoothed: ${window.text}</sub>` },
      xaxis: { title: { text: "env steps" } }, yaxis: { title: { text: "training return (smoothed)" } },
    },
  };
}

/**
 * Every policy's training curve on one axis of env steps, seeds pooled: per policy kind (and training σ), the mean
 * over its seeds of the smoothed training return at each logged env step that every seed reached, with a band of
 * ± one standard deviation across seeds (no band for one seed). The same PPO settings log at the same env steps.
 */
export function learningCurveBands(agents: ShippedAgent[], title: string): Figure {
  const groups = new Map<string, ShippedAgent[]>();
  for (const a of agents) {
    const key = `${a.manifest.config.policy}|${a.manifest.config.sigma}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const sigmas = new Set(agents.map((a) => a.manifest.config.sigma));
  const logs = new Map(agents.map((a) => [a, trainingLog<{ globalStep: number; episodicReturn?: number | null }>(a)]));
  const window = smoothingWindow([...logs.values()]);
  const data: Data[] = [];
  for (const [key, runs] of groups) {
    const [policy, sigma] = key.split("|");
    const curves = runs.map((a) => {
      const log = logs.get(a)!;
      const ys = smooth(log.map((l) => l.episodicReturn ?? NaN), window.k);
      return new Map(log.map((l, i) => [l.globalStep, ys[i]]));
    });
    const steps = [...curves[0].keys()].filter((x) => curves.every((c) => Number.isFinite(c.get(x))));
    const stats = steps.map((x) => {
      const ys = curves.map((c) => c.get(x)!);
      const m = ys.reduce((p, q) => p + q, 0) / ys.length;
      return { m, sd: ys.length > 1 ? Math.sqrt(ys.reduce((p, q) => p + (q - m) ** 2, 0) / (ys.length - 1)) : 0 };
    });
    const colour = COLOURS[policy as keyof typeof COLOURS];
    const name = `${policyLabel(policy)}${sigmas.size > 1 ? ` σ ${sigma}` : ""} (${runs.length} seed${runs.length > 1 ? "s" : ""})`;
    const mean = binLine(steps, stats.map((t) => t.m));
    if (runs.length > 1) {
      const sd = binLine(steps, stats.map((t) => t.sd)).y;
      data.push({
        type: "scatter", mode: "lines", x: [...mean.x, ...[...mean.x].reverse()], y: [...mean.y.map((m, i) => m + sd[i]), ...mean.y.map((m, i) => m - sd[i]).reverse()],
        fill: "toself", fillcolor: colour, opacity: 0.2, line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: key,
      } as Data);
    }
    data.push({ type: "scatter", mode: "lines", name, ...mean, line: { color: colour }, legendgroup: key } as Data);
  }
  return {
    data,
    layout: {
      // The band's meaning under the title: the axis title must fit the axis' height.
      title: { text: `${title}<br><sub>band: ± 1 std across seeds; smoothed: ${window.text}</sub>` }, showlegend: true,
      xaxis: { title: { text: "env steps" } }, yaxis: { title: { text: "training return (smoothed)" } },
    },
  };
}

export interface FlowRow {
  label: string;
  /** Boxes left to right: text, centre x in [0, 0.8], fill colour. */
  boxes: { text: string; x: number; colour: string }[];
  /** What the last arrow points at (default "action a<sub>t</sub>"). */
  output?: string;
}

/** Rows of boxes joined by arrows, one row per model or pathway, as a plotly figure (no data, shapes only). */
export function flowDiagram(rows: FlowRow[], options: { title: string; note: string; height?: number }): Figure {
  const shapes: object[] = [];
  const annotations: object[] = [];
  const step = 0.96 / rows.length;
  rows.forEach((row, r) => {
    const y = 0.97 - step * (r + 0.5);
    const half = Math.min(0.08, step * 0.35);
    annotations.push({ x: -0.02, y, text: `<b>${row.label}</b>`, showarrow: false, xanchor: "right", font: { size: 13 } });
    row.boxes.forEach((b, k) => {
      shapes.push({ type: "rect", x0: b.x - 0.1, x1: b.x + 0.1, y0: y - half, y1: y + half, fillcolor: b.colour, line: { color: "#555" } });
      annotations.push({ x: b.x, y, text: b.text, showarrow: false, font: { size: 12 } });
      const next = row.boxes[k + 1];
      annotations.push({ x: next ? next.x - 0.1 : 0.78, y, ax: b.x + 0.1, ay: y, xref: "x", yref: "y", axref: "x", ayref: "y", text: "", showarrow: true, arrowhead: 2 });
    });
    annotations.push({ x: 0.86, y, text: row.output ?? "action a<sub>t</sub>", showarrow: false, font: { size: 12 } });
  });
  annotations.push({ x: 0.4, y: 1.04, text: options.note, showarrow: false, font: { size: 12 } });
  return {
    data: [],
    layout: {
      title: { text: options.title }, height: options.height ?? 420, shapes, annotations,
      xaxis: { range: [-0.2, 0.95], visible: false, title: { text: "information flow →" } },
      yaxis: { range: [0, 1.08], visible: false, title: { text: "pathway" } },
    },
  } as Figure;
}

/** What each of notebook 03's controllers reads, and which part is trained how. */
export function adaptationDiagram(): Figure {
  return flowDiagram([
    { label: "Simple", boxes: [{ text: "x<sub>t</sub>", x: 0.1, colour: "#ddd" }, { text: "π (MLP)", x: 0.55, colour: "#9ecae1" }] },
    { label: "Oracle", boxes: [{ text: "true body e<sub>t</sub>", x: 0.1, colour: "#fdae6b" }, { text: "μ → z<sub>t</sub>", x: 0.32, colour: "#9ecae1" }, { text: "π(x<sub>t</sub>, a<sub>t−1</sub>, z<sub>t</sub>)", x: 0.55, colour: "#9ecae1" }] },
    { label: "RMA", boxes: [{ text: "history (x, a)<sub>t−49…t</sub>", x: 0.1, colour: "#ddd" }, { text: "φ → ẑ<sub>t</sub><br>(regress z, phase 2)", x: 0.32, colour: "#a1d99b" }, { text: "π frozen (from Oracle)", x: 0.55, colour: "#c6dbef" }] },
    { label: "TCN", boxes: [{ text: "history (x, a)<sub>t−49…t</sub>", x: 0.1, colour: "#ddd" }, { text: "φ → ẑ<sub>t</sub>", x: 0.32, colour: "#9ecae1" }, { text: "π(x<sub>t</sub>, a<sub>t−1</sub>, ẑ<sub>t</sub>)", x: 0.55, colour: "#9ecae1" }] },
  ], {
    title: "What each controller reads",
    note: "blue: trained by PPO (critic also sees e<sub>t</sub>) · green: trained by regression on the Oracle's z · orange: privileged",
  });
}
