/**
 * The figures of notebook 02 (Zhuang et al. 2021's comparison on notebook 01's benchmark), built here so that a
 * notebook cell shows the analysis in a line: learning curves from the shipped manifests, per-objective bars with
 * every seed shown, probe accuracy against IT predictivity, and the ranking of objectives. Each returns a plotly
 * `Figure` for `plot()` in lib/show; the numbers come from lib/vision/ssl/compare.ts.
 */
import type { Data, Figure, Layout } from "../../show/plot";
import { generateStimuli, StimulusSet } from "../stimuli";
import type { ComparisonRecord, ShippedBackbone } from "./compare";
import { seedSummary } from "./compare";
import { OBJECTIVE_NAMES, ObjectiveName, SSL_BUDGET_STUDY } from "./train";

/** Plotly's default colours, one per objective in OBJECTIVE_NAMES order, so every figure colours an objective alike. */
const PALETTE = ["#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
export function objectiveColor(objective: ObjectiveName): string {
  return PALETTE[OBJECTIVE_NAMES.indexOf(objective) % PALETTE.length];
}

/** The scores the comparison reports, with a panel title and an axis title (its unit). */
export type ScoreKey = "probe_accuracy" | "V4" | "IT" | "V4_image_only" | "IT_image_only" | "rsa_IT";
export const SCORE_TITLES: Record<ScoreKey, { panel: string; axis: string }> = {
  probe_accuracy: { panel: "linear probe (chance 0.125)", axis: "held-out accuracy" },
  V4: { panel: "V4 (simulated), best layer", axis: "ceiled r" },
  IT: { panel: "IT (simulated), best layer", axis: "ceiled r" },
  V4_image_only: { panel: "V4, image-only simulation", axis: "ceiled r" },
  IT_image_only: { panel: "IT without its identity part", axis: "ceiled r" },
  rsa_IT: { panel: "RSA with IT (simulated)", axis: "ceiled Spearman" },
};

/**
 * A title (lines separated by <br>) and the top margin its lines need, its last line 28 px above the plotting area
 * (clear of the panel titles), for a figure `height` px high with a bottom margin `bottom`.
 */
function titled(text: string, height: number, bottom = 60): Pick<Layout, "title" | "margin"> {
  const t = 48 + 24 * text.split("<br>").length;
  const area = height - t - bottom;
  return { title: { text, yref: "paper", y: 1 + 28 / area, yanchor: "bottom" }, margin: { t, b: bottom } } as Pick<Layout, "title" | "margin">;
}

/** Panel titles above the subplots of a grid. */
function panelTitles(titles: readonly string[], ref: (k: number) => { xaxis: string; yaxis: string }): Layout["annotations"] {
  return titles.map((text, k) => ({
    text: `<b>${text}</b>`, xref: `${ref(k).xaxis} domain`, yref: `${ref(k).yaxis} domain`, x: 0.5, y: 1.02,
    xanchor: "center", yanchor: "bottom", showarrow: false,
  })) as Layout["annotations"];
}

/** A few images (64 px, one per category from the first objects) to show what each objective makes of them. */
export function exampleImages(count = 3, seed = 7): StimulusSet {
  const set = generateStimuli({ seed, imagesPerObject: 1, levels: [3] });
  const picks: number[] = [];
  const seen = new Set<string>();
  set.meta.forEach((m, i) => { if (!seen.has(m.category) && picks.length < count) { seen.add(m.category); picks.push(i); } });
  const px = set.size * set.size;
  const images = new Float32Array(picks.length * px);
  picks.forEach((i, k) => images.set(set.images.subarray(i * px, (i + 1) * px), k * px));
  return { ...set, images, meta: picks.map((i, k) => ({ ...set.meta[i], index: k })) };
}

/** Subplot axes of a 1-row or multi-row grid: "x", "x2", … and their layout keys. */
function gridAxes(count: number, columns: number): { ref: (k: number) => { xaxis: string; yaxis: string }; key: (k: number) => { x: string; y: string }; rows: number } {
  return {
    rows: Math.ceil(count / columns),
    ref: (k) => ({ xaxis: k ? `x${k + 1}` : "x", yaxis: k ? `y${k + 1}` : "y" }),
    key: (k) => ({ x: k ? `xaxis${k + 1}` : "xaxis", y: k ? `yaxis${k + 1}` : "yaxis" }),
  };
}

/**
 * Learning curves from the manifests: one panel per trained objective (their losses have different units), one
 * line per seed, the mean loss of each pass over a pool against the optimizer step.
 */
export function trainingCurvesFigure(entries: readonly ShippedBackbone[], title: string): Figure {
  const objectives = OBJECTIVE_NAMES.filter((o) => entries.some((e) => e.objective === o && e.log.length > 0));
  const columns = Math.min(4, Math.max(1, objectives.length)), grid = gridAxes(objectives.length, columns);
  const data: Data[] = [], axes: Record<string, unknown> = {};
  objectives.forEach((objective, k) => {
    entries.filter((e) => e.objective === objective).forEach((e) => {
      data.push({
        type: "scatter", mode: "lines+markers", name: `${objective} seed ${e.seed}`, ...grid.ref(k),
        x: e.log.map((l) => l.step), y: e.log.map((l) => l.loss), line: { color: objectiveColor(objective), dash: e.seed % 2 ? "dot" : "solid" },
        marker: { size: 4 }, showlegend: false, hovertemplate: `${objective} seed ${e.seed}<br>step %{x}<br>loss %{y:.4f}<extra></extra>`,
      });
    });
    const key = grid.key(k);
    axes[key.x] = { title: { text: Math.floor(k / columns) === grid.rows - 1 ? "step" : "" } };
    axes[key.y] = { title: { text: k % columns === 0 ? "loss" : "" } };
  });
  const height = 260 * grid.rows + 24 * title.split("<br>").length + 110;
  return {
    data,
    layout: {
      ...titled(title, height), grid: { rows: grid.rows, columns, pattern: "independent", ygap: 0.35 }, height,
      annotations: panelTitles(objectives, grid.ref), ...axes,
    },
  };
}

/**
 * One panel per score: a bar per objective at its mean over seeds, the seed range as an error bar, and every seed
 * as a dot — the spread is the point, with two seeds per objective.
 */
export function seedBarsFigure(records: readonly ComparisonRecord[], keys: readonly ScoreKey[], title: string): Figure {
  const grid = gridAxes(keys.length, keys.length);
  const data: Data[] = [], axes: Record<string, unknown> = {};
  keys.forEach((key, k) => {
    const summary = seedSummary(records, key);
    data.push({
      type: "bar", ...grid.ref(k), x: summary.map((s) => s.objective), y: summary.map((s) => s.mean), showlegend: false,
      marker: { color: summary.map((s) => objectiveColor(s.objective)), opacity: 0.55 },
      error_y: { type: "data", symmetric: false, array: summary.map((s) => s.max - s.mean), arrayminus: summary.map((s) => s.mean - s.min), color: "#333" },
      hovertemplate: "%{x}: mean %{y:.3f}<extra></extra>",
    });
    const runs = records.filter((r) => r[key] !== null);
    data.push({
      type: "scatter", mode: "markers", ...grid.ref(k), x: runs.map((r) => r.objective), y: runs.map((r) => r[key] as number), showlegend: false,
      marker: { color: "#111", size: 6, symbol: "circle-open" }, text: runs.map((r) => `seed ${r.seed}`),
      hovertemplate: "%{x} %{text}: %{y:.3f}<extra></extra>",
    });
    const axis = grid.key(k);
    axes[axis.x] = { tickangle: -40, title: { text: "objective" } };
    axes[axis.y] = { title: { text: SCORE_TITLES[key].axis }, rangemode: "tozero" };
  });
  return {
    data,
    layout: {
      ...titled(title, 500, 120), grid: { rows: 1, columns: keys.length, pattern: "independent" }, height: 500,
      annotations: panelTitles(keys.map((key) => SCORE_TITLES[key].panel), grid.ref), ...axes,
    },
  };
}

/** Probe accuracy against IT predictivity, one point per run coloured by objective; one panel per IT variant given. */
export function probeVsItFigure(
  records: readonly ComparisonRecord[], panels: readonly { key: "IT" | "IT_image_only"; title: string }[], title: string,
): Figure {
  const grid = gridAxes(panels.length, panels.length);
  const objectives = OBJECTIVE_NAMES.filter((o) => records.some((r) => r.objective === o));
  const data: Data[] = [], axes: Record<string, unknown> = {};
  panels.forEach((panel, k) => {
    for (const objective of objectives) {
      const runs = records.filter((r) => r.objective === objective && r[panel.key] !== null);
      data.push({
        type: "scatter", mode: "markers", ...grid.ref(k), name: objective, legendgroup: objective, showlegend: k === 0,
        x: runs.map((r) => r.probe_accuracy), y: runs.map((r) => r[panel.key] as number), text: runs.map((r) => `seed ${r.seed}`),
        marker: { color: objectiveColor(objective), size: 10 }, hovertemplate: `${objective} %{text}<br>probe %{x:.3f}<br>IT %{y:.3f}<extra></extra>`,
      });
    }
    const axis = grid.key(k);
    axes[axis.x] = { title: { text: "linear-probe accuracy" } };
    axes[axis.y] = { title: { text: "ceiled r" } };
  });
  return {
    data,
    layout: { ...titled(title, 480), grid: { rows: 1, columns: panels.length, pattern: "independent" }, height: 480, annotations: panelTitles(panels.map((p) => p.title), grid.ref), ...axes },
  };
}

/**
 * Layer profiles: one line per objective, the mean over its seeds of a region's ceiled predictivity at each
 * read-out layer (layers in the order scored).
 */
export function layerProfilesFigure(records: readonly ComparisonRecord[], region: "V4" | "IT", imageOnly: boolean, title: string): Figure {
  const objectives = OBJECTIVE_NAMES.filter((o) => records.some((r) => r.objective === o));
  const layersOf = (r: ComparisonRecord) => (imageOnly ? r.layers_image_only : r.layers);
  return {
    data: objectives.flatMap((objective): Data[] => {
      const runs = records.filter((r) => r.objective === objective && layersOf(r) !== null);
      if (runs.length === 0) return [];
      const layers = (layersOf(runs[0]) ?? []).map((l) => l.layer);
      const mean = layers.map((_, i) => runs.reduce((a, r) => a + (layersOf(r) ?? [])[i][region], 0) / runs.length);
      return [{ type: "scatter", mode: "lines+markers", name: objective, x: layers, y: mean, line: { color: objectiveColor(objective) } }];
    }),
    layout: {
      ...titled(title, 420), height: 420,
      xaxis: { title: { text: "read-out layer (input → output)" } }, yaxis: { title: { text: `${region}: ceiled r, mean over seeds` } },
    },
  };
}

/**
 * The budget study: probe accuracy and IT predictivity (both simulations) against training steps, a line per
 * objective for the study's seed, an open diamond for each other seed (the spread seed at the first budget).
 */
export function budgetStudyFigure(records: readonly (ComparisonRecord & { steps: number })[], title: string): Figure {
  const keys: ScoreKey[] = ["probe_accuracy", "IT", "IT_image_only"];
  const grid = gridAxes(keys.length, keys.length);
  const data: Data[] = [], axes: Record<string, unknown> = {};
  const objectives = OBJECTIVE_NAMES.filter((o) => records.some((r) => r.objective === o));
  keys.forEach((key, k) => {
    for (const objective of objectives) {
      const mine = records.filter((r) => r.objective === objective && r[key] !== null);
      const runs = mine.filter((r) => r.seed === SSL_BUDGET_STUDY.seed).sort((a, b) => a.steps - b.steps);
      data.push({
        type: "scatter", mode: "lines+markers", ...grid.ref(k), name: `${objective} (seed ${SSL_BUDGET_STUDY.seed})`, legendgroup: objective, showlegend: k === 0,
        x: runs.map((r) => r.steps), y: runs.map((r) => r[key] as number), line: { color: objectiveColor(objective) },
        hovertemplate: `${objective}, seed ${SSL_BUDGET_STUDY.seed}, %{x} steps: %{y:.3f}<extra></extra>`,
      });
      const others = mine.filter((r) => r.seed !== SSL_BUDGET_STUDY.seed);
      if (others.length) {
        data.push({
          type: "scatter", mode: "markers", ...grid.ref(k), showlegend: false, legendgroup: objective, x: others.map((r) => r.steps), y: others.map((r) => r[key] as number),
          marker: { color: objectiveColor(objective), symbol: "diamond-open", size: 10 }, text: others.map((r) => `seed ${r.seed}`),
          hovertemplate: `${objective}, %{text}, %{x} steps: %{y:.3f}<extra></extra>`,
        });
      }
    }
    const axis = grid.key(k);
    axes[axis.x] = { type: "log", title: { text: "training steps (× 128 images)" } };
    axes[axis.y] = { title: { text: SCORE_TITLES[key].axis } };
  });
  return {
    data,
    layout: { ...titled(title, 430, 100), grid: { rows: 1, columns: keys.length, pattern: "independent" }, height: 430, annotations: panelTitles(keys.map((key) => SCORE_TITLES[key].panel), grid.ref), ...axes },
  };
}

