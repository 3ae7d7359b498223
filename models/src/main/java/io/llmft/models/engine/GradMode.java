package io.llmft.models.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and on by default in every thread but the one that started the
 * engine. Code that must not record an autograd graph (evaluation, generation, the optimizer's
 * in-place updates) turns it off for its thread first; {@link Backprop#run} turns it on for one
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
}
