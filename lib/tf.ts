/**
 * TensorFlow.js for the kit: one import that brings the library and the backend choice
 * (`import { tf, initBackend } from "./lib/tf"`). Implementation in lib/tf/.
 */
export { tf, initBackend, backendReport, parseBackendOverride, loadNativeTensorflow, useBackend, BACKENDS } from "./tf/backend";
export type { BackendName, BackendReport } from "./tf/backend";
export { inputConv2d } from "./tf/input-conv";
export type { InputConv2dArgs } from "./tf/input-conv";
