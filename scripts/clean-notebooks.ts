/**
 * `npm run clean-notebooks`: strip outputs and execution counts from notebooks/*.ipynb before committing
 * (an executed notebook embeds the ~5 MB plotly bundle). Prints what it changed.
 */
import * as fs from "fs";
import { selectNotebooks } from "../lib/notebooks/runner";
import { clearOutputs } from "../lib/notebooks/ipynb";

for (const file of selectNotebooks(process.argv.slice(2))) {
  const before = fs.readFileSync(file, "utf8");
  const after = JSON.stringify(clearOutputs(JSON.parse(before)), null, 1) + "\n";
  if (after !== before) {
    fs.writeFileSync(file, after);
    console.log(`cleaned ${file}`);
  }
}
