/**
 * Faster kernels for the native TensorFlow backend (tfjs-node), registered over tfjs-node's own.
 *
 * Step (the derivative of ReLU: 1 where x > 0, else alpha; NaN stays NaN). Every ReLU's gradient, fused conv and
 * dense layers' included, multiplies by step(x). tfjs-node builds it from six kernels — IsNan, Greater, two filled
 * tensors and two Selects — which took 20 of 56 ms of the reference conv net's training step here (its `Step`,
 * `Select`, `Fill`, `IsNan`, `Greater` rows in `npm run bench -- --profile`). For alpha = 0, step(x) = sign(relu(x))
 * exactly, NaN and ±∞ included: two kernels. Other alphas keep tfjs-node's kernel.
 */
import * as tf from "@tensorflow/tfjs";

interface NativeBackend {
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

let registered = false;

/** Register the kit's native kernels (once; after tfjs-node has registered its own). Returns their names. */
export function registerNativeKernels(): string[] {
  if (registered) return ["Step"];
  const original = tf.getKernel("Step", "tensorflow");
  if (!original) return [];
  const { createTensorsTypeOpAttr } = require("tfjs-node-native/dist/nodejs_kernel_backend") as {
    createTensorsTypeOpAttr(name: string, dtype: tf.DataType): unknown;
  };
  tf.unregisterKernel("Step", "tensorflow");
  tf.registerKernel({
    kernelName: "Step",
    backendName: "tensorflow",
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.Tensor };
      const alpha = (args.attrs as { alpha?: number }).alpha ?? 0;
      if (alpha !== 0) return original.kernelFunc(args);
      const backend = args.backend as unknown as NativeBackend;
      const type = [createTensorsTypeOpAttr("T", x.dtype)];
      const relu = backend.executeSingleOutput("Relu", type, [x]);
      const out = backend.executeSingleOutput("Sign", type, [relu]);
      relu.dispose();
      return out as unknown as tf.TensorInfo;
    },
  });
  registered = true;
  return ["Step"];
}
