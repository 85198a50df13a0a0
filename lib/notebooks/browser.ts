/**
 * Browser check of an exported notebook page: open it in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; never a browser download), count the kit's figures and the ones plotly drew, collect page
 * errors, and save a full-page screenshot.
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

export async function checkPage(htmlFile: string, screenshot: string, waitMs = 20_000): Promise<PageCheck> {
  if (!fs.existsSync(htmlFile)) throw new Error(`checkPage: ${htmlFile} does not exist (run the notebook first)`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()}`);
    });
    await page.goto("file://" + path.resolve(htmlFile), { waitUntil: "load", timeout: waitMs });
    const count = () =>
      page.evaluate(() => {
        const figs = Array.from(document.querySelectorAll(".kit-figure"));
        return { figures: figs.length, rendered: figs.filter((f) => f.querySelector(".main-svg")).length };
      });
    let state = await count();
    const deadline = Date.now() + waitMs;
    while (state.rendered < state.figures && Date.now() < deadline) {
      await page.waitForTimeout(200);
      state = await count();
    }
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...state, errors, screenshot };
  } finally {
    await browser.close();
  }
}
