/**
 * Student notebooks from instructor notebooks (homework mode).
 *
 * Convention (documented in the README):
 * - A solution is a block inside a code cell between the lines `// BEGIN SOLUTION` and `// END SOLUTION`.
 *   In the student copy the block becomes one line, at the block's indentation:
 *   `throw new NotImplementedYet(); // TODO: your code here`, which the checkers report as "not attempted yet".
 *   The cell also calls `check("<exercise id>", …)`; the solutions file files the block under that id.
 * - A Markdown cell whose first line is `<!-- MODEL ANSWER: <id> -->` is the model answer to a "Think first" or
 *   "Predict first" prompt: it goes to the solutions file under `<id>` and is left out of the student copy.
 *   Every prompt must be followed by its model answer before the next prompt.
 * - A code cell whose first line is `// INSTRUCTOR ONLY` (hidden tests, grading helpers) is left out.
 * - Outputs are cleared; the solutions go to a separate Markdown file for the instructor, keyed by exercise id,
 *   so inserting a cell changes nothing in it.
 * The transformation is a pure function of the instructor notebook, so running it again changes nothing.
 */
import { cellSource, clearOutputs, Notebook, NotebookCell, sourceLines } from "./ipynb";

export const BEGIN = "// BEGIN SOLUTION";
export const END = "// END SOLUTION";
export const INSTRUCTOR_ONLY = "// INSTRUCTOR ONLY";
export const STUB = "throw new NotImplementedYet(); // TODO: your code here";
/** First line of a model-answer Markdown cell; the id names the prompt (e.g. `ventral.predict-layers`). */
export const MODEL_ANSWER = /^<!--\s*MODEL ANSWER:\s*([A-Za-z0-9_.-]+)\s*-->[ \t]*$/;
/** A prompt that asks students to think or predict before running (needs a model answer). */
export const PROMPT = /\*\*(Think|Predict) first\.?\*\*/;

export interface Solution {
  /** The exercise id: the name passed to `check("…")` in the cell, or the id of a model-answer marker. */
  id: string;
  kind: "code" | "model answer";
  /** The solution code (dedented) or the model answer's Markdown (marker line removed). */
  text: string;
  /** 1-based cell number in the instructor notebook, for messages only. */
  cell: number;
}

export interface StudentVersion {
  notebook: Notebook;
  solutions: Solution[];
  /** Cells left out as instructor-only (model answers included). */
  removedCells: number;
}

/** Replace every solution block of one cell's source by the stub; errors name `where`. */
export function stubSolutions(source: string, where: string): { source: string; solutions: string[] } {
  const lines = source.split("\n");
  const out: string[] = [];
  const solutions: string[] = [];
  let open: { line: number; indent: string; body: string[] } | undefined;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === BEGIN) {
      if (open) throw new Error(`${where}: '${BEGIN}' on line ${i + 1} inside the block opened on line ${open.line + 1}; close it with '${END}' first`);
      open = { line: i, indent: /^\s*/.exec(line)![0], body: [] };
    } else if (trimmed === END) {
      if (!open) throw new Error(`${where}: '${END}' on line ${i + 1} has no matching '${BEGIN}'`);
      out.push(open.indent + STUB);
      const body = open.body;
      const common = Math.min(...body.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length), Infinity);
      solutions.push(body.map((l) => l.slice(Number.isFinite(common) ? common : 0)).join("\n").trim());
      open = undefined;
    } else if (open) {
      open.body.push(line);
    } else {
      if (trimmed.startsWith("// BEGIN SOLUTION") || trimmed.startsWith("// END SOLUTION")) {
        throw new Error(`${where}: line ${i + 1} '${trimmed}' looks like a marker but is not exactly '${BEGIN}' or '${END}'`);
      }
      out.push(line);
    }
  });
  if (open) throw new Error(`${where}: '${BEGIN}' on line ${open.line + 1} has no matching '${END}'`);
  return { source: out.join("\n"), solutions };
}

/** Exercise ids of the `check("…")` calls in a cell's source, in order. */
export function checkIds(source: string): string[] {
  return Array.from(source.matchAll(/\bcheck\(\s*["'`]([^"'`]+)["'`]/g), (m) => m[1]);
}

/** The model answer in a Markdown cell (its id and text), or undefined; a misspelt marker is an error. */
export function modelAnswer(source: string, where: string): { id: string; text: string } | undefined {
  const [first, ...rest] = source.split("\n");
  const match = MODEL_ANSWER.exec(first.trim());
  if (match) return { id: match[1], text: rest.join("\n").trim() };
  if (/MODEL\s*ANSWER/i.test(first)) {
    throw new Error(`${where}: first line '${first.trim()}' looks like a model-answer marker but is not '<!-- MODEL ANSWER: <id> -->'`);
  }
  return undefined;
}

/** The student version of an instructor notebook; `name` is used in error messages. */
export function studentVersion(instructor: Notebook, name: string): StudentVersion {
  const solutions: Solution[] = [];
  const cells: NotebookCell[] = [];
  const alreadyStudent = instructor.cells.length > 0 && instructor.cells[0].id === "student-banner";
  let removedCells = 0;
  let openPrompt: number | undefined;
  instructor.cells.forEach((cell, index) => {
    const source = cellSource(cell);
    const where = `${name}, cell ${index + 1}`;
    if (cell.cell_type !== "code") {
      const answer = cell.cell_type === "markdown" ? modelAnswer(source, where) : undefined;
      if (answer) {
        if (openPrompt === undefined) throw new Error(`${where}: model answer '${answer.id}' follows no "Think first" / "Predict first" prompt`);
        solutions.push({ id: answer.id, kind: "model answer", text: answer.text, cell: index + 1 });
        openPrompt = undefined;
        removedCells++;
        return;
      }
      if (cell.cell_type === "markdown" && PROMPT.test(source)) {
        if (openPrompt !== undefined && !alreadyStudent) throw new Error(`${name}, cell ${openPrompt}: prompt without a model answer before the next prompt (cell ${index + 1})`);
        openPrompt = index + 1;
      }
      cells.push(cell);
      return;
    }
    if (source.trimStart().startsWith(INSTRUCTOR_ONLY)) {
      removedCells++;
      return;
    }
    const stubbed = stubSolutions(source, where);
    if (stubbed.solutions.length) {
      const ids = checkIds(source);
      if (ids.length === 0) {
        throw new Error(`${where}: solution block without a check("<exercise id>", …) call in the same cell; the solutions file is keyed by that id`);
      }
      if (ids.length !== 1 && ids.length !== stubbed.solutions.length) {
        throw new Error(`${where}: ${stubbed.solutions.length} solution blocks but ${ids.length} check() calls; put one exercise per cell`);
      }
      stubbed.solutions.forEach((code, k) => solutions.push({ id: ids.length === 1 ? ids[0] : ids[k], kind: "code", text: code, cell: index + 1 }));
    }
    cells.push({ ...cell, source: sourceLines(stubbed.source) });
  });
  if (openPrompt !== undefined && !alreadyStudent) throw new Error(`${name}, cell ${openPrompt}: prompt without a model answer (a Markdown cell starting '<!-- MODEL ANSWER: <id> -->')`);
  const owners = new Map<string, Solution>();
  for (const s of solutions) {
    const earlier = owners.get(s.id);
    if (earlier && earlier.cell !== s.cell) throw new Error(`${name}: exercise id '${s.id}' is used in cells ${earlier.cell} and ${s.cell}; ids must be unique`);
    owners.set(s.id, s);
  }
  const all = cells.map(cellSource).join("\n");
  if (solutions.some((s) => s.kind === "code") && !/\bNotImplementedYet\b[^\n]*from\s+["']\.\/lib\/exercises["']|import\s*{[^}]*\bNotImplementedYet\b/.test(all)) {
    throw new Error(`${name}: has solution blocks but does not import NotImplementedYet from "./lib/exercises", which the stubs throw`);
  }
  const banner: NotebookCell = {
    cell_type: "markdown",
    id: "student-banner",
    metadata: { kit: "student-banner" },
    source: sourceLines(
      `> **Student version** of \`notebooks/${name}.ipynb\`, made by \`npm run student\`. ` +
        `In each exercise, a line that throws \`NotImplementedYet\` (marked TODO) stands where your code goes: replace it, ` +
        `run the cell, and read the checker's verdict. Until an exercise passes, later cells use the reference solution.`,
    ),
  };
  const notebook = clearOutputs({
    ...instructor,
    metadata: { ...instructor.metadata, kit: { student: true, source: `notebooks/${name}.ipynb` } },
    cells: alreadyStudent ? cells : [banner, ...cells],
  });
  return { notebook, solutions, removedCells };
}

/** The instructor's solutions file: one section per exercise id, in notebook order. */
export function solutionsMarkdown(name: string, solutions: Solution[]): string {
  const ids = Array.from(new Set(solutions.map((s) => s.id)));
  const sections = ids.map((id) => {
    const parts = solutions.filter((s) => s.id === id);
    const body = parts.map((s) => (s.kind === "code" ? `\`\`\`ts\n${s.text}\n\`\`\`\n` : `${s.text}\n`)).join("\n");
    return `## ${id}${parts[0].kind === "model answer" ? " (model answer)" : ""}\n\n${body}`;
  });
  return `# Solutions: ${name}\n\nFor instructors: what the student version leaves out, by exercise id ` +
    `(the name passed to \`check("…")\`, or the id of a model answer).\n\n${sections.join("\n")}`;
}
