/**
 * Student notebooks from instructor notebooks (homework mode).
 *
 * Convention (documented in the README):
 * - A solution is a block inside a code cell between the lines `// BEGIN SOLUTION` and `// END SOLUTION`.
 *   In the student copy the block becomes one line, at the block's indentation:
 *   `throw new NotImplementedYet(); // TODO: your code here`, which the checkers report as "not attempted yet".
 * - A code cell whose first line is `// INSTRUCTOR ONLY` (hidden tests, grading helpers) is left out.
 * - Outputs are cleared; the solutions go to a separate Markdown file for the instructor.
 * The transformation is a pure function of the instructor notebook, so running it again changes nothing.
 */
import { cellSource, clearOutputs, Notebook, NotebookCell, sourceLines } from "./ipynb";

export const BEGIN = "// BEGIN SOLUTION";
export const END = "// END SOLUTION";
export const INSTRUCTOR_ONLY = "// INSTRUCTOR ONLY";
export const STUB = "throw new NotImplementedYet(); // TODO: your code here";

export interface Solution {
  /** 1-based cell number in the instructor notebook, as Jupyter shows it. */
  cell: number;
  /** The solution code, dedented. */
  code: string;
}

export interface StudentVersion {
  notebook: Notebook;
  solutions: Solution[];
  /** Cells left out as instructor-only. */
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

/** The student version of an instructor notebook; `name` is used in error messages. */
export function studentVersion(instructor: Notebook, name: string): StudentVersion {
  const solutions: Solution[] = [];
  const cells: NotebookCell[] = [];
  let removedCells = 0;
  instructor.cells.forEach((cell, index) => {
    const source = cellSource(cell);
    if (cell.cell_type !== "code") {
      cells.push(cell);
      return;
    }
    if (source.trimStart().startsWith(INSTRUCTOR_ONLY)) {
      removedCells++;
      return;
    }
    const stubbed = stubSolutions(source, `${name}, cell ${index + 1}`);
    for (const code of stubbed.solutions) solutions.push({ cell: index + 1, code });
    cells.push({ ...cell, source: sourceLines(stubbed.source) });
  });
  const all = cells.map(cellSource).join("\n");
  if (solutions.length && !/\bNotImplementedYet\b[^\n]*from\s+["']\.\/lib\/exercises["']|import\s*{[^}]*\bNotImplementedYet\b/.test(all)) {
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
  const alreadyStudent = cells.length > 0 && cells[0].id === "student-banner";
  const notebook = clearOutputs({
    ...instructor,
    metadata: { ...instructor.metadata, kit: { student: true, source: `notebooks/${name}.ipynb` } },
    cells: alreadyStudent ? cells : [banner, ...cells],
  });
  return { notebook, solutions, removedCells };
}

/** The instructor's solutions file: every block with its cell number. */
export function solutionsMarkdown(name: string, solutions: Solution[]): string {
  const blocks = solutions.map((s) => `## Cell ${s.cell}\n\n\`\`\`ts\n${s.code}\n\`\`\`\n`);
  return `# Solutions: ${name}\n\nFor instructors: the code removed from the student version.\n\n${blocks.join("\n")}`;
}
