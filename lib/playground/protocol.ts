/**
 * What the playground's page and its simulation worker say to each other (lib/playground/main.ts,
 * lib/playground/sim-worker.ts). One ant per chosen policy, all on the same body, each in its own MuJoCo simulation.
 */
import type { Morphology } from "../rl/env/morphology";

/** The playground lets a body part grow or shrink by at most this fraction (the issue's ±70 %). */
export const BODY_LIMIT = 0.7;

/** One shipped checkpoint, as listed in checkpoints/index.json (written when the playground is built). */
export interface CheckpointInfo {
  name: string;
  policy: "simple" | "oracle" | "rma" | "tcn" | "dmap";
  sigma: number;
  seed: number;
  /** Env steps of its training, and its return on its own σ's test set (from the manifest). */
  envSteps: number;
  testReturn: number | null;
}

export type ToWorker =
  | { type: "init"; base: string; checkpoints: CheckpointInfo[] }
  | { type: "policies"; names: string[] }
  | { type: "body"; morphology: Morphology }
  | { type: "run"; speed: number }
  | { type: "pause" }
  | { type: "step" }
  | { type: "restart" }
  /** Test hook: throw the first ant's body at an impossible speed, to show what an unstable simulation does. */
  | { type: "kick" };

export interface GeomPose {
  type: "sphere" | "capsule" | "plane";
  pos: number[];
  mat: number[];
  size: number[];
}

export interface AntFrame {
  name: string;
  policy: CheckpointInfo["policy"];
  geoms: GeomPose[];
  /** This episode so far. */
  episodeReturn: number;
  episodeSteps: number;
  /** Mean forward speed of this episode (m/s). */
  forwardSpeed: number;
  episodes: number;
  falls: number;
  /** DMAP: each joint's attention over the 36 input channels (8 × 36, rows sum to 1). */
  attention?: number[][];
  /** RMA: the adaptation module's estimate ẑ and the Oracle encoder's z of the true body (8 each). */
  latent?: { estimate: number[]; truth: number[] };
}

export type FromWorker =
  | { type: "ready"; backend: string }
  | { type: "loaded"; names: string[] }
  | { type: "frame"; ants: AntFrame[]; simSeconds: number; simRate: number; running: boolean; body: Morphology }
  | { type: "message"; level: "info" | "error"; text: string };
