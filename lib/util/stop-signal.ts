/**
 * Stopping a training loop on SIGINT/SIGTERM so that it saves first. A training loop is synchronous, and Node runs a
 * signal handler only between tasks: without a yield in the loop the handler would wait for the run to end (or, at
 * best, for the next periodic save's await). `stopRequested()` yields once per call (setImmediate, microseconds),
 * then says whether a signal came; `dispose()` removes the handlers (a signal then has its default effect).
 */
export interface StopSignal {
  stopRequested(): Promise<boolean>;
  dispose(): void;
}

export function stopOnSignal(): StopSignal {
  let requested = false;
  const onSignal = () => { requested = true; };
  // `on`, not `once`: a signal may arrive twice (tsx's CLI relays it to the script's process, and SLURM or a process
  // group kill sends it to both), and a second one must not kill the run before it has saved.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stopRequested: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return requested;
    },
    dispose: () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    },
  };
}
