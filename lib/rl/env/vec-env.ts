/**
 * Vectorised Ant environments: N bodies stepped together, with automatic reset at the end of an episode
 * (a new morphology drawn at each reset when training at σ > 0), and the statistics of finished episodes.
 *
 * The same `EnvSlice` code steps a contiguous range of environments, either in this thread
 * (`threads: 0`) or in worker threads that share the step buffers (SharedArrayBuffer + Atomics), so the
 * simulation of the two halves runs on both cores and results are identical to the single-thread run for
 * the same seeds: every environment's episode seeds and morphologies depend only on (seed, env index,
 * episode number), never on which thread steps it. `seedIndices` gives environments the index their seeds are
 * drawn with, so that several evaluations packed into one vector (lib/rl/env/evaluate.ts) each see the episodes
 * they would see alone.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import { ACTION_SIZE, AntEnv, OBSERVATION_SIZE, STEP_SECONDS } from "./ant";
import { Morphology, NOMINAL, sampleMorphology, validateMorphology, validateSigma, morphologyVector } from "./morphology";
import { rng } from "../../util/random";

/** How each environment chooses its body at every reset: drawn anew at σ, or env i always gets morphologies[i mod n]. */
export type MorphologySource =
  | { kind: "sigma"; sigma: number }
  | { kind: "fixed"; morphologies: Morphology[] };

export interface VecEnvOptions {
  numEnvs: number;
  seed: number;
  morphology?: MorphologySource;
  /** Worker threads for simulation (0 = step in this thread). Default: 0 for one env, else 2. */
  threads?: number;
  maxSteps?: number;
  /** The env index each environment's episode seeds and drawn bodies use (default: its own index). */
  seedIndices?: readonly number[];
}

/** Buffers one step reads and writes (shared with workers). */
interface StepBuffers {
  actions: Float32Array; // N×8
  observations: Float32Array; // N×28 (after auto-reset: the first observation of the new episode)
  finalObservations: Float32Array; // N×28, valid where truncated
  morphologies: Float32Array; // N×9, the body of the current episode
  rewards: Float64Array; // N
  flags: Uint8Array; // N: bit 0 terminated, bit 1 truncated, bit 2 fell, bit 3 unstable
  episodeReturn: Float64Array; // N, valid where an episode ended this step
  episodeLength: Int32Array;
  episodeDistance: Float64Array; // forward (x) distance of the finished episode, m
}

function allocate(n: number, shared: boolean): { buffers: StepBuffers; raw: ArrayBufferLike[] } {
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const raw = [
    make(n * ACTION_SIZE * 4), make(n * OBSERVATION_SIZE * 4), make(n * OBSERVATION_SIZE * 4), make(n * 9 * 4),
    make(n * 8), make(n), make(n * 8), make(n * 4), make(n * 8),
  ];
  return { buffers: view(raw), raw };
}

function view(raw: ArrayBufferLike[]): StepBuffers {
  return {
    actions: new Float32Array(raw[0]), observations: new Float32Array(raw[1]), finalObservations: new Float32Array(raw[2]),
    morphologies: new Float32Array(raw[3]), rewards: new Float64Array(raw[4]), flags: new Uint8Array(raw[5]),
    episodeReturn: new Float64Array(raw[6]), episodeLength: new Int32Array(raw[7]), episodeDistance: new Float64Array(raw[8]),
  };
}

/** Seed of episode `episode` of environment `env` (independent of threading). */
export function episodeSeed(seed: number, env: number, episode: number): number {
  return (seed * 7919 + env * 104729 + episode * 15485863) % 2147483647;
}

/** Steps environments [lo, hi) of the buffers. Used in this thread and inside workers alike. */
export class EnvSlice {
  private envs: AntEnv[] = [];
  private episodes: number[] = [];
  private returns: number[] = [];
  private lengths: number[] = [];

  private constructor(private readonly lo: number, private readonly hi: number, private readonly seed: number,
    private readonly source: MorphologySource, private readonly b: StepBuffers, private readonly seedIndices?: readonly number[]) {}

  static async create(lo: number, hi: number, seed: number, source: MorphologySource, b: StepBuffers, maxSteps?: number,
    seedIndices?: readonly number[]): Promise<EnvSlice> {
    const s = new EnvSlice(lo, hi, seed, source, b, seedIndices);
    for (let i = lo; i < hi; i++) {
      s.envs.push(await AntEnv.create(NOMINAL, { maxSteps }));
      s.episodes.push(0);
      s.returns.push(0);
      s.lengths.push(0);
    }
    return s;
  }

  private morphologyFor(env: number, episode: number): Morphology {
    if (this.source.kind === "fixed") return this.source.morphologies[env % this.source.morphologies.length];
    if (this.source.sigma === 0) return NOMINAL;
    return sampleMorphology(this.source.sigma, rng(episodeSeed(this.seed, this.seedIndices?.[env] ?? env, episode) + 1));
  }

  private begin(k: number): void {
    const i = this.lo + k;
    const env = this.envs[k];
    const episode = this.episodes[k];
    const m = this.morphologyFor(i, episode);
    if (m !== env.morphology) env.setMorphology(m);
    const obs = env.reset(episodeSeed(this.seed, this.seedIndices?.[i] ?? i, episode));
    this.b.observations.set(obs, i * OBSERVATION_SIZE);
    this.b.morphologies.set(morphologyVector(m), i * 9);
    this.returns[k] = 0;
    this.lengths[k] = 0;
  }

  resetAll(): void {
    for (let k = 0; k < this.envs.length; k++) this.begin(k);
  }

  step(): void {
    const b = this.b;
    for (let k = 0; k < this.envs.length; k++) {
      const i = this.lo + k;
      const r = this.envs[k].step(b.actions.subarray(i * ACTION_SIZE, (i + 1) * ACTION_SIZE));
      b.rewards[i] = r.reward;
      this.returns[k] += r.reward;
      this.lengths[k]++;
      b.flags[i] = (r.terminated ? 1 : 0) | (r.truncated ? 2 : 0) | (r.info.fell ? 4 : 0) | (r.info.unstable ? 8 : 0);
      if (r.terminated || r.truncated) {
        b.finalObservations.set(r.observation, i * OBSERVATION_SIZE);
        b.episodeReturn[i] = this.returns[k];
        b.episodeLength[i] = this.lengths[k];
        b.episodeDistance[i] = r.info.x;
        this.episodes[k]++;
        this.begin(k);
      } else {
        b.observations.set(r.observation, i * OBSERVATION_SIZE);
      }
    }
  }

  dispose(): void {
    for (const e of this.envs) e.dispose();
  }
}

/** A finished episode. */
export interface EpisodeStats {
  env: number;
  return: number;
  length: number;
  /** Forward distance along +x (m). */
  distance: number;
  fell: boolean;
  unstable: boolean;
}

export interface VecStep {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Last observation of episodes truncated this step (row i valid where truncated[i]). */
  finalObservations: Float32Array;
  finished: EpisodeStats[];
}

const CMD_IDLE = 0, CMD_RESET = 1, CMD_STEP = 2, CMD_EXIT = 3;

export class AntVecEnv {
  readonly numEnvs: number;
  readonly dt = STEP_SECONDS;
  private readonly b: StepBuffers;
  private local?: EnvSlice;
  private workers: Worker[] = [];
  private control?: Int32Array; // per worker: [command, done]

  private constructor(readonly options: VecEnvOptions, b: StepBuffers) {
    this.numEnvs = options.numEnvs;
    this.b = b;
  }

  static async create(options: VecEnvOptions): Promise<AntVecEnv> {
    const n = options.numEnvs;
    if (!Number.isInteger(n) || n < 1) throw new Error(`AntVecEnv: numEnvs must be a positive integer, got ${n}`);
    const source = options.morphology ?? { kind: "sigma", sigma: 0 };
    if (source.kind === "sigma") validateSigma(source.sigma);
    else {
      if (source.morphologies.length === 0) throw new Error("AntVecEnv: a fixed morphology list must not be empty");
      source.morphologies.forEach(validateMorphology);
    }
    const seedIndices = options.seedIndices;
    if (seedIndices && (seedIndices.length !== n || !seedIndices.every((k) => Number.isInteger(k) && k >= 0))) {
      throw new Error(`AntVecEnv: seedIndices must be ${n} non-negative integers (one per environment), got ${seedIndices.length} values`);
    }
    const threads = Math.min(options.threads ?? (n > 1 ? 2 : 0), n);
    const { buffers, raw } = allocate(n, threads > 0);
    const vec = new AntVecEnv({ ...options, morphology: source, threads }, buffers);
    if (threads === 0) {
      vec.local = await EnvSlice.create(0, n, options.seed, source, buffers, options.maxSteps, seedIndices);
    } else {
      const controlBuffer = new SharedArrayBuffer(threads * 2 * 4);
      vec.control = new Int32Array(controlBuffer);
      const bounds = Array.from({ length: threads + 1 }, (_, k) => Math.round((k * n) / threads));
      const workerFile = path.join(__dirname, "vec-env-worker.ts");
      const ready: Promise<void>[] = [];
      for (let k = 0; k < threads; k++) {
        // Workers load TypeScript through tsx's register hook, so this works from scripts, tests and tslab.
        const worker = new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(workerFile)});`, {
          eval: true,
          workerData: { raw, controlBuffer, index: k, lo: bounds[k], hi: bounds[k + 1], seed: options.seed, source, maxSteps: options.maxSteps, seedIndices },
        });
        ready.push(new Promise((resolve, reject) => {
          worker.once("message", (m) => (m === "ready" ? resolve() : reject(new Error(String(m)))));
          worker.once("error", reject);
        }));
        vec.workers.push(worker);
      }
      await Promise.all(ready);
    }
    return vec;
  }

  private run(command: number): void {
    if (this.local) {
      if (command === CMD_RESET) this.local.resetAll();
      else this.local.step();
      return;
    }
    const c = this.control!;
    for (let k = 0; k < this.workers.length; k++) {
      Atomics.store(c, 2 * k + 1, 0);
      Atomics.store(c, 2 * k, command);
      Atomics.notify(c, 2 * k);
    }
    for (let k = 0; k < this.workers.length; k++) {
      while (Atomics.load(c, 2 * k + 1) === 0) Atomics.wait(c, 2 * k + 1, 0, 1000);
      if (Atomics.load(c, 2 * k + 1) === 2) throw new Error(`simulation worker ${k} failed; see its error above`);
    }
  }

  /** Reset every environment; returns the N×28 observations. */
  reset(): Float32Array {
    this.run(CMD_RESET);
    return this.b.observations.slice();
  }

  /** Morphology vectors (N×9) of the current episodes. */
  morphologies(): Float32Array {
    return this.b.morphologies.slice();
  }

  /** Step all environments with N×8 actions. */
  step(actions: Float32Array): VecStep {
    if (actions.length !== this.numEnvs * ACTION_SIZE) {
      throw new Error(`AntVecEnv.step: expected ${this.numEnvs}×${ACTION_SIZE} actions, got ${actions.length} values`);
    }
    for (let i = 0; i < actions.length; i++) {
      if (!Number.isFinite(actions[i])) throw new Error(`AntVecEnv.step: action ${i % ACTION_SIZE} of env ${Math.floor(i / ACTION_SIZE)} is ${actions[i]}`);
    }
    this.b.actions.set(actions);
    this.run(CMD_STEP);
    const b = this.b;
    const terminated = new Uint8Array(this.numEnvs), truncated = new Uint8Array(this.numEnvs);
    const finished: EpisodeStats[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      terminated[i] = b.flags[i] & 1;
      truncated[i] = (b.flags[i] >> 1) & 1;
      if (terminated[i] || truncated[i]) {
        finished.push({ env: i, return: b.episodeReturn[i], length: b.episodeLength[i], distance: b.episodeDistance[i], fell: (b.flags[i] & 4) !== 0, unstable: (b.flags[i] & 8) !== 0 });
      }
    }
    return { observations: b.observations.slice(), rewards: b.rewards.slice(), terminated, truncated, finalObservations: b.finalObservations.slice(), finished };
  }

  async close(): Promise<void> {
    this.local?.dispose();
    if (this.control) {
      for (let k = 0; k < this.workers.length; k++) {
        Atomics.store(this.control, 2 * k, CMD_EXIT);
        Atomics.notify(this.control, 2 * k);
      }
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

export { view as stepBufferViews, CMD_IDLE, CMD_RESET, CMD_STEP, CMD_EXIT };
