/**
 * Faster kernels for the native TensorFlow backend (tfjs-node), registered over tfjs-node's own.
 *
 * Step (the derivative of ReLU: 1 where x > 0, else alpha; NaN stays NaN). Every ReLU's gradient, fused conv and
 * dense layers' included, multiplies by step(x). tfjs-node builds it from six kernels — IsNan, Greater, two filled
 * tensors and two Selects — which took 20 of 56 ms of the reference conv net's training step here (its `Step`,
 * `Select`, `Fill`, `IsNan`, `Greater` rows in `npm run bench -- --profile`). For alpha = 0, step(x) = sign(relu(x))
 * exactly, NaN and ±∞ included: two kernels. Other alphas keep tfjs-node's kernel.
 *
 * ReluGrad (TensorFlow's own fused kernel): tfjs computes a ReLU's gradient as dy · step(x), three kernels and two
 * passes over the activations; TensorFlow's ReluGrad is one. The kit's gradient for Relu uses it on this backend and
 * tfjs's formula elsewhere. Equal for every finite x (0 at x ≤ 0, dy above); a NaN activation gives 0 through it where
 * step gives NaN, but NaN has then already reached the loss and every gradient downstream of it. It made DMAP's
 * 512-sample PPO step ~7 % faster (environment.md).
 */
import * as tf from "@tensorflow/tfjs";

interface NativeBackend {
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

const KIT_KERNELS = ["Step", "ReluGrad"];
let registered = false;

/** Register the kit's native kernels (once; after tfjs-node has registered its own). Returns their names. */
export function registerNativeKernels(): string[] {
  if (registered) return KIT_KERNELS;
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
  tf.registerKernel({
    kernelName: "ReluGrad",
    backendName: "tensorflow",
    kernelFunc: (args) => {
      const { dy, x } = args.inputs as { dy: tf.Tensor; x: tf.Tensor };
      const backend = args.backend as unknown as NativeBackend;
      return backend.executeSingleOutput("ReluGrad", [createTensorsTypeOpAttr("T", x.dtype)], [dy, x]) as unknown as tf.TensorInfo;
    },
  });
  const reluGradient = tf.getGradient("Relu")!;
  tf.unregisterGradient("Relu");
  tf.registerGradient({
    ...reluGradient,
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== "tensorflow") return reluGradient.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => tf.engine().runKernel("ReluGrad", { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  });
  registered = true;
  return KIT_KERNELS;
}
