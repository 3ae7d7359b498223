package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Small tensor helpers the model's layers share. */
public final class Tensors {
  private Tensors() {}

  /**
   * A scalar tensor allocated by libtorch, for arithmetic inside the autograd graph. DJL's {@code
   * mul(Number)} and friends wrap the number in a tensor over a Java direct buffer that they
   * release right after the call, while autograd keeps that tensor for the backward pass: once the
   * garbage collector frees the buffer, gradients read freed memory (seen as NaN losses after a
   * GC).
   */
  public static NDArray constant(NDArray like, float value) {
    return like.getManager().full(new Shape(), value, like.getDataType());
  }

  /** A shape check for builders: the array must be there and have {@code shape}. */
  public static NDArray requireShape(String name, NDArray array, Shape shape) {
    if (array == null) {
      throw new IllegalArgumentException("missing parameter " + name);
    }
    if (!array.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "parameter " + name + " has shape " + array.getShape() + ", expected " + shape);
    }
    return array;
  }
}
