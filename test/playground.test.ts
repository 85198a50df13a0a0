/**
 * The ant playground in Debian's Chromium (playwright-core): built by the same function as `npm run playground`,
 * served over http on loopback. It loads with no console error and no request off the loopback host; the Simple
 * policy walks forward; a slider recompiles the body; a mid-walk body change keeps the episode going; DMAP's attention
 * rows sum to 1; four policies side by side run at least at real time; bad input gets a message and stops nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "../lib/notebooks/browser";
import { PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { serveFolder } from "../lib/notebooks/site";
import { buildPlayground } from "../lib/playground/build";
import type { Browser, Page } from "playwright-core";

const SHOTS = path.join(PROJECT_ROOT, "out", "screenshots");
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const errors: string[] = [];
const offHost: string[] = [];

type Frame = { ants: { name: string; policy: string; geoms: { size: number[]; pos: number[] }[]; episodeSteps: number; episodes: number; attention?: number[][]; latent?: { estimate: number[]; truth: number[] } }[]; simRate: number; simSeconds: number };
const frame = () => page.evaluate(() => (window as unknown as { playground: { state: { frame: unknown } } }).playground.state.frame) as Promise<Frame>;
const call = (fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => ((window as unknown as { playground: Record<string, (...x: unknown[]) => unknown> }).playground[f as string])(...(a as unknown[])), [fn, args] as const);
const messages = () => page.evaluate(() => (window as unknown as { playground: { state: { messages: { level: string; text: string }[] } } }).playground.state.messages);
async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await get();
  while (!ok(v)) {
    if (Date.now() > deadline) {
      const said = await messages().catch(() => []);
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)?.slice(0, 300)}; page messages: ${JSON.stringify(said)}; errors: ${JSON.stringify(errors)}`);
    }
    await page.waitForTimeout(200);
    v = await get();
  }
  return v;
}
const names = (f: Frame | undefined) => (f?.ants ?? []).map((a) => a.name);

beforeAll(async () => {
  const { dir } = await buildPlayground({ quiet: true });
  server = await serveFolder(dir);
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS, "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console error: ${m.text()}`); });
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || ["data:", "blob:"].includes(url.protocol)) return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
  await page.goto(server.url, { waitUntil: "load" });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the ant playground", () => {
  it("starts four shipped policies side by side (DMAP among them) at real time or faster, with no error and nothing off this host", async () => {
    const f = await until("four ants walking", frame, (v) => (v?.ants.length ?? 0) === 4 && v!.simSeconds > 4);
    expect(f.ants.map((a) => a.policy).sort()).toEqual(["dmap", "oracle", "rma", "simple"]);
    // Asked for 16× fast-forward, the four simulations run as fast as they can: that rate must be at least real time.
    await call("run", 16);
    const t0 = (await frame())!.simSeconds;
    const rate = await until("3 s of fast-forward", frame, (v) => (v?.simSeconds ?? 0) > t0 + 3 && v!.simRate > 0, 60_000);
    await page.waitForTimeout(2500);
    const steady = (await frame())!;
    expect(steady.simRate).toBeGreaterThanOrEqual(1);
    expect(rate.ants.length).toBe(4);
    await call("run", 1);
    expect(errors).toEqual([]);
    expect(offHost).toEqual([]);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "playground-four-ants.png") });
  }, 120_000);

  it("shows DMAP's attention (each joint's row sums to 1) and RMA's ẑ beside z", async () => {
    const f = await until("attention and latent", frame, (v) => Boolean(v?.ants.some((a) => a.attention) && v?.ants.some((a) => a.latent)));
    const attention = f.ants.find((a) => a.attention)!.attention!;
    expect(attention.length).toBe(8);
    for (const row of attention) {
      expect(row.length).toBe(36);
      expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 4);
    }
    const latent = f.ants.find((a) => a.latent)!.latent!;
    expect(latent.estimate.length).toBe(8);
    expect(latent.truth.length).toBe(8);
  });

  it("under Simple alone the torso moves forward", async () => {
    const simple = (await frame())!.ants.find((a) => a.policy === "simple")!.name;
    await call("choose", [simple]);
    const start = await until("Simple alone", frame, (v) => names(v).join() === simple && v!.ants[0].episodeSteps < 20);
    const x0 = start.ants[0].geoms[0].pos[0];
    const later = await until("Simple walking 5 s", frame, (v) => (v?.ants[0].episodeSteps ?? 0) > start.ants[0].episodeSteps + 100);
    expect(later.ants[0].geoms[0].pos[0] - x0).toBeGreaterThan(0.5);
  }, 60_000);

  it("a slider recompiles the body, mid-walk, and the episode goes on", async () => {
    const before = (await frame())!;
    // Geoms: torso, then per leg hip, thigh, shin capsules; the front-left shin is geom 3 (half-length in size[1]).
    const shin = (f: Frame) => f.ants[0].geoms[3].size[1];
    const steps = before.ants[0].episodeSteps, episodes = before.ants[0].episodes;
    await call("setBody", [0, 0, 0.5, 0, 0, 0, 0, 0, 0]);
    const after = await until("a longer front-left leg", frame, (v) => Boolean(v && shin(v) > shin(before) * 1.3));
    expect(shin(after) / shin(before)).toBeCloseTo(1.5, 2);
    expect(after.ants[0].episodes).toBe(episodes);
    expect(after.ants[0].episodeSteps).toBeGreaterThan(steps);
    await page.screenshot({ path: path.join(SHOTS, "playground-long-front-left-leg.png") });
    await call("setBody", [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  }, 60_000);

  it("bad input gets a message and stops nothing: a body out of range, a checkpoint that fails to load, an unstable simulation", async () => {
    const simple = (await frame())!.ants[0].name;
    await call("sendBody", [0, 0, 0.95, 0, 0, 0, 0, 0, 0]);
    await until("the out-of-range message", messages, (m) => m.some((x) => /front_left_length \+95 % is outside the playground's ±70 %/.test(x.text)));
    await call("choose", [simple, "ant-no-such-policy"]);
    await until("the failed-load message", messages, (m) => m.some((x) => /ant-no-such-policy was not loaded: .*The other ants go on/.test(x.text)));
    await until("Simple still running", frame, (v) => names(v).join() === simple);
    const episodes = (await frame())!.ants[0].episodes;
    await call("kick");
    await until("the unstable message", messages, (m) => m.some((x) => /went unstable .* restarted on the same body/.test(x.text)));
    const f = await until("a new episode", frame, (v) => (v?.ants[0].episodes ?? 0) > episodes);
    expect(f.ants[0].episodeSteps).toBeGreaterThanOrEqual(0);
    expect(errors).toEqual([]);
    expect(offHost).toEqual([]);
  }, 60_000);

  it("four policies on one perturbed body, with DMAP's attention and RMA's ẑ on screen", async () => {
    await call("choose", ["ant-simple-sigma0.3-seed0", "ant-oracle-sigma0.3-seed0", "ant-rma-sigma0.3-seed0", "ant-dmap-sigma0.3-seed0"]);
    await until("four ants", frame, (v) => (v?.ants.length ?? 0) === 4);
    // Long front legs, short back legs, a heavier torso.
    await call("setBody", [0.3, 0.2, 0.5, 0.2, 0.5, 0, -0.4, 0, -0.4]);
    await until("the ants walking on it", frame, (v) => (v?.ants.length ?? 0) === 4 && v!.ants.every((a) => a.episodeSteps > 60) && Boolean(v!.ants.find((a) => a.latent)));
    await page.screenshot({ path: path.join(SHOTS, "playground-perturbed-body.png") });
    expect(errors).toEqual([]);
  }, 60_000);
});
