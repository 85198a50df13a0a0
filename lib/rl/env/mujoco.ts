/**
 * MuJoCo through its official WebAssembly build (npm `mujoco-js`): one module instance per thread, loaded
 * once, with a scratch folder in its in-memory file system for the MJCF models the kit generates.
 */
import type { MainModule, MjData, MjModel } from "mujoco-js";

export type { MainModule, MjData, MjModel };

let loading: Promise<MainModule> | undefined;
let modelCounter = 0;
let injected: (() => Promise<MainModule>) | undefined;

/**
 * Where the module comes from. In Node, `require("mujoco-js")` (the default); a browser bundle imports mujoco-js
 * itself and hands its factory over here before the first `loadMujoco()` (lib/playground/sim-worker.ts).
 */
export function useMujocoFactory(factory: () => Promise<MainModule>): void {
  if (loading) throw new Error("useMujocoFactory: MuJoCo is already loaded in this thread");
  injected = factory;
}

/** The MuJoCo module of this thread (loaded on first use, ~0.4 s). */
export function loadMujoco(): Promise<MainModule> {
  if (!loading) {
    loading = (async () => {
      const factory = injected ?? (require("mujoco-js") as { default: () => Promise<MainModule> }).default;
      const mujoco = await factory();
      (mujoco as unknown as { FS: { mkdir(p: string): void } }).FS.mkdir("/kit");
      return mujoco;
    })();
  }
  return loading;
}

/** Compile an MJCF string into a model; a compile error names the model and MuJoCo's message. */
export function compileModel(mujoco: MainModule, xml: string, name = "model"): MjModel {
  const fs = (mujoco as unknown as { FS: { writeFile(p: string, s: string): void; unlink(p: string): void } }).FS;
  const file = `/kit/${name}-${++modelCounter}.xml`;
  fs.writeFile(file, xml);
  try {
    const model = mujoco.MjModel.loadFromXML(file);
    if (!model) throw new Error("MuJoCo returned no model");
    return model;
  } catch (e) {
    throw new Error(`MuJoCo could not compile ${name}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    fs.unlink(file);
  }
}
