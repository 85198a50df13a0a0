/**
 * lib/rl's folders are layers: env → policies → learning → analysis → figures. A module may import from its own
 * layer or a lower one, never a higher one (so the environment and the policies stay usable without the trainer,
 * and the trainer without the figures). Read from the import statements of every file.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

const RL = path.resolve(__dirname, "..", "lib", "rl");
const LAYERS = ["env", "policies", "learning", "analysis", "figures"];

function imports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
}

describe("lib/rl's layers", () => {
  const layerOf = (file: string): string => path.relative(RL, file).split(path.sep)[0];

  it("holds only the five layer folders, each with modules", () => {
    const entries = fs.readdirSync(RL, { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    expect(entries.map((e) => e.name).sort()).toEqual([...LAYERS].sort());
    for (const layer of LAYERS) expect(fs.readdirSync(path.join(RL, layer)).filter((f) => f.endsWith(".ts")).length).toBeGreaterThan(0);
  });

  it("imports point down: no module imports from a higher layer", () => {
    const upward: string[] = [];
    let checked = 0;
    for (const layer of LAYERS) {
      for (const name of fs.readdirSync(path.join(RL, layer)).filter((f) => f.endsWith(".ts"))) {
        const file = path.join(RL, layer, name);
        for (const spec of imports(file)) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(RL + path.sep)) continue;
          checked++;
          const to = layerOf(target);
          if (LAYERS.indexOf(to) > LAYERS.indexOf(layer)) upward.push(`${layer}/${name} → ${path.relative(RL, target)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(upward).toEqual([]);
  });
});
