package io.llmft.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * PyTorch's grad mode is per thread and on by default in every thread but the one that started the
 * engine. Code that must not record an autograd graph (evaluation, generation, the optimizer's
 * in-place updates) turns it off for its thread first; {@link #backward} turns it on for one
 * forward and backward pass. DJL's {@code GradientCollector} is not used: it allows one collector
 * in the whole JVM at a time, which rules out data-parallel replicas computing gradients side by
 * side.
 */
public final class GradMode {
  private GradMode() {}

  public static void disable() {
    if (JniUtils.isGradMode()) {
      JniUtils.setGradMode(false);
    }
  }

  /**
   * Builds the loss with grad mode on, back-propagates it (what the collector's backward calls) and
   * returns its value; grad mode is off again afterwards.
   */
  public static double backward(Supplier<NDArray> loss) {
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
