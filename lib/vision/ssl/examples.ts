/**
 * What each objective asks, shown: a few source images next to the backbone inputs the objective makes from them
 * (two augmented views for SimCLR, SimSiam and BYOL; two rotations with their labels; a centre patch and a
 * neighbour with its position; crop-and-flip views with their category), drawn with the objective's own code
 * (`Objective.views`), so the picture is what training sees.
 */
import type { Figure } from "../../show/plot";
import { tf } from "../../tf";
import { rng } from "../../util/random";
import { greyPng, StimulusSet } from "../stimuli";
import { categoryLabels } from "../train";
import { createBackbone } from "./backbone";
import { objectiveInfo, ObjectiveName } from "./train";

export interface ObjectiveExamples {
  /** Per source image: the image, then the objective's inputs made from it (each side × side, values in [0, 1]). */
  rows: { source: Float32Array; inputs: Float32Array[]; labels: string[] }[];
  side: number;
}

/** The inputs `objective` makes from the images of `set` (all of them: pass a small set), with seed `seed`. */
export function objectiveExamples(objective: ObjectiveName, set: StimulusSet, seed = 0): ObjectiveExamples {
  const create = objectiveInfo(objective).create;
  if (!create) throw new Error(`objectiveExamples: '${objective}' makes no inputs (it is not trained)`);
  const backbone = createBackbone(0);
  const made = create(backbone, 0);
  try {
    const n = set.meta.length, side = backbone.spec.inputSize, px = set.size * set.size;
    const images = tf.tensor4d(set.images, [n, set.size, set.size, 1]);
    const views = made.views({ images, labels: categoryLabels(set) }, rng(seed), seed + 1);
    const all = views.inputs.dataSync() as Float32Array;
    tf.dispose([images, views.inputs]);
    const perInput = side * side, count = views.inputs.shape[0] / n;
    return {
      side,
      rows: Array.from({ length: n }, (_, i) => ({
        source: set.images.slice(i * px, (i + 1) * px),
        inputs: Array.from({ length: count }, (_, v) => all.slice((v * n + i) * perInput, (v * n + i + 1) * perInput)),
        labels: Array.from({ length: count }, (_, v) => views.labels?.[v * n + i] ?? `view ${v + 1}`),
      })),
    };
  } finally {
    made.dispose();
    backbone.dispose();
  }
}

/** A figure of `objectiveExamples`: one row per source image, the image then its inputs, each labelled. */
export function objectiveExamplesFigure(objective: ObjectiveName, set: StimulusSet, seed = 0): Figure {
  const { rows, side } = objectiveExamples(objective, set, seed);
  if (set.size !== side) throw new Error(`objectiveExamplesFigure: images must be ${side} px, got ${set.size}`);
  const gap = 4, cell = side + gap, columns = 1 + rows[0].inputs.length, labelRoom = 12;
  const width = columns * cell, rowHeight = side + labelRoom + gap, height = rows.length * rowHeight;
  const pixels = new Float32Array(width * height).fill(1);
  const annotations: { x: number; y: number; text: string }[] = [];
  rows.forEach((row, i) => {
    [row.source, ...row.inputs].forEach((image, c) => {
      for (let y = 0; y < side; y++) pixels.set(image.subarray(y * side, (y + 1) * side), (i * rowHeight + y) * width + c * cell);
      annotations.push({ x: c * cell + side / 2, y: i * rowHeight + side + labelRoom / 2 + 1, text: c === 0 ? "image" : row.labels[c - 1] });
    });
  });
  const info = objectiveInfo(objective);
  return {
    data: [{ type: "scatter", x: [0, width], y: [0, height], mode: "markers", marker: { opacity: 0 }, hoverinfo: "skip", showlegend: false }],
    layout: {
      title: { text: `${objective}: ${info.description}` },
      images: [{
        source: `data:image/png;base64,${greyPng(pixels, width, height).toString("base64")}`,
        xref: "x", yref: "y", x: 0, y: 0, sizex: width, sizey: height, xanchor: "left", yanchor: "top", sizing: "stretch", layer: "below",
      }],
      annotations: annotations.map((a) => ({ ...a, xref: "x", yref: "y", showarrow: false, font: { size: 11 } })),
      xaxis: { visible: false, range: [0, width] },
      yaxis: { visible: false, range: [height, 0], scaleanchor: "x" },
      height: Math.round(height * 2) + 80,
      width: Math.round(width * 2) + 40,
    },
  };
}
