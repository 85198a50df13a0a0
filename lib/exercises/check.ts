/**
 * Homework checkers: run a student's function on prepared cases (edge cases included) and give a short,
 * friendly verdict — passed, not attempted yet, or the first failing case with expected vs got — never a
 * stack trace from inside the checker. `check` returns the function later cells should use: the student's
 * when it passed, otherwise the reference (with a visible note), so the rest of the notebook still runs.
 */
import { escapeHtml, inNotebook, showHtml } from "../show/display";

/** Thrown by the stubs of student notebooks; a checker reports it as "not attempted yet". */
export class NotImplementedYet extends Error {
  constructor(what = "this exercise") {
    super(`${what} is not implemented yet: replace the line that throws NotImplementedYet with your code`);
    this.name = "NotImplementedYet";
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

export interface ExerciseCase<F extends AnyFunction> {
  /** What the case tests, shown when it fails (e.g. "all predictions wrong"). */
  label: string;
  args: Parameters<F>;
}

export interface Exercise<F extends AnyFunction> {
  /** Title shown in verdicts. */
  title: string;
  /** The reference solution: source of expected values and the fallback when the student's fails. */
  reference: F;
  cases: ExerciseCase<F>[];
  /** Relative/absolute tolerance for numbers (default 1e-6). */
  tolerance?: number;
  /** A hint shown with a failing case. */
  hint?: string;
}

export type Status = "passed" | "failed" | "not attempted yet";

export interface Verdict {
  status: Status;
  /** One-line message; for failures the case, expected and got. */
  message: string;
}

/** Compare two results: null if equal within tolerance, else a description of the first difference. */
export function difference(got: unknown, expected: unknown, tolerance = 1e-6, where = "result"): string | null {
  if (typeof expected === "number") {
    if (typeof got !== "number") return `${where} should be a number, got ${describeValue(got)}`;
    if (Number.isNaN(expected) && Number.isNaN(got)) return null;
    if (Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected))) return null;
    return `${where}: expected ${expected}, got ${got}`;
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const e = Array.from(expected as ArrayLike<unknown>);
    if (!(Array.isArray(got) || ArrayBuffer.isView(got))) return `${where} should be an array, got ${describeValue(got)}`;
    const g = Array.from(got as unknown as ArrayLike<unknown>);
    if (g.length !== e.length) return `${where} should have length ${e.length}, got length ${g.length}`;
    for (let i = 0; i < e.length; i++) {
      const d = difference(g[i], e[i], tolerance, `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof got !== "object" || got === null) return `${where} should be an object, got ${describeValue(got)}`;
    for (const key of Object.keys(expected)) {
      const d = difference((got as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], tolerance, `${where}.${key}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(got, expected) ? null : `${where}: expected ${describeValue(expected)}, got ${describeValue(got)}`;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "undefined (did you forget to `return`?)";
  if (Array.isArray(v)) return v.length > 6 ? `[${v.slice(0, 6).join(", ")}, …] (length ${v.length})` : `[${v.join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function errorLine(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split("\n")[0]}`;
  return String(e);
}

/** Run the cases and judge (no output). */
export function judge<F extends AnyFunction>(exercise: Exercise<F>, candidate: F): Verdict {
  for (const c of exercise.cases) {
    const expected = exercise.reference(...c.args);
    let got: unknown;
    try {
      got = candidate(...structuredClone(c.args));
    } catch (e) {
      if (e instanceof NotImplementedYet || (e instanceof Error && e.name === "NotImplementedYet")) {
        return { status: "not attempted yet", message: `${exercise.title}: not attempted yet.` };
      }
      return { status: "failed", message: `${exercise.title}: on case "${c.label}" your function threw ${errorLine(e)}` };
    }
    const d = difference(got, expected, exercise.tolerance);
    if (d) {
      const hint = exercise.hint ? ` Hint: ${exercise.hint}` : "";
      return { status: "failed", message: `${exercise.title}: case "${c.label}" — ${d}.${hint}` };
    }
  }
  return { status: "passed", message: `${exercise.title}: passed all ${exercise.cases.length} cases.` };
}

const COLORS: Record<Status, string> = { passed: "#1a7f37", failed: "#b42318", "not attempted yet": "#666" };
const ICONS: Record<Status, string> = { passed: "✔", failed: "✘", "not attempted yet": "…" };

/**
 * Judge `candidate` and show the verdict. Returns the function later cells should use: the candidate if it
 * passed, else the reference, with a note saying so.
 */
export function checkExercise<F extends AnyFunction>(exercise: Exercise<F>, candidate: F): F {
  const verdict = judge(exercise, candidate);
  const fallback = verdict.status === "passed" ? "" : " Later cells use the reference solution for now.";
  const text = `${ICONS[verdict.status]} ${verdict.message}${fallback}`;
  if (inNotebook()) {
    const color = COLORS[verdict.status];
    showHtml(
      `<div style="border-left:4px solid ${color};padding:4px 10px;color:${color};font-family:sans-serif">` +
        `<b>${ICONS[verdict.status]} ${escapeHtml(verdict.status)}</b> — ${escapeHtml(verdict.message)}` +
        (fallback ? `<br><span style="color:#555">${escapeHtml(fallback.trim())}</span>` : "") +
        `</div>`,
      text,
    );
  } else {
    console.log(text);
  }
  return verdict.status === "passed" ? candidate : exercise.reference;
}
