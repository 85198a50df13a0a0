/**
 * Plotly figures inline in tslab notebooks, with no network, that survive a save.
 *
 * Each figure is one display bundle of two forms:
 * - `application/vnd.plotly.v1+json`, the figure itself: JupyterLab's plotly renderer (shipped in plotly's
 *   Python wheel) draws it with no script, so it is drawn again when a saved or untrusted notebook is reopened;
 * - `text/html`, a <div> plus a small script that draws into it, for classic Notebook and nbconvert's HTML
 *   pages, which do not know plotly's MIME type. The minified plotly.js bundle (plotly.js-dist-min) travels
 *   once per kernel session, in the first figure's HTML. Scripts run only in trusted notebooks.
 * Outside a notebook, `plot` prints a one-line description; `figureHtml` writes a standalone page.
 */
import * as fs from "fs";
import type { Config, Data, Layout } from "plotly.js";
import { escapeHtml, inNotebook, showBundle, showHtml } from "./display";

export type { Config, Data, Layout };

export interface Figure {
  data: Data[];
  layout?: Partial<Layout>;
  config?: Partial<Config>;
  /** Animation frames (plotly's `frames`): each replaces the data of the traces it names. */
  frames?: { name: string; data: Data[]; traces?: number[] }[];
}

/** Shared look for every figure in the kit: white background, readable fonts, room for axis titles. */
const BASE_LAYOUT: Partial<Layout> = {
  template: undefined,
  paper_bgcolor: "white",
  plot_bgcolor: "white",
  font: { family: "Helvetica, Arial, sans-serif", size: 13 },
  margin: { l: 70, r: 30, t: 50, b: 60 },
  height: 380,
};
const AXIS_STYLE = { showline: true, linecolor: "#444", gridcolor: "#e5e5e5", zeroline: false, ticks: "outside" as const };

/** Plotly's own MIME type: the figure as JSON (data, layout, config, frames). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let bundleSentInThisKernel = false;
let figureCounter = 0;

function plotlyBundle(): string {
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  // A literal "</script" inside the bundle would close our tag early.
  return fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
}

/** The <script> that defines window.Plotly. Sent automatically before the first figure of a kernel session. */
export function plotlyBundleHtml(): string {
  return `<script type="text/javascript">/* kit: plotly.js-dist-min bundle */\n${plotlyBundle()}\n</script>`;
}

/**
 * Send the plotly bundle again (e.g. after clearing the output of the first figure, or reopening the
 * page while the kernel still runs).
 */
export function reloadPlotly(): void {
  bundleSentInThisKernel = false;
  showHtml(plotlyBundleHtml(), "(plotly bundle: only needed inside a notebook)");
  bundleSentInThisKernel = true;
}

function cartesianAxesUntitled(fig: Figure): string[] {
  const is3dOrPolar = fig.data.some((d) => {
    const t = (d as { type?: string }).type;
    return t === "scatter3d" || t === "surface" || t === "mesh3d" || t === "pie" || t === "scatterpolar" || t === "table";
  });
  if (is3dOrPolar) return [];
  const layout = (fig.layout ?? {}) as Record<string, unknown>;
  const missing: string[] = [];
  // A grid of panels passes when some axis of each letter carries a title (the bottom row's x, the left column's
  // y); an axis drawn invisible (an image's) needs none.
  for (const letter of ["x", "y"]) {
    const axes = Object.keys(layout).filter((k) => new RegExp(`^${letter}axis\\d*$`).test(k)).map((k) => layout[k] as { title?: unknown; visible?: boolean });
    const titled = axes.some((a) => {
      const title = a?.title;
      const text = typeof title === "string" ? title : (title as { text?: string } | undefined)?.text;
      return Boolean(text) || a?.visible === false;
    });
    if (!titled) missing.push(`${letter}axis`);
  }
  return missing;
}

function withDefaults(fig: Figure): Figure {
  const layout = { ...BASE_LAYOUT, ...fig.layout } as Partial<Layout> & Record<string, unknown>;
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(key)) layout[key] = { ...AXIS_STYLE, ...(layout[key] as object) };
  }
  if (!layout.xaxis) layout.xaxis = { ...AXIS_STYLE };
  if (!layout.yaxis) layout.yaxis = { ...AXIS_STYLE };
  return { data: fig.data, layout, config: { responsive: true, displaylogo: false, ...fig.config }, frames: fig.frames };
}

/** The HTML fragment (div + drawing script) of one figure; assumes window.Plotly exists or will soon. */
export function figureFragment(fig: Figure): string {
  return fragmentOf(withDefaults(fig));
}

function fragmentOf(full: Figure): string {
  const id = `kit-fig-${process.pid}-${++figureCounter}-${Date.now().toString(36)}`;
  const json = JSON.stringify(full).replace(/<\//g, "<\\/");
  const height = Number(full.layout?.height ?? 380);
  return (
    `<div id="${id}" class="kit-figure" style="width:100%;min-height:${height}px"></div>\n` +
    `<script type="text/javascript">(function(){\n` +
    `  var fig = ${json};\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  var tries = 0;\n` +
    `  function draw(){\n` +
    `    if (window.Plotly) { window.Plotly.newPlot(el, fig); return; }\n` +
    `    if (++tries < 100) { setTimeout(draw, 50); return; }\n` +
    `    el.innerHTML = '<p style="color:#a00">The plotly bundle is not loaded in this page: run <code>reloadPlotly()</code> ' +\n` +
    `      'from lib/show, or re-run the notebook from the top.</p>';\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`
  );
}

/** A standalone HTML page with the bundle and the figures, for scripts that save figures to out/. */
export function figureHtml(figs: Figure[], title = "figures"): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n` +
    `${plotlyBundleHtml()}\n${figs.map(figureFragment).join("\n")}\n</body></html>\n`
  );
}

function describe(fig: Figure): string {
  const t = fig.layout?.title;
  const title = typeof t === "string" ? t : (t as { text?: string } | undefined)?.text ?? "untitled";
  return `[figure: ${title}; ${fig.data.length} trace(s)]`;
}

/**
 * Show a figure inline. `plot([trace, …], layout)` or `plot({data, layout})`.
 * Axes of 2-D figures should carry titles with units; a figure without them gets a warning.
 */
export function plot(dataOrFigure: Data[] | Figure, layout?: Partial<Layout>): void {
  const fig: Figure = Array.isArray(dataOrFigure) ? { data: dataOrFigure, layout } : dataOrFigure;
  const untitled = cartesianAxesUntitled(fig);
  if (untitled.length) console.warn(`plot: ${describe(fig)} has no title on ${untitled.join(" and ")}; label axes with units.`);
  if (!inNotebook()) {
    console.log(describe(fig));
    return;
  }
  const full = withDefaults(fig);
  const bundle = bundleSentInThisKernel ? "" : plotlyBundleHtml() + "\n";
  bundleSentInThisKernel = true;
  showBundle({ [PLOTLY_MIME]: full, "text/html": bundle + fragmentOf(full) }, describe(fig));
}
