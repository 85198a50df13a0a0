/**
 * A one-node SLURM cluster on this machine, all its state under one temporary folder, for testing sweeps with a real
 * sbatch (Debian's slurmctld, slurmd and munge; what made it work is in the project's environment notes). Needs root.
 * `stop()` cancels every job, stops the daemons it started by their PIDs and removes the folder.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface LocalSlurm {
  dir: string;
  /** Environment for sbatch, scontrol, …: SLURM_CONF points at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Run a SLURM command against this cluster. */
  run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Cancel every job, stop the daemons, remove the folder (again: nothing). */
  stop(): Promise<void>;
}

export const LOCAL_SLURM_COMMANDS = ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "scancel", "sinfo"];

/** Debian's packages that hold LOCAL_SLURM_COMMANDS (scripts/setup.sh installs them). */
export const LOCAL_SLURM_PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"];

const missingCommands = () => LOCAL_SLURM_COMMANDS.filter((c) => spawnSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" }).status !== 0);

/**
 * Why a local cluster cannot start here, or null if it can. With `install`, missing packages are first installed
 * with apt-get where it exists and this is root (~10 s); the reason then says what apt-get answered.
 */
export function localSlurmUnavailable(options: { install?: boolean } = {}): string | null {
  if (process.getuid?.() !== 0) return "a local SLURM cluster needs root (slurmd runs jobs as their user)";
  let missing = missingCommands();
  let why = "";
  if (missing.length && options.install && spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0) {
    const apt = spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...LOCAL_SLURM_PACKAGES],
      { encoding: "utf8", timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    missing = missingCommands();
    if (missing.length) why = `; apt-get install ${LOCAL_SLURM_PACKAGES.join(" ")} failed: ${`${apt.stderr ?? ""}${apt.error?.message ?? ""}`.trim().split("\n").slice(-2).join(" ")}`;
  }
  if (missing.length) return `SLURM is not installed (${missing.join(", ")} missing${why}): bash scripts/setup.sh installs Debian's ${LOCAL_SLURM_PACKAGES.join(" ")}`;
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, seconds: number, ok: () => boolean, logs: string[]): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > deadline) {
      const tails = logs.filter((f) => fs.existsSync(f)).map((f) => `--- ${f}\n${fs.readFileSync(f, "utf8").split("\n").slice(-15).join("\n")}`);
      throw new Error(`local SLURM: ${what} did not happen within ${seconds} s\n${tails.join("\n")}`);
    }
    await sleep(200);
  }
}

/** Start munged, slurmctld and slurmd under a new temporary folder; resolves when the node is idle. */
export async function startLocalSlurm(): Promise<LocalSlurm> {
  const unavailable = localSlurmUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-slurm-"));
  fs.chmodSync(dir, 0o755); // munge clients must reach the socket's folder
  const p = (...parts: string[]) => path.join(dir, ...parts);
  for (const d of ["munge", "state", "spool", "log"]) fs.mkdirSync(p(d), { mode: 0o755 });
  fs.writeFileSync(p("munge", "munge.key"), randomBytes(1024), { mode: 0o400 });
  const socket = p("munge", "munge.socket");
  const host = os.hostname().split(".")[0];
  // The node as slurmd sees it (CPUs, sockets, cores, threads), without memory and uptime.
  const node = spawnSync("slurmd", ["-C"], { encoding: "utf8" }).stdout.split("\n")[0]
    .split(/\s+/).filter((w) => /^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=/.test(w)).join(" ");
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = p("slurm.conf");
  fs.writeFileSync(conf, [
    "ClusterName=kit-local",
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${dPort}`,
    "SlurmUser=root",
    // cred_expire is also how long a requeued job waits before it may start again (default 120 s).
    `AuthInfo=socket=${socket},cred_expire=10`,
    `StateSaveLocation=${p("state")}`,
    `SlurmdSpoolDir=${p("spool")}`,
    `SlurmctldPidFile=${p("slurmctld.pid")}`,
    `SlurmdPidFile=${p("slurmd.pid")}`,
    `SlurmctldLogFile=${p("log", "slurmctld.log")}`,
    `SlurmdLogFile=${p("log", "slurmd.log")}`,
    "MailProg=/bin/true",
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "ReturnToService=2",
    "KillWait=10",
    `NodeName=${host} NodeAddr=127.0.0.1 ${node}`,
    `PartitionName=local Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n"));
  const env = { ...process.env, SLURM_CONF: conf };
  const logs = [p("log", "munged.log"), p("log", "slurmctld.log"), p("log", "slurmd.log")];
  const daemons: ChildProcess[] = [];
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", fs.openSync(p("log", `${command}.stderr`), "a")] });
    child.on("error", () => undefined);
    daemons.push(child);
  };
  const run = (command: string, args: string[]) => {
    const out = spawnSync(command, args, { env, encoding: "utf8" });
    return { status: out.status, stdout: out.stdout ?? "", stderr: out.stderr ?? "" };
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Jobs first (their processes are not the daemons' children), then the daemons, newest first.
    if (daemons.length === 3) {
      run("scancel", ["--full", "--partition=local"]);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && run("squeue", ["-h", "-o", "%i"]).stdout.trim()) await sleep(300);
    }
    for (const child of daemons.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      child.kill("SIGTERM");
      const deadline = Date.now() + 10_000;
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    start("munged", ["-F", `--socket=${socket}`, `--key-file=${p("munge", "munge.key")}`, `--pid-file=${p("munge", "munged.pid")}`,
      `--seed-file=${p("munge", "munged.seed")}`, `--log-file=${logs[0]}`]);
    await waitFor("munged's socket", 15, () => fs.existsSync(socket), logs);
    start("slurmctld", ["-D", "-i"]);
    await waitFor("slurmctld answering", 30, () => run("scontrol", ["ping"]).stdout.includes("UP"), logs);
    start("slurmd", ["-D", "-N", host]);
    await waitFor("the node to be idle", 30, () => run("sinfo", ["-h", "-o", "%T"]).stdout.trim() === "idle", logs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, env, run, stop };
}
