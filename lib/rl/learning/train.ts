/**
 * Training an Ant agent, resumable: the run folder (out/runs/<name>/) holds an atomic checkpoint of everything
 * needed to continue (weights, Adam moments, normalisers, counters, the learning curve), written every
 * `checkpointSeconds` and when the process is asked to stop (SIGINT/SIGTERM). Killed at any moment, the run
 * continues from its last checkpoint; episodes in progress then restart. At the end the agent is evaluated on the
 * shipped test sets and written, with a manifest, to data/checkpoints/<name>/.
 *
 * Every policy kind trains with the same PPO (lib/rl/learning/ppo.ts), except RMA, whose phase 2 (lib/rl/learning/rma.ts) regresses
 * the adaptation module on the frozen Oracle's latent; both are a `Learner` to the loop below.
 */
import * as fs from "fs";
import * as path from "path";
import { backendReport, BackendName, initBackend } from "../../tf";
import { gitCommit, hasCheckpoint, loadCheckpoint } from "../../tf/checkpoint";
import type { FlatAdam } from "./adam";
import {
  AgentCheckpointState, AgentConfig, createPolicy, deterministicActor, inputsFor, inputSpec, loadAgent, restoreOptimizer,
  restorePolicyWeights, saveAgent, saveTrainingCheckpoint,
} from "./agent";
import { EVALUATION_SEED, evaluateOnMorphologies, EvaluationSummary } from "../env/evaluate";
import { RunningMeanStd } from "../policies/normalize";
import { AdaptivePolicy } from "../policies/adaptive";
import type { ActorCritic } from "../policies/gaussian-mlp";
import { IterationLog, Ppo, PpoOptions, PpoState } from "./ppo";
import { AdaptationLog, AdaptationOptions, AdaptationTrainer, latentConvergence, LatentConvergence } from "./rma";
import { loadTestSet, TEST_SIGMAS } from "../env/test-sets";
import { AntVecEnv } from "../env/vec-env";
import { stopOnSignal } from "../../util/stop-signal";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export type TrainLog = IterationLog | AdaptationLog;

export interface TrainOptions {
  config: AgentConfig;
  totalSteps: number;
  ppo?: Partial<PpoOptions>;
  /** RMA phase 2's options. */
  adaptation?: Partial<AdaptationOptions>;
  /** RMA: the Oracle checkpoint whose policy and encoder phase 2 starts from (default data/checkpoints/ant-oracle-…). */
  teacher?: string;
  /** Simulation worker threads (default 2). */
  threads?: number;
  checkpointSeconds?: number;
  /** Run folder (default out/runs/<name>). */
  runDir?: string;
  /** Where the finished agent goes (default data/checkpoints/<name>); null: do not ship. */
  shipDir?: string | null;
  /** Morphologies per test set for the final evaluation (default 100; 0: none, as pilots, which never see the test sets). */
  evalMorphologies?: number;
  /** The command line that started the run, for the manifest. */
  command?: string;
  /** Called after every iteration (progress display). */
  onIteration?: (log: TrainLog, etaSeconds: number) => void;
  /** Stop after this many iterations in this call (tests: simulate an interruption). */
  maxIterations?: number;
}

export function runName(config: AgentConfig): string {
  return `ant-${config.policy}-sigma${config.sigma}-seed${config.seed}`;
}

/** The Oracle that RMA's phase 2 of this config starts from, by default. */
export function defaultTeacher(config: AgentConfig): string {
  return path.join(ROOT, "data", "checkpoints", runName({ ...config, policy: "oracle" }));
}

/**
 * The backend a kind trains fastest on here (`npm run bench`, PPO loops on both backends in one run, see
 * environment.md): the Simple MLP's loop is faster on wasm (small matrices: native TensorFlow's per-call overhead
 * dominates), the Oracle's (its 256-128 morphology encoder) and the history encoders' on native TensorFlow.
 * TFJS_BACKEND overrides.
 */
export function preferredBackend(config: AgentConfig): BackendName {
  return config.policy === "simple" ? "wasm" : "tensorflow";
}

/** What the training loop drives: PPO, or RMA's phase 2. */
interface Learner {
  readonly optimizer: FlatAdam;
  readonly globalStep: number;
  readonly iteration: number;
  readonly options: object;
  iterate(totalSteps: number): TrainLog;
  state(): PpoState;
  restore(state: PpoState): void;
}

interface RunExtra {
  totalSteps: number;
  options: object;
  log: TrainLog[];
  wallSeconds: number;
  teacher?: string;
}

export interface TrainResult {
  runDir: string;
  shipDir: string | null;
  log: TrainLog[];
  finished: boolean;
  evaluation: Record<string, EvaluationSummary> | null;
}

/** The policy and learner of a run, freshly initialised (RMA: from its Oracle). */
function setUp(options: TrainOptions, env: AntVecEnv): { policy: ActorCritic; learner: Learner; teacher?: string } {
  const { config } = options;
  const policy = createPolicy(config);
  if (config.policy !== "rma") {
    const inputs = inputsFor(config, env.numEnvs, options.ppo?.normObs === false ? null : undefined);
    return { policy, learner: new Ppo(policy, env, inputs, { ...options.ppo, numEnvs: env.numEnvs }, config.seed) };
  }
  const teacher = options.teacher ?? defaultTeacher(config);
  if (!fs.existsSync(teacher)) {
    throw new Error(`RMA phase 2 starts from a trained Oracle, and ${teacher} does not exist: train it first ` +
      `(npm run train:ant -- --policy oracle --sigma ${config.sigma} --seed ${config.seed}) or give --from <oracle checkpoint>`);
  }
  const oracle = loadAgent(teacher, "oracle");
  for (const key of ["sigma", "hidden"] as const) {
    if (JSON.stringify(oracle.config[key]) !== JSON.stringify(config[key])) {
      throw new Error(`RMA phase 2: the Oracle ${teacher} was trained with ${key} ${JSON.stringify(oracle.config[key])}, this run asks for ${JSON.stringify(config[key])}`);
    }
  }
  // π, its log std, the critic and μ come from the Oracle (same order); φ starts fresh.
  const saved = loadCheckpoint(teacher).tensors;
  restorePolicyWeights(teacher, policy, saved, oracle.policy.variables.length);
  oracle.policy.dispose();
  const inputs = inputsFor(config, env.numEnvs, oracle.obsRms);
  return { policy, teacher, learner: new AdaptationTrainer(policy as AdaptivePolicy, env, inputs, { ...options.adaptation, numEnvs: env.numEnvs }, config.seed) };
}

/**
 * A run resumes only under the budget and learner settings it was started with: a changed plan must not mix
 * silently into an old run (its learning curve and manifest would describe neither setting).
 */
export function checkSamePlan(runDir: string, saved: Pick<RunExtra, "totalSteps" | "options">, totalSteps: number, options: object): void {
  const differences: string[] = [];
  if (saved.totalSteps !== totalSteps) differences.push(`budget ${saved.totalSteps} env steps → ${totalSteps}`);
  const before = saved.options as Record<string, unknown>, now = options as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    if (JSON.stringify(before[key]) !== JSON.stringify(now[key])) differences.push(`${key} ${JSON.stringify(before[key])} → ${JSON.stringify(now[key])}`);
  }
  if (differences.length) {
    throw new Error(`the run folder ${runDir} was started with other settings than this command's (${differences.join("; ")}). ` +
      `Run the command it was started with to resume it, or delete the folder (or give --run-dir) to start the new setting afresh`);
  }
}

export async function trainAnt(options: TrainOptions): Promise<TrainResult> {
  const { config } = options;
  await initBackend({ quiet: true, prefer: preferredBackend(config) });
  // The commit of the code that trains (taken now: the tree may move on while a long run goes).
  const codeCommit = gitCommit(ROOT);
  const name = runName(config);
  const runDir = options.runDir ?? path.join(ROOT, "out", "runs", name);
  const checkpointDir = path.join(runDir, "checkpoint");
  const threads = options.threads ?? 2;
  const numEnvs = options.ppo?.numEnvs ?? options.adaptation?.numEnvs ?? 16;
  const env = await AntVecEnv.create({ numEnvs, seed: config.seed, threads, morphology: { kind: "sigma", sigma: config.sigma } });
  let policy: ActorCritic | undefined;
  try {
    const built = setUp(options, env);
    policy = built.policy;
    const { learner, teacher } = built;
    let log: TrainLog[] = [];
    let wallSeconds = 0;

    if (hasCheckpoint(checkpointDir)) {
      const { tensors, state } = loadCheckpoint<AgentCheckpointState>(checkpointDir);
      if (JSON.stringify(state.config) !== JSON.stringify(config)) {
        throw new Error(`the run folder ${runDir} holds a different run (${JSON.stringify(state.config)}); delete it or choose another --run-dir`);
      }
      const extra = state.extra as unknown as RunExtra;
      checkSamePlan(runDir, extra, options.totalSteps, learner.options);
      restorePolicyWeights(checkpointDir, policy, tensors);
      restoreOptimizer(checkpointDir, learner.optimizer, tensors);
      learner.restore(state.ppo);
      log = extra.log;
      wallSeconds = extra.wallSeconds;
      console.log(`resuming ${name} at step ${learner.globalStep} (iteration ${learner.iteration}) from ${checkpointDir}`);
    }

    const save = () => {
      const extra: RunExtra = { totalSteps: options.totalSteps, options: learner.options, log, wallSeconds, ...(teacher ? { teacher } : {}) };
      saveTrainingCheckpoint(checkpointDir, policy!, learner.optimizer, { config, ppo: learner.state(), extra: extra as unknown as Record<string, unknown> });
    };

    const signal = stopOnSignal();
    let lastSave = Date.now();
    let iterationsThisCall = 0;
    // The ETA extrapolates this call's own speed: a resumed run may have trained beside other work before.
    const callStart = { step: learner.globalStep, seconds: wallSeconds };
    try {
      while (learner.globalStep < options.totalSteps && !(await signal.stopRequested())) {
        const t0 = Date.now();
        const entry = learner.iterate(options.totalSteps);
        wallSeconds += await signal.stepSeconds(t0); // without a suspension (SIGSTOP, Ctrl+Z) during the iteration
        log.push(entry);
        iterationsThisCall++;
        const eta = ((options.totalSteps - learner.globalStep) / Math.max(1, learner.globalStep - callStart.step)) * (wallSeconds - callStart.seconds);
        options.onIteration?.(entry, eta);
        if (Date.now() - lastSave > (options.checkpointSeconds ?? 60) * 1000) {
          save();
          lastSave = Date.now();
        }
        if (options.maxIterations !== undefined && iterationsThisCall >= options.maxIterations) break;
      }
      save();
    } finally {
      signal.dispose();
    }
    const finished = learner.globalStep >= options.totalSteps;
    if (!finished || options.shipDir === null) return { runDir, shipDir: null, log, finished, evaluation: null };

    const obsRms = learner.state().obsRms;
    const act = deterministicActor(policy, config, obsRms ? RunningMeanStd.fromJSON(obsRms) : null);
    const evaluation: Record<string, EvaluationSummary> = {};
    for (const sigma of options.evalMorphologies === 0 ? [] : TEST_SIGMAS) {
      evaluation[`sigma_${sigma}`] = await evaluateOnMorphologies(act, loadTestSet(sigma, options.evalMorphologies ?? 100), { seed: EVALUATION_SEED, threads });
      const e = evaluation[`sigma_${sigma}`];
      console.log(`test σ=${sigma}: return ${e.meanReturn.toFixed(1)} ± ${e.semReturn.toFixed(1)}, speed ${e.meanForwardSpeed.toFixed(3)} m/s, falls ${(100 * e.fallRate).toFixed(0)} %`);
    }
    let phase2: { rounds: { round: number; env_steps: number; error_on_policy: number; error_train: number }[]; convergence: LatentConvergence } | undefined;
    if (config.policy === "rma" && options.evalMorphologies !== 0) {
      const convergence = await latentConvergence(policy as AdaptivePolicy, obsRms ? RunningMeanStd.fromJSON(obsRms) : null, loadTestSet(config.sigma, Math.min(20, options.evalMorphologies ?? 100)), { seed: EVALUATION_SEED });
      phase2 = {
        rounds: (log as AdaptationLog[]).map((l) => ({ round: l.iteration, env_steps: l.globalStep, error_on_policy: +l.latentErrorOnPolicy.toPrecision(4), error_train: +l.latentErrorTrain.toPrecision(4) })),
        convergence,
      };
      console.log(`phase 2: on-policy latent error ${phase2.rounds[0]?.error_on_policy} (round 1) → ${phase2.rounds[phase2.rounds.length - 1]?.error_on_policy} (round ${phase2.rounds.length}); ` +
        (convergence.medianSteps < 0 ? `ẑ did not settle within ${convergence.threshold.toFixed(3)} of z for most bodies`
          : `ẑ within ${convergence.threshold.toFixed(3)} of z after a median ${convergence.medianSteps} steps (${convergence.medianSeconds.toFixed(2)} s)`));
    }
    const shipDir = options.shipDir ?? path.join(ROOT, "data", "checkpoints", name);
    saveAgent(shipDir, policy, { config, ppo: learner.state(), extra: { options: learner.options, ...(teacher ? { teacher: path.relative(ROOT, teacher) } : {}) } });
    const stripPerMorphology = (e: EvaluationSummary) => ({ ...e, perMorphology: e.perMorphology.map((m) => ({ return: +m.return.toFixed(2), distance: +m.distance.toFixed(3), forwardSpeed: +m.forwardSpeed.toFixed(4), length: m.length, fell: m.fell })) });
    const manifest = {
      // The shipped folder's name: the run's (ant-…), or a pilot's variant (pilot-…).
      name: path.basename(shipDir),
      command: options.command ?? "trainAnt()",
      config,
      env_steps: learner.globalStep,
      iterations: learner.iteration,
      wall_seconds: Math.round(wallSeconds),
      backend: backendReport()?.name ?? "unknown",
      code_commit: codeCommit,
      [config.policy === "rma" ? "adaptation" : "ppo"]: learner.options,
      ...(teacher ? { teacher: path.relative(ROOT, teacher) } : {}),
      ...(phase2 ? { rma_phase2: phase2 } : {}),
      evaluation: Object.fromEntries(Object.entries(evaluation).map(([k, e]) => [k, stripPerMorphology(e)])),
      written_at: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(shipDir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
    fs.writeFileSync(path.join(shipDir, "training-log.jsonl"), log.map((l) => JSON.stringify(l)).join("\n") + "\n");
    return { runDir, shipDir, log, finished, evaluation };
  } finally {
    policy?.dispose();
    await env.close();
  }
}
