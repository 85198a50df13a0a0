/**
 * The course as one static website (`npm run site` → out/site/), as instructors publish notebooks today (Jupyter
 * Book, nbconvert sites): an index of the notebooks in course order — each with its question and a one-line summary
 * computed from its results file (out/results/<notebook>.json) — every executed notebook as a page, the playground
 * when it has been built, and every asset the pages load inside the folder: MathJax 2 and require.js from npm
 * (nbconvert's page template asks for both), plotly inside each page. Nothing is loaded from file:// or from another
 * host, so the folder works from any static web host and offline. `serveFolder` serves it on a free loopback port.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { findJupyter, PROJECT_ROOT } from "./jupyter";
import { selectNotebooks } from "./runner";

/** The course's notebooks and the question each asks (the README's table says the same). */
export const COURSE: readonly { name: string; question: string }[] = [
  { name: "00-welcome", question: "Does the kit run here? A network trained live, plots, tables, an exercise." },
  { name: "01-ventral-stream", question: "Do task-trained CNNs predict V4 and IT responses? (Yamins et al. 2014; Brain-Score)" },
  { name: "02-ssl-comparison", question: "Which self-supervised objectives give brain-like representations? (Zhuang et al. 2021)" },
  { name: "03-ant-adaptation", question: "An ant learning to walk with a changing body: can a controller adapt to it? Simple, Oracle, RMA, TCN; the ant odometer" },
  { name: "04-dmap", question: "Distributed morphological attention (DMAP): how does it compare, and what does its attention do?" },
];

type Results = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const claimCount = (claims: { verdict?: string }[] | undefined, whose: string, budget?: number) => {
  if (!Array.isArray(claims) || !claims.length) return null;
  const tested = claims.filter((c) => c.verdict === "holds" || c.verdict === "does not hold");
  const at = Number.isFinite(budget) ? ` at ${(budget! / 1e6).toFixed(0)} M env steps` : "";
  const untested = claims.length - tested.length;
  return tested.length ? `${whose} claims on our Ant${at}: ${tested.filter((c) => c.verdict === "holds").length} of ${tested.length} hold${untested ? ` (${untested} not tested yet)` : ""}`
    : `${whose} claims on our Ant: not tested yet${at} (those policies are still training)`;
};

/** One line per notebook from its results file; null where the file lacks what the line needs. */
export const SUMMARIES: Record<string, (r: Results) => string | null> = {
  "00-welcome": (r) => (Number.isFinite(r.test_accuracy) ? `A network trained live on ${r.backend}: test accuracy ${pct(r.test_accuracy)} after ${r.epochs} epochs.` : null),
  "01-ventral-stream": (r) => {
    const s = r.performance_vs_IT;
    if (!s || !r.best_model) return null;
    return `Simulated neurons: across ${s.n_models} networks, categorisation predicts IT predictivity (r = ${Number(s.pearson_r).toFixed(2)}); ` +
      `the best network, ${r.best_model.name}, fits V4 best at ${r.best_model.best_layer.V4} and IT at ${r.best_model.best_layer.IT}.`;
  },
  "02-ssl-comparison": (r) => (Array.isArray(r.ranking_IT) && r.ranking_IT.length
    ? `Simulated neurons: on IT, ${r.ranking_IT.slice(0, 3).join(" > ")} lead the ${r.ranking_IT.length} backbones (mean over seeds).` : null),
  "03-ant-adaptation": (r) => {
    const c = claimCount(r.claims, "RMA's", r.budget_env_steps);
    const stilts = (r.odometer?.conditions ?? []).find((x: { condition?: string }) => /stilts/.test(x.condition ?? ""));
    const ratio = stilts?.["search distance / nest distance"];
    return c ? `${c}.` + (Number.isFinite(ratio) ? ` On stilts the step-counting odometer overshoots the nest by ${pct(ratio - 1)} (desert ants: about 50 %).` : "") : null;
  },
  "04-dmap": (r) => {
    const c = claimCount(r.claims, "DMAP's", r.budget_env_steps);
    const a = r.ablation;
    return c ? `${c}.` + (a && Number.isFinite(a.cost_paired) ? ` Without its attention pathway (DMAP-ne) it loses ${a.cost_paired.toFixed(0)} ± ${a.cost_paired_sem.toFixed(0)} (σ ${a.sigma}, ${a.n} bodies).` : "") : null;
  },
};

export interface SitePage {
  name: string;
  title: string;
  question: string;
  summary: string | null;
  /** The page, relative to the site's root. */
  href: string;
  /** Figures the executed notebook holds (outputs with plotly's MIME type). */
  figures: number;
  /** Math spans in its Markdown ($…$, $$…$$), which the page must typeset. */
  mathSpans: number;
}

export interface SiteOptions {
  /** Where the executed notebooks are (default out/notebooks). */
  executedDir?: string;
  /** Where the results files are (default out/results). */
  resultsDir?: string;
  /** The site folder (default out/site); written anew. */
  outDir?: string;
  /** A built playground to include (default out/playground, when it has an index.html). */
  playgroundDir?: string;
  /** The notebooks, in order (default every notebook in notebooks/). */
  notebooks?: string[];
}

export interface Site {
  dir: string;
  index: string;
  pages: SitePage[];
  playground: string | null;
}

/** The parts of MathJax 2 the pages use (TeX input, CommonHTML output with its web fonts, the Safe extension). */
const MATHJAX_PARTS = ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions", "jax/input/TeX", "jax/output/CommonHTML",
  "jax/element", "localization/en", "fonts/HTML-CSS/TeX/woff"];
export const MATHJAX_URL = "assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe";
export const REQUIRE_JS_URL = "assets/require.js";

/** Math spans in a notebook's Markdown cells. */
export function countMath(markdown: string): number {
  return (markdown.match(/\$\$[\s\S]+?\$\$|\$[^$\n]+\$/g) ?? []).length;
}

/** Build the site from executed notebooks; an executed notebook that is missing is an error that says how to make it. */
export function buildSite(options: SiteOptions = {}): Site {
  const executedDir = options.executedDir ?? path.join(PROJECT_ROOT, "out", "notebooks");
  const resultsDir = options.resultsDir ?? path.join(PROJECT_ROOT, "out", "results");
  const dir = options.outDir ?? path.join(PROJECT_ROOT, "out", "site");
  const sources = options.notebooks ?? selectNotebooks([]);
  const executed = sources.map((s) => path.join(executedDir, path.basename(s)));
  const missing = executed.filter((e) => !fs.existsSync(e));
  if (missing.length) {
    throw new Error(`the site is made of executed notebooks, and ${missing.map((m) => path.basename(m)).join(", ")} ${missing.length > 1 ? "are" : "is"} not in ${executedDir}: ` +
      `run npm run notebooks (or npm run site, which runs the missing ones) first`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "assets"), { recursive: true });
  copyAssets(path.join(dir, "assets"));

  const pages: SitePage[] = executed.map((file) => {
    const name = path.basename(file, ".ipynb");
    const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[]; outputs?: { data?: Record<string, unknown> }[] }[] };
    const text = (c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join("") : c.source);
    const markdown = nb.cells.filter((c) => c.cell_type === "markdown").map(text);
    const heading = markdown.map((m) => m.match(/^#\s+(.+)$/m)?.[1]).find(Boolean) ?? name;
    const resultsFile = path.join(resultsDir, `${name}.json`);
    const results = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, "utf8")) as Results) : null;
    let summary: string | null = null;
    try {
      summary = results && SUMMARIES[name] ? SUMMARIES[name](results) : null;
    } catch {
      summary = null; // a results file of an older layout: the index says so rather than failing
    }
    return {
      name, title: heading.replace(/[*_`]/g, ""), question: COURSE.find((c) => c.name === name)?.question ?? "", summary, href: `${name}.html`,
      figures: nb.cells.reduce((n, c) => n + (c.outputs ?? []).filter((o) => o.data && "application/vnd.plotly.v1+json" in o.data).length, 0),
      mathSpans: markdown.reduce((n, m) => n + countMath(m), 0),
    };
  });
  exportPages(executed.map((e, i) => [e, path.join(dir, pages[i].href)]));

  const playgroundSource = options.playgroundDir ?? path.join(PROJECT_ROOT, "out", "playground");
  let playground: string | null = null;
  if (fs.existsSync(path.join(playgroundSource, "index.html"))) {
    fs.cpSync(playgroundSource, path.join(dir, "playground"), { recursive: true });
    playground = "playground/index.html";
  }
  const index = path.join(dir, "index.html");
  fs.writeFileSync(index, indexHtml(pages, playground));
  return { dir, index, pages, playground };
}

function copyAssets(assets: string): void {
  const mathjax = path.dirname(require.resolve("mathjax/package.json"));
  for (const part of MATHJAX_PARTS) fs.cpSync(path.join(mathjax, part), path.join(assets, "mathjax", part), { recursive: true });
  fs.copyFileSync(require.resolve("requirejs/require.js"), path.join(assets, "require.js"));
}

/** nbconvert's page export of executed notebooks, with require.js and MathJax at the site's own relative URLs. */
function exportPages(pairs: [string, string][]): void {
  const { python } = findJupyter();
  const script = path.join(__dirname, "execute_notebook.py");
  const out = spawnSync(python, [script, "--export", JSON.stringify(pairs), MATHJAX_URL, REQUIRE_JS_URL], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`exporting the pages failed (${python} ${path.basename(script)} --export): ${(out.stderr || out.error?.message || "").trim().split("\n").slice(-3).join(" ")}`);
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function indexHtml(pages: SitePage[], playground: string | null): string {
  const items = pages.map((p) => `
    <li class="notebook">
      <a href="${escapeHtml(p.href)}"><span class="title">${escapeHtml(p.title)}</span></a>
      ${p.question ? `<p class="question">${escapeHtml(p.question)}</p>` : ""}
      <p class="summary">${p.summary ? escapeHtml(p.summary) : "<em>No results file yet: the summary appears once the notebook has run to its end.</em>"}</p>
    </li>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Task-driven neuroscience: the course</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
  h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
  .lead { color: #555; margin-top: 0; }
  ol { padding-left: 0; list-style: none; counter-reset: nb; }
  li.notebook { border: 1px solid #ddd; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
  li.notebook .title { font-size: 1.15rem; font-weight: 600; }
  a { color: #1f5fa8; text-decoration: none; } a:hover { text-decoration: underline; }
  .question { margin: 0.3rem 0; }
  .summary { margin: 0.3rem 0 0; color: #444; font-size: 0.95rem; }
  .playground { background: #f3f7fc; border-color: #b9cfe8; }
  footer { color: #777; font-size: 0.85rem; margin-top: 2rem; }
</style>
</head>
<body>
<h1>Task-driven neuroscience</h1>
<p class="lead">Jupyter notebooks, one per lecture segment, executed end to end; each summary line below is computed from the notebook's own results file.</p>
<ol>${items}
${playground ? `
    <li class="notebook playground">
      <a href="${escapeHtml(playground)}"><span class="title">The ant playground</span></a>
      <p class="question">Change the ant's body with sliders and watch each policy adapt, live in the browser.</p>
    </li>` : ""}
</ol>
<footer>Built ${new Date().toISOString().slice(0, 10)} by <code>npm run site</code>. Every page works offline: its scripts and fonts are in this folder.</footer>
</body>
</html>
`;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".woff": "font/woff", ".woff2": "font/woff2", ".png": "image/png", ".svg": "image/svg+xml", ".wasm": "application/wasm",
  ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
};

/** Serve a folder over http on 127.0.0.1 (port 0: a free one); resolves with its URL and a close(). */
export function serveFolder(dir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end("forbidden"); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${url.pathname}`); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
