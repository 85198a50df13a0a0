/**
 * The figures of notebook 01 (ventral stream fit), built here so that a notebook cell shows the analysis in a
 * few lines and the plotting stays out of the story (as Neuromatch's tutorials keep their plotting helpers out
 * of the cells). Each function returns a plotly `Figure` for `plot()` in lib/show; none computes a score except
 * the RDM panels' Spearman correlation, which is the library's `rdmCorrelation`.
 */
import type { Data, Figure, Layout } from "../show/plot";
import { Rdm, rdmCorrelation } from "./metrics";

/** One named series of values, e.g. one brain area. */
export interface NamedValues {
  name: string;
  values: ArrayLike<number>;
}

/** Overlaid histograms of per-site reliabilities (one per area). */
export function reliabilityFigure(areas: readonly NamedValues[], title = "Reliability of each simulated site"): Figure {
  return {
    data: areas.map((a) => ({ type: "histogram", name: a.name, x: Array.from(a.values), opacity: 0.6, nbinsx: 30 })),
    layout: {
      title: { text: title }, barmode: "overlay",
      xaxis: { title: { text: "split-half reliability (Spearman–Brown corrected r)" } }, yaxis: { title: { text: "sites" } },
    },
  };
}

/** A score per layer, one line per area, with error bars (e.g. ceiled predictivity ± SEM over splits). */
export function layerProfileFigure(
  layers: readonly string[], areas: readonly (NamedValues & { errors: ArrayLike<number> })[],
  options: { title: string; yTitle: string },
): Figure {
  return {
    data: areas.map((a) => ({
      type: "scatter", mode: "lines+markers", name: a.name, x: layers.slice(), y: Array.from(a.values),
      error_y: { type: "data", array: Array.from(a.errors) },
    })),
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: "layer (input → output)" } },
      yaxis: { title: { text: options.yTitle }, rangemode: "tozero" },
    },
  };
}

/** Example sites side by side: each point a held-out image, its measured response against the prediction. */
export function predictedVsMeasuredFigure(
  sites: readonly { name: string; predicted: number[]; measured: number[] }[], title: string,
): Figure {
  const axes: Partial<Layout> = {};
  sites.forEach((_, k) => {
    const suffix = k ? String(k + 1) : "";
    Object.assign(axes, {
      [`xaxis${suffix}`]: { title: { text: "predicted (spikes / trial)" } },
      [`yaxis${suffix}`]: { title: { text: k ? "measured, simulated" : "measured, simulated (spikes / trial)" } },
    });
  });
  return {
    data: sites.map((s, k) => ({
      type: "scatter", mode: "markers", xaxis: k ? `x${k + 1}` : "x", yaxis: k ? `y${k + 1}` : "y",
      name: s.name, x: s.predicted, y: s.measured, marker: { size: 5 },
    })),
    layout: { title: { text: title }, grid: { rows: 1, columns: sites.length, pattern: "independent" }, height: 360, ...axes },
  };
}

/** One point per model, one colour per group, labelled with the model's architecture. */
export function modelScatterFigure(
  models: readonly { group: string; label: string; x: number; y: number }[],
  options: { title: string; xTitle: string; yTitle: string },
): Figure {
  const groups = Array.from(new Set(models.map((m) => m.group)));
  return {
    data: groups.map((g): Data => {
      const members = models.filter((m) => m.group === g);
      return {
        type: "scatter", mode: "text+markers", name: g, x: members.map((m) => m.x), y: members.map((m) => m.y),
        text: members.map((m) => m.label), textposition: "top center", marker: { size: 10 },
      };
    }),
    layout: {
      title: { text: options.title }, height: 460,
      xaxis: { title: { text: options.xTitle } }, yaxis: { title: { text: options.yTitle } },
    },
  };
}

/**
 * RDMs side by side as heatmaps. Raw responses share a large common profile (baselines), so 1 − r spans a narrow
 * range that differs per panel: each panel gets its own colour range (off-diagonal minimum to maximum), given
 * under its title with the Spearman correlation of its upper triangle with the first panel's (`rdmCorrelation`).
 */
export function rdmPanelsFigure(panels: readonly { title: string; rdm: Rdm }[], options: { title: string; axisTitle: string }): Figure {
  const n = panels.length;
  const ranges = panels.map(({ rdm }) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < rdm.size; i++) {
      for (let j = 0; j < rdm.size; j++) {
        if (i === j) continue;
        lo = Math.min(lo, rdm.values[i * rdm.size + j]);
        hi = Math.max(hi, rdm.values[i * rdm.size + j]);
      }
    }
    return [lo, hi];
  });
  const axes: Record<string, unknown> = {};
  panels.forEach((_, k) => {
    const suffix = k ? String(k + 1) : "";
    axes[`xaxis${suffix}`] = { showticklabels: false, title: { text: options.axisTitle } };
    axes[`yaxis${suffix}`] = { showticklabels: false, autorange: "reversed", title: { text: k ? "" : options.axisTitle } };
  });
  return {
    data: panels.map(({ rdm }, k) => ({
      type: "heatmap", colorscale: "Viridis", showscale: false, zmin: ranges[k][0], zmax: ranges[k][1],
      xaxis: k ? `x${k + 1}` : "x", yaxis: k ? `y${k + 1}` : "y",
      z: Array.from({ length: rdm.size }, (_, i) => Array.from(rdm.values.subarray(i * rdm.size, (i + 1) * rdm.size))),
    })),
    layout: {
      title: { text: options.title, y: 0.97 },
      grid: { rows: 1, columns: n, pattern: "independent" }, height: 430, margin: { t: 120 },
      annotations: panels.map((p, k) => ({
        text: `${p.title}<br>1 − r: ${ranges[k][0].toFixed(2)} (dark) – ${ranges[k][1].toFixed(2)}` +
          (k === 0 ? "" : `<br>Spearman with ${panels[0].title}: ${rdmCorrelation(p.rdm, panels[0].rdm).toFixed(2)}`),
        xref: "paper", yref: "paper", x: (k + 0.5) / n, y: 1.01, yanchor: "bottom", showarrow: false,
      })),
      ...axes,
    },
  };
}
