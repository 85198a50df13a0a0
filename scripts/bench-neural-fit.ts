/**
 * Benchmark of the neural fit behind notebook 01: one full Brain-Score-style PLS fit — 25 components,
 * 10 stratified 90/10 splits — on random data of the MajajHong2015 size (2,560 images × 1,000 model features →
 * 168 IT sites). Reports milliseconds per full fit (all 10 splits: fit, predict, per-site Pearson r), wall clock
 * and CPU time (they differ when other processes share the cores).
 *
 *   npx tsx scripts/bench-neural-fit.ts [--repeats 3] [--images 2560] [--features 1000] [--sites 168]
 */
import { initBackend } from "../lib/tf";
import { crossRegressedCorrelationOnMatrices, plsRegression } from "../lib/neuro";
import { matrix } from "../lib/util/linalg";
import { rng } from "../lib/util/random";

export interface NeuralFitBenchOptions {
  images?: number;
  features?: number;
  sites?: number;
  /** Timed repetitions after one warm-up; the median is reported. */
  repeats?: number;
  seed?: number;
}

export interface NeuralFitBenchResult {
  /** Median wall time of one full PLS-25, 10-split fit, in milliseconds. */
  msPerFullFit: number;
  /** Every timed repetition (wall clock). */
  samples: number[];
  /** Median CPU time of this process per full fit (user + system): the wall time on an otherwise idle core. */
  cpuMsPerFullFit: number;
  /** The tfjs backend the heavy products ran on. */
  backend: string;
  images: number;
  features: number;
  sites: number;
  /** Median held-out r of the last run (sanity: the random target has a planted linear signal). */
  r: number;
}

/** ms per full PLS-25, 10-split fit on random data of the given size (default: 2,560 × 1,000 → 168). */
export async function benchNeuralFit(options: NeuralFitBenchOptions = {}): Promise<NeuralFitBenchResult> {
  const images = options.images ?? 2560, features = options.features ?? 1000, sites = options.sites ?? 168;
  const repeats = options.repeats ?? 3;
  const report = await initBackend({ quiet: true });
  const r = rng(options.seed ?? 0);
  const X = matrix(images, features);
  for (let i = 0; i < X.data.length; i++) X.data[i] = r.normal();
  // Sites read out a 50-dimensional subspace of the features, plus noise.
  const latent = 50;
  const Y = matrix(images, sites);
  const mix = Float64Array.from({ length: latent * sites }, () => r.normal() / Math.sqrt(latent));
  for (let i = 0; i < images; i++) {
    for (let s = 0; s < sites; s++) {
      let v = 0;
      for (let l = 0; l < latent; l++) v += X.data[i * features + l] * mix[l * sites + s];
      Y.data[i * sites + s] = v + r.normal();
    }
  }
  const objects = Array.from({ length: images }, (_, i) => `object${i % 64}`);
  const run = () => crossRegressedCorrelationOnMatrices(X, Y, objects, { regression: () => plsRegression() });
  run(); // warm-up (JIT, wasm kernels)
  const samples: number[] = [], cpu: number[] = [];
  let last = 0;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    last = run().r;
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    msPerFullFit: median(samples), samples, cpuMsPerFullFit: median(cpu), backend: report.name,
    images, features, sites, r: last,
  };
}

function argValue(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : undefined;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  benchNeuralFit({
    repeats: argValue(args, "repeats"), images: argValue(args, "images"),
    features: argValue(args, "features"), sites: argValue(args, "sites"),
  }).then((res) => {
    console.log(
      `PLS-25, 10 splits, ${res.images} images × ${res.features} features → ${res.sites} sites ` +
        `[${res.backend}]: ${res.msPerFullFit.toFixed(0)} ms per full fit (CPU ${res.cpuMsPerFullFit.toFixed(0)} ms) ` +
        `(runs: ${res.samples.map((s) => s.toFixed(0)).join(", ")} ms; median r = ${res.r.toFixed(3)})`,
    );
  }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
