/**
 * One table of a plan's results: a row per shipped folder (the final model and its snapshots), with every scalar of
 * its manifest flattened to dotted columns (`evaluation.sigma_0.1.meanReturn`, `evaluation.heldout_accuracy`, …).
 * Lists of numbers become one cell ("64,64"); lists of records (per-morphology results, training logs) stay in the
 * manifests.
 */
import * as fs from "fs";
import * as path from "path";
import { RunSpec } from "./plan";
import { readManifest, resolveIn } from "./status";

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export function flattenManifest(value: unknown, prefix = "", out: Row = {}): Row {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    out[prefix] = value as Cell;
  } else if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number" || typeof v === "string")) out[prefix] = value.join(",");
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenManifest(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** Rows of every shipped folder of the plan's runs (runs without any are left out). */
export function gatherRows(runs: RunSpec[], root: string): Row[] {
  const rows: Row[] = [];
  for (const run of runs) {
    for (const dir of run.ships ?? [run.shipDir]) {
      const manifest = readManifest(resolveIn(root, dir));
      if (manifest) rows.push({ run: run.name, folder: dir, ...flattenManifest(manifest) });
    }
  }
  return rows;
}

function csvCell(c: Cell | undefined): string {
  if (c === undefined || c === null) return "";
  const s = String(c);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with the union of the rows' columns (in order of first appearance). */
export function toCsv(rows: Row[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return [columns.map(csvCell).join(","), ...rows.map((r) => columns.map((k) => csvCell(r[k])).join(","))].join("\n") + "\n";
}

/** Write `<outDir>/results.json` and `results.csv`; returns their paths. */
export function writeGathered(rows: Row[], outDir: string): { json: string; csv: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, "results.json"), csv = path.join(outDir, "results.csv");
  fs.writeFileSync(json, JSON.stringify(rows, null, 1) + "\n");
  fs.writeFileSync(csv, toCsv(rows));
  return { json, csv };
}
