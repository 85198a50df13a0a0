/**
 * `npm run sweep -- run PLAN --commit`: each run's work goes into git as it ends, so that a training spread over many
 * sessions (each ending wherever it is) loses nothing and every shipped checkpoint lands as its own commit.
 *
 * - A run that shipped: its shipped folders (`ships`, else `shipDir`) in one commit; a run checkpoint committed
 *   while it was partway leaves the index in the same commit (the shipped folders replace it).
 * - A run stopped partway: its run checkpoint (`<runDir>/checkpoint/`, which .gitignore leaves out, so added with
 *   -f), and any folder it shipped on the way (a budget study's snapshots), so that the next session resumes it.
 *
 * Only these paths are committed: if anything else is staged the commit is refused with what is staged, so a
 * sweep never sweeps someone's half-made change into a "Shipped" commit.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { RunSpec } from "./plan";
import { resolveIn, RunStatus } from "./status";

function git(root: string, args: string[]): string {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (r.error) throw new Error(`git ${args[0]}: ${r.error.message} (is git installed?)`);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const changed = (root: string, rel: string) => git(root, ["status", "--porcelain", "--untracked-files=all", "--ignored=no", "--", rel]).trim() !== "";

/**
 * Commit what a run left (see the header). Returns the commit's subject, or null when there was nothing new to
 * commit (a run not started, or one already committed as it is).
 */
export function commitRunFolders(root: string, spec: RunSpec, status: RunStatus, planName: string): string | null {
  if (git(root, ["diff", "--cached", "--name-only"]).trim()) {
    throw new Error(`not committing ${spec.name}: other changes are staged (${git(root, ["diff", "--cached", "--name-only"]).trim().split("\n").join(", ")}); commit or unstage them first`);
  }
  const rel = (p: string) => path.relative(root, resolveIn(root, p));
  const shipped = (spec.ships ?? [spec.shipDir]).map(rel).filter((d) => fs.existsSync(path.join(root, d, "manifest.json")) && changed(root, d));
  const checkpoint = path.join(rel(spec.runDir), "checkpoint");
  const tracked = git(root, ["ls-files", "--", checkpoint]).trim() !== "";
  const amount = (n: number) => `${n.toLocaleString("en-US")} ${spec.unit}`;
  let subject: string;
  if (status.state === "shipped") {
    if (!shipped.length && !tracked) return null;
    if (shipped.length) git(root, ["add", "--", ...shipped]);
    if (tracked) git(root, ["rm", "-r", "-q", "--cached", "--", checkpoint]);
    subject = `Shipped: ${spec.name} at ${amount(spec.total)} (plan ${planName})` + (tracked ? "; its partway run checkpoint leaves the index" : "");
  } else if (status.state === "partway") {
    const files = fs.readdirSync(path.join(root, checkpoint)).map((f) => path.join(checkpoint, f));
    if (shipped.length) git(root, ["add", "--", ...shipped]);
    git(root, ["add", "-f", "--", ...files]);
    if (!git(root, ["diff", "--cached", "--name-only"]).trim()) return null;
    subject = `Partway: ${spec.name} at ${status.done.toLocaleString("en-US")} of ${amount(spec.total)} (run checkpoint; npm run sweep -- run ${planName} resumes it)`;
  } else {
    return null;
  }
  git(root, ["commit", "-q", "-m", subject]);
  return subject;
}
