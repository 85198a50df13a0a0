/**
 * Browser check of an exported notebook page: open it in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; never a browser download), from a file or over http, count the kit's figures and the ones plotly
 * drew, the math MathJax typeset and any `$…$` left raw in the Markdown, collect page errors and every request to a
 * host other than this machine's loopback (those are refused), and save a full-page screenshot.
 */
import * as fs from "fs";
import * as path from "path";

export interface PageCheck {
  /** Figure containers the page holds (`.kit-figure`). */
  figures: number;
  /** Figures in which plotly drew its SVG. */
  rendered: number;
  /** Uncaught exceptions and console errors in the page. */
  errors: string[];
  /** Requests to anywhere but the loopback host, file:, data: or blob: (refused, and listed here). */
  offHost: string[];
  /** Typeset math (MathJax's CommonHTML elements), and `$…$` spans left raw in rendered Markdown. */
  math: { typeset: number; raw: number };
  screenshot: string;
}

/** Chromium from Debian (or CHROMIUM_PATH); a clear error if missing. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) {
    throw new Error(
      "No Chromium found for the browser check. Install it with `sudo apt-get install -y chromium` " +
        "(or set CHROMIUM_PATH to a Chrome/Chromium binary).",
    );
  }
  return found;
}

/** Flags for headless Chromium here (no sandbox as root, no GPU, no background network). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `target`: an HTML file, or an http(s) URL. `expectMath`: wait until MathJax has typeset at least this many spans. */
export async function checkPage(target: string, screenshot: string, waitMs = 20_000, expectMath = 0): Promise<PageCheck> {
  const isUrl = /^https?:\/\//.test(target);
  if (!isUrl && !fs.existsSync(target)) throw new Error(`checkPage: ${target} does not exist (run the notebook first)`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const offHost: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()}${m.location()?.url ? ` (${m.location().url})` : ""}`);
    });
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      const local = ["file:", "data:", "blob:"].includes(url.protocol) || LOOPBACK.has(url.hostname);
      if (local) return route.continue();
      offHost.push(url.href);
      return route.abort();
    });
    await page.goto(isUrl ? target : "file://" + path.resolve(target), { waitUntil: "load", timeout: waitMs });
    const count = () =>
      page.evaluate(() => {
        const figs = Array.from(document.querySelectorAll(".kit-figure"));
        const markdown = Array.from(document.querySelectorAll(".jp-MarkdownOutput, .text_cell_render")).map((e) => (e as HTMLElement).innerText).join("\n");
        return {
          figures: figs.length, rendered: figs.filter((f) => f.querySelector(".main-svg")).length,
          math: { typeset: document.querySelectorAll(".MathJax_CHTML").length, raw: (markdown.match(/\$\$[\s\S]+?\$\$|\$[^$\n]+\$/g) ?? []).length },
        };
      });
    let state = await count();
    const deadline = Date.now() + waitMs;
    while ((state.rendered < state.figures || state.math.typeset < expectMath) && Date.now() < deadline) {
      await page.waitForTimeout(200);
      state = await count();
    }
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...state, errors, offHost, screenshot };
  } finally {
    await browser.close();
  }
}
