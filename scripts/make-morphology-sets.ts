/** `npm run make:morphologies`: write the shipped Ant test sets to data/morphologies/. */
import * as fs from "fs";
import * as path from "path";
import { testSetContent, testSetFile, TEST_SIGMAS } from "../lib/rl/env/test-sets";

for (const sigma of TEST_SIGMAS) {
  const file = testSetFile(sigma);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(testSetContent(sigma), null, 1) + "\n");
  console.log(`wrote ${file}`);
}
