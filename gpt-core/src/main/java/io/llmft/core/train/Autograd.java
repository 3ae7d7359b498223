package io.llmft.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * One forward and backward pass on the calling thread. DJL's {@code GradientCollector} allows one
 * collector in the whole JVM at a time, which rules out data-parallel replicas computing their
 * gradients side by side; PyTorch's grad mode itself is per thread, so this turns it on for the
 * pass and off again, and calls the same backward as the collector does.
 */
final class Autograd {
  private Autograd() {}

  /** Builds the loss with grad mode on, back-propagates it and returns its value. */
  static double backward(Supplier<NDArray> loss) {
    JniUtils.setGradMode(true);
    try (NDScope scope = new NDScope()) {
      NDArray value = loss.get();
      NDArray seed = value.getManager().ones(value.getShape(), value.getDataType());
      JniUtils.backward((PtNDArray) value, (PtNDArray) seed, false, false);
      return value.getFloat();
    } finally {
      JniUtils.setGradMode(false);
    }
  }
}
