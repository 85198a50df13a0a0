/** Worker thread of AntVecEnv: steps its slice of environments when the main thread says so. */
import { parentPort, workerData } from "worker_threads";
import { CMD_EXIT, CMD_IDLE, CMD_RESET, EnvSlice, stepBufferViews } from "./vec-env";

async function main(): Promise<void> {
  const { raw, controlBuffer, index, lo, hi, seed, source, maxSteps, seedIndices } = workerData;
  const control = new Int32Array(controlBuffer);
  const slice = await EnvSlice.create(lo, hi, seed, source, stepBufferViews(raw), maxSteps, seedIndices);
  parentPort!.postMessage("ready");
  for (;;) {
    Atomics.wait(control, 2 * index, CMD_IDLE);
    const command = Atomics.exchange(control, 2 * index, CMD_IDLE);
    if (command === CMD_EXIT) break;
    try {
      if (command === CMD_RESET) slice.resetAll();
      else slice.step();
      Atomics.store(control, 2 * index + 1, 1);
    } catch (e) {
      console.error(`simulation worker ${index}:`, e);
      Atomics.store(control, 2 * index + 1, 2);
    }
    Atomics.notify(control, 2 * index + 1);
  }
  slice.dispose();
}

main().catch((e) => parentPort!.postMessage(`worker failed to start: ${e instanceof Error ? e.message : e}`));
