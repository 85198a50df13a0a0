/**
 * `npm run site [-- --serve] [--port N]`: the course as one static website in out/site/ (lib/notebooks/site.ts):
 * the index, every executed notebook as a page, the ant playground (built here), and every asset inside the folder.
 * Notebooks with no executed copy in out/notebooks/, or whose source changed since, are executed first (lecture
 * mode). `--serve` then serves the folder on a free loopback port and prints its URL (Ctrl-C stops it).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { describeFailure, runNotebook, selectNotebooks } from "../lib/notebooks/runner";
import { buildSite, serveFolder } from "../lib/notebooks/site";
import { buildPlayground } from "../lib/playground/build";
import { numberOption, parseOptions } from "./cli";

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), ["serve", "port"], ["serve"]);
  for (const source of selectNotebooks([])) {
    const executed = path.join(PROJECT_ROOT, "out", "notebooks", path.basename(source));
    if (fs.existsSync(executed) && fs.statSync(executed).mtimeMs >= fs.statSync(source).mtimeMs) continue;
    console.log(`▶ ${path.basename(source)} has ${fs.existsSync(executed) ? "changed since it was executed" : "not been executed"}: executing it (lecture mode) …`);
    const run = await runNotebook(source, { mode: "lecture" });
    if (!run.ok) throw new Error(describeFailure(run));
  }
  const playground = await buildPlayground({ quiet: true });
  console.log(`playground built → ${path.relative(PROJECT_ROOT, playground.dir)}/`);
  const site = buildSite({ playgroundDir: playground.dir });
  for (const p of site.pages) console.log(`  ${p.href.padEnd(24)} ${p.figures} figures  ${p.summary ?? "(no results file)"}`);
  console.log(`site written to ${path.relative(PROJECT_ROOT, site.dir)}/ (${site.pages.length} pages${site.playground ? " and the playground" : ""}); open index.html, or publish the folder as it is`);
  if (!args.serve) return;
  const server = await serveFolder(site.dir, numberOption(args, "port", 0));
  console.log(`serving ${path.relative(PROJECT_ROOT, site.dir)}/ at ${server.url} (Ctrl-C stops)`);
  await new Promise(() => {});
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
