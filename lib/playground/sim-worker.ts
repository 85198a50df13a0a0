/**
 * The playground's simulation, in a Web Worker: MuJoCo's WebAssembly build steps one Ant per chosen policy, all on
 * the same body, each driven by a shipped checkpoint on TensorFlow.js (wasm). The library's own code does the work —
 * the Ant and its MJCF (lib/rl/env/ant.ts), the input rows (lib/rl/policies/inputs.ts), the policies (lib/rl/policies) and the
 * checkpoint format (lib/tf/checkpoint-format.ts) — so what runs here is what the notebooks evaluate. Deterministic
 * actions (the policy's mean), as in evaluation; an episode that ends (a fall, the 1000-step limit, a simulation
 * that went unstable) restarts on the same body and says why.
 */
import mujocoFactory from "mujoco-js";
import { agentFromArrays, AgentCheckpointState, inputsFor, LoadedAgent } from "../rl/learning/agent-core";
import { AntEnv, STEP_SECONDS } from "../rl/env/ant";
import { AgentInputs } from "../rl/policies/inputs";
import { useMujocoFactory } from "../rl/env/mujoco";
import { Morphology, MORPHOLOGY_PARAMETER_NAMES, morphologyVector, NOMINAL, validateMorphology } from "../rl/env/morphology";
import type { AdaptivePolicy } from "../rl/policies/adaptive";
import type { DmapPolicy } from "../rl/policies/dmap";
import { checkpointArrays, parseCheckpointIndex } from "../tf/checkpoint-format";
import { initBackend, tf } from "../tf/browser";
import { AntFrame, BODY_LIMIT, CheckpointInfo, FromWorker, ToWorker } from "./protocol";

useMujocoFactory(mujocoFactory as unknown as Parameters<typeof useMujocoFactory>[0]);

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
const say = (level: "info" | "error", text: string) => post({ type: "message", level, text });

interface Ant {
  info: CheckpointInfo;
  agent: LoadedAgent;
  env: AntEnv;
  inputs: AgentInputs;
  observation: Float32Array;
  starting: boolean;
  episodeReturn: number;
  episodeSteps: number;
  episodes: number;
  falls: number;
  startX: number;
  x: number;
  attention?: number[][];
  latent?: { estimate: number[]; truth: number[] };
}

let base = "./";
let catalogue: CheckpointInfo[] = [];
const loaded = new Map<string, LoadedAgent>();
let ants: Ant[] = [];
let body: Morphology = NOMINAL;
let running = true;
let speed = 1;
let simSeconds = 0;
let episodeSeed = 1;
/** Wall time and simulated time of the recent past, for the simulation rate. */
const rateWindow: { wall: number; sim: number }[] = [];

async function fetchAgent(info: CheckpointInfo): Promise<LoadedAgent> {
  const cached = loaded.get(info.name);
  if (cached) return cached;
  const dir = `${base}checkpoints/${info.name}/`;
  const [indexResponse, weightsResponse] = await Promise.all([fetch(dir + "checkpoint.json"), fetch(dir + "weights.bin")]);
  if (!indexResponse.ok || !weightsResponse.ok) {
    throw new Error(`checkpoint ${info.name} could not be fetched (checkpoint.json: HTTP ${indexResponse.status}, weights.bin: HTTP ${weightsResponse.status})`);
  }
  const index = parseCheckpointIndex(await indexResponse.text(), info.name);
  const bytes = new Uint8Array(await weightsResponse.arrayBuffer());
  const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
  const { tensors, state } = checkpointArrays<AgentCheckpointState>(index, bytes, digest, info.name);
  const agent = agentFromArrays(tensors, state, info.name, info.policy);
  loaded.set(info.name, agent);
  return agent;
}

function startEpisode(ant: Ant): void {
  ant.observation = ant.env.reset(episodeSeed++);
  ant.starting = true;
  ant.episodeReturn = 0;
  ant.episodeSteps = 0;
  ant.startX = ant.x = 0;
}

async function choosePolicies(names: string[]): Promise<void> {
  const next: Ant[] = [];
  for (const name of names) {
    const info = catalogue.find((c) => c.name === name);
    try {
      if (!info) throw new Error(`no shipped checkpoint is called ${name}`);
      const agent = await fetchAgent(info);
      const env = await AntEnv.create(body);
      const ant: Ant = { info, agent, env, inputs: inputsFor(agent.config, 1, agent.obsRms), observation: new Float32Array(28), starting: true,
        episodeReturn: 0, episodeSteps: 0, episodes: 0, falls: 0, startX: 0, x: 0 };
      startEpisode(ant);
      next.push(ant);
    } catch (e) {
      say("error", `${name} was not loaded: ${e instanceof Error ? e.message : String(e)}. The other ants go on.`);
    }
  }
  for (const a of ants) a.env.dispose();
  ants = next;
  post({ type: "loaded", names: ants.map((a) => a.info.name) });
}

function changeBody(m: Morphology): void {
  try {
    validateMorphology(m);
    const bad = morphologyVector(m).map((v, i) => [v, i] as const).filter(([v]) => Math.abs(v) > BODY_LIMIT + 1e-9);
    if (bad.length) {
      throw new Error(`${bad.map(([v, i]) => `${MORPHOLOGY_PARAMETER_NAMES[i]} ${v > 0 ? "+" : ""}${(100 * v).toFixed(0)} %`).join(", ")} is outside the playground's ±${100 * BODY_LIMIT} %`);
    }
  } catch (e) {
    say("error", `That body was not applied: ${e instanceof Error ? e.message : String(e)}. The ants keep their body.`);
    return;
  }
  body = m;
  // Mid-walk, as a changed leg would: every joint angle and velocity carries over to the new body.
  for (const a of ants) a.observation = a.env.changeBody(m);
}

const MORPHOLOGY = () => Float32Array.from(morphologyVector(body));

/** One environment step of every ant. */
function stepAll(recordDetails: boolean): void {
  for (const a of ants) {
    const rows = a.inputs.rows(a.observation, MORPHOLOGY(), Uint8Array.of(a.starting ? 1 : 0), false);
    a.starting = false;
    const { mean, attention, latent } = tf.tidy(() => {
      const x = tf.tensor2d(rows, [1, a.agent.policy.inputSize]);
      const policy = a.agent.policy;
      const out: { mean: Float32Array; attention?: number[][]; latent?: { estimate: number[]; truth: number[] } } = {
        mean: policy.distribution(x).mean.dataSync() as Float32Array,
      };
      if (recordDetails && a.info.policy === "dmap") out.attention = (policy as DmapPolicy).attention(x).arraySync()[0] as number[][];
      if (recordDetails && a.info.policy === "rma") {
        const p = policy as AdaptivePolicy;
        out.latent = { estimate: Array.from(p.latent(x).dataSync()), truth: Array.from(p.morphologyLatent(x).dataSync()) };
      }
      return out;
    });
    const action = mean.map((v) => Math.max(-1, Math.min(1, v)));
    a.inputs.recordActions(action);
    const r = a.env.step(action);
    if (attention) a.attention = attention;
    if (latent) a.latent = latent;
    a.episodeReturn += r.reward;
    a.episodeSteps++;
    a.x = r.info.x;
    a.observation = r.observation;
    if (r.info.unstable) {
      say("info", `${a.info.name}: the simulation went unstable (accelerations blew up); its episode restarted on the same body.`);
      a.episodes++;
      startEpisode(a);
    } else if (r.terminated || r.truncated) {
      a.episodes++;
      if (r.terminated) a.falls++;
      startEpisode(a);
    }
  }
  simSeconds += STEP_SECONDS;
}

function frame(): void {
  const now = performance.now();
  rateWindow.push({ wall: now, sim: simSeconds });
  while (rateWindow.length > 2 && now - rateWindow[0].wall > 2000) rateWindow.shift();
  const first = rateWindow[0];
  const simRate = now > first.wall ? (simSeconds - first.sim) / ((now - first.wall) / 1000) : 0;
  const out: AntFrame[] = ants.map((a) => ({
    name: a.info.name, policy: a.info.policy,
    geoms: a.env.geoms().filter((g) => g.type !== "plane").map(({ type, pos, mat, size }) => ({ type, pos, mat, size })),
    episodeReturn: a.episodeReturn, episodeSteps: a.episodeSteps,
    forwardSpeed: a.episodeSteps ? (a.x - a.startX) / (a.episodeSteps * STEP_SECONDS) : 0,
    episodes: a.episodes, falls: a.falls, attention: a.attention, latent: a.latent,
  }));
  post({ type: "frame", ants: out, simSeconds, simRate, running, body });
}

let last = performance.now();
let owed = 0;
function tick(): void {
  const now = performance.now();
  const elapsed = Math.min(0.1, (now - last) / 1000);
  last = now;
  if (running && ants.length) {
    owed += (elapsed * speed) / STEP_SECONDS;
    const started = performance.now();
    let n = 0;
    // Catch up with the clock, but never block the worker for more than ~40 ms per tick (a slow machine falls behind).
    while (owed >= 1 && performance.now() - started < 40) {
      stepAll(owed < 2);
      owed--;
      n++;
    }
    if (owed > 4) owed = 4;
    if (n === 0 && owed < 1) { /* waiting for the next step */ }
  }
  frame();
}

// Messages are handled one after another: a policy change that arrives while the backend starts waits for it.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(m: ToWorker): Promise<void> {
  try {
    switch (m.type) {
      case "init": {
        base = m.base;
        catalogue = m.checkpoints;
        const backend = await initBackend({ wasmPath: `${base}tfjs/`, onFallback: (why) => say("info", `TensorFlow.js runs on plain JavaScript: ${why}.`) });
        post({ type: "ready", backend });
        setInterval(tick, 16);
        break;
      }
      case "policies": await choosePolicies(m.names); break;
      case "body": changeBody(m.morphology); break;
      case "run": running = true; speed = m.speed; break;
      case "pause": running = false; break;
      case "step": running = false; if (ants.length) stepAll(true); break;
      case "restart": for (const a of ants) { a.episodes++; startEpisode(a); } break;
      case "kick": {
        const a = ants[0];
        if (a) (a.env as unknown as { data: { qvel: Float64Array } }).data.qvel.fill(1e9);
        break;
      }
    }
  } catch (e) {
    say("error", e instanceof Error ? e.message : String(e));
  }
}
