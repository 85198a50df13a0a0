/**
 * `inputConv2d`: the first convolution of a network, the one applied to the data. Forward it is
 * `tf.fused.conv2d` (bias and ReLU fused); backward it returns the filter and bias gradients and a zero
 * gradient for the input. tfjs's fused conv2d wraps its gradient in `customGrad`, which computes the input's
 * gradient even when the input is a constant batch of images that nothing upstream needs — PyTorch's autograd
 * skips it for such a leaf tensor. For the 5×5 first layer of the reference conv net (64 images of 64×64) on the
 * wasm backend that wasted `Conv2DBackpropInput` cost ~50 ms per training step (of 740–890 ms then, 420–550 ms
 * after this session's kernel work).
 *
 * Use it only where the input is data: the zero gradient would silently stop learning anything upstream.
 */
import * as tf from "@tensorflow/tfjs";

export interface InputConv2dArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias?: tf.Tensor1D;
  strides: number | [number, number];
  pad: "same" | "valid";
  activation?: "linear" | "relu";
}

export function inputConv2d(args: InputConv2dArgs): tf.Tensor4D {
  const { x, filter, bias, strides, pad } = args;
  const activation = args.activation ?? "linear";
  if (activation !== "linear" && activation !== "relu") {
    throw new Error(`inputConv2d: activation must be "linear" or "relu", got "${activation}"`);
  }
  const forward = (input: tf.Tensor4D, w: tf.Tensor4D, b?: tf.Tensor1D) =>
    tf.fused.conv2d({ x: input, filter: w, bias: b, strides, pad, activation });
  const filterGradient = (input: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D) =>
    tf.engine().runKernel("Conv2DBackpropFilter", { x: input, dy }, {
      strides, pad, dataFormat: "NHWC", dilations: 1, filterShape: w.shape,
    }) as tf.Tensor4D;
  // dy through the activation: ReLU passes it where the output is positive.
  const throughActivation = (dy: tf.Tensor4D, y: tf.Tensor4D) => (activation === "relu" ? tf.mul(dy, tf.step(y)) as tf.Tensor4D : dy);

  // customGrad passes the inputs, then the save function: (x, filter[, bias], save).
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [input, w, b] = args.slice(0, -1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
    const y = forward(input, w, b);
    save([input, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedW, savedY] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const d = throughActivation(dy as tf.Tensor4D, savedY);
        const grads = [tf.zerosLike(savedX), filterGradient(savedX, d, savedW)];
        return b ? [...grads, tf.sum(d, [0, 1, 2])] : grads;
      },
    };
  });
  return (bias ? op(x, filter, bias) : op(x, filter)) as tf.Tensor4D;
}
