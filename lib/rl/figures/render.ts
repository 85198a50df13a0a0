/**
 * Pictures of the Ant for the notebooks: its body as 3-D line segments (plotly scatter3d; thickness by
 * capsule radius), animations of recorded episodes, a gallery of bodies, and the gait diagram (which feet
 * touch the floor over time), the classic way to read a gait (e.g. the alternating tripod of insects).
 */
import type { Data, Figure, Layout } from "../../show/plot";
import { LEG_NAMES } from "../env/morphology";
import type { AntPose, Episode } from "../env/pose";

const LEG_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"];

function poseTraces(pose: AntPose, scene = "scene", showLegend = true): Data[] {
  const legs: Data[] = pose.legs.map((segments, i): Data => {
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

/** The pose shifted so that the torso is above the origin (x, y): the camera follows the ant. */
function centred(pose: AntPose): AntPose {
  const [cx, cy] = pose.torso.center;
  const shift = (p: number[]) => [p[0] - cx, p[1] - cy, p[2]];
  return {
    torso: { center: shift(pose.torso.center), radius: pose.torso.radius },
    legs: pose.legs.map((segments) => segments.map((s) => ({ from: shift(s.from), to: shift(s.to), radius: s.radius }))),
  };
}

/** Marks on the floor every metre (world frame), seen from the ant: they stream past as it walks. */
function floorMarks(cx: number, cy: number, half: number): Data {
  const xs: number[] = [], ys: number[] = [];
  for (let gx = Math.ceil(cx - half); gx <= cx + half; gx++) {
    for (let gy = Math.ceil(cy - half); gy <= cy + half; gy++) { xs.push(gx - cx); ys.push(gy - cy); }
  }
  return { type: "scatter3d", mode: "markers", name: "floor (1 m grid)", x: xs, y: ys, z: xs.map(() => 0), marker: { size: 2, color: "#999" }, hoverinfo: "skip" } as Data;
}

/** Plots beside the ant that move with the same slider: their traces for each pose (frame), and their axes. */
export interface AnimationSide {
  traces(frame: number): Data[];
  layout: Partial<Layout>;
}

/**
 * An animation of a recorded episode (play button and slider). The camera follows the ant; dots on the
 * floor mark every metre, so they stream backwards as it walks. The slider shows time and distance. With
 * `side`, the 3-D scene takes the left half and the side plots (e.g. DMAP's attention) follow the same frames.
 */
export function episodeAnimation(ep: Pick<Episode, "poses" | "contacts" | "dt">, title: string, side?: AnimationSide): Figure {
  const half = 1.6;
  const traces = (p: AntPose, i: number) => [...poseTraces(centred(p)), floorMarks(p.torso.center[0], p.torso.center[1], half), ...(side?.traces(i) ?? [])];
  const frameSeconds = ep.dt * (ep.poses.length > 1 ? ep.contacts.length / (ep.poses.length - 1) : 1);
  const frames = ep.poses.map((p, i) => ({ name: String(i), data: traces(p, i) }));
  const top = Math.max(1.2, ...ep.poses.map((p) => p.torso.center[2] + p.torso.radius + 0.3));
  const layout: Partial<Layout> = {
    title: { text: title },
    height: 480,
    ...(side?.layout ?? {}),
    scene: {
      ...(side ? { domain: { x: [0, 0.42], y: [0.1, 1] } } : {}),
      xaxis: axis("x − x_torso (m)", [-half, half]), yaxis: axis("y − y_torso (m)", [-half, half]), zaxis: axis("z (m)", [0, top]),
      aspectmode: "manual", aspectratio: { x: 1, y: 1, z: top / (2 * half) },
      camera: { eye: { x: 0.4, y: -1.5, z: 0.5 } },
    },
    updatemenus: [{
      type: "buttons", showactive: false, x: 0.05, y: 0.02, xanchor: "left", yanchor: "bottom",
      buttons: [
        { label: "▶ play", method: "animate", args: [null, { frame: { duration: Math.round(1000 * frameSeconds), redraw: true }, fromcurrent: true, transition: { duration: 0 } }] },
        { label: "❚❚ pause", method: "animate", args: [[null], { mode: "immediate", frame: { duration: 0, redraw: false } }] },
      ],
    }],
    sliders: [{
      currentvalue: { prefix: "t = " }, pad: { t: 30 },
      steps: frames.map((f, i) => ({
        label: `${(i * frameSeconds).toFixed(1)} s, x = ${ep.poses[i].torso.center[0].toFixed(1)} m`, method: "animate",
        args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
      })),
    }],
  } as Partial<Layout>;
  return { data: traces(ep.poses[0], 0), layout, frames };
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
    const ext = 1.1, top = 1.0;
    layout[scene] = {
      domain, aspectmode: "manual", aspectratio: { x: 1, y: 1, z: top / (2 * ext) }, camera: { eye: { x: 0.9, y: -1.4, z: 0.7 } },
      xaxis: { range: [-ext, ext], showticklabels: false, title: { text: "" } },
      yaxis: { range: [-ext, ext], showticklabels: false, title: { text: "" } },
      zaxis: { range: [0, top], showticklabels: false, title: { text: "" } },
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
