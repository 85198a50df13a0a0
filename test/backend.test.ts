import { describe, expect, it } from "vitest";
import { initBackend, parseBackendOverride, tf } from "../lib/tf";

describe("backend choice", () => {
  it("accepts the known names and aliases, rejects others naming the valid ones", () => {
    expect(parseBackendOverride(undefined)).toBeUndefined();
    expect(parseBackendOverride(" WASM ")).toBe("wasm");
    expect(parseBackendOverride("node")).toBe("tensorflow");
    expect(() => parseBackendOverride("gpu")).toThrow(/TFJS_BACKEND="gpu".*tensorflow, wasm, cpu/);
  });

  it("chooses a backend once and reports it", async () => {
    const first = await initBackend({ quiet: true });
    const again = await initBackend({ quiet: true, override: "cpu" });
    expect(again).toBe(first);
    expect(tf.getBackend()).toBe(first.name);
    // Without native TensorFlow installed, wasm is the choice and the reason is recorded.
    if (first.name === "wasm") expect(first.skipped.join(" ")).toMatch(/tensorflow/);
    expect(tf.tensor([1, 2, 3]).square().sum().dataSync()[0]).toBe(14);
  });
});
