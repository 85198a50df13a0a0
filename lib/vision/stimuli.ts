/**
 * HvM-like stimuli for core object recognition (notebook 01), after the image set of Yamins et al. 2014 and
 * Majaj, Hong et al. 2015 (5,760 photographs of 64 objects in 8 categories on natural backgrounds, at variation
 * levels 0, 3 and 6 of position, scale and 3-D pose), which Brain-Score's MajajHong2015 benchmarks use
 * (Schrimpf et al. 2020).
 *
 * Ours are procedural: each of the 8 categories is a family of 3-D shapes built from a few primitives
 * (ellipsoids, boxes, cylinders) in a category-specific arrangement — a quadruped's body, legs, neck and head; a
 * car's body, cabin and wheels — and each of its 8 objects draws its own proportions and part options. An image
 * is an orthographic ray cast of the parts (z-buffered, Lambertian shading under one directional light plus
 * ambient) pasted on a random textured background (multi-octave value noise plus soft-edged blobs), grey,
 * values in [0, 1]. Everything is deterministic: the objects by `objectSeed` (fixed by default, as HvM's 64
 * objects are fixed), the images by `seed`.
 *
 * Variation levels follow HvM's ranges (on its 8° images: ±1.2° / ±2.4° position, ±45° / ±90° rotation about
 * each axis, scale ×0.77–1.3 / ×0.6–1.6 at levels 3 / 6), drawn uniformly; level 0 is centred, scale 1, in the
 * canonical view (a three-quarter view from slightly above). Only the background changes between level-0 images
 * of one object, as in HvM.
 */
import { crc32, deflateSync } from "zlib";
import type { StimulusInfo } from "../neuro/assembly";
import type { Figure } from "../show/plot";
import { rng, Rng } from "../util/random";

// ---------------------------------------------------------------------------------------------------------------
// Categories, objects and variation levels

export const CATEGORIES = ["animals", "boats", "cars", "chairs", "faces", "fruits", "planes", "tables"] as const;
export type Category = (typeof CATEGORIES)[number];
export const OBJECTS_PER_CATEGORY = 8;

export type VariationLevel = 0 | 3 | 6;
export const VARIATION_LEVELS: readonly VariationLevel[] = [0, 3, 6];

export interface VariationRange {
  /** Largest |offset| of the object centre, horizontally and vertically, as a fraction of the image width. */
  position: number;
  /** Scale factor range (1 = the object's bounding sphere spans 72 % of the image width). */
  scale: readonly [number, number];
  /** Largest |rotation| about each of the three axes, degrees. */
  rotation: number;
}

/** HvM's ranges, with positions as fractions of the 8° image (1.2° = 0.15). */
export const VARIATION_RANGES: Readonly<Record<VariationLevel, VariationRange>> = {
  0: { position: 0, scale: [1, 1], rotation: 0 },
  3: { position: 0.15, scale: [0.77, 1.3], rotation: 45 },
  6: { position: 0.3, scale: [0.6, 1.6], rotation: 90 },
};

export type PrimitiveKind = "ellipsoid" | "box" | "cylinder";

/**
 * One primitive of an object, in the object's frame (x forward, y up, z sideways). The unit shape — sphere,
 * cube [-1, 1]³, or cylinder x² + z² ≤ 1 with |y| ≤ 1 (axis along y) — is scaled by `halfSize`, rotated by
 * `rotation` (degrees about x, then y, then z) and moved to `center`.
 */
export interface Part {
  readonly kind: PrimitiveKind;
  readonly center: readonly [number, number, number];
  readonly halfSize: readonly [number, number, number];
  readonly rotation: readonly [number, number, number];
  /** Reflectance in [0, 1]. */
  readonly albedo: number;
}

export interface ObjectModel {
  readonly category: Category;
  /** e.g. "cars_3". */
  readonly name: string;
  readonly parts: readonly Part[];
  /** Centre and radius of the parts' bounding sphere: rendering maps it to the unit sphere. */
  readonly centre: readonly [number, number, number];
  readonly radius: number;
}

type Vec3 = [number, number, number];

function part(kind: PrimitiveKind, center: Vec3, halfSize: Vec3, albedo: number, rotation: Vec3 = [0, 0, 0]): Part {
  return { kind, center, halfSize, rotation, albedo };
}

/** A cylinder from `a` to `b` (its axis, local y, turned by x then z rotations onto b − a). */
function rod(a: Vec3, b: Vec3, radius: number, albedo: number): Part {
  const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const length = Math.hypot(d[0], d[1], d[2]);
  const rx = Math.asin(d[2] / length), rz = Math.atan2(-d[0], d[1]);
  const mid: Vec3 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
  return part("cylinder", mid, [radius, length / 2, radius], albedo, [rx * DEG, 0, rz * DEG]);
}

const DEG = 180 / Math.PI;

/** Each category's family: the parts of one object, its proportions and options drawn from `r`. */
const FAMILIES: Record<Category, (r: Rng) => Part[]> = {
  animals(r) {
    const L = r.range(0.55, 0.9), H = r.range(0.2, 0.32), W = r.range(0.18, 0.28);
    const legLength = r.range(0.25, 0.6), legR = r.range(0.045, 0.08);
    const neck = r.range(0.05, 0.55), head = r.range(0.13, 0.24), snout = r.range(1, 1.8);
    const tail = r.range(0.1, 0.45), a = r.range(0.45, 0.85);
    const parts = [part("ellipsoid", [0, 0, 0], [L, H, W], a)];
    for (const sx of [-1, 1]) for (const sz of [-1, 1]) {
      parts.push(rod([sx * 0.62 * L, -0.3 * H, sz * 0.55 * W], [sx * 0.66 * L, -H - legLength, sz * 0.6 * W], legR, a * 0.9));
    }
    const headAt: Vec3 = [L + 0.3 * head, 0.3 * H + neck, 0];
    parts.push(rod([0.75 * L, 0.3 * H, 0], headAt, Math.max(legR * 1.4, 0.6 * head), a));
    parts.push(part("ellipsoid", [headAt[0] + 0.4 * head, headAt[1], 0], [head * snout, head, head * 0.85], a));
    parts.push(rod([-0.9 * L, 0.3 * H, 0], [-L - tail * 0.8, 0.3 * H - tail * r.range(-0.5, 1), 0], 0.03, a * 0.8));
    return parts;
  },
  boats(r) {
    const L = r.range(0.8, 1), D = r.range(0.14, 0.24), W = r.range(0.18, 0.3), a = r.range(0.55, 0.95);
    const deck = -0.15 + 0.6 * D;
    const parts = [part("ellipsoid", [0, -0.15, 0], [L, D, W], a)];
    const kind = r.int(3);
    if (kind !== 1) { // a motor boat or a ship: a cabin, maybe two tiers and funnels
      const cl = r.range(0.2, 0.45), ch = r.range(0.08, 0.16), cx = r.range(-0.3, 0.1);
      parts.push(part("box", [cx, deck + ch, 0], [cl, ch, W * 0.6], r.range(0.6, 1)));
      if (kind === 2) {
        parts.push(part("box", [cx, deck + 2.5 * ch, 0], [cl * 0.6, ch * 0.5, W * 0.45], r.range(0.6, 1)));
        const funnels = 1 + r.int(2);
        for (let f = 0; f < funnels; f++) {
          parts.push(part("cylinder", [cx - 0.1 + 0.2 * f, deck + 3 * ch + 0.1, 0], [0.06, 0.14, 0.06], r.range(0.15, 0.4)));
        }
      }
    } else { // a sail boat: mast and sail
      const mx = r.range(-0.1, 0.25), top = r.range(0.6, 0.95), sail = r.range(0.25, 0.5);
      parts.push(rod([mx, deck, 0], [mx, top, 0], 0.02, 0.3));
      parts.push(part("box", [mx - sail / 2 - 0.03, (deck + top) / 2 + 0.05, 0], [sail / 2, (top - deck) * 0.42, 0.012], r.range(0.8, 1)));
    }
    return parts;
  },
  cars(r) {
    const L = r.range(0.8, 1), h = r.range(0.13, 0.22), w = r.range(0.33, 0.45), a = r.range(0.45, 0.95);
    const cl = r.range(0.3, 0.65), ch = r.range(0.1, 0.2), cx = r.range(-0.25, 0.15), wheel = r.range(0.14, 0.22);
    const parts = [
      part("box", [0, 0, 0], [L, h, w], a),
      part("box", [cx, h + ch, 0], [cl, ch, w * r.range(0.8, 0.95)], a * r.range(0.6, 0.9)),
    ];
    for (const sx of [-1, 1]) for (const sz of [-1, 1]) {
      parts.push(part("cylinder", [sx * 0.62 * L, -h, sz * w], [wheel, 0.06, wheel], 0.15, [90, 0, 0]));
    }
    return parts;
  },
  chairs(r) {
    const sd = r.range(0.3, 0.45), sw = r.range(0.3, 0.45), st = r.range(0.035, 0.06);
    const bh = r.range(0.25, 0.55), lh = r.range(0.3, 0.55), legR = r.range(0.025, 0.045), a = r.range(0.4, 0.95);
    const tilt = r.range(0, 15);
    const parts = [
      part("box", [0, 0, 0], [sd, st, sw], a),
      part("box", [-sd + 0.03, bh + st, 0], [0.03, bh, sw], a, [0, 0, tilt]),
    ];
    const round = r.uniform() < 0.5;
    for (const sx of [-1, 1]) for (const sz of [-1, 1]) {
      const at: Vec3 = [sx * (sd - legR), -lh / 2, sz * (sw - legR)];
      parts.push(round ? part("cylinder", at, [legR, lh / 2, legR], a * 0.8) : part("box", at, [legR, lh / 2, legR], a * 0.8));
    }
    if (r.uniform() < 0.4) for (const sz of [-1, 1]) parts.push(part("box", [0, 0.22, sz * sw], [sd * 0.9, 0.025, 0.03], a));
    return parts;
  },
  faces(r) {
    // Faces look towards −z, so the canonical view shows them nearly frontally.
    const a = r.range(0.42, 0.55), b = r.range(0.55, 0.75), c = r.range(0.45, 0.6), skin = r.range(0.55, 0.9);
    const surface = (x: number, y: number) => -c * Math.sqrt(Math.max(0, 1 - (x / a) ** 2 - (y / b) ** 2));
    const ex = r.range(0.14, 0.22), ey = r.range(0.08, 0.25), es = r.range(0.06, 0.1);
    const ny = r.range(0.1, 0.2), my = r.range(0.25, 0.4), mw = r.range(0.1, 0.2);
    const parts = [part("ellipsoid", [0, 0, 0], [a, b, c], skin)];
    for (const s of [-1, 1]) {
      parts.push(part("ellipsoid", [s * ex, ey, surface(ex, ey) + es * 0.3], [es, es * 0.7, es * 0.6], 0.12));
      parts.push(part("ellipsoid", [s * a, 0.05, 0], [0.06, r.range(0.12, 0.18), 0.1], skin));
    }
    parts.push(part("ellipsoid", [0, -ny / 2, surface(0, -ny / 2)], [r.range(0.06, 0.09), ny, r.range(0.1, 0.15)], skin));
    parts.push(part("ellipsoid", [0, -my, surface(0, -my)], [mw, 0.03, 0.04], 0.3));
    parts.push(part("cylinder", [0, -b - 0.1, 0.05], [0.2, 0.2, 0.2], skin * 0.9));
    if (r.uniform() < 0.5) parts.push(part("ellipsoid", [0, b * 0.35, c * 0.12], [a * 1.05, b * 0.7, c * 1.02], r.range(0.1, 0.5)));
    return parts;
  },
  fruits(r) {
    const R = r.range(0.45, 0.7), a = r.range(0.3, 0.95), kind = r.int(4);
    let top = R;
    const parts: Part[] = [];
    if (kind === 0) { // round (apple, orange)
      parts.push(part("ellipsoid", [0, 0, 0], [R, R * r.range(0.8, 1.05), R], a));
    } else if (kind === 1) { // pear
      parts.push(part("ellipsoid", [0, -0.2, 0], [R, R * 0.85, R], a));
      parts.push(part("ellipsoid", [0, 0.35, 0], [R * 0.6, R * 0.75, R * 0.6], a));
      top = 0.35 + R * 0.75;
    } else if (kind === 2) { // elongated (lemon, banana-like)
      parts.push(part("ellipsoid", [0, 0, 0], [R * r.range(1.5, 2.2), R * 0.55, R * 0.55], a, [0, 0, r.range(-30, 30)]));
      top = R * 0.55;
    } else { // a bunch of berries
      const berry = R * 0.38;
      for (let k = 0; k < 7; k++) {
        const row = k < 3 ? 0 : k < 5 ? 1 : k < 6 ? 2 : 3;
        const inRow = [3, 2, 1, 1][row];
        const x = (k - [0, 3, 5, 6][row] - (inRow - 1) / 2) * berry * 1.7;
        parts.push(part("ellipsoid", [x, 0.3 - row * berry * 1.5, r.range(-0.1, 0.1)], [berry, berry, berry], a));
      }
      top = 0.3 + berry;
    }
    parts.push(rod([0, top - 0.05, 0], [r.range(-0.1, 0.1), top + r.range(0.12, 0.25), 0], 0.025, 0.25));
    if (r.uniform() < 0.6) {
      parts.push(part("ellipsoid", [0.15, top + 0.08, 0], [0.17, 0.02, 0.08], r.range(0.3, 0.6), [0, r.range(-40, 40), r.range(10, 35)]));
    }
    return parts;
  },
  planes(r) {
    const L = 1, body = r.range(0.1, 0.16), chord = r.range(0.12, 0.28), span = r.range(0.6, 0.95);
    const sweep = r.range(0, 35), wx = r.range(-0.2, 0.15), wy = r.range(-0.06, 0.06), a = r.range(0.6, 0.95);
    const parts = [
      part("ellipsoid", [0, 0, 0], [L, body, body], a),
      part("box", [wx, wy, 0], [chord, 0.02, span], a, [0, sweep, 0]),
      part("box", [-L + 0.15, body + r.range(0.1, 0.2), 0], [0.12, r.range(0.1, 0.2), 0.015], a, [0, 0, -20]),
      part("box", [-L + 0.12, 0.03, 0], [0.08, 0.015, r.range(0.2, 0.35)], a, [0, sweep, 0]),
    ];
    if (r.uniform() < 0.6) {
      for (const s of [-1, 1]) parts.push(part("cylinder", [wx + 0.08, wy - 0.09, s * span * 0.45], [0.05, 0.13, 0.05], 0.35, [0, 0, 90]));
    }
    return parts;
  },
  tables(r) {
    const th = r.range(0.15, 0.45), tt = r.range(0.025, 0.05), tl = r.range(0.55, 0.9), tw = r.range(0.4, 0.7);
    const a = r.range(0.35, 0.9), round = r.uniform() < 0.4, pedestal = r.uniform() < 0.3;
    const parts = [round
      ? part("cylinder", [0, th, 0], [tl * 0.8, tt, tl * 0.8], a)
      : part("box", [0, th, 0], [tl, tt, tw], a)];
    const legR = r.range(0.025, 0.05), foot = -th;
    if (pedestal) {
      parts.push(part("cylinder", [0, 0, 0], [legR * 1.8, th, legR * 1.8], a * 0.8));
      parts.push(part("cylinder", [0, foot, 0], [tl * 0.4, 0.025, tl * 0.4], a * 0.8));
    } else {
      const lx = round ? tl * 0.5 : tl - legR, lz = round ? tl * 0.5 : tw - legR;
      for (const sx of [-1, 1]) for (const sz of [-1, 1]) parts.push(part("box", [sx * lx, 0, sz * lz], [legR, th, legR], a * 0.8));
    }
    return parts;
  },
};

/** Bounding sphere of the parts (centre of their bounding box, radius to the farthest extreme point). */
function boundingSphere(parts: readonly Part[]): { centre: Vec3; radius: number } {
  const points: Vec3[] = [];
  for (const p of parts) {
    const R = rotationMatrix(p.rotation);
    const local: Vec3[] = [];
    if (p.kind === "box") {
      for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) local.push([x, y, z]);
    } else if (p.kind === "ellipsoid") {
      local.push([1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]);
    } else {
      for (let k = 0; k < 12; k++) for (const y of [-1, 1]) local.push([Math.cos(k * Math.PI / 6), y, Math.sin(k * Math.PI / 6)]);
    }
    for (const u of local) {
      const v = apply(R, [u[0] * p.halfSize[0], u[1] * p.halfSize[1], u[2] * p.halfSize[2]]);
      points.push([v[0] + p.center[0], v[1] + p.center[1], v[2] + p.center[2]]);
    }
  }
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const q of points) for (let i = 0; i < 3; i++) { lo[i] = Math.min(lo[i], q[i]); hi[i] = Math.max(hi[i], q[i]); }
  const centre: Vec3 = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  const radius = Math.max(...points.map((q) => Math.hypot(q[0] - centre[0], q[1] - centre[1], q[2] - centre[2])));
  return { centre, radius };
}

/** The 64 objects, category by category (8 each), as drawn from `objectSeed` (default 0: the kit's fixed set). */
export function objectModels(objectSeed = 0): ObjectModel[] {
  const models: ObjectModel[] = [];
  CATEGORIES.forEach((category, c) => {
    for (let k = 0; k < OBJECTS_PER_CATEGORY; k++) {
      const parts = FAMILIES[category](rng(objectSeed * 7919 + c * OBJECTS_PER_CATEGORY + k + 1));
      models.push({ category, name: `${category}_${k}`, parts, ...boundingSphere(parts) });
    }
  });
  return models;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Where and how an object is shown (HvM's latent variables). */
export interface Pose {
  /** Horizontal offset of the object centre, fraction of the image width (+ right). */
  tx: number;
  /** Vertical offset, fraction of the image width (+ up). */
  ty: number;
  /** Scale factor (1: bounding sphere spans 72 % of the width). */
  scale: number;
  /** Rotation in the image plane (about the viewing axis), degrees. */
  rxy: number;
  /** Rotation about the vertical axis (turning left–right), degrees. */
  rxz: number;
  /** Rotation about the horizontal axis (tilting towards or away), degrees. */
  ryz: number;
}

export const CANONICAL_POSE: Readonly<Pose> = { tx: 0, ty: 0, scale: 1, rxy: 0, rxz: 0, ryz: 0 };

/** Radius of a scale-1 object, fraction of the image width. */
const OBJECT_RADIUS = 0.36;
/** The canonical view: a 35° turn about the vertical, then a 20° tilt so the top shows. */
const VIEW = matmul3(rotationMatrix([-20, 0, 0]), rotationMatrix([0, 35, 0]));
/** Direction towards the light (upper left, in front); the viewer looks along +z. */
const TO_LIGHT = normalize([-0.45, 0.6, -0.65]);
const AMBIENT = 0.25;

type Mat3 = number[]; // row-major 3 × 3

/** R = Rz · Ry · Rx for angles in degrees: x rotation applied first. */
function rotationMatrix(deg: readonly [number, number, number]): Mat3 {
  const [x, y, z] = deg.map((d) => d / DEG);
  const cx = Math.cos(x), sx = Math.sin(x), cy = Math.cos(y), sy = Math.sin(y), cz = Math.cos(z), sz = Math.sin(z);
  const Rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return matmul3(Rz, matmul3(Ry, Rx));
}

function matmul3(A: Mat3, B: Mat3): Mat3 {
  const C = new Array<number>(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) C[i * 3 + j] = A[i * 3] * B[j] + A[i * 3 + 1] * B[3 + j] + A[i * 3 + 2] * B[6 + j];
  return C;
}

function apply(A: Mat3, v: readonly number[]): Vec3 {
  return [
    A[0] * v[0] + A[1] * v[1] + A[2] * v[2],
    A[3] * v[0] + A[4] * v[1] + A[5] * v[2],
    A[6] * v[0] + A[7] * v[1] + A[8] * v[2],
  ];
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

// Scratch of the ray–primitive tests (module state keeps the per-pixel loop free of allocations).
const hitNormal: Vec3 = [0, 0, 0];
let slabNear = 0, slabFar = 0, slabAxis = 0, slabSign = 0;

/** Clip the ray's [slabNear, slabFar] interval by the slab −1 ≤ q + t·d ≤ 1 of `axis`; false if it misses. */
function slab(axis: number, q: number, d: number): boolean {
  if (d > -1e-12 && d < 1e-12) return q >= -1 && q <= 1;
  let t1 = (-1 - q) / d, t2 = (1 - q) / d, sign = -1;
  if (t1 > t2) { const t = t1; t1 = t2; t2 = t; sign = 1; }
  if (t1 > slabNear) { slabNear = t1; slabAxis = axis; slabSign = sign; }
  if (t2 < slabFar) slabFar = t2;
  return slabNear <= slabFar;
}

/**
 * Nearest hit of the ray q + t·d (local coordinates of the unit primitive) with t the world depth; NaN if none.
 * Leaves the local normal in `hitNormal`.
 */
function intersect(kind: PrimitiveKind, qx: number, qy: number, qz: number, dx: number, dy: number, dz: number): number {
  if (kind === "ellipsoid") {
    const A = dx * dx + dy * dy + dz * dz, B = qx * dx + qy * dy + qz * dz, C = qx * qx + qy * qy + qz * qz - 1;
    const disc = B * B - A * C;
    if (disc < 0) return NaN;
    const t = (-B - Math.sqrt(disc)) / A;
    hitNormal[0] = qx + t * dx; hitNormal[1] = qy + t * dy; hitNormal[2] = qz + t * dz;
    return t;
  }
  slabNear = -Infinity; slabFar = Infinity; slabAxis = -1; slabSign = 0;
  if (kind === "box") {
    if (!slab(0, qx, dx) || !slab(1, qy, dy) || !slab(2, qz, dz)) return NaN;
    hitNormal[0] = 0; hitNormal[1] = 0; hitNormal[2] = 0;
    hitNormal[slabAxis] = slabSign;
    return slabNear;
  }
  // Cylinder: the caps are the y slab, the side a quadratic in x and z.
  if (!slab(1, qy, dy)) return NaN;
  const A = dx * dx + dz * dz, B = qx * dx + qz * dz, C = qx * qx + qz * qz - 1;
  if (A < 1e-12) {
    if (C > 0) return NaN;
  } else {
    const disc = B * B - A * C;
    if (disc < 0) return NaN;
    const root = Math.sqrt(disc), t1 = (-B - root) / A, t2 = (-B + root) / A;
    if (t1 > slabNear) { slabNear = t1; slabAxis = 3; }
    if (t2 < slabFar) slabFar = t2;
    if (slabNear > slabFar) return NaN;
  }
  if (slabAxis === 3) { hitNormal[0] = qx + slabNear * dx; hitNormal[1] = 0; hitNormal[2] = qz + slabNear * dz; }
  else { hitNormal[0] = 0; hitNormal[1] = slabSign; hitNormal[2] = 0; }
  return slabNear;
}

/** Half-extent along one world axis (row `r` of Q) of the unit primitive scaled by h and rotated by Q. */
function extent(kind: PrimitiveKind, Q: Mat3, r: number, hx: number, hy: number, hz: number): number {
  const a = Q[r] * hx, b = Q[r + 1] * hy, c = Q[r + 2] * hz;
  if (kind === "ellipsoid") return Math.sqrt(a * a + b * b + c * c);
  if (kind === "box") return Math.abs(a) + Math.abs(b) + Math.abs(c);
  return Math.sqrt(a * a + c * c) + Math.abs(b);
}

export interface RenderOptions {
  /** Image side in pixels (default 64). */
  size?: number;
  /** Draw onto this image (size × size, row-major, row 0 at the top); default: a new mid-grey image. */
  into?: Float32Array;
}

/**
 * Ray-cast one object into a grey image: orthographic view along +z, per pixel the nearest part wins
 * (z-buffer), shade = albedo · (ambient + (1 − ambient) · max(0, n · light)).
 */
export function renderObject(model: ObjectModel, pose: Pose, options: RenderOptions = {}): Float32Array {
  const size = options.size ?? (options.into ? Math.round(Math.sqrt(options.into.length)) : 64);
  const image = options.into ?? new Float32Array(size * size).fill(0.5);
  if (image.length !== size * size) throw new Error(`renderObject: image has ${image.length} pixels, expected ${size}×${size}`);
  const depth = new Float64Array(size * size).fill(Infinity);
  const rotation = matmul3(rotationMatrix([pose.ryz, pose.rxz, pose.rxy]), VIEW);
  const k = (OBJECT_RADIUS * size * pose.scale) / model.radius; // object units → pixels
  const T: Vec3 = [pose.tx * size, pose.ty * size, 0];
  const half = size / 2;
  for (const p of model.parts) {
    const Q = matmul3(rotation, rotationMatrix(p.rotation));
    const [hx, hy, hz] = p.halfSize;
    // World → local: M = diag(1/h) · Qᵀ / k; normals back to world with Q · diag(1/h).
    const M = [Q[0] / hx, Q[3] / hx, Q[6] / hx, Q[1] / hy, Q[4] / hy, Q[7] / hy, Q[2] / hz, Q[5] / hz, Q[8] / hz].map((m) => m / k);
    const c = apply(rotation, [p.center[0] - model.centre[0], p.center[1] - model.centre[1], p.center[2] - model.centre[2]]);
    const t: Vec3 = [c[0] * k + T[0], c[1] * k + T[1], c[2] * k];
    const reachX = k * extent(p.kind, Q, 0, hx, hy, hz) + 1, reachY = k * extent(p.kind, Q, 3, hx, hy, hz) + 1;
    const i0 = Math.max(0, Math.floor(half - t[1] - reachY)), i1 = Math.min(size - 1, Math.ceil(half - t[1] + reachY));
    const j0 = Math.max(0, Math.floor(half + t[0] - reachX)), j1 = Math.min(size - 1, Math.ceil(half + t[0] + reachX));
    const dx = M[2], dy = M[5], dz = M[8];
    for (let i = i0; i <= i1; i++) {
      const wy = half - (i + 0.5) - t[1];
      for (let j = j0; j <= j1; j++) {
        const wx = j + 0.5 - half - t[0];
        const qx = M[0] * wx + M[1] * wy - M[2] * t[2];
        const qy = M[3] * wx + M[4] * wy - M[5] * t[2];
        const qz = M[6] * wx + M[7] * wy - M[8] * t[2];
        const z = intersect(p.kind, qx, qy, qz, dx, dy, dz);
        if (!(z < depth[i * size + j])) continue;
        depth[i * size + j] = z;
        const lx = hitNormal[0] / hx, ly = hitNormal[1] / hy, lz = hitNormal[2] / hz;
        let nx = Q[0] * lx + Q[1] * ly + Q[2] * lz, ny = Q[3] * lx + Q[4] * ly + Q[5] * lz, nz = Q[6] * lx + Q[7] * ly + Q[8] * lz;
        const norm = Math.sqrt(nx * nx + ny * ny + nz * nz) * (nz > 0 ? -1 : 1); // face the viewer
        nx /= norm; ny /= norm; nz /= norm;
        const lambert = Math.max(0, nx * TO_LIGHT[0] + ny * TO_LIGHT[1] + nz * TO_LIGHT[2]);
        image[i * size + j] = p.albedo * (AMBIENT + (1 - AMBIENT) * lambert);
      }
    }
  }
  return image;
}

/**
 * A random textured background in [0, 1]: four octaves of smooth value noise with 1/f-like amplitudes plus
 * 2–5 soft-edged elliptical blobs (edges and clutter for the filters to see), at a random mean and contrast.
 */
export function texturedBackground(seed: number, size = 64, into?: Float32Array): Float32Array {
  const r = rng(seed);
  const out = into ?? new Float32Array(size * size);
  out.fill(0);
  for (const [cells, amplitude] of [[2, 1], [4, 0.55], [8, 0.3], [16, 0.17]]) {
    // Bilinear (smoothstep-eased) interpolation of a (cells + 1)² lattice of normals, separably: x, then y.
    const g = cells + 1;
    const grid = Float64Array.from({ length: g * g }, () => r.normal());
    const alongX = new Float64Array(g * size);
    for (let j = 0; j < size; j++) {
      const x = ((j + 0.5) / size) * cells, x0 = Math.min(cells - 1, Math.floor(x)), fx = smoothstep(x - x0);
      for (let gy = 0; gy < g; gy++) alongX[gy * size + j] = grid[gy * g + x0] + fx * (grid[gy * g + x0 + 1] - grid[gy * g + x0]);
    }
    for (let i = 0; i < size; i++) {
      const y = ((i + 0.5) / size) * cells, y0 = Math.min(cells - 1, Math.floor(y)), fy = smoothstep(y - y0);
      const a = y0 * size, b = (y0 + 1) * size;
      for (let j = 0; j < size; j++) out[i * size + j] += amplitude * (alongX[a + j] + fy * (alongX[b + j] - alongX[a + j]));
    }
  }
  const blobs = 2 + r.int(4);
  for (let b = 0; b < blobs; b++) {
    const cx = r.range(0, size), cy = r.range(0, size), ra = r.range(0.08, 0.35) * size, rb = r.range(0.05, 0.25) * size;
    const angle = r.range(0, Math.PI), ca = Math.cos(angle) / ra, sa = Math.sin(angle) / ra;
    const cb = Math.cos(angle) / rb, sb = Math.sin(angle) / rb, level = r.range(-1.5, 1.5);
    // A soft edge 4 px wide (smoothstep across (d − 1)·min(ra, rb) ∈ [−2, 2], d the elliptical radius).
    const sharpness = Math.min(ra, rb), inner = Math.max(0, 1 - 2 / sharpness) ** 2, outer = (1 + 2 / sharpness) ** 2;
    const reach = Math.max(ra, rb) * (1 + 2 / sharpness);
    const i0 = Math.max(0, Math.floor(cy - reach)), i1 = Math.min(size - 1, Math.ceil(cy + reach));
    const j0 = Math.max(0, Math.floor(cx - reach)), j1 = Math.min(size - 1, Math.ceil(cx + reach));
    for (let i = i0; i <= i1; i++) {
      const y = i + 0.5 - cy;
      for (let j = j0; j <= j1; j++) {
        const x = j + 0.5 - cx, u = x * ca + y * sa, v = -x * sb + y * cb, d2 = u * u + v * v;
        if (d2 >= outer) continue;
        out[i * size + j] += d2 <= inner ? level : level * smoothstep((2 - (Math.sqrt(d2) - 1) * sharpness) / 4);
      }
    }
  }
  let mean = 0, sq = 0;
  for (let i = 0; i < out.length; i++) { mean += out[i]; sq += out[i] * out[i]; }
  mean /= out.length;
  const sd = Math.sqrt(Math.max(1e-12, sq / out.length - mean * mean));
  const level = r.range(0.3, 0.6), contrast = r.range(0.08, 0.18);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, level + (contrast * (out[i] - mean)) / sd));
  return out;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

// ---------------------------------------------------------------------------------------------------------------
// Stimulus sets

/** Per-image metadata (HvM's: image id, category, object, variation, position, scale, pose). */
export interface StimulusMeta extends Pose {
  readonly id: string;
  readonly index: number;
  readonly category: Category;
  readonly object: string;
  readonly variation: VariationLevel;
  /** Seed of `texturedBackground` for this image. */
  readonly backgroundSeed: number;
}

export interface StimulusSet {
  /** Image side in pixels. */
  readonly size: number;
  /** Seed of the objects shown (`objectModels(objectSeed)`). */
  readonly objectSeed: number;
  /** n × size × size, row-major, values in [0, 1]. */
  readonly images: Float32Array;
  readonly meta: readonly StimulusMeta[];
}

export interface StimulusOptions {
  /** Seed of the poses and backgrounds (default 0). */
  seed?: number;
  /** Images of each object at each level (default 10; HvM has 10 at level 0 and 40 at levels 3 and 6). */
  imagesPerObject?: number;
  /** Variation levels, in output order (default [0, 3, 6]). */
  levels?: readonly VariationLevel[];
  /** Image side in pixels (default 64). */
  size?: number;
  /** Seed of the 64 object shapes (default 0: the kit's fixed objects). */
  objectSeed?: number;
}

/** A random pose within a level's ranges (uniform in each latent). */
export function samplePose(level: VariationLevel, r: Rng): Pose {
  const range = VARIATION_RANGES[level];
  if (!range) throw new Error(`samplePose: variation level must be one of ${VARIATION_LEVELS.join(", ")}, got ${level}`);
  if (level === 0) return { ...CANONICAL_POSE };
  const u = (m: number) => r.range(-m, m);
  return {
    tx: u(range.position), ty: u(range.position), scale: r.range(range.scale[0], range.scale[1]),
    rxy: u(range.rotation), rxz: u(range.rotation), ryz: u(range.rotation),
  };
}

/**
 * An HvM-like stimulus set: for each level, each of the 64 objects, `imagesPerObject` images with a random pose
 * from that level's ranges on a random background. Order: level, then category, object, image.
 */
export function generateStimuli(options: StimulusOptions = {}): StimulusSet {
  const seed = options.seed ?? 0, perObject = options.imagesPerObject ?? 10, size = options.size ?? 64;
  const levels = options.levels ?? VARIATION_LEVELS;
  if (!Number.isInteger(perObject) || perObject < 1) throw new Error(`generateStimuli: imagesPerObject must be a positive integer, got ${perObject}`);
  if (!Number.isInteger(size) || size < 8) throw new Error(`generateStimuli: size must be an integer ≥ 8, got ${size}`);
  for (const l of levels) {
    if (!VARIATION_LEVELS.includes(l)) throw new Error(`generateStimuli: levels must be among ${VARIATION_LEVELS.join(", ")}, got ${l}`);
  }
  const objectSeed = options.objectSeed ?? 0;
  const models = objectModels(objectSeed);
  const n = levels.length * models.length * perObject;
  const images = new Float32Array(n * size * size);
  const meta: StimulusMeta[] = [];
  const r = rng(seed);
  for (const level of levels) {
    for (const model of models) {
      for (let k = 0; k < perObject; k++) {
        const index = meta.length;
        const pose = samplePose(level, r);
        const backgroundSeed = r.int(2 ** 31);
        const image = images.subarray(index * size * size, (index + 1) * size * size);
        texturedBackground(backgroundSeed, size, image);
        renderObject(model, pose, { size, into: image });
        meta.push({
          id: `hvmlike_s${seed}_${String(index).padStart(5, "0")}`, index, category: model.category, object: model.name,
          variation: level, backgroundSeed, ...pose,
        });
      }
    }
  }
  return { size, objectSeed, images, meta };
}

/**
 * The same stimuli without their backgrounds: each image's object, at its pose, rendered alone on uniform
 * mid-grey. For models of responses that tolerate clutter (the simulated IT of lib/neuro).
 */
export function figureOnly(set: StimulusSet): StimulusSet {
  const models = new Map(objectModels(set.objectSeed).map((m) => [m.name, m]));
  const px = set.size * set.size;
  const images = new Float32Array(set.meta.length * px);
  set.meta.forEach((m, i) => {
    const model = models.get(m.object);
    if (!model) throw new Error(`figureOnly: stimulus ${m.id} shows ${m.object}, which is not among the objects of seed ${set.objectSeed}`);
    const image = images.subarray(i * px, (i + 1) * px).fill(0.5);
    renderObject(model, m, { size: set.size, into: image });
  });
  return { size: set.size, objectSeed: set.objectSeed, images, meta: set.meta };
}

/** Image `index` of a set (a view, not a copy). */
export function stimulusImage(set: StimulusSet, index: number): Float32Array {
  const px = set.size * set.size;
  if (!(index >= 0 && index < set.meta.length)) throw new Error(`stimulusImage: index ${index} outside 0..${set.meta.length - 1}`);
  return set.images.subarray(index * px, (index + 1) * px);
}

/** Metadata in the neural assembly's format (lib/neuro/assembly.ts), with HvM's field names for the latents. */
export function stimulusInfo(meta: StimulusMeta): StimulusInfo {
  return {
    id: meta.id, category: meta.category, object: meta.object, variation: meta.variation,
    fields: { tx: meta.tx, ty: meta.ty, s: meta.scale, rxy: meta.rxy, rxz: meta.rxz, ryz: meta.ryz },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Gallery

export interface GalleryOptions {
  /** Examples per category and level (default 2). */
  perLevel?: number;
  /** Title of the figure. */
  title?: string;
}

/**
 * Example images laid out as a mosaic: one row per category, columns grouped by variation level. Returns the
 * mosaic (grey, values in [0, 1]) and where its cells are.
 */
export function stimulusMosaic(set: StimulusSet, options: GalleryOptions = {}): {
  pixels: Float32Array; width: number; height: number; levels: VariationLevel[]; perLevel: number;
} {
  const perLevel = options.perLevel ?? 2, gap = 2, s = set.size;
  const levels = VARIATION_LEVELS.filter((l) => set.meta.some((m) => m.variation === l));
  const columns = levels.length * perLevel;
  const width = columns * (s + gap) - gap + gap * (levels.length - 1) * 2;
  const height = CATEGORIES.length * (s + gap) - gap;
  const pixels = new Float32Array(width * height).fill(1);
  CATEGORIES.forEach((category, row) => {
    levels.forEach((level, li) => {
      // Different objects of the category, spread over the set.
      const candidates = set.meta.filter((m) => m.category === category && m.variation === level);
      for (let e = 0; e < perLevel && candidates.length > 0; e++) {
        const m = candidates[Math.floor(((e + 0.5) * candidates.length) / perLevel)];
        const img = stimulusImage(set, m.index);
        const x0 = (li * perLevel + e) * (s + gap) + li * gap * 2, y0 = row * (s + gap);
        for (let i = 0; i < s; i++) pixels.set(img.subarray(i * s, (i + 1) * s), (y0 + i) * width + x0);
      }
    });
  });
  return { pixels, width, height, levels, perLevel };
}

/** Plotly figure of example images per category (rows) and variation level (column groups). */
export function stimulusGalleryFigure(set: StimulusSet, options: GalleryOptions = {}): Figure {
  const { pixels, width, height, levels, perLevel } = stimulusMosaic(set, options);
  const s = set.size, cell = s + 2;
  const groupWidth = perLevel * cell + 4;
  return {
    data: [{ type: "scatter", x: [0, width], y: [0, height], mode: "markers", marker: { opacity: 0 }, hoverinfo: "skip", showlegend: false }],
    layout: {
      title: { text: options.title ?? "HvM-like stimuli: categories × variation levels" },
      images: [{
        source: `data:image/png;base64,${greyPng(pixels, width, height).toString("base64")}`,
        xref: "x", yref: "y", x: 0, y: 0, sizex: width, sizey: height, xanchor: "left", yanchor: "top",
        sizing: "stretch", layer: "below",
      }],
      xaxis: {
        title: { text: "variation level" }, range: [0, width], showgrid: false, showline: false, ticks: "",
        tickvals: levels.map((_, li) => li * groupWidth + (perLevel * cell) / 2), ticktext: levels.map((l) => `level ${l}`),
      },
      yaxis: {
        title: { text: "category" }, range: [height, 0], showgrid: false, showline: false, ticks: "", scaleanchor: "x",
        tickvals: CATEGORIES.map((_, row) => row * cell + s / 2), ticktext: CATEGORIES.slice(),
      },
      height: Math.max(380, Math.round(height * 1.2) + 100),
      width: Math.round(width * 1.2) + 160,
    },
  };
}

/** An 8-bit greyscale PNG of values in [0, 1] (row 0 at the top). */
export function greyPng(pixels: Float32Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) throw new Error(`greyPng: ${pixels.length} pixels for ${width}×${height}`);
  const raw = Buffer.alloc(height * (width + 1));
  for (let i = 0; i < height; i++) {
    raw[i * (width + 1)] = 0; // filter: none
    for (let j = 0; j < width; j++) raw[i * (width + 1) + 1 + j] = Math.round(255 * Math.min(1, Math.max(0, pixels[i * width + j])));
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]);
}
