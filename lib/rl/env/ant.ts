/**
 * The Ant with a changeable body, simulated in MuJoCo (WebAssembly build).
 *
 * Body: the classic MuJoCo Ant (a sphere torso, four legs of hip, thigh and shin capsules, 8 hinge joints
 * driven by motors of gear 150), generated from a `Morphology` (lib/rl/env/morphology.ts): the torso radius,
 * each leg's capsule radii and each leg's segment lengths scale by (1 + p), children moved to the new ends.
 * Physics: semi-implicit Euler (MuJoCo's default), 0.01 s timestep, 5 substeps per environment step (dt = 0.05 s).
 * The classic Ant uses RK4; in the WebAssembly build RK4 runs at ~7,800 steps/s against ~31,000 for Euler
 * on this machine, and joint damping, which Euler integrates implicitly, keeps the gait stable.
 *
 * Spaces (as DMAP's PyBullet Ant and the lecture): 8 actions in [−1, 1] (order: hip and ankle of front-left,
 * front-right, back-left, back-right); 28 observations:
 *   [0] torso height minus its height at reset; [1,2] sin and cos of the heading error to the target
 *   (1000 m along +x); [3..5] 0.3 × torso velocity in the yaw-aligned frame; [6,7] roll, pitch;
 *   [8..15] joint angles scaled to [−1, 1] over their ranges; [16..23] 0.1 × joint velocities (rad/s);
 *   [24..27] foot contacts: 1 if the tip of the leg touches the floor (a touch sensor on a sphere site of
 *   1.5 capsule radii at the end of the shin; PyBullet counts contact anywhere on the lower-leg link, which
 *   differs only when the ant rests on its shins); all clipped to [−5, 5].
 * Reward (PyBullet's WalkerBase, which DMAP used): progress toward the target in m/s, + alive bonus 1,
 *   − 2.0 × mean |a · scaled joint velocity| − 0.1 × mean a² (electricity and stall torque),
 *   − 0.1 × number of joints within 1 % of a limit.
 * Termination: the torso centre falls below its own radius + 0.01 m (PyBullet's 0.26 m for the nominal
 * 0.25 m torso, generalised to other torso sizes), or the simulation becomes unstable (non-finite state or
 * velocities above 1e3, or MuJoCo's own reset after diverging accelerations): then `info.unstable` is set
 * instead of training crashing. Truncation at 1000 steps.
 */
import { compileModel, loadMujoco, MainModule, MjData, MjModel } from "./mujoco";
import { LEG_NAMES, Morphology, NOMINAL, validateMorphology } from "./morphology";
import { rng } from "../../util/random";

export const OBSERVATION_SIZE = 28;
export const ACTION_SIZE = 8;
/** The 8 actuated joints, in action order (hip then ankle of each leg, legs in LEG_NAMES order). */
export const JOINT_NAMES: readonly string[] = LEG_NAMES.flatMap((l) => [`${l}_hip`, `${l}_ankle`]);

export const OBSERVATION_NAMES: readonly string[] = [
  "height_change", "sin_heading_error", "cos_heading_error", "vx", "vy", "vz", "roll", "pitch",
  ...LEG_NAMES.flatMap((l) => [`${l}_hip_angle`, `${l}_ankle_angle`]),
  ...LEG_NAMES.flatMap((l) => [`${l}_hip_velocity`, `${l}_ankle_velocity`]),
  ...LEG_NAMES.map((l) => `${l}_foot_contact`),
];

/** Nominal geometry of the classic Ant (metres). */
const TORSO_RADIUS = 0.25;
const CAPSULE_RADIUS = 0.08;
const HIP_LENGTH = 0.2 * Math.SQRT2;
const THIGH_LENGTH = 0.2 * Math.SQRT2;
const SHIN_LENGTH = 0.4 * Math.SQRT2;
/** Per leg: direction in the plane, ankle axis, ankle range (degrees). */
const LEGS: { dir: [number, number]; ankleAxis: string; ankleRange: string }[] = [
  { dir: [1, 1], ankleAxis: "-1 1 0", ankleRange: "30 70" },
  { dir: [-1, 1], ankleAxis: "1 1 0", ankleRange: "-70 -30" },
  { dir: [-1, -1], ankleAxis: "-1 1 0", ankleRange: "-70 -30" },
  { dir: [1, -1], ankleAxis: "1 1 0", ankleRange: "30 70" },
];

/** MuJoCo's timestep (s) and the MuJoCo steps per environment step: one environment step is STEP_SECONDS. */
export const TIMESTEP = 0.01;
export const FRAME_SKIP = 5;
export const STEP_SECONDS = TIMESTEP * FRAME_SKIP;
/** Steps of a full episode (50 s), unless an environment is given other `maxSteps`. */
export const EPISODE_STEPS = 1000;

export interface AntOptions {
  /** Episode length in environment steps (default 1000). */
  maxSteps?: number;
  /** MuJoCo steps per environment step (default 5). */
  frameSkip?: number;
}

export interface StepInfo {
  /** Torso position (m). */
  x: number;
  y: number;
  z: number;
  /** Velocity of the torso along +x (m/s). */
  forwardVelocity: number;
  /** Foot contacts, 0/1 per leg. */
  contacts: number[];
  /** The episode ended because the simulation went unstable (not a fall). */
  unstable: boolean;
  /** The episode ended because the torso fell. */
  fell: boolean;
}

export interface StepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

const fmt = (x: number) => Number(x.toFixed(5)).toString();
const vec = (xs: number[]) => xs.map(fmt).join(" ");

/** The MJCF of an Ant with the given morphology. */
export function antMjcf(morphology: Morphology = NOMINAL): string {
  validateMorphology(morphology);
  const torso = TORSO_RADIUS * (1 + morphology.torso);
  const legs = LEGS.map((leg, i) => {
    const size = CAPSULE_RADIUS * (1 + morphology.legSize[i]);
    const scale = 1 + morphology.legLength[i];
    const [dx, dy] = [leg.dir[0] / Math.SQRT2, leg.dir[1] / Math.SQRT2];
    const seg = (len: number) => [dx * len * scale, dy * len * scale, 0];
    const hip = seg(HIP_LENGTH), thigh = seg(THIGH_LENGTH), shin = seg(SHIN_LENGTH);
    const n = i + 1;
    return `
      <body name="${LEG_NAMES[i]}_leg" pos="0 0 0">
        <geom name="hip_geom_${n}" type="capsule" fromto="0 0 0 ${vec(hip)}" size="${fmt(size)}"/>
        <body name="thigh_${n}" pos="${vec(hip)}">
          <joint name="hip_${n}" type="hinge" axis="0 0 1" range="-30 30"/>
          <geom name="thigh_geom_${n}" type="capsule" fromto="0 0 0 ${vec(thigh)}" size="${fmt(size)}"/>
          <body name="shin_${n}" pos="${vec(thigh)}">
            <joint name="ankle_${n}" type="hinge" axis="${leg.ankleAxis}" range="${leg.ankleRange}"/>
            <geom name="shin_geom_${n}" type="capsule" fromto="0 0 0 ${vec(shin)}" size="${fmt(size)}"/>
            <site name="foot_${n}" pos="${vec(shin)}" size="${fmt(size * 1.5)}" type="sphere" rgba="0 0 0 0"/>
          </body>
        </body>
      </body>`;
  }).join("");
  // Start standing: ankles bent by 1 rad (as the classic Ant's initial pose), feet just above the floor.
  const feet = LEGS.map((_, i) => SHIN_LENGTH * (1 + morphology.legLength[i]) * Math.sin(1) + CAPSULE_RADIUS * (1 + morphology.legSize[i]));
  const z0 = Math.max(torso, ...feet) + 0.02;
  return `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true" autolimits="true"/>
  <option integrator="Euler" timestep="${TIMESTEP}"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01" rgba="0.8 0.6 0.4 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" size="500 500 1" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 ${fmt(z0)}">
      <freejoint name="root"/>
      <geom name="torso_geom" type="sphere" size="${fmt(torso)}"/>${legs}
    </body>
  </worldbody>
  <actuator>
${[1, 2, 3, 4].flatMap((n) => [`hip_${n}`, `ankle_${n}`]).map((j) => `    <motor joint="${j}" gear="150" ctrlrange="-1 1"/>`).join("\n")}
  </actuator>
  <sensor>
${[1, 2, 3, 4].map((n) => `    <touch site="foot_${n}"/>`).join("\n")}
  </sensor>
</mujoco>
`;
}

const TARGET: [number, number] = [1000, 0];
/** Ankle angles (rad) of the initial pose: legs bent down, inside the joint ranges. */
const INITIAL_ANKLE = [1, -1, -1, 1];
const VELOCITY_LIMIT = 1e3;

export class AntEnv {
  readonly maxSteps: number;
  readonly frameSkip: number;
  private model!: MjModel;
  private data!: MjData;
  private morph: Morphology = NOMINAL;
  private torsoRadius = TORSO_RADIUS;
  private jointLow = new Float64Array(8);
  private jointHigh = new Float64Array(8);
  private initialZ = 0;
  private timestep = TIMESTEP;
  private previousDistance = 0;
  private steps = 0;
  private needsReset = true;
  private lastJointSpeeds = new Float64Array(8);

  private constructor(private readonly mujoco: MainModule, options: AntOptions) {
    this.maxSteps = options.maxSteps ?? EPISODE_STEPS;
    this.frameSkip = options.frameSkip ?? FRAME_SKIP;
  }

  /** A new Ant environment with the given body (nominal by default). */
  static async create(morphology: Morphology = NOMINAL, options: AntOptions = {}): Promise<AntEnv> {
    const env = new AntEnv(await loadMujoco(), options);
    env.setMorphology(morphology);
    return env;
  }

  get morphology(): Morphology {
    return this.morph;
  }

  /** Simulated seconds per environment step. */
  get dt(): number {
    return this.model.opt.timestep * this.frameSkip;
  }

  /** Rebuild the body. The next call must be `reset`. */
  setMorphology(morphology: Morphology): void {
    const model = compileModel(this.mujoco, antMjcf(morphology), "ant");
    this.dispose();
    this.model = model;
    this.data = new this.mujoco.MjData(model);
    this.morph = morphology;
    this.torsoRadius = TORSO_RADIUS * (1 + morphology.torso);
    this.timestep = model.opt.timestep;
    const range = model.jnt_range as Float64Array;
    // Joint 0 is the free root joint; hinge ranges are in radians after compilation.
    for (let j = 0; j < 8; j++) {
      this.jointLow[j] = range[2 * (j + 1)];
      this.jointHigh[j] = range[2 * (j + 1) + 1];
    }
    this.needsReset = true;
  }

  /**
   * Change the body in the middle of an episode (an injury, a load, growth): the joint angles, the torso's pose
   * and every velocity carry over to the new body; the episode's counters and reward baseline go on. Returns the
   * observation of the new body in that state.
   */
  changeBody(morphology: Morphology): Float32Array {
    if (this.needsReset) throw new Error("AntEnv.changeBody: no episode is running; call reset(seed) first");
    const qpos = Float64Array.from(this.data.qpos as Float64Array);
    const qvel = Float64Array.from(this.data.qvel as Float64Array);
    const time = this.data.time;
    const { steps, initialZ, previousDistance } = this;
    this.setMorphology(morphology);
    (this.data.qpos as Float64Array).set(qpos);
    (this.data.qvel as Float64Array).set(qvel);
    this.data.time = time;
    this.mujoco.mj_forward(this.model, this.data);
    Object.assign(this, { steps, initialZ, previousDistance, needsReset: false });
    return this.observe(this.data.qpos as Float64Array, this.data.qvel as Float64Array);
  }

  /** Start an episode; the same seed gives the same initial state. */
  reset(seed: number): Float32Array {
    const r = rng(seed);
    this.mujoco.mj_resetData(this.model, this.data);
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    for (let j = 0; j < 4; j++) qpos[8 + 2 * j] = INITIAL_ANKLE[j];
    for (let i = 0; i < qpos.length; i++) if (i < 3 || i > 6) qpos[i] += r.range(-0.1, 0.1);
    for (let i = 0; i < qvel.length; i++) qvel[i] = 0.1 * r.normal();
    qpos[0] = 0;
    qpos[1] = 0;
    this.mujoco.mj_forward(this.model, this.data);
    this.steps = 0;
    this.needsReset = false;
    this.initialZ = qpos[2];
    this.previousDistance = this.distanceToTarget(qpos);
    return this.observe(qpos, qvel);
  }

  /** Advance one environment step with `action` (8 values; clipped to [−1, 1]). */
  step(action: ArrayLike<number>): StepResult {
    if (this.needsReset) throw new Error("AntEnv.step: call reset(seed) first (after creation, a morphology change or the end of an episode)");
    if (action.length !== ACTION_SIZE) throw new Error(`AntEnv.step: the action must have ${ACTION_SIZE} values, got ${action.length}`);
    const ctrl = this.data.ctrl as Float64Array;
    const a = new Float64Array(ACTION_SIZE);
    for (let i = 0; i < ACTION_SIZE; i++) {
      const v = action[i];
      if (!Number.isFinite(v)) throw new Error(`AntEnv.step: action[${i}] is ${v}; actions must be finite numbers`);
      a[i] = Math.max(-1, Math.min(1, v));
      ctrl[i] = a[i];
    }
    const timeBefore = this.data.time;
    for (let k = 0; k < this.frameSkip; k++) this.mujoco.mj_step(this.model, this.data);
    this.steps++;
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    // MuJoCo resets the state itself when accelerations blow up (mj_checkAcc: a BADQACC warning, then
    // mj_resetData, which sets the time back to 0), so the clock falls short of timeBefore + frameSkip·timestep
    // (reading it is ~10× cheaper than the warning counter). In an episode's first step the clock starts at 0
    // and cannot tell: there the counter (zeroed by reset) decides.
    let unstable = this.steps === 1
      ? this.divergenceCount() > 0
      : this.data.time < timeBefore + (this.frameSkip - 0.5) * this.timestep;
    for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) unstable = true;
    for (let i = 0; i < qvel.length; i++) if (!(Math.abs(qvel[i]) < VELOCITY_LIMIT)) unstable = true;
    const info: StepInfo = {
      x: qpos[0], y: qpos[1], z: qpos[2], forwardVelocity: qvel[0],
      contacts: [0, 0, 0, 0], unstable, fell: false,
    };
    if (unstable) {
      this.needsReset = true;
      return { observation: new Float32Array(OBSERVATION_SIZE), reward: 0, terminated: true, truncated: false, info };
    }
    const observation = this.observe(qpos, qvel);
    info.contacts = Array.from(observation.subarray(24, 28));
    const distance = this.distanceToTarget(qpos);
    const progress = (this.previousDistance - distance) / this.dt;
    this.previousDistance = distance;
    const alive = qpos[2] > this.torsoRadius + 0.01 ? 1 : -1;
    let electricity = 0, stall = 0, atLimit = 0;
    for (let j = 0; j < 8; j++) {
      electricity += Math.abs(a[j] * this.lastJointSpeeds[j]);
      stall += a[j] * a[j];
      if (Math.abs(observation[8 + j]) > 0.99) atLimit++;
    }
    const reward = alive + progress - 2.0 * (electricity / 8) - 0.1 * (stall / 8) - 0.1 * atLimit;
    info.fell = alive < 0;
    const truncated = !info.fell && this.steps >= this.maxSteps;
    if (info.fell || truncated) this.needsReset = true;
    return { observation, reward, terminated: info.fell, truncated, info };
  }

  /** World positions and orientations of the body's geoms (for drawing); capsule half-lengths and radii. */
  geoms(): { name: string; type: "sphere" | "capsule" | "plane"; pos: number[]; mat: number[]; size: number[] }[] {
    const m = this.model;
    const xpos = this.data.geom_xpos as Float64Array;
    const xmat = this.data.geom_xmat as Float64Array;
    const size = m.geom_size as Float64Array;
    const type = m.geom_type as Int32Array;
    const out = [];
    for (let g = 0; g < m.ngeom; g++) {
      const t = type[g] === 0 ? "plane" : type[g] === 2 ? "sphere" : "capsule";
      out.push({
        name: this.mujoco.mj_id2name(m, 5, g) ?? `geom${g}`,
        type: t as "sphere" | "capsule" | "plane",
        pos: Array.from(xpos.subarray(3 * g, 3 * g + 3)),
        mat: Array.from(xmat.subarray(9 * g, 9 * g + 9)),
        size: Array.from(size.subarray(3 * g, 3 * g + 3)),
      });
    }
    return out;
  }

  /** Free the simulator's memory for this environment. */
  dispose(): void {
    this.data?.delete();
    this.model?.delete();
  }

  /** How many times MuJoCo has reset this simulation for diverging accelerations (mjWARN_BADQACC). */
  private divergenceCount(): number {
    const warnings = this.data.warning;
    const stat = warnings.get(6);
    const n = stat?.number ?? 0;
    stat?.delete();
    warnings.delete();
    return n;
  }

  private distanceToTarget(qpos: Float64Array): number {
    return Math.hypot(TARGET[0] - qpos[0], TARGET[1] - qpos[1]);
  }

  private observe(qpos: Float64Array, qvel: Float64Array): Float32Array {
    const o = new Float32Array(OBSERVATION_SIZE);
    const [qw, qx, qy, qz] = [qpos[3], qpos[4], qpos[5], qpos[6]];
    const roll = Math.atan2(2 * (qw * qx + qy * qz), 1 - 2 * (qx * qx + qy * qy));
    const pitch = Math.asin(Math.max(-1, Math.min(1, 2 * (qw * qy - qz * qx))));
    const yaw = Math.atan2(2 * (qw * qz + qx * qy), 1 - 2 * (qy * qy + qz * qz));
    const heading = Math.atan2(TARGET[1] - qpos[1], TARGET[0] - qpos[0]) - yaw;
    const [c, s] = [Math.cos(-yaw), Math.sin(-yaw)];
    o[0] = qpos[2] - this.initialZ;
    o[1] = Math.sin(heading);
    o[2] = Math.cos(heading);
    o[3] = 0.3 * (c * qvel[0] - s * qvel[1]);
    o[4] = 0.3 * (s * qvel[0] + c * qvel[1]);
    o[5] = 0.3 * qvel[2];
    o[6] = roll;
    o[7] = pitch;
    for (let j = 0; j < 8; j++) {
      const lo = this.jointLow[j], hi = this.jointHigh[j];
      o[8 + j] = (2 * (qpos[7 + j] - lo)) / (hi - lo) - 1;
      this.lastJointSpeeds[j] = 0.1 * qvel[6 + j];
      o[16 + j] = this.lastJointSpeeds[j];
    }
    const touch = this.data.sensordata as Float64Array;
    for (let f = 0; f < 4; f++) o[24 + f] = touch[f] > 0 ? 1 : 0;
    for (let i = 0; i < OBSERVATION_SIZE; i++) o[i] = Math.max(-5, Math.min(5, o[i]));
    return o;
  }
}
