/**
 * Tables in notebooks: rows of records or danfojs-node DataFrames, shown as HTML tables with numbers
 * formatted to a fixed number of significant digits; printed as a text table outside a notebook.
 */
import { escapeHtml, showHtml } from "./display";

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

/** What the kit needs of a danfojs DataFrame (duck-typed, so lib does not load danfojs unless asked). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[] | unknown[][];
  index?: (string | number)[];
}

export interface TableOptions {
  /** Caption shown above the table. */
  caption?: string;
  /** Significant digits for non-integer numbers (default 4). */
  digits?: number;
  /** Show the DataFrame index as the first column (default: only for DataFrames with a non-default index). */
  index?: boolean;
}

function isDataFrame(x: unknown): x is DataFrameLike {
  return typeof x === "object" && x !== null && Array.isArray((x as DataFrameLike).columns) && "values" in x;
}

/** Format one cell: integers as they are, other numbers to `digits` significant digits. */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
    return String(Number(value.toPrecision(digits)));
  }
  return String(value);
}

/** Normalise records or a DataFrame into a header and string cells. */
export function tableCells(source: Row[] | DataFrameLike, options: TableOptions = {}): { header: string[]; rows: string[][] } {
  const digits = options.digits ?? 4;
  if (isDataFrame(source)) {
    const values = (source.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
    const index = source.index ?? values.map((_, i) => i);
    const defaultIndex = index.every((v, i) => v === i);
    const showIndex = options.index ?? !defaultIndex;
    const header = showIndex ? ["", ...source.columns] : [...source.columns];
    const rows = values.map((r, i) => {
      const cells = r.map((v) => formatCell(v, digits));
      return showIndex ? [String(index[i]), ...cells] : cells;
    });
    return { header, rows };
  }
  const header: string[] = [];
  for (const row of source) for (const key of Object.keys(row)) if (!header.includes(key)) header.push(key);
  return { header, rows: source.map((row) => header.map((k) => formatCell(row[k], digits))) };
}

/** The HTML of a table (numbers right-aligned). */
export function tableHtml(source: Row[] | DataFrameLike, options: TableOptions = {}): string {
  const { header, rows } = tableCells(source, options);
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => r[j] === "" || !Number.isNaN(Number(r[j]))));
  const align = (j: number) => (numeric[j] ? "right" : "left");
  const th = header.map((h, j) => `<th style="text-align:${align(j)}">${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((c, j) => `<td style="text-align:${align(j)}">${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = options.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(options.caption)}</caption>` : "";
  return `<table class="kit-table">${caption}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A plain-text rendering with aligned columns. */
export function tableText(source: Row[] | DataFrameLike, options: TableOptions = {}): string {
  const { header, rows } = tableCells(source, options);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  return (options.caption ? options.caption + "\n" : "") + out.join("\n");
}

/** Show a table inline (HTML in a notebook, aligned text elsewhere). */
export function showTable(source: Row[] | DataFrameLike, options: TableOptions = {}): void {
  showHtml(tableHtml(source, options), tableText(source, options));
}
