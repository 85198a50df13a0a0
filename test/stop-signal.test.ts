/**
 * Training loops time their steps without the time the process spent suspended (lib/util/stop-signal.ts): a run
 * paused with SIGSTOP (or Ctrl+Z) and continued must not report the pause as training time, in its manifest's wall
 * time or its ETA. Tested on a real child process, really suspended.
 */
import { spawn } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";

describe("stopOnSignal().stepSeconds", () => {
  it("charges a step during which the process was suspended with the previous step's seconds", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fixtures", "suspended-steps.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const result = await new Promise<{ charged: number[]; raw: number[] }>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const before = out;
        out += chunk.toString();
        // Mid-way through step 2: suspend for 1.5 s, then continue.
        if (!before.includes("start 2") && out.includes("start 2")) {
          setTimeout(() => {
            child.kill("SIGSTOP");
            setTimeout(() => child.kill("SIGCONT"), 1500);
          }, 100);
        }
      });
      child.on("exit", (code) => {
        const last = out.trim().split("\n").pop() ?? "";
        if (code !== 0 || !last.startsWith("{")) reject(new Error(`fixture exited ${code}: ${out}`));
        else resolve(JSON.parse(last));
      });
    });
    // The pause really happened: step 2 took over 1.5 s of wall time…
    expect(result.raw[2]).toBeGreaterThan(1.5);
    // …but was charged as long as step 1; the other steps are charged what they took.
    expect(result.charged[2]).toBe(result.charged[1]);
    for (const k of [0, 1, 3]) {
      expect(result.charged[k]).toBeGreaterThanOrEqual(0.3);
      expect(result.charged[k]).toBeLessThan(1.2);
    }
  }, 60_000);
});
