/**
 * JupyterLab used as a person does: a real JupyterLab (the project's .venv) on a free loopback port with a token,
 * driven through its UI in headless Chromium (Debian's, via playwright-core).
 * - 00-welcome run through the Run menu: every figure drawn by JupyterLab's plotly renderer, progress updated in
 *   place, no cell with an error;
 * - the same notebook executed headless (the `npm run notebooks` runner) and reopened, never trusted: every
 *   figure drawn again, as many as in the live run;
 * - an ant animation plays; a progress bar updates in place;
 * - homework: a student copy, a correct answer typed into the exercise cell says "passed", a wrong one the
 *   checker's message.
 * The Lab serves copies in a temporary folder (autosave never touches notebooks/); server and kernels are
 * stopped at the end, also when a test fails. Screenshots go to out/screenshots/lab-*.png.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "../lib/notebooks/browser";
import { LabServer, PROJECT_ROOT, startJupyterLab } from "../lib/notebooks/jupyter";
import { describeFailure, NotebookRun, runNotebook } from "../lib/notebooks/runner";
import { PLOTLY_MIME } from "../lib/show/plot";

const TSX = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const SCREENSHOTS = path.join(PROJECT_ROOT, "out", "screenshots");
const WELCOME = path.join(PROJECT_ROOT, "notebooks", "00-welcome.ipynb");

/**
 * Screenshots go to a temporary folder while kernels run and to out/screenshots at the end: tslab's compiler
 * watches folders of the project and fails the next cell when files appear in them mid-session.
 */
const shots = {
  dir: fs.mkdtempSync(path.join(os.tmpdir(), "kit-lab-shots-")),
  path: (name: string) => path.join(shots.dir, `lab-${name}.png`),
  publish(): void {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    for (const f of fs.readdirSync(shots.dir)) fs.copyFileSync(path.join(shots.dir, f), path.join(SCREENSHOTS, f));
    fs.rmSync(shots.dir, { recursive: true, force: true });
  },
};

/** A notebook of the kit's kernel from cell sources. */
function notebook(cells: string[]): object {
  return {
    cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "tslab-kit", display_name: "TypeScript (tslab)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const ANIMATION = notebook([
  `import { progress } from "./lib/show";
const bar = progress("counting", 30, "steps", 0);
for (let i = 1; i <= 30; i++) { await new Promise((r) => setTimeout(r, 100)); bar.update(i, { i }); }
bar.finish();`,
  `import { plot } from "./lib/show";
import { recordEpisode } from "./lib/rl/env/pose";
import { episodeAnimation } from "./lib/rl/figures/render";
import { NOMINAL } from "./lib/rl/env/morphology";
let t = 0;
const swing = () => { t++; return Float32Array.from({ length: 8 }, (_, j) => Math.sin(t / 4 + j)); };
plot(episodeAnimation(await recordEpisode(swing, NOMINAL, 60, 0, 3), "A swinging ant"));`,
]);

interface NotebookState {
  /** Outputs JupyterLab's plotly renderer holds, and those in which plotly drew its SVG. */
  plotly: number;
  drawn: number;
  /** Figures drawn by the kit's HTML fallback instead (0 when the plotly renderer is used). */
  htmlFigures: number;
  /** Input prompts of the code cells, e.g. "[3]:", "[*]:", "[ ]:". */
  prompts: string[];
  kernel: string;
  /** Text of error outputs and of stderr outputs. */
  errors: string[];
  stderr: string[];
}

async function state(page: Page): Promise<NotebookState> {
  return page.evaluate(() => {
    const nb = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)")!;
    const plotly = Array.from(nb.querySelectorAll(".jp-RenderedPlotly"));
    const texts = (mime: string) => Array.from(nb.querySelectorAll(`.jp-OutputArea-output[data-mime-type="${mime}"]`)).map((e) => e.textContent ?? "");
    return {
      plotly: plotly.length,
      drawn: plotly.filter((e) => e.querySelector(".main-svg")).length,
      htmlFigures: nb.querySelectorAll(".kit-figure").length,
      prompts: Array.from(nb.querySelectorAll(".jp-CodeCell .jp-InputPrompt")).map((e) => (e.textContent ?? "").trim()),
      kernel: nb.querySelector(".jp-Notebook-ExecutionIndicator")?.getAttribute("data-status") ?? "",
      errors: texts("application/vnd.jupyter.error"),
      stderr: texts("application/vnd.jupyter.stderr"),
    };
  });
}

async function waitFor(page: Page, what: string, ok: (s: NotebookState) => boolean, timeoutMs: number): Promise<NotebookState> {
  const deadline = Date.now() + timeoutMs;
  let s = await state(page);
  while (!ok(s)) {
    if (Date.now() > deadline) {
      await page.screenshot({ path: shots.path("timeout") });
      throw new Error(`timed out waiting for ${what} (screenshot out/screenshots/lab-timeout.png): ${JSON.stringify(s)}`);
    }
    await page.waitForTimeout(250);
    s = await state(page);
  }
  return s;
}

const allExecuted = (s: NotebookState) => s.kernel === "idle" && s.prompts.length > 0 && s.prompts.every((p) => /^\[\d+\]:$/.test(p));

/** Run → Run All Cells, through the menu bar. */
async function runAll(page: Page): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
}

/** Count plotly figures in a saved notebook. */
function plotlyOutputs(file: string): number {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data).length;
}

describe("JupyterLab, used as a person does", () => {
  let root = "";
  let lab: LabServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let liveFigures = -1;
  /** The welcome notebook executed headless (as `npm run notebooks` does), beside the Lab's own run of it. */
  let headless: Promise<NotebookRun>;

  /** Open one notebook in a workspace of its own (no tabs restored from earlier tests), after stopping their kernels. */
  // A kernel start (tslab and native TensorFlow) took over 60 s on a loaded 2-core machine: allow three minutes.
  async function open(file: string, kernelTimeoutMs = 180_000): Promise<void> {
    await page.goto("about:blank");
    await lab!.shutdownKernels();
    const workspace = file.replace(/\W/g, "-");
    await page.goto(`${lab!.url}lab/workspaces/${workspace}/tree/${file}?token=${lab!.token}`);
    await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first().waitFor({ timeout: 60_000 });
    // The status bar names the kernel and its state once it has started ("… neuro kit | Idle").
    await page.locator(".jp-StatusBar-TextItem", { hasText: /neuro kit \| Idle/ }).waitFor({ timeout: kernelTimeoutMs });
  }

  const screenshot = (name: string) => page.screenshot({ path: shots.path(name) });
  const cells = () => page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell");
  const outputsOf = (cell: ReturnType<Page["locator"]>) => cell.locator(".jp-OutputArea-output").allTextContents();

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "kit-lab-root-"));
    fs.copyFileSync(WELCOME, path.join(root, "00-welcome.ipynb"));
    fs.writeFileSync(path.join(root, "animation.ipynb"), JSON.stringify(ANIMATION));
    // What `npm run notebooks` writes (its kernel runs while the Lab's does: two cores), and what `npm run student` hands out.
    headless = runNotebook(WELCOME, { outDir: path.join(root, "headless") });
    const student = spawnSync(process.execPath, [TSX, "scripts/make-student.ts", "00-welcome", "--out", path.join(root, "student"), "--solutions", path.join(root, "solutions")], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(student.status, student.stderr).toBe(0);

    lab = await startJupyterLab(root, {
      // No network here: no question about fetching news.
      "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
    });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // JupyterLab's debugger panel asks every kernel for a debug session; tslab has none, which it reports as
    // a page error. Harmless, and not ours.
    page.on("pageerror", (e) => /No active debugger session/.test(e.message) || pageErrors.push(e.message));
  }, 300_000);

  afterAll(async () => {
    await headless?.catch(() => undefined);
    await browser?.close();
    if (lab) {
      await lab.stop();
      expect(lab.kernelPids(), "kernels left running").toEqual([]);
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
    shots.publish();
  }, 60_000);

  it("runs 00-welcome through the UI: every figure drawn by the plotly renderer, no cell with an error", async () => {
    await open("00-welcome.ipynb");
    await runAll(page);
    await waitFor(page, "the first cell to start", (s) => s.prompts.some((p) => p !== "[ ]:"), 30_000);
    await waitFor(page, "every cell to run", allExecuted, 300_000);
    const run = await headless;
    expect(run.ok, describeFailure(run)).toBe(true);
    const expected = plotlyOutputs(path.join(root, "headless", "notebooks", "00-welcome.ipynb"));
    expect(expected, "figures in the headless run").toBeGreaterThan(0);
    const s = await waitFor(page, `${expected} figures to be drawn`, (s) => s.drawn === expected, 30_000);
    await screenshot("00-welcome-live");
    expect(s.errors).toEqual([]);
    expect(s.stderr).toEqual([]);
    expect(s.htmlFigures, "figures come from the plotly MIME bundle, not the HTML fallback").toBe(0);
    expect(s.plotly).toBe(expected);
    const progressText = await page.locator(".jp-OutputArea-output", { hasText: "training:" }).allTextContents();
    expect(progressText, "one progress line, updated in place to its final state").toHaveLength(1);
    expect(progressText[0]).toMatch(/training: 60\/60 epochs \(100%\).*took/);
    liveFigures = s.drawn;
    console.log(`JupyterLab, 00-welcome run live: ${s.drawn} of ${s.plotly} plotly figures drawn (headless run: ${expected})`);
    expect(pageErrors).toEqual([]);
  }, 400_000);

  it("reopens the headless-executed notebook, untrusted, with every figure drawn (as many as live)", async () => {
    fs.copyFileSync(path.join(root, "headless", "notebooks", "00-welcome.ipynb"), path.join(root, "executed.ipynb"));
    const expected = plotlyOutputs(path.join(root, "executed.ipynb"));
    await open("executed.ipynb");
    const s = await waitFor(page, `${expected} figures to be drawn`, (s) => s.drawn === expected, 60_000);
    await screenshot("00-welcome-reopened");
    expect(s.htmlFigures).toBe(0);
    console.log(`JupyterLab, 00-welcome executed headless and reopened untrusted: ${s.drawn} of ${s.plotly} drawn`);
    expect(s.drawn).toBe(liveFigures);
    expect(s.plotly).toBe(expected);
    expect(s.errors).toEqual([]);
  }, 300_000);

  it("plays an ant animation, and updates a progress bar in place while the cell runs", async () => {
    await open("animation.ipynb");
    await runAll(page);
    const bar = cells().nth(0);
    const seen = new Set<string>();
    await waitFor(page, "the progress cell to start", (s) => s.prompts[0] !== "[ ]:", 30_000);
    for (let prompt = "[*]:"; prompt === "[*]:"; prompt = (await state(page)).prompts[0]) {
      for (const text of await outputsOf(bar)) seen.add(text);
      await page.waitForTimeout(100);
    }
    const s = await waitFor(page, "the animation to be drawn", (s) => allExecuted(s) && s.drawn === 1, 180_000);
    expect(s.errors).toEqual([]);
    expect(s.stderr).toEqual([]);
    const final = await outputsOf(bar);
    expect(final, "one output, overwritten in place").toHaveLength(1);
    expect(final[0]).toMatch(/counting: 30\/30 steps \(100%\).*took/);
    expect(seen.size, `intermediate states seen: ${[...seen].join(" | ")}`).toBeGreaterThanOrEqual(3);

    const figure = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly");
    const slider = figure.locator(".slider-label", { hasText: /^t = / }); // the current frame: "t = 0.0 s, x = 0.0 m"
    const before = await slider.textContent();
    await figure.locator(".updatemenu-button", { hasText: "play" }).click();
    await expect.poll(() => slider.textContent(), { timeout: 15_000 }).not.toBe(before);
    await screenshot("animation-playing");
  }, 300_000);

  it("homework: a correct answer typed into the exercise passes, a wrong one gets the checker's message", async () => {
    await open("student/00-welcome.ipynb");
    await runAll(page);
    await waitFor(page, "the first cell to start", (s) => s.prompts.some((p) => p !== "[ ]:"), 30_000);
    await waitFor(page, "every cell to run", allExecuted, 300_000);
    const exercise = cells().filter({ hasText: 'check("welcome.accuracy"' });
    expect((await outputsOf(exercise)).join("\n")).toContain("not attempted yet");

    /** Replace the line of the exercise cell that contains `find` by `answer`, typed, and run the cell. */
    const answer = async (find: string, typed: string) => {
      const prompt = async () => ((await exercise.locator(".jp-InputPrompt").textContent()) ?? "").trim();
      const before = await prompt();
      await exercise.locator(".cm-line", { hasText: find }).click();
      await page.keyboard.press("Home");
      await page.keyboard.press("Shift+End");
      await page.keyboard.type(typed);
      expect(await exercise.locator(".cm-content").textContent()).toContain(typed);
      await page.keyboard.press("Shift+Enter");
      const ran = async () => { const p = await prompt(); return p !== before && /^\[\d+\]:$/.test(p) ? "ran" : `prompt ${p}, before ${before}`; };
      await expect.poll(ran, { timeout: 60_000 }).toBe("ran").catch(async (e) => {
        await page.screenshot({ path: shots.path("timeout") });
        throw e;
      });
      return (await outputsOf(exercise)).join("\n");
    };
    const right = await answer("NotImplementedYet", "return probabilities.filter((p, i) => (p >= 0.5 ? 1 : 0) === labels[i]).length / labels.length;");
    await screenshot("homework-passed");
    expect(right).toMatch(/✔ passed/);
    const wrong = await answer("return probabilities", "return probabilities.filter((p, i) => (p >= 0.5 ? 1 : 0) === labels[i]).length;");
    await screenshot("homework-wrong");
    expect(wrong).toMatch(/✘ failed — .*case .*expected/);
    expect(wrong, "no stack trace").not.toMatch(/\n\s+at |Error/);
    expect((await state(page)).errors).toEqual([]);
  }, 400_000);
});
