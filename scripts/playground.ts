/**
 * `npm run playground`: build the ant playground (lib/playground) into out/playground/ and serve it on a free loopback
 * port, printing its URL (Ctrl-C stops). `npm run playground -- --build` only writes the static folder, which works
 * offline from any static host (`npm run site` includes it). `--port N` chooses the port.
 */
import * as path from "path";
import { PROJECT_ROOT } from "../lib/notebooks/jupyter";
import { serveFolder } from "../lib/notebooks/site";
import { buildPlayground } from "../lib/playground/build";
import { numberOption, parseOptions } from "./cli";

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), ["build", "port"], ["build"]);
  const started = Date.now();
  const { dir, catalogue } = await buildPlayground();
  console.log(`playground built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${path.relative(PROJECT_ROOT, dir)}/ (${catalogue.length} shipped policies)`);
  if (args.build) return;
  const server = await serveFolder(dir, numberOption(args, "port", 0));
  console.log(`the ant playground: ${server.url} (Ctrl-C stops)`);
  await new Promise(() => {});
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
