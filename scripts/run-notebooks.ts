/**
 * `npm run notebooks [names…] [--full] [--timeout S] [--jobs N]`: execute notebooks headless with real Jupyter,
 * N kernels at a time (default 1), write out/notebooks/<name>.ipynb and out/<name>.html, print each wall time;
 * exit 1 naming the notebook, cell and error if any cell fails.
 */
import { describeFailure, runNotebooks, selectNotebooks } from "../lib/notebooks/runner";
import { tableText } from "../lib/show/table";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const names: string[] = [];
  let mode: "lecture" | "full" = "lecture";
  let cellTimeout = 900;
  let jobs = 1;
  const count = (option: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${option} needs a positive whole number, got ${value ?? "nothing"}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--full") mode = "full";
    else if (args[i] === "--timeout") cellTimeout = count("--timeout", args[++i]);
    else if (args[i] === "--jobs") jobs = count("--jobs", args[++i]);
    else if (args[i].startsWith("--")) throw new Error(`unknown option ${args[i]} (known: --full, --timeout SECONDS, --jobs N)`);
    else names.push(args[i]);
  }
  const notebooks = selectNotebooks(names);
  const runs = await runNotebooks(notebooks, {
    mode, cellTimeout, jobs,
    onStart: (nb) => console.log(`▶ executing ${nb} (${mode} mode) …`),
    onEnd: (run) => console.log(run.ok ? `✔ ${run.name}: ${run.seconds.toFixed(1)} s → ${run.html}` : `✘ ${describeFailure(run)}`),
  });
  console.log(
    "\n" + tableText(runs.map((r) => ({ notebook: r.name, status: r.ok ? "ok" : `failed (cell ${(r.failedCell ?? -1) + 1})`, wall_s: r.seconds, html: r.html }))),
  );
  return runs.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
