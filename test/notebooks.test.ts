/**
 * Every notebook in notebooks/ executes headless with real Jupyter (lecture mode) and its exported page
 * renders every figure in headless Chromium with no page error; the runner reports failures precisely;
 * notebooks are committed clean.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPage } from "../lib/notebooks/browser";
import { findJupyter, PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { describeFailure, NotebookRun, runNotebooks, selectNotebooks } from "../lib/notebooks/runner";
import { buildSite, serveFolder } from "../lib/notebooks/site";
import { buildPlayground } from "../lib/playground/build";
import { tempDir } from "./fixtures/temp-dir";

const notebooks = selectNotebooks([]);
const TSX = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");

describe("notebooks are committed without outputs", () => {
  it.each(notebooks.map((n) => [path.basename(n), n]))("%s", (_, file) => {
    const nb = JSON.parse(fs.readFileSync(file, "utf8"));
    const dirty = nb.cells.filter((c: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }) =>
      c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null));
    expect(dirty.length, "run `npm run clean-notebooks` before committing").toBe(0);
    expect(nb.metadata.kernelspec.name).toBe("tslab-kit");
  });
});

/** Every notebook in lecture mode, and the welcome notebook on wasm, two kernels at a time, longest first. */
let runs: Promise<Map<string, NotebookRun>> | undefined;
const lectureRuns = (): Promise<Map<string, NotebookRun>> =>
  (runs ??= runNotebooks([...[...notebooks].reverse(), { notebook: notebooks[0], options: { backend: "wasm", outDir: tempDir("kit-wasm-") } }],
    { mode: "lecture", jobs: 2 }).then((done) => new Map(done.map((r, k) => [k === notebooks.length ? "wasm" : r.name, r]))));

/**
 * How long a page may take to load and draw. A correctness check, not a speed test: headless Chromium draws plotly
 * without a GPU, and notebook 03's 20 figures took 12.6 s to load on an idle 2-core VM and 23 s beside a training.
 */
const PAGE_MS = 60_000;

describe("every notebook runs headless and its page renders", () => {
  beforeAll(lectureRuns, 1_500_000);

  it.each(notebooks.map((n) => [path.basename(n, ".ipynb"), n]))("%s", async (name) => {
    const run = (await lectureRuns()).get(name)!;
    expect(run.ok, describeFailure(run)).toBe(true);
    const page = await checkPage(run.html, path.join(PROJECT_ROOT, "out", "screenshots", `${name}.png`), PAGE_MS);
    expect(page.errors).toEqual([]);
    expect(page.figures).toBeGreaterThan(0);
    expect(page.rendered).toBe(page.figures);
  }, 3 * PAGE_MS);
});

describe("the course website (npm run site)", () => {
  it("serves the index and every executed notebook over http: figures drawn, math typeset, nothing from another host", async () => {
    const playground = await buildPlayground({ quiet: true });
    const site = buildSite({ outDir: path.join(PROJECT_ROOT, "out", "site"), playgroundDir: playground.dir });
    expect(site.playground).toBe("playground/index.html");
    expect(site.pages.map((p) => p.name)).toEqual(notebooks.map((n) => path.basename(n, ".ipynb")));
    const server = await serveFolder(site.dir);
    try {
      const index = await checkPage(server.url, path.join(PROJECT_ROOT, "out", "screenshots", "site-index.png"));
      expect(index.errors).toEqual([]);
      expect(index.offHost).toEqual([]);
      const html = fs.readFileSync(site.index, "utf8");
      for (const p of site.pages) expect(html).toContain(`href="${p.href}"`);
      expect(html).toContain('href="playground/index.html"');
      // Every notebook that ran to its end wrote a results file, so every page has its computed summary line.
      expect(site.pages.filter((p) => !p.summary).map((p) => p.name)).toEqual([]);
      expect(site.pages.reduce((n, p) => n + p.mathSpans, 0)).toBeGreaterThan(0);
      for (const p of site.pages) {
        const page = await checkPage(server.url + p.href, path.join(PROJECT_ROOT, "out", "screenshots", `site-${p.name}.png`), PAGE_MS, p.mathSpans);
        expect(page.errors, p.name).toEqual([]);
        expect(page.offHost, p.name).toEqual([]);
        expect(page.figures, p.name).toBe(p.figures);
        expect(page.rendered, p.name).toBe(p.figures);
        expect(page.math.raw, p.name).toBe(0);
        expect(page.math.typeset, p.name).toBeGreaterThanOrEqual(p.mathSpans);
      }
    } finally {
      await server.close();
    }
  }, 600_000);

  it("says how to make a missing executed notebook", () => {
    const empty = tempDir("kit-site-");
    expect(() => buildSite({ executedDir: empty, outDir: path.join(empty, "site") })).toThrow(/00-welcome.ipynb.*not in .*run npm run notebooks/);
  });
});

describe("the wasm fallback", () => {
  it("runs the welcome notebook with TFJS_BACKEND=wasm and says so", async () => {
    const run = (await lectureRuns()).get("wasm")!;
    expect(run.ok, describeFailure(run)).toBe(true);
    const executed = fs.readFileSync(run.ipynb, "utf8");
    // The notebook's first table names the backend it computed on.
    expect(executed).toMatch(/Results \(backend: wasm\)/);
    fs.rmSync(path.dirname(path.dirname(run.ipynb)), { recursive: true, force: true });
  }, 1_500_000);
});

describe("the runner", () => {
  it("exits non-zero on a failing cell, naming the notebook, the cell and the real error; --jobs 2 runs another beside it", () => {
    const fixture = (name: string) => path.join(PROJECT_ROOT, "test", "fixtures", name);
    const out = spawnSync(process.execPath, [TSX, "scripts/run-notebooks.ts", fixture("failing.ipynb"), fixture("passing.ipynb"), "--jobs", "2"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain("failing FAILED in cell 3");
    expect(out.stdout).toContain("RangeError: deliberate failure: gain must be positive, got -1");
    expect(out.stdout).not.toContain("this cell must never run\n");
    // The summary lists both in the order given: the failure did not stop the notebook beside it.
    expect(out.stdout).toMatch(/failing\s+failed \(cell 3\)[\s\S]*passing\s+ok/);
  }, 120_000);

  it("refuses a pool that would write one file twice, and a jobs count that is not a positive integer", async () => {
    const nb = selectNotebooks(["00"])[0];
    await expect(runNotebooks([nb, nb])).rejects.toThrow(/two notebooks would write .*00-welcome.ipynb/);
    await expect(runNotebooks([nb], { jobs: 0 })).rejects.toThrow(/jobs must be a positive integer, got 0/);
    const cli = spawnSync(process.execPath, [TSX, "scripts/run-notebooks.ts", "00", "--jobs", "two"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("--jobs needs a positive whole number, got two");
  });

  it("says how to install Jupyter when it is missing", () => {
    const empty = tempDir("no-jupyter-");
    // Neither the project's venv (KIT_VENV) nor anything on PATH.
    expect(() => findJupyter({ PATH: empty, KIT_VENV: empty })).toThrow(/Jupyter was not found[\s\S]*apt-get install[\s\S]*pip install jupyterlab/);
    const out = spawnSync(process.execPath, [TSX, "scripts/run-notebooks.ts", "00"], {
      cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, PATH: empty, KIT_VENV: empty },
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("Jupyter was not found");
  }, 60_000);

  it("names the available notebooks when a name matches none", () => {
    expect(() => selectNotebooks(["99-nothing"])).toThrow(/matches no notebook.*Available: 00-welcome/);
  });
});
