/**
 * Rich output for notebooks, with a plain-text fallback everywhere else.
 *
 * Inside a tslab kernel every output is a display bundle: several MIME types of the same thing, of which the
 * front end draws the richest it can (JupyterLab's plotly renderer takes plotly's JSON, classic Notebook and
 * nbconvert take the HTML, a terminal client takes the text). tslab's public display API sends one MIME type
 * per output, so bundles go through the writer tslab's kernel installs for the running cell
 * (`lastWriteDisplayData` in tslab/dist/jupyter, tslab 1.0.22). In scripts and tests (no kernel) the same
 * calls print their text fallback, so library code can show results without knowing where it runs.
 */
import { randomBytes } from "crypto";

/** MIME type → content, e.g. `{ "text/html": "<b>hi</b>", "text/plain": "hi" }`. */
export type DisplayBundle = Record<string, unknown>;

interface DisplayMessage {
  data: DisplayBundle;
  metadata: Record<string, unknown>;
  transient?: { display_id: string };
}
type WriteDisplayData = (message: DisplayMessage, update: boolean) => void;

/** True when this process is a tslab Jupyter kernel. */
export function inNotebook(): boolean {
  return process.argv.some((a) => /tslab/.test(a)) && process.argv.includes("kernel");
}

function writeDisplayData(message: DisplayMessage, update: boolean): void {
  // Loaded lazily: tslab pulls in its own TypeScript compiler, which scripts and tests do not need.
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: WriteDisplayData | null };
  if (typeof jupyter.lastWriteDisplayData !== "function") {
    throw new Error("lib/show: tslab's display writer is not available (no cell is running, or tslab's internals changed)");
  }
  jupyter.lastWriteDisplayData(message, update);
}

/** Show a display bundle in the notebook (with `fallback` as its text/plain); outside one, print `fallback`. */
export function showBundle(bundle: DisplayBundle, fallback: string): void {
  if (inNotebook()) writeDisplayData({ data: { "text/plain": fallback, ...bundle }, metadata: {} }, false);
  else console.log(fallback);
}

/** Show HTML in the notebook; outside one, print `fallback`. */
export function showHtml(html: string, fallback: string): void {
  showBundle({ "text/html": html }, fallback);
}

/** Show Markdown in the notebook; outside one, print it as it is. */
export function showMarkdown(markdown: string): void {
  showBundle({ "text/markdown": markdown }, markdown);
}

/** A display slot overwritten in place (a live status line or figure). Outside a notebook each update prints a line. */
export interface UpdatableDisplay {
  bundle(bundle: DisplayBundle, fallback: string): void;
  html(html: string, fallback: string): void;
}

export function updatableDisplay(): UpdatableDisplay {
  const id = randomBytes(8).toString("hex");
  let shown = false;
  const slot: UpdatableDisplay = {
    bundle(bundle, fallback) {
      if (!inNotebook()) {
        console.log(fallback);
        return;
      }
      // The first message creates the output; later ones replace it wherever that display id is shown.
      writeDisplayData({ data: { "text/plain": fallback, ...bundle }, metadata: {}, transient: { display_id: id } }, shown);
      shown = true;
    },
    html(html, fallback) {
      slot.bundle({ "text/html": html }, fallback);
    },
  };
  return slot;
}

/** Escape text for inclusion in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
