/**
 * Remembered computations (lib/notebooks/cache.ts): a second call returns the stored result without computing;
 * a changed setting, computation source, helper it uses, file it reads, or kit file computes again; plain data
 * round-trips exactly (NaN, ±∞, typed arrays); non-plain results and unknown KIT_CACHE values are refused; an
 * unreadable cache file is computed again.
 */
import * as fs from "fs";
import * as path from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cached, cacheEnabled, cachePath } from "../lib/notebooks/cache";
import { tempDir } from "./fixtures/temp-dir";

let root: string;
let dir: string;
beforeEach(() => {
  root = tempDir("kit-cache-");
  fs.mkdirSync(path.join(root, "lib"));
  fs.mkdirSync(path.join(root, "data"));
  fs.writeFileSync(path.join(root, "lib", "a.ts"), "export const a = 1;\n");
  fs.writeFileSync(path.join(root, "data", "run.json"), "{}\n");
  fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
  dir = path.join(root, "cache");
});
afterEach(() => {
  delete process.env.KIT_CACHE;
  fs.rmSync(root, { recursive: true, force: true });
});

describe("cached", () => {
  it("computes once; the second call returns the same data, NaN, ±∞, undefined and typed arrays included", async () => {
    let calls = 0;
    const value = { mean: 1.25, sem: NaN, max: Infinity, min: -Infinity, none: undefined, $: "escaped", rows: [{ r: 0.1 + 0.2 }], w: Float32Array.of(0.1, 2), n: null };
    const compute = async () => { calls++; return value; };
    const first = await cached("scores", { seed: 0 }, compute, { dir, root, verbose: false });
    const second = await cached("scores", { seed: 0 }, compute, { dir, root, verbose: false });
    expect(calls).toBe(1);
    expect(first).toBe(value);
    expect(second).toEqual(value);
    expect(Number.isNaN(second.sem)).toBe(true);
    expect(second.w).toBeInstanceOf(Float32Array);
    expect(Array.from(second.w)).toEqual(Array.from(value.w));
    expect(second.rows[0].r).toBe(0.1 + 0.2);
    expect("none" in second).toBe(true);
  });

  it("computes again when a setting, the computation, a helper it uses, a file it reads or a kit file changes", async () => {
    let calls = 0;
    const helper = (x: number) => x + 1;
    const compute = () => { calls++; return helper(1); };
    const run = (settings: unknown, f: () => number = compute, uses = [helper], reads: string[] = []) => cached("n", settings, f, { dir, root, uses, reads, verbose: false });
    await run({ bodies: 10 });
    await run({ bodies: 10 });
    expect(calls).toBe(1);
    await run({ bodies: 100 });
    expect(calls).toBe(2);
    await run({ bodies: 10 }, () => { calls++; return 3; });
    expect(calls).toBe(3);
    const helper2 = (x: number) => x + 2;
    await run({ bodies: 10 }, compute, [helper2]);
    expect(calls).toBe(4);
    const outside = path.join(root, "out-run");
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, "weights.bin"), "a");
    await run({ bodies: 10 }, compute, [helper], [outside]);
    await run({ bodies: 10 }, compute, [helper], [outside]);
    expect(calls).toBe(5);
    fs.writeFileSync(path.join(outside, "weights.bin"), "b");
    await run({ bodies: 10 }, compute, [helper], [outside]);
    expect(calls).toBe(6);
    fs.writeFileSync(path.join(root, "data", "run.json"), '{"shipped": true}\n');
    await run({ bodies: 10 });
    expect(calls).toBe(7);
    fs.writeFileSync(path.join(root, "lib", "b.ts"), "export const b = 2;\n");
    await run({ bodies: 10 });
    expect(calls).toBe(8);
  });

  it("KIT_CACHE=off computes every time and stores nothing; an unknown value is refused", async () => {
    process.env.KIT_CACHE = "off";
    let calls = 0;
    await cached("x", {}, () => ++calls, { dir, root });
    await cached("x", {}, () => ++calls, { dir, root });
    expect(calls).toBe(2);
    expect(fs.existsSync(dir)).toBe(false);
    process.env.KIT_CACHE = "sometimes";
    expect(() => cacheEnabled()).toThrow(/KIT_CACHE="sometimes": use 'on' \(default\) or 'off'/);
  });

  it("refuses a result that is not plain data, naming where it is", async () => {
    class Fit { r = 1; }
    await expect(cached("fits", {}, () => ({ layers: [{ fit: new Fit() }] }), { dir, root })).rejects.toThrow(/cached\("fits"\): the result holds a Fit at result\.layers\[0\]\.fit/);
    await expect(cached("maps", {}, () => new Map(), { dir, root })).rejects.toThrow(/holds a Map at result/);
  });

  it("computes again, and says so, when the cache file is unreadable", async () => {
    let calls = 0;
    const compute = () => ({ v: ++calls });
    await cached("c", {}, compute, { dir, root, verbose: false });
    const file = cachePath("c", {}, compute, { dir, root });
    fs.writeFileSync(file, '{"label": "c", "value": ');
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      expect(await cached("c", {}, compute, { dir, root, verbose: false })).toEqual({ v: 2 });
    } finally {
      console.warn = warn;
    }
    expect(warnings.join("\n")).toMatch(/is unreadable .*computing again/);
    expect(await cached("c", {}, compute, { dir, root, verbose: false })).toEqual({ v: 2 });
  });
});
