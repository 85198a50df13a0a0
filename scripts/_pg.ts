import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../lib/notebooks/browser";
import { serveFolder } from "../lib/notebooks/site";
(async () => {
  const server = await serveFolder("out/playground");
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS, "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("console", (m) => console.log("console", m.type(), m.text()));
  await page.goto(server.url);
  await page.waitForTimeout(12000);
  const s = await page.evaluate(() => { const p = (window as any).playground.state; return { chosen: p.chosen, msgs: p.messages, ants: p.frame?.ants.map((a: any) => [a.name, a.episodeSteps, a.episodes, a.falls]), rate: p.frame?.simRate, sim: p.frame?.simSeconds }; });
  console.log(JSON.stringify(s, null, 1));
  await page.screenshot({ path: "/tmp/pg.png" });
  await browser.close(); await server.close();
})();
