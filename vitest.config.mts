import { defineConfig } from "vitest/config";

// Tests share two cores with the simulator and tfjs: run files one at a time so
// numerical tests are not starved, and allow the slower notebook/browser tests time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
