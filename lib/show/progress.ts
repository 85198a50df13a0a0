/**
 * Progress for long loops: a status line updated in place in a notebook, periodic lines in a terminal,
 * with rate and time remaining.
 */
import { escapeHtml, inNotebook, updatableDisplay } from "./display";

export interface Progress {
  /** Report that `done` of `total` units are finished, with optional named figures (e.g. loss). */
  update(done: number, extra?: Record<string, number | string>): void;
  /** Final line. */
  finish(extra?: Record<string, number | string>): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Progress over `total` units (`unit` names them, e.g. "steps"). Terminal lines at most every `everySeconds`. */
export function progress(label: string, total: number, unit = "steps", everySeconds = inNotebook() ? 0.5 : 5): Progress {
  const slot = updatableDisplay();
  const start = Date.now();
  let lastPrint = 0;
  let lastDone = 0;
  const render = (done: number, extra: Record<string, number | string> | undefined, final: boolean) => {
    const elapsed = (Date.now() - start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = final ? 0 : (total - done) / rate;
    const figures = Object.entries(extra ?? {})
      .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
      .join(", ");
    const text =
      `${label}: ${done}/${total} ${unit} (${((100 * done) / total).toFixed(0)}%), ${rate.toFixed(1)} ${unit}/s, ` +
      (final ? `took ${formatSeconds(elapsed)}` : `ETA ${formatSeconds(eta)}`) + (figures ? `; ${figures}` : "");
    const pct = Math.min(100, (100 * done) / total);
    slot.html(
      `<div style="font-family:monospace"><div style="background:#eee;width:300px;height:8px">` +
        `<div style="background:#3a7;width:${(3 * pct).toFixed(0)}px;height:8px"></div></div>${escapeHtml(text)}</div>`,
      text,
    );
  };
  return {
    update(done, extra) {
      lastDone = done;
      const now = Date.now();
      if (now - lastPrint < everySeconds * 1000 && done < total) return;
      lastPrint = now;
      render(done, extra, false);
    },
    finish(extra) {
      render(Math.max(lastDone, total), extra, true);
    },
  };
}
