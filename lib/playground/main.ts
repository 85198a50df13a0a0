/**
 * The ant playground's page: the ants drawn in 3-D with three.js from the poses the simulation worker sends
 * (lib/playground/sim-worker.ts), the body's 9 sliders, the policy picker, per-ant live statistics, DMAP's attention
 * as a heatmap (joints × input channels) and RMA's ẑ beside the true z. `window.playground` exposes the state and
 * the controls for the browser tests (test/playground.test.ts) and for curious students in the console.
 */
import * as THREE from "three";
import { POLICY_COLOURS, policyLabel } from "../rl/learning/agent-core";
import { JOINT_NAMES } from "../rl/env/ant";
import { HISTORY_CHANNEL_NAMES } from "../rl/policies/inputs";
import { LEG_NAMES, Morphology, morphologyFromVector, morphologyVector, NOMINAL, sampleMorphology } from "../rl/env/morphology";
import { rng } from "../util/random";
import { AntFrame, BODY_LIMIT, CheckpointInfo, FromWorker, ToWorker } from "./protocol";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL("./sim-worker.ts", import.meta.url), { type: "module" });
const send = (m: ToWorker) => worker.postMessage(m);
const base = new URL(".", location.href).href;

const state = {
  ready: false, backend: "", catalogue: [] as CheckpointInfo[], chosen: [] as string[], body: NOMINAL as Morphology,
  frame: null as Extract<FromWorker, { type: "frame" }> | null, frames: 0, messages: [] as { level: string; text: string }[],
};

function message(level: "info" | "error", text: string): void {
  state.messages.push({ level, text });
  const div = document.createElement("div");
  div.className = level;
  div.textContent = text;
  $("messages").prepend(div);
}

// --- the 3-D view ----------------------------------------------------------------------------------------------
const view = $("view");
const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
view.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0xeef2f6);
const camera = new THREE.PerspectiveCamera(45, 1, 0.05, 200);
camera.up.set(0, 0, 1); // MuJoCo's z is up
scene.add(new THREE.HemisphereLight(0xffffff, 0x889988, 1.6));
const sun = new THREE.DirectionalLight(0xffffff, 1.4);
sun.position.set(3, -4, 8);
scene.add(sun);
const ground = new THREE.Mesh(new THREE.PlaneGeometry(2000, 200), new THREE.MeshStandardMaterial({ color: 0xdfe5da, roughness: 1 }));
ground.position.set(900, 0, -0.001);
scene.add(ground);
const grid = new THREE.GridHelper(200, 200, 0x9aa39a, 0xbcc4bc);
grid.rotation.x = Math.PI / 2; // three's grid lies in its x–z plane; MuJoCo's floor is x–y
scene.add(grid);

interface DrawnAnt { group: THREE.Group; meshes: THREE.Mesh[]; sizes: string }
const drawn = new Map<string, DrawnAnt>();
/** Side by side: each ant is drawn this far to the side of the previous one (the simulations are independent). */
const LANE = 2.6;

function geometryFor(g: AntFrame["geoms"][number]): THREE.BufferGeometry {
  if (g.type === "sphere") return new THREE.SphereGeometry(g.size[0], 24, 16);
  const capsule = new THREE.CapsuleGeometry(g.size[0], 2 * g.size[1], 6, 12);
  capsule.rotateX(Math.PI / 2); // three's capsule runs along y, MuJoCo's along its local z
  return capsule;
}

function draw(frame: Extract<FromWorker, { type: "frame" }>): void {
  const names = new Set(frame.ants.map((a) => a.name));
  for (const [name, d] of drawn) if (!names.has(name)) { scene.remove(d.group); drawn.delete(name); }
  frame.ants.forEach((a, lane) => {
    const sizes = a.geoms.map((g) => g.size.map((v) => v.toFixed(4)).join(",")).join(";");
    let d = drawn.get(a.name);
    if (!d || d.sizes !== sizes) {
      if (d) scene.remove(d.group);
      const material = new THREE.MeshStandardMaterial({ color: POLICY_COLOURS[a.policy] ?? "#888", roughness: 0.6 });
      const group = new THREE.Group();
      const meshes = a.geoms.map((g) => {
        const mesh = new THREE.Mesh(geometryFor(g), material);
        mesh.matrixAutoUpdate = false;
        group.add(mesh);
        return mesh;
      });
      scene.add(group);
      d = { group, meshes, sizes };
      drawn.set(a.name, d);
    }
    d.group.position.set(0, (lane - (frame.ants.length - 1) / 2) * LANE, 0);
    a.geoms.forEach((g, k) => {
      const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = g.mat;
      d!.meshes[k].matrix.set(m0, m1, m2, g.pos[0], m3, m4, m5, g.pos[1], m6, m7, m8, g.pos[2], 0, 0, 0, 1);
    });
  });
  if (($("follow") as HTMLInputElement).checked && frame.ants.length) {
    const xs = frame.ants.map((a) => a.geoms[0]?.pos[0] ?? 0);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
    // Back away as the ants draw apart along x (a fast policy leaves a slow one behind), up to 30 m apart.
    const spread = (frame.ants.length - 1) * LANE + 0.6 * Math.min(30, Math.max(...xs) - Math.min(...xs));
    camera.position.set(cx - 3.5 - 0.5 * spread, -4.5 - 1.3 * spread, 2.6 + 0.6 * spread);
    camera.lookAt(cx + 0.5, 0, 0.3);
    grid.position.x = Math.round(cx);
  }
}

function resize(): void {
  const w = view.clientWidth, h = Math.max(300, view.clientHeight);
  renderer.setSize(w, h, false);
  camera.aspect = w / h;
  camera.updateProjectionMatrix();
}
window.addEventListener("resize", resize);

function animate(): void {
  renderer.render(scene, camera);
  requestAnimationFrame(animate);
}

// --- the panels -----------------------------------------------------------------------------------------------
const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "–");

function stats(frame: Extract<FromWorker, { type: "frame" }>): void {
  const label = (name: string) => { const c = state.catalogue.find((x) => x.name === name); return c ? `${policyLabel(c.policy)} σ ${c.sigma} seed ${c.seed}` : name; };
  const rows = frame.ants.map((a) => `<tr><td><span class="swatch" style="background:${POLICY_COLOURS[a.policy]}"></span>${label(a.name)}</td>` +
    `<td>${fmt(a.episodeReturn)}</td><td>${a.episodeSteps}</td><td>${fmt(a.forwardSpeed, 2)}</td><td>${a.episodes}</td><td>${a.falls}</td></tr>`).join("");
  $("stats").innerHTML = `<tr><th>policy</th><th>return</th><th>steps</th><th>speed (m/s)</th><th>episodes</th><th>falls</th></tr>${rows}`;
  $("hud").textContent = `${frame.running ? "running" : "paused"} · simulated ${frame.simSeconds.toFixed(1)} s · ` +
    `${frame.simRate.toFixed(1)}× real time · ${frame.ants.length} ant${frame.ants.length === 1 ? "" : "s"} · tfjs ${state.backend}`;
}

/** The 36 history channels in groups, found by their names (lib/rl/policies/inputs.ts): [first, last, label]. */
const CHANNEL_GROUPS: [number, number, string][] = ([[/_angle$/, "joint angles"], [/_velocity$/, "joint velocities"], [/_contact$/, "feet"], [/^previous action/, "prev. action"]] as [RegExp, string][])
  .map(([pattern, label]) => {
    const hits = HISTORY_CHANNEL_NAMES.map((n, i) => (pattern.test(n) ? i : -1)).filter((i) => i >= 0);
    return [hits[0], hits[hits.length - 1], label] as [number, number, string];
  });
CHANNEL_GROUPS.unshift([0, CHANNEL_GROUPS[0][0] - 1, "torso"]);

function heatmap(frame: Extract<FromWorker, { type: "frame" }>): void {
  const dmap = frame.ants.find((a) => a.attention);
  const canvas = $("attention") as HTMLCanvasElement;
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!dmap?.attention) return;
  $("attention-title").textContent = `DMAP's attention, ${dmap.name.replace(/^ant-/, "")}: each joint (row) over the 36 input channels (columns); hover for names`;
  const left = 92, top = 4, cw = (canvas.width - left - 4) / 36, ch = (canvas.height - top - 24) / 8;
  const max = Math.max(...dmap.attention.flat());
  dmap.attention.forEach((row, j) => {
    ctx.fillStyle = "#333";
    ctx.font = "10px sans-serif";
    ctx.fillText(JOINT_NAMES[j].replace(/_/g, " "), 2, top + ch * (j + 0.7));
    row.forEach((w, c) => {
      const t = Math.min(1, w / max);
      ctx.fillStyle = `rgb(${Math.round(255 - 180 * t)}, ${Math.round(255 - 230 * t)}, ${Math.round(255 - 90 * t)})`;
      ctx.fillRect(left + c * cw, top + j * ch, cw - 0.5, ch - 0.5);
    });
  });
  // The channels in groups, under their columns (hover the heatmap for every channel's name).
  ctx.fillStyle = "#555";
  ctx.font = "9px sans-serif";
  for (const [from, to, name] of CHANNEL_GROUPS) {
    ctx.fillRect(left + from * cw, canvas.height - 20, (to - from + 1) * cw - 2, 1);
    ctx.fillText(name, left + from * cw, canvas.height - 9);
  }
  canvas.title = HISTORY_CHANNEL_NAMES.map((n, c) => `${c}: ${n}`).join("\n");
}

function latentBars(frame: Extract<FromWorker, { type: "frame" }>): void {
  const rma = frame.ants.find((a) => a.latent);
  const canvas = $("latent") as HTMLCanvasElement;
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!rma?.latent) { ctx.fillStyle = "#888"; ctx.fillText("choose an RMA policy", 10, 20); return; }
  const { estimate, truth } = rma.latent;
  const mid = canvas.width / 2, h = (canvas.height - 20) / 8;
  ctx.strokeStyle = "#999";
  ctx.beginPath(); ctx.moveTo(mid, 0); ctx.lineTo(mid, canvas.height - 16); ctx.stroke();
  estimate.forEach((e, k) => {
    const y = k * h + 2;
    ctx.fillStyle = "#bbb"; ctx.fillRect(Math.min(mid, mid + truth[k] * mid * 0.9), y, Math.abs(truth[k]) * mid * 0.9, h * 0.4);
    ctx.fillStyle = POLICY_COLOURS.rma; ctx.fillRect(Math.min(mid, mid + e * mid * 0.9), y + h * 0.45, Math.abs(e) * mid * 0.9, h * 0.4);
  });
  ctx.fillStyle = "#555";
  ctx.fillText("grey: z (true body) · green: ẑ (from 50 steps)", 4, canvas.height - 4);
}

// --- the controls ---------------------------------------------------------------------------------------------
const SLIDERS = [["torso size", 0], ...LEG_NAMES.flatMap((l, i) => [[`${l.replace("_", " ")} thickness`, 1 + 2 * i], [`${l.replace("_", " ")} length`, 2 + 2 * i]])] as [string, number][];

function setBody(m: Morphology): void {
  state.body = m;
  const v = morphologyVector(m);
  SLIDERS.forEach(([, k]) => {
    const input = document.getElementById(`p${k}`) as HTMLInputElement;
    input.value = String(v[k]);
    (document.getElementById(`v${k}`) as HTMLElement).textContent = `${v[k] >= 0 ? "+" : ""}${Math.round(100 * v[k])} %`;
  });
  send({ type: "body", morphology: m });
}

function bodyFromSliders(): Morphology {
  const v = new Array(9).fill(0);
  SLIDERS.forEach(([, k]) => (v[k] = Number((document.getElementById(`p${k}`) as HTMLInputElement).value)));
  return morphologyFromVector(v);
}

function buildControls(): void {
  $("sliders").innerHTML = SLIDERS.map(([label, k]) =>
    `<label class="slider">${label}<input id="p${k}" type="range" min="${-BODY_LIMIT}" max="${BODY_LIMIT}" step="0.05" value="0"><span id="v${k}">+0 %</span></label>`).join("");
  SLIDERS.forEach(([, k]) => document.getElementById(`p${k}`)!.addEventListener("change", () => setBody(bodyFromSliders())));
  const byKind = ["simple", "oracle", "rma", "tcn", "dmap"].map((kind) => state.catalogue.filter((c) => c.policy === kind));
  $("policies").innerHTML = byKind.flat().map((c) => `<label><input type="checkbox" value="${c.name}" ${state.chosen.includes(c.name) ? "checked" : ""}> ` +
    `<span class="swatch" style="background:${POLICY_COLOURS[c.policy]}"></span>${policyLabel(c.policy)} σ ${c.sigma} seed ${c.seed}` +
    `<span class="note" title="${c.policy === "rma" ? "RMA's phase 2 (on top of its Oracle's PPO steps)" : "PPO"}: ${c.envSteps.toLocaleString("en-US")} env steps; return on its σ's test set ${c.testReturn ?? "–"}"> ` +
    `${(c.envSteps / 1e6).toFixed(c.envSteps < 1e6 ? 1 : 0)} M${c.testReturn === null ? "" : ` · ${c.testReturn.toFixed(0)}`}</span></label>`).join("");
  $("policies").querySelectorAll("input").forEach((box) => box.addEventListener("change", () => {
    choose(Array.from($("policies").querySelectorAll("input")).filter((b) => (b as HTMLInputElement).checked).map((b) => (b as HTMLInputElement).value));
  }));
  $("nominal").onclick = () => setBody(NOMINAL);
  let draws = 0;
  $("random").onclick = () => {
    const sigma = Math.min(BODY_LIMIT, Math.max(0, Number(($("sigma") as HTMLInputElement).value)));
    setBody(sampleMorphology(sigma, rng(1000 + draws++)));
  };
  let paused = false;
  $("pause").onclick = () => { paused = !paused; $("pause").textContent = paused ? "Run" : "Pause"; send(paused ? { type: "pause" } : { type: "run", speed: speed() }); };
  $("step").onclick = () => { paused = true; $("pause").textContent = "Run"; send({ type: "step" }); };
  $("restart").onclick = () => send({ type: "restart" });
  const speed = () => Number(($("speed") as HTMLSelectElement).value);
  $("speed").onchange = () => { if (!paused) send({ type: "run", speed: speed() }); };
}

function choose(names: string[]): void {
  state.chosen = names;
  $("policies").querySelectorAll("input").forEach((b) => ((b as HTMLInputElement).checked = names.includes((b as HTMLInputElement).value)));
  send({ type: "policies", names });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === "ready") { state.ready = true; state.backend = m.backend; }
  else if (m.type === "message") message(m.level, m.text);
  else if (m.type === "loaded") state.chosen = m.names;
  else if (m.type === "frame") {
    state.frame = m;
    state.frames++;
    draw(m);
    stats(m);
    heatmap(m);
    latentBars(m);
  }
};
worker.onerror = (e) => message("error", `the simulation stopped: ${e.message}`);

async function start(): Promise<void> {
  resize();
  animate();
  let catalogue: CheckpointInfo[] = [];
  try {
    const response = await fetch(`${base}checkpoints/index.json`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    catalogue = await response.json();
  } catch (e) {
    message("error", `The list of shipped policies could not be read (checkpoints/index.json: ${e instanceof Error ? e.message : e}); rebuild the playground with npm run playground.`);
  }
  state.catalogue = catalogue;
  // By default: the σ = 0.3, seed-0 policy of each kind, side by side, and the first Simple one alone if that is all there is.
  const defaults = ["simple", "oracle", "rma", "dmap"].map((k) => catalogue.find((c) => c.policy === k && c.sigma === 0.3 && c.seed === 0)?.name).filter((n): n is string => Boolean(n));
  state.chosen = defaults.length ? defaults : catalogue.slice(0, 1).map((c) => c.name);
  buildControls();
  send({ type: "init", base, checkpoints: catalogue });
  choose(state.chosen);
}

(window as unknown as { playground: object }).playground = {
  state,
  choose,
  setBody: (v: number[]) => setBody(morphologyFromVector(v)),
  /** Send a body straight to the simulation, bypassing the sliders' range (to see how a bad body is refused). */
  sendBody: (v: number[]) => send({ type: "body", morphology: { torso: v[0], legSize: [v[1], v[3], v[5], v[7]], legLength: [v[2], v[4], v[6], v[8]] } }),
  run: (speed = 1) => send({ type: "run", speed }),
  pause: () => send({ type: "pause" }),
  kick: () => send({ type: "kick" }),
};
start();
