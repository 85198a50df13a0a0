/**
 * `npm run student [names…] [--out DIR] [--solutions DIR]`: write student notebooks (solutions stubbed, outputs
 * cleared, model answers left out) to student/ — the folder to hand out — and the removed solutions and model
 * answers, keyed by exercise id, to solutions/<notebook>.md, which stays with the instructor. Idempotent; refuses
 * unbalanced or misspelt markers and prompts without a model answer, naming the notebook and cell.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { selectNotebooks } from "../lib/notebooks/runner";
import { solutionsMarkdown, studentVersion } from "../lib/notebooks/student";

function main(): void {
  const args = process.argv.slice(2);
  let outDir = path.join(PROJECT_ROOT, "student");
  let solutionsDir = path.join(PROJECT_ROOT, "solutions");
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") outDir = path.resolve(args[++i]);
    else if (args[i] === "--solutions") solutionsDir = path.resolve(args[++i]);
    else if (args[i].startsWith("--")) throw new Error(`unknown option ${args[i]} (known: --out DIR, --solutions DIR)`);
    else names.push(args[i]);
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(solutionsDir, { recursive: true });
  for (const file of selectNotebooks(names)) {
    const name = path.basename(file, ".ipynb");
    const { notebook, solutions, removedCells } = studentVersion(JSON.parse(fs.readFileSync(file, "utf8")), name);
    fs.writeFileSync(path.join(outDir, `${name}.ipynb`), JSON.stringify(notebook, null, 1) + "\n");
    fs.writeFileSync(path.join(solutionsDir, `${name}.md`), solutionsMarkdown(name, solutions));
    const stubbed = solutions.filter((s) => s.kind === "code").length, answers = solutions.length - stubbed;
    console.log(`${name}: ${stubbed} solution block(s) stubbed, ${answers} model answer(s) and ${removedCells - answers} instructor-only ` +
      `cell(s) left out → ${path.join(outDir, name + ".ipynb")}`);
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
