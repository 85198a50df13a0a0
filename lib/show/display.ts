/**
 * Rich output for notebooks, with a plain-text fallback everywhere else.
 *
 * Inside a tslab kernel, HTML and Markdown go to the notebook through tslab's display API; in scripts and
 * tests (no kernel) the same calls print their text fallback, so library code can show results without
 * knowing where it runs.
 */

/** The subset of tslab's Display that the kit uses. */
export interface RichDisplay {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

/** True when this process is a tslab Jupyter kernel. */
export function inNotebook(): boolean {
  return process.argv.some((a) => /tslab/.test(a)) && process.argv.includes("kernel");
}

function tslabModule(): { display: RichDisplay; newDisplay(): RichDisplay } {
  // Loaded lazily: `tslab` pulls in its own TypeScript compiler, which scripts and tests do not need.
  return require("tslab") as { display: RichDisplay; newDisplay(): RichDisplay };
}

/** Show HTML in the notebook; outside one, print `fallback`. */
export function showHtml(html: string, fallback: string): void {
  if (inNotebook()) tslabModule().display.html(html);
  else console.log(fallback);
}

/** Show Markdown in the notebook; outside one, print it as it is. */
export function showMarkdown(markdown: string): void {
  if (inNotebook()) tslabModule().display.markdown(markdown);
  else console.log(markdown);
}

/**
 * A display slot that can be overwritten in place (a live status line or figure in the notebook).
 * Outside a notebook each update prints a line.
 */
export function updatableDisplay(): { html(html: string, fallback: string): void } {
  const slot = inNotebook() ? tslabModule().newDisplay() : undefined;
  return {
    html(html: string, fallback: string) {
      if (slot) slot.html(html);
      else console.log(fallback);
    },
  };
}

/** Escape text for inclusion in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
