/**
 * Pictures of the Ant for the notebooks: its body as 3-D line segments (plotly scatter3d; thickness by
 * capsule radius), animations of recorded episodes, a gallery of bodies, and the gait diagram (which feet
 * touch the floor over time), the classic way to read a gait (e.g. the alternating tripod of insects).
 */
import type { Data, Figure, Layout } from "../show/plot";
import { ACTION_SIZE, AntEnv } from "./ant";
import { LEG_NAMES, Morphology } from "./morphology";
import type { ActFn } from "./evaluate";
import { morphologyVector } from "./morphology";

export interface Segment {
  from: number[];
  to: number[];
  radius: number;
}

/** The body's pose: torso centre and radius, and per leg its three capsules. */
export interface AntPose {
  torso: { center: number[]; radius: number };
  legs: Segment[][];
}

export function antPose(env: AntEnv): AntPose {
  const pose: AntPose = { torso: { center: [0, 0, 0], radius: 0 }, legs: [[], [], [], []] };
  for (const g of env.geoms()) {
    if (g.type === "sphere") pose.torso = { center: g.pos, radius: g.size[0] };
    if (g.type !== "capsule") continue;
    const leg = Number(/_(\d)$/.exec(g.name)?.[1] ?? 1) - 1;
    const axis = [g.mat[2], g.mat[5], g.mat[8]];
    const h = g.size[1];
    pose.legs[leg].push({ from: g.pos.map((p, i) => p - axis[i] * h), to: g.pos.map((p, i) => p + axis[i] * h), radius: g.size[0] });
  }
  // A capsule's axis may point either way along the segment: orient each from the body outwards.
  const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  for (const segments of pose.legs) {
    let joint = pose.torso.center;
    for (const s of segments) {
      if (distance(joint, s.to) < distance(joint, s.from)) [s.from, s.to] = [s.to, s.from];
      joint = s.to;
    }
  }
  return pose;
}

export interface Episode {
  /** Pose every `every` steps. */
  poses: AntPose[];
  /** Foot contacts per step (T × 4). */
  contacts: number[][];
  /** Torso x per step (m). */
  x: number[];
  rewards: number[];
  dt: number;
  fell: boolean;
}

/** Run one deterministic episode of `steps` steps (or until a fall), recording poses and contacts. */
export async function recordEpisode(act: ActFn, morphology: Morphology, steps: number, seed = 0, every = 2): Promise<Episode> {
  const env = await AntEnv.create(morphology, { maxSteps: steps });
  try {
    let obs = env.reset(seed);
    const m = Float32Array.from(morphologyVector(morphology));
    const ep: Episode = { poses: [antPose(env)], contacts: [], x: [], rewards: [], dt: env.dt, fell: false };
    for (let t = 0; t < steps; t++) {
      const a = act(obs, m, 1);
      const s = env.step(a.subarray(0, ACTION_SIZE));
      ep.contacts.push(s.info.contacts);
      ep.x.push(s.info.x);
      ep.rewards.push(s.reward);
      if ((t + 1) % every === 0) ep.poses.push(antPose(env));
      obs = s.observation;
      if (s.terminated || s.truncated) {
        ep.fell = s.info.fell;
        break;
      }
    }
    return ep;
  } finally {
    env.dispose();
  }
}

const LEG_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"];

function poseTraces(pose: AntPose, scene = "scene", showLegend = true): Data[] {
  const legs: Data[] = pose.legs.map((segments, i) => {
    const xs: (number | null)[] = [], ys: (number | null)[] = [], zs: (number | null)[] = [];
    for (const s of segments) {
      xs.push(s.from[0], s.to[0], null);
      ys.push(s.from[1], s.to[1], null);
      zs.push(s.from[2], s.to[2], null);
    }
    const radius = segments[0]?.radius ?? 0.08;
    return {
      type: "scatter3d", mode: "lines", name: LEG_NAMES[i].replace("_", " ") + " leg", x: xs, y: ys, z: zs, scene,
      line: { color: LEG_COLORS[i], width: Math.max(2, radius * 90) }, showlegend: showLegend, hoverinfo: "name",
    } as Data;
  });
  const torso = {
    type: "scatter3d", mode: "markers", name: "torso", scene, showlegend: showLegend, hoverinfo: "name",
    x: [pose.torso.center[0]], y: [pose.torso.center[1]], z: [pose.torso.center[2]],
    marker: { size: Math.max(6, pose.torso.radius * 110), color: "#8c6d31", opacity: 0.9 },
  } as Data;
  return [...legs, torso];
}

const axis = (title: string, range: number[]) => ({ title: { text: title }, range, zeroline: false, backgroundcolor: "#f4f4f0", showbackground: true });

/** An animation of a recorded episode (play button and slider), camera fixed, the floor at z = 0. */
export function episodeAnimation(ep: Episode, title: string): Figure {
  const all = ep.poses.flatMap((p) => [p.torso.center, ...p.legs.flat().flatMap((s) => [s.from, s.to])]);
  const lo = [0, 1, 2].map((k) => Math.min(...all.map((p) => p[k])) - 0.3);
  const hi = [0, 1, 2].map((k) => Math.max(...all.map((p) => p[k])) + 0.3);
  lo[2] = 0;
  const span = [0, 1, 2].map((k) => hi[k] - lo[k]);
  const frameDuration = Math.round(1000 * ep.dt * (ep.poses.length > 1 ? ep.contacts.length / (ep.poses.length - 1) : 1));
  const frames = ep.poses.map((p, i) => ({ name: String(i), data: poseTraces(p) }));
  const layout: Partial<Layout> = {
    title: { text: title },
    height: 480,
    scene: {
      xaxis: axis("x (m)", [lo[0], hi[0]]), yaxis: axis("y (m)", [lo[1], hi[1]]), zaxis: axis("z (m)", [0, hi[2]]),
      aspectmode: "manual", aspectratio: { x: 1, y: span[1] / span[0], z: span[2] / span[0] },
      camera: { eye: { x: 0.2, y: -1.6, z: 0.6 } },
    },
    updatemenus: [{
      type: "buttons", showactive: false, x: 0.05, y: 0.02, xanchor: "left", yanchor: "bottom",
      buttons: [
        { label: "▶ play", method: "animate", args: [null, { frame: { duration: frameDuration, redraw: true }, fromcurrent: true, transition: { duration: 0 } }] },
        { label: "❚❚ pause", method: "animate", args: [[null], { mode: "immediate", frame: { duration: 0, redraw: false } }] },
      ],
    }],
    sliders: [{
      currentvalue: { prefix: "t = ", suffix: " s" }, pad: { t: 30 },
      steps: frames.map((f, i) => ({
        label: (i * frameDuration / 1000).toFixed(1), method: "animate",
        args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
      })),
    }],
  } as Partial<Layout>;
  return { data: poseTraces(ep.poses[0]), layout, frames };
}

/** Small multiples of standing bodies (one scene each), titled by `labels`. */
export function bodyGallery(poses: AntPose[], labels: string[], columns = 3, title = "Bodies"): Figure {
  const rows = Math.ceil(poses.length / columns);
  const layout: Record<string, unknown> = { title: { text: title }, height: 260 * rows + 40, showlegend: false, margin: { l: 10, r: 10, t: 50, b: 10 }, annotations: [] };
  const data: Data[] = [];
  poses.forEach((pose, i) => {
    const scene = i === 0 ? "scene" : `scene${i + 1}`;
    const r = Math.floor(i / columns), c = i % columns;
    const domain = { x: [c / columns, (c + 1) / columns], y: [1 - (r + 1) / rows, 1 - r / rows - 0.06 / rows] };
    const ext = 1.3;
    layout[scene] = {
      domain, aspectmode: "cube", camera: { eye: { x: 0.9, y: -1.3, z: 0.9 } },
      xaxis: { range: [-ext, ext], showticklabels: false, title: { text: "" } },
      yaxis: { range: [-ext, ext], showticklabels: false, title: { text: "" } },
      zaxis: { range: [0, 2 * ext], showticklabels: false, title: { text: "" } },
    };
    (layout.annotations as unknown[]).push({ text: labels[i], showarrow: false, xref: "paper", yref: "paper", x: (c + 0.5) / columns, y: 1 - r / rows, xanchor: "center", yanchor: "top", font: { size: 12 } });
    data.push(...poseTraces(pose, scene, false));
  });
  return { data, layout: layout as Partial<Layout> };
}

/** Gait diagram: foot contacts (dark = on the floor) against time. */
export function gaitDiagram(ep: Episode, title: string, seconds = 6): Figure {
  const T = Math.min(ep.contacts.length, Math.round(seconds / ep.dt));
  const t = Array.from({ length: T }, (_, i) => (i + 1) * ep.dt);
  return {
    data: [{
      type: "heatmap", x: t, y: LEG_NAMES.map((l) => l.replace("_", " ")),
      z: LEG_NAMES.map((_, leg) => ep.contacts.slice(0, T).map((c) => c[leg])),
      colorscale: [[0, "#ffffff"], [1, "#333333"]], showscale: false, zmin: 0, zmax: 1,
    } as Data],
    layout: { title: { text: title }, height: 260, xaxis: { title: { text: "time (s)" } }, yaxis: { title: { text: "foot" } } },
  };
}
