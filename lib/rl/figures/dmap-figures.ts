/**
 * Figures of notebook 04 (DMAP, Chiappa, Marin Vargas & Mathis 2022): the architecture, each joint's attention
 * over the 36 proprioceptive channels, its modulation over the gait cycle against the shuffled baseline, and the
 * walking ant beside its attention on one time slider.
 */
import type { Data, Figure } from "../../show";
import { JOINT_NAMES } from "../env/ant";
import { flowDiagram } from "./adaptation-figures";
import type { AttentionEpisode, JointModulation } from "../analysis/attention";
import { HISTORY_CHANNEL_NAMES } from "../policies/inputs";
import type { AnimationSide } from "./render";

const joints = JOINT_NAMES.map((j) => j.replace(/_/g, " "));
const channels = HISTORY_CHANNEL_NAMES.map((c) => c.replace(/_/g, " "));

export function dmapDiagram(): Figure {
  return flowDiagram([
    { label: "each of 36 channels", output: "feature f<sub>c</sub>", boxes: [
      { text: "30-step history of<br>one channel (x or a)", x: 0.1, colour: "#ddd" },
      { text: "shared temporal net<br>Conv1d ×3 → FC 128 → 32", x: 0.36, colour: "#9ecae1" },
      { text: "key k<sub>ic</sub> per joint,<br>value v<sub>c</sub> (4)", x: 0.62, colour: "#9ecae1" },
    ] },
    { label: "each of 8 joints", output: "action of joint i", boxes: [
      { text: "α<sub>i</sub> = softmax<sub>c</sub>(k<sub>ic</sub>)", x: 0.1, colour: "#a1d99b" },
      { text: "e<sub>i</sub> = Σ<sub>c</sub> α<sub>ic</sub> v<sub>c</sub>", x: 0.36, colour: "#a1d99b" },
      { text: "controller i: MLP 32-32<br>(x<sub>t</sub>, a<sub>t−1</sub>, e<sub>i</sub>)", x: 0.62, colour: "#9ecae1" },
    ] },
  ], {
    title: "DMAP: independent processing of each channel, attention per joint, distributed control",
    note: "every part is trained by PPO; the critic (not shown) also sees the true morphology", height: 360,
  });
}

/** Mean attention of each joint (rows) over the 36 channels (columns). */
export function attentionHeatmap(mean: number[][], title: string): Figure {
  return {
    data: [{ type: "heatmap", z: mean, x: channels, y: joints, colorscale: "Viridis", colorbar: { title: { text: "attention" } } } as Data],
    layout: {
      title: { text: title }, height: 460, margin: { b: 210, l: 130 },
      xaxis: { title: { text: "channel (observation or previous action)" }, tickangle: -60 }, yaxis: { title: { text: "joint" } },
    },
  };
}

/** Per joint: phase modulation of its attention, beside the 95th percentile and mean of the shuffled baseline. */
export function modulationBars(mods: JointModulation[], title: string): Figure {
  return {
    data: [
      { type: "bar", name: "modulation over the gait cycle", x: joints, y: mods.map((m) => m.modulation) } as Data,
      { type: "scatter", mode: "markers", name: "shuffled phase: 95th percentile", x: joints, y: mods.map((m) => m.baselineP95), marker: { symbol: "line-ew-open", size: 24, color: "#d62728" } } as Data,
      { type: "scatter", mode: "markers", name: "shuffled phase: mean", x: joints, y: mods.map((m) => m.baselineMean), marker: { symbol: "x", color: "#7f7f7f" } } as Data,
    ],
    layout: {
      title: { text: title }, height: 440, margin: { b: 120 },
      xaxis: { title: { text: "joint" }, tickangle: -30 }, yaxis: { title: { text: "RMS over channels of the SD across phase bins" } },
    },
  };
}

/** One joint's phase-locked attention: phase bins (rows) × channels. */
export function phaseLockedHeatmap(avg: number[][], joint: number, title: string): Figure {
  const bins = avg.length;
  return {
    data: [{ type: "heatmap", z: avg, x: channels, y: avg.map((_, b) => `${Math.round((360 * (b + 0.5)) / bins)}°`), colorscale: "Viridis" } as Data],
    layout: {
      title: { text: `${title} — ${joints[joint]}` }, height: 420, margin: { b: 210 },
      xaxis: { title: { text: "channel" }, tickangle: -60 }, yaxis: { title: { text: "gait phase (bin centre)" } },
    },
  };
}

/**
 * The attention heatmap (8 joints × 36 channels) of the step each animation frame shows, for episodeAnimation.
 * The colour scale tops out at the episode's 99th percentile weight, so that an attention spread thinly over the
 * channels still shows its structure.
 */
export function attentionSide(episode: AttentionEpisode, poseEvery: number): AnimationSide {
  const weights = episode.attention.flat(2).sort((a, b) => a - b);
  const zmax = Math.max(2 / HISTORY_CHANNEL_NAMES.length, weights[Math.floor(0.99 * (weights.length - 1))] ?? 1);
  return {
    traces: (frame) => {
      const t = Math.min(episode.attention.length - 1, Math.max(0, frame * poseEvery - 1));
      return [{
        type: "heatmap", z: episode.attention[t], x: channels, y: joints, zmin: 0, zmax, colorscale: "Viridis", xaxis: "x2", yaxis: "y2",
        colorbar: { title: { text: "attention" }, x: 0.9, len: 0.55, y: 1, yanchor: "top", thickness: 12 },
      } as Data];
    },
    layout: {
      height: 640,
      xaxis2: { domain: [0.57, 0.88], title: { text: "channel (observation or previous action)" }, tickangle: -60, tickfont: { size: 9 }, anchor: "y2" },
      yaxis2: { domain: [0.45, 1], title: { text: "joint" }, tickfont: { size: 10 }, anchor: "x2" },
      margin: { b: 110, l: 20 },
    } as NonNullable<Figure["layout"]>,
  };
}
