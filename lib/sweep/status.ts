/**
 * Where each run of a plan stands, read from the files alone (no weights loaded, no training code imported):
 * shipped (its shipDir holds a manifest.json), partway (its run folder holds a checkpoint; how far comes from the
 * checkpoint's state, the field the plan names) or not started. Corrupt files are errors that name the file.
 */
import * as fs from "fs";
import * as path from "path";
import { PlanUnit, RunSpec } from "./plan";

export type RunState = "shipped" | "partway" | "not started";

/** How far a shipped folder's manifest says its run trained (spec.shippedField), or null when the spec names no field. */
function shippedProgress(spec: RunSpec, manifest: Record<string, unknown>): number | null {
  if (!spec.shippedField) return null;
  const v = manifest[spec.shippedField];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

export interface RunStatus {
  spec: RunSpec;
  state: RunState;
  /** Units done: the total when shipped, the checkpoint's progress when partway, else 0. */
  done: number;
  /** Shipped folders that hold a manifest, and those that do not yet. */
  shipped: string[];
  missing: string[];
}

/** Resolve a plan path (relative to the project root, or absolute). */
export const resolveIn = (root: string, p: string) => path.resolve(root, p);

/** Read and parse a JSON file; a file that is not valid JSON is an error naming it and `what` it is. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file} (${e instanceof Error ? e.message : e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`the ${what} ${file} is corrupt: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
}

/** The manifest of a shipped folder, or null where there is none; a corrupt one is an error naming it. */
export function readManifest(dir: string): Record<string, unknown> | null {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) return null;
  const value = readJsonFile(file, "manifest");
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`the manifest ${file} is corrupt: not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * How far a partway run is: the number at `field` (dotted path) of the state in `<runDir>/checkpoint/checkpoint.json`
 * (lib/tf/checkpoint.ts's index; its weights are not read), or null without a checkpoint.
 */
export function checkpointProgress(runDir: string, field: string): number | null {
  const file = path.join(runDir, "checkpoint", "checkpoint.json");
  if (!fs.existsSync(file)) return null;
  const index = readJsonFile(file, "checkpoint index") as { format?: unknown; state?: unknown };
  if (index?.format !== "kit-checkpoint-1") throw new Error(`the checkpoint index ${file} is corrupt or of an unknown format (expected kit-checkpoint-1)`);
  let value: unknown = index.state;
  for (const key of field.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`the checkpoint index ${file} has no number at state.${field}`);
  return value;
}

export function runStatus(spec: RunSpec, root: string): RunStatus {
  const ships = (spec.ships ?? [spec.shipDir]).map((d) => resolveIn(root, d));
  const shipped: string[] = [], missing: string[] = [];
  // A folder shipped under an older, shorter budget is not this plan's run.
  const current = (m: Record<string, unknown> | null) => m !== null && (shippedProgress(spec, m) ?? spec.total) >= spec.total;
  for (const dir of ships) (current(readManifest(dir)) ? shipped : missing).push(dir);
  const final = readManifest(resolveIn(root, spec.shipDir));
  if (current(final)) return { spec, state: "shipped", done: spec.total, shipped, missing };
  const progress = checkpointProgress(resolveIn(root, spec.runDir), spec.progressField);
  if (progress === null) return { spec, state: "not started", done: 0, shipped, missing };
  return { spec, state: "partway", done: Math.min(progress, spec.total), shipped, missing };
}

export interface PlanTotals {
  unit: PlanUnit;
  done: number;
  total: number;
}

/** Done and total budget of a plan, per unit (a plan usually has one). */
export function planTotals(statuses: RunStatus[]): PlanTotals[] {
  const byUnit = new Map<PlanUnit, PlanTotals>();
  for (const s of statuses) {
    const t = byUnit.get(s.spec.unit) ?? { unit: s.spec.unit, done: 0, total: 0 };
    t.done += s.done;
    t.total += s.spec.total;
    byUnit.set(s.spec.unit, t);
  }
  return [...byUnit.values()];
}

/** Machine hours of a plan at its runs' measured speeds (runs without one are counted apart). */
export function planHours(statuses: RunStatus[]): { total: number; remaining: number; unmeasured: number; sources: string[] } {
  let total = 0, remaining = 0, unmeasured = 0;
  const sources = new Set<string>();
  for (const s of statuses) {
    if (!s.spec.speed) { if (s.state !== "shipped") unmeasured++; continue; }
    total += (s.spec.total * s.spec.speed.secondsPerUnit) / 3600;
    remaining += ((s.spec.total - s.done) * s.spec.speed.secondsPerUnit) / 3600;
    sources.add(s.spec.speed.source);
  }
  return { total, remaining, unmeasured, sources: [...sources] };
}

const fmt = (x: number) => (Number.isInteger(x) ? x : Number(x.toFixed(2))).toLocaleString("en-US");

/** A fixed-width text table (first row = header). */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? "").length)));
  return rows.map((r) => r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]))).join("  ").trimEnd()).join("\n");
}

/** The status table of a plan; `slurm` maps run names to their SLURM job state (shown when given). */
export function formatStatus(planName: string, statuses: RunStatus[], root: string, slurm?: Map<string, string>): string {
  const rel = (p: string) => (path.relative(root, p).startsWith("..") ? p : path.relative(root, p));
  const timed = statuses.some((s) => s.spec.speed);
  const header = ["run", "state", "progress", ...(timed ? ["time left"] : []), "shipped folders", ...(slurm ? ["slurm"] : [])];
  const hoursLeft = (s: RunStatus) => (s.spec.speed ? `${(((s.spec.total - s.done) * s.spec.speed.secondsPerUnit) / 3600).toFixed(1)} h` : "?");
  const rows = statuses.map((s) => {
    const folders = `${s.shipped.length}/${s.shipped.length + s.missing.length}` + (s.missing.length && s.shipped.length ? ` (missing ${s.missing.map((m) => path.basename(m)).join(", ")})` : "");
    return [s.spec.name, s.state, `${fmt(s.done)}/${fmt(s.spec.total)} ${s.spec.unit}`, ...(timed ? [hoursLeft(s)] : []), folders, ...(slurm ? [slurm.get(s.spec.name) ?? "-"] : [])];
  });
  const lines = [`plan ${planName}`, textTable([header, ...rows])];
  const count = (state: RunState) => statuses.filter((s) => s.state === state).length;
  lines.push(`${statuses.length} runs: ${count("shipped")} shipped, ${count("partway")} partway, ${count("not started")} not started; ` +
    planTotals(statuses).map((t) => `${fmt(t.done)} of ${fmt(t.total)} ${t.unit} done, ${fmt(t.total - t.done)} remaining`).join("; "));
  if (timed) {
    const h = planHours(statuses);
    const eta = new Date(Date.now() + h.remaining * 3600e3);
    lines.push(`machine time at measured speeds: ${h.total.toFixed(1)} h for the whole plan, ${h.remaining.toFixed(1)} h remaining` +
      (h.remaining > 0 ? ` (one run at a time: done about ${eta.toISOString().slice(0, 16).replace("T", " ")} UTC if it ran without a break)` : "") +
      (h.unmeasured ? `; ${h.unmeasured} unfinished run(s) have no measured speed yet` : "") + `; speeds from ${h.sources.join("; ")}`);
  }
  const shippedTo = [...new Set(statuses.map((s) => rel(path.dirname(resolveIn(root, s.spec.shipDir)))))];
  lines.push(`(shipped folders under ${shippedTo.join(", ")})`);
  return lines.join("\n");
}
