/** Gradient kernels for the wasm backend (to be filled in: Conv2DBackpropFilter, fast Conv2DBackpropInput). */
export function registerWasmGradientKernels(): string[] {
  return [];
}
