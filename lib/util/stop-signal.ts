/**
 * Stopping a training loop on SIGINT/SIGTERM so that it saves first, and timing its steps without the time the
 * process spent suspended. A training loop is synchronous, and Node runs a signal handler only between tasks:
 * without a yield in the loop the handler would wait for the run to end (or, at best, for the next periodic
 * save's await). `stopRequested()` yields once per call (setImmediate, microseconds), then says whether a signal
 * came; `dispose()` removes the handlers (a signal then has its default effect).
 *
 * A process suspended mid-step (SIGSTOP, or Ctrl+Z in a terminal) and continued later would otherwise count the
 * pause as training time, in the run's wall time (manifests) and in its ETA. SIGSTOP cannot be caught, but the
 * SIGCONT that resumes the process can: `stepSeconds(t0)` yields so that its handler runs, and charges a step
 * during which the process was continued with the previous step's duration instead.
 */
export interface StopSignal {
  stopRequested(): Promise<boolean>;
  /** Seconds since `t0` (a Date.now() taken at the step's start), or the previous step's seconds if the process was suspended meanwhile. */
  stepSeconds(t0: number): Promise<number>;
  dispose(): void;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function stopOnSignal(): StopSignal {
  let requested = false, continued = false;
  let previous: number | null = null;
  const onSignal = () => { requested = true; };
  const onContinue = () => { continued = true; };
  // `on`, not `once`: a signal may arrive twice (tsx's CLI relays it to the script's process, and SLURM or a process
  // group kill sends it to both), and a second one must not kill the run before it has saved.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGCONT", onContinue);
  return {
    stopRequested: async () => {
      await tick();
      return requested;
    },
    stepSeconds: async (t0) => {
      const measured = (Date.now() - t0) / 1000;
      await tick();
      if (continued) {
        continued = false;
        if (previous !== null) return previous;
      }
      previous = measured;
      return measured;
    },
    dispose: () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      process.removeListener("SIGCONT", onContinue);
    },
  };
}
