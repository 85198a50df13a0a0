/**
 * Homework mode: student notebooks have every solution stubbed and no solution or model-answer text left; the
 * solutions file is keyed by exercise id (stable when cells are inserted) and has a model answer for every
 * "Think first" / "Predict first" prompt; student notebooks execute headless with every exercise
 * "not attempted yet"; pasting the reference back turns a verdict to passed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { cellSource, Notebook } from "../lib/notebooks/ipynb";
import { PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { describeFailure, runNotebooks, selectNotebooks } from "../lib/notebooks/runner";
import { BEGIN, END, PROMPT, STUB, checkIds, solutionsMarkdown, stubSolutions, studentVersion } from "../lib/notebooks/student";
import { tempDir } from "./fixtures/temp-dir";

const TSX = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const read = (f: string): Notebook => JSON.parse(fs.readFileSync(f, "utf8"));
const instructors = selectNotebooks([]);

function makeStudent(): { out: string; sol: string; stdout: string } {
  const out = tempDir("student-");
  const sol = tempDir("solutions-");
  const run = spawnSync(process.execPath, [TSX, "scripts/make-student.ts", "--out", out, "--solutions", sol], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return { out, sol, stdout: run.stdout };
}

/** Lines of solution code and model answers long enough to be distinctive (short ones like `}` occur everywhere). */
function solutionLines(nb: Notebook): string[] {
  return studentVersion(nb, "x").solutions.flatMap((s) => s.text.split("\n")).map((l) => l.trim()).filter((l) => l.length >= 12);
}

const markdownCell = (text: string) => ({ cell_type: "markdown" as const, metadata: {}, source: text });
const codeCell = (text: string) => ({ cell_type: "code" as const, metadata: {}, source: text, outputs: [], execution_count: null });
const notebookOf = (...cells: Notebook["cells"]): Notebook => ({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
const IMPORT = `import { check, NotImplementedYet } from "./lib/exercises";`;

describe("student notebooks", () => {
  it("every notebook's solutions are stubbed and no solution text is left", () => {
    const { out, sol } = makeStudent();
    for (const file of instructors) {
      const name = path.basename(file);
      const instructor = read(file);
      const student = fs.readFileSync(path.join(out, name), "utf8");
      const blocks = instructor.cells.map(cellSource).join("\n").match(/BEGIN SOLUTION/g)?.length ?? 0;
      expect(student.includes("BEGIN SOLUTION") || student.includes("END SOLUTION"), "markers left").toBe(false);
      expect((student.match(/throw new NotImplementedYet\(\); \/\/ TODO: your code here/g) ?? []).length).toBe(blocks);
      for (const line of solutionLines(instructor)) {
        expect(student.includes(JSON.stringify(line).slice(1, -1)), `solution line left in ${name}: ${line}`).toBe(false);
      }
      expect(student.includes("MODEL ANSWER"), "model answers left").toBe(false);
      const solutions = fs.readFileSync(path.join(sol, name.replace(".ipynb", ".md")), "utf8");
      expect(solutions).toContain("```ts");
      expect(solutions).not.toMatch(/^## Cell/m);
      const nb = read(path.join(out, name));
      expect(nb.cells.every((c) => c.cell_type !== "code" || (c.outputs ?? []).length === 0)).toBe(true);
    }
  });

  it("is idempotent: a second run writes identical files, and a student notebook maps to itself", () => {
    const a = makeStudent();
    const b = makeStudent();
    for (const file of instructors) {
      const name = path.basename(file);
      const first = fs.readFileSync(path.join(a.out, name), "utf8");
      expect(fs.readFileSync(path.join(b.out, name), "utf8")).toBe(first);
      const again = studentVersion(JSON.parse(first), name.replace(".ipynb", "")).notebook;
      expect(JSON.stringify(again, null, 1) + "\n").toBe(first);
    }
  });

  it("keys the solutions file by exercise id, with a model answer for every prompt; inserting a cell changes nothing", () => {
    for (const file of instructors) {
      const name = path.basename(file, ".ipynb");
      const nb = read(file);
      const { solutions } = studentVersion(nb, name);
      const sources = nb.cells.map(cellSource);
      const exerciseIds = sources.flatMap((src) => (src.includes(BEGIN) ? checkIds(src) : []));
      expect(solutions.filter((s) => s.kind === "code").map((s) => s.id), name).toEqual(exerciseIds);
      const prompts = nb.cells.filter((c) => c.cell_type === "markdown" && PROMPT.test(cellSource(c))).length;
      expect(solutions.filter((s) => s.kind === "model answer").length, `${name}: model answers for ${prompts} prompts`).toBe(prompts);
      const markdown = solutionsMarkdown(name, solutions);
      for (const s of solutions) expect(markdown).toContain(`## ${s.id}`);
      const inserted = { ...nb, cells: [nb.cells[0], markdownCell("A new cell."), codeCell("const x = 1;"), ...nb.cells.slice(1)] };
      expect(solutionsMarkdown(name, studentVersion(inserted, name).solutions)).toBe(markdown);
    }
  });

  it("refuses a prompt without a model answer, a misspelt marker, and a solution without an exercise id", () => {
    const prompt = markdownCell("**Think first.** What happens?");
    const answer = markdownCell("<!-- MODEL ANSWER: demo.think -->\nThis happens.");
    const exercise = codeCell(`${IMPORT}\nfunction f(): number {\n  ${BEGIN}\n  return 1;\n  ${END}\n}\nconst fFn = check("demo.f", f);`);
    const ok = studentVersion(notebookOf(prompt, codeCell("run();"), answer, exercise), "nb");
    expect(ok.solutions.map((s) => [s.id, s.kind, s.text])).toEqual([["demo.think", "model answer", "This happens."], ["demo.f", "code", "return 1;"]]);
    expect(ok.notebook.cells.map(cellSource).join("\n")).not.toContain("This happens.");
    expect(() => studentVersion(notebookOf(prompt, codeCell("run();")), "nb")).toThrow(/nb, cell 1: prompt without a model answer/);
    expect(() => studentVersion(notebookOf(prompt, prompt, answer), "nb")).toThrow(/nb, cell 1: prompt without a model answer before the next prompt \(cell 2\)/);
    expect(() => studentVersion(notebookOf(prompt, markdownCell("<!-- MODEL ANSWER demo -->\nx")), "nb")).toThrow(/nb, cell 2: first line .* looks like a model-answer marker/);
    expect(() => studentVersion(notebookOf(answer), "nb")).toThrow(/nb, cell 1: model answer 'demo.think' follows no/);
    const anonymous = codeCell(`${IMPORT}\nfunction f(): number {\n  ${BEGIN}\n  return 1;\n  ${END}\n}`);
    expect(() => studentVersion(notebookOf(anonymous), "nb")).toThrow(/nb, cell 1: solution block without a check\("<exercise id>", …\) call/);
    expect(() => studentVersion(notebookOf(exercise, exercise), "nb")).toThrow(/exercise id 'demo.f' is used in cells 1 and 2/);
  });

  it("student-facing text speaks of the course: no issues, no 'next session', unwritten notebooks called planned", () => {
    const existing = new Set(instructors.map((f) => path.basename(f).slice(0, 2)));
    for (const file of instructors) {
      const name = path.basename(file);
      read(file).cells.forEach((cell, i) => {
        if (cell.cell_type !== "markdown") return;
        const text = cellSource(cell);
        const where = `${name}, cell ${i + 1}`;
        expect(text, where).not.toMatch(/\bissues?\b|next session|\bTODO\b/i);
        const mentioned = Array.from(text.matchAll(/\b(0\d)(?: ·|-[a-z])/g), (m) => m[1]).filter((n) => !existing.has(n));
        if (mentioned.length) expect(text, `${where} mentions notebook ${mentioned.join(", ")}, which does not exist yet`).toMatch(/planned/i);
      });
    }
  });

  it("refuses unbalanced or misspelt markers, naming notebook, cell and line", () => {
    expect(() => stubSolutions(`f();\n${BEGIN}\nx = 1;`, "nb, cell 4")).toThrow(/nb, cell 4: '\/\/ BEGIN SOLUTION' on line 2 has no matching/);
    expect(() => stubSolutions(`x = 1;\n${END}`, "nb, cell 2")).toThrow(/nb, cell 2: '\/\/ END SOLUTION' on line 2 has no matching/);
    expect(() => stubSolutions(`${BEGIN}\n${BEGIN}\n${END}`, "nb, cell 1")).toThrow(/line 2 inside the block opened on line 1/);
    expect(() => stubSolutions(`// BEGIN SOLUTIONS\nx;`, "nb, cell 1")).toThrow(/looks like a marker/);
    const ok = stubSolutions(`function f(): number {\n  ${BEGIN}\n    return 1;\n  ${END}\n}`, "nb");
    expect(ok.source).toBe(`function f(): number {\n  ${STUB}\n}`);
    expect(ok.solutions).toEqual(["return 1;"]);
  });

  it("executes headless with every exercise 'not attempted yet'; the reference pasted back passes", async () => {
    const { out } = makeStudent();
    // A copy of the welcome notebook with the reference of its exercise pasted back: its verdict must turn to passed.
    const solved = path.join(out, "00-welcome-solved.ipynb");
    const nb = read(path.join(out, "00-welcome.ipynb"));
    const reference = studentVersion(read(path.join(PROJECT_ROOT, "notebooks", "00-welcome.ipynb")), "00-welcome").solutions
      .find((s) => s.kind === "code")!.text;
    const cell = nb.cells.find((c) => cellSource(c).includes(STUB))!;
    cell.source = cellSource(cell).replace(STUB, reference);
    fs.writeFileSync(solved, JSON.stringify(nb));
    // Two kernels at a time, the longest notebooks first (lib/notebooks/runner.ts says why this is sooner).
    const students = [...instructors].reverse().map((f) => path.join(out, path.basename(f)));
    const runs = await runNotebooks([...students, solved], { outDir: path.join(out, "executed"), jobs: 2 });
    for (const [k, file] of instructors.slice().reverse().entries()) {
      const run = runs[k];
      expect(run.ok, describeFailure(run)).toBe(true);
      const checks = read(file).cells.map(cellSource).join("\n").match(/\bcheck\("/g)?.length ?? 0;
      const executed = fs.readFileSync(run.ipynb, "utf8");
      expect((executed.match(/not attempted yet<\/b>/g) ?? []).length, run.name).toBe(checks);
      expect(/<b>✘/.test(executed), "no checker reports a failure").toBe(false);
    }
    const run = runs[runs.length - 1];
    expect(run.ok, describeFailure(run)).toBe(true);
    const executed = fs.readFileSync(run.ipynb, "utf8");
    expect(executed.includes("passed</b>"), "the pasted solution's verdict is 'passed'").toBe(true);
    expect(executed.includes("not attempted yet</b>"), "no exercise left 'not attempted yet'").toBe(false);
  }, 1_500_000);
});
