/**
 * TensorFlow.js in a browser page or worker: the same `tf` the library's policies import (the playground's bundler
 * resolves lib/tf.ts to this file), on the WebAssembly backend (XNNPACK) whose .wasm files the page serves, else
 * plain JavaScript. Node's backend choice (native TensorFlow, the kit's gradient kernels) lives in lib/tf/backend.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type BackendName = "wasm" | "cpu";

let chosen: Promise<BackendName> | undefined;

/** Start the wasm backend with its binaries under `wasmPath` (a URL ending in /); falls back to cpu, saying why. */
export function initBackend(options: { wasmPath?: string; onFallback?: (why: string) => void } = {}): Promise<BackendName> {
  if (!chosen) {
    chosen = (async () => {
      if (options.wasmPath) setWasmPaths(options.wasmPath);
      try {
        if (await tf.setBackend("wasm")) { await tf.ready(); return "wasm"; }
        options.onFallback?.("the wasm backend did not initialise");
      } catch (e) {
        options.onFallback?.(`the wasm backend failed (${e instanceof Error ? e.message : String(e)})`);
      }
      await tf.setBackend("cpu");
      return "cpu";
    })();
  }
  return chosen;
}

export { tf };
