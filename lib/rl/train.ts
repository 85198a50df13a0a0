/**
 * Training an Ant agent with PPO, resumable: the run folder (out/runs/<name>/) holds an atomic checkpoint
 * of everything needed to continue (weights, Adam moments, normalisers, counters, the learning curve),
 * written every `checkpointSeconds` and when the process is asked to stop. Killed at any moment, the run
 * continues from its last checkpoint; episodes in progress then restart. At the end the agent is evaluated
 * on the shipped test sets and written, with a manifest, to data/checkpoints/<name>/.
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { backendReport, initBackend } from "../tf";
import { hasCheckpoint, loadCheckpoint } from "../tf/checkpoint";
import { AgentCheckpointState, AgentConfig, createPolicy, deterministicActor, inputBuilder, restoreOptimizer, restorePolicyWeights, saveAgent, saveTrainingCheckpoint } from "./agent";
import { OBSERVATION_SIZE } from "./ant";
import { evaluateOnMorphologies, EvaluationSummary } from "./evaluate";
import { IterationLog, Ppo, PpoOptions } from "./ppo";
import { loadTestSet, TEST_SIGMAS } from "./test-sets";
import { AntVecEnv } from "./vec-env";

const ROOT = path.resolve(__dirname, "..", "..");

export interface TrainOptions {
  config: AgentConfig;
  totalSteps: number;
  ppo?: Partial<PpoOptions>;
  /** Simulation worker threads (default 2). */
  threads?: number;
  checkpointSeconds?: number;
  /** Run folder (default out/runs/<name>). */
  runDir?: string;
  /** Where the finished agent goes (default data/checkpoints/<name>); null: do not ship. */
  shipDir?: string | null;
  /** Morphologies per test set for the final evaluation (default 100). */
  evalMorphologies?: number;
  /** The command line that started the run, for the manifest. */
  command?: string;
  /** Called after every iteration (progress display). */
  onIteration?: (log: IterationLog, etaSeconds: number) => void;
  /** Stop after this many iterations in this call (tests: simulate an interruption). */
  maxIterations?: number;
}

export function runName(config: AgentConfig): string {
  return `ant-${config.policy}-sigma${config.sigma}-seed${config.seed}`;
}

interface RunExtra {
  totalSteps: number;
  ppoOptions: PpoOptions;
  log: IterationLog[];
  wallSeconds: number;
}

/** HEAD, with "+uncommitted" when lib/ or scripts/ differ from it. */
function gitCommit(): string {
  const git = (args: string) => execSync(`git ${args}`, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  try {
    const head = git("rev-parse HEAD");
    return git("status --porcelain -- lib scripts") ? `${head}+uncommitted` : head;
  } catch {
    return "unknown";
  }
}

export interface TrainResult {
  runDir: string;
  shipDir: string | null;
  log: IterationLog[];
  finished: boolean;
  evaluation: Record<string, EvaluationSummary> | null;
}

export async function trainAnt(options: TrainOptions): Promise<TrainResult> {
  await initBackend({ quiet: true });
  // The commit of the code that trains (taken now: the tree may move on while a long run goes).
  const codeCommit = gitCommit();
  const { config } = options;
  const name = runName(config);
  const runDir = options.runDir ?? path.join(ROOT, "out", "runs", name);
  const checkpointDir = path.join(runDir, "checkpoint");
  const policy = createPolicy(config);
  const threads = options.threads ?? 2;
  const numEnvs = options.ppo?.numEnvs ?? 16;
  const env = await AntVecEnv.create({ numEnvs, seed: config.seed, threads, morphology: { kind: "sigma", sigma: config.sigma } });
  const ppo = new Ppo(policy, env, inputBuilder(config.policy), OBSERVATION_SIZE, { ...options.ppo, numEnvs }, config.seed);
  let log: IterationLog[] = [];
  let wallSeconds = 0;

  if (hasCheckpoint(checkpointDir)) {
    const { tensors, state } = loadCheckpoint<AgentCheckpointState>(checkpointDir);
    if (JSON.stringify(state.config) !== JSON.stringify(config)) {
      throw new Error(`the run folder ${runDir} holds a different run (${JSON.stringify(state.config)}); delete it or choose another --run-dir`);
    }
    restorePolicyWeights(checkpointDir, policy, tensors);
    restoreOptimizer(checkpointDir, ppo.optimizer, tensors);
    ppo.restore(state.ppo);
    const extra = state.extra as unknown as RunExtra;
    log = extra.log;
    wallSeconds = extra.wallSeconds;
    console.log(`resuming ${name} at step ${ppo.globalStep} (iteration ${ppo.iteration}) from ${checkpointDir}`);
  }

  const save = async () => {
    const extra: RunExtra = { totalSteps: options.totalSteps, ppoOptions: ppo.options, log, wallSeconds };
    saveTrainingCheckpoint(checkpointDir, policy, ppo.optimizer, { config, ppo: ppo.state(), extra: extra as unknown as Record<string, unknown> });
  };

  let stopRequested = false;
  const onSignal = () => { stopRequested = true; };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let lastSave = Date.now();
  let iterationsThisCall = 0;
  try {
    while (ppo.globalStep < options.totalSteps && !stopRequested) {
      const t0 = Date.now();
      const entry = ppo.iterate(options.totalSteps);
      wallSeconds += (Date.now() - t0) / 1000;
      log.push(entry);
      iterationsThisCall++;
      const eta = ((options.totalSteps - ppo.globalStep) / Math.max(1, ppo.globalStep)) * wallSeconds;
      options.onIteration?.(entry, eta);
      if (Date.now() - lastSave > (options.checkpointSeconds ?? 60) * 1000) {
        await save();
        lastSave = Date.now();
      }
      if (options.maxIterations !== undefined && iterationsThisCall >= options.maxIterations) break;
    }
    await save();
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await env.close();
  }
  const finished = ppo.globalStep >= options.totalSteps;
  if (!finished || options.shipDir === null) return { runDir, shipDir: null, log, finished, evaluation: null };

  const act = deterministicActor(policy, ppo.obsRms, inputBuilder(config.policy));
  const evaluation: Record<string, EvaluationSummary> = {};
  for (const sigma of TEST_SIGMAS) {
    evaluation[`sigma_${sigma}`] = await evaluateOnMorphologies(act, loadTestSet(sigma, options.evalMorphologies ?? 100), { seed: 777, threads });
    const e = evaluation[`sigma_${sigma}`];
    console.log(`test σ=${sigma}: return ${e.meanReturn.toFixed(1)} ± ${e.semReturn.toFixed(1)}, speed ${e.meanForwardSpeed.toFixed(3)} m/s, falls ${(100 * e.fallRate).toFixed(0)} %`);
  }
  const shipDir = options.shipDir ?? path.join(ROOT, "data", "checkpoints", name);
  saveAgent(shipDir, policy, { config, ppo: ppo.state(), extra: { ppoOptions: ppo.options } });
  const stripPerMorphology = (e: EvaluationSummary) => ({ ...e, perMorphology: e.perMorphology.map((m) => ({ return: +m.return.toFixed(2), distance: +m.distance.toFixed(3), forwardSpeed: +m.forwardSpeed.toFixed(4), length: m.length, fell: m.fell })) });
  const manifest = {
    name,
    command: options.command ?? "trainAnt()",
    config,
    env_steps: ppo.globalStep,
    iterations: ppo.iteration,
    wall_seconds: Math.round(wallSeconds),
    backend: backendReport()?.name ?? "unknown",
    code_commit: codeCommit,
    ppo: ppo.options,
    evaluation: Object.fromEntries(Object.entries(evaluation).map(([k, e]) => [k, stripPerMorphology(e)])),
    written_at: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(shipDir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  fs.writeFileSync(path.join(shipDir, "training-log.jsonl"), log.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return { runDir, shipDir, log, finished, evaluation };
}
